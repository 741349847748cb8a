"""Live checks through the real Bolt app over HTTP (`certdesk serve --http` against the
Web API stand-in): a mention naming a loopback server with a missing intermediate gets
the live report, the fetched intermediate and the untrusted-site FAQ entry in one reply."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from slack_standin import BOT_USER_ID, Served, StandIn, event_envelope, serve
from test_probe import PKI, aia, pki, servers  # noqa: F401  (fixtures)
from tls_servers import AiaServer, Server

pytestmark = pytest.mark.slow
UNTRUSTED_QUESTION = "ブラウザーから信頼されないものがあるというメッセージが表示されます。"


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn() as st:
        yield st


@pytest.fixture(scope="module")
def live_server(standin: StandIn, servers: dict[str, Server], aia: AiaServer,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("slack_live")
    ports = ",".join(str(p) for p in (443, aia.port, *(s.port for s in servers.values())))
    env = {"CERTDESK_OFFLINE": "0", "CERTDESK_PROBE_ALLOW": "127.0.0.0/8",
           "CERTDESK_PROBE_PORTS": ports, "CERTDESK_PROBE_TIMEOUT": "2",
           "CERTDESK_CACHE_DIR": str(tmp / "cache"), "CERTDESK_PROBE_RATE": "2/600"}
    with serve(standin, f"sqlite:///{tmp / 'certdesk.db'}", tmp / "serve.log",
               extra_env=env) as srv:
        yield srv


def mention(text: str, user: str = "U1") -> dict:
    ts = f"{time.time():.6f}"
    return {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts,
            "channel": "C100", "event_ts": ts}


def test_mention_with_a_url_gets_the_live_check(
    live_server: Served, standin: StandIn, servers: dict[str, Server], pki: PKI
) -> None:
    port = servers["missing"].port
    ev = mention(f"<https://localhost:{port}/shop> で証明書の警告が出ます")
    status, _, _ = live_server.post(event_envelope(ev, f"Ev{ev['ts']}"))
    assert status == 200
    (call,) = standin.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ev["ts"])
    blocks = call.params["blocks"]
    text = json.dumps(blocks, ensure_ascii=False)
    assert f"https://localhost:{port}" in text and "chain.incomplete" in text
    body = pki.inter.pem.decode().strip().splitlines()[1]
    assert body in text  # the fetched intermediate's PEM, in a code block
    assert "SSLCertificateChainFile" in text
    headers = [b["text"]["text"] for b in blocks if b["type"] == "header"]
    assert UNTRUSTED_QUESTION in headers


def test_the_rate_limit_is_explained(
    live_server: Served, standin: StandIn, servers: dict[str, Server]
) -> None:
    port = servers["complete"].port
    seen = []
    for _ in range(2):
        ev = mention(f"check localhost:{port}", user="U9")
        live_server.post(event_envelope(ev, f"Ev{ev['ts']}"))
        (call,) = standin.wait_for("chat.postMessage",
                                   lambda c, ts=ev["ts"]: c.params.get("thread_ts") == ts)
        seen.append(json.dumps(call.params["blocks"], ensure_ascii=False))
    ev = mention(f"check localhost:{port} and localhost:{servers['expired'].port}", user="U9")
    live_server.post(event_envelope(ev, f"Ev{ev['ts']}"))
    (call,) = standin.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ev["ts"])
    assert "tls.connection" in seen[0] and "Too many live checks" in json.dumps(
        call.params["blocks"], ensure_ascii=False)
