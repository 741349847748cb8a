"""A hostile Slack message is acked before any work on it: the real Bolt app in process,
given a signed event; the Desk is held until the test releases it, and the ack must come
while it is still held (ordering, not a stopwatch; bench/bench_hostile.py measures).

Before, 20,000 dashes in a DM cost the Desk's quadratic regex tens of seconds, and
because CPython's regex engine holds the GIL, four such DMs delayed acks to 21.6 s."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_inprocess import dispatch, inprocess_app
from slack_standin import StandIn, event_envelope, strict_standin

from bot.desk import Desk
from bot.store import Store
from knowledge import KnowledgeBase

HOSTILE = "---BEGIN" + "-" * 39_000  # what one Slack message can hold


@pytest.fixture
def standin() -> Iterator[StandIn]:
    yield from strict_standin()


@pytest.fixture
def desk(kb: KnowledgeBase, tmp_path: Path) -> Desk:
    store = Store(f"sqlite:///{tmp_path / 'hostile.db'}")
    store.upgrade()
    return Desk(kb, store)


@pytest.fixture
def app(standin: StandIn, desk: Desk) -> App:
    return inprocess_app(standin, desk)


def test_a_hostile_dm_is_acked_before_the_desk_reads_it(
    app: App, desk: Desk, standin: StandIn
) -> None:
    release, entered = threading.Event(), threading.Event()
    real = desk.handle
    seen: list[str] = []

    def held_handle(incoming: Any) -> Any:
        seen.append(incoming.text)
        entered.set()
        release.wait(20)
        return real(incoming)

    desk.handle = held_handle  # type: ignore[method-assign]
    ts = "1700000001.000100"
    event = {"type": "message", "channel_type": "im", "user": "UH", "text": HOSTILE,
             "ts": ts, "channel": "DHOSTILE", "event_ts": ts}
    try:
        response = dispatch(app, event_envelope(event, "EvHostile1"))
        assert response.status == 200
        assert not release.is_set()  # acked while the Desk had not returned
        assert entered.wait(10)  # and the work runs, after the ack
    finally:
        release.set()
    (reply,) = standin.wait_for("chat.postMessage",
                                lambda c: c.params.get("channel") == "DHOSTILE", timeout=60)
    assert reply.params.get("text")
    assert seen == [HOSTILE]
