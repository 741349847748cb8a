"""End to end over real HTTP: `certdesk serve --http` (gunicorn + Bolt) against the local
Web API stand-in, driven with real signed Slack requests. Events and transport."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from slack_standin import (
    BOT_ID,
    BOT_USER_ID,
    Call,
    Served,
    StandIn,
    event_envelope,
    serve,
    strict_standin,
    timestamps,
)
from store_backends import store_url_fixture  # noqa: F401  (the store_url fixture)

pytestmark = pytest.mark.slow

next_ts = timestamps(1_800_000_000, "000200")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    yield from strict_standin()


@pytest.fixture(scope="module")
def server(standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("slack_http")
    with serve(standin, f"sqlite:///{tmp / 'certdesk.db'}", tmp / "serve.log") as srv:
        yield srv


def mention(text: str, *, channel: str = "C100", ts: str | None = None, **extra: Any) -> dict:
    ts = ts or next_ts()
    return {
        "type": "app_mention",
        "user": "U1",
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def dm(text: str, *, ts: str | None = None, **extra: Any) -> dict:
    ts = ts or next_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U2",
        "text": text,
        "ts": ts,
        "channel": "D200",
        "event_ts": ts,
        **extra,
    }


def in_thread(ts: str) -> Any:
    return lambda c: c.params.get("thread_ts") == ts


def blocks_text(call: Call) -> str:
    """Every text in a posted message's blocks, for content assertions."""
    return json.dumps(call.params.get("blocks"), ensure_ascii=False)


def send(server: Served, event: dict, event_id: str | None = None, **kw: Any) -> int:
    status, _, _ = server.post(event_envelope(event, event_id or f"Ev{event['ts']}"), **kw)
    return status


def test_healthz_and_unknown_paths(server: Served) -> None:
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(server.url + "/healthz") as resp:
        assert resp.status == 200 and json.loads(resp.read()) == {"ok": True}
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.url + "/nothing-here")
    err.value.close()
    assert err.value.code == 404


def test_mention_answered_in_its_thread(server: Served, standin: StandIn) -> None:
    ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?")
    assert send(server, ev) == 200
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    assert call.params["channel"] == "C100"
    assert call.headers["authorization"] == f"Bearer {standin.token}"
    header = call.params["blocks"][0]
    assert header["type"] == "header" and header["text"]["text"] == "IPアドレスを変更できますか?"
    actions = [b for b in call.params["blocks"] if b.get("block_id", "").startswith("feedback_")]
    assert [e["action_id"] for e in actions[0]["elements"]] == [
        "feedback_helpful",
        "feedback_not_helpful",
    ]
    assert call.params["text"]  # the fallback text is always sent


def test_mention_inside_a_thread_stays_in_that_thread(server: Served, standin: StandIn) -> None:
    parent = next_ts()
    ev = mention(
        f"<@{BOT_USER_ID}> How do I back up the private key file in IIS4?", thread_ts=parent
    )
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(parent))
    assert "backup" in blocks_text(call).lower() or "back up" in blocks_text(call).lower()


def test_retry_and_double_delivery_answered_once(server: Served, standin: StandIn) -> None:
    ev = mention(f"<@{BOT_USER_ID}> ポート443はどこで有効にしますか")
    body = event_envelope(ev, "EvRetry1")
    results: list[int] = []

    def deliver(retry: int | None) -> None:
        headers = (
            {}
            if retry is None
            else {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        )
        results.append(server.post(body, headers=headers)[0])

    threads = [threading.Thread(target=deliver, args=(r,)) for r in (None, None, 1, 2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # the same message delivered again as a DM-style event with another event id
    assert send(server, ev, "EvRetry1-other-id") == 200
    assert results == [200, 200, 200, 200]
    standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    standin.settle()
    assert len(standin.find("chat.postMessage", in_thread(ev["ts"]))) == 1


def test_forged_signature_and_stale_timestamp_are_refused(server: Served, standin: StandIn) -> None:
    ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?")
    body = event_envelope(ev, "EvForged")
    forged = {"X-Slack-Signature": "v0=" + "0" * 64}
    assert server.post(body, headers=forged)[0] == 401
    stale = int(time.time()) - 6 * 60  # correctly signed, but 6 minutes old
    assert server.post(body, ts=stale)[0] == 401
    assert server.post(body, signed=False)[0] == 401
    standin.settle()
    assert standin.find("chat.postMessage", in_thread(ev["ts"])) == []
    # refusals are logged, but never with the body (it could hold a pasted key)
    assert server.log().count("refused unsigned or stale request to /slack/events") >= 3
    assert "EvForged" not in server.log()


def _chain() -> tuple[str, str]:
    """leaf, intermediate, root PEMs, leaf-first (a correct chain) and the leaf's host."""
    now = datetime.now(UTC)

    def cert(subject: str, issuer: str, key: Any, signer: Any, ca: bool, san: str | None) -> Any:
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if san:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        return b.sign(signer, hashes.SHA256())

    root_k, int_k, leaf_k = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = cert("Test Root", "Test Root", root_k, root_k, True, None)
    inter = cert("Test Intermediate", "Test Root", int_k, root_k, True, None)
    leaf = cert("www.example.test", "Test Intermediate", leaf_k, int_k, False, "www.example.test")
    pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in (leaf, inter, root))
    return pem, "www.example.test"


def test_dm_with_pasted_chain_is_analysed(server: Served, standin: StandIn) -> None:
    pem, host = _chain()
    # Slack escapes & < > in message text; PEM has none, but the question part does
    ev = dm("このチェーンを確認してください &lt;お願いします&gt;\n" + pem)
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    text = blocks_text(call)
    assert call.params["channel"] == "D200"
    assert host in text and "Test Intermediate" in text and "Test Root" in text
    assert "chain.untrusted_root" in text  # our test root is not in the trust store
    assert "BEGIN CERTIFICATE" not in text  # the PEM is never echoed back


def test_file_upload_is_downloaded_and_analysed(server: Served, standin: StandIn) -> None:
    pem, host = _chain()
    standin.add_file("server.crt", pem.encode())
    standin.add_file("notes.docx", b"not a certificate")
    ev = dm(
        "",
        subtype="file_share",
        files=[standin.file_object("server.crt"), standin.file_object("notes.docx")],
    )
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    downloads = standin.find("download:server.crt")
    assert len(downloads) == 1 and downloads[0].headers["authorization"].startswith("Bearer ")
    assert standin.find("download:notes.docx") == []  # not an allowed extension: never fetched
    text = blocks_text(call)
    assert host in text and "notes.docx" in text


def test_own_other_bots_and_edits_are_ignored(server: Served, standin: StandIn) -> None:
    ignored = [
        dm("IPアドレスを変更できますか?", user=BOT_USER_ID, bot_id=BOT_ID),  # our own post
        dm("IPアドレスを変更できますか?", subtype="bot_message", bot_id="BOTHER", user=None),
        dm("IPアドレスを変更できますか?", bot_id="BOTHER"),
        dm(
            "",
            subtype="message_changed",
            message={"text": "IPアドレスを変更できますか?", "user": "U2"},
        ),
        dm("", subtype="message_deleted"),
        dm("IPアドレスを変更できますか?", subtype="channel_join"),
    ]
    for ev in ignored:
        assert send(server, ev) == 200
    standin.settle()
    for ev in ignored:
        assert standin.find("chat.postMessage", in_thread(ev["ts"])) == []


def test_private_key_warned_and_never_repeated(server: Served, standin: StandIn) -> None:
    key = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    body_line = key.splitlines()[1]
    ev = dm("これで合っていますか\n" + key)
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    text = blocks_text(call)
    assert ":rotating_light:" in text and "漏洩" in text
    assert all(body_line not in json.dumps(c.params) for c in standin.calls)


def test_web_api_429_is_retried(server: Served, standin: StandIn) -> None:
    ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?")
    standin.rate_limit_next(1)
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    limited = [c for c in standin.calls if c.status == 429]
    assert limited and limited[-1].method == "chat.postMessage"
    assert call.at - limited[-1].at >= 0.9  # waited for Retry-After: 1


def test_web_api_connection_error_is_retried(server: Served, standin: StandIn) -> None:
    ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?")
    standin.drop_next(1)
    send(server, ev)
    (call,) = standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    dropped = [c for c in standin.calls if c.status == 0]
    assert dropped and dropped[-1].method == "chat.postMessage" and dropped[-1].at < call.at


def test_ack_is_fast_and_work_happens_after_it(server: Served, standin: StandIn) -> None:
    """With chat.postMessage held unanswered, the ack still comes: the work (Desk and
    Web API) runs after the ack, not before it. Ordering, not a stopwatch."""
    pem, _ = _chain()
    ev = dm(pem)
    release = standin.holds.setdefault("chat.postMessage", threading.Event())
    try:
        status, body, _elapsed = server.post(event_envelope(ev, "EvFastAck"))
        assert status == 200 and body == b""
        # Had the app replied before acking, the held post would have answered first.
        assert standin.find("chat.postMessage", in_thread(ev["ts"])) == []
        release.set()
        standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
    finally:
        release.set()
        standin.holds.clear()


def test_failed_post_is_logged_with_its_event(server: Served, standin: StandIn) -> None:
    standin.channel_errors["CGONE"] = "channel_not_found"
    ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?", channel="CGONE")
    send(server, ev, "EvLost1")
    standin.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "CGONE")
    deadline = time.monotonic() + 10
    while "chat.postMessage failed (event=EvLost1" not in server.log():
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.05)
    assert "channel_not_found" in server.log()


def test_healthz_503_while_the_database_is_unavailable(standin: StandIn, tmp_path: Path) -> None:
    bad = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    with (
        pytest.raises(RuntimeError, match=r"last status 503"),
        serve(standin, bad, tmp_path / "bad.log", timeout=20),  # a busy machine starts slowly
    ):
        pass


def test_two_workers_one_database_one_answer(
    standin: StandIn, tmp_path: Path, store_url: str
) -> None:
    """Two servers (one of them with two gunicorn workers) on one database (SQLite;
    PostgreSQL when CERTDESK_TEST_POSTGRES_URL is set) each get the same event four
    times at once: one answer, and the duplicates are refused in both processes."""
    with (
        serve(standin, store_url, tmp_path / "a.log", workers=2) as srv_a,
        serve(standin, store_url, tmp_path / "b.log", workers=1) as srv_b,
    ):
        ev = mention(f"<@{BOT_USER_ID}> IPアドレスを変更できますか?", channel="C2W")
        event_id = f"EvTwoWorkers-{ev['ts']}"
        body = event_envelope(ev, event_id)
        barrier = threading.Barrier(8)

        def deliver(i: int) -> None:
            barrier.wait()
            srv = srv_a if i % 2 else srv_b
            srv.post(body, headers={"X-Slack-Retry-Num": str(i // 2)} if i > 1 else {})

        threads = [threading.Thread(target=deliver, args=(i,)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        standin.wait_for("chat.postMessage", in_thread(ev["ts"]))
        standin.settle()
        assert len(standin.find("chat.postMessage", in_thread(ev["ts"]))) == 1
        refused = [srv.log().count(f"duplicate event {event_id} ignored") for srv in (srv_a, srv_b)]
        assert sorted(refused) == [3, 4]  # the answering server refused its other three
