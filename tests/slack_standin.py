"""A local stand-in for Slack's Web API, reached over real HTTP, plus helpers to sign
requests and to run `certdesk serve --http` as a subprocess against it.

Like bolt-python's tests/mock_web_api_server: every call is recorded (method,
params, headers), and the next N calls can be answered with 429 + Retry-After.

It is strict: every message, view and response_url post is checked against Slack's
limits (tests/slack_limits.py). A broken one is refused with Slack's error
(`invalid_blocks`, `msg_blocks_too_long`, `too_many_blocks`, `msg_too_long`, ...) and
recorded in `violations`, which the test modules require to stay empty. On request a
test makes it answer an error Slack gives (`fail_next`: `invalid_blocks`,
`not_in_channel`, `ratelimited`, ...), redirect a file download, or answer a download
with an HTML page (Slack's sign-in page when the app lacks `files:read`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Plain imports: pytest puts tests/ on sys.path, and bench/ scripts insert it themselves.
from slack_limits import check_call
from slack_serve import (
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    REPO,
    SIGNING_SECRET,
    TEAM_ID,
    Served,
    event_envelope,
    form,
    free_port,
    serve,
    sign,
    stop_process_group,
)

__all__ = [
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "REPO",
    "SIGNING_SECRET",
    "TEAM_ID",
    "Call",
    "Failure",
    "Served",
    "StandIn",
    "event_envelope",
    "form",
    "free_port",
    "serve",
    "sign",
    "stop_process_group",
    "strict_standin",
]


@dataclass
class Call:
    method: str  # Web API method, "download:<name>" or "response_url"
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)  # what the stand-in answered
    path: str = ""

    @property
    def ok(self) -> bool:
        """Accepted: a 200 whose answer is not an error."""
        return self.status == 200 and self.response.get("ok", True) is not False


@dataclass
class Failure:
    """An error the stand-in answers on request (see StandIn.fail_next)."""

    error: str
    method: str | None
    channel: str | None
    left: int


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
        self.violations: list[str] = []  # every broken limit seen, "method: description"
        self.failures: list[Failure] = []
        self.redirects: dict[str, str] = {}  # file name -> Location of a 302
        self.file_types: dict[str, str] = {}  # file name -> Content-Type to answer with
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

    def fail_next(
        self,
        error: str,
        *,
        method: str | None = None,
        channel: str | None = None,
        n: int = 1,
    ) -> None:
        """Answer the next `n` calls of `method` (any, if None) to `channel` (any, if
        None) with Slack's `error`; "ratelimited" comes as a 429 with Retry-After: 1."""
        with self._lock:
            self.failures.append(Failure(error, method, channel, n))

    def _take_failure(self, method: str, params: dict[str, Any]) -> str | None:
        with self._lock:
            for f in self.failures:
                if f.left <= 0 or (f.method is not None and f.method != method):
                    continue
                if f.channel is not None and str(params.get("channel")) != f.channel:
                    continue
                f.left -= 1
                return f.error
        return None

    def _strict(self, method: str, params: dict[str, Any]) -> str | None:
        """Slack's error for a payload that breaks a limit (and record every breach)."""
        found = check_call(method, params)
        if not found:
            return None
        with self._lock:
            self.violations.extend(f"{method}: {desc}" for _, desc in found)
        errors = [err for err, _ in found if err]
        return errors[0] if errors else None

    def accepted(self, method: str, pred: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        """The calls of `method` the stand-in accepted."""
        return [c for c in self.find(method, pred) if c.ok]

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
        if method in ("views.open", "views.publish", "views.update", "views.push"):
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
                    if name in standin.redirects:
                        standin._record(Call(f"download:{name}", {}, headers, status=302))
                        self._send(302, b"", {"Location": standin.redirects[name]})
                        return
                    ok = headers.get("authorization") == f"Bearer {standin.token}"
                    status = 200 if ok and name in standin.files else (403 if not ok else 404)
                    standin._record(Call(f"download:{name}", {}, headers, status=status))
                    body = standin.files.get(name, b"") if status == 200 else b"denied"
                    ctype = standin.file_types.get(name, "application/octet-stream")
                    self._send(status, body, {"Content-Type": ctype})
                    return
                if path.startswith("/respond/"):
                    error = standin._take_failure("response_url", params) or standin._strict(
                        "response_url", params
                    )
                    answer = {"ok": False, "error": error} if error else {"ok": True}
                    standin._record(
                        Call("response_url", params, headers, path=path, response=answer)
                    )
                    if error:  # Slack answers a refused response_url post with a 4xx
                        self._send(400, error.encode(), {"Content-Type": "text/plain"})
                    else:
                        self._send(200, b"ok", {"Content-Type": "text/plain"})
                    return
                method = path.removeprefix("/api/")
                if standin._take_drop():  # a connection reset, as a flaky network gives
                    standin._record(Call(method, params, headers, status=0))
                    self.close_connection = True
                    return
                failure = standin._take_failure(method, params)
                if standin._take_rate_limit() or failure == "ratelimited":
                    standin._record(Call(method, params, headers, status=429))
                    body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self._send(429, body, {"Retry-After": "1", "Content-Type": "application/json"})
                    return
                time.sleep(standin.delays.get(method, 0.0))
                hold = standin.holds.get(method)
                if hold is not None:
                    hold.wait(HOLD_LIMIT_S)
                error = failure or standin._strict(method, params)
                answer = {"ok": False, "error": error} if error else standin._api(method, params)
                standin._record(Call(method, params, headers, response=answer))
                body = json.dumps(answer).encode()
                self._send(200, body, {"Content-Type": "application/json; charset=utf-8"})

            do_GET = _dispatch
            do_POST = _dispatch

        return Handler


def timestamps(base: int, fraction: str) -> Callable[[], str]:
    """A module's own source of fresh Slack message timestamps ("1810000001.000300",
    ...): each test module takes its own base, so their events never share a ts."""
    counter = itertools.count(1)

    def next_ts() -> str:
        return f"{base + next(counter)}.{fraction}"

    return next_ts


def strict_standin() -> Iterator[StandIn]:
    """For a fixture to `yield from`: a running stand-in that, on teardown, requires that no
    call the app made broke one of Slack's limits."""
    with StandIn() as st:
        yield st
        assert st.violations == []
