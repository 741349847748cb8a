"""Database backends for the Store's tests: SQLite always, PostgreSQL when
CERTDESK_TEST_POSTGRES_URL is set (each test in a fresh schema). In CI (CI=true) a
missing PostgreSQL URL fails the PostgreSQL leg instead of skipping it.

Import the fixtures into a test module with
    from store_backends import store_fixture, store_url_fixture  # noqa: F401
and ask for `store` (migrated, disposed afterwards) or `store_url` (empty database).

Run as a script, this module is also the worker the multi-process tests start:
    python tests/store_backends.py claim URL START_FILE N_EVENTS
    python tests/store_backends.py chat URL START_FILE WORKER N_QUESTIONS
    python tests/store_backends.py upgrade URL START_FILE
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

PG_ENV = "CERTDESK_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))
REPO = Path(__file__).resolve().parent.parent


def postgres_url_or_skip() -> str:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"CI=true but {PG_ENV} is not set: the PostgreSQL leg must run in CI. "
            'Start a server with `eval "$(.ci/postgres.sh)"`.'
        )
    pytest.skip(f"{PG_ENV} is not set")


def _schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS, name="store_url")
def store_url_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on the backend named by the parameter."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'certdesk.db'}"
        return
    from sqlalchemy import create_engine, text

    base = postgres_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield _schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(name="store")
def store_fixture(store_url: str) -> Iterator[object]:
    """A migrated Store on the backend under test."""
    from bot.store import Store

    store = Store(store_url)
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()


def worker_command(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _wait_for(start_file: str) -> None:
    # every worker has imported everything and connected before any of them writes
    deadline = time.monotonic() + 60
    while not os.path.exists(start_file):
        if time.monotonic() > deadline:
            raise SystemExit("start file never appeared")
        time.sleep(0.005)


def _claim(url: str, start_file: str, n: int) -> None:
    from bot.store import Store

    store = Store(url)
    store.ping()
    _wait_for(start_file)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    won = [f"Ev{i}" for i in range(n) if store.claim_event(f"Ev{i}", now=now)]
    store.dispose()
    print(" ".join(won))


def _chat(url: str, start_file: str, worker: str, n: int) -> None:
    from bot.store import Store

    store = Store(url)
    store.ping()
    _wait_for(start_file)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    conv = store.conversation(
        transport="terminal", channel="terminal", thread=f"session-{worker}", user=worker, now=t0
    )
    for i in range(n):
        now = t0 + timedelta(seconds=i)
        mid = store.log_in(conv, user=worker, text=f"質問 {worker}-{i}", now=now, lang="ja")
        store.record_match(mid, entry_id="faq-1", score=0.9, decision="answer", lang="ja")
        store.log_out(conv, text=f"回答 {worker}-{i}", now=now, reply_to=mid)
    store.dispose()
    print(n)


def _upgrade(url: str, start_file: str) -> None:
    from bot.store import Store

    store = Store(url)
    _wait_for(start_file)
    store.upgrade()
    store.dispose()
    print("ok")


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "claim":
        _claim(rest[0], rest[1], int(rest[2]))
    elif cmd == "chat":
        _chat(rest[0], rest[1], rest[2], int(rest[3]))
    elif cmd == "upgrade":
        _upgrade(rest[0], rest[1])
    else:
        raise SystemExit(f"unknown worker command {cmd}")
