"""BEGIN/END boundary lines: found by one linear regex, then judged (dashes, keyword
typos, labels) so the scanner can report exactly what is wrong with them; and the
prose tests that tell a sentence quoting those lines from a block."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters people's editors and chat tools put where "-" belongs.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc\u2500\u2501"
_D = re.escape(DASHES)
# Starts only at the start of a dash run and never backtracks into it: linear time
# even on a line of a million dashes.
_BOUNDARY_RE = re.compile(
    rf"(?<![{_D}])(?P<d1>[{_D}]{{2,}}+)(?P<body>[^{_D}]{{2,}}+)(?P<d2>[{_D}]++|$)"
)
_WIDE_DASH_RE = re.compile(f"[{re.escape(DASHES[1:])}]")  # the non-ASCII dashes
LEAD_WS = frozenset(" \t\u3000")  # pem.leading_whitespace / trailing_whitespace
INVISIBLE = frozenset("\u00a0\u200b\u200c\u200d\u2060\ufeff\u202f\u2007")  # pem.nonascii
_LABEL_RE = re.compile(r"[A-Z0-9][A-Z0-9 .#/_]*")
_LABEL_WORDS = ("CERTIFICATE", "KEY", "REQUEST", "PKCS", "CRL", "CMS")


def _edit1(a: str, b: str) -> bool:
    """True when a and b are at most one edit apart (keyword typos like BEGN)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@dataclass
class _Boundary:
    kw: str  # BEGIN | END
    label: str
    start: int  # offsets within the line
    end: int
    problems: list[tuple[str, str]]  # (code, detail)


def _parse_boundary(m: re.Match[str]) -> _Boundary | None:
    body = m.group("body")
    if body.isascii():
        norm = body
    else:
        norm = unicodedata.normalize("NFKC", body)
        norm = "".join(" " if c in INVISIBLE or c in LEAD_WS else c for c in norm)
    tokens = norm.upper().split()
    if not tokens:
        return None
    first, rest = tokens[0], tokens[1:]
    exact = first in ("BEGIN", "END")
    if exact:
        kw = first
    elif first.startswith("BEGIN") and len(first) > 5:
        kw, rest = "BEGIN", [first[5:], *rest]
    elif first.startswith("END") and len(first) > 3 and first[3:].startswith(_LABEL_WORDS):
        kw, rest = "END", [first[3:], *rest]
    elif _edit1(first, "BEGIN"):
        kw = "BEGIN"
    elif _edit1(first, "END") and len(first) >= 2:
        kw = "END"
    else:
        return None
    label = " ".join(rest)
    if not label or not _LABEL_RE.fullmatch(label):
        return None
    if not (exact and body.strip(" ").isupper()) and not any(w in label for w in _LABEL_WORDS):
        return None  # "--- Begin quote ---" in chat is not a boundary
    problems: list[tuple[str, str]] = []
    d1, d2 = m.group("d1"), m.group("d2")
    if any(c != "-" for c in d1 + d2):
        problems.append(("pem.malformed_boundary", "dash"))
    elif len(d1) != 5 or len(d2) != 5:
        problems.append(("pem.malformed_boundary", "count"))
    canonical = f"{kw} {label}"
    if body != canonical:
        if not body.isascii() and any(c in INVISIBLE for c in body):
            problems.append(("pem.nonascii", ""))
        stripped = "".join(c for c in body if c not in INVISIBLE)
        if stripped != canonical:
            problems.append(("pem.malformed_boundary", "keyword"))
    return _Boundary(kw, label, m.start(), m.end(), problems)


def boundaries(line: str) -> list[_Boundary]:
    if "--" not in line and (line.isascii() or not _WIDE_DASH_RE.search(line)):
        return []
    found = []
    for m in _BOUNDARY_RE.finditer(line):
        b = _parse_boundary(m)
        if b is not None:
            found.append(b)
    return found


# ---- prose that quotes boundary lines, and text next to them ----------------------
_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_EDGE = "".join(sorted(LEAD_WS | INVISIBLE))


def not_prose(line: str, bounds: list[_Boundary]) -> list[_Boundary]:
    """Drop the boundaries a sentence quotes ("my file starts with -----BEGIN
    CERTIFICATE----- and ends with -----END CERTIFICATE-----"): the text after a BEGIN
    on its own line is words, not base64."""
    out: list[_Boundary] = []
    skip_end = False
    for i, b in enumerate(bounds):
        nxt = bounds[i + 1].start if i + 1 < len(bounds) else len(line)
        seg = line[b.end : nxt].strip(" \t\r`\"'")
        if b.kw == "BEGIN":
            skip_end = bool(seg) and words(seg)
            if skip_end:
                continue
        elif skip_end:
            skip_end = False
            continue
        elif i == 0 and words(line[: b.start].strip(" \t\r`\"'>:" + _EDGE)) and \
                words(seg or "x y"):
            continue  # "... and ends with -----END CERTIFICATE----- but ..."
        out.append(b)
    return out


def words(seg: str) -> bool:
    """Text that reads as words: short tokens, or characters base64 never holds."""
    tokens = seg.split()
    if not tokens:
        return False
    if any(not t.isascii() or not _B64_RE.fullmatch(t) for t in tokens):
        return True
    long_ = sum(len(t) >= 16 for t in tokens)
    return long_ * 2 < len(tokens) or (len(tokens) == 1 and len(tokens[0]) < 16)


def text_around(seg: str) -> bool:
    """Text next to a boundary on its line, other than fences, quotes and markers."""
    return bool(seg.strip(" \t\r`\"',;:}])>" + _EDGE))


def prose_line(segment: str) -> bool:
    """A body line that reads as words: letters base64 never holds (kana, punctuation,
    after folding full-width letters), or several short words."""
    s = segment.strip(" \t\r`>" + _EDGE)
    if not s:
        return False
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    if any(not (c.isascii() and (c.isalnum() or c in "+/=")) and not c.isspace() for c in s):
        return True
    tokens = s.split()
    return len(tokens) >= 2 and sum(len(t) < 16 for t in tokens) * 2 > len(tokens)


def joined(inner: str) -> bool:
    """Several base64 lines run together with spaces (not one stray space or tab)."""
    if " " not in inner and "\t" not in inner:
        return False
    return sum(len(t) >= 16 for t in inner.split()) >= 2
