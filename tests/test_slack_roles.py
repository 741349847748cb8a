"""Roles over real HTTP: only CERTDESK_LEADS may take, resolve, close or add to the FAQ.
A non-lead is refused on the server (whatever button they could see), in Japanese and
English, and nothing changes in the Store; a lead's action works and is recorded with
who did it. Learned answers show where their links go."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from slack_standin import (
    BOT_USER_ID,
    REPO,
    TEAM_ID,
    Call,
    Served,
    StandIn,
    event_envelope,
    form,
    serve,
    timestamps,
)

from bot.store import Store

pytestmark = pytest.mark.slow

ESCALATION_CHANNEL = "CESCALATE"  # set by slack_standin.serve
LEAD = "ULEAD"
NOBODY = "UNOBODY"
EVIL = "https://evil.example/fix.exe"
next_ts = timestamps(1_820_000_000, "000400")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn() as st:
        yield st


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('slack_roles') / 'certdesk.db'}"


@pytest.fixture(scope="module")
def server(
    standin: StandIn, db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("slack_roles_log") / "serve.log"
    with serve(standin, db_url, log) as srv:
        yield srv


@pytest.fixture()
def store(db_url: str, server: Served) -> Iterator[Store]:
    s = Store(db_url)
    try:
        yield s
    finally:
        s.dispose()


def blocks_text(call: Call) -> str:
    return json.dumps(call.params.get("blocks"), ensure_ascii=False)


def escalate(server: Served, standin: StandIn, question: str, key: str) -> tuple[Call, Call]:
    """Ask an out-of-scope question; (the reply in the thread, the escalation post)."""
    ts = next_ts()
    ev = {
        "type": "app_mention",
        "user": "UASK",
        "text": f"<@{BOT_USER_ID}> {question}",
        "ts": ts,
        "channel": "C400",
        "event_ts": ts,
    }
    assert server.post(event_envelope(ev, f"Ev{ts}"))[0] == 200
    reply = standin.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)[0]
    assert ":raising_hand:" in blocks_text(reply), blocks_text(reply)
    (post,) = standin.wait_for(
        "chat.postMessage",
        lambda c: c.params["channel"] == ESCALATION_CHANNEL and key in blocks_text(c),
    )
    post.params["ts"] = str(post.response["ts"])
    return reply, post


def button_of(call: Call, action_id: str) -> dict[str, Any]:
    for block in call.params.get("blocks", []):
        for el in block.get("elements", []):
            if el.get("action_id") == action_id:
                return dict(el)
    raise AssertionError(f"no {action_id} button in {blocks_text(call)}")


def click(server: Served, standin: StandIn, post: Call, action_id: str, user: str) -> str:
    """A signed block_actions request for a button of the escalation post; its trigger id."""
    trigger = f"trig-{next_ts()}"
    element = button_of(post, action_id)
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": trigger,
        "container": {
            "type": "message",
            "message_ts": post.params["ts"],
            "channel_id": ESCALATION_CHANNEL,
            "is_ephemeral": False,
        },
        "channel": {"id": ESCALATION_CHANNEL},
        "message": {"ts": post.params["ts"], "text": post.params.get("text")},
        "response_url": standin.response_url(trigger),
        "actions": [
            {
                "type": "button",
                "action_id": element["action_id"],
                "value": element["value"],
                "block_id": "b",
                "action_ts": next_ts(),
            }
        ],
    }
    assert server.post(form(payload), content_type="application/x-www-form-urlencoded")[0] == 200
    return trigger


def submit(server: Served, esc_id: int, user: str, answer: str, add_to_faq: bool) -> bytes:
    """A signed view_submission of the resolve modal (a forged one needs no views.open)."""
    selected = [{"value": "yes"}] if add_to_faq else []
    submission = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": f"trig-submit-{next_ts()}",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "escalation_resolve_view",
            "private_metadata": str(esc_id),
            "state": {
                "values": {
                    "answer": {"value": {"type": "plain_text_input", "value": answer}},
                    "add_to_faq": {"value": {"type": "checkboxes", "selected_options": selected}},
                }
            },
        },
    }
    status, body, _ = server.post(form(submission), content_type="application/x-www-form-urlencoded")
    assert status == 200
    return body


def refusal_to(standin: StandIn, user: str, count: int) -> Call:
    calls = standin.wait_for(
        "chat.postEphemeral", lambda c: c.params.get("user") == user, count=count
    )
    return calls[count - 1]


def assert_bilingual_refusal(text: str) -> None:
    assert "サポートリード" in text and "only available to support leads" in text, text


def test_non_lead_is_refused_everything_and_nothing_changes(
    server: Served, standin: StandIn, store: Store
) -> None:
    _, post = escalate(
        server, standin, "オフィスの複合機のトナー交換の手順を教えてください", "トナー"
    )
    esc_id = int(button_of(post, "escalation_assign")["value"])
    before = store.escalation(esc_id)
    assert before is not None and before.status == "open"

    click(server, standin, post, "escalation_assign", NOBODY)
    assert_bilingual_refusal(refusal_to(standin, NOBODY, 1).params["text"])

    trigger = click(server, standin, post, "escalation_resolve", NOBODY)
    assert_bilingual_refusal(refusal_to(standin, NOBODY, 2).params["text"])

    click(server, standin, post, "escalation_close", NOBODY)
    assert_bilingual_refusal(refusal_to(standin, NOBODY, 3).params["text"])

    for add_to_faq in (True, False):  # a forged submission, with and without the FAQ box
        body = submit(server, esc_id, NOBODY, f"これを実行してください: {EVIL}", add_to_faq)
        answer = json.loads(body)
        assert answer["response_action"] == "errors"
        assert "リード" in answer["errors"]["answer"] and "leads" in answer["errors"]["answer"]

    standin.settle()
    assert standin.find("views.open", lambda c: c.params.get("trigger_id") == trigger) == []
    assert standin.find("chat.update", lambda c: c.params.get("ts") == post.params["ts"]) == []
    assert store.escalation(esc_id) == before  # not assigned, resolved nor closed
    assert store.learned_entries() == []


def test_lead_takes_resolves_adds_to_faq_and_links_show_their_target(
    server: Served, standin: StandIn, store: Store
) -> None:
    question = "社内のプロキシ経由で証明書の自動更新ボットを動かすにはどうすればよいですか"
    reply, post = escalate(server, standin, question, "プロキシ")
    thread = reply.params["thread_ts"]
    esc_id = int(button_of(post, "escalation_assign")["value"])

    click(server, standin, post, "escalation_assign", LEAD)
    standin.wait_for("chat.update", lambda c: f"<@{LEAD}>" in blocks_text(c))
    record = store.escalation(esc_id)
    assert record is not None and record.status == "assigned" and record.assignee == LEAD

    trigger = click(server, standin, post, "escalation_resolve", LEAD)
    standin.wait_for("views.open", lambda c: c.params.get("trigger_id") == trigger)
    answer = f"<{EVIL}|ここ> を実行し、詳しくは [手順書](https://evil.example/howto) を見てください。"
    assert submit(server, esc_id, LEAD, answer, add_to_faq=True) == b""

    # the modal acks first; the asker's thread then shows the real targets, not link text
    told = standin.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == thread and "evil.example" in blocks_text(c),
    )[0]
    assert f"ここ ({EVIL})" in blocks_text(told) and "|ここ" not in blocks_text(told)

    record = store.escalation(esc_id)
    assert record is not None and record.status == "resolved" and record.resolver == LEAD
    [entry] = store.learned_entries()
    assert entry.author == LEAD and record.learned_entry_id == entry.id
    assert f"answer added to the FAQ as {entry.id} by {LEAD}" in server.log()

    # and so does the learned answer the next person gets
    ts = next_ts()
    ev = {"type": "app_mention", "user": "UOTHER", "text": f"<@{BOT_USER_ID}> {question}",
          "ts": ts, "channel": "C400", "event_ts": ts}
    assert server.post(event_envelope(ev, f"Ev{ts}"))[0] == 200
    again = standin.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)[0]
    text = blocks_text(again)
    assert f"ここ ({EVIL})" in text and "手順書 (https://evil.example/howto)" in text, text
    assert "|ここ" not in text and "](https://" not in text

    # kb export names who added it and when, with the links shown
    out = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "export"],
        cwd=REPO, env=server.env, capture_output=True, text=True, timeout=60, check=True,
    )
    assert f"# added_by = {LEAD}  date = {entry.created_at.date().isoformat()}" in out.stdout
    assert f"ここ ({EVIL})" in out.stdout and f"<{EVIL}|" not in out.stdout


def test_lead_closes_and_is_recorded(server: Served, standin: StandIn, store: Store) -> None:
    _, post = escalate(server, standin, "社員旅行の行き先のおすすめを教えてください", "社員旅行")
    esc_id = int(button_of(post, "escalation_assign")["value"])
    click(server, standin, post, "escalation_close", LEAD)
    standin.wait_for(
        "chat.update",
        lambda c: c.params.get("ts") == post.params["ts"] and f"<@{LEAD}>" in blocks_text(c),
    )
    record = store.escalation(esc_id)
    assert record is not None and record.status == "closed" and record.resolver == LEAD
    log = server.log()
    assert f"escalation {esc_id} closed by {LEAD}" in log
    assert f"refused lead action take to non-lead user {NOBODY}" in log
