"""Exact signals: Windows error codes and quoted English error messages.

These never match fuzzily: 80093005 is not 80093009, whatever a string metric says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import normalize

# HRESULT-style codes as people paste them: 80093005, 0x80093005, 0X8009_3005 is rare.
_CODE = re.compile(r"(?<![0-9a-z])(?:0x)?(8[0-9a-f]{7})(?![0-9a-z])")


def error_codes(text: str) -> frozenset[str]:
    return frozenset(_CODE.findall(normalize(text)))


@dataclass(frozen=True)
class SignalSet:
    codes: frozenset[str]
    phrases: tuple[str, ...]  # normalised message fragments

    @classmethod
    def from_entry_signals(cls, signals: tuple[str, ...]) -> SignalSet:
        codes: set[str] = set()
        phrases: list[str] = []
        for raw in signals:
            found = error_codes(raw)
            if found and _CODE.fullmatch(normalize(raw)):
                codes |= found
            else:
                phrases.append(normalize(raw))
        return cls(frozenset(codes), tuple(p for p in phrases if len(p) >= 6))


def phrase_hits(normalized_query: str, signals: SignalSet) -> int:
    return sum(1 for p in signals.phrases if p in normalized_query)
