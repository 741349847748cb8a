"""Block Kit rendering: Reply -> blocks, escalation posts, the resolve modal, App Home.

Pure functions over plain data so they are unit-testable without Slack. Every piece
of text that came from a person or from the FAQ is escaped (& < >) before it goes
into mrkdwn, and every block respects Slack's limits (50 blocks per message,
3000 characters per section, 150 per header, 75 per button label).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from analyzers.text import slack_unescape
from bot.messages import t as desk_text
from bot.slack.strings import t
from bot.types import Answer, Candidate, Lang, Reply

if TYPE_CHECKING:
    from analyzers import ObjectInfo, Report

Block = dict[str, Any]
# entry id -> the entry's question in the reply language, or None when unknown
EntryTitle = Callable[[str], str | None]

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_FALLBACK = 3900

# action ids the listeners in bot.slack.app register for
ACTION_HELPFUL = "feedback_helpful"
ACTION_NOT_HELPFUL = "feedback_not_helpful"
ACTION_CHOOSE = "choose_candidate"  # suffixed _0.._n: ids must be unique per message
ACTION_SHOW = "show_entry"  # suffixed likewise
ACTION_ASSIGN = "escalation_assign"
ACTION_RESOLVE = "escalation_resolve"
VIEW_RESOLVE = "escalation_resolve_view"

_SEVERITY_MARK = {"error": ":red_circle:", "warning": ":warning:", "info": ":information_source:"}
_SEVERITY_ORDER = ("error", "warning", "info")


def escape(text: str) -> str:
    """Slack's own escaping for text we echo back into mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of message text (the analyzers' rule: &amp; last, so
    "&amp;lt;" stays "&lt;")."""
    return slack_unescape(text)


def clip(text: str, limit: int, lang: Lang | str = "ja") -> str:
    if len(text) <= limit:
        return text
    marker = t("truncated", lang)
    return text[: max(0, limit - len(marker) - 1)].rstrip() + "\n" + marker


def section(text: str, lang: Lang | str = "ja") -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION, lang)}}


def header(text: str) -> Block:
    plain = text if len(text) <= MAX_HEADER else text[: MAX_HEADER - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION)}]}


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    plain = label if len(label) <= MAX_BUTTON else label[: MAX_BUTTON - 1] + "…"
    b: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        b["style"] = style
    return b


def actions(elements: Sequence[Block], block_id: str | None = None) -> Block:
    b: Block = {"type": "actions", "elements": list(elements[:25])}
    if block_id:
        b["block_id"] = block_id
    return b


def clamp(blocks: list[Block], lang: Lang | str, limit: int = MAX_BLOCKS) -> list[Block]:
    """Keep a message under the block limit, saying so instead of failing the post."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context(t("truncated", lang))]


def fallback_text(reply: Reply) -> str:
    """The `text` sent alongside blocks (notifications, screen readers)."""
    return clip(escape(reply.text), MAX_FALLBACK, reply.lang) or "certdesk"


# ---- replies ---------------------------------------------------------------------


def answer_blocks(answer: Answer, lang: Lang, message_id: int | None) -> list[Block]:
    out: list[Block] = [header(answer.question), section(escape(answer.answer), lang)]
    if answer.related:
        out.append(context(f"*{t('related', lang)}*"))
        out.append(_entry_buttons(answer.related, lang, f"related_{answer.id}"[:255]))
    if message_id is not None:
        out.append(context(t("was_helpful", lang)))
        out.append(
            actions(
                [
                    button(t("helpful", lang), ACTION_HELPFUL, str(message_id), "primary"),
                    button(t("not_helpful", lang), ACTION_NOT_HELPFUL, str(message_id)),
                ],
                block_id=f"feedback_{message_id}",
            )
        )
    return out


def candidate_blocks(
    candidates: Sequence[Candidate], lang: Lang, message_id: int | None
) -> list[Block]:
    if not candidates:
        return []
    return [section(t("candidates", lang), lang), candidate_buttons(candidates, message_id)]


def candidate_buttons(candidates: Sequence[Candidate], message_id: int | None) -> Block:
    """Buttons whose value "message id|entry id" lets desk.choose log the choice."""
    prefix = "" if message_id is None else str(message_id)
    buttons = [
        button(c.question, f"{ACTION_CHOOSE}_{i}", f"{prefix}|{c.id}")
        for i, c in enumerate(candidates[:10])
    ]
    return actions(buttons, block_id="candidates")


def _entry_buttons(entries: Iterable[Candidate], lang: Lang, block_id: str) -> Block:
    # value "entry id|lang": the answer to show is in the language of the message
    return actions(
        [button(c.question, f"{ACTION_SHOW}_{i}", f"{c.id}|{lang}") for i, c in enumerate(entries)][
            :5
        ],
        block_id=block_id,
    )


def _fmt_date(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    text = str(value)  # ISO 8601 from the analyzers: "2027-01-31T12:00:00+00:00"
    return text.replace("T", " ").replace("+00:00", " UTC").removesuffix("Z")


def _object_lines(obj: ObjectInfo, lang: Lang) -> list[str]:
    kind = obj.kind
    lines = [f"*{t('object', lang)} {obj.index + 1}: {escape(kind)}*"]
    if kind == "private_key":  # never describe a pasted key beyond its presence
        return lines

    def add(label: str, value: object) -> None:
        if value not in (None, "", (), []):
            lines.append(f"• {label}: {escape(str(value))}")

    add(t("subject", lang), obj.subject)
    add(t("issuer", lang), obj.issuer)
    not_after = obj.not_after
    if not_after is not None:
        days = obj.days_left
        left = ""
        if isinstance(days, int):
            left = t("days_left", lang, n=days) if days >= 0 else t("expired_days", lang, n=-days)
        suffix = f" ({left})" if left else ""
        lines.append(f"• {t('validity', lang)}: {_fmt_date(not_after)}{suffix}")
    sans = obj.sans
    if sans:
        shown = list(sans)[:20]
        more = f" (+{len(sans) - 20})" if len(sans) > 20 else ""
        add(t("sans", lang), ", ".join(str(s) for s in shown) + more)
    if obj.key_type:
        size = obj.key_size or obj.curve
        add(t("key", lang), f"{obj.key_type} {size}" if size else obj.key_type)
    add(t("signature", lang), obj.signature_algorithm)
    return lines


def report_blocks(report: Report, lang: Lang, entry_title: EntryTitle) -> list[Block]:
    """One section per object, then findings grouped by severity, then FAQ buttons."""
    out: list[Block] = [header(t("report_title", lang))]
    if report.source and report.source not in ("-", "<message>", "message"):
        out.append(context(escape(report.source)))
    for obj in report.objects:
        out.append(section("\n".join(_object_lines(obj, lang)), lang))
    findings = list(report.findings)
    if not findings:
        out.append(section(":white_check_mark: " + t("no_findings", lang), lang))
        return out
    faq_ids: list[str] = []
    for severity in _SEVERITY_ORDER:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines = [f"*{_SEVERITY_MARK[severity]} {t('sev_' + severity, lang)}*"]
        for f in group:
            msg = (f.message_en if lang == "en" else f.message) or f.message or f.message_en
            lines.append(f"{_SEVERITY_MARK[severity]} {escape(msg)} `{f.code}`")
            for fid in f.faq:
                title = entry_title(fid)
                if title:
                    lines.append(f"      ↳ {t('faq_link', lang, q=escape(title))}")
                if fid not in faq_ids:
                    faq_ids.append(fid)
        out.append(section("\n".join(lines), lang))
    linked = [Candidate(fid, title, 0.0) for fid in faq_ids if (title := entry_title(fid))]
    if linked:
        out.append(_entry_buttons(linked, lang, "report_faq"))
    return out


def reply_blocks(reply: Reply, entry_title: EntryTitle, extra: Sequence[str] = ()) -> list[Block]:
    """Everything in one Reply: key warning first, then reports, then the answer;
    `extra` holds adapter notes (files that were not checked)."""
    lang = reply.lang
    out: list[Block] = []
    if reply.private_key_pasted:
        out.append(section(t("private_key_warning", lang), lang))
    for report in reply.reports:
        out.extend(report_blocks(report, lang, entry_title))
        out.append({"type": "divider"})
    if reply.live or reply.offers:  # live checks: their own module, bot.slack.live
        from bot.slack.live import live_blocks

        out.extend(live_blocks(reply, entry_title))
    out.extend(_conversation_blocks(reply))
    # The Desk's notices are keys of bot.messages ("greeting", "feedback_thanks", ...)
    notices = [desk_text(key, lang) for key in reply.notices]
    if reply.decision == "smalltalk" and notices:  # the greeting itself is the reply
        out.append(section(escape(notices[0]), lang))
        notices = notices[1:]
    for notice in (*notices, *extra):
        out.append(context(escape(notice)))
    if reply.escalation is not None:
        out.append(section(t("escalated_asker", lang), lang))
    while out and out[-1]["type"] == "divider":
        out.pop()
    return clamp(out, lang)


def _conversation_blocks(reply: Reply) -> list[Block]:
    """The FAQ side of a reply, by the Desk's decision. Replies the Desk made without a
    decision (feedback, choices) fall back to its plain text, unless they escalated:
    then the escalation notice says it all."""
    lang = reply.lang
    if reply.answer is not None:
        return answer_blocks(reply.answer, lang, reply.message_id)
    if reply.decision == "ambiguous" and reply.candidates:
        return candidate_blocks(reply.candidates, lang, reply.message_id)
    if reply.decision == "none":
        out = [section(t("no_answer", lang), lang)]
        if reply.candidates and reply.message_id is not None:
            out.append(context(t("closest", lang)))
            out.append(candidate_buttons(reply.candidates[:3], reply.message_id))
        return out
    if reply.decision in ("human", "smalltalk") or reply.escalation is not None:
        return []
    if reply.decision is None and (reply.reports or reply.live):
        return []  # certificates only: the report is the reply
    return [section(escape(reply.text), lang)] if reply.text else []
