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
