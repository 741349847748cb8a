"""English words read as Japanese ones, for an FAQ written in Japanese only.

An English question against a Japanese-only FAQ shares only its Latin words with the
entries (RSA, PKIX, WHOIS); "renewal", "receipt" or "revoked" meet nothing. The glossary
maps English words to the Japanese words with that meaning, from JMdict, the maintained
Japanese-English dictionary of the EDRDG (CC BY-SA 3.0, `knowledge/data/README.md`),
its common words (a priority tag) first, without senses that are archaic, obscure or
slang. Keys and values are stored as certdesk's own analysis reads them
(stemmed English lemmas, UniDic content lemmas), so a lookup is a binary search.

The index asks for a word only when no entry uses it and most entries are Japanese only
(`Index._translated`), like the loanword origins of UniDic: an FAQ with English text
keeps its own English words.

The file is built by `python -m knowledge.glossary_build` (knowledge/glossary_build.py).
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

GLOSSARY = Path(__file__).parent / "data" / "jmdict-en-ja.tsv.gz"


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    # imported at the first English word that needs it: the package loads its 30
    # languages' stemmers at once (3 MiB) and most messages are Japanese
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def key_of(words: Sequence[str]) -> str:
    """The family key of one or two English lemmas: "~" and their Snowball stems, so
    that "create", "creating" and "created", or "renew" and "renewal", share one (JMdict
    glosses 作成 as "creating", 更新 as "renewal"). The lemmas themselves, joined by a
    space, are the word's own key, read first (`Index._japanese_for`)."""
    return "~" + " ".join(_stem(w) for w in words)


@lru_cache(maxsize=1)
def _table() -> tuple[bytes, Any]:
    """The file's text and where each line starts (and the text's end). Its lines are
    sorted by key, so a lookup is a binary search: 5.6 MB held, where a dict of its
    142,000 keys would hold 25 MB more than the 2,000-entry memory budget allows."""
    if not GLOSSARY.is_file():
        return b"", np.zeros(1, np.int32)
    data = gzip.decompress(GLOSSARY.read_bytes())
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return data, np.concatenate(([0], ends + 1)).astype(np.int32)


def _line(data: bytes, starts: Any, k: int) -> tuple[bytes, int, int]:
    """Line k's key, and where its value starts and ends."""
    start, end = int(starts[k]), int(starts[k + 1]) - 1
    tab = data.find(b"\t", start, end)
    return (data[start:end], end, end) if tab < 0 else (data[start:tab], tab + 1, end)


def lookup(key: str) -> tuple[tuple[str, ...], ...]:
    """The Japanese content lemmas of an English key (a word's own lemmas, "receipt" or
    "private key", or its family, `key_of`: "~renew" for "renewal"), in groups, the most
    common first; empty for a key the glossary does not hold or when its file is missing."""
    data, starts = _table()
    want = key.encode("utf-8")
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # the first line whose key is not below `want`
        mid = (lo + hi) // 2
        if _line(data, starts, mid)[0] < want:
            lo = mid + 1
        else:
            hi = mid
    if lo == len(starts) - 1:
        return ()
    found, start, end = _line(data, starts, lo)
    if found != want:
        return ()
    groups = data[start:end].decode("utf-8")
    return tuple(tuple(g.split(" ")) for g in groups.split("|") if g)
