"""Running the app against the stand-in: Slack's request signing, `certdesk serve --http`
as a subprocess (polling /healthz), and the bodies of Slack's requests (event envelopes,
interactivity forms). Re-exported by tests/slack_standin.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slack_standin import StandIn

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
REPO = Path(__file__).resolve().parent.parent


# ---- signing ---------------------------------------------------------------------------


def sign(body: str, *, secret: str = SIGNING_SECRET, ts: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for `body`, computed with hmac as Slack does."""
    stamp = str(int(time.time()) if ts is None else ts)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    log_path: Path

    def post(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        signed: bool = True,
        ts: int | None = None,
    ) -> tuple[int, bytes, float]:
        """POST to /slack/events; returns (status, body, seconds until the response)."""
        hdrs = {"Content-Type": content_type, **(sign(body, ts=ts) if signed else {})}
        hdrs.update(headers or {})
        req = urllib.request.Request(
            self.url + "/slack/events", data=body.encode(), headers=hdrs, method="POST"
        )
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read(), time.perf_counter() - start
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.read(), time.perf_counter() - start

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: int | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except urllib.error.HTTPError as err:
            last = err.code
            err.close()
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"/healthz not ready after {timeout}s (last status {last}):\n{log_path.read_text()}"
    )


@contextmanager
def serve(
    standin: StandIn,
    database_url: str,
    log_path: Path,
    *,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Served]:
    """Run `certdesk serve --http` as a subprocess against the stand-in; poll /healthz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CERTDESK_"))}
    env.update(
        SLACK_API_URL=standin.api_url,
        SLACK_BOT_TOKEN=standin.token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=database_url,
        CERTDESK_ESCALATION_CHANNEL="CESCALATE",
        CERTDESK_LEADS="ULEAD",
        CERTDESK_OFFLINE="1",  # live checks only where a test allows its loopback servers
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    cmd = [sys.executable, "-m", "bot", "serve", "--http", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=str(REPO),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log_path, timeout)
        yield Served(url, env, proc, log_path)
    finally:
        stop_process_group(proc)


def stop_process_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server and its workers; SIGKILL what is still there after 15 s."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ---- payload builders ------------------------------------------------------------------


def event_envelope(event: dict[str, Any], event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
    )


def form(payload: dict[str, Any]) -> str:
    """An interactivity request body: payload=<json>, form-encoded."""
    from urllib.parse import urlencode

    return urlencode({"payload": json.dumps(payload)})
