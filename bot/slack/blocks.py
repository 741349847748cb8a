"""Block Kit for the asker: a Desk Reply as one or more messages.

Pure functions over plain data, unit-testable without Slack. Every piece of text that
came from a person or from the FAQ is escaped (& < >) before it goes into mrkdwn; the
blocks come from bot.slack.kit, which holds them to Slack's limits, and a reply too
long for one message continues in the next (kit.Composer).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages import t as desk_text
from bot.slack import kit, mrkdwn
from bot.slack.kit import (
    MAX_BLOCKS,
    MAX_BUTTON,
    MAX_HEADER,
    MAX_SECTION,
    MAX_TEXT,
    Block,
    Page,
    actions,
    button,
    context,
    header,
    section,
    sections,
)
from bot.slack.mrkdwn import escape, unescape
from bot.slack.report import ACTION_SHOW, EntryTitle, RenderContext, entry_buttons, report_blocks
from bot.slack.strings import t
from bot.types import Answer, Candidate, Lang, Reply

__all__ = [
    "ACTION_ASSIGN",
    "ACTION_CHOOSE",
    "ACTION_HELPFUL",
    "ACTION_NOT_HELPFUL",
    "ACTION_RESOLVE",
    "ACTION_SHOW",
    "MAX_BLOCKS",
    "MAX_BUTTON",
    "MAX_HEADER",
    "MAX_SECTION",
    "MAX_TEXT",
    "VIEW_RESOLVE",
    "Block",
    "EntryTitle",
    "Page",
    "actions",
    "button",
    "context",
    "escape",
    "fallback_text",
    "header",
    "reply_blocks",
    "reply_pages",
    "section",
    "sections",
    "unescape",
]

# action ids the listeners in bot.slack.app register for
ACTION_HELPFUL = "feedback_helpful"
ACTION_NOT_HELPFUL = "feedback_not_helpful"
ACTION_CHOOSE = "choose_candidate"  # suffixed _0.._n: ids must be unique per message
ACTION_ASSIGN = "escalation_assign"
ACTION_RESOLVE = "escalation_resolve"
VIEW_RESOLVE = "escalation_resolve_view"


def fallback_text(reply: Reply) -> str:
    """The `text` sent alongside blocks: the notification and screen-reader summary
    (the blocks hold the whole reply; without blocks the pages' text is posted)."""
    summary = mrkdwn.clip(escape(reply.text), kit.MAX_SUMMARY, t("truncated", reply.lang))
    return summary or "certdesk"


# ---- replies ---------------------------------------------------------------------


def answer_blocks(answer: Answer, lang: Lang, message_id: int | None) -> list[Block]:
    """The entry's question as the header and its whole answer, in as many sections as
    it takes (the 80090304 entry's English answer is over 3,000 characters)."""
    out: list[Block] = [header(answer.question)]
    if answer.untranslated:  # an English question, an entry in Japanese only: say so first
        out.append(context(desk_text("only_japanese", lang)))
    out.extend(sections(escape(answer.answer)))
    if answer.url:  # the loader admits only http(s) URLs without spaces, < > or |
        out.append(context(desk_text("more_info", lang, url=f"<{escape(answer.url)}>")))
    if answer.related:
        out.append(context(f"*{t('related', lang)}*"))
        out.append(entry_buttons(list(answer.related), lang, f"related_{answer.id}"))
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


def reply_pages(
    reply: Reply,
    entry_title: EntryTitle,
    extra: Sequence[str] = (),
    *,
    escalation_failed: bool = False,
) -> list[Page]:
    """Everything in one Reply, as messages: key warning first, then reports, then the
    answer; `extra` holds adapter notes (files that were not checked). With
    `escalation_failed` the asker is told that the hand-off did not go through."""
    lang = reply.lang
    ctx = RenderContext(entry_title)
    out = kit.Composer(lang)
    if reply.private_key_pasted:
        out.extend(sections(t("private_key_warning", lang)))
    for report in reply.reports:
        out.extend(report_blocks(report, lang, ctx))
        out.add(kit.divider())
    if reply.live or reply.offers:  # live checks: their own module, bot.slack.live
        from bot.slack.live import live_blocks

        out.extend(live_blocks(reply, ctx))
    out.extend(_conversation_blocks(reply))
    # The Desk's notices are keys of bot.messages ("greeting", "feedback_thanks", ...)
    notices = [desk_text(key, lang) for key in reply.notices]
    if reply.decision == "smalltalk" and notices:  # the greeting itself is the reply
        out.extend(sections(escape(notices[0])))
        notices = notices[1:]
    for notice in notices:
        out.add(context(escape(notice)))
    for note in extra:  # adapter notes (they quote file names: escaped)
        out.extend(sections(escape(note)))
    if reply.escalation is not None:
        key = "escalation_failed" if escalation_failed else "escalated_asker"
        out.extend(sections(t(key, lang, id=reply.escalation.id)))
    return out.result()


def reply_blocks(
    reply: Reply, entry_title: EntryTitle, extra: Sequence[str] = ()
) -> list[Block]:
    """All blocks of `reply_pages`, one list (for inspection; post the pages)."""
    return [b for page in reply_pages(reply, entry_title, extra) for b in page]


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
    return sections(escape(reply.text)) if reply.text else []
