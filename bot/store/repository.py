"""The Store: the only code that opens SQLAlchemy sessions. It returns plain frozen
records (bot/store/records.py), never ORM objects, and raises only StoreError."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.store import queries as q
from bot.store import schema
from bot.store.engine import (
    READ_ONLY,
    alembic_config,
    make_engine,
    redact,
    sqlite_file,
    to_utc,
)
from bot.store.errors import (
    DatabaseFileReplaced,
    EscalationStateError,
    NotFoundError,
    StoreError,
)
from bot.store.health import FileWatch, Outage, is_outage
from bot.store.models import (
    Analysis,
    Choice,
    Conversation,
    Escalation,
    Feedback,
    Finding,
    LearnedEntryRow,
    Match,
    Message,
    SlackEvent,
)
from bot.store.records import EscalationRecord, LearnedEntry, MessageRecord, UnansweredRow
from bot.store.timeouts import DbTimeouts, deadline, describe

DECISIONS = frozenset({"answer", "ambiguous", "none", "smalltalk", "human"})
REASONS = frozenset({"no_answer", "not_helpful", "asked_human"})
ACTIVE = ("open", "assigned")

log = logging.getLogger(__name__)


class Store:
    def __init__(self, url: str, *, timeouts: DbTimeouts | None = None) -> None:
        self.timeouts = timeouts or DbTimeouts.from_env()
        try:
            self._engine = make_engine(url, self.timeouts)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot use DATABASE_URL: {exc}") from exc
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._reads = sessionmaker(
            self._engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        self.dialect = self._engine.dialect.name
        path = sqlite_file(url)
        self._file = FileWatch(path) if path else None
        self._outage = Outage(self.timeouts.retry)  # PostgreSQL stopped answering
        self._notice: str | None = None  # for the next reply: see take_notice()
        self._notice_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _tx(self, *, read: bool = False) -> Iterator[Session]:
        """One transaction; every SQLAlchemy error leaves as StoreError with its root
        cause ("database is locked (sqlite3.OperationalError during BEGIN IMMEDIATE)")."""
        self._guard_file()
        if self._outage.active():
            raise StoreError(f"database unavailable, not retried yet: {self._outage.cause}")
        try:
            with (self._reads if read else self._sessions)() as session, session.begin():
                yield session
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            cause = describe(exc)
            if self.dialect != "sqlite" and is_outage(exc):
                self._outage.record(cause)
                log.error(
                    "database not answering; failing fast for %.0f s: %s",
                    self.timeouts.retry, cause,
                )
            raise StoreError(cause) from exc

    def _guard_file(self) -> None:
        """Notice a SQLite file deleted (or replaced) under the running Store: its open
        connections would keep writing to the deleted inode and every row would be lost.
        Drop them, recreate the file with the schema, and fail this one operation loudly."""
        watch = self._file
        if watch is None or watch.change() is None:
            return
        with watch.lock:
            what = watch.change()
            if what is None:
                return  # another thread recreated it meanwhile
            log.error(
                "the SQLite database file %s was %s while certdesk was running: rows "
                "written since then went to the old file; reopening it and applying the "
                "migrations", watch.path, what,
            )
            self._engine.dispose()  # no connection may keep the old inode
            self._notice = "db_file_replaced"
            try:
                self.upgrade()
            except StoreError as exc:
                log.error("cannot recreate the database file %s: %s", watch.path, exc)
                raise DatabaseFileReplaced(
                    f"the database file {watch.path} was {what} and cannot be recreated: {exc}"
                ) from exc
            raise DatabaseFileReplaced(
                f"the database file {watch.path} was {what} while running; it was recreated "
                "and logging continues in the new file"
            )

    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """A connection in a transaction that holds the migration lock (bot/store/schema.py)."""
        with schema.migration_connection(self._engine) as conn:
            yield conn

    def upgrade(self) -> None:
        from alembic import command

        cfg = alembic_config()
        with self.migration_connection() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        if self._file is not None:
            self._file.remember()

    def take_notice(self) -> str | None:
        """Once: a bot.messages key the next reply should say ("db_file_replaced"), so
        people learn what the log says even when another operation (the event dedupe)
        was the one that noticed."""
        with self._notice_lock:
            notice, self._notice = self._notice, None
        return notice

    def ping(self) -> bool:
        try:
            with self._tx(read=True) as s:
                return s.execute(text("SELECT 1")).scalar() == 1
        except StoreError:
            return False

    def dispose(self) -> None:
        self._engine.dispose()

    # -- conversations and messages ---------------------------------------------------

    def conversation(
        self, *, transport: str, channel: str, thread: str, user: str, now: datetime
    ) -> int:
        key = (
            (Conversation.transport == transport)
            & (Conversation.channel == channel)
            & (Conversation.thread == thread)
        )
        with self._tx(read=True) as s:
            found = s.scalar(select(Conversation.id).where(key))
        if found is not None:
            return found
        try:
            with self._tx() as s:
                row = Conversation(
                    transport=transport, channel=channel, thread=thread, user=user,
                    created_at=now, last_at=now,
                )
                s.add(row)
                s.flush()
                return row.id
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
        # another process created it between our read and our insert
        with self._tx(read=True) as s:
            found = s.scalar(select(Conversation.id).where(key))
        if found is None:
            raise StoreError("conversation vanished while being created")
        return found

    def _log(self, conversation_id: int, **fields: Any) -> int:
        fields["text"] = redact(fields["text"])
        with self._tx() as s:
            row = Message(conversation_id=conversation_id, **fields)
            s.add(row)
            s.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(last_at=fields["created_at"])
            )
            s.flush()
            return row.id

    def log_in(
        self, conversation_id: int, *, user: str, text: str, now: datetime,
        lang: str | None = None, external_id: str | None = None,
    ) -> int:
        return self._log(
            conversation_id, direction="in", user=user, text=text, created_at=now,
            lang=lang, external_id=external_id,
        )

    def log_out(
        self, conversation_id: int, *, text: str, now: datetime,
        reply_to: int | None = None, external_id: str | None = None,
    ) -> int:
        return self._log(
            conversation_id, direction="out", user="certdesk", text=text, created_at=now,
            reply_to=reply_to, external_id=external_id,
        )

    def record_match(
        self, message_id: int, *, entry_id: str | None, score: float, decision: str, lang: str
    ) -> None:
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        with self._tx() as s:
            s.merge(
                Match(
                    message_id=message_id, entry_id=entry_id, score=float(score),
                    decision=decision, lang=lang,
                )
            )

    def record_choice(self, message_id: int, *, entry_id: str, user: str, now: datetime) -> None:
        with self._tx() as s:
            s.merge(Choice(message_id=message_id, entry_id=entry_id, user=user, created_at=now))

    def record_findings(
        self, message_id: int, *, codes: Sequence[str], certificates: int
    ) -> None:
        with self._tx() as s:
            s.execute(delete(Finding).where(Finding.message_id == message_id))
            s.merge(Analysis(message_id=message_id, certificates=int(certificates)))
            s.flush()
            if codes:  # one executemany: a paste of 30,000 blocks has 60,000 findings
                rows = [{"message_id": message_id, "code": str(c)} for c in codes]
                s.execute(insert(Finding), rows)

    def record_feedback(
        self, message_id: int, *, user: str, helpful: bool, now: datetime
    ) -> None:
        with self._tx() as s:
            # a person's latest vote counts; delete+insert is portable (no upsert dialects)
            s.execute(
                delete(Feedback).where(Feedback.message_id == message_id, Feedback.user == user)
            )
            s.add(Feedback(message_id=message_id, user=user, helpful=helpful, created_at=now))

    def message(self, message_id: int) -> MessageRecord | None:
        with self._tx(read=True) as s:
            return q.message_record(s, message_id)

    def recent_texts(
        self, *, transport: str, channel: str, user: str, since: datetime, limit: int
    ) -> list[str]:
        """A user's latest question texts in one channel (redacted), newest first: what
        the key hold reads, so it holds across worker processes."""
        with self._tx(read=True) as s:
            return q.recent_texts(s, transport=transport, channel=channel, user=user,
                                  since=to_utc(since), limit=limit)

    # -- escalations --------------------------------------------------------------------

    def open_escalation(
        self, message_id: int, *, reason: str, now: datetime,
        best_guess_entry: str | None = None, best_guess_score: float | None = None,
    ) -> EscalationRecord:
        if reason not in REASONS:
            raise ValueError(f"unknown escalation reason {reason!r}")
        live = select(Escalation.id).where(Escalation.active_message_id == message_id)
        with self._tx(read=True) as s:
            existing = s.scalar(live)
        if existing is None:
            try:
                with self._tx() as s:
                    if s.get(Message, message_id) is None:
                        raise NotFoundError(f"message {message_id} not found")
                    row = Escalation(
                        message_id=message_id, active_message_id=message_id, status="open",
                        reason=reason, created_at=now, best_guess_entry=best_guess_entry,
                        best_guess_score=best_guess_score,
                    )
                    s.add(row)
                    s.flush()
                    existing = row.id
            except StoreError as exc:
                if not isinstance(exc.__cause__, IntegrityError):
                    raise
                with self._tx(read=True) as s:  # lost the race: the winner's case is ours
                    existing = s.scalar(live)
                if existing is None:
                    raise
        return self._escalation_or_raise(existing)

    def set_escalation_post(self, escalation_id: int, *, channel: str, ts: str) -> None:
        with self._tx() as s:
            done = s.execute(
                update(Escalation)
                .where(Escalation.id == escalation_id)
                .values(post_channel=channel, post_ts=ts)
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFoundError(f"escalation {escalation_id} not found")

    def _transition(self, escalation_id: int, values: dict[str, Any], s: Session) -> None:
        # the WHERE on status makes concurrent transitions safe: only one wins
        done = s.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, Escalation.status.in_(ACTIVE))
            .values(**values)
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]
            status = s.scalar(select(Escalation.status).where(Escalation.id == escalation_id))
            if status is None:
                raise NotFoundError(f"escalation {escalation_id} not found")
            raise EscalationStateError(f"escalation {escalation_id} is already {status}")

    def assign(self, escalation_id: int, *, user: str, now: datetime) -> EscalationRecord:
        with self._tx() as s:
            self._transition(
                escalation_id, {"status": "assigned", "assignee": user, "assigned_at": now}, s
            )
        return self._escalation_or_raise(escalation_id)

    def resolve(
        self, escalation_id: int, *, user: str, answer: str, now: datetime,
        add_to_faq: bool = False,
    ) -> EscalationRecord:
        answer = redact(answer)
        with self._tx() as s:
            values: dict[str, Any] = {
                "status": "resolved", "resolver": user, "resolved_at": now,
                "resolution": answer, "active_message_id": None,
            }
            self._transition(escalation_id, values, s)
            if add_to_faq:
                question, lang = q.escalated_question(s, escalation_id)
                entry = LearnedEntryRow(
                    question=question, answer=answer, lang=lang, created_at=now,
                    escalation_id=escalation_id, author=user,
                )
                s.add(entry)
                s.flush()
                s.execute(
                    update(Escalation)
                    .where(Escalation.id == escalation_id)
                    .values(learned_entry_id=entry.id)
                )
        return self._escalation_or_raise(escalation_id)

    def close(
        self, escalation_id: int, *, user: str, now: datetime, note: str | None = None
    ) -> EscalationRecord:
        values: dict[str, Any] = {
            "status": "closed", "resolver": user, "resolved_at": now,
            "resolution": None if note is None else redact(note), "active_message_id": None,
        }
        with self._tx() as s:
            self._transition(escalation_id, values, s)
        return self._escalation_or_raise(escalation_id)

    def escalation(self, escalation_id: int) -> EscalationRecord | None:
        with self._tx(read=True) as s:
            found = q.escalation_records(s, ids=[escalation_id])
        return found[0] if found else None

    def _escalation_or_raise(self, escalation_id: int) -> EscalationRecord:
        record = self.escalation(escalation_id)
        if record is None:
            raise NotFoundError(f"escalation {escalation_id} not found")
        return record

    def escalations(self, *, open_only: bool = False, limit: int = 100) -> list[EscalationRecord]:
        with self._tx(read=True) as s:
            return q.escalation_records(s, open_only=open_only, limit=limit)

    # -- learned FAQ entries ------------------------------------------------------------

    def learned_entries(self, *, after: int = 0) -> list[LearnedEntry]:
        """Learned entries in the order they were added; `after`: only rows added after
        the one with that row id (a matcher that has the others)."""
        with self._tx(read=True) as s:
            rows = s.scalars(
                select(LearnedEntryRow)
                .where(LearnedEntryRow.id > after)
                .order_by(LearnedEntryRow.id)
            ).all()
            return [
                LearnedEntry(
                    id=f"learned-{r.id}", question=r.question, answer=r.answer, lang=r.lang,
                    created_at=r.created_at, escalation_id=r.escalation_id, author=r.author,
                    row_id=r.id,
                )
                for r in rows
            ]

    def learned_version(self) -> int:
        """Entries are only ever added, so the highest id changes exactly when they do."""
        with self._tx(read=True) as s:
            return int(s.scalar(select(func.coalesce(func.max(LearnedEntryRow.id), 0))) or 0)

    # -- Slack event dedupe -------------------------------------------------------------

    def claim_event(self, event_id: str, *, now: datetime, timeout: float | None = None) -> bool:
        """True the first time `event_id` is claimed, across processes. Bounded by the
        dedupe timeout (CERTDESK_DB_DEDUPE_TIMEOUT): past it, StoreError, and the caller
        answers anyway (fail open) instead of holding its thread."""
        try:
            with deadline(self.timeouts.dedupe if timeout is None else timeout), self._tx() as s:
                s.add(SlackEvent(event_id=event_id, created_at=now))
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return False
            raise
        return True

    # -- reports and housekeeping -------------------------------------------------------

    def report_stats(self, *, since: datetime, now: datetime) -> dict[str, int]:
        with self._tx(read=True) as s:
            return q.report_stats(s, since=to_utc(since), now=to_utc(now))

    def unanswered_questions(self, *, since: datetime) -> list[UnansweredRow]:
        with self._tx(read=True) as s:
            return q.unanswered_questions(s, since=to_utc(since))

    def prune(self, *, older_than: timedelta, now: datetime) -> int:
        """Delete conversations quiet since `now - older_than`; the database cascades to
        their messages, matches, choices, findings, feedback and escalations. Learned FAQ
        entries stay. Old Slack event ids go too (retries arrive within minutes)."""
        cutoff = to_utc(now) - older_than
        with self._tx() as s:
            gone = s.execute(delete(Conversation).where(Conversation.last_at < cutoff))
            s.execute(delete(SlackEvent).where(SlackEvent.created_at < cutoff))
            return int(gone.rowcount)  # type: ignore[attr-defined]


