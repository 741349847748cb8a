"""The migration lock: one connection, in one transaction, that Alembic runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.store.errors import StoreError
from bot.store.timeouts import MIGRATION_DEADLINE_S, deadline, describe

_MIGRATION_LOCK_KEY = 0x63657274  # "cert": pg_advisory_xact_lock key for upgrade()


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the migration lock: SQLite's write
    lock (BEGIN IMMEDIATE) or a PostgreSQL advisory lock. Concurrent upgrades queue
    here, and each one then sees the others' finished work."""
    dialect = engine.dialect.name
    try:
        with deadline(MIGRATION_DEADLINE_S), engine.connect() as conn:
            sqlite = dialect == "sqlite"
            if sqlite:
                # Batch mode rebuilds a table by copy, drop and rename; with foreign
                # keys on, the drop would cascade-delete the children's rows. The
                # pragma only works outside a transaction, hence the raw connection.
                conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys = OFF"
                )
            try:
                with conn.begin():
                    if dialect == "postgresql":
                        # a migration may wait for another worker's and rebuild tables
                        conn.execute(text("SET LOCAL statement_timeout = 0"))
                        conn.execute(text("SET LOCAL lock_timeout = 0"))
                        conn.execute(
                            text("SELECT pg_advisory_xact_lock(:k)"),
                            {"k": _MIGRATION_LOCK_KEY},
                        )
                    yield conn
                    if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise StoreError("a migration left rows with broken foreign keys")
            finally:
                if sqlite:
                    conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                        "PRAGMA foreign_keys = ON"
                    )
    except SQLAlchemyError as exc:
        raise StoreError(describe(exc)) from exc
