"""The hybrid FAQ matcher: lemma coverage, best-phrasing similarity, BM25, rapidfuzz and
exact signals, combined into a calibrated 0..1 score and one of three decisions."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz

from knowledge.index import Index
from knowledge.kb import Entry, KnowledgeBase
from knowledge.normalize import detect_lang, normalize
from knowledge.signals import error_codes, phrase_hits
from knowledge.smalltalk import Smalltalk, load_smalltalk
from knowledge.synonyms import load_synonyms
from knowledge.tokens import reading

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")
FEATURES = ("coverage", "unit_sim", "bm25", "fuzz", "reading", "novel", "margin")
Decision = Literal["answer", "ambiguous", "none", "smalltalk", "human"]
# rapidfuzz is only worth its cost on the entries that lexical features already favour.
_FUZZ_TOP = 12


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    features: tuple[float, ...] = ()


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
    code_match_floor: float
    code_conflict_cap: float
    phrase_match_floor: float
    answer: float
    ambiguous: float
    close: float
    candidates: int

    @classmethod
    def load(cls, path: Path = DEFAULT_THRESHOLDS) -> Calibration:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        s, d = data["signals"], data["decision"]
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            code_match_floor=float(s["code_match_floor"]),
            code_conflict_cap=float(s["code_conflict_cap"]),
            phrase_match_floor=float(s["phrase_match_floor"]),
            answer=float(d["answer"]),
            ambiguous=float(d["ambiguous"]),
            close=float(d["close"]),
            candidates=int(d["candidates"]),
        )

    def combine(self, features: Iterable[float]) -> float:
        w = self.weights
        z = w.get("bias", 0.0) + sum(w.get(n, 0.0) * f for n, f in zip(FEATURES, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


class Matcher:
    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        calibration: Calibration | None = None,
        smalltalk: Smalltalk | None = None,
    ) -> None:
        self.kb = kb
        self.index = Index(kb, load_synonyms())
        self.calibration = calibration or Calibration.load()
        self.smalltalk = smalltalk or load_smalltalk()

    def features(self, question: str) -> list[tuple[int, list[float]]]:
        """Features per candidate entry (see FEATURES), margin filled in: each entry's
        lexical lead over the best other entry, in -1..1."""
        idx = self.index
        query = idx.tokens(question)
        qset = set(query)
        q_reading = reading(question)
        if not qset and not q_reading:
            return []
        w_q = sum(idx.weight(t) for t in qset) or 1.0
        novel = sum(idx.weight(t) for t in qset - idx.vocab) / w_q
        ceiling = idx.bm25_ceiling(query)
        rows: dict[int, list[float]] = {}
        for i in idx.candidates(qset):
            doc = idx.docs[i]
            covered = sum(idx.weight(t) for t in qset & doc.vocab)
            unit_sim = 0.0
            for u in doc.unit_sets:
                shared = qset & u
                if shared:
                    w_shared = sum(idx.weight(t) for t in shared)
                    w_u = sum(idx.weight(t) for t in u)
                    unit_sim = max(unit_sim, 2 * w_shared / (w_q + w_u))
            rows[i] = [covered / w_q, unit_sim, idx.bm25(query, i) / ceiling, 0.0, 0.0, novel, 0.0]
        ordered = sorted(rows, key=lambda i: -sum(rows[i][:3]))[:_FUZZ_TOP]
        for i in idx.reading_candidates(q_reading, _FUZZ_TOP // 2):
            if i not in rows:
                rows[i] = [0.0, 0.0, 0.0, 0.0, 0.0, novel, 0.0]
                ordered.append(i)
        norm_q = normalize(question)
        joined_q = " ".join(query)
        for i in ordered:
            doc = idx.docs[i]
            best = best_reading = 0.0
            for text, unit, unit_reading in zip(
                doc.unit_texts, doc.units, doc.unit_readings, strict=True
            ):
                best = max(
                    best,
                    fuzz.ratio(norm_q, text),
                    fuzz.token_set_ratio(joined_q, " ".join(unit)) if len(qset) > 1 else 0.0,
                )
                best_reading = max(best_reading, fuzz.ratio(q_reading, unit_reading))
            rows[i][3] = best / 100.0
            rows[i][4] = best_reading / 100.0
        out = list(rows.items())
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
            if q_codes and doc.signals.codes:
                if q_codes & doc.signals.codes:
                    score = max(score, cal.code_match_floor)
                else:  # another entry's code: no quoted phrase can rescue this one
                    score = min(score, cal.code_conflict_cap)
            elif phrase_hits(norm_q, doc.signals):
                score = max(score, cal.phrase_match_floor)
            scored.append(Scored(doc.entry, score, tuple(f)))
        scored.sort(key=lambda s: -s.score)
        return scored

    def match(self, question: str, *, default_lang: str = "ja") -> MatchResult:
        lang = detect_lang(question, default_lang)
        kind = self.smalltalk.classify(question)
        if kind is not None:
            decision: Decision = "human" if kind == "human" else "smalltalk"
            ranked = self.rank(self.smalltalk.strip(question)) if kind == "human" else []
            top = tuple(ranked[: self.calibration.candidates])
            return MatchResult(question, lang, decision, 0.0, None, top, smalltalk=kind)
        return self.decide(question, lang, self.rank(question))

    def decide(self, question: str, lang: str, ranked: list[Scored]) -> MatchResult:
        """Answer, ambiguous or none, from the ranked candidates and the calibration."""
        cal = self.calibration
        top = tuple(ranked[: cal.candidates])
        if not top:
            return MatchResult(question, lang, "none", 0.0, None, ())
        s1 = top[0].score
        s2 = top[1].score if len(top) > 1 else 0.0
        if s1 >= cal.answer and s1 - s2 >= cal.close:
            return MatchResult(question, lang, "answer", s1, top[0].entry, top)
        if s1 >= cal.ambiguous and s2 >= cal.ambiguous:
            return MatchResult(question, lang, "ambiguous", s1, None, top)
        if s1 >= cal.answer:  # close runner-up, but it is below the bar: still answer
            return MatchResult(question, lang, "answer", s1, top[0].entry, top)
        return MatchResult(question, lang, "none", s1, None, top)
