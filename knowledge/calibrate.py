"""Refit the matcher's calibration (knowledge/thresholds.toml) from a labelled question set.

    python -m knowledge.calibrate tests/data/dev_questions.jsonl tests/data/dev2_questions.jsonl [--write]

1. For every question, each candidate entry's features and a label (is it the right entry?).
2. A logistic regression (plain gradient descent, L2) turns features into a 0..1 score.
3. A grid search picks the answer threshold and the "too close to call" gap that keep
   Japanese, English and out-of-scope accuracy furthest above their floors.
The hold-out set is never used here: it exists to check what this produces.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from knowledge.kb import load_kb
from knowledge.matcher import (
    CONFIDENCE_FEATURES,
    DEFAULT_THRESHOLDS,
    FEATURES,
    Calibration,
    Matcher,
    Scored,
    confidence_features,
)

FLOORS = {"ja": 0.92, "en": 0.85, "oos": 0.90}
_TOP = 6


def _rows(path: str) -> list[dict[str, object]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def fit_logistic(
    xs: Sequence[Sequence[float]], ys: Sequence[int], *, l2: float = 5.0, rounds: int = 25
) -> list[float]:
    """Weights [bias, w1..wn] of a class-balanced, L2-regularised logistic regression,
    fitted by Newton's method (a handful of features: an (n+1)^2 system per round)."""
    n = len(xs[0]) + 1
    rows = [[1.0, *x] for x in xs]
    pos = sum(ys) or 1
    neg = (len(ys) - sum(ys)) or 1
    cw = {1: len(ys) / (2 * pos), 0: len(ys) / (2 * neg)}
    w = [0.0] * n
    for _ in range(rounds):
        grad = [l2 * w[k] if k else 0.0 for k in range(n)]
        hess = [[(l2 if (j == k and k) else 0.0) for k in range(n)] for j in range(n)]
        for x, y in zip(rows, ys, strict=True):
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - y) * cw[y]
            h = p * (1 - p) * cw[y]
            for j in range(n):
                grad[j] += g * x[j]
                hj = h * x[j]
                row = hess[j]
                for k in range(n):
                    row[k] += hj * x[k]
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(si) for si in step) < 1e-6:
            break
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting, for the small Newton system."""
    n = len(b)
    m = [[*row, rhs] for row, rhs in zip(a, b, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                for k in range(col, n + 1):
                    m[r][k] -= factor * m[col][k]
    return [m[r][n] / m[r][r] if abs(m[r][r]) >= 1e-12 else 0.0 for r in range(n)]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m knowledge.calibrate", description=__doc__)
    ap.add_argument("dev", nargs="+", help="labelled question files (jsonl)")
    ap.add_argument("--write", action="store_true", help="update knowledge/thresholds.toml")
    args = ap.parse_args(argv)

    kb = load_kb()
    matcher = Matcher(kb)
    rows = [row for path in args.dev for row in _rows(path)]
    expected: list[str | None] = []
    for row in rows:
        entry = kb.find(str(row["expect"])) if row.get("expect") is not None else None
        expected.append(entry.id if entry is not None else None)

    # Stage one: is this candidate the entry the question is about?
    xs: list[list[float]] = []
    ys: list[int] = []
    for row, expected_id in zip(rows, expected, strict=True):
        feats = matcher.features(str(row["q"]))
        feats.sort(key=lambda r: -r[1][-1])  # by lexical lead: the plausible ones
        for i, f in feats[:_TOP]:
            xs.append(f)
            ys.append(int(matcher.index.docs[i].entry.id == expected_id))
    w = fit_logistic(xs, ys)
    weights = {"bias": w[0], **{name: w[k + 1] for k, name in enumerate(FEATURES)}}
    base = Calibration.load()
    matcher.calibration = replace(base, weights=weights, confidence={})
    ranked = [
        (row, matcher.rank(str(row["q"])), matcher.index.information(str(row["q"]))) for row in rows
    ]

    # Stage two: is the top candidate the right answer (and is there one at all)?
    cx: list[list[float]] = []
    cy: list[int] = []
    for (_, scored, _), expected_id in zip(ranked, expected, strict=True):
        if scored:
            cx.append(list(confidence_features(scored)))
            cy.append(int(scored[0].entry.id == expected_id))
    c = fit_logistic(cx, cy)
    confidence = {"bias": c[0], **{name: c[k + 1] for k, name in enumerate(CONFIDENCE_FEATURES)}}

    best: tuple[float, float, float, dict[str, float]] | None = None
    for answer in [x / 100 for x in range(20, 91)]:
        matcher.calibration = replace(base, weights=weights, confidence=confidence, answer=answer)
        acc = _accuracy(matcher, ranked)
        # keep every kind furthest above its floor; break ties on the total
        key = (min(acc[k] - FLOORS[k] for k in FLOORS), sum(acc.values()))
        if best is None or key > (best[0], best[1]):
            best = (key[0], key[1], answer, acc)
    assert best is not None
    _, _, answer, acc = best
    print("relevance:", {k: round(v, 3) for k, v in weights.items()})
    print("confidence:", {k: round(v, 3) for k, v in confidence.items()})
    print(f"answer >= {answer}: " + ", ".join(f"{k} {v:.3f}" for k, v in acc.items()))
    if args.write:
        _write(DEFAULT_THRESHOLDS, weights, confidence, answer)
        print(f"wrote {DEFAULT_THRESHOLDS}")
    return 0


def _accuracy(
    matcher: Matcher, ranked: list[tuple[dict[str, object], list[Scored], float]]
) -> dict[str, float]:
    hits = {k: 0 for k in FLOORS}
    totals = {k: 0 for k in FLOORS}
    for row, scored, information in ranked:
        kind = str(row.get("kind"))
        res = matcher.decide(str(row["q"]), "ja", scored, information)
        expect = row.get("expect")
        if expect is None:
            ok = not res.answered
        else:
            e = matcher.kb.find(str(expect))
            ok = res.entry is not None and e is not None and res.entry.id == e.id
        totals[kind] += 1
        hits[kind] += ok
    return {k: hits[k] / totals[k] if totals[k] else 0.0 for k in FLOORS}


def _write(
    path: Path, weights: dict[str, float], confidence: dict[str, float], answer: float
) -> None:
    text = path.read_text(encoding="utf-8")
    for table, values in (("weights", weights), ("confidence", confidence)):
        body = "".join(f"{name} = {value:.4f}\n" for name, value in values.items())
        text = re.sub(rf"(?ms)^\[{table}\]\n.*?(?=^\[|\Z)", f"[{table}]\n{body}\n", text, count=1)
    text = re.sub(r"(?m)^answer = [0-9.]+", f"answer = {answer}", text, count=1)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
