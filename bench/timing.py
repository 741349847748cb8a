"""The one timing rule the benches share."""

from __future__ import annotations

import time
from collections.abc import Callable


def best(fn: Callable[[], object], runs: int = 3) -> float:
    """Fastest of `runs` calls, in seconds: the least disturbed by other work on a shared
    machine."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
