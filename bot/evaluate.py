"""`certdesk eval`: how well the matcher ranks and decides on labelled questions.

A line is {"q": question, "expect": ...} where expect names the right entry (its id, or
its question in either language), lists several acceptable ones, or is null (out of
scope). It may carry "kind" (ja / en / oos; guessed when absent) and "style".

- accuracy: in scope, an acceptable entry was answered; out of scope, nothing was.
- Hit@1, Hit@3, MRR (at RANK_DEPTH): where the first acceptable entry stands among the
  ranked candidates, over in-scope questions, whatever the decision.
- answered: the share of in-scope questions answered; precision: the share of all answers
  (to in- and out-of-scope questions) that name an acceptable entry; oos_refused: the
  share of out-of-scope questions not answered.
- reliability: questions binned by score (the confidence that the top entry is right)
  against the share whose top entry is right; ECE is the count-weighted gap.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge import Matcher, detect_lang

RANK_DEPTH = 10  # candidates asked of the matcher: MRR is MRR@10
BINS = 10


@dataclass(frozen=True)
class Outcome:
    """One labelled question and what the matcher made of it."""

    line: int
    question: str
    kind: str
    style: str
    expected: tuple[str, ...] | None  # acceptable entry ids; None: out of scope
    decision: str
    answered: str | None  # the entry id answered
    ranked: tuple[str, ...]  # candidate ids, best first
    score: float

    @property
    def in_scope(self) -> bool:
        return self.expected is not None

    @property
    def rank(self) -> int | None:
        """1-based position of the first acceptable entry among the candidates."""
        if self.expected is None:
            return None
        return next((k for k, i in enumerate(self.ranked, 1) if i in self.expected), None)

    @property
    def right_answer(self) -> bool:
        return self.answered is not None and self.expected is not None and (
            self.answered in self.expected
        )

    @property
    def hit(self) -> bool:
        """accuracy's notion: the right entry answered, or an out-of-scope one refused."""
        return self.right_answer if self.in_scope else self.answered is None

    @property
    def top_right(self) -> bool:
        return self.rank == 1


@dataclass(frozen=True)
class Miss:
    line: int
    kind: str
    style: str
    question: str
    expected: list[str] | None
    got: str  # entry id answered, or the decision when nothing was answered
    rank: int | None  # where the first acceptable entry was ranked (None: not listed)
    top: str | None  # the top candidate's id
    score: float


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def group_stats(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """n, accuracy and (for in-scope questions) Hit@1, Hit@3 and MRR of a group."""
    scoped = [o for o in outcomes if o.in_scope]
    return {
        "n": len(outcomes),
        "accuracy": _ratio(sum(o.hit for o in outcomes), len(outcomes)),
        "in_scope": len(scoped),
        "hit_at_1": _ratio(sum(o.rank == 1 for o in scoped), len(scoped)),
        "hit_at_3": _ratio(sum(o.rank is not None and o.rank <= 3 for o in scoped), len(scoped)),
        "mrr": round(sum(1 / o.rank for o in scoped if o.rank) / len(scoped), 4)
        if scoped
        else None,
    }


def reliability(outcomes: Sequence[Outcome], bins: int = BINS) -> tuple[list[dict[str, Any]], float]:
    """Score bins (low <= score < high, the last bin closed) against the share of questions
    whose top entry is right, and the expected calibration error."""
    cells: list[list[Outcome]] = [[] for _ in range(bins)]
    for o in outcomes:
        cells[min(bins - 1, max(0, int(o.score * bins)))].append(o)
    table: list[dict[str, Any]] = []
    ece = 0.0
    for k, cell in enumerate(cells):
        mean = sum(o.score for o in cell) / len(cell) if cell else None
        right = sum(o.top_right for o in cell) / len(cell) if cell else None
        if cell and mean is not None and right is not None:
            ece += abs(mean - right) * len(cell) / len(outcomes)
        table.append(
            {
                "low": round(k / bins, 4),
                "high": round((k + 1) / bins, 4),
                "n": len(cell),
                "mean_score": None if mean is None else round(mean, 4),
                "right": None if right is None else round(right, 4),
            }
        )
    return table, round(ece, 4)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    source: str = "-"
    kb: str = ""
    kb_entries: int = 0
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by kind, "all"
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, o: Outcome) -> None:
        self.outcomes.append(o)
        for key in (o.kind, "all"):
            self.totals[key] += 1
            self.hits[key] += int(o.hit)

    def accuracy(self, kind: str) -> float:
        return self.hits[kind] / self.totals[kind] if self.totals[kind] else 0.0

    @property
    def misses(self) -> list[Miss]:
        return [
            Miss(
                o.line,
                o.kind,
                o.style,
                o.question,
                None if o.expected is None else list(o.expected),
                o.answered or o.decision,
                o.rank,
                o.ranked[0] if o.ranked else None,
                round(o.score, 3),
            )
            for o in self.outcomes
            if not o.hit
        ]

    def groups(self, key: str) -> dict[str, dict[str, Any]]:
        by: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            by[getattr(o, key)].append(o)
        return {name: group_stats(by[name]) for name in sorted(by)}

    def to_json(self) -> dict[str, Any]:
        """The stable `certdesk eval --json` object."""
        outs = self.outcomes
        scoped = [o for o in outs if o.in_scope]
        oos = [o for o in outs if not o.in_scope]
        answers = [o for o in outs if o.answered is not None]
        table, ece = reliability(outs)
        return {
            "file": self.source,
            "kb": self.kb,
            "kb_entries": self.kb_entries,
            "questions": len(outs),
            "in_scope": len(scoped),
            "out_of_scope": len(oos),
            "accuracy": {k: round(self.accuracy(k), 4) for k in sorted(self.totals)},
            "counts": {k: self.totals[k] for k in sorted(self.totals)},
            "by_kind": self.groups("kind"),
            "by_style": self.groups("style"),
            "ranking": {"depth": RANK_DEPTH, **group_stats(scoped)},
            "answered": _ratio(sum(o.answered is not None for o in scoped), len(scoped)),
            "precision": _ratio(sum(o.right_answer for o in answers), len(answers)),
            "answers": len(answers),
            "oos_refused": _ratio(sum(o.answered is None for o in oos), len(oos)),
            "reliability": table,
            "ece": ece,
            "misses": [m.__dict__ for m in self.misses],
        }


def read_questions(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("q"), str):
                raise ValueError(f'{path}:{n}: each line needs {{"q": str, "expect": ...}}')
            rows.append((n, row))
    return rows


def evaluate_file(path: str | Path, matcher: Matcher) -> Summary:
    return evaluate(read_questions(path), matcher, source=str(path))


def expected_ids(expect: Any, matcher: Matcher) -> tuple[tuple[str, ...] | None, list[str]]:
    """The acceptable entry ids an `expect` value names, and the names no entry has."""
    if expect is None:
        return None, []
    keys: Iterable[Any] = expect if isinstance(expect, list) else [expect]
    ids: list[str] = []
    unknown: list[str] = []
    for key in keys:
        if isinstance(key, bool) or not isinstance(key, str | int):
            unknown.append(repr(key))
            continue
        entry = matcher.kb.find(str(key))
        if entry is None:
            unknown.append(repr(key))
        elif entry.id not in ids:
            ids.append(entry.id)
    if not ids and not unknown:
        unknown.append("[] (use null for out of scope)")
    return tuple(ids), unknown


def evaluate(
    rows: Sequence[tuple[int, dict[str, Any]]], matcher: Matcher, *, source: str = "-"
) -> Summary:
    """Every expect is checked before any question is run; all unknown names are listed."""
    problems: list[str] = []
    expected: list[tuple[str, ...] | None] = []
    for n, row in rows:
        ids, unknown = expected_ids(row.get("expect"), matcher)
        if unknown:
            problems.append(f"{source}:{n}: expect names no entry of the FAQ: {', '.join(unknown)}")
        expected.append(ids)
    if problems:
        raise ValueError("\n".join(problems))
    summary = Summary(source=source, kb=matcher.kb.source, kb_entries=len(matcher.kb))
    for (n, row), ids in zip(rows, expected, strict=True):
        q: str = row["q"]
        result = matcher.match(q, top=RANK_DEPTH)
        kind = str(row.get("kind") or ("oos" if ids is None else detect_lang(q)))
        summary.add(
            Outcome(
                line=n,
                question=q,
                kind=kind,
                style=str(row.get("style") or "-"),
                expected=ids,
                decision=result.decision,
                answered=result.entry.id if result.entry is not None else None,
                ranked=tuple(c.entry.id for c in result.candidates),
                score=float(result.score),
            )
        )
    return summary


def _f(value: float | None, width: int = 6) -> str:
    return f"{value:{width}.3f}" if value is not None else f"{'-':>{width}}"


def _table(title: str, groups: dict[str, dict[str, Any]], order: list[str]) -> list[str]:
    lines = [f"{title:<16} {'n':>5} {'accuracy':>8} {'Hit@1':>6} {'Hit@3':>6} {'MRR':>6}"]
    for name in order:
        g = groups[name]
        lines.append(
            f"  {name:<14} {g['n']:>5} {_f(g['accuracy'], 8)} {_f(g['hit_at_1'])} "
            f"{_f(g['hit_at_3'])} {_f(g['mrr'])}"
        )
    return lines


def format_summary(summary: Summary) -> str:
    j = summary.to_json()
    out = [
        f"certdesk eval: {j['file']} against {j['kb']} ({j['kb_entries']} entries)",
        f"{j['questions']} questions: {j['in_scope']} in scope, {j['out_of_scope']} out of scope",
        "",
    ]
    kinds = summary.groups("kind")
    all_group = {"all": group_stats(summary.outcomes)}
    out += _table("by kind", {**kinds, **all_group}, [*kinds, "all"])
    styles = summary.groups("style")
    if set(styles) != {"-"}:
        out += ["", *_table("by style", styles, list(styles))]
    r = j["ranking"]
    n_ans = j["answers"]
    right = sum(o.right_answer for o in summary.outcomes)
    refused = sum(o.answered is None for o in summary.outcomes if not o.in_scope)
    out += [
        "",
        f"ranking ({r['in_scope']} in scope, first {RANK_DEPTH} candidates): "
        f"Hit@1 {_f(r['hit_at_1'], 0)}  Hit@3 {_f(r['hit_at_3'], 0)}  MRR {_f(r['mrr'], 0)}",
        f"answered {_f(j['answered'], 0)} of in-scope questions; right when answered "
        f"{_f(j['precision'], 0)} ({right}/{n_ans}); out of scope refused "
        f"{_f(j['oos_refused'], 0)} ({refused}/{j['out_of_scope']})",
        "",
        "reliability: score of the top entry against the share whose top entry is right",
        f"  {'score':<9} {'n':>5} {'mean':>6} {'right':>6}",
    ]
    for b in j["reliability"]:
        if b["n"]:
            out.append(
                f"  {b['low']:.1f}-{b['high']:.1f}   {b['n']:>5} {_f(b['mean_score'])} "
                f"{_f(b['right'])}"
            )
    out.append(f"  ECE {j['ece']:.3f}")
    misses = summary.misses
    if misses:
        out += ["", f"misses ({len(misses)}):"]
        for m in misses:
            expected = ", ".join(m.expected) if m.expected else "(no answer)"
            where = (
                "" if m.expected is None
                else f"; right entry ranked {m.rank}" if m.rank
                else f"; right entry not in the first {RANK_DEPTH}"
            )
            style = "" if m.style == "-" else f"/{m.style}"
            out.append(
                f"  line {m.line} [{m.kind}{style}] {m.question}\n"
                f"      expected {expected}, got {m.got} (score {m.score}, top {m.top}){where}"
            )
    return "\n".join(out)
