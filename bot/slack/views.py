"""Block Kit for the people behind the bot: the escalation post, the resolve modal and
App Home. Same rules as bot.slack.blocks: escape what people wrote, build through
bot.slack.kit so every limit holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack import kit, mrkdwn
from bot.slack.blocks import ACTION_ASSIGN, ACTION_RESOLVE, VIEW_RESOLVE
from bot.slack.kit import Block, actions, button, context, header, section, sections
from bot.slack.mrkdwn import escape
from bot.slack.strings import t
from bot.types import Lang

# The question in the escalation post: whole up to this (escaped) size; past it the
# post says where the rest is (the permalink). Keeps post + state within one message.
MAX_QUESTION_SHOWN = 8_000
MAX_GUESS = 300
MAX_HOME_OPEN = 15
MAX_MODAL_QUESTION = 2_900
ACTION_CLOSE = "escalation_close"
CLOSE_LABEL = ("クローズ", "Close")

# ---- escalation ------------------------------------------------------------------


def _quoted(text: str) -> str:
    return ">" + escape(text).replace("\n", "\n>")


def question_blocks(question: str, lang: Lang) -> list[Block]:
    """The question, quoted, in as many sections as it needs; past MAX_QUESTION_SHOWN a
    note says how much is shown."""
    quoted = _quoted(question)
    pieces = mrkdwn.split(quoted, kit.MAX_SECTION - 1)
    out: list[Block] = [section(f"*{t('esc_question', lang)}:*", lang)]
    shown = 0
    for piece in pieces:
        if shown + len(piece) > MAX_QUESTION_SHOWN:
            out.append(context(t("esc_question_cut", lang, shown=shown)))
            break
        # a piece that starts mid-line still belongs to the quote
        text = piece if piece.startswith(">") else ">" + piece
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
        shown += len(piece)
    return out


def escalation_blocks(
    record: Any,
    *,
    lang: Lang,
    permalink: str | None,
    best_guess: str | None,
) -> list[Block]:
    """The post in the escalation channel; its state line follows the record's status.
    Who asked, why, where and the bot's guess are a context block of short fields that
    never depends on the length of the question."""
    esc_id = int(record.id)
    reason = t(f"esc_reason_{record.reason}", lang) if record.reason else "?"
    guess = mrkdwn.clip(escape(best_guess), MAX_GUESS) if best_guess else t("esc_no_guess", lang)
    score = getattr(record, "best_guess_score", None)
    if best_guess and isinstance(score, float):
        guess += f" ({score:.2f})"
    facts = [
        f"*{t('esc_asker', lang)}:* <@{record.asker}>",
        f"*{t('esc_reason', lang)}:* {reason}",
    ]
    if permalink:
        facts.append(f"*{t('esc_link', lang)}:* <{permalink}|{t('esc_link_text', lang)}>")
    facts.append(f"*{t('esc_best_guess', lang)}:* {guess}")
    out: list[Block] = [header(t("esc_title", lang, id=esc_id)), context(*facts)]
    out.extend(question_blocks(str(record.question or ""), lang))
    status = str(record.status)
    if status in ("resolved", "closed"):
        line = t("esc_resolved", lang, user=record.resolver or "?")
        if getattr(record, "learned_entry_id", None) or getattr(record, "added_to_faq", False):
            line += " " + t("esc_resolved_faq", lang)
        out.append(section(line, lang))
        if record.resolution:
            out.extend(sections(f"*{t('esc_answer', lang)}:*\n{escape(str(record.resolution))}"))
        return _one_message(out, lang)
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
    return _one_message(out, lang)


def _one_message(blocks: list[Block], lang: Lang) -> list[Block]:
    """An escalation post is updated in place: it must stay one message. The question is
    capped above; a resolution too long is cut here, the head (facts, buttons) kept."""
    composer = kit.Composer(lang, max_pages=1)
    composer.extend(blocks)
    return composer.result()[0]


def escalation_text(record: Any, lang: Lang) -> str:
    question = mrkdwn.clip(escape(" ".join(str(record.question or "").split())), 300)
    return f"{t('esc_title', lang, id=record.id)}: {question} (<@{record.asker}>)"


def resolve_modal(escalation_id: int, lang: Lang, question: str = "") -> Block:
    blocks: list[Block] = []
    if question:
        quoted = mrkdwn.clip(_quoted(question), MAX_MODAL_QUESTION, t("truncated", lang))
        blocks.append(section(f"*{t('esc_question', lang)}:*\n{quoted}", lang))
    blocks += [
        {
            "type": "input",
            "block_id": "answer",
            "label": {"type": "plain_text", "text": t("resolve_answer", lang)},
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": 3000,
            },
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
        "submit": {"type": "plain_text", "text": t("resolve_submit", lang)[:24]},
        "close": {"type": "plain_text", "text": t("resolve_cancel", lang)[:24]},
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
    open_total: int | None = None,
) -> Block:
    """App Home: usage for everyone; for leads the stats, the oldest open cases (with
    "and N more" past MAX_HOME_OPEN) and the top misses."""
    blocks: list[Block] = [header("certdesk"), *sections(t("usage", lang))]
    if is_lead:
        blocks += [kit.divider(), *sections(t("lead_usage", lang))]
        blocks += sections(t("home_stats", lang) + "\n" + format_stats(stats, lang))
        cases = list(open_escalations)
        total = max(open_total or 0, len(cases))
        lines = [
            f"• #{e.id} <@{e.asker}> "
            + mrkdwn.clip(escape(" ".join(str(e.question or "").split())), 120)
            + (f" (<@{e.assignee}>)" if getattr(e, "assignee", None) else "")
            for e in cases[:MAX_HOME_OPEN]
        ]
        if total > MAX_HOME_OPEN:
            lines.append(t("home_more", lang, n=total - MAX_HOME_OPEN))
        blocks += sections(t("home_open", lang) + "\n" + ("\n".join(lines) or t("home_none", lang)))
        blocks += sections(
            t("home_unanswered", lang) + "\n" + format_unanswered(unanswered, lang)
        )
    composer = kit.Composer(lang, max_blocks=kit.MAX_VIEW_BLOCKS, max_pages=1)
    composer.extend(blocks)
    return {"type": "home", "blocks": composer.result()[0]}


def format_stats(stats: dict[str, Any] | None, lang: Lang) -> str:
    if stats is None:
        return t("unavailable", lang)
    return "\n".join(f"• {k}: *{v}*" for k, v in stats.items())


def format_unanswered(groups: Sequence[tuple[str, int]], lang: Lang) -> str:
    if not groups:
        return t("home_none", lang)
    return "\n".join(
        f"• ({n}) {mrkdwn.clip(escape(' '.join(q.split())), 150)}" for q, n in list(groups)[:10]
    )
