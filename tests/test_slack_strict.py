"""End to end over real HTTP against the strict stand-in: Slack as it behaves. Two
reports in one reply, a reply whose blocks Slack refuses, an escalation channel that
refuses the bot, four 429s in a row, Slack's sign-in page instead of a file, and 48
pasted certificates: the asker always gets the whole reply, or the truth."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_payloads import bundle
from slack_standin import BOT_USER_ID, Served, StandIn, serve, strict_standin
from test_slack_http import _chain, blocks_text, dm, in_thread, mention, send

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    yield from strict_standin()


@pytest.fixture(scope="module")
def server(standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("slack_strict")
    with serve(standin, f"sqlite:///{tmp / 'certdesk.db'}", tmp / "serve.log") as srv:
        yield srv



def test_two_reports_in_one_reply_are_accepted(server: Served, standin: StandIn) -> None:
    """Each report had an actions block with block_id "report_faq": two of them made
    Slack refuse the whole reply (invalid_blocks) and the asker got nothing."""
    pem, host = _chain()
    standin.add_file("chain.crt", pem.encode())
    standin.add_file("server.cer", pem.split("-----END CERTIFICATE-----")[0].encode() + b"x")
    ev = dm(
        "",
        subtype="file_share",
        files=[standin.file_object("chain.crt"), standin.file_object("server.cer")],
    )
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    assert call.ok, call.response
    ids = [b["block_id"] for b in call.params["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)) and "chain.crt" in blocks_text(call)
    assert host in blocks_text(call)
    assert "server.cer" in blocks_text(call)


def test_refused_blocks_reply_is_posted_as_plain_text(server: Served, standin: StandIn) -> None:
    ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?", channel="CREFUSE")
    standin.fail_next("invalid_blocks", method="chat.postMessage", channel="CREFUSE")
    send(server, ev)
    (plain,) = standin.wait_for(
        "chat.postMessage", lambda c: in_thread(ev["ts"])(c) and c.ok and "blocks" not in c.params
    )
    assert "IPアドレス" in plain.params["text"]
    refused = [c for c in standin.find("chat.postMessage", in_thread(ev["ts"])) if not c.ok]
    assert [c.response["error"] for c in refused] == ["invalid_blocks"]


def test_escalation_channel_refusal_is_told_to_the_asker(
    server: Served, standin: StandIn
) -> None:
    standin.fail_next("not_in_channel", method="chat.postMessage", channel="CESCALATE")
    ev = mention(f"<@{BOT_USER_ID}> 社食の今日のメニューを教えてください", channel="C404")
    send(server, ev)
    (told,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    assert told.ok and "引き継ぎに失敗" in blocks_text(told)
    assert ":raising_hand:" not in blocks_text(told)
    refused = standin.find("chat.postMessage", lambda c: c.params["channel"] == "CESCALATE")
    assert any(c.response.get("error") == "not_in_channel" for c in refused)


def test_reply_rate_limited_past_the_client_retries_arrives_later(
    server: Served, standin: StandIn
) -> None:
    """Four 429s in a row used to drop the reply with a log line: the client retries
    three times, then the adapter's queue waits Retry-After and posts it."""
    ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?", channel="C429")
    standin.fail_next("ratelimited", method="chat.postMessage", channel="C429", n=4)
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]), timeout=30)
    assert call.ok
    limited = [c for c in standin.calls if c.status == 429 and c.params.get("channel") == "C429"]
    assert len(limited) == 4
    assert "still rate-limited after retries; queued" in server.log()


def test_sign_in_page_instead_of_the_file_says_files_read(
    server: Served, standin: StandIn
) -> None:
    standin.add_file("login.crt", b"<!DOCTYPE html><html><body>Sign in to Slack</body></html>")
    standin.file_types["login.crt"] = "text/html; charset=utf-8"
    ev = dm("", subtype="file_share", files=[standin.file_object("login.crt")])
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    text = blocks_text(call)
    assert "files:read" in text and "login.crt" in text


def test_48_pasted_certificates_every_finding_accepted(server: Served, standin: StandIn) -> None:
    ev = dm(bundle(48))
    send(server, ev)
    standin.wait_for("chat.postMessage", in_thread(ev["ts"]), count=2, timeout=30)
    standin.settle()
    calls = standin.find("chat.postMessage", in_thread(ev["ts"]))
    assert all(c.ok for c in calls) and len(calls) >= 2
    shown = json.dumps([c.params["blocks"] for c in calls], ensure_ascii=False)
    assert shown.count("`cert.self_signed`") == 48
    assert shown.count("`chain.unrelated`") == 47 and shown.count("`cert.expired`") >= 16
