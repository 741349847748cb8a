"""redact(): remove private key material from text before it is stored, logged or echoed.

What is key material is decided by analyzers.keys (every form it knows: PEM under any
private or encrypted label, DER inside base64 or hex, `openssl -text` dumps, PuTTY,
JWK). Each stretch becomes a marker; a PEM key the scanner can read keeps the SHA-256
fingerprint of its public key, so a support person can still tell which key was
exposed. Not one character of key material survives: a block without an END line is
removed to the end of the text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from analyzers.keys import KeySpan, encoded_runs, find_private_keys
from analyzers.objects import parse_block
from analyzers.scan import scan_text

_NOW = datetime(2000, 1, 1, tzinfo=UTC)  # parse_block needs a clock; keys ignore it
_PUBLIC = frozenset({"certificate", "csr", "public_key", "pkcs7", "crl"})
MAX_PUBLIC_CHECKS = 16  # blocks read to spare a certificate from a held redaction
# Reading a key to fingerprint it costs milliseconds (RSA checks): only the first few
# keys of one text get a fingerprint, so a paste of thousands stays fast.
MAX_FINGERPRINTS = 8


# How every marker begins: what a stored text that held a key still shows (bot.desk
# looks for it to keep a conversation's hold across workers).
MARKER_PREFIX = "[private key removed"


def marker(fingerprint: str | None = None) -> str:
    if fingerprint:
        return f"{MARKER_PREFIX}: sha256 of public key {fingerprint}]"
    return f"{MARKER_PREFIX}]"


def redact(text: str) -> str:
    """Replace every stretch of private key material in `text` with a marker."""
    spans = find_private_keys(text)
    if not spans:
        return text
    marks = _fingerprints(text, spans)
    out: list[str] = []
    pos = 0
    for span, mark in zip(spans, marks, strict=True):
        out.append(text[pos : span.start])
        out.append(mark)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def _fingerprints(text: str, spans: list[KeySpan]) -> list[str]:
    """The marker of each span: with the public key's fingerprint where a private-key
    block the scanner read lies inside it."""
    found: list[tuple[int, int, str]] = []
    if any(s.form == "pem" for s in spans):
        tried = 0
        for block in scan_text(text).blocks:
            if len(found) >= MAX_FINGERPRINTS or tried >= 4 * MAX_FINGERPRINTS:
                break
            if block.label is not None and "PRIVATE" not in block.label:
                continue  # a certificate: no fingerprint to take
            tried += 1
            try:
                parsed = parse_block(block, _NOW)
            except Exception:
                continue
            if parsed is None or parsed.kind != "private_key":
                continue
            fp = parsed.fields.get("public_key_sha256")
            if isinstance(fp, str):
                found.append((block.start, block.end, fp))
    out = []
    k = 0  # both lists are in text order: one pass over each
    for span in spans:
        while k < len(found) and found[k][0] < span.start:
            k += 1
        fp = found[k][2] if k < len(found) and found[k][0] < span.end else None
        out.append(marker(fp))
    return out


def without_keys(text: str) -> str:
    """`text` with every stretch of key material blanked: the words around it."""
    spans = find_private_keys(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(" ")
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def redact_held(text: str) -> tuple[str, bool]:
    """For a conversation that has just received part of a key (bot.keyhold): also
    replace every run of base64 or hex lines (the middle of a key split over messages),
    except a certificate, CSR or other public object, which is analysed as it is.
    Returns the text and whether anything was replaced."""
    runs = encoded_runs(text)
    if not runs:
        return text, False
    public: list[tuple[int, int]] = []
    for block in scan_text(text).blocks[:MAX_PUBLIC_CHECKS]:
        try:
            parsed = parse_block(block, _NOW)
        except Exception:
            continue
        if parsed is not None and parsed.kind in _PUBLIC:
            public.append((block.start, block.end))
    keep = [r for r in runs if not any(s < r.end and r.start < e for s, e in public)]
    if not keep:
        return text, False
    out: list[str] = []
    pos = 0
    for span in keep:
        out.append(text[pos : span.start])
        out.append(marker())
        pos = span.end
    out.append(text[pos:])
    return "".join(out), True
