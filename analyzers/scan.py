"""Find PEM blocks (and headerless base64) in free text, and say what is wrong with them.

cryptography silently accepts some damage (CRLF, indentation, NBSP) and rejects other
damage with one opaque MalformedFraming error, so this scanner does its own pre-check:
it reports every defect precisely (the pem.* codes) and then recovers what it can
(whitespace stripped, dashes fixed, full-width letters folded) so the object is still
analysed. One linear pass over the lines; no re-searching of the text.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from dataclasses import dataclass, field

from analyzers.boundary import (  # noqa: F401  (DASHES: re-exported for analyzers.text)
    DASHES,
    INVISIBLE,
    LEAD_WS,
    _Boundary,
    boundaries,
    joined,
    not_prose,
    prose_line,
    text_around,
)
from analyzers.decode import prepare

_EDGE = "".join(sorted(LEAD_WS | INVISIBLE))  # for str.strip
_EDGE_SET = LEAD_WS | INVISIBLE
_GLUED_RE = re.compile(r"-----END [A-Z0-9 ]{1,40}-----(?=-----BEGIN )")
_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_HEADER_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*:")
_LONG_TOKEN_RE = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")
MIN_BARE_B64 = 80  # shortest headerless base64 run worth decoding (a tiny cert is ~300)


@dataclass
class Block:
    """One object's encoded form as found in the input, with its defects."""

    label: str | None  # canonical label; None for headerless base64 or a DER file
    der: bytes | None  # None when the body could not be decoded
    start: int  # offset of the block in the text (for redaction)
    end: int  # offset just past it; len(text) when the END line is missing
    encoding: str = "pem"  # "pem" | "base64" | "der"
    headers: dict[str, str] = field(default_factory=dict)
    # code -> (1-based line numbers, detail); turned into findings by the caller
    defects: dict[str, tuple[list[int], set[str]]] = field(default_factory=dict)
    end_label: str | None = None

    def add(self, code: str, line: int, detail: str = "") -> None:
        lines, details = self.defects.setdefault(code, ([], set()))
        if not lines or lines[-1] != line:
            lines.append(line)
        if detail:
            details.add(detail)


@dataclass
class ScanResult:
    blocks: list[Block]
    crlf: bool
    flags: frozenset[str] = frozenset()  # from analyzers.decode: "cr_only", "quoted"


@dataclass
class _Open:
    block: Block
    lines: list[tuple[int, str, bool]] = field(default_factory=list)  # (lineno, b64, ok)
    blank: int | None = None  # an empty line seen in the body, reported if more follows
    body_lines: int = 0
    prose_lines: int = 0  # body lines that read as words ("and ends with")


def _clean(segment: str, block: Block | None, lineno: int) -> tuple[str, bool]:
    """Body text of one line -> (base64 characters, looks like base64)."""
    s = segment.strip("`\r" + _EDGE)  # edges: see _edge_whitespace
    if s.isascii():
        s = "".join(s.split())
        return s, bool(_B64_RE.fullmatch(s))
    out = []
    for c in s:
        if c.isascii():
            if not c.isspace():
                out.append(c)
            continue
        folded = unicodedata.normalize("NFKC", c)
        if block is not None:
            kind = ("bom" if c == "\ufeff" else "space" if c in INVISIBLE or c in LEAD_WS
                    else "fullwidth" if folded.isascii() else "other")
            block.add("pem.nonascii", lineno, kind)
        if c in INVISIBLE or c in LEAD_WS:
            continue
        out.append(folded if folded.isascii() else c)
    text = "".join(out).strip("`")
    return text, text.isascii() and bool(_B64_RE.fullmatch(text))


def _edge_whitespace(segment: str, block: Block, lineno: int, *, lead: bool, trail: bool) -> None:
    s = segment.rstrip("\r")
    if s[:1] not in _EDGE_SET and s.rstrip("`")[-1:] not in _EDGE_SET:
        return  # the usual clean line
    if lead:
        head = s[: len(s) - len(s.lstrip(_EDGE))]
        if any(c in LEAD_WS for c in head):
            block.add("pem.leading_whitespace", lineno)
        if any(c in INVISIBLE for c in head):
            block.add("pem.nonascii", lineno, "bom" if "\ufeff" in head else "space")
    if trail:
        s = s.rstrip("`")
        tail = s[len(s.rstrip(_EDGE)) :]
        if any(c in LEAD_WS for c in tail):
            block.add("pem.trailing_whitespace", lineno)
        if any(c in INVISIBLE for c in tail):
            block.add("pem.nonascii", lineno, "bom" if "\ufeff" in tail else "space")


def first_der_element(der: bytes) -> bytes:
    """The first DER TLV (e.g. a certificate followed by more bytes)."""
    if len(der) < 2 or der[0] != 0x30:
        return der
    n = der[1]
    if n < 0x80:
        return der[: 2 + n]
    width = n & 0x7F
    if not 0 < width <= 4:
        return der
    length = int.from_bytes(der[2 : 2 + width], "big")
    return der[: 2 + width + length]


def decode_b64(body: str) -> bytes | None:
    if len(body) % 4:  # a lost or extra character (binascii alone lets some through)
        return None
    try:  # strict: misplaced padding is an error, not ignored
        return binascii.a2b_base64(body.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks: list[Block] = []
        self.open: _Open | None = None
        self.run: list[tuple[int, int, str]] = []  # outside base64 lines: (lineno, offset, b64)
        self.crlf = False
        self.open_blank: int | None = None

    # -- blocks ------------------------------------------------------------------
    def _begin(self, b: _Boundary, lineno: int, offset: int, line: str, lead: bool) -> None:
        if self.open is not None:
            self._close(None, lineno, offset)
        self._flush_run()
        block = Block(b.label, None, offset + b.start, len(self.text))
        for code, detail in b.problems:
            block.add(code, lineno, detail)
        _edge_whitespace(line[: b.start] if lead else "", block, lineno, lead=lead, trail=False)
        self.open = _Open(block)

    def _close(self, end: _Boundary | None, lineno: int, offset: int) -> None:
        assert self.open is not None
        block, lines = self.open.block, self.open.lines
        self.open_blank = self.open.blank
        quoted_lines = _only_words(self.open)
        self.open = None
        if end is None:
            block.add("pem.missing_end", lineno)
            # without an END line, the body is the base64 run after BEGIN
            cut = next((i for i, (_, _, ok) in enumerate(lines) if not ok), len(lines))
            lines = lines[:cut]
        else:
            if self.open_blank is not None:
                block.add("pem.blank_line", self.open_blank)
            block.end = offset + end.end
            block.end_label = end.label
            if end.label != block.label:
                block.add("pem.label_mismatch", lineno, end.label)
            bad = [n for n, _, ok in lines if not ok]
            for n in bad:
                block.add("pem.bad_base64", n)
        body = "".join(b for _, b, _ in lines)
        block.der = decode_b64(body) if body else None
        if block.der is None and quoted_lines and len(body) < 64:
            return  # the FAQ's "must begin with -----BEGIN ... and end with -----END ...": prose
        if block.der is None and "pem.bad_base64" not in block.defects:
            block.add("pem.bad_base64", lines[-1][0] if lines else lineno)
        self.blocks.append(block)

    def _body_line(self, segment: str, lineno: int, whole_line: bool, first: bool) -> None:
        assert self.open is not None
        o = self.open
        if not o.lines and _HEADER_RE.match(segment.strip()):
            key, _, value = segment.strip().partition(":")
            o.block.headers[key] = value.strip()
            return
        if not segment.strip(" \t\r`\u3000"):
            # after RFC 1421 headers a blank line belongs; inside the body OpenSSL stops
            if whole_line and o.lines and not segment.strip(" \t\r\u3000"):
                o.blank = lineno
            return
        if o.blank is not None:
            o.block.add("pem.blank_line", o.blank)
            o.blank = None
        if segment.startswith(">"):  # a Slack/Markdown quote; base64 has no ">"
            segment = segment[2:] if segment.startswith("> ") else segment[1:]
        o.body_lines += 1
        if prose_line(segment):
            o.prose_lines += 1
        if whole_line:
            _edge_whitespace(segment, o.block, lineno, lead=first, trail=True)
        b64, ok = _clean(segment, o.block, lineno)
        if b64:
            o.lines.append((lineno, b64, ok))
            inner = segment.strip(" \t\r`" + _EDGE)
            if ok and (not whole_line or joined(inner)):
                # base64 on a BEGIN/END line, or several lines run together with spaces
                o.block.add("pem.joined_lines", lineno)

    # -- headerless base64 -------------------------------------------------------
    def _flush_run(self) -> None:
        run, self.run = self.run, []
        start = 0
        for i, (_, _, b64) in enumerate(run):
            # padding ends one body: several headerless objects pasted one after another
            if b64.endswith("=") or i == len(run) - 1:
                seg = run[start : i + 1]
                self._bare(seg[0][1], seg[-1][1] + len(seg[-1][2]), "".join(r[2] for r in seg))
                start = i + 1

    def _bare(self, start: int, end: int, body: str) -> None:
        if len(body) < MIN_BARE_B64:
            return
        der = decode_b64(body) or decode_b64(body + "=" * (-len(body) % 4))
        while der and der[0] == 0x30:
            first = first_der_element(der)
            self.blocks.append(Block(None, first, start, end, encoding="base64"))
            der = der[len(first) :]

    def _outside_line(self, line: str, lineno: int, offset: int) -> None:
        s = line.strip(" \t\r`\u3000")
        # 16+ characters start a run; the short last line of a body continues one
        if s and (len(s) >= 16 or self.run) and s.isascii() and _B64_RE.fullmatch(s):
            self.run.append((lineno, offset, s))
            return
        self._flush_run()
        if len(line) >= 200:
            for m in _LONG_TOKEN_RE.finditer(line):
                self._bare(offset + m.start(), offset + m.end(), m.group())

    def _stray_end(self, b: _Boundary, lineno: int, offset: int) -> None:
        """An END line with no BEGIN: recover the base64 run just above it."""
        run = self.run
        cut = max((i + 1 for i, r in enumerate(run[:-1]) if r[2].endswith("=")), default=0)
        self.run = run[:cut]
        self._flush_run()  # earlier headerless objects stay objects of their own
        run = run[cut:]
        if not run:
            return
        block = Block(b.label, None, run[0][1], offset + b.end)
        block.add("pem.malformed_boundary", lineno, "no_begin")
        block.der = decode_b64("".join(r[2] for r in run))
        if block.der is None:
            block.add("pem.bad_base64", lineno)
        self.blocks.append(block)

    # -- driver ------------------------------------------------------------------
    def scan(self) -> ScanResult:
        offset = 0
        for lineno, line in enumerate(self.text.split("\n"), start=1):
            if line.endswith("\r"):
                self.crlf = True
            self._line(line, lineno, offset)
            offset += len(line) + 1
        if self.open is not None:
            self._close(None, lineno, offset)
        self._flush_run()
        self.blocks.sort(key=lambda b: b.start)
        return ScanResult(self.blocks, self.crlf)

    def _line(self, line: str, lineno: int, offset: int) -> None:
        glued = _GLUED_RE.search(line) if "----------" in line else None
        if glued is not None:  # `cat a.pem b.pem` where a.pem had no final newline
            k = glued.end()
            self._line(line[:k], lineno, offset)
            if self.blocks:
                self.blocks[-1].add("pem.glued_boundary", lineno)
            self._line(line[k:], lineno, offset + k)
            return
        bounds = boundaries(line)
        if bounds and len(line) > 40:
            bounds = not_prose(line, bounds)
        if not bounds:
            if self.open is not None:
                self._body_line(line, lineno, True, True)
            else:
                self._outside_line(line, lineno, offset)
            return
        pos = 0
        for i, b in enumerate(bounds):
            before = line[pos : b.start]
            lead = i == 0 and not before.strip(_EDGE + "`")
            if self.open is not None and before.strip(" \t`"):
                self._body_line(before, lineno, False, False)
            if b.kw == "BEGIN":
                self._begin(b, lineno, offset, line, lead)
                if i == 0 and text_around(before) and not before.rstrip(" \t").endswith("`"):
                    assert self.open is not None  # words before BEGIN: OpenSSL finds no block
                    self.open.block.add("pem.malformed_boundary", lineno, "prefix")
            elif self.open is not None:
                blk = self.open.block
                for code, detail in b.problems:
                    blk.add(code, lineno, detail)
                if lead:
                    _edge_whitespace(before, blk, lineno, lead=True, trail=False)
                self._close(b, lineno, offset)
            else:
                self._stray_end(b, lineno, offset)
            pos = b.end
        after = line[pos:]
        last = self.blocks[-1] if self.open is None and self.blocks else None
        if self.open is not None:
            if after.strip(" \t\r`"):
                self._body_line(after, lineno, False, False)
            else:
                _edge_whitespace(after, self.open.block, lineno, lead=False, trail=True)
        elif last is not None and last.end == offset + pos and not after.strip(" \t\r`"):
            _edge_whitespace(after, last, lineno, lead=False, trail=True)
        elif last is not None and last.end == offset + pos and text_around(after):
            last.add("pem.malformed_boundary", lineno, "suffix")  # words after END


def _only_words(o: _Open) -> bool:
    return o.body_lines > 0 and o.prose_lines == o.body_lines


def scan_text(text: str) -> ScanResult:
    """Every PEM block and headerless base64 object in `text`, in order.

    `text` is first unwrapped (analyzers.decode.prepare: bare CRs, quoted strings with
    `\\n` escapes, e-mail quote markers) without changing its length, so offsets
    still point into `text`."""
    prepared, flags = prepare(text)
    result = _Scanner(prepared).scan()
    result.flags = frozenset(flags)
    return result
