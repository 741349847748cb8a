"""Migration 0002 (roles audit): learned entries get an author; the ones learned before
it take the resolver of their escalation."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from store_backends import store_url_fixture  # noqa: F401

from bot.store import Store
from bot.store.engine import alembic_config


def test_author_is_back_filled_from_the_resolver(store_url: str) -> None:
    store = Store(store_url)
    try:
        cfg = alembic_config()
        with store.migration_connection() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            now = "2026-01-01 00:00:00"
            conn.execute(text(
                "INSERT INTO conversations (id, transport, channel, thread, \"user\", created_at,"
                " last_at) VALUES (1, 'slack', 'C', 't', 'U', :now, :now)"), {"now": now})
            conn.execute(text(
                "INSERT INTO messages (id, conversation_id, direction, \"user\", text,"
                " created_at) VALUES (1, 1, 'in', 'U', 'q', :now)"), {"now": now})
            conn.execute(text(
                "INSERT INTO learned_entries (id, question, answer, lang, created_at,"
                " escalation_id) VALUES (1, 'q', 'a', 'ja', :now, 1), (2, 'q2', 'a2', 'ja',"
                " :now, NULL)"), {"now": now})
            conn.execute(text(
                "INSERT INTO escalations (id, message_id, status, reason, created_at, resolver,"
                " learned_entry_id) VALUES (1, 1, 'resolved', 'no_answer', :now, 'ULEAD', 1)"),
                {"now": now})
        store.upgrade()
        authors = {e.id: e.author for e in store.learned_entries()}
        assert authors == {"learned-1": "ULEAD", "learned-2": None}
    finally:
        store.dispose()
