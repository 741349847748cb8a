"""The Store's exceptions: callers catch StoreError, whatever the database did."""

from __future__ import annotations


class StoreError(Exception):
    """Any database failure. The Desk catches this one type and keeps answering.
    `notice`, when set, names a bot.messages text the reply should carry."""

    notice: str | None = None


class DatabaseFileReplaced(StoreError):
    """The SQLite file was deleted or replaced under the running Store (now recreated)."""

    notice = "db_file_replaced"


class NotFoundError(StoreError, LookupError):
    """No row with that id."""


class EscalationStateError(StoreError, ValueError):
    """The escalation is already resolved or closed."""
