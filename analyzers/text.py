"""Cheap text helpers the chat Desk calls on every message."""

from __future__ import annotations

import re
from collections.abc import Sequence

from analyzers.keys import holds_private_key
from analyzers.scan import DASHES, Block, scan_text

_D = re.escape(DASHES)
# a BEGIN/END-ish line: dashes followed closely by a PEM keyword or label word
_PEM_HINT = re.compile(
    rf"(?<![{_D}])[{_D}]{{2,}}+[^\n{_D}]{{0,20}}?(?:BEGIN|END|CERTIFICATE|PRIVATE KEY|ＢＥＧＩＮ|ＥＮＤ)",
    re.I,
)
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/]{60,}")
_HOST = re.compile(
    r"(?<![A-Za-z0-9_.@-])"
    r"((?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
    r"(?![A-Za-z0-9_@-]|\.[A-Za-z0-9])"
)
# A "host" whose last label is a file extension is a file name (server.crt, a.key).
_FILE_EXTENSIONS = (
    "crt cer pem der key csr req txt p7b p7c p7s pfx p12 jks keystore log conf cfg ini html "
    "htm php js ts json xml yml yaml py rb exe dll zip gz tgz tar png jpg jpeg gif pdf doc docx "
    "xls xlsx sh bat ps1 md csv asp aspx jsp cgi ovpn crl srl bak old new tmp"
)
_NOT_TLDS = frozenset(_FILE_EXTENSIONS.split())
_NOT_HOSTS = frozenset({"asp.net", "vb.net", "ado.net", "node.js", "e.g", "i.e"})


# BEGIN / END markers of a block the Desk cuts out of the prose: a run of 3+ dashes,
# spaces, the keyword. Possessive, and starting only where a dash run starts, so a run of a
# million dashes is read once (`-{3,}\s*BEGIN` tried every dash of it as a start and
# backtracked through the rest: quadratic, 88 s for 40,000 dashes).
_BEGIN_MARK = re.compile(r"(?<!-)-{3,}+\s*+BEGIN", re.I)
_END_MARK = re.compile(r"(?<!-)-{3,}+\s*+END", re.I)


def strip_pem_blocks(text: str, repl: str = " ") -> str:
    """`text` with every BEGIN ... END block (an END line closes it at its last dashes;
    no END: to the end of the text) replaced by `repl`. One pass: each BEGIN is looked for
    after the previous block, each END after its BEGIN, so the work is linear."""
    out: list[str] = []
    pos = 0
    while (begin := _BEGIN_MARK.search(text, pos)) is not None:
        newline = text.find("\n", begin.end())
        if newline < 0:  # a BEGIN line that is the last line opens no block
            break
        out += [text[pos : begin.start()], repl]
        end = _block_end(text, newline + 1)
        if end is None:  # no END line: the block runs to the end
            return "".join(out)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _block_end(text: str, pos: int) -> int | None:
    """Where the first END line at or after `pos` ends: after the last dashes on it."""
    while (m := _END_MARK.search(text, pos)) is not None:
        eol = text.find("\n", m.end())
        eol = len(text) if eol < 0 else eol
        tail = text.rfind("---", m.end(), eol)
        if tail >= 0:
            return tail + 3
        pos = m.end()  # "----- END" with no closing dashes is no END line
    return None


# What must never reach a terminal raw: C0 controls but newline and tab (a CR only when it
# is not part of CRLF), DEL, C1 (0x80-0x9f: 0x9b is a one-byte CSI), and the invisible
# direction marks and overrides that make text read differently from what it is
# (U+202A-202E, U+2066-2069, U+200E/F, U+061C). ESC [2J clears the screen, OSC 52 writes
# the clipboard; a certificate's subject or a stored question can carry either.
_CONTROLS = re.compile(
    "\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escaped(c: str, json: bool) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 and not json else f"\\u{code:04x}"


def escape_controls(text: str, *, json: bool = False) -> str:
    """Control and bidi characters shown as `\\x1b` / `\\u202e`, never sent to a terminal.
    `json=True` writes every one as `\\u00XX`, which keeps JSON and TOML strings valid and
    meaning the same (such characters never stand outside a string there)."""
    if _CONTROLS.search(text) is None:
        return text
    return _CONTROLS.sub(lambda m: _escaped(m.group(), json), text)


def slack_unescape(text: str) -> str:
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def has_analysable_content(text: str) -> bool:
    """True when the text holds a BEGIN/END-ish line, a long base64 run or anything
    analyzers.keys calls private key material."""
    if _PEM_HINT.search(text):
        return True
    for m in _B64_TOKEN.finditer(text):
        token = m.group()
        # a hex fingerprint or digest is long too; base64 mixes cases
        if any(c.islower() for c in token) and any(c.isupper() for c in token):
            return True
    return holds_private_key(text)


def hosts_in_text(text: str) -> list[str]:
    """Host names mentioned outside PEM blocks, lower-cased, in order, without repeats."""
    text = slack_unescape(text)
    blocks = scan_text(text).blocks if has_analysable_content(text) else []
    return hosts_outside(text, blocks)


def hosts_outside(text: str, blocks: Sequence[Block]) -> list[str]:
    """hosts_in_text() for a text already scanned into `blocks`."""
    pieces: list[str] = []
    pos = 0
    for block in blocks:
        if block.start >= pos:
            pieces.append(text[pos : block.start])
            pos = max(pos, block.end)
    pieces.append(text[pos:])
    seen: list[str] = []
    for piece in pieces:
        for m in _HOST.finditer(piece):
            host = m.group(1).lower()
            tld = host.rsplit(".", 1)[-1]
            if tld in _NOT_TLDS or host in _NOT_HOSTS or host in seen:
                continue
            seen.append(host)
    return seen
