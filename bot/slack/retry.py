"""Work to try again later: a Slack call refused with 429 after the client's own retries,
an escalation announcement the channel refused. One daemon thread per process runs
what is due; tests drive `run_due` with their own clock instead."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("bot.slack")

# a job returns None when done, or the seconds to wait before its next attempt
Job = Callable[[], float | None]


@dataclass(order=True)
class _Item:
    due: float
    seq: int
    name: str = field(compare=False)
    job: Job = field(compare=False)
    attempt: int = field(compare=False, default=1)
    on_drop: Callable[[], None] | None = field(compare=False, default=None)


class RetryQueue:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_attempts: int = 8,
        background: bool = True,
    ) -> None:
        self.clock = clock
        self.max_attempts = max_attempts
        self.background = background
        self._heap: list[_Item] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.dropped: list[str] = []  # jobs given up after max_attempts (also logged)

    def schedule(
        self,
        name: str,
        job: Job,
        delay: float,
        *,
        attempt: int = 1,
        on_drop: Callable[[], None] | None = None,
    ) -> None:
        """Run `job` in `delay` seconds (its first retry is attempt 1); `on_drop` runs
        when the queue gives it up after max_attempts."""
        with self._cond:
            item = _Item(self.clock() + delay, next(self._seq), name, job, attempt, on_drop)
            heapq.heappush(self._heap, item)
            log.debug("retry %s scheduled in %.0f s (attempt %d)", name, delay, attempt)
            if self.background and self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="certdesk-retry", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def pending(self) -> list[str]:
        with self._cond:
            return [item.name for item in sorted(self._heap)]

    def next_due(self) -> float | None:
        with self._cond:
            return self._heap[0].due if self._heap else None

    def run_due(self) -> int:
        """Run every job that is due now; returns how many ran."""
        ran = 0
        while True:
            with self._cond:
                if not self._heap or self._heap[0].due > self.clock():
                    return ran
                item = heapq.heappop(self._heap)
            ran += 1
            try:
                again = item.job()
            except Exception:
                log.exception("retry %s failed", item.name)
                again = 60.0
            if again is None:
                continue
            if item.attempt >= self.max_attempts:
                log.error("retry %s dropped after %d attempts", item.name, item.attempt)
                self.dropped.append(item.name)
                if item.on_drop is not None:
                    item.on_drop()
                continue
            self.schedule(
                item.name, item.job, again, attempt=item.attempt + 1, on_drop=item.on_drop
            )

    def _loop(self) -> None:
        while True:
            with self._cond:
                wait = None if not self._heap else max(0.0, self._heap[0].due - self.clock())
                if wait is None or wait > 0:
                    self._cond.wait(timeout=wait if wait is not None else 60.0)
                    continue
            self.run_due()
