"""An inverted index over lemmas of each entry's texts: IDF weights, BM25, coverage.

Every entry contributes "units": its questions, phrasings and keywords, each a short
token list, plus its answers as a long tail. Scores only touch entries that share a
token with the query, so a knowledge base of thousands of entries stays fast.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from knowledge.kb import Entry, KnowledgeBase
from knowledge.normalize import fold_long_vowels, normalize
from knowledge.signals import SignalSet
from knowledge.synonyms import SynonymTable
from knowledge.tokens import HIRAGANA_TO_KATAKANA, analyse, lemmas

_K1 = 1.2
_B = 0.75


@dataclass
class EntryDoc:
    entry: Entry
    units: list[tuple[str, ...]]  # questions, phrasings, keywords (lemmas)
    unit_texts: list[str]  # the same units, normalised, for fuzzy comparison
    short_vocab: frozenset[str]
    vocab: frozenset[str]  # short units plus answers
    tf: Counter[str]  # over the whole document, questions weighted up
    length: int
    signals: SignalSet
    unit_sets: list[frozenset[str]] = field(default_factory=list)
    unit_readings: list[str] = field(default_factory=list)
    unit_joined: list[str] = field(default_factory=list)  # lemmas joined, for token_set_ratio
    unit_weights: list[float] = field(default_factory=list)  # IDF mass of each unit
    bm25: dict[str, float] = field(default_factory=dict)  # token -> BM25 contribution


_HIRAGANA_RUN = re.compile(r"[\u3041-\u3096ー]{3,}")


class Index:
    def __init__(self, kb: KnowledgeBase, synonyms: SynonymTable) -> None:
        self.synonyms = synonyms
        self.kana_lemmas: dict[str, str] = {}  # filled after the documents: see tokens()
        self._last: tuple[str | None, tuple[str, ...], str] = (None, (), "")
        readings: dict[str, str] = {}
        self.docs: list[EntryDoc] = [self._doc(e, readings) for e in kb]
        self.kana_lemmas = readings
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.vocab)
        n = max(len(self.docs), 1)
        self.df = df  # kept for add()
        self.idf: dict[str, float] = {
            t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()
        }
        # A word no entry uses weighs like the rarest known word, and a little more.
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.avg_len = sum(d.length for d in self.docs) / n
        # token -> [(entry, BM25 contribution)]: a query only sums what it touches.
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            norm = _K1 * (1 - _B + _B * doc.length / self.avg_len)
            for tok in doc.vocab:
                f = doc.tf.get(tok, 0)
                doc.bm25[tok] = self.idf[tok] * f * (_K1 + 1) / (f + norm)
                postings[tok].append((i, doc.bm25[tok]))
            doc.unit_weights = [math.fsum(self.idf[t] for t in u) for u in doc.unit_sets]
        self.postings = dict(postings)
        self.vocab: frozenset[str] = frozenset(df)
        # Reading bigrams find entries for questions typed in kana with no shared lemma.
        grams: dict[str, set[int]] = defaultdict(set)
        for i, doc in enumerate(self.docs):
            for r in doc.unit_readings:
                for g in bigrams(r):
                    grams[g].add(i)
        self.reading_postings = {g: sorted(ids) for g, ids in grams.items()}

    def add(self, e: Entry) -> None:
        """Add one entry without a rebuild (a learned FAQ entry). The IDF of the words
        it uses is updated; other entries keep their BM25 contributions until the next
        build (they drift only by the one-entry change of N). Safe while other threads
        match: only appends and single assignments, the document before its postings."""
        doc = self._doc(e, self.kana_lemmas)
        i = len(self.docs)
        n = i + 1
        for tok in doc.vocab:
            self.df[tok] += 1
            c = self.df[tok]
            self.idf[tok] = math.log(1 + (n - c + 0.5) / (c + 0.5))
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        norm = _K1 * (1 - _B + _B * doc.length / self.avg_len)
        for tok in sorted(doc.vocab):
            f = doc.tf.get(tok, 0)
            doc.bm25[tok] = self.idf[tok] * f * (_K1 + 1) / (f + norm)
        doc.unit_weights = [math.fsum(self.idf[t] for t in u) for u in doc.unit_sets]
        self.docs.append(doc)
        for tok in sorted(doc.vocab):
            self.postings.setdefault(tok, []).append((i, doc.bm25[tok]))
        for g in sorted({g for r in doc.unit_readings for g in bigrams(r)}):
            self.reading_postings.setdefault(g, []).append(i)
        self.vocab = self.vocab | doc.vocab

    def tokens(self, text: str) -> list[str]:
        return list(self.analyse(text)[0])

    def reading(self, text: str) -> str:
        return self.analyse(text)[1]

    def analyse(self, text: str) -> tuple[tuple[str, ...], str]:
        """A question's tokens (lemmas, recovered kana, synonyms) and its reading. Several
        steps look at the same question: the last one is remembered."""
        last = self._last
        if last[0] == text:
            return last[1], last[2]
        a = analyse(text)
        toks = tuple(self.synonyms.apply(a.lemmas + self._recover_kana(text)))
        self._last = (text, toks, a.reading)
        return toks, a.reading

    def information(self, text: str) -> float:
        """The IDF mass of the question's words: how much it says that could tell
        entries apart. A lone word that most entries use says almost nothing."""
        return math.fsum(self.idf.get(t, self.unknown_idf) for t in set(self.tokens(text)))

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

    def _doc(self, e: Entry, kana_lemmas: dict[str, str]) -> EntryDoc:
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
                        kana_lemmas.setdefault(kana, lemma)
        units = [tuple(self.synonyms.apply(a.lemmas)) for a in analyses]
        # answers need lemmas only; an English field copied from the Japanese is read once
        answer_ja = lemmas(e.answer_ja)
        answer_en = answer_ja if e.answer_en == e.answer_ja else lemmas(e.answer_en)
        answer_toks = self.synonyms.apply(answer_ja + answer_en)
        tf: Counter[str] = Counter()
        for u in units[:2]:  # the questions themselves count double
            tf.update(u)
        for u in units:
            tf.update(u)
        tf.update(answer_toks)
        short_vocab = frozenset(t for u in units for t in u)
        kept = [k for k, u in enumerate(units) if u]
        doc = EntryDoc(
            entry=e,
            units=[units[k] for k in kept],
            unit_texts=[normalize(short_texts[k]) for k in kept],
            short_vocab=short_vocab,
            vocab=short_vocab | frozenset(answer_toks),
            tf=tf,
            length=sum(tf.values()),
            signals=SignalSet.from_entry_signals(e.signals),
        )
        doc.unit_sets = [frozenset(u) for u in doc.units]
        doc.unit_readings = [analyses[k].reading for k in kept]
        doc.unit_joined = [" ".join(u) for u in doc.units]
        return doc

    def accumulate(self, qweights: dict[str, float]) -> dict[int, list[float]]:
        """Per entry touched by the query: [IDF mass of query words it knows, BM25].

        Words that most entries share (long postings, low IDF) cannot change which
        entries are worth a closer look, so they are skipped here and added back exactly
        for the chosen few by `exact`: a large knowledge base stays fast."""
        cap = max(64, len(self.docs) // 8)
        selective = {t: w for t, w in qweights.items() if len(self.postings.get(t, ())) <= cap}
        if not selective:
            selective = qweights
        acc: dict[int, list[float]] = {}
        for tok, w in selective.items():
            for i, contrib in self.postings.get(tok, ()):
                row = acc.get(i)
                if row is None:
                    acc[i] = [w, contrib]
                else:
                    row[0] += w
                    row[1] += contrib
        return acc

    def exact(self, i: int, qweights: dict[str, float]) -> tuple[float, float]:
        """IDF mass of the query words entry i knows, and its BM25 score."""
        bm25 = self.docs[i].bm25
        covered = score = 0.0
        for tok, w in qweights.items():
            contrib = bm25.get(tok)
            if contrib is not None:
                covered += w
                score += contrib
        return covered, score

    def reading_candidates(self, query_reading: str, limit: int) -> list[int]:
        counts: Counter[int] = Counter()
        for g in sorted(set(bigrams(query_reading))):  # sorted: no hash-seed order
            postings = self.reading_postings.get(g, ())
            if len(postings) <= max(8, len(self.docs) // 4):  # common bigrams say little
                counts.update(postings)
        if not counts or limit <= 0:
            return []
        # The `limit` highest counts, ties by entry, not by the order a set happened to
        # give (PYTHONHASHSEED). The threshold comes from a sort in C; few entries pass it.
        values = sorted(counts.values(), reverse=True)
        floor = values[min(limit, len(values)) - 1]
        best = sorted((i for i, c in counts.items() if c >= floor), key=lambda i: (-counts[i], i))
        return best[:limit]

    def bm25_ceiling(self, idf_mass: float) -> float:
        """What a document holding every query word often would score: the 0..1 scale."""
        return idf_mass * (_K1 + 1) or 1.0


def bigrams(s: str) -> list[str]:
    return [s[k : k + 2] for k in range(len(s) - 1)]
