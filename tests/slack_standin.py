"""A local stand-in for Slack's Web API, reached over real HTTP, plus helpers to sign
requests and to run `certdesk serve --http` as a subprocess against it.

Like bolt-python's tests/mock_web_api_server: every call is recorded (method,
params, headers), and the next N calls can be answered with 429 + Retry-After.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Call:
    method: str  # Web API method, "download:<name>" or "response_url"
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)  # what the stand-in answered
    path: str = ""


HOLD_LIMIT_S = 15.0  # a held call answers after this even if never released


class StandIn:
    """Threaded HTTP server: /api/<method>, /files/<name> (url_private), /respond/<id>."""

    def __init__(self, token: str = BOT_TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._rate_limited = 0
        self._dropped = 0
        self.ws_url: str | None = None  # Socket Mode: set to a SocketModeServer's url
        self.delays: dict[str, float] = {}  # method -> seconds before answering
        self.holds: dict[str, threading.Event] = {}  # method -> answer once it is set
        self.channel_errors: dict[str, str] = {}  # channel -> error for posts there
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # ---- lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- test controls -------------------------------------------------------------

    def rate_limit_next(self, n: int) -> None:
        """Answer the next `n` Web API calls with 429 and Retry-After: 1."""
        with self._lock:
            self._rate_limited = n

    def drop_next(self, n: int) -> None:
        """Close the connection without answering the next `n` Web API calls."""
        with self._lock:
            self._dropped = n

    def add_file(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return f"{self.url}/files/{name}"

    def response_url(self, key: str) -> str:
        return f"{self.url}/respond/{key}"

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def find(self, method: str, pred: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200 and pred(c)]

    def wait_for(
        self,
        method: str,
        pred: Callable[[Call], bool] = lambda c: True,
        *,
        count: int = 1,
        timeout: float = 15.0,
    ) -> list[Call]:
        """Poll the recorded calls until `count` matching ones arrived (no fixed sleeps)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(method, pred)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"timed out waiting for {count} x {method}; calls: {seen}")
            time.sleep(0.02)

    def settle(self, quiet: float = 0.5, timeout: float = 10.0) -> None:
        """Wait until no call arrived for `quiet` seconds (to show something did NOT come)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            time.sleep(0.05)

    # ---- HTTP ----------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _take_drop(self) -> bool:
        with self._lock:
            if self._dropped > 0:
                self._dropped -= 1
                return True
            return False

    def _take_rate_limit(self) -> bool:
        with self._lock:
            if self._rate_limited > 0:
                self._rate_limited -= 1
                return True
            return False

    def _api(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Example",
                "user": "certdesk",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        channel = str(params.get("channel", ""))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        if method == "chat.postMessage":
            message = {"text": params.get("text"), "ts": ts, "bot_id": BOT_ID}
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": params.get("ts"), "text": ""}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.getPermalink":
            mts = str(params.get("message_ts", "")).replace(".", "")
            link = f"https://example.slack.com/archives/{channel}/p{mts}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method in ("views.open", "views.publish"):
            return {"ok": True, "view": {"id": f"V{ts}"}}
        if method == "apps.connections.open":
            if self.ws_url is None:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.ws_url}
        if method == "files.info":
            name = str(params.get("file"))
            if name not in self.files:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": self.file_object(name)}
        return {"ok": False, "error": "unknown_method"}

    def file_object(self, name: str, **overrides: Any) -> dict[str, Any]:
        """A Slack file object for `name`, as it appears in a file_share event."""
        obj: dict[str, Any] = {
            "id": name,
            "name": name,
            "size": len(self.files.get(name, b"")),
            "mimetype": "application/octet-stream",
            "url_private": f"{self.url}/files/{name}",
            "url_private_download": f"{self.url}/files/{name}",
        }
        obj.update(overrides)
        return obj

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _params(self) -> dict[str, Any]:
                parts = urlsplit(self.path)
                params: dict[str, Any] = dict(parse_qsl(parts.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type") or ""
                if raw and "json" in ctype:
                    params.update(json.loads(raw))
                elif raw:
                    params.update(parse_qsl(raw.decode()))
                return params

            def _dispatch(self) -> None:
                path = urlsplit(self.path).path
                params = self._params()
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/files/"):
                    name = path.removeprefix("/files/")
                    ok = headers.get("authorization") == f"Bearer {standin.token}"
                    status = 200 if ok and name in standin.files else (403 if not ok else 404)
                    standin._record(Call(f"download:{name}", {}, headers, status=status))
                    body = standin.files.get(name, b"") if status == 200 else b"denied"
                    self._send(status, body, {"Content-Type": "application/octet-stream"})
                    return
                if path.startswith("/respond/"):
                    standin._record(Call("response_url", params, headers, path=path))
                    self._send(200, b"ok", {"Content-Type": "text/plain"})
                    return
                method = path.removeprefix("/api/")
                if standin._take_drop():  # a connection reset, as a flaky network gives
                    standin._record(Call(method, params, headers, status=0))
                    self.close_connection = True
                    return
                if standin._take_rate_limit():
                    standin._record(Call(method, params, headers, status=429))
                    body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self._send(429, body, {"Retry-After": "1", "Content-Type": "application/json"})
                    return
                time.sleep(standin.delays.get(method, 0.0))
                hold = standin.holds.get(method)
                if hold is not None:
                    hold.wait(HOLD_LIMIT_S)
                answer = standin._api(method, params)
                standin._record(Call(method, params, headers, response=answer))
                body = json.dumps(answer).encode()
                self._send(200, body, {"Content-Type": "application/json; charset=utf-8"})

            do_GET = _dispatch
            do_POST = _dispatch

        return Handler


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
        PYTHONUNBUFFERED="1",
        CERTDESK_OFFLINE="1",  # live checks only where a test allows its loopback servers
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
