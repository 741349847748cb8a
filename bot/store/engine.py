"""Engine set-up for the Store: SQLite pragmas and locking, the UTC column type, the
programmatic Alembic config, and redaction of text before it is stored."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.types import DateTime, TypeDecorator

from analyzers.redact import redact as _redact_keys
from bot.store.timeouts import (
    DbTimeouts,
    connect_timeout_now,
    postgres_connect_args,
    psycopg_connection_class,
    remaining,
)
from knowledge.normalize import replace_surrogates

SQLITE_BUSY_TIMEOUT_S = DbTimeouts.busy  # the default; CERTDESK_DB_BUSY_TIMEOUT sets it
READ_ONLY = "certdesk_read_only"  # execution option: a read transaction on SQLite
log = logging.getLogger(__name__)


def to_utc(value: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken to be UTC already (the Desk passes UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC everywhere and always hands back aware UTC datetimes.

    SQLite keeps no zone, so the zone is stripped on the way in and re-attached on
    the way out; PostgreSQL uses timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = to_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else to_utc(value)


def sqlite_file(url: str) -> str | None:
    """The file a SQLite URL names; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    path = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or path in ("", ":memory:"):
        return None
    return path


def make_engine(url: str, timeouts: DbTimeouts | None = None) -> Engine:
    t = timeouts or DbTimeouts.from_env()
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend != "sqlite":
        if backend != "postgresql" or parsed.get_driver_name() != "psycopg":
            # pre_ping: a restarted server does not break the next request
            return create_engine(url, pool_pre_ping=True, pool_timeout=t.pool)
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_timeout=t.pool,
            connect_args=postgres_connect_args(parsed.query, t),
        )
        connection_class = psycopg_connection_class(t)

        @event.listens_for(engine, "do_connect")
        def _pg_connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
            # connect within the thread's deadline; every later wait is bounded too
            cparams["connect_timeout"] = connect_timeout_now(t)
            return connection_class.connect(*cargs, **cparams)

        return engine
    busy_ms = max(1, int(t.busy * 1000))
    engine = create_engine(url, connect_args={"timeout": t.busy})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        # pysqlite's own BEGIN handling is off; we emit BEGIN ourselves (below)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        record.info["busy_ms"] = busy_ms
        if parsed.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # The thread's deadline (the dedupe's short one) bounds the wait for the lock.
        want = min(max(1, int(remaining(t.busy) * 1000)), busy_ms)
        info = conn.connection.info
        if info.get("busy_ms") != want:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {want}")
            info["busy_ms"] = want
        # Writers take the write lock up front (BEGIN IMMEDIATE), so the busy timeout
        # applies; a deferred read that later writes would fail with SQLITE_BUSY at once.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config() -> Any:
    """An Alembic Config that finds migrations/ next to the installed package."""
    from alembic.config import Config

    import migrations

    # __path__, not __file__: an editable install may expose it as a namespace package
    here = Path(next(iter(migrations.__path__))).resolve()
    # Alembic's default stdout is bound when alembic is first imported; pass the current
    # one, or a later caller writes to a stream that may be closed (pytest's capture).
    cfg = Config(stdout=sys.stdout)
    cfg.set_main_option("script_location", str(here))
    cfg.set_main_option("path_separator", "os")
    return cfg


def redact(text: str) -> str:
    """analyzers.redact(): every form of private key material becomes a marker before
    anything is written. If the detector itself fails, nothing of the text is kept:
    a key must never reach the database, whatever else happens."""
    try:
        text = _redact_keys(text)
    except Exception as exc:
        log.error("redaction failed (%s); the text is not stored", type(exc).__name__)
        return "[text removed: it could not be checked for private keys]"
    return replace_surrogates(text)
