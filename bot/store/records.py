"""Plain frozen records returned by the Store. Nothing here holds a database session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MessageRecord:
    id: int
    conversation_id: int
    transport: str
    channel: str
    thread: str
    user: str
    direction: str  # "in" (from a person) or "out" (from the bot)
    text: str  # already redacted
    lang: str | None
    created_at: datetime
    external_id: str | None
    reply_to: int | None
    match_entry: str | None
    match_score: float | None
    match_decision: str | None
    chosen_entry: str | None


@dataclass(frozen=True)
class EscalationRecord:
    id: int
    message_id: int
    status: str  # open | assigned | resolved | closed
    reason: str  # no_answer | not_helpful | asked_human
    question: str
    lang: str | None
    asker: str
    transport: str
    channel: str
    thread: str
    external_id: str | None
    best_guess_entry: str | None
    best_guess_score: float | None
    created_at: datetime
    assignee: str | None
    assigned_at: datetime | None
    # who finished the case and when: the resolver for "resolved", the closer for "closed"
    resolver: str | None
    resolved_at: datetime | None
    # the answer when resolved, the optional note when closed
    resolution: str | None
    post_channel: str | None
    post_ts: str | None
    learned_entry_id: str | None  # "learned-<n>" when the resolution became an FAQ entry


@dataclass(frozen=True)
class LearnedEntry:
    id: str  # "learned-<n>"
    question: str
    answer: str
    lang: str
    created_at: datetime
    escalation_id: int | None
    author: str | None = None  # who added it to the FAQ
    row_id: int = 0  # the <n> of the id: rows only ever get higher ones


@dataclass(frozen=True)
class UnansweredRow:
    message_id: int
    text: str
    lang: str | None
    created_at: datetime
    escalated: bool
    best_guess_entry: str | None
    best_guess_score: float | None
