"""Database timeouts and honesty, on real databases: a locked SQLite file is logged as
"database is locked" with its cause; the event dedupe gives up quickly and the bot
answers anyway; a SQLite file deleted under the running bot is noticed, said and
recreated; PostgreSQL gets its timeouts, and a frozen server (SIGSTOP, in a cluster of
the test's own) neither hangs the Store nor silences the Slack bot."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pg_throwaway import throwaway_postgres
from slack_standin import BOT_USER_ID, StandIn, event_envelope, serve
from sqlalchemy import text
from store_backends import store_fixture, store_url_fixture  # noqa: F401

from bot.config import Settings
from bot.desk import Desk
from bot.store import Store, StoreError
from bot.store.timeouts import DbTimeouts, describe, statement_kind
from bot.types import Incoming

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def incoming(text_: str, thread: str = "t1") -> Incoming:
    return Incoming(text=text_, now=NOW, user="U1", channel="C1", thread=thread,
                    transport="slack")


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "certdesk.db"


class Locked:
    """Holds SQLite's write lock from another connection until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")
        self._done = threading.Event()
        self._once = threading.Lock()
        self._released = False

    def release_after(self, seconds: float) -> None:
        threading.Thread(target=lambda: (self._done.wait(seconds), self.release()),
                         daemon=True).start()

    def release(self) -> None:
        with self._once:  # the timer thread and the test may both call it
            if self._released:
                return
            self._released = True
            self._done.set()
            self.conn.rollback()
            self.conn.close()


class Captured(logging.Handler):
    """The records one logger emits, caught on that logger itself (not via the root, so
    no other test's logging set-up can hide them)."""

    def __init__(self, name: str, level: int) -> None:
        super().__init__(level)
        self.logger = logging.getLogger(name)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> Captured:
        self._old = (self.logger.level, self.logger.disabled)
        self.logger.addHandler(self)
        self.logger.setLevel(min(self.level, self.logger.getEffectiveLevel()))
        self.logger.disabled = False
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self._old[0])
        self.logger.disabled = self._old[1]

    def has(self, text_: str) -> bool:
        return any(text_ in m for m in self.messages)


def migrated(path: Path, **timeouts: float) -> Store:
    store = Store(f"sqlite:///{path}", timeouts=DbTimeouts(**timeouts))
    store.upgrade()
    return store


def test_locked_database_is_logged_as_locked_with_its_cause(
    db_path: Path, kb: Any) -> None:
    store = migrated(db_path, busy=0.2)
    conv = store.conversation(transport="slack", channel="C", thread="t", user="U", now=NOW)
    lock = Locked(db_path)
    try:
        with pytest.raises(StoreError) as err:
            store.log_in(conv, user="U", text="質問", now=NOW)
        message = str(err.value)
        assert "database is locked" in message and "sqlite3.OperationalError" in message
        assert "autoflush" not in message
        with Captured("bot.desk", logging.ERROR) as logs:
            reply = Desk(kb, store).handle(incoming("IPアドレスを変更できますか?"))
        assert not reply.logged
        assert logs.has("logging failed: database is locked"), logs.messages
    finally:
        lock.release()
        store.dispose()


def test_event_dedupe_gives_up_quickly_and_the_bot_answers_anyway(
    db_path: Path, kb: Any) -> None:
    from slack_sdk import WebClient

    from bot.slack.conversation import Conversation
    from bot.slack.poster import Poster

    store = migrated(db_path, busy=30.0, dedupe=0.3)
    lock = Locked(db_path)
    # Waiting as long as the busy timeout would see the lock go at 20 s and succeed:
    # the dedupe must have given up long before.
    lock.release_after(20.0)
    try:
        with pytest.raises(StoreError, match="database is locked"):
            store.claim_event("Ev1", now=NOW)
        settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-x"})
        conv = Conversation(settings, Desk(kb, store), Poster(WebClient(token="xoxb-x")))
        with Captured("bot.slack", logging.WARNING) as logs:
            assert conv.claim("Ev2", NOW) is True  # fails open
        assert logs.has("event dedupe failed for Ev2, answering anyway: database is locked"), (
            logs.messages
        )
    finally:
        lock.release()
    assert store.claim_event("Ev3", now=NOW) is True  # and works again once unlocked
    assert store.claim_event("Ev3", now=NOW) is False
    store.dispose()


def test_deleted_database_file_is_noticed_said_and_recreated(
    db_path: Path, kb: Any) -> None:
    store = migrated(db_path)
    desk = Desk(kb, store)
    assert desk.handle(incoming("IPアドレスを変更できますか?")).logged
    os.remove(db_path)  # what an operator's `rm certdesk.db` does under the running bot
    with Captured("bot.store.repository", logging.ERROR) as logs:
        reply = desk.handle(incoming("IPアドレスを変更できますか?", thread="t2"))
    assert not reply.logged
    assert "db_file_replaced" in reply.notices
    assert "データベースファイルが実行中に削除された" in reply.text and "記録に失敗" in reply.text
    assert logs.has(f"database file {db_path} was deleted"), logs.messages
    assert db_path.exists()  # recreated, with the schema

    later = desk.handle(incoming("IPアドレスを変更できますか?", thread="t3"))
    assert later.logged and later.message_id is not None
    # the row is in the file on disk, not in a deleted inode
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT text FROM messages WHERE direction = 'in'").fetchall()
    assert rows == [("IPアドレスを変更できますか?",)]
    store.dispose()


def test_describe_gives_the_root_cause_and_the_statement_kind() -> None:
    assert statement_kind("INSERT INTO messages (text) VALUES (?)") == "INSERT INTO messages"
    assert statement_kind("SELECT a, b FROM conversations WHERE x = 1") == "SELECT conversations"
    assert statement_kind("BEGIN IMMEDIATE") == "BEGIN IMMEDIATE"
    assert describe(ValueError("boom")) == "boom (builtins.ValueError)"


# ---- PostgreSQL --------------------------------------------------------------------------


@pytest.mark.parametrize("store_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_postgres_sessions_have_statement_and_lock_timeouts(store: Store) -> None:
    with store._tx(read=True) as s:
        got = {k: s.execute(text(f"SHOW {k}")).scalar()
               for k in ("statement_timeout", "lock_timeout", "search_path")}
    assert got["statement_timeout"] == "10s" and got["lock_timeout"] == "5s"
    assert got["search_path"].startswith("t_")  # the URL's own options are kept


def in_thread(fn: Callable[[], Any], timeout: float = 120.0) -> tuple[bool, Any]:
    """(finished, result or exception) of fn() run in a thread, waiting up to `timeout`."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(fn())
        except Exception as exc:
            box.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    return (not worker.is_alive(), box[0] if box else None)


@pytest.fixture()
def pg() -> Iterator[Any]:
    with throwaway_postgres() as cluster:
        yield cluster


@pytest.mark.postgres
def test_frozen_postgres_does_not_hang_the_store(pg: Any) -> None:
    store = Store(pg.url)
    store.upgrade()
    assert store.claim_event("Ev1", now=NOW)
    pg.freeze()
    try:
        # a pooled connection (pre-ping) and a new connection: both must give up
        done, result = in_thread(lambda: store.claim_event("Ev2", now=NOW))
        assert done and isinstance(result, StoreError), result
        done, result = in_thread(lambda: store.conversation(
            transport="slack", channel="C", thread="t", user="U", now=NOW))
        assert done and isinstance(result, StoreError), result
        assert not in_thread(store.ping)[1]
    finally:
        pg.thaw()
    done, result = in_thread(lambda: _eventually(lambda: store.claim_event("Ev3", now=NOW)))
    assert done and result is True
    store.dispose()


def _eventually(fn: Callable[[], Any], tries: int = 60) -> Any:
    import time

    for _ in range(tries):
        try:
            return fn()
        except StoreError:
            time.sleep(0.5)
    return fn()


@pytest.mark.postgres
@pytest.mark.slow
def test_slack_bot_answers_while_postgres_is_frozen(pg: Any, tmp_path: Path) -> None:
    with StandIn() as standin, serve(standin, pg.url, tmp_path / "serve.log") as server:
        def ask(n: int) -> Any:
            ts = f"{1_830_000_000 + n}.000600"
            ev = {"type": "app_mention", "user": "U1", "ts": ts, "channel": "C600",
                  "text": f"<@{BOT_USER_ID}> IPアドレスを変更できますか?", "event_ts": ts}
            assert server.post(event_envelope(ev, f"EvFreeze{n}"))[0] == 200
            return standin.wait_for(
                "chat.postMessage", lambda c: c.params.get("thread_ts") == ts, timeout=60
            )[0]

        assert "記録に失敗" not in ask(1).params["text"]
        pg.freeze()
        try:
            frozen = ask(2)  # answered (the wait is generous; how fast is in the README)
            assert "記録に失敗" in frozen.params["text"], frozen.params["text"]
        finally:
            pg.thaw()
        log = server.log()
        assert "event dedupe failed" in log and "database not answering" in log


@pytest.mark.slow
def test_slack_bot_says_its_database_file_was_deleted_and_logs_again(tmp_path: Path) -> None:
    db = tmp_path / "certdesk.db"
    with StandIn() as standin, serve(standin, f"sqlite:///{db}", tmp_path / "serve.log") as server:
        def ask(n: int) -> Any:
            ts = f"{1_850_000_000 + n}.000800"
            ev = {"type": "app_mention", "user": "U1", "ts": ts, "channel": "C800",
                  "text": f"<@{BOT_USER_ID}> IPアドレスを変更できますか? ({n})", "event_ts": ts}
            assert server.post(event_envelope(ev, f"EvDel{n}"))[0] == 200
            return standin.wait_for(
                "chat.postMessage", lambda c: c.params.get("thread_ts") == ts, timeout=60
            )[0]

        assert "記録に失敗" not in ask(1).params["text"]
        os.remove(db)
        told = ask(2)  # the dedupe noticed first; the reply says it all the same
        assert "データベースファイルが実行中に削除された" in str(told.params["blocks"])
        third = ask(3)
        assert "記録に失敗" not in third.params["text"]
        assert "削除された" not in str(third.params["blocks"])  # said once
        assert f"database file {db} was deleted" in server.log()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT text FROM messages WHERE direction = 'in'").fetchall()
    assert rows == [("IPアドレスを変更できますか? (2)",), ("IPアドレスを変更できますか? (3)",)]
