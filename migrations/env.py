"""Alembic environment. Store.upgrade() hands over an open connection (already holding
the migration lock) in `config.attributes["connection"]`; the `alembic` command line
connects by itself using DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
        compare_server_default=True,
    )


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from bot.config import Settings, load_dotenv_once
    from bot.store import Store

    load_dotenv_once()
    store = Store(config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url)
    try:
        with store.migration_connection() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        store.dispose()


def run_offline() -> None:
    from bot.config import Settings, load_dotenv_once

    load_dotenv_once()
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
