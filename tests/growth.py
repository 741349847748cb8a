"""Complexity by growth, not by stopwatch: run a function on an input and on one
`factor` times larger, in the same test, and require the larger to cost less than
`factor * margin` times the smaller. Linear work grows about `factor` times, quadratic
`factor**2` times; the wide margin absorbs a busy machine. Absolute speed lives in
bench/.

What is compared is the process's own CPU time (not wall-clock time, which other
processes on a shared CI machine inflate), with the garbage collector paused, the two
sizes measured alternately so a busy spell hits both, and the best of several runs.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# Below this, a run is timer and cache noise; the smaller cost is floored at it.
NOISE_FLOOR_S = 0.002


def _cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def growth(fn: Callable[[str], object], small: str, large: str, runs: int = 3) -> float:
    """How many times more CPU `fn(large)` costs than `fn(small)`."""
    fn(small)  # warm imports and caches
    best_small = best_large = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(runs):
            best_small = min(best_small, _cpu(lambda: fn(small)))
            best_large = min(best_large, _cpu(lambda: fn(large)))
    finally:
        if enabled:
            gc.enable()
    return best_large / max(best_small, NOISE_FLOOR_S)


def assert_linear(fn: Callable[[str], object], unit: str, *, small: int, factor: int = 16,
                  margin: float = 6.0, label: str = "") -> None:
    """`unit * small` against `unit * small * factor`: linear passes, quadratic fails
    (16 times the input: linear ~16x, quadratic ~256x, the limit 96x)."""
    ratio = growth(fn, unit * small, unit * (small * factor))
    assert ratio < factor * margin, f"{label or unit[:20]!r}: {factor}x input cost {ratio:.0f}x"
