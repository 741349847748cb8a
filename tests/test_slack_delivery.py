"""Nothing lost when Slack says no: the adapter's Poster, Escalations and downloads
against the strict stand-in over real HTTP, in process, with a pinned retry clock.

- a message refused for its blocks is posted again as plain text, whole;
- a call still rate-limited after the client's retries is queued and posted after the
  wait (and given up, recorded, after the queue's attempts);
- an escalation channel that refuses the announcement: the asker is told the truth, the
  case stays open in the Store without a post, the announcement is retried, and the
  asker is told when it went through;
- downloads: the token goes only to the trusted origin (scheme, host and port), no
  redirect to another host is followed, and an HTML page instead of the file is a
  failed download that names the missing `files:read` scope.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_payloads import bundle, escaping_answer
from slack_sdk import WebClient
from slack_standin import StandIn, strict_standin

from bot.config import Settings
from bot.desk import Desk
from bot.slack import blocks as bk
from bot.slack import files
from bot.slack.conversation import Conversation
from bot.slack.poster import BLOCK_ERRORS, Poster
from bot.slack.retry import RetryQueue
from bot.store import Store
from bot.types import Answer, Incoming, Reply
from knowledge import KnowledgeBase

THREAD = "1700000000.000100"
OUT_OF_SCOPE = "オフィスの複合機のトナー交換の手順を教えてください"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def standin() -> Iterator[StandIn]:
    yield from strict_standin()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def poster(standin: StandIn, clock: Clock) -> Poster:
    # no client-side 429 retries: the queue's part is what is tested here
    client = WebClient(token=standin.token, base_url=standin.api_url, retry_handlers=[])
    return Poster(client, RetryQueue(clock=clock, background=False, max_attempts=3))


@pytest.fixture
def conv(standin: StandIn, poster: Poster, kb: KnowledgeBase, tmp_path: Path) -> Conversation:
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    store.upgrade()
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": standin.token,
            "SLACK_API_URL": standin.api_url,
            "CERTDESK_ESCALATION_CHANNEL": "CESC",
            "CERTDESK_LEADS": "ULEAD",
        }
    )
    conv = Conversation(settings, Desk(kb, store), poster)
    start = datetime.now(UTC)
    clock = poster.retry.clock
    conv.escalations.wall_clock = lambda: start + timedelta(seconds=clock())
    return conv


def texts(calls: list[Any]) -> str:
    return json.dumps([c.params for c in calls], ensure_ascii=False)


def long_reply() -> Reply:
    answer = Answer("learned-1", "Q?", escaping_answer(9_000), learned=True)
    return Reply(lang="en", text="fallback", answer=answer, message_id=1)


@pytest.mark.parametrize("error", sorted(BLOCK_ERRORS | {"msg_too_long"}))
def test_refused_blocks_are_posted_again_as_plain_text(
    standin: StandIn, poster: Poster, error: str
) -> None:
    pages = bk.reply_pages(long_reply(), lambda _: None)
    standin.fail_next(error, method="chat.postMessage")
    result = poster.post_pages(pages, channel="C1", thread_ts=THREAD, event="E1", text="t")
    assert result.ok
    posted = standin.accepted("chat.postMessage")
    plain = [c for c in posted if "blocks" not in c.params]
    assert plain and all(len(c.params["text"]) <= bk.MAX_TEXT for c in plain)
    assert "End of the answer." in texts(posted)  # the rest followed as blocks
    assert all(c.params["thread_ts"] == THREAD for c in posted)
    assert "R&amp;D's &lt;config&gt;" in plain[0].params["text"]


def test_rate_limited_past_retries_is_posted_after_the_wait(
    standin: StandIn, poster: Poster, clock: Clock
) -> None:
    pages = bk.reply_pages(long_reply(), lambda _: None)
    assert len(pages) == 2
    standin.fail_next("ratelimited", method="chat.postMessage")
    result = poster.post_pages(pages, channel="C1", thread_ts=THREAD, event="E2", text="t")
    assert result.error == "ratelimited" and result.retry_after == 1.0
    assert standin.accepted("chat.postMessage") == []
    assert poster.retry.pending() == ["post:E2:C1"]
    assert poster.retry.run_due() == 0  # not before the wait
    clock.now += 1.0
    assert poster.retry.run_due() == 1
    posted = standin.accepted("chat.postMessage")
    assert len(posted) == 2 and "End of the answer." in texts(posted)
    assert poster.retry.pending() == []


def test_rate_limited_forever_is_recorded_as_dropped(
    standin: StandIn, poster: Poster, clock: Clock
) -> None:
    standin.fail_next("ratelimited", method="chat.postMessage", n=10)
    pages = bk.reply_pages(Reply(lang="en", text="hello"), lambda _: None)
    poster.post_pages(pages, channel="C1", thread_ts=None, event="E3", text="hello")
    for _ in range(5):
        clock.now += 60
        poster.retry.run_due()
    assert poster.retry.dropped == ["post:E3:C1"] and poster.retry.pending() == []


def test_rate_limited_update_is_made_after_the_wait(
    standin: StandIn, poster: Poster, clock: Clock
) -> None:
    standin.fail_next("ratelimited", method="chat.update")
    blocks = bk.reply_pages(Reply(lang="en", text="updated"), lambda _: None)[0]
    result = poster.update(channel="C1", ts=THREAD, blocks=blocks, text="updated", event="U1")
    assert result.error == "ratelimited" and standin.accepted("chat.update") == []
    clock.now += 1
    poster.retry.run_due()
    (update,) = standin.accepted("chat.update")
    assert update.params["ts"] == THREAD and "updated" in texts([update])


def _escalate(conv: Conversation, text: str = OUT_OF_SCOPE) -> Reply:
    reply = conv.desk.handle(
        Incoming(
            text=text,
            now=datetime.now(UTC),
            user="UASK",
            channel="C1",
            thread=THREAD,
            transport="slack",
            external_id=THREAD,
        )
    )
    assert reply.escalation is not None
    return reply


def test_refused_announcement_is_told_kept_open_and_retried(
    standin: StandIn, conv: Conversation, clock: Clock
) -> None:
    reply = _escalate(conv)
    esc_id = reply.escalation.id  # type: ignore[union-attr]
    standin.fail_next("not_in_channel", channel="CESC")
    conv.deliver(reply, channel="C1", thread_ts=THREAD, event="E4")
    (told,) = standin.accepted("chat.postMessage", lambda c: c.params["channel"] == "C1")
    assert "引き継ぎに失敗" in texts([told]) and f"#{esc_id}" in texts([told])
    assert ":raising_hand:" not in texts([told])
    record = conv.desk.store.escalation(esc_id)  # type: ignore[union-attr]
    assert record.status == "open" and record.post_ts is None
    assert conv.poster.retry.pending() == [f"announce:{esc_id}"]

    clock.now += 30
    conv.poster.retry.run_due()
    (post,) = standin.accepted("chat.postMessage", lambda c: c.params["channel"] == "CESC")
    assert "<@UASK>" in texts([post])
    record = conv.desk.store.escalation(esc_id)  # type: ignore[union-attr]
    assert record.post_ts == post.response["ts"] and record.post_channel == "CESC"
    late = standin.accepted("chat.postMessage", lambda c: c.params["channel"] == "C1")[1]
    assert late.params["thread_ts"] == THREAD and f"ケース #{esc_id}" in texts([late])
    assert conv.poster.retry.pending() == []


def test_announcement_retries_back_off_while_refused(
    standin: StandIn, conv: Conversation, clock: Clock
) -> None:
    reply = _escalate(conv)
    standin.fail_next("not_in_channel", channel="CESC", n=3)
    conv.deliver(reply, channel="C1", thread_ts=THREAD, event="E5")
    clock.now += 30
    conv.poster.retry.run_due()
    clock.now += 119
    assert conv.poster.retry.run_due() == 0  # the second retry waits longer
    clock.now += 1
    assert conv.poster.retry.run_due() == 1
    assert standin.accepted("chat.postMessage", lambda c: c.params["channel"] == "CESC") == []
    assert len(standin.find("chat.postMessage", lambda c: c.params["channel"] == "CESC")) == 3


def test_announcement_retries_end_and_the_sweep_takes_over(
    standin: StandIn, conv: Conversation, clock: Clock
) -> None:
    reply = _escalate(conv)
    esc_id = reply.escalation.id  # type: ignore[union-attr]
    standin.fail_next("not_in_channel", channel="CESC", n=4)
    conv.deliver(reply, channel="C1", thread_ts=THREAD, event="E7")
    for _ in range(6):
        clock.now += 3600
        conv.poster.retry.run_due()
    assert conv.poster.retry.pending() == []
    refused = standin.find("chat.postMessage", lambda c: c.params["channel"] == "CESC")
    # the first post and the retries (this queue gives up after 3 attempts; the
    # announcement's own schedule after 5)
    assert len(refused) == 4
    later = conv.escalations.wall_clock() + timedelta(minutes=1)
    assert conv.escalations.sweep(later) == [esc_id]


def test_sweep_announces_cases_a_restart_left_unannounced(
    standin: StandIn, conv: Conversation
) -> None:
    reply = _escalate(conv)
    esc_id = reply.escalation.id  # type: ignore[union-attr]
    now = datetime.now(UTC)
    assert conv.escalations.sweep(now) == []  # too young: its own announcement is running
    assert conv.escalations.sweep(now + timedelta(minutes=6)) == [esc_id]
    assert conv.escalations.sweep(now + timedelta(minutes=7)) == []  # posted: not again
    posts = standin.accepted("chat.postMessage", lambda c: c.params["channel"] == "CESC")
    assert len(posts) == 1


def test_response_url_refusal_goes_again_as_text(standin: StandIn, poster: Poster) -> None:
    from slack_sdk.webhook import WebhookClient

    hook = WebhookClient(standin.response_url("k1"))

    def respond(**kwargs: Any) -> Any:
        return hook.send(**kwargs)

    standin.fail_next("invalid_blocks", method="response_url")
    report_reply = Reply(lang="en", text="x", reports=())
    pages = bk.reply_pages(report_reply, lambda _: None)
    assert poster.respond_pages(respond, pages, text="fallback", response_type="ephemeral")
    calls = standin.find("response_url")
    assert [c.ok for c in calls] == [False, True] and "blocks" not in calls[1].params


def test_48_certificates_posted_whole_through_the_stand_in(
    standin: StandIn, conv: Conversation
) -> None:
    reply = conv.desk.handle(
        Incoming(text=bundle(48), now=datetime.now(UTC), user="U1", channel="C1", thread=THREAD)
    )
    conv.deliver(reply, channel="C1", thread_ts=THREAD, event="E6")
    posted = standin.accepted("chat.postMessage")
    assert len(posted) >= 2 and all("blocks" in c.params for c in posted)
    shown = json.dumps([c.params["blocks"] for c in posted], ensure_ascii=False)
    for f in reply.reports[0].findings:
        assert f.code in shown
    assert shown.count("`cert.self_signed`") == 48


# ---- downloads --------------------------------------------------------------------------


def test_download_redirect_to_another_host_is_not_followed(standin: StandIn) -> None:
    with StandIn(token="xoxb-elsewhere") as other:
        other.add_file("x.pem", b"PEM")
        standin.redirects["x.pem"] = f"{other.url}/files/x.pem"
        obj = standin.file_object("x.pem", size=3)
        uploads, skipped = files.fetch_uploads([obj], token=standin.token, api_url=standin.api_url)
        assert uploads == [] and [s.why for s in skipped] == ["failed"]
        assert standin.find("download:x.pem") == []  # 302 answered, recorded with status 302
        assert [c.status for c in standin.calls if c.method == "download:x.pem"] == [302]
        # the second server never saw the request, let alone the token
        assert other.calls == []
        assert all(standin.token not in json.dumps(c.headers) for c in other.calls)


def test_download_redirect_within_the_origin_is_followed(standin: StandIn) -> None:
    standin.add_file("real.pem", b"PEM")
    standin.redirects["moved.pem"] = f"{standin.url}/files/real.pem"
    obj = standin.file_object("moved.pem", size=3)
    uploads, _ = files.fetch_uploads([obj], token=standin.token, api_url=standin.api_url)
    assert [u.data for u in uploads] == [b"PEM"]


def test_download_to_another_port_gets_no_token(standin: StandIn) -> None:
    with StandIn(token="xoxb-elsewhere") as other:
        other.add_file("y.pem", b"PEM")
        obj = {"id": "F1", "name": "y.pem", "size": 3, "url_private": f"{other.url}/files/y.pem"}
        uploads, skipped = files.fetch_uploads([obj], token=standin.token, api_url=standin.api_url)
        assert uploads == [] and [s.why for s in skipped] == ["failed"]
        assert other.calls == []  # same host 127.0.0.1, another port: never contacted


def test_html_instead_of_the_file_is_a_download_failure(standin: StandIn) -> None:
    page = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"
    standin.add_file("chain.crt", page)
    standin.file_types["chain.crt"] = "text/html; charset=utf-8"
    standin.add_file("sneaky.pem", b"\n  <html><body>sign in</body></html>")
    objs = [standin.file_object("chain.crt"), standin.file_object("sneaky.pem")]
    uploads, skipped = files.fetch_uploads(objs, token=standin.token, api_url=standin.api_url)
    assert uploads == [] and [s.why for s in skipped] == ["not_a_file", "not_a_file"]
