"""Alembic is the only way the schema changes: the migrations build exactly the models,
run from any directory, and survive several processes upgrading at once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, create_engine, inspect
from store_backends import store_url_fixture, worker_command, worker_env  # noqa: F401

from bot.store import Store, StoreError
from bot.store.engine import alembic_config
from bot.store.models import Base

TABLES = {
    "conversations", "messages", "matches", "choices", "analyses", "findings", "feedback",
    "escalations", "learned_entries", "slack_events", "alembic_version",
}


def check(store: Store) -> None:
    """`alembic check`: autogenerate finds nothing to do when models and DB agree."""
    cfg = alembic_config()
    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.check(cfg)


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_one_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(rev.module.__doc__ for rev in revisions)  # every step says what it does


def test_models_and_migrations_do_not_drift(store_url: str) -> None:
    store = Store(store_url)
    try:
        store.upgrade()
        assert table_names(store_url) == TABLES
        check(store)
        store.upgrade()  # a second upgrade is a no-op
        check(store)
    finally:
        store.dispose()


def test_check_notices_a_model_the_migrations_lack(store_url: str) -> None:
    store = Store(store_url)
    try:
        store.upgrade()
        changed = MetaData(naming_convention=Base.metadata.naming_convention)
        for table in Base.metadata.tables.values():
            table.to_metadata(changed)
        changed.tables["learned_entries"].append_column(Column("surprise", Integer))
        with store.migration_connection() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), changed)
        assert [d[0] for d in diffs] == ["add_column"]
        assert diffs[0][3].name == "surprise"
    finally:
        store.dispose()


def test_downgrade_to_base_and_back(store_url: str) -> None:
    store = Store(store_url)
    try:
        store.upgrade()
        cfg = alembic_config()
        with store.migration_connection() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert table_names(store_url) <= {"alembic_version"}
        store.upgrade()
        check(store)
    finally:
        store.dispose()


@pytest.mark.slow
def test_concurrent_upgrades_from_another_directory(store_url: str, tmp_path: Path) -> None:
    start = tmp_path / "go"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    procs = [
        subprocess.Popen(
            worker_command("upgrade", store_url, str(start)), cwd=elsewhere, env=worker_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]
    start.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "ok"
    store = Store(store_url)
    try:
        check(store)
    finally:
        store.dispose()


def test_upgrade_of_an_unusable_url_is_a_store_error(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    with pytest.raises(StoreError):
        store.upgrade()
    store.dispose()


def test_batch_table_rebuild_keeps_the_rows_that_point_at_it(store_url: str) -> None:
    """SQLite batch mode copies, drops and renames a table; with foreign keys on, the
    drop would cascade-delete every match, choice and escalation of every message."""
    from datetime import UTC, datetime

    from alembic.operations import Operations

    store = Store(store_url)
    try:
        store.upgrade()
        now = datetime(2026, 1, 1, tzinfo=UTC)
        conv = store.conversation(transport="t", channel="c", thread="t", user="u", now=now)
        mid = store.log_in(conv, user="u", text="q", now=now)
        store.record_match(mid, entry_id="e", score=0.5, decision="answer", lang="ja")
        store.open_escalation(mid, reason="not_helpful", now=now)
        recreate = "always" if store.dialect == "sqlite" else "auto"
        with store.migration_connection() as conn:
            ops = Operations(MigrationContext.configure(conn))
            with ops.batch_alter_table("messages", recreate=recreate) as batch:
                batch.add_column(Column("extra", Integer, nullable=True))
        rec = store.message(mid)
        assert rec is not None and rec.match_decision == "answer"
        assert len(store.escalations()) == 1
        with pytest.raises(StoreError):  # foreign keys are enforced again afterwards
            store.record_match(10_000, entry_id=None, score=0.0, decision="none", lang="ja")
    finally:
        store.dispose()
