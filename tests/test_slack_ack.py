"""Interactive handlers ack first and work after: the real Bolt app, in process, given
signed requests; the Web API is the strict stand-in.

The resolve modal used to resolve the case and rebuild the matcher before its ack
(2.8 s at 300 learned entries, so Slack showed the lead an error). Here the resolution
is held back until the test releases it: the ack must come while it is still held.
Ordering, not a stopwatch (bench/bench_slack.py measures the ack).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_inprocess import dispatch, inprocess_app
from slack_standin import TEAM_ID, StandIn, form, strict_standin

from bot.desk import Desk
from bot.slack import views
from bot.store import Store
from bot.types import Incoming
from knowledge import KnowledgeBase

LEAD = "ULEAD"


@pytest.fixture
def standin() -> Iterator[StandIn]:
    yield from strict_standin()


@pytest.fixture
def desk(kb: KnowledgeBase, tmp_path: Path) -> Desk:
    store = Store(f"sqlite:///{tmp_path / 'ack.db'}")
    store.upgrade()
    return Desk(kb, store)


@pytest.fixture
def app(standin: StandIn, desk: Desk) -> App:
    return inprocess_app(standin, desk, CERTDESK_LEADS=LEAD)


def escalation(desk: Desk) -> int:
    reply = desk.handle(
        Incoming(
            text="オフィスの複合機のトナー交換の手順を教えてください",
            now=datetime.now(UTC),
            user="UASK",
            channel="C1",
            thread="1700000000.000100",
            transport="slack",
            external_id="1700000000.000100",
        )
    )
    assert reply.escalation is not None
    return reply.escalation.id


def submission(esc_id: int, answer: str, add_to_faq: bool = True) -> str:
    modal = views.resolve_modal(esc_id, "ja", "質問")
    selected = [{"value": "yes"}] if add_to_faq else []
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": LEAD},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": "trig-submit",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": modal["callback_id"],
            "private_metadata": modal["private_metadata"],
            "state": {
                "values": {
                    "answer": {"value": {"type": "plain_text_input", "value": answer}},
                    "add_to_faq": {"value": {"type": "checkboxes", "selected_options": selected}},
                }
            },
        },
    }
    return form(payload)


def test_resolve_modal_is_acked_before_the_case_is_resolved(
    app: App, desk: Desk, standin: StandIn
) -> None:
    esc_id = escalation(desk)
    release, entered = threading.Event(), threading.Event()
    real = desk.resolve

    def held_resolve(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(20)
        return real(*args, **kwargs)

    desk.resolve = held_resolve  # type: ignore[method-assign]
    try:
        response = dispatch(app, submission(esc_id, "HTTPS_PROXY を設定してください"))
        # the modal closed (an empty 200) while the resolution was still held
        assert response.status == 200 and response.body == ""
        assert not release.is_set()
        assert entered.wait(10)  # and the work does run, after the ack
        assert desk.store.escalation(esc_id).status == "open"  # type: ignore[union-attr]
    finally:
        release.set()
    told = standin.wait_for("chat.postMessage", lambda c: "HTTPS_PROXY" in json.dumps(c.params))
    assert told[0].params["thread_ts"] == "1700000000.000100"
    assert desk.store.escalation(esc_id).status == "resolved"  # type: ignore[union-attr]


def test_resolve_validation_errors_still_come_back_in_the_modal(app: App, desk: Desk) -> None:
    esc_id = escalation(desk)
    response = dispatch(app, submission(esc_id, "   "))
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_action"] == "errors" and "answer" in body["errors"]
    assert desk.store.escalation(esc_id).status == "open"  # type: ignore[union-attr]


def test_resolving_a_resolved_case_is_told_to_the_lead(
    app: App, desk: Desk, standin: StandIn
) -> None:
    esc_id = escalation(desk)
    desk.resolve(esc_id, user=LEAD, answer="first", add_to_faq=False, now=datetime.now(UTC))
    response = dispatch(app, submission(esc_id, "second", add_to_faq=False))
    assert response.status == 200 and response.body == ""  # acked: the modal closes
    (note,) = standin.wait_for("chat.postMessage", lambda c: c.params.get("channel") == LEAD)
    assert f"#{esc_id}" in note.params["text"]
