"""The matcher in use: the knowledge base plus the FAQ entries learned from resolved
escalations, which may have been added by another process (another worker, the CLI)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from knowledge import Entry, KnowledgeBase, Matcher

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

# How often to ask the Store whether any process learned a new FAQ entry.
LEARNED_POLL_SECONDS = 3.0

# Links whose text hides their target: Slack's <url|text>, Markdown [text](url) and HTML
# <a href="url">text</a>. Bounded repetitions without nesting: linear on hostile text.
_URL = r"(?:https?|ftp|mailto|file):[^\s|<>()\[\]\"']{1,2000}"
_HIDDEN_LINKS = re.compile(
    rf"<\s*(?P<slack>{_URL})\s*\|(?P<slack_text>[^<>\n]{{0,500}})>"
    rf"|\[(?P<md_text>[^\[\]\n]{{0,500}})\]\(\s*<?(?P<md>{_URL})>?(?:\s+\"[^\"\n]{{0,200}}\")?\s*\)"
    rf"|<a\s[^<>]{{0,300}}?href\s*=\s*[\"']?(?P<html>{_URL})[\"']?[^<>]{{0,300}}>"
    rf"(?P<html_text>[^<>]{{0,500}})</a\s*>",
    re.IGNORECASE,
)


def reveal_links(text: str) -> str:
    """Show every link's real target: "<https://x.example/a|here>" becomes
    "here (https://x.example/a)". A learned answer is written by a person, so a
    reader must see where its links go before following them."""

    def show(m: re.Match[str]) -> str:
        url = m.group("slack") or m.group("md") or m.group("html") or ""
        label = (m.group("slack_text") or m.group("md_text") or m.group("html_text") or "").strip()
        return url if not label or label == url else f"{label} ({url})"

    return _HIDDEN_LINKS.sub(show, text)


class LearnedMatcher:
    """The base matcher plus every learned entry, added one by one (Matcher.add): a new
    entry costs milliseconds, not a rebuild. Other processes' entries are picked up by a
    cheap version check, then reading only the rows not seen yet."""

    def __init__(
        self,
        kb: KnowledgeBase,
        store: Store | None,
        clock: Callable[[], float],
        *,
        base: Matcher | None = None,
    ) -> None:
        self.base_kb = kb
        self.store = store
        self._clock = clock
        self._matcher = base if base is not None else Matcher(kb)
        self._version = -1
        self._seen = 0  # the highest learned row id added
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> Matcher:
        self.refresh()
        return self._matcher

    def refresh(self, *, force: bool = False) -> None:
        """Add the learned entries the Store holds that this matcher has not seen. A cheap
        version check at most every few seconds; a down database is ignored."""
        if self.store is None:
            return
        now = self._clock()
        if not force and now - self._checked < LEARNED_POLL_SECONDS:
            return
        self._checked = now
        with self._lock:  # one refresh at a time: an entry is added once
            try:
                version = self.store.learned_version()
                if version == self._version:
                    return
                learned = self.store.learned_entries(after=self._seen)
            except Exception as exc:  # a down database must not stop answers
                log.warning("cannot read learned FAQ entries: %s", exc)
                return
            for e in learned:
                self._matcher.add(learned_entry(e.id, e.question, e.answer))
                self._seen = max(self._seen, e.row_id)
            self._version = version


def learned_entry(entry_id: str, question: str, answer: str) -> Entry:
    """A learned entry is in the asker's language; both fields hold it."""
    return Entry(
        id=entry_id,
        question_ja=question,
        question_en=question,
        answer_ja=reveal_links(answer),
        answer_en=reveal_links(answer),
        learned=True,
    )
