"""Slack's documented limits, checked from outside the app: the strict stand-in answers
every Web API call through `check_message` / `check_view`, and refuses what real Slack
refuses with the error Slack gives.

Written from api.slack.com (Block Kit reference, chat.postMessage, views.open), not from
the app's own constants, so that a wrong constant in the app cannot hide here:
- a message: at most 50 blocks (`too_many_blocks`); `text` at most 40,000 characters
  (`msg_too_long`; Slack truncates past 4,000: counted as a violation too); the text in
  all blocks together at most 12,000 (`msg_blocks_too_long` has been seen from ~13,000;
  blocks plus `text` past 12,000 is counted as a violation, not refused);
- a view (modal, Home): at most 100 blocks; modal title/submit/close 24, private_metadata
  3,000, callback_id 255;
- section text 1..3,000 (fields: 10 x 2,000); header 1..150 plain_text; context 1..10
  elements; actions 1..25 elements; button text 1..75, value 2,000, url 3,000,
  action_id 255; block_id 255 and unique in the message (`invalid_blocks`); action_ids
  unique in a message (stricter than Slack's per-block rule: listeners tell buttons
  apart by action_id), per block in a view;
- mrkdwn that was cut badly: an `&` that starts no entity, a `<` with no `>` (a cut
  link). Slack shows those wrong rather than refusing them; they count as violations.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import Block as SdkBlock

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_BLOCKS_TEXT = 12_000
MAX_TEXT = 40_000
TEXT_SHOWN = 4_000
BLOCK_TYPES = {"section", "header", "context", "actions", "divider", "input", "image"}
_ENTITY = re.compile(r"&(?:amp|lt|gt);")
_TOKEN = re.compile(r"<[^<>\n]*>")


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def text_size(obj: Any) -> int:
    """Characters in every string under a "text" key, at any depth."""
    if isinstance(obj, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else text_size(v) for k, v in obj.items()
        )
    if isinstance(obj, list):
        return sum(text_size(v) for v in obj)
    return 0


def mrkdwn_problems(text: str) -> list[str]:
    out = []
    stripped = _TOKEN.sub("", _ENTITY.sub("", text))
    if "&" in stripped:
        at = stripped.index("&")
        out.append(f"an & that starts no entity: {stripped[max(0, at - 20) : at + 20]!r}")
    if "<" in stripped:
        at = stripped.index("<")
        out.append(f"a < with no > (a cut link?): {stripped[max(0, at - 20) : at + 40]!r}")
    return out


def _text_object(obj: Any, where: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{where}: not a text object"]
    if plain_only and obj["type"] != "plain_text":
        return [f"{where}: must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: empty text"]
    out = []
    if len(text) > limit:
        out.append(f"{where}: {len(text)} characters > {limit}")
    if obj["type"] == "mrkdwn":
        out.extend(f"{where}: {p}" for p in mrkdwn_problems(text))
    return out


def _element(el: Any, where: str, action_ids: set[str]) -> list[str]:
    if not isinstance(el, dict):
        return [f"{where}: not an object"]
    out: list[str] = []
    aid = el.get("action_id")
    if aid is not None:
        if len(str(aid)) > 255:
            out.append(f"{where}: action_id > 255")
        if aid in action_ids:
            out.append(f"{where}: duplicate action_id {aid!r}")
        action_ids.add(str(aid))
    if el.get("type") == "button":
        out += _text_object(el.get("text"), f"{where}.text", 75, plain_only=True)
        if len(str(el.get("value", ""))) > 2000:
            out.append(f"{where}: value > 2000")
        if len(str(el.get("url", ""))) > 3000:
            out.append(f"{where}: url > 3000")
        if el.get("style") not in (None, "primary", "danger"):
            out.append(f"{where}: bad style")
    return out


def check_blocks(blocks: Any, max_blocks: int, *, view: bool = False) -> list[tuple[str, str]]:
    """(Slack's error, description) for each broken limit in a list of blocks."""
    if not isinstance(blocks, list):
        return [("invalid_blocks_format", "blocks is not a list")]
    out: list[tuple[str, str]] = []
    if len(blocks) > max_blocks:
        out.append(("too_many_blocks", f"{len(blocks)} blocks > {max_blocks}"))
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, b in enumerate(blocks):
        where = f"blocks[{i}]"
        bad: list[str] = []
        if view:  # in a view, action ids are unique per block (state is keyed by both)
            action_ids = set()
        if not isinstance(b, dict) or b.get("type") not in BLOCK_TYPES:
            out.append(("invalid_blocks", f"{where}: unknown block"))
            continue
        kind = b["type"]
        bid = b.get("block_id")
        if bid is not None:
            if len(str(bid)) > 255:
                bad.append(f"{where}: block_id > 255")
            if bid in block_ids:
                bad.append(f"{where}: duplicate block_id {bid!r}")
            block_ids.add(str(bid))
        if kind == "section":
            if "text" not in b and not b.get("fields"):
                bad.append(f"{where}: section without text")
            if "text" in b:
                bad += _text_object(b["text"], f"{where}.text", 3000)
            fields = b.get("fields") or []
            if len(fields) > 10:
                bad.append(f"{where}: more than 10 fields")
            for j, f in enumerate(fields):
                bad += _text_object(f, f"{where}.fields[{j}]", 2000)
            if "accessory" in b:
                bad += _element(b["accessory"], f"{where}.accessory", action_ids)
        elif kind == "header":
            bad += _text_object(b.get("text"), f"{where}.text", 150, plain_only=True)
        elif kind == "context":
            elements = b.get("elements") or []
            if not 1 <= len(elements) <= 10:
                bad.append(f"{where}: context with {len(elements)} elements")
            for j, el in enumerate(elements):
                if isinstance(el, dict) and el.get("type") in ("mrkdwn", "plain_text"):
                    bad += _text_object(el, f"{where}.elements[{j}]", 3000)
        elif kind == "actions":
            elements = b.get("elements") or []
            if not 1 <= len(elements) <= 25:
                bad.append(f"{where}: actions with {len(elements)} elements")
            for j, el in enumerate(elements):
                bad += _element(el, f"{where}.elements[{j}]", action_ids)
        elif kind == "input":
            if not view:
                bad.append(f"{where}: input block outside a view")
            bad += _text_object(b.get("label"), f"{where}.label", 2000, plain_only=True)
            bad += _element(b.get("element"), f"{where}.element", action_ids)
        try:  # and whatever slack_sdk's own models know about the block
            parsed = SdkBlock.parse(b)
            if parsed is not None:
                parsed.validate_json()
        except Exception as exc:
            bad.append(f"{where}: slack_sdk: {exc}")
        out.extend(("invalid_blocks", d) for d in bad)
    return out


def check_message(params: dict[str, Any]) -> list[tuple[str, str]]:
    """chat.postMessage / chat.update / chat.postEphemeral / a response_url post."""
    out: list[tuple[str, str]] = []
    blocks = _decode(params.get("blocks"))
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        out.append(("invalid_arguments", "text is not a string"))
        text = str(text)
    if not blocks and not (text or "").strip() and not params.get("delete_original"):
        out.append(("no_text", "neither text nor blocks"))
    if text and len(text) > MAX_TEXT:
        out.append(("msg_too_long", f"text of {len(text)} characters"))
    elif text and len(text) > TEXT_SHOWN:
        out.append(("", f"text of {len(text)} characters: Slack truncates past {TEXT_SHOWN}"))
    if text and not blocks:
        out.extend(("", f"text: {p}") for p in mrkdwn_problems(text))
    if blocks:
        out += check_blocks(blocks, MAX_MESSAGE_BLOCKS)
        size = text_size(blocks)
        if size > MAX_BLOCKS_TEXT:
            out.append(("msg_blocks_too_long", f"{size} characters of block text"))
        elif size + len(text or "") > MAX_BLOCKS_TEXT:  # headroom, whatever Slack counts
            out.append(("", f"{size} characters of block text + {len(text or '')} of text"))
    return out


def check_view(params: dict[str, Any]) -> list[tuple[str, str]]:
    """views.open / views.publish / views.update / views.push."""
    view = _decode(params.get("view"))
    if not isinstance(view, dict):
        return [("invalid_arguments", "no view")]
    out = [("invalid_arguments", d) for _, d in check_blocks(view.get("blocks"), 100, view=True)]
    if view.get("type") == "modal":
        for key in ("title", "submit", "close"):
            if key in view:
                out += [
                    ("invalid_arguments", d)
                    for d in _text_object(view[key], f"view.{key}", 24, plain_only=True)
                ]
        if len(str(view.get("private_metadata", ""))) > 3000:
            out.append(("invalid_arguments", "private_metadata > 3000"))
        if len(str(view.get("callback_id", ""))) > 255:
            out.append(("invalid_arguments", "callback_id > 255"))
    elif view.get("type") != "home":
        out.append(("invalid_arguments", f"unknown view type {view.get('type')!r}"))
    return out


MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})
VIEW_METHODS = frozenset({"views.open", "views.publish", "views.update", "views.push"})


def check_call(method: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if method in MESSAGE_METHODS or method == "response_url":
        return check_message(params)
    if method in VIEW_METHODS:
        return check_view(params)
    return []
