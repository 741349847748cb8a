"""Greetings, thanks and requests for a human, recognised from data (smalltalk.toml)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from knowledge.normalize import normalize

DEFAULT_SMALLTALK = Path(__file__).with_name("smalltalk.toml")
# What may remain of a small-talk message: punctuation, emoji, names, "さん", "!".
_RESIDUE = re.compile(
    r"[\W_]+|さん|様|さま|皆さん|みなさん|ございます|いたします|ください|です|ます|ね|よ|"
    r"\b(?:there|all|everyone|team|folks|guys|bot|certdesk|again|very|so|much|a|lot|you)\b",
    re.UNICODE,
)


class Smalltalk:
    def __init__(self, groups: dict[str, list[str]]) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {}
        for kind, phrases in groups.items():
            alts = sorted({normalize(p) for p in phrases if p.strip()}, key=len, reverse=True)
            parts = [
                rf"(?<![a-z]){re.escape(a)}(?![a-z])" if a.isascii() else re.escape(a) for a in alts
            ]
            self._patterns[kind] = re.compile("|".join(parts))
        self._last: tuple[str | None, str | None, str] = (None, None, "")

    def classify(self, text: str) -> str | None:
        """ "human" when the message asks for a person; "help"/"thanks"/"greeting" when
        that is all it says; otherwise None (a real question)."""
        norm = normalize(text)
        human = self._patterns.get("human")
        if human is not None and human.search(norm):
            return "human"
        kind, rest = self.courtesy(norm)
        if kind is not None and not _RESIDUE.sub("", rest).strip():
            return kind
        return None

    def courtesy(self, text: str) -> tuple[str | None, str]:
        """The first courtesy found ("help", "thanks", "greeting", in that order of
        precedence) and what the message says besides courtesies. The last answer is
        remembered: the matcher asks twice about the same message."""
        last = self._last
        if last[0] == text:
            return last[1], last[2]
        found, rest = self._courtesy(text)
        self._last = (text, found, rest)
        return found, rest

    def _courtesy(self, text: str) -> tuple[str | None, str]:
        rest = normalize(text)
        found: str | None = None
        for kind in ("help", "thanks", "greeting"):
            pattern = self._patterns.get(kind)
            if pattern is not None and pattern.search(rest):
                found = found or kind
                rest = pattern.sub(" ", rest)
        return found, rest.strip()

    def strip(self, text: str) -> str:
        """The message without small-talk phrases (a question that came with a greeting)."""
        norm = normalize(text)
        for pattern in self._patterns.values():
            norm = pattern.sub(" ", norm)
        return norm.strip()


@lru_cache(maxsize=4)
def load_smalltalk(path: Path = DEFAULT_SMALLTALK) -> Smalltalk:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Smalltalk({k: list(v) for k, v in data.items()})
