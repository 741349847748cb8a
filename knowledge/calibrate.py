"""Refit the matcher's calibration (knowledge/thresholds.toml) from a labelled question set.

    python -m knowledge.calibrate tests/data/dev_questions.jsonl [--write]

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
from knowledge.matcher import DEFAULT_THRESHOLDS, FEATURES, Calibration, Matcher, Scored

FLOORS = {"ja": 0.92, "en": 0.85, "oos": 0.90}
_TOP = 6


def _rows(path: str) -> list[dict[str, object]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def fit_logistic(
    xs: Sequence[Sequence[float]], ys: Sequence[int], *, l2: float = 0.01, steps: int = 3000
) -> list[float]:
    """Weights [bias, w1..wn] by batch gradient descent with class-balanced weights."""
    n = len(xs[0])
    w = [0.0] * (n + 1)
    pos = sum(ys) or 1
    neg = (len(ys) - sum(ys)) or 1
    cw = {1: len(ys) / (2 * pos), 0: len(ys) / (2 * neg)}
    lr = 0.5
    for _ in range(steps):
        grad = [0.0] * (n + 1)
        for x, y in zip(xs, ys, strict=True):
            z = w[0] + sum(wi * xi for wi, xi in zip(w[1:], x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - y) * cw[y]
            grad[0] += g
            for k in range(n):
                grad[k + 1] += g * x[k]
        for k in range(n + 1):
            reg = l2 * w[k] if k else 0.0
            w[k] -= lr * (grad[k] / len(xs) + reg)
    return w


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m knowledge.calibrate", description=__doc__)
    ap.add_argument("dev", help="labelled questions (jsonl)")
    ap.add_argument("--write", action="store_true", help="update knowledge/thresholds.toml")
    args = ap.parse_args(argv)

    kb = load_kb()
    matcher = Matcher(kb)
    rows = _rows(args.dev)
    xs: list[list[float]] = []
    ys: list[int] = []
    per_question: list[tuple[str, str | None, list[tuple[str, list[float]]]]] = []
    for row in rows:
        expect = row.get("expect")
        entry = kb.find(str(expect)) if expect is not None else None
        expected_id = entry.id if entry is not None else None
        feats = matcher.features(str(row["q"]))
        feats.sort(key=lambda r: -r[1][-1])
        cands = [(matcher.index.docs[i].entry.id, f) for i, f in feats[:_TOP]]
        for eid, f in cands:
            xs.append(f)
            ys.append(int(eid == expected_id))
        per_question.append((str(row.get("kind")), expected_id, cands))

    w = fit_logistic(xs, ys)
    weights = {"bias": w[0], **{name: w[k + 1] for k, name in enumerate(FEATURES)}}
    base = Calibration.load()
    matcher.calibration = replace(base, weights=weights)
    ranked = [(row, matcher.rank(str(row["q"]))) for row in rows]
    best: tuple[float, float, float, float, dict[str, float]] | None = None
    for answer in [x / 100 for x in range(20, 91, 2)]:
        for close in [x / 100 for x in range(0, 31, 2)]:
            matcher.calibration = replace(
                base,
                weights=weights,
                answer=answer,
                ambiguous=min(answer, base.ambiguous),
                close=close,
            )
            acc = _accuracy(matcher, ranked)
            # keep every kind furthest above its floor; break ties on the total
            key = (min(acc[k] - FLOORS[k] for k in FLOORS), sum(acc.values()))
            if best is None or key > (best[0], best[1]):
                best = (key[0], key[1], answer, close, acc)
    assert best is not None
    _, _, answer, close, acc = best
    print("weights:", {k: round(v, 3) for k, v in weights.items()})
    print(
        f"answer >= {answer}, close gap {close}: "
        + ", ".join(f"{k} {v:.3f}" for k, v in acc.items())
    )
    if args.write:
        _write(DEFAULT_THRESHOLDS, weights, answer, close)
        print(f"wrote {DEFAULT_THRESHOLDS}")
    return 0


def _accuracy(
    matcher: Matcher, ranked: list[tuple[dict[str, object], list[Scored]]]
) -> dict[str, float]:
    hits = {k: 0 for k in FLOORS}
    totals = {k: 0 for k in FLOORS}
    for row, scored in ranked:
        kind = str(row.get("kind"))
        res = matcher.decide(str(row["q"]), "ja", scored)
        expect = row.get("expect")
        if expect is None:
            ok = not res.answered
        else:
            e = matcher.kb.find(str(expect))
            ok = res.entry is not None and e is not None and res.entry.id == e.id
        totals[kind] += 1
        hits[kind] += ok
    return {k: hits[k] / totals[k] if totals[k] else 0.0 for k in FLOORS}


def _write(path: Path, weights: dict[str, float], answer: float, close: float) -> None:
    text = path.read_text(encoding="utf-8")
    for name, value in weights.items():
        text = re.sub(rf"(?m)^{name} = .*$", f"{name} = {value:.4f}", text, count=1)
    text = re.sub(r"(?m)^answer = [0-9.]+", f"answer = {answer}", text, count=1)
    text = re.sub(r"(?m)^close = [0-9.]+", f"close = {close}", text, count=1)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
