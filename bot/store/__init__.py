"""The Store: everything certdesk keeps in its database, behind one class.

This room is the only code that imports SQLAlchemy or opens a session. `repository`
holds the `Store` (the sessionmaker's owner, returning plain records and raising only
`StoreError`), `engine` makes engines and redacts text before it is written, `models`
is the schema that Alembic migrates, `queries` builds the reports' SELECTs, and
`records` are the frozen dataclasses the rest of certdesk receives. It may import
`knowledge` and `analyzers` (for redaction), never the core, an adapter or the CLI.
"""

from bot.store.engine import sqlite_file
from bot.store.errors import (
    DatabaseFileReplaced,
    EscalationStateError,
    NotFoundError,
    StoreError,
)
from bot.store.records import EscalationRecord, LearnedEntry, MessageRecord, UnansweredRow
from bot.store.repository import Store
from bot.store.timeouts import DbTimeouts

__all__ = [
    "DatabaseFileReplaced",
    "DbTimeouts",
    "EscalationRecord",
    "EscalationStateError",
    "LearnedEntry",
    "MessageRecord",
    "NotFoundError",
    "Store",
    "StoreError",
    "UnansweredRow",
    "sqlite_file",
]
