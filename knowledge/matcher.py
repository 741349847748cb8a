"""The hybrid FAQ matcher: lemma coverage, best-phrasing similarity, BM25, rapidfuzz and
exact signals, combined into a calibrated 0..1 score and one of three decisions."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

from knowledge.index import Index
from knowledge.kb import Entry, KnowledgeBase
from knowledge.normalize import detect_lang, normalize
from knowledge.signals import error_codes, phrase_hits
from knowledge.smalltalk import Smalltalk, load_smalltalk
from knowledge.synonyms import SynonymTable, load_synonyms
from knowledge.tables import tables_for

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")
FEATURES = (
    "coverage",
    "unit_sim",
    "bm25",
    "fuzz",
    "reading",
    "novel",
    "margin",
    "phrased",
    "foreign",
)
# The second stage judges the top candidate: its relevance, its lead over the runner-up,
# and how much of the question it explains.
CONFIDENCE_FEATURES = (
    "top",
    "gap",
    "coverage",
    "unit_sim",
    "fuzz",
    "reading",
    "novel",
    "phrased",
    "foreign",
)
Decision = Literal["answer", "ambiguous", "none", "smalltalk", "human"]
# Per-phrasing features (overlap, rapidfuzz, readings) run on this many entries that the
# postings sums favour; the rest of a large knowledge base is never touched.
_TOP = 8
# A question is matched on its first characters only: a huge paste is not a question, and
# tokenising all of it would only cost time.
MAX_QUESTION_CHARS = 2000


def _best(query: str, choices: list[str], scorer: Any) -> float:
    """The best rapidfuzz score of `query` against any of `choices`, in one C call."""
    hit = process.extractOne(query, choices, scorer=scorer)
    return float(hit[1]) if hit else 0.0


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    features: tuple[float, ...] = ()
    signal: bool = False  # an exact error code or quoted message named this entry


@dataclass(frozen=True)
class MatchResult:
    question: str
    lang: str
    decision: Decision
    score: float
    entry: Entry | None  # set when decision == "answer"
    candidates: tuple[Scored, ...]
    smalltalk: str | None = None  # "greeting" | "thanks" | "human" ...

    @property
    def answered(self) -> bool:
        return self.decision == "answer"

    @property
    def best(self) -> Scored | None:
        return self.candidates[0] if self.candidates else None

    def to_json(self) -> dict[str, Any]:
        """The `certdesk ask --json` line (DESIGN.md)."""
        lang = self.lang
        return {
            "question": self.question,
            "answered": self.answered,
            "lang": lang,
            "score": round(self.score, 4),
            "decision": self.decision,
            "entry": None
            if self.entry is None
            else {
                "id": self.entry.id,
                "question": self.entry.question(lang),
                "answer": self.entry.answer(lang),
            },
            "candidates": [
                {"id": c.entry.id, "question": c.entry.question(lang), "score": round(c.score, 4)}
                for c in self.candidates
            ],
        }


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float]
    confidence: dict[str, float]
    code_match_floor: float
    code_conflict_cap: float
    phrase_match_floor: float
    answer: float
    ambiguous: float
    close: float
    candidates: int
    min_information: float

    @classmethod
    def load(cls, path: Path = DEFAULT_THRESHOLDS) -> Calibration:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        s, d = data["signals"], data["decision"]
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            confidence={k: float(v) for k, v in data.get("confidence", {}).items()},
            code_match_floor=float(s["code_match_floor"]),
            code_conflict_cap=float(s["code_conflict_cap"]),
            phrase_match_floor=float(s["phrase_match_floor"]),
            answer=float(d["answer"]),
            ambiguous=float(d["ambiguous"]),
            close=float(d["close"]),
            candidates=int(d["candidates"]),
            min_information=float(d["min_information"]),
        )

    def combine(self, features: Iterable[float]) -> float:
        """Stage one: how relevant one entry is to the question."""
        return _logistic(self.weights, FEATURES, features)

    def confident(self, ranked: list[Scored]) -> float:
        """Stage two: the probability that the top entry is the right answer."""
        if not ranked or not self.confidence:
            return ranked[0].score if ranked else 0.0
        return _logistic(self.confidence, CONFIDENCE_FEATURES, confidence_features(ranked))


def confidence_features(ranked: list[Scored]) -> tuple[float, ...]:
    """CONFIDENCE_FEATURES of a non-empty ranking, from its top candidate."""
    top = ranked[0]
    gap = top.score - (ranked[1].score if len(ranked) > 1 else 0.0)
    f = top.features
    return (top.score, gap, f[0], f[1], f[3], f[4], f[5], f[7], f[8])


def _logistic(weights: dict[str, float], names: tuple[str, ...], values: Iterable[float]) -> float:
    z = weights.get("bias", 0.0) + sum(
        weights.get(n, 0.0) * v for n, v in zip(names, values, strict=True)
    )
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


class Matcher:
    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        calibration: Calibration | None = None,
        smalltalk: Smalltalk | None = None,
        synonyms: SynonymTable | None = None,
    ) -> None:
        """Tables not given are the knowledge base's own (knowledge/tables.py): another
        FAQ never gets the bundled FAQ's SSL synonyms."""
        self.kb = kb
        tables = tables_for(kb)
        self.index = Index(kb, synonyms if synonyms is not None else load_synonyms(tables.synonyms))
        self.calibration = calibration or Calibration.load(tables.thresholds)
        self.smalltalk = smalltalk or load_smalltalk(tables.smalltalk)

    def add(self, entry: Entry) -> None:
        """Use one more entry (a learned one) from now on, without rebuilding the index."""
        self.index.add(entry)
        self.kb = self.kb.with_entries([entry])

    def features(self, question: str) -> list[tuple[int, list[float]]]:
        """Features per candidate entry (see FEATURES), margin filled in: each entry's
        lead over the best other entry, in -1..1. Cheap postings sums pick the
        candidates; the costlier per-phrasing features run only on those."""
        idx = self.index
        query = idx.tokens(question)
        qw = {t: idx.idf.get(t, idx.unknown_idf) for t in query}
        q_reading = idx.reading(question)
        if not qw and not q_reading:
            return []
        w_q = sum(qw.values()) or 1.0
        novel = sum(w for t, w in qw.items() if t not in idx.vocab) / w_q
        # Latin-letter words no entry knows are mostly product and protocol names (nginx,
        # HSTS, certbot): a question about something else. Kana typos are not among them.
        foreign = sum(w for t, w in qw.items() if t not in idx.vocab and t.isascii()) / w_q
        ceiling = idx.bm25_ceiling(w_q)
        acc = idx.accumulate(qw)
        ranked = sorted(acc, key=lambda i: -(acc[i][0] / w_q + acc[i][1] / ceiling))
        chosen = ranked[:_TOP]
        for i in idx.reading_candidates(q_reading, _TOP // 2):
            if i not in acc:
                chosen.append(i)
        qset = qw.keys()
        norm_q = normalize(question)
        joined_q = " ".join(query)
        many_words = len(qw) > 1
        out: list[tuple[int, list[float]]] = []
        for i in chosen:
            doc = idx.docs[i]
            covered, bm25 = idx.exact(i, qw)
            unit_sim = 0.0
            for k, u in enumerate(doc.unit_sets):
                shared = u & qset
                if shared:
                    w_shared = math.fsum(qw[t] for t in shared)  # exact: any set order
                    unit_sim = max(unit_sim, 2 * w_shared / (w_q + doc.unit_weights[k]))
            best = _best(norm_q, doc.unit_texts, fuzz.ratio)
            if many_words:
                best = max(best, _best(joined_q, doc.unit_joined, fuzz.token_sort_ratio))
            best_reading = _best(q_reading, doc.unit_readings, fuzz.ratio)
            f = [
                covered / w_q,
                unit_sim,
                bm25 / ceiling,
                best / 100,
                best_reading / 100,
                novel,
                0.0,  # margin, below
                # the share the entry's questions, phrasings and keywords explain: words
                # found only in a long answer ("fix" in "Microsoft fix") are weak evidence
                sum(w for t, w in qw.items() if t in doc.short_vocab) / w_q,
                foreign,
            ]
            out.append((i, f))
        base = [sum(f[:5]) / 5.0 for _, f in out]
        order = sorted(range(len(out)), key=lambda k: -base[k])
        first = base[order[0]] if order else 0.0
        second = base[order[1]] if len(order) > 1 else 0.0
        for k, (_, f) in enumerate(out):
            f[6] = max(-1.0, min(1.0, base[k] - (second if k == order[0] else first)))
        return out

    def rank(self, question: str) -> list[Scored]:
        cal = self.calibration
        q_codes = error_codes(question)
        norm_q = normalize(question)
        scored: list[Scored] = []
        for i, f in self.features(question):
            score = cal.combine(f)
            doc = self.index.docs[i]
            signal = False
            if q_codes and doc.signals.codes:
                if q_codes & doc.signals.codes:
                    score, signal = max(score, cal.code_match_floor), True
                else:  # another entry's code: no quoted phrase can rescue this one
                    score = min(score, cal.code_conflict_cap)
            elif phrase_hits(norm_q, doc.signals):
                score, signal = max(score, cal.phrase_match_floor), True
            scored.append(Scored(doc.entry, score, tuple(f), signal))
        scored.sort(key=lambda s: -s.score)
        return scored

    def match(self, question: str, *, default_lang: str = "ja", top: int = 3) -> MatchResult:
        """`top`: how many ranked candidates the result lists (the decision is the same)."""
        result = self._match(question[:MAX_QUESTION_CHARS], default_lang, top)
        return result if len(question) <= MAX_QUESTION_CHARS else replace(result, question=question)

    def _match(self, question: str, default_lang: str, top_n: int = 3) -> MatchResult:
        lang = detect_lang(question, default_lang)
        kind = self.smalltalk.classify(question)
        if kind is None:
            kind = self._courtesy_with_a_word(question)
        if kind is not None:
            decision: Decision = "human" if kind == "human" else "smalltalk"
            ranked = self.rank(self.smalltalk.strip(question)) if kind == "human" else []
            top = tuple(ranked[:top_n])
            return MatchResult(question, lang, decision, 0.0, None, top, smalltalk=kind)
        ranked = self.rank(question)
        result = self.decide(question, lang, ranked, self.index.information(question))
        return replace(result, candidates=tuple(ranked[:top_n])) if result.candidates else result

    def _courtesy_with_a_word(self, question: str) -> str | None:
        """ "Thanks, that fixed it" and "まだいますか": a courtesy and at most one other
        word, no question mark and no error code, is small talk too."""
        kind, rest = self.smalltalk.courtesy(question)
        if kind is None or kind == "help" or "?" in rest or "?" in rest or error_codes(rest):
            return None
        return kind if len(set(self.index.tokens(rest))) <= 1 else None

    def decide(
        self, question: str, lang: str, ranked: list[Scored], information: float | None = None
    ) -> MatchResult:
        """Answer, ambiguous or none. The score is the confidence that the top entry is
        right; an exact signal (error code, quoted message) vouches for its entry. A
        question too vague to tell entries apart ("証明書", "SSL") gets choices at most."""
        cal = self.calibration
        top = tuple(ranked[: cal.candidates])
        if not top:
            return MatchResult(question, lang, "none", 0.0, None, ())
        confidence = cal.confident(ranked)
        if top[0].signal:
            confidence = max(confidence, top[0].score)
        elif information is not None and information < cal.min_information:
            if confidence >= cal.ambiguous and len(top) > 1:
                return MatchResult(question, lang, "ambiguous", confidence, None, top)
            return MatchResult(question, lang, "none", confidence, None, top)
        s2 = top[1].score if len(top) > 1 else 0.0
        if confidence >= cal.answer:
            return MatchResult(question, lang, "answer", confidence, top[0].entry, top)
        if confidence >= cal.ambiguous and top[0].score - s2 <= cal.close:
            return MatchResult(question, lang, "ambiguous", confidence, None, top)
        return MatchResult(question, lang, "none", confidence, None, top)
