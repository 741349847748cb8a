"""Piped chat input (`certdesk chat < file`) grouped into messages the way a person
pasted them. Interactive chat knows a paste by timing (lines already waiting); piped
input has no timing, so a paste is known by what its lines are: a PEM block (BEGIN to
END, and blocks that follow one another), base64 or hex lines, an `openssl -text`
dump, a PuTTY key file, a JSON object over several lines. An ordinary one-line
question stays one message."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from analyzers.keys import fold, hex_line, keyword_line

# on folded text: lookalike dashes and full-width letters are ASCII there
# (?<!-) and possessive runs: a match starts only where a dash run starts and never
# backtracks into it, so a line of a million dashes costs one pass
_BEGIN = re.compile(r"(?<!-)-{2,}+\s*+BEGIN", re.I)
_END = re.compile(r"(?<!-)-{2,}+\s*+END", re.I)
_B64_LINE = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_B64_SHORT = re.compile(r"[A-Za-z0-9+/]{1,15}={0,2}")
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9 ._()#-]{0,40}:")
MAX_LINES = 5_000  # one pasted message never grows past this many lines
# A PuTTY key file says how many base64 lines follow: they are the paste's whatever they
# look like (the public part of an Ed25519 key ends in 4 random characters, which can
# read as a word such as "srmc").
_COUNTED = re.compile(r"(?:Public|Private)-Lines:\s*(\d{1,4})\s*")


def _kind(line: str, prev: str | None) -> str:
    s = fold(line).strip(" \t\r`")
    if not s:
        return "blank"
    if _BEGIN.search(s):
        return "begin"
    if _END.search(s) or hex_line(s):
        return "more"  # an END whose BEGIN was lost; the last byte of a -text integer
    if (_B64_LINE.fullmatch(s) or (hex_line(s) and len(s) >= 8) or keyword_line(s)
            or s.startswith(("PuTTY-User-Key-File-", "Private-Lines:"))):
        return "start"
    if s.startswith("{") and s.count("{") > s.count("}"):
        return "json"
    if _FIELD.match(s):
        return "more"  # "modulus:", "Comment: ...": only inside a paste
    if prev is not None and _short_tail(s, prev):
        return "more"
    if _B64_LINE.fullmatch(s.rsplit(None, 1)[-1]):
        return "lead"  # chat words, then the first line of a paste: "my key is MIIEvQ..."
    return "text"


_BODY_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-:,. \t\r`>"
)


def _prose(line: str) -> bool:
    """A line no PEM body, header or boundary has: words with other characters
    (Japanese, "?", "!"), or a sentence of three lower-case words or more."""
    folded = fold(line)
    if any(c not in _BODY_CHARS for c in folded):
        return True
    words = folded.split()
    return len(words) >= 3 and sum(w.isalpha() and w.islower() for w in words) >= 3


def _short_tail(s: str, prev: str) -> bool:
    """The short last line of a base64 body (not a word such as "Thanks")."""
    p = prev.strip(" \t\r`")
    if len(p) < 40 or len(s) >= len(p) or not _B64_SHORT.fullmatch(s):
        return False
    return not (s.isalpha() and (s.islower() or (s[0].isupper() and s[1:].islower())))


class _Gatherer:
    def __init__(self) -> None:
        self.group: list[str] = []
        self.pending: list[str] = []  # blank lines after a group, kept if it goes on
        self.mode = ""  # "" | "pem" (inside BEGIN..END) | "json" | "paste" (between lines)
        self.depth = 0  # open braces of a JSON object
        self.counted = 0  # lines a PuTTY header announced, still to come

    def flush(self) -> list[str]:
        out = ["\n".join(self.group)] if self.group else []
        self.group, self.pending, self.mode, self.counted = [], [], "", 0
        return out

    def feed(self, line: str) -> list[str]:
        if self.counted and self.mode == "paste":
            self.counted -= 1
            self.group.append(line)
            return self.flush() if len(self.group) >= MAX_LINES else []
        out = self._feed(line)
        if self.mode == "paste" and self.group and self.group[-1] is line:
            m = _COUNTED.fullmatch(fold(line).strip(" \t\r`"))
            if m:
                self.counted = int(m.group(1))
        return out

    def _feed(self, line: str) -> list[str]:
        if self.mode == "pem" and _prose(line):
            self.mode = "paste"  # a block cut short: the person goes on talking
            return [*self.flush(), *self._feed(line)]
        if self.mode in ("pem", "json"):
            self.group.append(line)
            if self.mode == "pem":
                folded = fold(line)
                if _END.search(folded):
                    self.mode = "paste"
                elif _BEGIN.search(folded):
                    self.mode = "pem"  # a new BEGIN before END: the old block was cut short
            else:
                self.depth += line.count("{") - line.count("}")
                if self.depth <= 0:
                    self.mode = "paste"
            return self.flush() if len(self.group) >= MAX_LINES else []
        prev = self.group[-1] if self.group and not self.pending else None
        kind = _kind(line, prev)
        out: list[str] = []
        if self.mode == "paste":
            if kind == "blank":
                self.pending.append(line)
                return []
            if kind in ("begin", "start", "json") or (kind == "more" and not self.pending):
                self.group += self.pending
                self.pending = []
                self._open(line, kind)
                return self.flush() if len(self.group) >= MAX_LINES else []
            out = self.flush()
        if kind == "blank":
            return out
        if kind in ("begin", "start", "json", "lead"):
            self._open(line, kind)
        else:
            out.append(line)
        return out

    def _open(self, line: str, kind: str) -> None:
        self.group.append(line)
        self.mode = "paste"
        if kind == "begin" and not _END.search(fold(line)):
            self.mode = "pem"
        elif kind == "json":
            self.mode, self.depth = "json", line.count("{") - line.count("}")


def gather_messages(lines: Iterable[str]) -> Iterator[str]:
    """Piped input: one message per line, except that a paste is one message."""
    g = _Gatherer()
    for raw in lines:
        yield from g.feed(raw.rstrip("\n"))
    yield from g.flush()
