"""The FAQ matcher: a message is read (framing set aside, codes and quotes found, what
it asks classified), every entry its words touch is scored with field BM25 and coverage,
the best candidates get costlier features (best phrasing overlap, rapidfuzz, readings,
intent agreement), and two logistic models turn those into a relevance score per entry
and a calibrated probability that the top entry is the right answer."""

from __future__ import annotations

import itertools
import math
import operator
import re
import threading
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.index import EntryDoc, Index, bm25_ceiling, sorted_words, top_stable
from knowledge.intent import intents
from knowledge.kb import Entry, KnowledgeBase, KnowledgeBaseError, Problem
from knowledge.message import Reading, read_message
from knowledge.normalize import detect_lang, normalize
from knowledge.signals import error_codes, identifiers, phrase_hits
from knowledge.smalltalk import Smalltalk, load_smalltalk
from knowledge.synonyms import SynonymTable, load_synonyms
from knowledge.tables import tables_for
from knowledge.tokens import product_of

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")
# Stage one, per candidate entry: how relevant is it? Each feature is a share, a ratio
# to the best entry or a similarity in 0..1, so it means the same at 22 and 2,000 entries.
FEATURES = (
    "cov_short",  # IDF share of the query the entry's questions/phrasings/keywords hold
    "cov_all",  # ... that the whole entry, answers included, holds
    "bm25_short",  # BM25 of the short field, over the query's ceiling
    "bm25_short_rel",  # BM25 of the short field over the best entry's
    "bm25_answer_rel",  # BM25 of the answer field over the best entry's
    "dice",  # best weighted Dice against one question or phrasing
    "recall",  # best IDF share of one of the entry's own questions that the query holds
    "fuzz",  # best rapidfuzz similarity of a sentence against one unit
    "reading",  # best similarity of the readings (kana typos)
    "intent_shared",  # the query asks what the entry's question asks
    "intent_conflict",  # both ask something, and not the same thing
    "bm25_sum_rel",  # BM25 of both fields together over the best entry's
    "pairs_rel",  # BM25 of adjacent word pairs (word order) over the best entry's
    "missing",  # the highest IDF of a query word the entry lacks, over the highest possible
    "unreported",  # the entry is about an error message; the query reports no problem
    "missing_known",  # ... as "missing", among words the FAQ knows from other entries:
    # a message about a lost e-mail or diploma, not a key, says so in the FAQ's own words
    "arg_missing",  # ... as "missing", among what the message's verbs act on (the noun
    # before を/が/は/も, the word after "the"/"my"): 「メールを消した」 is not about a key
    "direction_conflict",  # the message moves from where the entry's question moves to
    # (「ApacheからIISへ」 against "from IIS to Apache"): the same words, the other way
    "version_conflict",  # the message names a version of a product the entry names only
    # in other versions (IIS 6 and 8 against an entry about IIS 4 and 5)
)
# Stage two judges the top candidate: its relevance, its lead, and how much of the
# question it explains.
CONFIDENCE_FEATURES = (
    "top",  # the top candidate's softmax share
    "gap",  # its lead over the second
    "lin",  # its linear relevance score, squashed: relevant at all, not only the best
    "cov_short",
    "cov_all",
    "recall",
    "fuzz",
    "novel",
    "foreign",
    "intent_conflict",
    "missing",
    "unreported",
    "missing_known",
    "arg_missing",
    "direction_conflict",
    "version_conflict",
    "words",  # how many content words the message has (log scale): long messages
    # naturally leave more words unexplained, and length alone must not refuse
    "english",  # the message is in English: the same overlap means another thing there
    # (a FAQ's English side is often thinner than its Japanese one, or missing)
)
Decision = Literal["answer", "ambiguous", "none", "smalltalk", "human"]
# Costlier features run on this many entries that the first pass favours (plus kana and
# signal candidates); the first pass itself scores every entry the query touches.
CANDIDATES = 16
# A question is matched on its first characters only: a huge paste is not a question, and
# tokenising all of it would only cost time.
MAX_QUESTION_CHARS = 2000
_MAX_SENTENCES = 6
_UNREPORTED = FEATURES.index("unreported")
# What a message reports when it describes a problem rather than asking for a procedure.
# Asking why something happens ("why does my site show another site's certificate?")
# reports that it happens.
_PROBLEM = frozenset({"error", "trouble", "cause"})


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    features: tuple[float, ...] = ()
    signal: bool = False  # an exact error code or quoted message named this entry
    raw: float = 0.0  # the relevance model's linear score, before the softmax


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


def _overlay(path: Path, general: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A FAQ's own thresholds file: only tables and values the general file has, each a
    number. A problem is the FAQ's (KnowledgeBaseError names the file and the value)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeBaseError(f"{path}: {exc}") from None
    wrong: list[str] = []
    for table, values in data.items():
        if not isinstance(values, dict):
            wrong.append(table)
            continue
        known = general.get(table)
        wrong += [
            f"{table}.{key}"
            for key, value in values.items()
            if not isinstance(known, dict) or key not in known
            or isinstance(value, bool) or not isinstance(value, int | float)
        ]
    problems = [
        Problem(str(path), "must be a number that the general thresholds file has "
                "(一般の閾値ファイルにある数値のみ)", field=name)
        for name in wrong
    ]
    if problems:
        raise KnowledgeBaseError(problems)
    return data


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
    # The share of right answers among development questions that report no problem
    # but whose top entry is about an error message (knowledge.calibrate measures it):
    # the most such an answer can be trusted, and below the answer threshold.
    unreported_cap: float = 0.1

    @classmethod
    def load(cls, path: Path = DEFAULT_THRESHOLDS, overlay: Path | None = None) -> Calibration:
        """The calibration in `path`; `overlay` (a FAQ's own thresholds file) replaces
        the values it names, table by table."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if overlay is not None:
            for table, values in _overlay(overlay, data).items():
                data[table].update(values)
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
            unreported_cap=float(d.get("unreported_cap", 0.1)),
        )

    def linear(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Stage one's linear score of each candidate."""
        w = [self.weights.get(n, 0.0) for n in FEATURES]
        if any(len(f) != len(w) for f in rows):
            raise ValueError("a row of features has the wrong length")
        return [sum(map(operator.mul, w, f)) for f in rows]

    def relevance(self, linear: Sequence[float]) -> list[float]:
        """Stage one: a softmax over the candidates (a conditional logit), so each
        candidate's score is its share of being the entry asked about."""
        if not linear:
            return []
        top = max(linear)
        e = [math.exp(max(-60.0, z - top)) for z in linear]
        total = sum(e)
        return [x / total for x in e]

    def apply_signal(self, score: float, mode: str | None) -> float:
        if mode == "code":
            return max(score, self.code_match_floor)
        if mode == "conflict":  # another entry's code: no quoted phrase can rescue this one
            return min(score, self.code_conflict_cap)
        if mode == "phrase":
            return max(score, self.phrase_match_floor)
        return score

    def settle(self, confidence: float, top: Scored) -> float:
        """The confidence decide() reports for the top candidate: an exact signal vouches
        for its entry; an entry about an error, asked by a message that reports no
        problem ("how do I renew" against an error whose cause may be a renewal), is
        never an answer."""
        if top.signal:
            return max(confidence, top.score)
        if top.features[_UNREPORTED] > 0:
            return min(confidence, self.unreported_cap, self.answer - 0.01)
        return confidence

    def vague(self, top: Scored, information: float | None) -> bool:
        """A message too vague to tell entries apart ("証明書", "SSL"), and no exact
        signal: choices at most."""
        return not top.signal and information is not None and information < self.min_information

    def answers(self, top: Scored, confidence: float, information: float | None) -> bool:
        """Whether decide() answers with the top candidate, `confidence` as the model
        gave it (see settle and vague)."""
        return not self.vague(top, information) and self.settle(confidence, top) >= self.answer

    def confident(self, ranked: list[Scored], query: Query | None = None) -> float:
        """Stage two: the probability that the top entry is the right answer."""
        if not ranked or not self.confidence:
            return ranked[0].score if ranked else 0.0
        return _logistic(self.confidence, CONFIDENCE_FEATURES, confidence_features(ranked, query))


@dataclass(frozen=True)
class Query:
    """One message, analysed once: what it says and asks, and its words' weights."""

    text: str
    normalized: str  # the whole message, normalised (quoted messages are looked up in it)
    reading: Reading
    tokens: tuple[str, ...]
    weights: dict[str, float]  # token -> IDF
    mass: float  # sum of weights
    kana: str  # the content's reading
    sentences: tuple[str, ...]  # normalised content sentences, for rapidfuzz
    joined: str  # content lemmas, sorted and joined (index.sorted_words)
    intents: frozenset[str]
    codes: frozenset[str]
    identifiers: frozenset[str]
    arguments: tuple[str, ...]  # tokens that are what the message's verbs act on
    sources: frozenset[str]  # tokens a move it asks about goes from (Index.roles)
    goals: frozenset[str]  # ... and goes to
    versions: frozenset[str]  # its versioned products ("iis6": tokens.product_of)
    information: float  # how much it says that could tell entries apart (Index.information)
    novel: float  # IDF share of words no entry knows
    foreign: float  # ... of those, Latin-letter words (product names: another topic)
    english: bool = False  # letters and no kana or kanji (detect_lang's rule)



def confidence_features(ranked: list[Scored], query: Query | None = None) -> tuple[float, ...]:
    """CONFIDENCE_FEATURES of a non-empty ranking, from its top candidate."""
    top = ranked[0]
    gap = top.score - (ranked[1].score if len(ranked) > 1 else 0.0)
    f = dict(zip(FEATURES, top.features, strict=False))
    novel = query.novel if query else 0.0
    foreign = query.foreign if query else 0.0
    return (
        top.score,
        gap,
        top.raw / (abs(top.raw) + 5.0),
        f.get("cov_short", 0.0),
        f.get("cov_all", 0.0),
        f.get("recall", 0.0),
        f.get("fuzz", 0.0),
        novel,
        foreign,
        f.get("intent_conflict", 0.0),
        f.get("missing", 0.0),
        f.get("unreported", 0.0),
        f.get("missing_known", 0.0),
        f.get("arg_missing", 0.0),
        f.get("direction_conflict", 0.0),
        f.get("version_conflict", 0.0),
        min(1.0, math.log1p(len(query.weights)) / math.log(31)) if query else 0.0,
        float(query is not None and query.english),
    )


def _opposed(q: Query, doc: EntryDoc) -> bool:
    """The message's move runs against the entry's: it starts where the entry's ends,
    or ends where the entry's starts (and not also at the other end)."""
    if q.sources & (doc.goals - doc.sources):
        return True
    return bool(q.goals & (doc.sources - doc.goals))


def _other_version(q: Query, doc: EntryDoc) -> bool:
    """The message names a version of a product that the entry names, but not that one."""
    return any(product_of(t) in doc.products and t not in doc.versions for t in q.versions)


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
        self.kb = kb
        tables = tables_for(kb)
        self.index = Index(kb, synonyms if synonyms is not None else load_synonyms(tables.synonyms))
        self.calibration = calibration or Calibration.load(
            tables.thresholds, tables.own_thresholds
        )
        self.smalltalk = smalltalk or load_smalltalk(tables.smalltalk)
        self._query: Query | None = None
        # add() appends to postings that a running match reads: one at a time (matching
        # is CPU-bound Python under the GIL, so this costs threads almost nothing)
        self._lock = threading.RLock()

    def add(self, entry: Entry) -> None:
        """Use one more (learned) entry at once: it is indexed on its own, nothing is
        rebuilt."""
        with self._lock:
            self.kb = self.kb.with_entries([entry])
            self.index.add(entry)
            self._query = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_query"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # -- reading the message ----------------------------------------------------------

    def query(self, question: str) -> Query:
        """The message analysed: one MeCab pass over its content. Remembered for the
        steps that look at the same message again."""
        last = self._query
        if last is not None and last.text == question:
            return last
        idx = self.index
        text = idx.speller.respell(question)  # English typos read as the FAQ's words
        reading = read_message(text)
        content = reading.content
        tokens, kana = idx.analyse(content)
        dropped: frozenset[str] = frozenset()
        if idx.japanese_only and tokens:
            kept = _without_plain_english(tokens, content, idx.df)
            dropped = frozenset(tokens) - frozenset(kept)
            tokens = kept
        weights = {t: idx.idf(t) for t in sorted(set(tokens))}
        mass = sum(weights.values())
        unknown = [t for t in weights if t not in idx.df]
        # English words an FAQ in Japanese does not know score nothing for any entry, but
        # they are still words the FAQ cannot explain (Wi-Fi, Google Analytics): they
        # count as unknown and foreign in the share of the message left unexplained
        spare = sum(idx.idf(t) for t in sorted(dropped))
        total = mass + spare
        novel = (sum(weights[t] for t in unknown) + spare) / total if total else 0.0
        foreign = (sum(weights[t] for t in unknown if t.isascii()) + spare) / total if total else 0.0
        sentences = tuple(normalize(s) for s in reading.sentences[:_MAX_SENTENCES])
        whole = normalize(content)
        if whole not in sentences:
            sentences += (whole,)
        sources, goals = idx.roles(content)
        versioned = frozenset(t for t in weights if product_of(t))
        said = frozenset(weights) | {p for t in versioned if (p := product_of(t))}
        q = Query(
            text=question,
            normalized=normalize(text),
            reading=reading,
            tokens=tokens,
            weights=weights,
            mass=mass,
            kana=kana,
            sentences=sentences,
            joined=sorted_words(tokens),
            intents=intents(content),
            codes=error_codes(text, sorted(idx.codes)),
            identifiers=identifiers(text),
            arguments=tuple(t for t in idx.arguments(content) if t in weights),
            sources=sources & said,
            goals=goals & said,
            versions=versioned,
            information=idx.information(weights),
            novel=novel,
            foreign=foreign,
            english=detect_lang(question, "ja") == "en",
        )
        self._query = q
        return q

    # -- ranking --------------------------------------------------------------------

    def features(self, question: str) -> list[tuple[int, list[float]]]:
        """FEATURES per candidate entry. The first pass scores every entry the query's
        words touch (numpy over postings); the best CANDIDATES, plus entries found by
        reading or by an exact signal, get the costlier features."""
        q = self.query(question)
        idx = self.index
        if not q.weights and not q.kana:
            return []
        n = idx.size
        mass = q.mass or 1.0
        if q.weights:
            fs = idx.field_scores(q.weights)
        else:
            fs = {k: np.zeros(n) for k in ("bm25_short", "bm25_answer", "cov_short", "cov_all")}
        bm_s, bm_a = fs["bm25_short"], fs["bm25_answer"]
        max_s = float(bm_s.max()) if n else 0.0
        max_a = float(bm_a.max()) if n else 0.0
        rel_s = bm_s / max_s if max_s > 0 else bm_s
        rel_a = bm_a / max_a if max_a > 0 else bm_a
        dice_all, recall_all = (
            idx.unit_scores(q.weights, mass) if q.weights else (np.zeros(n), np.zeros(n))
        )
        cheap = (fs["cov_short"] + fs["cov_all"]) / mass + rel_s + 0.5 * rel_a + dice_all
        both = bm_s + bm_a
        max_both = float(both.max()) if n else 0.0
        pair_bm = idx.pair_scores(q.tokens)
        max_pairs = float(pair_bm.max()) if n else 0.0
        touched = np.flatnonzero(cheap > 0)
        chosen = [int(i) for i in touched[top_stable(-cheap[touched], CANDIDATES)]]
        extra = idx.reading_candidates(q.kana, CANDIDATES // 4)
        for key in sorted(q.codes | q.identifiers):
            extra += idx.signal_entries.get(key, [])
        seen = set(chosen)
        for i in extra:
            if i not in seen:
                seen.add(i)
                chosen.append(i)
        if not chosen:
            return []
        ceiling = bm25_ceiling(mass)
        docs = [idx.docs[i] for i in chosen]
        fuzz_best = _best_per_doc(q.sentences, [d.unit_texts for d in docs], fuzz.ratio)
        if len(q.weights) > 1:
            sort_best = _best_per_doc(
                (q.joined,), [d.unit_sorted for d in docs], fuzz.ratio
            )
            fuzz_best = np.maximum(fuzz_best, sort_best)
        read_best = _best_per_doc((q.kana,), [d.unit_readings for d in docs], fuzz.ratio)
        ceiling_idf = idx.idf("\x00") or 1.0  # what a word no entry uses weighs
        # the query's words, heaviest first: an entry's "missing" is the first it lacks
        heaviest = sorted(q.weights.items(), key=lambda tw: -tw[1])
        known = [(t, w) for t, w in heaviest if t in idx.df]

        def first_lacking(words: list[tuple[str, float]]) -> Any:
            return np.array([next((w for t, w in words if t not in d.vocab), 0.0)
                             for d in docs]) / ceiling_idf
        at = np.asarray(chosen)
        problem_free = bool(q.intents) and not q.intents & _PROBLEM
        shared = [bool(q.intents & d.intents) for d in docs]
        columns = [
            fs["cov_short"][at] / mass,
            fs["cov_all"][at] / mass,
            bm_s[at] / ceiling,
            rel_s[at],
            rel_a[at],
            dice_all[at],
            recall_all[at],
            fuzz_best / 100,
            read_best / 100,
            np.array(shared, dtype=float),
            np.array(
                [bool(q.intents and d.intents and not s) for d, s in zip(docs, shared, strict=True)],
                dtype=float,
            ),
            both[at] / max_both if max_both > 0 else np.zeros(len(at)),
            pair_bm[at] / max_pairs if max_pairs > 0 else np.zeros(len(at)),
            first_lacking(heaviest),
            np.array([problem_free and "error" in d.intents for d in docs], dtype=float),
            first_lacking(known),
            first_lacking([(t, w) for t, w in heaviest if t in q.arguments]),
            np.array([_opposed(q, d) for d in docs], dtype=float),
            np.array([_other_version(q, d) for d in docs], dtype=float),
        ]
        rows: list[list[float]] = np.column_stack(columns).tolist()
        return list(zip(chosen, rows, strict=True))

    def signal(self, q: Query, doc: EntryDoc) -> tuple[str | None, bool]:
        """An exact signal between the message and one entry: "code" (a code both name),
        "conflict" (the message names another code than the entry's), "phrase" (a
        quoted message or error identifier the entry names), or None."""
        if q.codes and doc.signals.codes:
            return ("code", True) if q.codes & doc.signals.codes else ("conflict", False)
        if (q.identifiers & doc.signals.identifiers) or phrase_hits(q.normalized, doc.signals):
            return "phrase", True
        return None, False

    def rank(self, question: str) -> list[Scored]:
        cal = self.calibration
        q = self.query(question)
        feats = self.features(question)
        docs = [self.index.docs[i] for i, _ in feats]
        return ordered(
            cal,
            [i for i, _ in feats],
            [d.entry for d in docs],
            [f for _, f in feats],
            [self.signal(q, d) for d in docs],
            cal.linear([f for _, f in feats]),
        )

    def match(self, question: str, *, default_lang: str = "ja", top: int = 3) -> MatchResult:
        """`top`: how many ranked candidates the result lists (the decision is the same)."""
        with self._lock:
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
        q = self.query(question)
        result = self.decide(question, lang, ranked, q.information, q)
        return replace(result, candidates=tuple(ranked[:top_n])) if result.candidates else result

    def _courtesy_with_a_word(self, question: str) -> str | None:
        """ "Thanks, that fixed it" and "まだいますか": a courtesy and at most one other
        word, no question mark and no error code, is small talk too."""
        kind, rest = self.smalltalk.courtesy(normalize(question))  # as classify() asked it
        if kind is None or kind == "help" or "?" in rest or "？" in rest or error_codes(rest):
            return None
        return kind if len(set(self.index.tokens(rest))) <= 1 else None

    def decide(
        self,
        question: str,
        lang: str,
        ranked: list[Scored],
        information: float | None = None,
        query: Query | None = None,
    ) -> MatchResult:
        """Answer, ambiguous or none. The score is the confidence that the top entry is
        right; an exact signal (error code, quoted message) vouches for its entry. A
        question too vague to tell entries apart ("証明書", "SSL") gets choices at most."""
        cal = self.calibration
        top = tuple(ranked[: cal.candidates])
        if not top:
            return MatchResult(question, lang, "none", 0.0, None, ())
        raw = cal.confident(ranked, query if query is not None else self.query(question))
        confidence = cal.settle(raw, top[0])
        if cal.answers(top[0], raw, information):
            return MatchResult(question, lang, "answer", confidence, top[0].entry, top)
        if cal.vague(top[0], information):
            if confidence >= cal.ambiguous and len(top) > 1:
                return MatchResult(question, lang, "ambiguous", confidence, None, top)
            return MatchResult(question, lang, "none", confidence, None, top)
        s2 = top[1].score if len(top) > 1 else 0.0
        if confidence >= cal.ambiguous and top[0].score - s2 <= cal.close:
            return MatchResult(question, lang, "ambiguous", confidence, None, top)
        return MatchResult(question, lang, "none", confidence, None, top)


def ordered(
    cal: Calibration,
    indices: Sequence[int],
    entries: Sequence[Entry],
    rows: Sequence[Sequence[float]],
    signals: Sequence[tuple[str | None, bool]],
    linear: Sequence[float],
) -> list[Scored]:
    """Candidates as Matcher.rank returns them (and knowledge.calibrate scores them):
    each one's softmax share, moved by its exact signal, best first, ties by entry."""
    scored = []
    for i, entry, f, (mode, signal), z, p in zip(
        indices, entries, rows, signals, linear, cal.relevance(linear), strict=True
    ):
        score = cal.apply_signal(p, mode)
        scored.append((-score, i, Scored(entry, score, tuple(f), signal, z)))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [s for _, _, s in scored]


_NAME = re.compile(r"[A-Za-z0-9]*(?:[A-Z][A-Za-z0-9]*[A-Z0-9]|[0-9])[A-Za-z0-9]*")


def _without_plain_english(tokens: tuple[str, ...], text: str, known: Any) -> tuple[str, ...]:
    """An FAQ written mostly in Japanese knows no English words but its product names:
    plain English words of the question ("create", "error") are neither evidence for an
    entry nor against all of them. Names (HAProxy, IIS, TLS1.3) count as usual."""
    names = {m.casefold() for m in _NAME.findall(text)}
    return tuple(t for t in tokens if t in known or not t.isascii() or t in names)


def _best_per_doc(queries: Sequence[str], choices: list[list[str]], scorer: Any) -> Any:
    """For each candidate, the best `scorer` similarity of any query string against any
    of its strings: one rapidfuzz cdist call over all candidates' strings."""
    flat = list(itertools.chain.from_iterable(choices))
    best = np.zeros(len(choices))
    queries = [x for x in queries if x]
    if not flat or not queries:
        return best
    matrix = process.cdist(queries, flat, scorer=scorer, dtype=np.float32).max(axis=0)
    sizes = np.fromiter((len(g) for g in choices), dtype=np.int64, count=len(choices))
    filled = sizes > 0
    starts = np.concatenate(([0], np.cumsum(sizes[filled])[:-1]))
    best[filled] = np.maximum.reduceat(matrix, starts)
    return best
