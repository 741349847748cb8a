"""Bounded requests: a body over the limit (1 MiB by default) gets 413 before it is read,
over a real socket to `certdesk serve --http` (gunicorn). The client sends only part of
an oversized body and then waits: an answer proves the server did not read the rest;
a chunked body with no end is answered after limit+1 bytes."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from slack_standin import BOT_USER_ID, Served, StandIn, event_envelope, serve, sign

from bot.slack.server import DEFAULT_MAX_BODY_BYTES

pytestmark = pytest.mark.slow

MIB = 1 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("body_limit")
    with StandIn() as standin, serve(
        standin, f"sqlite:///{tmp / 'certdesk.db'}", tmp / "serve.log"
    ) as srv:
        srv.standin = standin  # type: ignore[attr-defined]
        yield srv


def connect(server: Served) -> socket.socket:
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    return sock


def status_of(sock: socket.socket) -> tuple[int, bytes]:
    """Read the response head (the server answers while we have not finished sending)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), rest


def head(content: str, extra: dict[str, str]) -> bytes:
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_default_limit_is_one_mib() -> None:
    assert DEFAULT_MAX_BODY_BYTES == MIB


def test_oversized_content_length_is_refused_before_the_body_is_sent(server: Served) -> None:
    total = 2 * MIB
    with connect(server) as sock:
        sock.sendall(head("application/json", {"Content-Length": str(total)}))
        sock.sendall(b"x" * 4096)  # 4 KiB of 2 MiB: the rest never comes
        status, _ = status_of(sock)
    assert status == 413
    assert "refused request to /slack/events: Content-Length 2097152" in server.log()


def test_signed_oversized_body_is_refused_too(server: Served) -> None:
    body = json.dumps({"type": "event_callback", "pad": "x" * (2 * MIB)})
    with connect(server) as sock:
        sock.sendall(head("application/json", {"Content-Length": str(len(body)), **sign(body)}))
        sock.sendall(body[:4096].encode())
        status, _ = status_of(sock)
    assert status == 413


def test_chunked_body_is_read_at_most_to_the_limit(server: Served) -> None:
    with connect(server) as sock:
        sock.sendall(head("application/json", {"Transfer-Encoding": "chunked"}))
        chunk = b"y" * 65536
        for _ in range(MIB // len(chunk) + 2):  # past the limit, and no final 0-chunk
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        status, _ = status_of(sock)
    assert status == 413
    assert "chunked body over 1048576 bytes" in server.log()


def test_small_chunked_signed_event_still_works(server: Served) -> None:
    standin: StandIn = server.standin  # type: ignore[attr-defined]
    ts = f"{int(time.time())}.000500"
    ev = {"type": "app_mention", "user": "U1", "text": f"<@{BOT_USER_ID}> IPアドレスを変更できますか?",
          "ts": ts, "channel": "C500", "event_ts": ts}
    body = event_envelope(ev, f"EvChunk{ts}").encode()
    with connect(server) as sock:
        sock.sendall(head("application/json", {"Transfer-Encoding": "chunked",
                                               **sign(body.decode())}))
        half = len(body) // 2
        for part in (body[:half], body[half:]):
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        sock.sendall(b"0\r\n\r\n")
        status, _ = status_of(sock)
    assert status == 200
    standin.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
