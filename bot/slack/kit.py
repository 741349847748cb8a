"""A strict Block Kit builder: blocks that respect Slack's limits by construction, and a
Composer that packs them into as many messages as it takes.

Limits (api.slack.com/reference/block-kit): 50 blocks per message and 100 per view;
3,000 characters per section or context text, 150 per header, 75 per button label,
2,000 per button value, 255 per block_id/action_id; block_ids unique within a message.
Slack answers `msg_blocks_too_long` when the blocks of one message hold too much text
in total (reported from about 13,000 characters): a message here holds at most
BLOCK_TEXT_BUDGET. A long text becomes several sections (bot.slack.mrkdwn.split), and
what does not fit in one message continues in the next one, in the same thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.slack import mrkdwn
from bot.slack.strings import t
from bot.types import Lang

Block = dict[str, Any]
Page = list[Block]

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_VALUE = 2000
MAX_ID = 255
MAX_ACTION_ELEMENTS = 25
# the stand-in (and this module's tests) hold every message to 12,000; keep headroom,
# even for a counter that adds the message's `text` to its blocks' text
MESSAGE_TEXT_LIMIT = 12_000
BLOCK_TEXT_BUDGET = 10_500
# the `text` of a message: Slack refuses 40,000 (msg_too_long) and truncates past 4,000
MAX_TEXT = 3_900
# the `text` next to blocks is only the notification / screen-reader summary
MAX_SUMMARY = 1_000
MAX_PAGES = 10  # messages for one reply; past that it says what was left out


def text_size(blocks: Iterable[Any]) -> int:
    """Characters of text in `blocks`: every string under a "text" key, at any depth."""
    total = 0
    stack: list[Any] = list(blocks)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "text" and isinstance(value, str):
                    total += len(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return total


# ---- blocks ----------------------------------------------------------------------


def sections(text: str) -> list[Block]:
    """A mrkdwn text (already escaped) as as many sections as it needs."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in mrkdwn.split(text, MAX_SECTION)
    ]


def section(text: str, lang: Lang | str = "ja") -> Block:
    """One section; a text past the limit is clipped with a marker (use `sections` for
    anything that must be shown whole)."""
    clipped = mrkdwn.clip(text, MAX_SECTION, t("truncated", lang)) if text.strip() else "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": clipped}}


def header(text: str) -> Block:
    plain = mrkdwn.clip_plain(" ".join(text.split()) or "certdesk", MAX_HEADER)
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def context(*texts: str) -> Block:
    """A context block, one mrkdwn element per text (at most 10, each clipped)."""
    elements = [
        {"type": "mrkdwn", "text": mrkdwn.clip(x, MAX_SECTION)}
        for x in texts[:MAX_CONTEXT_ELEMENTS]
        if x.strip()
    ]
    return {"type": "context", "elements": elements or [{"type": "mrkdwn", "text": "…"}]}


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    if len(value) > MAX_VALUE:
        raise ValueError("button value too long")  # values are ids we made, never text
    b: Block = {
        "type": "button",
        "text": {
            "type": "plain_text",
            "text": mrkdwn.clip_plain(" ".join(label.split()) or "?", MAX_BUTTON),
            "emoji": True,
        },
        "action_id": action_id[:MAX_ID],
        "value": value,
    }
    if style:
        b["style"] = style
    return b


def actions(elements: Sequence[Block], block_id: str | None = None) -> Block:
    b: Block = {"type": "actions", "elements": list(elements[:MAX_ACTION_ELEMENTS])}
    if block_id:
        b["block_id"] = block_id[:MAX_ID]
    return b


def divider() -> Block:
    return {"type": "divider"}


# ---- messages --------------------------------------------------------------------

_NUMBERED = re.compile(r"^(.*)_(\d+)$")


def _unique(wanted: str, seen: set[str]) -> str:
    """`wanted`, or the same id with the next free numeric suffix."""
    if wanted not in seen:
        return wanted
    m = _NUMBERED.match(wanted)
    base, n = (m.group(1), int(m.group(2))) if m else (wanted, 1)
    while f"{base}_{n}"[:MAX_ID] in seen:
        n += 1
    return f"{base}_{n}"[:MAX_ID]


def _with_unique_ids(block: Block, block_ids: set[str], action_ids: set[str]) -> Block:
    out = dict(block)
    if "block_id" in out:
        out["block_id"] = _unique(str(out["block_id"]), block_ids)
        block_ids.add(out["block_id"])
    if isinstance(out.get("elements"), list):
        elements = []
        for el in out["elements"]:
            if isinstance(el, dict) and "action_id" in el:
                el = {**el, "action_id": _unique(str(el["action_id"]), action_ids)}
                action_ids.add(el["action_id"])
            elements.append(el)
        out["elements"] = elements
    return out


class Composer:
    """Blocks in, messages out: each message within the block count and the text budget,
    with ids unique per message, "continued in the next message" where one ends early,
    and a note when even MAX_PAGES messages cannot hold it all."""

    def __init__(
        self,
        lang: Lang | str,
        *,
        max_blocks: int = MAX_BLOCKS,
        budget: int = BLOCK_TEXT_BUDGET,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.lang = lang
        self.max_blocks = max_blocks
        self.budget = budget
        self.max_pages = max_pages
        self._note_more = context(t("continued_below", lang))
        self._note_cut = context(t("reply_cut", lang))
        self._reserve = max(text_size([self._note_more]), text_size([self._note_cut]))
        self.pages: list[Page] = [[]]
        self._size = 0
        self._ids: tuple[set[str], set[str]] = (set(), set())
        self.dropped = 0  # blocks that did not fit in max_pages messages

    def _new_page(self) -> None:
        self.pages.append([])
        self._size = 0
        self._ids = (set(), set())

    def add(self, *blocks: Block) -> None:
        for block in blocks:
            size = text_size([block])
            page = self.pages[-1]
            full = len(page) + 1 > self.max_blocks - 1 or self._size + size > (
                self.budget - self._reserve
            )
            if page and full:
                if len(self.pages) >= self.max_pages:
                    self.dropped += 1
                    continue
                self._new_page()
            self.pages[-1].append(_with_unique_ids(block, *self._ids))
            self._size += size

    def extend(self, blocks: Iterable[Block]) -> None:
        self.add(*blocks)

    def result(self) -> list[Page]:
        """The messages; trailing dividers dropped, every page but the last ending with
        "continued in the next message"."""
        pages = []
        for page in self.pages:
            while page and page[-1]["type"] == "divider":
                page = page[:-1]
            if page:
                pages.append(page)
        if not pages:
            return [[section("…")]]
        out = [[*p, self._note_more] for p in pages[:-1]]
        last = pages[-1] + ([self._note_cut] if self.dropped else [])
        return [*out, last]


def page_text(page: Sequence[Block]) -> str:
    """The mrkdwn of a message's blocks as one text, for re-posting it without blocks."""
    parts: list[str] = []
    for b in page:
        kind = b.get("type")
        if kind == "header":
            parts.append(f"*{mrkdwn.escape(b['text']['text'])}*")
        elif kind == "section":
            if b.get("text"):
                parts.append(str(b["text"]["text"]))
            parts.extend(str(f["text"]) for f in b.get("fields", []))
        elif kind == "context":
            parts.append("  ".join(str(e.get("text", "")) for e in b.get("elements", [])))
    return "\n\n".join(p for p in parts if p.strip())


def text_chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """A message `text` as pieces Slack shows whole (cut as sections are cut)."""
    return mrkdwn.split(text, limit) or ["…"]
