"""Exact signals: error codes in any notation and quoted error messages.

These never match fuzzily: 80093005 is not 80093009, whatever a string metric says.
A code is read as people type or paste it: 80093005, 0x80093005, 0X8009_3005,
80093005h, "8009 3005", "error 80093009"; and a code's last digits when the message says
that is what they are (末尾が3005, 下4桁は3009, "ending in 3005"), resolved against the
codes the knowledge base knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.normalize import normalize

# HRESULT-style codes: eight hex digits starting with 8, optionally 0x-prefixed or
# h-suffixed, the two halves optionally apart.
_CODE = re.compile(r"(?<![0-9a-z])(?:0x)?(8[0-9a-f]{3})[ _-]?([0-9a-f]{4})h?(?![0-9a-z])")
_CODE_WHOLE = re.compile(r"(?:0x)?8[0-9a-f]{3}[ _-]?[0-9a-f]{4}h?")
# "the last digits are ...": a number of 3-7 hex digits after or before such a cue.
_TAIL_CUE = re.compile(
    r"(?:末尾|下\s*[0-9一二三四五六七八]\s*桁|最後|終わり|後ろ)(?:の\s*[0-9一二三四五六七八]?\s*桁)?\s*(?:が|は|の|=|:)?\s*"
    r"[\"'「]?([0-9a-f]{3,7})(?![0-9a-z])"
    r"|(?<![0-9a-z])([0-9a-f]{3,7})[\"'」]?\s*で終わる"
    r"|(?:ending|ends|ended) (?:in|with) [\"']?([0-9a-f]{3,7})(?![0-9a-z])"
    # a shortened code next to the word for error or code: "93005エラー", "CAPI2 3009"
    r"|(?:エラー|error|err|コード|code|番号|capi2|schannel)\s*(?:が|は|=|:|no\.?|#)?\s*([0-9a-f]{4,7})(?![0-9a-z])"
    r"|(?<![0-9a-z.])([0-9a-f]{4,7})\s*(?:エラー|error|番の?エラー)"
)
# Upper-case identifiers of browser and library errors (ERR_CERT_DATE_INVALID,
# SEC_ERROR_UNKNOWN_ISSUER): one token the tokeniser would split into common words.
_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){2,}(?![A-Za-z0-9_])")
# A phrase this long is also found nearly as written: a dropped article, a typo or a
# half-remembered word ("must be viewed over secure channel"). Shorter ones only as written.
NEAR_MIN_CHARS = 15
NEAR_SIMILARITY = 90


def error_codes(text: str, known: Iterable[str] = ()) -> frozenset[str]:
    """The codes `text` names, as eight lower-case hex digits. `known` (the knowledge
    base's codes) resolves a code given by its last digits."""
    norm = normalize(text)
    found = {a + b for a, b in _CODE.findall(norm)}
    known = tuple(known)
    if known:
        for m in _TAIL_CUE.finditer(norm):
            tail = next(g for g in m.groups() if g)
            hits = [c for c in known if c.endswith(tail)]
            if len(hits) == 1:
                found.add(hits[0])
    return frozenset(found)


def identifiers(text: str) -> frozenset[str]:
    """ERR_CERT_DATE_INVALID-style identifiers, lower-cased."""
    return frozenset(m.casefold() for m in _IDENTIFIER.findall(text))


@dataclass(frozen=True)
class SignalSet:
    codes: frozenset[str]
    phrases: tuple[str, ...]  # normalised message fragments
    identifiers: frozenset[str] = frozenset()

    @classmethod
    def from_entry_signals(cls, signals: tuple[str, ...], question: str = "") -> SignalSet:
        """The entry's declared signals, plus the codes and identifiers its question
        names (an FAQ heading "ERR_CERT_DATE_INVALID が表示される" is its own signal)."""
        codes: set[str] = set(error_codes(question))
        phrases: list[str] = []
        for raw in signals:
            found = error_codes(raw)
            if found and _CODE_WHOLE.fullmatch(normalize(raw)):
                codes |= found
            else:
                phrases.append(normalize(raw))
        return cls(
            frozenset(codes),
            tuple(dict.fromkeys(p for p in phrases if len(p) >= 6)),
            identifiers(question),
        )


def phrase_hits(normalized_query: str, signals: SignalSet) -> int:
    """How many of the entry's phrases the message holds, as written or, when long, nearly
    so (rapidfuzz partial_ratio: the phrase against the message's best-aligned stretch;
    a message shorter than the phrase holds only part of it, which is not enough)."""
    size = len(normalized_query)
    return sum(
        1 for p in signals.phrases
        if p in normalized_query
        or (NEAR_MIN_CHARS <= len(p) <= size + 2
        and fuzz.partial_ratio(p, normalized_query, score_cutoff=NEAR_SIMILARITY) > 0)
    )
