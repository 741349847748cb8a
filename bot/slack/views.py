"""Block Kit for the people behind the bot: the escalation post, the resolve modal and
App Home. Same rules as bot.slack.blocks: escape what people wrote, respect the limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.blocks import (
    ACTION_ASSIGN,
    ACTION_RESOLVE,
    VIEW_RESOLVE,
    Block,
    actions,
    button,
    clamp,
    context,
    escape,
    header,
    section,
)
from bot.slack.strings import t
from bot.types import Lang

ACTION_CLOSE = "escalation_close"
CLOSE_LABEL = ("クローズ", "Close")

# ---- escalation ------------------------------------------------------------------


def escalation_blocks(
    record: Any,
    *,
    lang: Lang,
    permalink: str | None,
    best_guess: str | None,
) -> list[Block]:
    """The post in the escalation channel; its state line follows the record's status."""
    esc_id = int(record.id)
    reason = t(f"esc_reason_{record.reason}", lang) if record.reason else ""
    quoted = escape(str(record.question or "")).replace("\n", "\n>")
    fields = [
        f"*{t('esc_question', lang)}:*\n>{quoted}",
        f"*{t('esc_asker', lang)}:* <@{record.asker}>    *{t('esc_reason', lang)}:* {reason}",
    ]
    if permalink:
        fields.append(f"*{t('esc_link', lang)}:* <{permalink}|{permalink}>")
    guess = escape(best_guess) if best_guess else t("esc_no_guess", lang)
    score = getattr(record, "best_guess_score", None)
    if best_guess and isinstance(score, float):
        guess += f" ({score:.2f})"
    fields.append(f"*{t('esc_best_guess', lang)}:* {guess}")
    out: list[Block] = [header(t("esc_title", lang, id=esc_id)), section("\n".join(fields), lang)]
    status = str(record.status)
    if status == "resolved" or status == "closed":
        line = t("esc_resolved", lang, user=record.resolver or "?")
        if getattr(record, "learned_entry_id", None) or getattr(record, "added_to_faq", False):
            line += " " + t("esc_resolved_faq", lang)
        out.append(section(line, lang))
        if record.resolution:
            answer = escape(str(record.resolution))
            out.append(section(f"*{t('esc_answer', lang)}:*\n{answer}", lang))
        return clamp(out, lang)
    if record.assignee:
        out.append(context(t("esc_assigned", lang, user=record.assignee)))
    out.append(
        actions(
            [
                button(t("esc_take", lang), ACTION_ASSIGN, str(esc_id)),
                button(t("esc_resolve", lang), ACTION_RESOLVE, str(esc_id), "primary"),
                button(CLOSE_LABEL[1] if lang == "en" else CLOSE_LABEL[0], ACTION_CLOSE,
                       str(esc_id)),
            ],
            block_id=f"escalation_{esc_id}",
        )
    )
    return out


def escalation_text(record: Any, lang: Lang) -> str:
    return f"{t('esc_title', lang, id=record.id)}: {escape(str(record.question or ''))[:300]}"


def resolve_modal(escalation_id: int, lang: Lang, question: str = "") -> Block:
    blocks: list[Block] = []
    if question:
        blocks.append(section(f"*{t('esc_question', lang)}:*\n{escape(question)}", lang))
    blocks += [
        {
            "type": "input",
            "block_id": "answer",
            "label": {"type": "plain_text", "text": t("resolve_answer", lang)},
            "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "add_to_faq",
            "optional": True,
            "label": {"type": "plain_text", "text": t("resolve_add_faq", lang)},
            "element": {
                "type": "checkboxes",
                "action_id": "value",
                "options": [
                    {
                        "text": {"type": "plain_text", "text": t("resolve_add_faq", lang)},
                        "description": {
                            "type": "plain_text",
                            "text": t("resolve_add_faq_hint", lang),
                        },
                        "value": "yes",
                    }
                ],
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": VIEW_RESOLVE,
        "private_metadata": str(escalation_id),
        "title": {"type": "plain_text", "text": t("resolve_title", lang)[:24]},
        "submit": {"type": "plain_text", "text": t("resolve_submit", lang)},
        "close": {"type": "plain_text", "text": t("resolve_cancel", lang)},
        "blocks": blocks,
    }


def resolve_submission(view: dict[str, Any]) -> tuple[int, str, bool]:
    """(escalation id, answer, add to FAQ) from a submitted resolve modal."""
    values = view["state"]["values"]
    answer = (values["answer"]["value"].get("value") or "").strip()
    selected = values.get("add_to_faq", {}).get("value", {}).get("selected_options") or []
    return int(view["private_metadata"]), answer, any(o.get("value") == "yes" for o in selected)


# ---- App Home --------------------------------------------------------------------


def home_view(
    lang: Lang,
    *,
    is_lead: bool,
    stats: dict[str, Any] | None = None,
    open_escalations: Sequence[Any] = (),
    unanswered: Sequence[tuple[str, int]] = (),
) -> Block:
    """App Home: usage for everyone; for leads the stats, open cases and top misses."""
    blocks: list[Block] = [header("certdesk"), section(t("usage", lang), lang)]
    if is_lead:
        blocks += [{"type": "divider"}, section(t("lead_usage", lang), lang)]
        blocks.append(section(t("home_stats", lang) + "\n" + format_stats(stats, lang), lang))
        lines = [
            f"• #{e.id} <@{e.asker}> {escape(str(e.question or ''))[:120]}"
            + (f" (<@{e.assignee}>)" if getattr(e, "assignee", None) else "")
            for e in list(open_escalations)[:15]
        ]
        blocks.append(
            section(t("home_open", lang) + "\n" + ("\n".join(lines) or t("home_none", lang)), lang)
        )
        blocks.append(
            section(t("home_unanswered", lang) + "\n" + format_unanswered(unanswered, lang), lang)
        )
    return {"type": "home", "blocks": clamp(blocks, lang, limit=100)}


def format_stats(stats: dict[str, Any] | None, lang: Lang) -> str:
    if stats is None:
        return t("unavailable", lang)
    return "\n".join(f"• {k}: *{v}*" for k, v in stats.items())


def format_unanswered(groups: Sequence[tuple[str, int]], lang: Lang) -> str:
    if not groups:
        return t("home_none", lang)
    return "\n".join(f"• ({n}) {escape(q)[:150]}" for q, n in list(groups)[:10])
