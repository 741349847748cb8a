"""The matcher in use: the knowledge base plus the FAQ entries learned from resolved
escalations, which may have been added by another process (another worker, the CLI)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from knowledge import Entry, KnowledgeBase, Matcher

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

# How often to ask the Store whether any process learned a new FAQ entry.
LEARNED_POLL_SECONDS = 3.0


class LearnedMatcher:
    def __init__(self, kb: KnowledgeBase, store: Store | None, clock: Callable[[], float]) -> None:
        self.base_kb = kb
        self.store = store
        self._clock = clock
        self._matcher = Matcher(kb)
        self._version = -1
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> Matcher:
        self.refresh()
        return self._matcher

    def refresh(self, *, force: bool = False) -> None:
        """Rebuild the matcher when the Store holds learned entries it has not seen.
        A cheap version check at most every few seconds; a down database is ignored."""
        if self.store is None:
            return
        now = self._clock()
        if not force and now - self._checked < LEARNED_POLL_SECONDS:
            return
        self._checked = now
        try:
            version = self.store.learned_version()
            if version == self._version:
                return
            learned = self.store.learned_entries()
        except Exception as exc:  # a down database must not stop answers
            log.warning("cannot read learned FAQ entries: %s", exc)
            return
        extra = [
            # A learned entry is in the asker's language; both fields hold it.
            Entry(
                id=e.id,
                question_ja=e.question,
                question_en=e.question,
                answer_ja=e.answer,
                answer_en=e.answer,
                learned=True,
            )
            for e in learned
        ]
        matcher = Matcher(self.base_kb.with_entries(extra))
        with self._lock:
            self._matcher = matcher
            self._version = version
