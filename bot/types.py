"""Small value types that cross the seam between the Desk and its adapters.

Adapters turn Slack payloads or terminal lines into `Incoming` and render `Reply`.
Nothing here knows about Slack, SQLAlchemy or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # keep `import bot.types` light: analyzers load only when used
    from analyzers import Report
    from bot.live_report import LiveCheck, Offer

Lang = Literal["ja", "en"]
# answer: one entry; ambiguous: offer candidates; none: escalate;
# smalltalk: greeting/thanks; human: the asker asked for a person.
Decision = Literal["answer", "ambiguous", "none", "smalltalk", "human"]
EscalationReason = Literal["no_answer", "not_helpful", "asked_human"]


@dataclass(frozen=True)
class Upload:
    """A file that came with a message (Slack upload or terminal path)."""

    name: str
    data: bytes


# A longer message is analysed, matched and logged on its first part only, and the reply
# says so (bot.desk): every step after the cut is linear, and the cut bounds what one
# message can cost. Slack's own limit for a message is 40,000 characters.
MAX_MESSAGE_CHARS = 100_000


@dataclass(frozen=True)
class Incoming:
    """One message to the Desk, already unescaped from Slack's &amp; &lt; &gt;."""

    text: str
    now: datetime
    user: str = "terminal"
    channel: str = "terminal"
    thread: str = "terminal"  # conversation key: Slack thread_ts or a terminal session id
    transport: Literal["slack", "terminal"] = "terminal"
    uploads: tuple[Upload, ...] = ()
    external_id: str | None = None  # Slack message ts, for permalinks


@dataclass(frozen=True)
class Candidate:
    id: str
    question: str  # in the reply language
    score: float


@dataclass(frozen=True)
class Answer:
    id: str
    question: str  # in the reply language
    answer: str
    related: tuple[Candidate, ...] = ()  # score is 0.0 for related entries
    learned: bool = False  # came from a resolved escalation, not faq.toml
    url: str = ""  # the entry's page on the vendor's site, shown with the answer
    # the reply is in English but the entry exists only in Japanese: question and answer
    # are the Japanese ones, and the renderers say so in one English line
    untranslated: bool = False


@dataclass(frozen=True)
class EscalationInfo:
    id: int
    reason: EscalationReason
    status: Literal["open", "assigned", "resolved", "closed"] = "open"
    best_guess: Candidate | None = None


@dataclass(frozen=True)
class Reply:
    """What the Desk says back. `text` is a complete plain-text rendering."""

    lang: Lang
    text: str
    decision: Decision | None = None  # None when the message held only certificates
    answer: Answer | None = None
    candidates: tuple[Candidate, ...] = ()
    reports: tuple[Report, ...] = ()
    escalation: EscalationInfo | None = None
    message_id: int | None = None  # the logged question, for feedback and choices
    logged: bool = True  # False when the Store failed; the reply still goes out
    private_key_pasted: bool = False
    notices: tuple[str, ...] = field(default=())  # keys of bot.messages, said before the rest
    live: tuple[LiveCheck, ...] = ()  # servers checked live for this message
    offers: tuple[Offer, ...] = ()  # missing intermediates fetched for pasted chains
