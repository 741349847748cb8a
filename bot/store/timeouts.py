"""Bounded waits on the database, and honest error causes.

PostgreSQL gets a connect timeout, server-side statement, lock and idle-in-transaction
timeouts, a pool checkout timeout, and a client-side limit on every wait for the server:
a frozen server (SIGSTOP, a hung host) cannot enforce its own statement_timeout, and the
kernel keeps acknowledging our packets, so only the client can stop waiting. SQLite gets
its busy timeout. A caller can shorten all of these for one operation with `deadline()`
(the Slack event dedupe does: it fails open rather than hold a listener thread).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

ENV = {
    "connect": "CERTDESK_DB_CONNECT_TIMEOUT",
    "statement": "CERTDESK_DB_STATEMENT_TIMEOUT",
    "lock": "CERTDESK_DB_LOCK_TIMEOUT",
    "pool": "CERTDESK_DB_POOL_TIMEOUT",
    "busy": "CERTDESK_DB_BUSY_TIMEOUT",
    "dedupe": "CERTDESK_DB_DEDUPE_TIMEOUT",
    "retry": "CERTDESK_DB_RETRY_AFTER",
}
# What the client waits beyond statement_timeout before it gives up on the server.
CLIENT_GRACE_S = 2.0
# Migrations may legitimately take long (a big table rebuilt, another worker upgrading).
MIGRATION_DEADLINE_S = 600.0


@dataclass(frozen=True)
class DbTimeouts:
    """Seconds. Each is read from its CERTDESK_DB_* variable (see ENV)."""

    connect: float = 5.0  # PostgreSQL connect_timeout (libpq counts whole seconds, >= 2)
    statement: float = 10.0  # PostgreSQL statement_timeout (the server enforces it)
    lock: float = 5.0  # PostgreSQL lock_timeout
    pool: float = 5.0  # waiting for a free pooled connection
    busy: float = 30.0  # SQLite busy timeout: how long a writer waits for the lock
    dedupe: float = 2.0  # the Slack event dedupe: past this it fails open
    retry: float = 5.0  # after the server stopped answering, fail fast for this long

    @property
    def client(self) -> float:
        """The longest the client waits for any answer from PostgreSQL."""
        return self.statement + CLIENT_GRACE_S

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DbTimeouts:
        e = os.environ if env is None else env
        values: dict[str, float] = {}
        for field, var in ENV.items():
            raw = (e.get(var) or "").strip()
            if not raw:
                continue
            try:
                value = float(raw)
            except ValueError:
                continue
            if math.isfinite(value) and value > 0:
                values[field] = value
        return cls(**values)


# ---- per-operation deadlines ----------------------------------------------------------

_local = threading.local()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every database wait on this thread ends by `seconds` from now (shorter or longer
    than the defaults: the dedupe shortens, a migration lengthens)."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = previous


def remaining(default: float) -> float:
    """Seconds this thread may still wait: the deadline's rest, or `default`."""
    until = getattr(_local, "deadline", None)
    if until is None:
        return default
    return max(until - time.monotonic(), 0.001)


def postgres_connect_args(query: Mapping[str, Any], t: DbTimeouts) -> dict[str, Any]:
    """connect_args for psycopg: connect_timeout and the server-side timeouts, merged
    with `options` already in the URL (which win, being later on the command line)."""
    ms = {k: max(1, int(getattr(t, k) * 1000)) for k in ("statement", "lock")}
    ours = (
        f"-c statement_timeout={ms['statement']} -c lock_timeout={ms['lock']} "
        f"-c idle_in_transaction_session_timeout={max(60_000, 6 * ms['statement'])}"
    )
    existing = query.get("options") or ""
    if isinstance(existing, tuple):
        existing = " ".join(existing)
    return {
        "connect_timeout": max(2, math.ceil(t.connect)),
        "options": f"{ours} {existing}".strip(),
    }


def psycopg_connection_class(t: DbTimeouts) -> Any:
    """A psycopg Connection whose every wait for the server has a limit: the thread's
    deadline, else `t.client`. Past it the connection is closed (so the pool drops it)
    and OperationalError says why."""
    import psycopg

    wait_timeout = getattr(psycopg.errors, "_WaitTimeout", psycopg.OperationalError)

    class DeadlineConnection(psycopg.Connection):
        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            limit = remaining(t.client)
            if timeout is not None:
                limit = min(limit, timeout)
            try:
                return super().wait(gen, interval=interval, timeout=limit)
            except wait_timeout as exc:
                if getattr(exc, "sqlstate", None) is not None:
                    raise  # a real server error, not our limit
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the database server did not answer within {limit:.1f} s "
                    "(client-side timeout; the server may be frozen or unreachable)"
                ) from exc

    return DeadlineConnection


def connect_timeout_now(t: DbTimeouts) -> int:
    """connect_timeout for a connection opened now: bounded by the thread's deadline."""
    return max(2, math.ceil(min(t.connect, remaining(t.connect))))


# ---- honest causes --------------------------------------------------------------------

_STATEMENT = re.compile(
    r"^\s*(?P<kind>INSERT\s+INTO|UPDATE|DELETE\s+FROM|SELECT|BEGIN(?:\s+IMMEDIATE)?|COMMIT"
    r"|ROLLBACK|PRAGMA|CREATE|ALTER|DROP)\b(?:[^;]{0,400}?\bFROM\b)?\s*\"?(?P<table>\w{1,64})?",
    re.IGNORECASE,
)


def statement_kind(statement: str | None) -> str | None:
    """ "INSERT INTO messages", "BEGIN IMMEDIATE": what was running, never its values."""
    if not statement:
        return None
    m = _STATEMENT.match(statement[:600])
    if m is None:
        return statement.split(None, 1)[0].upper()[:20] if statement.split() else None
    kind = " ".join(m.group("kind").upper().split())
    table = m.group("table")
    if kind.startswith(("INSERT", "UPDATE", "DELETE", "SELECT")) and table:
        return f"{kind} {table}"
    return kind


def describe(exc: BaseException) -> str:
    """The root cause of a database error in one line: the driver's own message
    ("database is locked"), its type and the kind of statement, not SQLAlchemy's
    wrapper text ("(raised as a result of Query-invoked autoflush ...)")."""
    orig = getattr(exc, "orig", None)
    root: BaseException = orig if isinstance(orig, BaseException) else exc
    while root.__cause__ is not None and not str(root).strip():
        root = root.__cause__
    message = " ".join(str(root).split()) or type(root).__name__
    if root is exc:
        # not a driver error: SQLAlchemy's own (pool timeout, ...); drop its help link
        message = message.split(" (Background on this error", 1)[0]
    where = statement_kind(getattr(exc, "statement", None))
    origin = f"{type(root).__module__}.{type(root).__name__}"
    return f"{message} ({origin}{f' during {where}' if where else ''})"
