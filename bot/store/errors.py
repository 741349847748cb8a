"""The Store's exceptions: callers catch StoreError, whatever the database did."""

from __future__ import annotations


class StoreError(Exception):
    """Any database failure. The Desk catches this one type and keeps answering."""


class DatabaseFileReplaced(StoreError):
    """The SQLite file was deleted or replaced under the running Store (now recreated);
    the Store also keeps a notice for the next reply (Store.take_notice)."""


class NotFoundError(StoreError, LookupError):
    """No row with that id."""


class EscalationStateError(StoreError, ValueError):
    """The escalation is already resolved or closed."""
