"""redact(): remove private keys from text before it is logged or echoed.

Each private-key block becomes a marker that keeps only the SHA-256 fingerprint of
the public key (when it can be derived), so a support person can still tell which
key was exposed. Not one character of key material survives: a block without an
END line is removed to the end of the text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from analyzers.objects import parse_block
from analyzers.scan import scan_text

_NOW = datetime(2000, 1, 1, tzinfo=UTC)  # parse_block needs a clock; keys ignore it
# Safety net for damage the scanner does not call a boundary (no dashes at all, ...).
_LOOSE_BEGIN = re.compile(r"BEGIN[^\n]{0,40}?PRIVATE\s+KEY")
_LOOSE_END = re.compile(r"END[^\n]{0,40}?PRIVATE\s+KEY[^\n]*")


def marker(fingerprint: str | None) -> str:
    if fingerprint:
        return f"[private key removed: sha256 of public key {fingerprint}]"
    return "[private key removed]"


def redact(text: str) -> str:
    """Replace every private-key block in `text` with a marker."""
    if "KEY" not in text.upper() and not _may_hold_bare_key(text):
        return text
    spans: list[tuple[int, int, str]] = []
    for block in scan_text(text).blocks:
        label = block.label
        if label is not None and "PRIVATE KEY" not in label:
            continue
        try:
            parsed = parse_block(block, _NOW)
        except Exception:
            parsed = None
        if label is None and (parsed is None or parsed.kind != "private_key"):
            continue
        fp = parsed.fields.get("public_key_sha256") if parsed is not None else None
        end = block.end if "pem.missing_end" not in block.defects else len(text)
        spans.append((block.start, end, marker(fp)))
    out: list[str] = []
    pos = 0
    for start, end, mark in spans:
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(mark)
        pos = end
    out.append(text[pos:])
    return _loose("".join(out))


def _may_hold_bare_key(text: str) -> bool:
    return "MII" in text  # DER SEQUENCE with a long-form length, base64-encoded


def _loose(text: str) -> str:
    """Redact BEGIN ... PRIVATE KEY that even the tolerant scanner did not take."""
    m = _LOOSE_BEGIN.search(text)
    while m is not None:
        end_m = _LOOSE_END.search(text, m.end())
        end = end_m.end() if end_m is not None else len(text)
        text = text[: m.start()] + marker(None) + text[end:]
        m = _LOOSE_BEGIN.search(text, m.start() + len(marker(None)))
    return text
