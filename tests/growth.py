"""Complexity by growth, not by stopwatch: time a function on an input and on one
`factor` times larger, in the same test, and require the larger to cost less than
`factor * margin` times the smaller. Linear work grows about `factor` times, quadratic
`factor**2` times; the wide margin absorbs a busy machine. Absolute speed lives in
bench/."""

from __future__ import annotations

import time
from collections.abc import Callable

# Below this, a run is timer noise; the smaller time is floored at it.
NOISE_FLOOR_S = 0.002


def best_time(fn: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def growth(fn: Callable[[str], object], small: str, large: str, runs: int = 3) -> float:
    """How many times longer `fn(large)` takes than `fn(small)`."""
    fn(small)  # warm imports and caches
    t_small = max(best_time(lambda: fn(small), runs), NOISE_FLOOR_S)
    t_large = best_time(lambda: fn(large), runs)
    return t_large / t_small


def assert_linear(fn: Callable[[str], object], unit: str, *, small: int, factor: int = 16,
                  margin: float = 4.0, label: str = "") -> None:
    """`unit * small` against `unit * small * factor`: linear passes, quadratic fails."""
    ratio = growth(fn, unit * small, unit * (small * factor))
    assert ratio < factor * margin, f"{label or unit[:20]!r}: {factor}x input cost {ratio:.0f}x"
