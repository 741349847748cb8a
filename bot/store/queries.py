"""Read queries behind the Store. Every function takes an open Session from the Store
(never opens one itself) and returns plain records or numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.store.models import (
    Analysis,
    Choice,
    Conversation,
    Escalation,
    Feedback,
    Match,
    Message,
)
from bot.store.records import EscalationRecord, MessageRecord, UnansweredRow

# smalltalk is not a question; a message with only certificates has no match at all
QUESTION_DECISIONS = ("answer", "ambiguous", "none", "human")
STATS_KEYS = (
    "questions",
    "answered",
    "unanswered",
    "helpful",
    "not_helpful",
    "escalations_open",
    "escalations_resolved",
    "certificates_checked",
)


def recent_texts(
    s: Session, *, transport: str, channel: str, user: str, since: datetime, limit: int
) -> list[str]:
    """The (redacted) texts of a user's latest questions in one channel, newest first."""
    rows = s.scalars(
        select(Message.text)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.direction == "in",
            Message.user == user,
            Message.created_at >= since,
            Conversation.transport == transport,
            Conversation.channel == channel,
        )
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(rows)


def message_record(s: Session, message_id: int) -> MessageRecord | None:
    row = s.execute(
        select(Message, Conversation, Match, Choice.entry_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(Match, Match.message_id == Message.id)
        .outerjoin(Choice, Choice.message_id == Message.id)
        .where(Message.id == message_id)
    ).first()
    if row is None:
        return None
    m, c, mt, chosen = row
    return MessageRecord(
        id=m.id, conversation_id=c.id, transport=c.transport, channel=c.channel,
        thread=c.thread, user=m.user, direction=m.direction, text=m.text, lang=m.lang,
        created_at=m.created_at, external_id=m.external_id, reply_to=m.reply_to,
        match_entry=mt.entry_id if mt else None, match_score=mt.score if mt else None,
        match_decision=mt.decision if mt else None, chosen_entry=chosen,
    )


def escalation_records(
    s: Session, *, ids: list[int] | None = None, open_only: bool = False, limit: int = 100
) -> list[EscalationRecord]:
    stmt = (
        select(Escalation, Message, Conversation, Match.lang)
        .join(Message, Message.id == Escalation.message_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(Match, Match.message_id == Message.id)
    )
    if ids is not None:
        stmt = stmt.where(Escalation.id.in_(ids))
    if open_only:
        stmt = stmt.where(Escalation.status.in_(("open", "assigned")))
    # the oldest open case first is the order a queue is worked in; otherwise newest first
    order = Escalation.id.asc() if open_only else Escalation.id.desc()
    rows = s.execute(stmt.order_by(order).limit(limit)).all()
    return [
        EscalationRecord(
            id=e.id, message_id=e.message_id, status=e.status, reason=e.reason,
            question=m.text, lang=m.lang or mlang, asker=m.user, transport=c.transport,
            channel=c.channel, thread=c.thread, external_id=m.external_id,
            best_guess_entry=e.best_guess_entry, best_guess_score=e.best_guess_score,
            created_at=e.created_at, assignee=e.assignee, assigned_at=e.assigned_at,
            resolver=e.resolver, resolved_at=e.resolved_at, resolution=e.resolution,
            post_channel=e.post_channel, post_ts=e.post_ts,
            learned_entry_id=None if e.learned_entry_id is None
            else f"learned-{e.learned_entry_id}",
        )
        for e, m, c, mlang in rows
    ]


def escalated_question(s: Session, escalation_id: int) -> tuple[str, str]:
    """The escalated question's (redacted) text and language, for a learned entry."""
    m, mlang = s.execute(
        select(Message, Match.lang)
        .join(Escalation, Escalation.message_id == Message.id)
        .outerjoin(Match, Match.message_id == Message.id)
        .where(Escalation.id == escalation_id)
    ).one()
    lang = m.lang or mlang or "ja"
    return m.text, ("en" if lang.startswith("en") else "ja")


def _escalated(message_id: Any) -> Any:
    return exists().where(Escalation.message_id == message_id)


def _chosen(message_id: Any) -> Any:
    return exists().where(Choice.message_id == message_id)


def report_stats(s: Session, *, since: datetime, now: datetime) -> dict[str, int]:
    """Totals for the window [since, now].

    questions: incoming messages the matcher saw as a question (not smalltalk, not a
    message holding only certificates). unanswered: escalated, or the matcher found
    nothing / the asker wanted a person, and no candidate was chosen. answered: not
    escalated, and the matcher answered or the asker chose a candidate. Ambiguous
    questions still waiting for a choice are in neither. helpful / not_helpful: votes
    cast in the window. escalations_open: cases opened in the window and still open or
    assigned; escalations_resolved: cases resolved in the window. certificates_checked:
    certificates in the messages of the window."""
    escalated = _escalated(Message.id)
    chosen = _chosen(Message.id)
    unanswered = or_(escalated, and_(Match.decision.in_(("none", "human")), ~chosen))
    answered = and_(~escalated, or_(Match.decision == "answer", chosen))
    in_window = and_(Message.created_at >= since, Message.created_at <= now)
    q = s.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((answered, 1), else_=0)), 0),
            func.coalesce(func.sum(case((unanswered, 1), else_=0)), 0),
        )
        .select_from(Message)
        .join(Match, Match.message_id == Message.id)
        .where(Message.direction == "in", Match.decision.in_(QUESTION_DECISIONS), in_window)
    ).one()
    fb = s.execute(
        select(
            func.coalesce(func.sum(case((Feedback.helpful, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Feedback.helpful, 0), else_=1)), 0),
        ).where(Feedback.created_at >= since, Feedback.created_at <= now)
    ).one()
    open_ = s.scalar(
        select(func.count()).where(
            Escalation.status.in_(("open", "assigned")),
            Escalation.created_at >= since,
            Escalation.created_at <= now,
        )
    )
    resolved = s.scalar(
        select(func.count()).where(
            Escalation.status == "resolved",
            Escalation.resolved_at >= since,
            Escalation.resolved_at <= now,
        )
    )
    certs = s.scalar(
        select(func.coalesce(func.sum(Analysis.certificates), 0))
        .join(Message, Message.id == Analysis.message_id)
        .where(in_window)
    )
    values = (*q, *fb, open_, resolved, certs)
    return {k: int(v or 0) for k, v in zip(STATS_KEYS, values, strict=True)}


def unanswered_questions(s: Session, *, since: datetime) -> list[UnansweredRow]:
    """Questions since `since` that were escalated or that the matcher could not
    answer (and no candidate was chosen), oldest first."""
    esc = aliased(Escalation)
    escalated = _escalated(Message.id)
    # the best guess recorded with the escalation wins over the matcher's top entry
    guess_entry = (
        select(esc.best_guess_entry)
        .where(esc.message_id == Message.id, esc.best_guess_entry.is_not(None))
        .order_by(esc.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = s.execute(
        select(
            Message.id,
            Message.text,
            func.coalesce(Message.lang, Match.lang),
            Message.created_at,
            escalated,
            func.coalesce(guess_entry, Match.entry_id),
            Match.score,
        )
        .join(Match, Match.message_id == Message.id)
        .where(
            Message.direction == "in",
            Message.created_at >= since,
            Match.decision.in_(QUESTION_DECISIONS),
            or_(escalated, and_(Match.decision.in_(("none", "human")), ~_chosen(Message.id))),
        )
        .order_by(Message.created_at, Message.id)
    ).all()
    return [
        UnansweredRow(
            message_id=mid, text=text, lang=lang, created_at=created, escalated=bool(esc_),
            best_guess_entry=entry, best_guess_score=score,
        )
        for mid, text, lang, created, esc_, entry, score in rows
    ]
