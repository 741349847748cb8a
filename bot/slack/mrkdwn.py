"""Slack mrkdwn text: escaping, and cutting long text into pieces Slack accepts.

Slack escapes `&`, `<` and `>` in message text; we escape what we echo back. An escaped
text is longer than the original (`&` -> `&amp;`), so limits are applied after escaping,
and a cut never falls inside an entity (`&amp;`) or a `<...>` token (a link, a mention).
Everything here runs in time linear in the text.
"""

from __future__ import annotations

import bisect
import re

from analyzers.text import slack_unescape

# what must never be cut: the three entities Slack uses, and <...> tokens we wrote
# (links <url|text>, mentions <@U1>). [^<>\n] cannot backtrack past the next "<".
_ATOM = re.compile(r"&(?:amp|lt|gt);|<[^<>\n]{1,3000}>")


def escape(text: str) -> str:
    """Slack's own escaping for text we echo back into mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of message text (the analyzers' rule: &amp; last, so
    "&amp;lt;" stays "&lt;")."""
    return slack_unescape(text)


class _Atoms:
    """The spans that must stay whole, for bisecting a cut position."""

    def __init__(self, text: str) -> None:
        self.spans = [(m.start(), m.end()) for m in _ATOM.finditer(text)]
        self.starts = [s for s, _ in self.spans]

    def inside(self, pos: int) -> tuple[int, int] | None:
        """The span that `pos` would cut (start < pos < end), if any."""
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0:
            start, end = self.spans[i]
            if start < pos < end:
                return start, end
        return None


def _best_cut(text: str, pos: int, limit: int) -> tuple[int, int]:
    """(end of this piece, start of the next) for a piece of text[pos:] of at most
    `limit` characters: a paragraph break, else a line break, else a space, else hard."""
    end = pos + limit
    floor = pos + limit // 4  # a break that leaves a tiny piece is not worth it
    for sep in ("\n\n", "\n", " "):
        k = text.rfind(sep, pos, end + len(sep))
        if k > floor:
            return k, k + len(sep)
    return end, end


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters whose concatenation (give or take the
    whitespace at the breaks) is `text`; cut on paragraph, then line, then word breaks,
    never inside an entity or a <...> token. Empty pieces are dropped."""
    if limit < 8:
        raise ValueError("limit too small")
    if len(text) <= limit:
        return [text] if text.strip() else []
    atoms = _Atoms(text)
    out: list[str] = []
    pos, n = 0, len(text)
    while n - pos > limit:
        end, nxt = _best_cut(text, pos, limit)
        span = atoms.inside(end)
        if span is not None:
            if span[0] > pos:  # break before the entity or link
                end = nxt = span[0]
            elif span[1] - pos <= limit:  # it starts the piece: break after it
                end = nxt = span[1]
            # else: one link longer than a whole piece; cut it (Slack shows it broken)
        piece = text[pos:end].rstrip()
        if piece.strip():
            out.append(piece)
        pos = nxt
        while pos < n and text[pos] == "\n":
            pos += 1
    tail = text[pos:]
    if tail.strip():
        out.append(tail)
    return out


def clip(text: str, limit: int, marker: str = "…") -> str:
    """`text` if it fits, else its first piece (cut as `split` cuts) and `marker`."""
    if len(text) <= limit:
        return text
    head = split(text, max(8, limit - len(marker) - 1))
    return (head[0] if head else "") + "\n" + marker


def clip_plain(text: str, limit: int) -> str:
    """For plain_text fields (headers, button labels): no entities there, cut with '…'."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pack(lines: list[str], limit: int) -> list[str]:
    """Join lines into texts of at most `limit` characters, a line never split unless it
    is longer than `limit` by itself (then it is split as `split` does)."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        pieces = split(line, limit) if len(line) > limit else [line]
        for piece in pieces:
            extra = len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                out.append("\n".join(current))
                current, size = [], 0
                extra = len(piece)
            current.append(piece)
            size += extra
    if current:
        out.append("\n".join(current))
    return [p for p in out if p.strip()]
