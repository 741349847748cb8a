"""`certdesk serve` with SLACK_APP_TOKEN runs over Socket Mode: events and slash commands
arrive on a WebSocket (the stand-in's), acks go back on it, replies go to the Web API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from slack_standin import BOT_USER_ID, REPO, TEAM_ID, StandIn, stop_process_group
from slack_standin_ws import SocketModeServer

pytestmark = pytest.mark.slow
APP_TOKEN = "xapp-1-A0001-test"


@pytest.fixture(scope="module")
def socket_app(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[StandIn, SocketModeServer]]:
    tmp = tmp_path_factory.mktemp("socket_mode")
    ws = SocketModeServer()
    with StandIn() as standin:
        standin.ws_url = ws.url
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CERTDESK_"))}
        env.update(
            SLACK_API_URL=standin.api_url,
            SLACK_BOT_TOKEN=standin.token,
            SLACK_APP_TOKEN=APP_TOKEN,
            DATABASE_URL=f"sqlite:///{tmp / 'c.db'}",
            CERTDESK_ESCALATION_CHANNEL="CESCALATE",
            CERTDESK_LEADS="ULEAD",
        )
        log = tmp / "serve.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            ws.wait_connected()
            yield standin, ws
        finally:
            stop_process_group(proc)
            ws.close()
        assert standin.violations == []


def test_connection_opened_with_the_app_token(socket_app: tuple[StandIn, SocketModeServer]) -> None:
    standin, _ = socket_app
    (call,) = standin.find("apps.connections.open")[:1]
    assert call.headers["authorization"] == f"Bearer {APP_TOKEN}"


def test_mention_over_socket_mode(socket_app: tuple[StandIn, SocketModeServer]) -> None:
    standin, ws = socket_app
    ts = "1820000000.000100"
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": f"<@{BOT_USER_ID}> IPアドレスを変更できますか?",
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
    }
    payload = {
        "team_id": TEAM_ID,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": "EvSock1",
        "event_time": 1,
        "event": event,
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }
    envelope = ws.send_envelope("events_api", payload)
    ws.wait_ack(envelope)
    (call,) = standin.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
    assert call.params["blocks"][0]["text"]["text"] == "IPアドレスを変更できますか?"


def test_slash_command_ack_payload_over_socket_mode(
    socket_app: tuple[StandIn, SocketModeServer],
) -> None:
    _, ws = socket_app
    payload = {
        "team_id": TEAM_ID,
        "channel_id": "C1",
        "user_id": "UNOBODY",
        "command": "/certdesk",
        "text": "stats",
        "trigger_id": "t1",
        "response_url": "http://127.0.0.1:9/unused",
    }
    ack = ws.wait_ack(ws.send_envelope("slash_commands", payload))
    assert "only available to support leads" in json.dumps(ack["payload"])
