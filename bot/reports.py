"""Support leads' review: group unanswered questions by similarity, and serialise groups.

Pure functions over Store records. Grouping first buckets identical normalised texts
(real logs repeat themselves a lot), then clusters the distinct texts greedily, most
frequent first, against one representative per group with rapidfuzz: O(distinct ·
groups) comparisons in C, which keeps 100,000 logged questions well under a second.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process

from bot.store_records import UnansweredRow

Normalise = Callable[[str], str]
Nearest = Callable[[str], "tuple[str, float] | None"]

THRESHOLD = 78.0  # token_set_ratio; variants of one question score 80-100, neighbours < 70
MAX_GROUPS = 2000  # beyond this, new texts become their own groups without comparisons
NEAREST_LIMIT = 100  # `nearest` runs the matcher: only for the groups a lead will read
_PUNCT = re.compile(r"[^\w\s]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


@dataclass(frozen=True)
class Group:
    question: str  # the most frequent wording in the group
    count: int
    escalated: int
    examples: tuple[str, ...]  # up to 3 distinct wordings, most frequent first
    first_seen: datetime
    last_seen: datetime
    langs: tuple[str, ...]
    nearest_entry: str | None
    nearest_score: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "count": self.count,
            "escalated": self.escalated,
            "examples": list(self.examples),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "langs": list(self.langs),
            "nearest": None
            if self.nearest_entry is None
            else {"id": self.nearest_entry, "score": round(self.nearest_score or 0.0, 4)},
        }


@dataclass
class _Bucket:
    count: int = 0
    escalated: int = 0
    first: datetime | None = None
    last: datetime | None = None
    wordings: Counter[str] = field(default_factory=Counter)
    langs: set[str] = field(default_factory=set)
    guesses: dict[str, float] = field(default_factory=dict)  # entry -> best score

    def add(self, row: UnansweredRow) -> None:
        self.count += 1
        self.escalated += row.escalated
        self.first = row.created_at if self.first is None else min(self.first, row.created_at)
        self.last = row.created_at if self.last is None else max(self.last, row.created_at)
        self.wordings[row.text.strip()] += 1
        if row.lang:
            self.langs.add(row.lang)
        if row.best_guess_entry is not None:
            score = row.best_guess_score or 0.0
            self.guesses[row.best_guess_entry] = max(
                score, self.guesses.get(row.best_guess_entry, 0.0)
            )

    def merge(self, other: _Bucket) -> None:
        self.count += other.count
        self.escalated += other.escalated
        assert other.first is not None and other.last is not None
        self.first = other.first if self.first is None else min(self.first, other.first)
        self.last = other.last if self.last is None else max(self.last, other.last)
        self.wordings.update(other.wordings)
        self.langs |= other.langs
        for entry, score in other.guesses.items():
            self.guesses[entry] = max(score, self.guesses.get(entry, 0.0))


def _key(text: str, normalise: Normalise) -> str:
    words = _PUNCT.sub(" ", normalise(text)).split()
    # Japanese does not separate words with spaces, so "IIS 10 でも" and "IIS10でも" are
    # one wording; English keeps its words for token_set_ratio
    return ("" if _CJK.search(text) else " ").join(words)


def group_unanswered(
    rows: Iterable[UnansweredRow],
    normalise: Normalise,
    nearest: Nearest | None,
    *,
    threshold: float = THRESHOLD,
    max_groups: int = MAX_GROUPS,
    nearest_limit: int = NEAREST_LIMIT,
) -> list[Group]:
    """Groups of similar questions, the most frequently asked first."""
    keys: dict[str, str] = {}  # raw text -> key; logs repeat texts, normalise each once
    buckets: dict[str, _Bucket] = {}
    for row in rows:
        key = keys.get(row.text)
        if key is None:
            key = keys[row.text] = _key(row.text, normalise)
        buckets.setdefault(key, _Bucket()).add(row)

    reps: list[str] = []  # one representative key per comparable group
    groups: list[_Bucket] = []
    rep_group: list[int] = []  # reps[i] belongs to groups[rep_group[i]]
    for key, bucket in sorted(buckets.items(), key=lambda kv: (-kv[1].count, kv[1].first)):
        target = _closest(key, reps, threshold) if key else None
        if target is not None:
            groups[rep_group[target]].merge(bucket)
            continue
        if len(reps) < max_groups:
            reps.append(key)
            rep_group.append(len(groups))
        groups.append(bucket)

    groups.sort(key=lambda g: (-g.count, -(g.last.timestamp() if g.last else 0.0)))
    return [_finish(g, nearest if i < nearest_limit else None) for i, g in enumerate(groups)]


def _closest(key: str, reps: list[str], threshold: float) -> int | None:
    if not reps:
        return None
    # token_set_ratio forgives word order and extra words; the length check stops a
    # two-word fragment from swallowing every longer question that contains it
    for _, _, index in process.extract(
        key, reps, scorer=fuzz.token_set_ratio, score_cutoff=threshold, limit=3
    ):
        rep = reps[index]
        if min(len(rep), len(key)) >= 0.5 * max(len(rep), len(key)):
            return int(index)
    return None


def _finish(b: _Bucket, nearest: Nearest | None) -> Group:
    examples = tuple(text for text, _ in b.wordings.most_common(3))
    entry: str | None = None
    score: float | None = None
    found = nearest(examples[0]) if nearest is not None else None
    if found is not None:
        entry, score = found[0], float(found[1])
    elif b.guesses:  # the matcher's own best guess when the question was asked
        entry, score = max(b.guesses.items(), key=lambda kv: kv[1])
    assert b.first is not None and b.last is not None
    return Group(
        question=examples[0], count=b.count, escalated=b.escalated, examples=examples,
        first_seen=b.first, last_seen=b.last, langs=tuple(sorted(b.langs)),
        nearest_entry=entry, nearest_score=score,
    )


CSV_FIELDS = (
    "rank", "count", "escalated", "question", "examples", "first_seen", "last_seen",
    "langs", "nearest_entry", "nearest_score",
)


def groups_to_csv(groups: Iterable[Group]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for rank, g in enumerate(groups, 1):
        writer.writerow([
            rank, g.count, g.escalated, g.question, " | ".join(g.examples),
            g.first_seen.isoformat(), g.last_seen.isoformat(), " ".join(g.langs),
            g.nearest_entry or "", "" if g.nearest_score is None else f"{g.nearest_score:.4f}",
        ])
    return out.getvalue()
