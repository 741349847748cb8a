"""Support leads' review: group unanswered questions by similarity, and serialise groups.

Pure functions over Store records. Grouping first buckets identical normalised texts
(real logs repeat themselves), then clusters the distinct texts greedily, most frequent
first: a text joins the group whose first text shares enough of its words (Jaccard
similarity of lemma sets, or of words and character bigrams without a tokeniser). A
prefix filter (the classic set-similarity-join trick) finds the candidate groups
without comparing every pair, so 100,000 logged questions group in well under a second.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.store.records import UnansweredRow
from knowledge.normalize import has_japanese

Normalise = Callable[[str], str]
Nearest = Callable[[str], "tuple[str, float] | None"]
Features = Callable[[str], Iterable[str]]

# Jaccard: "中間証明書のインストール方法" vs the same about ルート証明書 is 0.71 on lemmas (two
# questions); typed variants, polite prefixes and paraphrases score 0.8-1.0 (one question)
THRESHOLD = 0.75
MAX_GROUPS = 5000  # beyond this, new texts become their own groups without comparisons
NEAREST_LIMIT = 100  # `nearest` runs the matcher: only for the groups a lead will read
_PUNCT = re.compile(r"[^\w\s]+")


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
    message_ids: tuple[int, ...] = ()  # every question in the group (not in JSON or CSV)

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
    ids: list[int] = field(default_factory=list)

    def add(self, row: UnansweredRow) -> None:
        self.count += 1
        self.ids.append(row.message_id)
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
        self.ids += other.ids
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
    # one wording; English keeps its spaces
    return ("" if has_japanese(text) else " ").join(words)


def default_features(key: str) -> set[str]:
    """Words, with untokenised Japanese runs cut into character bigrams."""
    out: set[str] = set()
    for word in key.split():
        if len(word) > 2 and has_japanese(word):
            out.update(word[i : i + 2] for i in range(len(word) - 1))
        else:
            out.add(word)
    return out


def _prefix_len(size: int, threshold: float) -> int:
    # two sets with Jaccard >= t share an element within these many rarest elements
    return size - math.ceil(threshold * size) + 1


def group_unanswered(
    rows: Iterable[UnansweredRow],
    normalise: Normalise,
    nearest: Nearest | None,
    *,
    features: Features | None = None,
    threshold: float = THRESHOLD,
    max_groups: int = MAX_GROUPS,
    nearest_limit: int = NEAREST_LIMIT,
) -> list[Group]:
    """Groups of similar questions, the most frequently asked first.

    `features` turns a question into the words compared (the knowledge package's lemma
    tokeniser in the CLI); without it, default_features() of the normalised text."""
    keys: dict[str, str] = {}  # raw text -> key; logs repeat texts, normalise each once
    buckets: dict[str, _Bucket] = {}
    sample: dict[str, str] = {}  # key -> one raw text, for `features`
    for row in rows:
        key = keys.get(row.text)
        if key is None:
            key = keys[row.text] = _key(row.text, normalise)
            sample.setdefault(key, row.text)
        buckets.setdefault(key, _Bucket()).add(row)

    feats = {
        k: frozenset(features(sample[k]) if features else default_features(k)) for k in buckets
    }
    df = Counter(f for fs in feats.values() for f in fs)
    ordered = {k: sorted(fs, key=lambda f: (df[f], f)) for k, fs in feats.items()}  # rarest first

    groups: list[_Bucket] = []
    rep_feats: list[frozenset[str]] = []  # of the group's first text, for comparable groups
    index: dict[str, list[int]] = {}  # prefix feature -> groups
    for key, bucket in sorted(buckets.items(), key=lambda kv: (-kv[1].count, kv[1].first)):
        mine, order = feats[key], ordered[key]
        prefix = order[: _prefix_len(len(order), threshold)]
        best, best_score = -1, -1.0
        for g in sorted({g for f in prefix for g in index.get(f, ())}):
            theirs = rep_feats[g]
            score = len(mine & theirs) / len(mine | theirs)
            if score >= threshold and score > best_score:  # ties: the larger, older group
                best, best_score = g, score
        if best >= 0:
            groups[best].merge(bucket)
            continue
        if mine and len(rep_feats) < max_groups:
            for f in prefix:
                index.setdefault(f, []).append(len(groups))
        rep_feats.append(mine)
        groups.append(bucket)

    groups.sort(key=lambda g: (-g.count, -(g.last.timestamp() if g.last else 0.0)))
    return [_finish(g, nearest if i < nearest_limit else None) for i, g in enumerate(groups)]


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
        question=examples[0],
        count=b.count,
        escalated=b.escalated,
        examples=examples,
        first_seen=b.first,
        last_seen=b.last,
        langs=tuple(sorted(b.langs)),
        nearest_entry=entry,
        nearest_score=score,
        message_ids=tuple(sorted(b.ids)),
    )


CSV_FIELDS = (
    "rank",
    "count",
    "escalated",
    "question",
    "examples",
    "first_seen",
    "last_seen",
    "langs",
    "nearest_entry",
    "nearest_score",
)


def groups_to_csv(groups: Iterable[Group]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for rank, g in enumerate(groups, 1):
        writer.writerow(
            [
                rank,
                g.count,
                g.escalated,
                g.question,
                " | ".join(g.examples),
                g.first_seen.isoformat(),
                g.last_seen.isoformat(),
                " ".join(g.langs),
                g.nearest_entry or "",
                "" if g.nearest_score is None else f"{g.nearest_score:.4f}",
            ]
        )
    return out.getvalue()


# -- the knowledge package's pieces that grouping uses ------------------------------


def normaliser() -> Callable[[str], str]:
    """knowledge.normalize when it is there; NFKC + casefold otherwise."""
    try:
        from knowledge.normalize import normalize
    except ImportError:
        return lambda s: unicodedata.normalize("NFKC", s).lower()
    return normalize


def lemma_features() -> Callable[[str], list[str]] | None:
    """The knowledge package's lemma tokeniser (content words, stop words dropped)."""
    try:
        from knowledge.tokens import lemmas
    except ImportError:
        return None
    return lemmas


def nearest_finder() -> Callable[[str], tuple[str, float] | None] | None:
    """The nearest FAQ entry by the real matcher, built on first use; None without one."""
    try:
        from bot.config import Settings
        from knowledge.cache import load_matcher
    except ImportError:
        return None
    matcher: list[Any] = []

    def nearest(text: str) -> tuple[str, float] | None:
        if not matcher:
            try:
                settings = Settings.from_env()
                matcher.append(load_matcher(settings.kb_path, settings.resolved_cache_dir))
            except Exception:  # a broken FAQ file must not stop the report
                matcher.append(None)
        if matcher[0] is None:
            return None
        ranked = matcher[0].rank(text)
        return (ranked[0].entry.id, float(ranked[0].score)) if ranked else None

    return nearest
