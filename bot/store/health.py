"""The Store's view of its database's health: a SQLite file deleted or replaced under
the running process, and a PostgreSQL server that stopped answering (fail fast for a
while instead of making every caller wait out its own timeout)."""

from __future__ import annotations

import os
import threading
import time

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class FileWatch:
    """Which file a SQLite path named when the Store opened it, by (device, inode).
    Open connections keep the inode of a deleted file: comparing before each
    transaction finds out before a row goes there."""

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        self.lock = threading.Lock()
        self._known: tuple[int, int] | None = None

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino)

    def remember(self) -> None:
        """The file as it is now is ours (after a migration created or checked it)."""
        self._known = self._stat()

    def change(self) -> str | None:
        """"deleted" or "replaced" when the path no longer names our file, else None."""
        now = self._stat()
        if self._known is None:
            self._known = now  # first sight (a Store that has not migrated)
            return None
        if now == self._known:
            return None
        return "deleted" if now is None else "replaced"


class Outage:
    """After the server stopped answering, fail at once for `seconds`; then try again."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._until = 0.0
        self.cause = ""

    def active(self) -> bool:
        return bool(self._until) and time.monotonic() < self._until

    def record(self, cause: str) -> None:
        self.cause = cause
        self._until = time.monotonic() + self.seconds


def is_outage(exc: SQLAlchemyError) -> bool:
    """The server is gone or not answering (not a refused statement): a lost or
    invalidated connection, a failed connect, our client-side timeout, an exhausted pool.
    Errors the server itself raised carry a SQLSTATE; these do not."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or getattr(exc.orig, "sqlstate", "") is None
    return False
