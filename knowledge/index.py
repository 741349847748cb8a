"""An inverted index over the lemmas of each entry, in two fields: the short texts
(questions, phrasings, keywords) and the answers.

A query is scored against every entry its words touch, with numpy over postings: BM25
per field and the IDF share of the query each field explains. Per-unit data (each
question, phrasing and keyword as a token set, its normalised text and its reading) is
kept for the costlier features the matcher computes on the best candidates only.
Entries can be added one at a time (learned answers) without rebuilding anything.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from knowledge import glossary
from knowledge.intent import intents
from knowledge.kb import Entry, KnowledgeBase
from knowledge.message import FRAMING_LEMMAS
from knowledge.normalize import fold_long_vowels, normalize
from knowledge.signals import SignalSet
from knowledge.spelling import Speller
from knowledge.synonyms import SynonymTable
from knowledge.tokens import HIRAGANA_TO_KATAKANA, analyse, lemmas, product_of

_K1 = 1.2
_B = 0.75
FIELDS = ("short", "answer")
# field_scores' columns, in the order Index._token_columns stacks them
_COLUMNS = ("cov_all", "bm25_short", "bm25_answer", "cov_short")
# Per-word scoring columns kept at most this many postings (~1.6 MB per 50,000), then
# started over: a long-running bot meets every word of a big FAQ sooner or later.
_COLUMNS_MAX = 400_000


class _Remembered(NamedTuple):
    """The last text the index read, and what it read in it."""

    text: str | None
    tokens: tuple[str, ...]
    reading: str
    arguments: tuple[str, ...]
    sources: frozenset[str]
    goals: frozenset[str]


@dataclass
class EntryDoc:
    entry: Entry
    units: list[tuple[str, ...]]  # questions, phrasings, keywords (lemmas)
    unit_texts: list[str]  # the same units, normalised, for fuzzy comparison (distinct)
    vocab: frozenset[str]  # the words of its short units and answers
    signals: SignalSet
    intents: frozenset[str]  # what the entry's own question asks
    unit_sets: list[frozenset[str]] = field(default_factory=list)
    unit_readings: list[str] = field(default_factory=list)
    # lemmas joined in sorted order: fuzz.ratio on these is fuzz.token_sort_ratio, without
    # sorting every candidate's units again for each message
    unit_sorted: list[str] = field(default_factory=list)
    questions: int = 0  # how many of the units are the entry's own questions (the first ones)
    # where the move its own questions ask about goes from and to (Analysis.sources/goals)
    sources: frozenset[str] = frozenset()
    goals: frozenset[str] = frozenset()
    # the versioned products it names ("iis4", "iis5") and those products ("iis")
    versions: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()


def _distinct(strings: Iterable[str]) -> list[str]:
    """Each string once, first come first: fuzzy matching takes the best per entry, so a
    repeated phrasing only costs time."""
    return list(dict.fromkeys(strings))


def sorted_words(lemmas: Iterable[str]) -> str:
    """Lemmas as fuzz.token_sort_ratio compares them: split on whitespace, sorted, joined."""
    return " ".join(sorted(" ".join(lemmas).split()))


_HIRAGANA_RUN = re.compile(r"[\u3041-\u3096ー]{3,}")


def content_lemmas(lemmas: list[str]) -> list[str]:
    """Lemmas without the politeness and asking words every message has (御, 教える,
    幸い): what is asked is read by `knowledge.intent`, not by word overlap."""
    return [t for t in lemmas if t not in FRAMING_LEMMAS]


# Id lists up to this long stay tuples: a numpy array costs ~180 bytes before its first
# element, and most tokens (word pairs, reading bigrams) belong to a handful of entries.
_SMALL = 16
# Japanese words an English word is read as, at most: "certificate" is 証明書 and 証書 in
# most FAQs, and a third sense is rarely the one meant.
TRANSLATIONS = 2
_GLOSSED_MAX = 20_000  # English words remembered with their readings, at most


class _IdLists:
    """token -> ids in ascending order. Built as Python lists, then kept compact
    (`freeze`, after the index is built): long lists as numpy arrays, short ones as
    tuples made into arrays when read. A token that gains an id later goes back to a
    list until it is next read."""

    def __init__(self, dtype: Any = np.int32) -> None:
        self._lists: dict[str, list[int]] = defaultdict(list)
        self._frozen: dict[str, Any] = {}  # an array, or a tuple of at most _SMALL ids
        self._dtype = dtype

    def append(self, tok: str, i: int) -> None:
        frozen = self._frozen.pop(tok, None)
        if frozen is not None:
            self._lists[tok] = list(frozen)
        self._lists[tok].append(i)

    def get(self, tok: str) -> Any:
        """The ids of `tok` as an array, or None when no entry has it."""
        hit = self._frozen.get(tok)
        if hit is None:
            ids = self._lists.pop(tok, None)
            if not ids:
                return None
            hit = self._frozen[tok] = (
                tuple(ids) if len(ids) <= _SMALL else np.asarray(ids, dtype=self._dtype)
            )
        return np.asarray(hit, dtype=self._dtype) if isinstance(hit, tuple) else hit

    def raw(self, tok: str) -> Any:
        """The ids of `tok` as stored, a tuple or an array (no conversion), or None."""
        hit = self._frozen.get(tok)
        return hit if hit is not None else self.get(tok) if tok in self._lists else None

    def freeze(self) -> None:
        for tok in sorted(self._lists):
            self.get(tok)
        self._lists = defaultdict(list)


class _Postings:
    """token -> (entry ids, term frequencies), growing by appends, kept as arrays once
    built (`_IdLists`)."""

    def __init__(self) -> None:
        self.ids = _IdLists()
        # term frequencies are small whole numbers: float32 holds them exactly
        self.tfs = _IdLists(np.float32)
        self.lengths: list[float] = []
        self.total = 0.0
        self._lengths: Any = None

    def add(self, doc: int, tf: Counter[str]) -> None:
        for tok in sorted(tf):
            self.ids.append(tok, doc)
            self.tfs.append(tok, tf[tok])
        n = float(sum(tf.values()))
        self.lengths.append(n)
        self.total += n
        self._lengths = None

    def arrays(self, tok: str) -> tuple[Any, Any] | None:
        ids = self.ids.get(tok)
        return None if ids is None else (ids, self.tfs.get(tok))

    def freeze(self) -> None:
        self.ids.freeze()
        self.tfs.freeze()

    def length_norm(self) -> Any:
        """K1 * (1 - B + B * len / avg) per entry: BM25's length normalisation."""
        if self._lengths is None:
            lengths = np.asarray(self.lengths, dtype=np.float64)
            avg = self.total / max(len(self.lengths), 1) or 1.0
            self._lengths = _K1 * (1 - _B + _B * lengths / avg)
        return self._lengths


class Index:
    def __init__(self, kb: KnowledgeBase, synonyms: SynonymTable) -> None:
        self.synonyms = synonyms
        self.kana_lemmas: dict[str, str] = {}
        self.speller = Speller()  # the FAQ's English words, for typos in questions
        self._last = _Remembered(None, (), "", (), frozenset(), frozenset())
        self._kinds: dict[str, tuple[str, ...]] = {}  # _INSTANCES kind -> its tokens
        self._glossed: dict[str, tuple[str, ...]] = {}  # English key -> its tokens here
        self.docs: list[EntryDoc] = []
        self.english = 0  # entries written in English too (Entry.has_lang)
        self.df: Counter[str] = Counter()
        # entries whose own questions or answers use a word (phrasings and keywords left
        # out): how much a message says is measured on these (information)
        self.core_df: Counter[str] = Counter()
        self.fields = {name: _Postings() for name in FIELDS}
        # adjacent lemma pairs of every text: word order ("ファイル 認証" is not "認証 ファイル")
        self.pairs = _Postings()
        self.pair_df: Counter[str] = Counter()
        self.reading_postings = _IdLists()
        self.codes: set[str] = set()
        self.signal_entries: dict[str, list[int]] = defaultdict(list)  # code -> entries
        self.any_field = _IdLists()  # token -> entries holding it
        self._idf: dict[str, float] = {}
        self._core_idf: dict[str, float] = {}
        # Every unit of every entry, in entry order: unit postings give each unit's share
        # of the query at once (numpy), for all entries.
        self.unit_postings = _IdLists()
        self.unit_start: list[int] = []  # first unit of each entry
        self.unit_count: list[int] = []
        self.unit_question: list[bool] = []  # the unit is one of the entry's own questions
        self.unit_mass: list[float] = []  # IDF mass of each unit, at the size `_mass_at`
        self._mass_at = 0
        self._unit_np: tuple[Any, Any, Any, Any] | None = None
        self._columns: dict[str, tuple[Any, Any]] = {}  # see _token_columns
        self._columns_size = 0
        for e in kb:
            self.add(e)
        self._refresh_unit_mass()
        for postings in (*self.fields.values(), self.pairs):
            postings.freeze()
        for ids in (self.any_field, self.reading_postings, self.unit_postings):
            ids.freeze()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_columns"], state["_columns_size"] = {}, 0  # rebuilt as queries need them
        return state

    # -- building -------------------------------------------------------------------

    def add(self, e: Entry) -> None:
        """Index one more entry. Costs its own texts' tokenisation and appends to the
        postings it touches; nothing else is recomputed."""
        i = len(self.docs)
        doc, short_tf, answer_tf, pairs_tf, core = self._doc(e)
        self.docs.append(doc)
        self.english += e.has_lang("en")
        self.df.update(doc.vocab)
        self.core_df.update(core)
        self.fields["short"].add(i, short_tf)
        self.fields["answer"].add(i, answer_tf)
        self.pairs.add(i, pairs_tf)
        self.pair_df.update(pairs_tf.keys())
        for tok in sorted(doc.vocab):
            self.any_field.append(tok, i)
        for g in sorted({g for r in doc.unit_readings for g in bigrams(r)}):
            self.reading_postings.append(g, i)
        self.codes |= doc.signals.codes
        for key in sorted(doc.signals.codes | doc.signals.identifiers):
            self.signal_entries[key].append(i)
        self._columns, self._columns_size = {}, 0
        self._glossed = {}  # the vocabulary grew
        self.unit_start.append(len(self.unit_mass))
        self.unit_count.append(len(doc.unit_sets))
        for k, u in enumerate(doc.unit_sets):
            uid = len(self.unit_mass)
            for tok in sorted(u):
                self.unit_postings.append(tok, uid)
            self.unit_question.append(k < doc.questions)
            self.unit_mass.append(
                math.fsum(self.idf(t) for t in sorted(u)) if self._mass_at else 0.0
            )
        self._unit_np = None
        if self._mass_at and len(self.docs) > self._mass_at * 1.1:
            self._refresh_unit_mass()  # IDF drifted: recompute every unit's mass

    def _refresh_unit_mass(self) -> None:
        self.unit_mass = [
            math.fsum(self.idf(t) for t in sorted(u)) for d in self.docs for u in d.unit_sets
        ]
        self._mass_at = len(self.docs)
        self._unit_np = None
        self._idf = {}  # N changed: every IDF did
        self._core_idf = {}

    def _doc(
        self, e: Entry
    ) -> tuple[EntryDoc, Counter[str], Counter[str], Counter[str], frozenset[str]]:
        """One entry's document. Each text goes through MeCab once; the Japanese short
        texts also teach `kana_lemmas` the readings of their words (kana recovery)."""
        short_texts = [e.question_ja, e.question_en, *e.phrasings_ja, *e.phrasings_en]
        short_texts += [*e.keywords_ja, *e.keywords_en]
        japanese = {e.question_ja, *e.phrasings_ja, *e.keywords_ja}
        analyses = [analyse(t) for t in short_texts]
        for text, a in zip(short_texts, analyses, strict=True):
            if text in japanese:
                for kana, lemma in a.readings:
                    if len(kana) >= 3:
                        self.kana_lemmas.setdefault(kana, lemma)
        self.speller.learn([*short_texts, e.answer_ja, e.answer_en])
        units = [tuple(self.synonyms.apply(content_lemmas(a.lemmas))) for a in analyses]
        # answers need lemmas only; an English field copied from the Japanese is read once
        answer_ja = lemmas(e.answer_ja)
        answer_en = answer_ja if e.answer_en == e.answer_ja else lemmas(e.answer_en)
        answer = self.synonyms.apply(content_lemmas(answer_ja + answer_en))
        short_tf: Counter[str] = Counter()
        for u in units[:2]:  # the questions themselves count double
            short_tf.update(u)
        for u in units:
            short_tf.update(u)
        answer_tf = Counter(answer)
        pairs_tf: Counter[str] = Counter(p for u in units for p in pairs(u))
        pairs_tf.update(pairs(answer))
        kept = [k for k, u in enumerate(units) if u]
        doc = EntryDoc(
            entry=e,
            units=[units[k] for k in kept],
            unit_texts=_distinct(normalize(short_texts[k]) for k in kept),
            vocab=frozenset(short_tf) | frozenset(answer_tf),
            signals=SignalSet.from_entry_signals(e.signals, f"{e.question_ja}\n{e.question_en}"),
            intents=intents(e.question_ja) | intents(e.question_en),
        )
        doc.questions = sum(1 for k in kept if k < 2)
        doc.unit_sets = [frozenset(u) for u in doc.units]
        doc.unit_readings = _distinct(analyses[k].reading for k in kept)
        doc.unit_sorted = _distinct(sorted_words(u) for u in doc.units)
        doc.sources = self._places([*analyses[0].sources, *analyses[1].sources])
        doc.goals = self._places([*analyses[0].goals, *analyses[1].goals])
        doc.versions = frozenset(t for t in doc.vocab if product_of(t))
        doc.products = frozenset(p for t in doc.versions if (p := product_of(t)))
        core = frozenset(units[0]) | frozenset(units[1]) | frozenset(answer_tf)
        return doc, short_tf, answer_tf, pairs_tf, core

    # -- queries --------------------------------------------------------------------

    def tokens(self, text: str) -> list[str]:
        return list(self.analyse(text)[0])

    def reading(self, text: str) -> str:
        return self.analyse(text)[1]

    def analyse(self, text: str) -> tuple[tuple[str, ...], str]:
        """A text's content tokens (lemmas, recovered kana, synonyms) and its reading.
        Several steps look at the same question: the last one is remembered."""
        last = self._remember(text)
        return last.tokens, last.reading

    def arguments(self, text: str) -> tuple[str, ...]:
        """The text's argument words (`Analysis.arguments`) as its tokens read them,
        each once, in order."""
        return self._remember(text).arguments

    def roles(self, text: str) -> tuple[frozenset[str], frozenset[str]]:
        """Where a move the text asks about goes from and to, as its tokens read them
        (`Analysis.sources`, `Analysis.goals`)."""
        last = self._remember(text)
        return last.sources, last.goals

    def _remember(self, text: str) -> _Remembered:
        last = self._last
        if last.text == text:
            return last
        a = analyse(text)

        def read(words: list[str]) -> list[str]:
            # a loanword the FAQ does not use, whose English word it does (ログ -> log),
            # and an English word it does not use, whose Japanese words it does (receipt
            # -> 領収); the arguments and places of the message are read as its words are
            if a.origins:
                words = [a.origins[t] if self._known_origin(t, a.origins) else t for t in words]
            return self._translated(words)

        toks = self._instances(
            self.synonyms.apply(content_lemmas(read(a.lemmas) + self._recover_kana(text)))
        )
        args = tuple(dict.fromkeys(self.synonyms.apply(read(a.arguments))))
        self._last = _Remembered(
            text, toks, a.reading, args,
            self._places(read(a.sources)), self._places(read(a.goals)),
        )
        return self._last

    def _places(self, words: list[str]) -> frozenset[str]:
        """Where a move starts or ends, as tokens; a versioned product is also the product
        ("iis4" is "iis" too: 「IISへ」 goes where "from IIS 4.0" comes from)."""
        toks = self.synonyms.apply(words)
        return frozenset(toks) | {p for t in toks if (p := product_of(t))}

    def _instances(self, toks: list[str]) -> tuple[str, ...]:
        """Pasted instance data the FAQ does not name (203.0.113.5, www.example.co.jp,
        www_example_com.crt) read as what it is an instance of: an IP address, a host
        name, a certificate file. As a word no entry knows it only diluted the message."""
        out: list[str] = []
        for t in toks:
            kind = None
            if t not in self.df and t.isascii() and not t.isalpha():
                kind = next((k for rx, k in _INSTANCES if rx.fullmatch(t)), None)
            if kind is None:
                out.append(t)
                continue
            hit = self._kinds.get(kind)
            if hit is None:
                hit = self._kinds[kind] = tuple(
                    self.synonyms.apply(content_lemmas(analyse(kind).lemmas))
                )
            out.extend(hit)
        return tuple(out)

    @property
    def japanese_only(self) -> bool:
        """Most entries are written in Japanese only: English words of a question are
        read against the Japanese text (`_translated`), not against English text."""
        return self.english * 2 < len(self.docs)

    def _translated(self, words: list[str]) -> list[str]:
        """In an FAQ written in Japanese only, English words no entry uses read as the
        Japanese words of the glossary that entries do use (`knowledge.glossary`): at
        most TRANSLATIONS of them, the most common first; a two-word key ("private key")
        before a one-word one. An FAQ with English text keeps its own English words."""
        if not self.japanese_only or not any(
            w not in self.df and w.isascii() and w.isalpha() for w in words
        ):
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            w = words[i]
            pair = words[i : i + 2]
            if len(pair) == 2 and (w not in self.df or pair[1] not in self.df):
                found = self._japanese_for(pair)
                if found:
                    out += found
                    i += 2
                    continue
            found = self._japanese_for([w]) if w not in self.df else ()
            out += found or (w,)
            i += 1
        return out

    def _japanese_for(self, words: list[str]) -> tuple[str, ...]:
        """The word's own senses that the FAQ uses, else those of its family (receipt,
        receipts; renew, renewal: `glossary.key_of`)."""
        if not all(w.isascii() and w.isalpha() for w in words):
            return ()
        key = " ".join(words)
        hit = self._glossed.get(key)
        if hit is None:
            if len(self._glossed) >= _GLOSSED_MAX:  # arbitrary pasted English: bounded
                self._glossed.clear()
            hit = self._glossed[key] = self._used(key) or self._used(glossary.key_of(words))
        return hit

    def _used(self, key: str) -> tuple[str, ...]:
        groups = []
        for g in glossary.lookup(key):
            toks = self.synonyms.apply(list(g))
            if toks and all(t in self.df for t in toks):
                groups.append(toks)
            if len(groups) == TRANSLATIONS:
                break
        return tuple(t for g in groups for t in g)

    def _known_origin(self, lemma: str, origins: dict[str, str]) -> bool:
        """`lemma` is a word no entry uses, and its English origin (as the synonym table
        reads it: warning -> 警告) is one that entries use."""
        origin = origins.get(lemma)
        if origin is None or lemma in self.df:
            return False
        mapped = self.synonyms.apply([origin])
        return bool(mapped) and all(t in self.df for t in mapped)

    @property
    def size(self) -> int:
        return len(self.docs)

    def idf(self, tok: str) -> float:
        return self._cached_idf(tok, self.df, self._idf)

    def information(self, tokens: Iterable[str]) -> float:
        """The IDF mass of the words, IDF as the entries' own questions and answers use
        them: how much a message says that could tell entries apart. A lone word that
        most entries use says almost nothing. Phrasings are left out, or each phrasing
        added would make the same question vaguer."""
        return sum(self._cached_idf(t, self.core_df, self._core_idf) for t in sorted(set(tokens)))

    def _cached_idf(self, tok: str, counts: Counter[str], cache: dict[str, float]) -> float:
        hit = cache.get(tok)
        if hit is None:
            # a word no entry uses (count 0) weighs like the rarest known word, and a little more
            hit = cache[tok] = bm25_idf(max(len(self.docs), 1), counts.get(tok, 0))
        return hit

    def field_scores(self, qweights: dict[str, float]) -> dict[str, Any]:
        """Per entry (numpy arrays of the index's size): BM25 of each field and the IDF
        mass of the query words each field, and the whole entry, holds."""
        n = len(self.docs)
        ids, columns, coefs, sizes = [], [], [], []
        for tok in sorted(qweights):
            hit = self._token_columns(tok)
            if hit is None:
                continue
            ids.append(hit[0])
            columns.append(hit[1])
            w, idf = qweights[tok], self.idf(tok)
            coefs.append((w, idf, idf, w))
            sizes.append(len(hit[0]))
        if not ids:
            return {name: np.zeros(n) for name in _COLUMNS}
        # every word's postings at once: bincount adds them in this (sorted word) order,
        # as a loop of `out[ids] += ...` would, in one pass per column
        at = np.concatenate(ids)
        values = np.concatenate(columns, axis=1) * np.repeat(np.array(coefs).T, sizes, axis=1)
        return {
            name: np.bincount(at, weights=values[k], minlength=n)
            for k, name in enumerate(_COLUMNS)
        }

    def _token_columns(self, tok: str) -> tuple[Any, Any] | None:
        """The entries holding `tok` and, per entry, what one query word adds to each of
        _COLUMNS before its weight: 1 to cov_all, BM25's saturated term frequency in
        each field, 1 to cov_short. Computed once per word (one numpy step per query
        word instead of eight); an added entry changes every length norm, so `add`
        clears them."""
        hit = self._columns.get(tok)
        if hit is not None:
            return hit
        every = self._any(tok)
        if every is None:
            return None
        columns = np.zeros((4, len(every)))
        columns[0] = 1.0
        for k, name in ((1, "short"), (2, "answer")):
            post = self.fields[name]
            arr = post.arrays(tok)
            if arr is None:
                continue
            ids, tf = arr
            at = np.searchsorted(every, ids)
            columns[k, at] = tf * (_K1 + 1) / (tf + post.length_norm()[ids])
            if name == "short":
                columns[3, at] = 1.0
        if self._columns_size > _COLUMNS_MAX:
            self._columns, self._columns_size = {}, 0
        self._columns[tok] = (every, columns)
        self._columns_size += len(every)
        return every, columns

    def unit_scores(self, qweights: dict[str, float], mass: float) -> tuple[Any, Any]:
        """Per entry: the best weighted Dice of the query against one of its units, and
        the best share of one of its own questions' IDF mass that the query holds."""
        n = len(self.docs)
        if self._unit_np is None:
            counts = np.asarray(self.unit_count, dtype=np.int64)
            self._unit_np = (
                np.asarray(self.unit_mass, dtype=np.float64),
                np.asarray(self.unit_question, dtype=bool),
                np.asarray(self.unit_start, dtype=np.int64)[counts > 0],
                counts > 0,
            )
        unit_mass, is_question, starts, has_units = self._unit_np
        dice = np.zeros(n)
        recall = np.zeros(n)
        if not len(unit_mass):
            return dice, recall
        ids, weights = [], []
        for tok in sorted(qweights):
            arr = self.unit_postings.raw(tok)
            if arr is not None:
                ids.append(arr)
                weights.append(np.full(len(arr), qweights[tok]))
        shared = (
            np.bincount(np.concatenate(ids), weights=np.concatenate(weights),
                        minlength=len(unit_mass))
            if ids
            else np.zeros(len(unit_mass))
        )
        safe = np.where(unit_mass > 0, unit_mass, 1.0)
        dice[has_units] = np.maximum.reduceat(2 * shared / (mass + unit_mass), starts)
        rec = np.where(is_question, shared / safe, 0.0)
        recall[has_units] = np.maximum.reduceat(rec, starts)
        return dice, recall

    def pair_scores(self, tokens: tuple[str, ...]) -> Any:
        """Per entry: BM25 over the adjacent lemma pairs of the query."""
        n = len(self.docs)
        ids, values = [], []
        for p in sorted(set(pairs(tokens))):
            hit = self._columns.get(p)  # a pair has a space, a word never: no clash
            if hit is None:
                arr = self.pairs.arrays(p)
                if arr is None:
                    continue
                at, tf = arr
                idf = bm25_idf(n, self.pair_df[p])
                hit = self._columns[p] = (
                    at, idf * tf * (_K1 + 1) / (tf + self.pairs.length_norm()[at])
                )
                self._columns_size += len(hit[0])
            ids.append(hit[0])
            values.append(hit[1])
        if not ids:
            return np.zeros(n)
        return np.bincount(np.concatenate(ids), weights=np.concatenate(values), minlength=n)

    def _any(self, tok: str) -> Any:
        return self.any_field.get(tok)

    def _recover_kana(self, text: str) -> list[str]:
        """Words the FAQ uses, found again in text typed in hiragana: "でじたるしょめい"
        yields デジタル and 署名, which MeCab alone would cut into particles."""
        if not self.kana_lemmas:
            return []
        found: list[str] = []
        for run in _HIRAGANA_RUN.findall(normalize(text, fold_katakana=False)):
            kata = fold_long_vowels(run.translate(HIRAGANA_TO_KATAKANA))
            p = 0
            while p < len(kata):
                for width in range(min(8, len(kata) - p), 2, -1):
                    lemma = self.kana_lemmas.get(kata[p : p + width])
                    if lemma is not None:
                        found.append(lemma)
                        p += width
                        break
                else:
                    p += 1
        return found

    def reading_candidates(self, query_reading: str, limit: int) -> list[int]:
        """Entries sharing the most reading bigrams with the query (common bigrams
        skipped); ties by entry order."""
        common = max(8, len(self.docs) // 4)
        found = []
        few: list[int] = []  # short id lists are tuples: gathered without numpy
        for g in sorted(set(bigrams(query_reading))):
            arr = self.reading_postings.raw(g)
            if arr is None or len(arr) > common:  # common bigrams say little
                continue
            if isinstance(arr, tuple):
                few.extend(arr)
            else:
                found.append(arr)
        if not found and not few:
            return []
        found.append(np.asarray(few, dtype=np.int32))
        counts = np.bincount(np.concatenate(found), minlength=len(self.docs))
        hits = np.flatnonzero(counts)
        return [int(i) for i in hits[top_stable(-counts[hits], limit)]]


# What pasted instance data stands for, first match wins: the kind is read as the FAQ's
# own words for it (knowledge.tokens keeps such literals whole).
_INSTANCES = (
    (re.compile(r"\d{1,3}(?:\.\d{1,3}){3}"), "IPアドレス"),
    (re.compile(r".+\.(?:crt|cer|pem|der|p7b|p7c|pfx|p12)"), "証明書ファイル"),
    (re.compile(r".+\.key"), "鍵ファイル"),
    (re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}"), "ホスト名"),
    (re.compile(r".+\.[a-z0-9]{2,4}"), "ファイル"),
)


def top_stable(keys: Any, k: int) -> Any:
    """np.argsort(keys, kind="stable")[:k], without sorting all of a long array: the
    k-th smallest key found by partition, then a stable sort of the keys up to it (all
    of its ties included, so the order is the same)."""
    if len(keys) > 4 * k > 0:
        bound = np.partition(keys, k - 1)[k - 1]
        within = np.flatnonzero(keys <= bound)
        return within[np.argsort(keys[within], kind="stable")[:k]]
    return np.argsort(keys, kind="stable")[:k]


def bm25_idf(n: int, count: int) -> float:
    """BM25's IDF of a word that `count` of `n` entries hold."""
    return math.log(1 + (n - count + 0.5) / (count + 0.5))


def bm25_ceiling(mass: float) -> float:
    """What an entry holding every query word often would score in one field: BM25's
    0..1 scale for a query of this IDF mass."""
    return mass * (_K1 + 1)


def pairs(tokens: Sequence[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens) if a != b]


def bigrams(s: str) -> list[str]:
    return [s[k : k + 2] for k in range(len(s) - 1)]
