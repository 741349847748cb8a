"""find_private_keys(): private key material recognised by what it is, not by one label.

One detector for every place that must not keep a key (the Store, logs, Slack posts,
replies). It finds:

- PEM blocks whose label names a private or encrypted key, however mangled: typos
  (PRIVATEKEY, PRIVTE), lowercase, missing spaces, lookalike or full-width dashes and
  letters; a block without END runs to the end of the text; an END line whose BEGIN
  was lost takes the base64 lines above it;
- DER private keys (PKCS#8, encrypted PKCS#8, PKCS#1 RSA/DSA, SEC1 EC, PKCS#12,
  OpenSSH's binary form) anywhere inside a base64 run, decoded at each of the four
  alignments, and inside runs of hex;
- `openssl pkey|rsa|ec -text` dumps (Private-Key:, privateExponent, prime1, priv: ...
  with their hex-colon lines), PuTTY .ppk files (Private-Lines) and JWK members that
  hold private values ("d", "p", "q", "dp", "dq", "qi", "k").

Every pass is linear in the text: regexes start at a literal or a character class
and never nest quantifiers, each candidate is checked in a bounded window, and each
base64 or hex run is decoded a fixed number of times.
"""

from __future__ import annotations

import binascii
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

# Lookalike dashes (analyzers.boundary.DASHES and the minus signs) and full-width ASCII
# are folded one character to one character, so offsets into the folded text are
# offsets into the original.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc\u2500\u2501"
_FOLD = {ord(c): "-" for c in _DASHES}
_FOLD.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if cp != 0xFF0D})
_FOLD.update({0x3000: " ", 0x00A0: " ", 0x200B: " ", 0xFEFF: " "})

_KEYWORD = re.compile(r"BEGIN|END", re.I)
_LABEL_WINDOW = 60  # characters after BEGIN/END read as the label
_DASH_WINDOW = 12  # characters before BEGIN/END searched for dashes
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_MIN_RUN = 16  # a base64 run starts with a token this long; a key is far longer
_HEX_TOKEN = re.compile(r"[0-9A-Fa-f]{32,}")
_JWK_MEMBER = re.compile(
    r"[\"'\u201c\u201d\u2018\u2019](d|p|q|dp|dq|qi|k)[\"'\u201c\u201d\u2018\u2019]"
    r"[ \t]{0,8}:[ \t\r\n]{0,8}[\"'\u201c\u201d\u2018\u2019]([A-Za-z0-9_\-+/]{16,}={0,2})"
)
_JWK_KTY = re.compile(r"[\"'\u201c\u201d]kty[\"'\u201c\u201d]")
_JWK_GAP = 64  # private members this close together are one span
_JWK_OBJECT = 2048  # how far the braces of a JWK may be from its private members
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9 ._()#-]{0,40}:")
_TEXT_KEYWORDS = ("privateexponent:", "prime1:", "prime2:", "exponent1:", "exponent2:",
                  "coefficient:")
_HEX_CHARS = frozenset("0123456789abcdefABCDEF:")
_PUTTY_HEADER = "PuTTY-User-Key-File-"
_PUTTY_PRIVATE = re.compile(r"Private-Lines:[ \t]{0,8}([0-9]{1,4})")
_PUTTY_WINDOW = 40_000  # how far a header may sit above its Private-Lines

# DER anchors (see _der_key_at): the version INTEGER of a key structure, the OIDs of
# password-based encryption (EncryptedPrivateKeyInfo), OpenSSH's binary magic.
_VERSIONS = (b"\x02\x01\x00", b"\x02\x01\x01", b"\x02\x01\x03")
_PBE_OIDS = (
    b"\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d",  # PBES2
    b"\x2a\x86\x48\x86\xf7\x0d\x01\x05\x03",  # PBES1 MD5/DES
    b"\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0a",  # PBES1 SHA1/DES
    b"\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x01",  # PKCS#12 PBE (the last arc varies)
)
_OPENSSH_MAGIC = b"openssh-key-v1\x00"
_KEY_OIDS = frozenset({
    bytes.fromhex("2a864886f70d010101"),  # rsaEncryption
    bytes.fromhex("2a864886f70d01010a"),  # RSASSA-PSS
    bytes.fromhex("2a8648ce3d0201"),  # id-ecPublicKey
    bytes.fromhex("2a8648ce380401"),  # DSA
    bytes.fromhex("2a864886f70d010301"),  # dhKeyAgreement
    bytes.fromhex("2a8648ce3e0201"),  # X9.42 DH
    bytes.fromhex("2b656e"), bytes.fromhex("2b656f"),  # X25519, X448
    bytes.fromhex("2b6570"), bytes.fromhex("2b6571"),  # Ed25519, Ed448
    bytes.fromhex("2b81040001"),  # SM2 (ecPublicKey variant)
})
_PKCS7_DATA = bytes.fromhex("2a864886f70d010701")
_PKCS7_SIGNED = bytes.fromhex("2a864886f70d010702")


@dataclass(frozen=True)
class KeySpan:
    """Characters [start, end) of the text hold private key material of `form`."""

    start: int
    end: int
    form: str  # pem | der-base64 | der-hex | openssl-text | putty | jwk


def fold(text: str) -> str:
    """Lookalike dashes and full-width ASCII as ASCII, one character for one."""
    return text.translate(_FOLD) if not text.isascii() else text


def find_private_keys(text: str) -> list[KeySpan]:
    """Every stretch of `text` that holds private key material, in order, merged."""
    if not text:
        return []
    folded = fold(text)
    spans = [*_pem_spans(folded), *_base64_spans(folded), *_hex_spans(folded),
             *_text_dump_spans(folded), *_putty_spans(folded), *_jwk_spans(folded)]
    return _merge(spans)


def holds_private_key(text: str) -> bool:
    return bool(find_private_keys(text))


def _merge(spans: list[KeySpan]) -> list[KeySpan]:
    out: list[KeySpan] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start <= out[-1].end:
            last = out[-1]
            if s.end > last.end:
                out[-1] = KeySpan(last.start, s.end, last.form)
            continue
        out.append(s)
    return out


# -- PEM boundaries ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Bound:
    kw: str  # BEGIN | END
    private: bool
    start: int  # the line's first boundary character
    end: int  # just past the boundary (its closing dashes)


def _line_end(text: str, pos: int, limit: int | None = None) -> int:
    """The next newline at or after `pos` (searched up to `limit`), or that limit."""
    stop = len(text) if limit is None else min(len(text), limit)
    nl = text.find("\n", pos, stop)
    return stop if nl < 0 else nl


def _boundary_at(text: str, m: re.Match[str]) -> _Bound | None:
    kw = m.group().upper()
    i, j = m.start(), m.end()
    if i > 0 and text[i - 1].isalpha():
        return None  # SEND, BACKEND, APPEND
    stop = _line_end(text, j, j + _LABEL_WINDOW)
    tail = text[j:stop]
    label_end = tail.find("--")
    label = tail if label_end < 0 else tail[:label_end]
    head_start = max(text.rfind("\n", max(0, i - _DASH_WINDOW), i) + 1, i - _DASH_WINDOW, 0)
    head = text[head_start:i]
    dashes_before = head.count("-") >= 2
    dashes_after = label_end >= 0
    if not (dashes_before or dashes_after):
        # "BEGIN RSA PRIVATE KEY" alone on its line, as some tools damage it; prose that
        # says "begin with a private key" is neither upper case nor alone
        if m.group() != kw or head.strip() or tail.strip() != tail.strip().upper():
            return None
        if len(tail.strip()) > 40 or text[stop:stop + 1] not in ("", "\n", "\r"):
            return None
    compact = "".join(label.upper().split()).replace("_", "")
    if not compact or len(compact) > 40:
        return None
    private = ("KEY" in compact or "PRIV" in compact or "PRV" in compact) and \
        "PUBLIC" not in compact and "PUBKEY" not in compact
    if kw == "BEGIN" and not private and not any(w in compact for w in _OTHER_LABELS):
        return None
    end = j + len(label)
    while end < stop and text[end] == "-":
        end += 1
    start = i
    while start > head_start and text[start - 1] in "- \t":
        start -= 1
    return _Bound(kw, private, start, end)


_OTHER_LABELS = ("CERTIFICATE", "REQUEST", "PKCS", "CRL", "CMS", "PARAMETERS", "MESSAGE")


def _has_material(text: str, start: int, end: int) -> bool:
    """A body worth calling a key: 16 base64 characters in a row somewhere in it."""
    run = 0
    for c in text[start:end]:
        if c.isascii() and (c.isalnum() or c in "+/="):
            run += 1
            if run >= _MIN_RUN:
                return True
        else:
            run = 0
    return False


def _pem_spans(text: str) -> list[KeySpan]:
    bounds = [b for m in _KEYWORD.finditer(text) if (b := _boundary_at(text, m)) is not None]
    spans: list[KeySpan] = []
    open_: _Bound | None = None
    floor = 0  # a lost-BEGIN body never reaches back into an earlier span
    for b in bounds:
        if b.kw == "BEGIN":
            if open_ is not None and _has_material(text, open_.end, b.start):
                spans.append(KeySpan(open_.start, b.start, "pem"))
                floor = b.start
            open_ = b if b.private else None
            continue
        if open_ is not None:
            if _has_material(text, open_.end, b.start):
                spans.append(KeySpan(open_.start, b.end, "pem"))
                floor = b.end
            open_ = None
        elif b.private:
            start = _base64_above(text, b.start, floor)
            if _has_material(text, start, b.start):
                spans.append(KeySpan(start, b.end, "pem"))
                floor = b.end
    if open_ is not None and _has_material(text, open_.end, len(text)):
        spans.append(KeySpan(open_.start, len(text), "pem"))
    return spans


def _base64_above(text: str, pos: int, floor: int) -> int:
    """The start of the base64 lines just above the line at `pos` (not before `floor`)."""
    start = text.rfind("\n", floor, pos) + 1 if pos > floor else pos
    start = max(start, floor)
    while start > floor:
        prev = max(text.rfind("\n", floor, start - 1) + 1, floor)
        s = text[prev : start - 1].strip(" \t\r`>")
        if s and not (s.isascii() and _B64_TOKEN.fullmatch(s)):
            break
        start = prev
    while start < pos and text[start] in " \t\r\n":
        start += 1
    return start


# -- DER inside base64 and hex runs -------------------------------------------------------


def _runs(text: str, tokens: re.Pattern[str], min_first: int) -> list[tuple[str, list[tuple[int, int]]]]:
    """Runs of tokens separated only by blank space (and quote markers). Each run is its
    joined characters and, per token, (index in the run, offset in the text)."""
    runs: list[tuple[str, list[tuple[int, int]]]] = []
    parts: list[str] = []
    where: list[tuple[int, int]] = []
    size = 0
    last_end = -1
    for m in tokens.finditer(text):
        token, start = m.group(), m.start()
        gap = text[last_end:start] if parts else ""
        joins = bool(parts) and not gap.strip(" \t\r\n`>") and (
            len(token) >= min_first or "\n" in gap)
        if not joins:
            if parts:
                runs.append(("".join(parts), where))
            parts, where, size = [], [], 0
            if len(token) < min_first:
                last_end = m.end()
                continue
        parts.append(token)
        where.append((size, start))
        size += len(token)
        last_end = m.end()
        if token.endswith("="):  # padding ends one object
            runs.append(("".join(parts), where))
            parts, where, size = [], [], 0
    if parts:
        runs.append(("".join(parts), where))
    return runs


class _RunMap:
    """Character indices in a joined run -> offsets in the text."""

    def __init__(self, where: list[tuple[int, int]]) -> None:
        self.where = where
        self.keys = [w[0] for w in where]

    def span(self, a: int, b: int, form: str) -> KeySpan:
        return KeySpan(self.at(a), self.at(b - 1) + 1, form)

    def at(self, index: int) -> int:
        k = bisect_right(self.keys, index) - 1
        run_index, offset = self.where[max(k, 0)]
        return offset + (index - run_index)


def _base64_spans(text: str) -> list[KeySpan]:
    spans: list[KeySpan] = []
    for run, where in _runs(text, _B64_TOKEN, _MIN_RUN):
        if len(run) < 32:
            continue
        where_map = _RunMap(where)
        body = run.rstrip("=")
        for k in range(4):
            seg = body[k:]
            seg = seg[: len(seg) - len(seg) % 4]
            if len(seg) < 32:
                continue
            try:
                data = binascii.a2b_base64(seg)
            except (binascii.Error, ValueError):
                continue
            for s, e in _der_keys(data):
                a = k + (s // 3) * 4
                b = min(len(run), k + -(-e // 3) * 4)
                if e >= len(data) or b >= len(body):
                    b = len(run)  # to the run's end: the last characters and padding too
                spans.append(where_map.span(a, b, "der-base64"))
    return spans


def _hex_spans(text: str) -> list[KeySpan]:
    spans: list[KeySpan] = []
    for run, where in _runs(text, _HEX_TOKEN, 32):
        where_map = _RunMap(where)
        for k in range(2):
            seg = run[k:]
            seg = seg[: len(seg) - len(seg) % 2]
            try:
                data = bytes.fromhex(seg)
            except ValueError:
                continue
            for s, e in _der_keys(data):
                a, b = k + 2 * s, min(len(run), k + 2 * e)
                spans.append(where_map.span(a, b, "der-hex"))
    return spans


def _header_before(data: bytes, at: int) -> tuple[int, int] | None:
    """A SEQUENCE header that ends at `at`: (its start, the whole TLV's end)."""
    for size in (2, 3, 4, 5):
        h = at - size
        if h < 0 or data[h] != 0x30:
            continue
        first = data[h + 1]
        if size == 2 and first < 0x80:
            return h, at + first
        if size > 2 and first == 0x80 + size - 2:
            length = int.from_bytes(data[h + 2 : at], "big")
            if length >= 0x80 or size > 3:
                return h, at + length
    return None


def _occurrences(data: bytes, needle: bytes) -> Iterator[int]:
    pos = data.find(needle)
    while pos >= 0:
        yield pos
        pos = data.find(needle, pos + 1)


def _der_keys(data: bytes) -> list[tuple[int, int]]:
    """(start, end) byte ranges of private-key DER structures in `data`; the end is the
    structure's own length, cut at the end of the data (a key pasted in part)."""
    found: list[tuple[int, int]] = []
    for needles, read in ((_VERSIONS, _der_key_at), (_PBE_OIDS, _encrypted_key_at)):
        for needle in needles:
            for pos in _occurrences(data, needle):
                hit = read(data, pos)
                if hit is not None:
                    found.append(hit)
    pos = data.find(_OPENSSH_MAGIC)
    if pos >= 0:
        found.append((pos, len(data)))
    return [(s, min(e, len(data))) for s, e in found]


def _der_key_at(data: bytes, v: int) -> tuple[int, int] | None:
    """A key structure whose version INTEGER sits at `v` (bounded look-around)."""
    head = _header_before(data, v)
    if head is None:
        return None
    start, end = head
    version = data[v + 2]
    nxt = data[v + 3 : v + 12]
    if len(nxt) < 2:
        return None
    if nxt[0] == 0x30 and version in (0, 1):  # PKCS#8: AlgorithmIdentifier with a key OID
        if nxt[1] >= 0x80 or len(nxt) < 4 or nxt[2] != 0x06:
            return None
        oid = data[v + 7 : v + 7 + nxt[3]]
        if oid not in _KEY_OIDS:
            return None
        after = v + 5 + nxt[1]
        if after < len(data) and data[after] != 0x04:
            return None
        return start, end
    if nxt[0] == 0x02 and version == 0:  # PKCS#1 RSA or DSA: a long INTEGER next
        if end - start < 200:
            return None
        if not (nxt[1] in (0x81, 0x82, 0x83) or 0x40 <= nxt[1] < 0x80):
            return None
        return start, end
    if nxt[0] == 0x04 and version == 1:  # SEC1 EC: the private scalar as OCTET STRING
        if not 16 <= nxt[1] <= 72:
            return None
        after = v + 5 + nxt[1]
        if after < len(data) and data[after] not in (0xA0, 0xA1):
            return None
        return start, end
    if nxt[0] == 0x30 and version == 3:  # PKCS#12: version 3, then a ContentInfo
        window = data[v + 3 : v + 20]
        if _PKCS7_DATA in window or _PKCS7_SIGNED in window:
            return start, end
    return None


def _encrypted_key_at(data: bytes, o: int) -> tuple[int, int] | None:
    """EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID pbe, params }, OCTET STRING }."""
    if o < 4 or data[o - 2] != 0x06:
        return None
    alg = _header_before(data, o - 2)
    if alg is None:
        return None
    outer = _header_before(data, alg[0])
    if outer is None:
        return None
    return outer


# -- openssl -text dumps ----------------------------------------------------------------


def _lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def hex_line(s: str) -> bool:
    """A line of an `openssl -text` integer: "00:d3:98:...:" (or its last byte alone)."""
    return 2 <= len(s) <= 200 and (":" in s or len(s) == 2) and all(c in _HEX_CHARS for c in s)


def keyword_line(s: str) -> bool:
    low = s.lower()
    return low.startswith(_TEXT_KEYWORDS) or low == "priv:" or (
        "private-key:" in low and len(s) <= 80)


def _text_dump_spans(text: str) -> list[KeySpan]:
    if ":" not in text:
        return []
    spans: list[KeySpan] = []
    hex_from: int | None = None  # start of the hex lines just above
    region: int | None = None
    region_end = 0
    material = False  # a hex line after a keyword
    for pos, line in _lines(text):
        s = line.strip()
        is_hex = hex_line(s)
        if keyword_line(s):
            if region is None:
                region = hex_from if hex_from is not None else pos
            region_end = pos + len(line)
            hex_from = None
            continue
        if region is not None and (is_hex or (s and _FIELD.match(s))):
            material = material or is_hex
            region_end = pos + len(line)
            continue
        if region is not None:
            if material:
                spans.append(KeySpan(region, region_end, "openssl-text"))
            region, material = None, False
        if not is_hex:
            hex_from = None
        elif hex_from is None:
            hex_from = pos
    if region is not None and material:
        spans.append(KeySpan(region, region_end, "openssl-text"))
    return spans


# -- PuTTY .ppk ---------------------------------------------------------------------------


def _putty_spans(text: str) -> list[KeySpan]:
    spans: list[KeySpan] = []
    floor = 0  # each search looks back no further than the previous file's end
    for m in _PUTTY_PRIVATE.finditer(text):
        if m.start() < floor:
            continue  # inside the lines the previous Private-Lines counted
        line_start = max(text.rfind("\n", floor, m.start()) + 1, floor)
        header = text.rfind(_PUTTY_HEADER, max(floor, m.start() - _PUTTY_WINDOW), m.start())
        start = max(text.rfind("\n", floor, header) + 1, floor) if header >= 0 else line_start
        end = _line_end(text, m.end())
        for _ in range(min(int(m.group(1)), 2000)):
            if end >= len(text):
                break
            end = _line_end(text, end + 1)
        nxt = end + 1
        if text.startswith(("Private-MAC:", "Private-Hash:"), nxt):
            end = _line_end(text, nxt)
        spans.append(KeySpan(start, end, "putty"))
        floor = end
    return spans


# -- JWK ----------------------------------------------------------------------------------


def _jwk_spans(text: str) -> list[KeySpan]:
    members = list(_JWK_MEMBER.finditer(text))
    if not members:
        return []
    if _JWK_KTY.search(text) is None and len({m.group(1) for m in members}) < 2:
        return []  # one "d" in ordinary JSON is not a key
    spans: list[KeySpan] = []
    for m in members:
        s, e = m.span(2)
        if spans and s - spans[-1].end <= _JWK_GAP:
            spans[-1] = KeySpan(spans[-1].start, e, "jwk")
        else:
            spans.append(KeySpan(s, e, "jwk"))
    # the whole object goes (its public members too: one marker for one key), when its
    # braces are near; each search stays between the neighbouring spans
    out: list[KeySpan] = []
    for i, sp in enumerate(spans):
        floor = out[-1].end if out else 0
        ceiling = spans[i + 1].start if i + 1 < len(spans) else len(text)
        open_ = text.rfind("{", max(floor, sp.start - _JWK_OBJECT), sp.start)
        close = text.find("}", sp.end, min(ceiling, sp.end + _JWK_OBJECT))
        if open_ >= 0 and close >= 0:
            sp = KeySpan(open_, close + 1, "jwk")
        out.append(sp)
    return out


# -- a conversation's next part of a key --------------------------------------------------


def encoded_runs(text: str) -> list[KeySpan]:
    """Runs of whole lines that are nothing but base64 or hex: a line of 16 characters
    or more starts a run, shorter ones (a body's last line) continue it; a run of fewer
    than 32 characters is no key material."""
    spans: list[KeySpan] = []
    start: int | None = None
    end = total = 0
    for pos, line in _lines(text):
        s = line.strip(" \t\r`>")
        ok = bool(s) and s.isascii() and (hex_line(s) or _B64_TOKEN.fullmatch(
            s.replace("-", "+").replace("_", "/")) is not None)
        if ok and (len(s) >= _MIN_RUN or start is not None):
            start = pos if start is None else start
            end, total = pos + len(line), total + len(s)
            continue
        if start is not None and total >= 2 * _MIN_RUN:
            spans.append(KeySpan(start, end, "held"))
        start, total = None, 0
    if start is not None and total >= 2 * _MIN_RUN:
        spans.append(KeySpan(start, end, "held"))
    return spans
