"""`certdesk eval`: accuracy of the matcher on labelled questions, by kind, with every miss.

A line is {"q": question, "expect": an entry's question (either language) or id, or null}
and may carry "kind" (ja / en / oos) and "style". In scope, a hit is the right entry first
AND answered; out of scope, a hit is anything but an answer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge import Matcher, detect_lang


@dataclass(frozen=True)
class Miss:
    line: int
    kind: str
    question: str
    expected: str | None
    got: str | None  # entry id answered, or the decision when nothing was answered
    score: float


@dataclass
class Summary:
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[Miss] = field(default_factory=list)

    def accuracy(self, kind: str) -> float:
        return self.hits[kind] / self.totals[kind] if self.totals[kind] else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "accuracy": {k: round(self.accuracy(k), 4) for k in sorted(self.totals)},
            "counts": {k: self.totals[k] for k in sorted(self.totals)},
            "misses": [m.__dict__ for m in self.misses],
        }


def evaluate_file(path: str | Path, matcher: Matcher) -> Summary:
    rows: list[tuple[int, dict[str, Any]]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("q"), str):
                raise ValueError(f'{path}:{n}: each line needs {{"q": str, "expect": str|null}}')
            rows.append((n, row))
    return evaluate(rows, matcher, source=str(path))


def evaluate(
    rows: list[tuple[int, dict[str, Any]]], matcher: Matcher, *, source: str = "-"
) -> Summary:
    summary = Summary()
    for n, row in rows:
        q: str = row["q"]
        expect = row.get("expect")
        expected_id: str | None = None
        if expect is not None:
            entry = matcher.kb.find(str(expect))
            if entry is None:
                raise ValueError(f"{source}:{n}: expect {expect!r} names no entry of the FAQ")
            expected_id = entry.id
        kind = row.get("kind") or ("oos" if expected_id is None else detect_lang(q))
        result = matcher.match(q)
        got = result.entry.id if result.entry is not None else None
        hit = got == expected_id if expected_id is not None else not result.answered
        summary.totals[kind] += 1
        summary.totals["all"] += 1
        if hit:
            summary.hits[kind] += 1
            summary.hits["all"] += 1
        else:
            summary.misses.append(
                Miss(n, kind, q, expected_id, got or result.decision, round(result.score, 3))
            )
    return summary


def format_summary(summary: Summary) -> str:
    lines = ["kind   accuracy   (hits/total)"]
    for kind in sorted(summary.totals, key=lambda k: (k == "all", k)):
        lines.append(
            f"{kind:<6} {summary.accuracy(kind):8.3f}   ({summary.hits[kind]}/{summary.totals[kind]})"
        )
    if summary.misses:
        lines.append("")
        lines.append(f"misses ({len(summary.misses)}):")
        for m in summary.misses:
            lines.append(
                f"  line {m.line} [{m.kind}] {m.question}\n"
                f"      expected {m.expected or '(no answer)'}, got {m.got} (score {m.score})"
            )
    return "\n".join(lines)
