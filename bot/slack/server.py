"""Running the Bolt app: gunicorn over WSGI (POST /slack/events, GET /healthz) or Socket Mode.

Each gunicorn worker builds its own Desk, Store engine and Bolt App after the fork:
connection pools and thread pools do not survive fork(). Dedupe across workers is
the Store's job (claim_event), so any number of workers can share one database.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Settings

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.desk import Desk

log = logging.getLogger("bot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's own events, interactions and commands are far below 1 MiB; a request body over
# the limit is refused (413) before it is read, signed or not.
MAX_BODY_ENV = "CERTDESK_MAX_BODY_BYTES"
DEFAULT_MAX_BODY_BYTES = 1 << 20
_READ_CHUNK = 64 * 1024


def max_body_bytes(env: dict[str, str] | None = None) -> int:
    """CERTDESK_MAX_BODY_BYTES, or 1 MiB when unset or not a positive integer."""
    raw = (os.environ if env is None else env).get(MAX_BODY_ENV, "").strip()
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_MAX_BODY_BYTES
    return value if value > 0 else DEFAULT_MAX_BODY_BYTES


def _read_at_most(stream: Any, n: int) -> bytes:
    """Up to `n` bytes from a WSGI input stream, in chunks, never more."""
    parts: list[bytes] = []
    got = 0
    while got < n:
        chunk = stream.read(min(_READ_CHUNK, n - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def bounded_body(environ: WSGIEnvironment, limit: int) -> tuple[str, str] | None:
    """None when the body is within `limit` (a chunked one is then read, at most limit+1
    bytes, and handed on with its Content-Length); otherwise (HTTP status, reason)."""
    length = (environ.get("CONTENT_LENGTH") or "").strip()
    if length:
        try:
            n = int(length)
        except ValueError:
            return "400 Bad Request", "bad Content-Length"
        if n < 0:
            return "400 Bad Request", "bad Content-Length"
        if n > limit:
            return "413 Content Too Large", f"Content-Length {n}"
        return None
    if "chunked" not in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
        return None  # no body at all
    stream = environ.get("wsgi.input")
    data = _read_at_most(stream, limit + 1) if stream is not None else b""
    if len(data) > limit:
        return "413 Content Too Large", f"chunked body over {limit} bytes"
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    return None


def load_desk(settings: Settings) -> Desk:
    from bot.desk import Desk

    probe = None
    if not settings.offline:
        from bot.probe import NetworkProbe

        probe = NetworkProbe.from_settings(settings)
    desk = Desk.from_settings(settings, probe=probe)
    for warning in desk.base_kb.warnings:  # ignored FAQ fields and the like
        log.warning("FAQ file: %s", warning)
    return desk


class WsgiApp:
    """/healthz here; everything else goes to Bolt's WSGI adapter. The Desk and the Bolt
    App are built on first use so that a worker that cannot reach its database yet
    still answers /healthz (503) instead of crashing in a restart loop."""

    def __init__(
        self,
        settings: Settings,
        desk_factory: Callable[[Settings], Desk] = load_desk,
        *,
        max_body: int | None = None,
    ):
        self.settings = settings
        self.max_body = max_body_bytes() if max_body is None else max_body
        self._desk_factory = desk_factory
        self._lock = threading.Lock()
        self._desk: Desk | None = None
        self._bolt: SlackRequestHandler | None = None

    def _ensure(self) -> SlackRequestHandler:
        if self._bolt is None:
            with self._lock:
                if self._bolt is None:
                    from bot.slack.app import build_app

                    desk = self._desk_factory(self.settings)
                    self._bolt = SlackRequestHandler(build_app(self.settings, desk), EVENTS_PATH)
                    self._desk = desk
        return self._bolt

    def healthy(self) -> bool:
        try:
            self._ensure()
        except Exception:
            log.exception("startup failed; /healthz answers 503")
            return False
        store = self._desk.store if self._desk is not None else None
        try:
            return store is not None and bool(store.ping())
        except Exception:
            log.exception("store.ping failed")
            return False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = self.healthy()
            body = json.dumps({"ok": ok}).encode()
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        refused = bounded_body(environ, self.max_body)
        if refused is not None:  # before Bolt reads a byte of it, before the signature check
            status, why = refused
            log.warning("refused request to %s: %s (limit %s bytes)", path, why, self.max_body)
            body = json.dumps({"ok": False, "error": status.split(" ", 1)[1]}).encode()
            start_response(
                status,
                # no Connection header (hop-by-hop, WSGI forbids it): gunicorn drains at
                # most 64 KiB of an unread body, then closes the connection itself
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        try:
            handler = self._ensure()
        except Exception:
            log.exception("startup failed")
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"starting"]

        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            if status.startswith("401"):  # never the body: it may hold a pasted key
                log.warning(
                    "refused unsigned or stale request to %s (timestamp %s, retry %s)",
                    path,
                    environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                    environ.get("HTTP_X_SLACK_RETRY_NUM"),
                )
            return start_response(status, headers, *exc)

        return handler(environ, start)


def run_http(settings: Settings, *, host: str, port: int, workers: int, threads: int = 8) -> None:
    """gunicorn as an embedded application: real worker processes, gthread workers so a
    slow request never blocks the ack of another."""
    from gunicorn.app.base import BaseApplication

    if not settings.slack_signing_secret:
        raise SystemExit("SLACK_SIGNING_SECRET is required for HTTP mode")

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            cfg: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 60,
                # request line and headers are bounded by gunicorn; the body by WsgiApp
                "limit_request_line": 8190,
                "limit_request_fields": 100,
                "limit_request_field_size": 8190,
                "graceful_timeout": 10,
                "accesslog": None,
                "loglevel": "info",
                "preload_app": False,
                # gunicorn >= 23 opens a control socket in $HOME: one per host, so two
                # servers (tests, blue/green) would fight over it; we do not use it
                "control_socket_disable": True,
            }
            for key, val in cfg.items():
                if key in self.cfg.settings:  # older gunicorn lacks newer settings
                    self.cfg.set(key, val)

        def load(self) -> WsgiApp:
            # Listener threads match and analyse (CPU, holding the GIL) while the request
            # thread only has to ack: a 1 ms GIL switch interval (default 5 ms) lets the ack
            # through sooner when a burst of events is being worked on
            sys.setswitchinterval(0.001)
            app = WsgiApp(settings)
            app.healthy()  # warm up in the worker: KB, Store and auth.test before traffic
            return app

    _Gunicorn().run()


def run_socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import build_app

    app = build_app(settings, load_desk(settings))
    SocketModeHandler(app, settings.slack_app_token).start()
