"""English typos against the FAQ's own words: "certifcate", "invaild", "warnnig" are
read as the FAQ's "certificate", "invalid", "warning" before the message is analysed.

Japanese typos meet the FAQ through readings (knowledge.index's kana recovery and the
reading feature); an English typo is a word no entry uses, so it would only count
against every entry. Only a word the FAQ does not know is respelt, only to a word the
FAQ does know, only when one such word is nearest, never a real English word of its own
(folder is not the FAQ's "older"), never a name (Gmail, mid-sentence capitals) and never
a short word (a four-letter typo is too often another real word: lost / host). Real
words are pyspellchecker's English list (pinned: the list is part of the model), read
the first time a message has a word to respell."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

# A whole Latin-letter word: not part of a host, a file name, a path or an identifier
# (mysite_com.crt, www.example.com, /etc/ssl). Japanese may touch it (証明書がinvalidと).
_WORD = re.compile(r"(?<![A-Za-z0-9_.@/\\-])[A-Za-z]{5,}(?![A-Za-z0-9_@\\-]|\.\w)")
_LEARN = re.compile(r"[a-z]{5,}")
# At most this many unknown words of a message are looked up: a long paste is not typos.
MAX_RESPELT = 24


# pyspellchecker's list counts every word at least 50 times, its rarest words and common
# misspellings ("instal", "accidently") alike; a word seen more often is a real word.
_REAL_ABOVE = 50
_SENTENCE_END = frozenset(".!?:;\n")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English words that are words in their own right (about 55,000)."""
    data = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    return frozenset(w for w, c in counts.items() if c > _REAL_ABOVE)


def _a_name(text: str, start: int, word: str) -> bool:
    """A capital after the first letter (IIS, OpenSSL) or a capitalised word within a
    sentence (Gmail, Firefox): a name, not a typo."""
    if any(c.isupper() for c in word[1:]):
        return True
    if not word[0].isupper():
        return False
    before = text[max(0, start - 8) : start].rstrip(" \t\"'「(")  # a few characters back
    return bool(before) and before[-1] not in _SENTENCE_END


def _reach(word: str) -> int:
    """Edits allowed (optimal string alignment: a swap of two letters is one). Two only
    in long words: at eight letters they already reach other words (keystore / restore)."""
    return 1 if len(word) < 9 else 2


class Speller:
    """The FAQ's Latin-letter words of five letters or more, and how to reach them."""

    def __init__(self) -> None:
        self._known: dict[str, None] = {}  # insertion-ordered set: deterministic choices
        self._words: list[str] | None = None

    def learn(self, texts: Iterable[str]) -> None:
        for text in texts:
            for w in _LEARN.findall(text.casefold()):
                if w not in self._known:
                    self._known[w] = None
                    self._words = None

    def nearest(self, word: str) -> str | None:
        """The one known word within reach of `word`, or None (known already, none, or
        two at the same distance)."""
        w = word.casefold()
        if w in self._known or not self._known or w in english_words():
            return None
        if self._words is None:
            self._words = sorted(self._known)
        reach = _reach(w)
        found = process.extract(
            w, self._words, scorer=OSA.distance, score_cutoff=reach, limit=2
        )
        if not found or (len(found) > 1 and found[1][1] == found[0][1]):
            return None
        return str(found[0][0])

    def respell(self, text: str) -> str:
        """`text` with each unknown word that has one known word within reach replaced by
        it (lower case, as the analysis reads it anyway)."""
        if not self._known:
            return text
        tried = 0

        def fix(m: re.Match[str]) -> str:
            nonlocal tried
            word = m.group()
            if word.casefold() in self._known or tried >= MAX_RESPELT:
                return word
            tried += 1
            if _a_name(text, m.start(), word):
                return word
            return self.nearest(word) or word

        return _WORD.sub(fix, text)
