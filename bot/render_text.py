"""Plain-text rendering of a Reply: what the terminal chat prints and what Slack uses
as the notification fallback."""

from __future__ import annotations

from bot.messages import t
from bot.types import Reply

# A chat reply shows this many objects of a report; `certdesk check` shows them all.
MAX_OBJECTS_SHOWN = 20


def render_reply(reply: Reply, *, logged: bool = True, transport: str = "slack") -> str:
    lang = reply.lang
    parts: list[str] = []
    if reply.private_key_pasted:
        parts.append("⚠ " + t("private_key", lang))
    for report in reply.reports:
        from analyzers import render_report

        # an uploaded file is named; the message itself needs no "== message ==" line
        body = render_report(
            report, lang, header=report.source != "message", max_objects=MAX_OBJECTS_SHOWN
        )
        parts.append(t("analysis_header", lang) + "\n" + body)
    parts.extend(_live_parts(reply))
    for notice in reply.notices:
        parts.append(t(notice, lang))
    decision = reply.decision
    if reply.answer is not None:
        a = reply.answer
        block = f"■ {a.question}\n\n{a.answer}"
        if a.untranslated:
            block = t("only_japanese", lang) + "\n\n" + block
        if a.url:
            block += "\n\n" + t("more_info", lang, url=a.url)
        if a.related:
            block += (
                "\n\n"
                + t("related", lang)
                + "\n"
                + "\n".join(f"  - {r.question}" for r in a.related)
            )
        parts.append(block)
    elif decision == "ambiguous":
        lines = [t("ambiguous", lang)]
        lines += [f"  {n}. {c.question}" for n, c in enumerate(reply.candidates, start=1)]
        parts.append("\n".join(lines))
    elif decision == "none":
        parts.append(t("no_answer", lang))
    elif decision == "human":
        parts.append(t("asked_human", lang))
    esc = reply.escalation
    if esc is not None:
        if esc.id:
            key = "escalated_terminal" if transport == "terminal" else "escalated"
            parts.append(t(key, lang, id=esc.id))
        else:
            parts.append(t("escalation_would", lang))
        if esc.best_guess is not None and decision != "human":
            parts.append(t("best_guess", lang, question=esc.best_guess.question))
    if not logged:
        parts.append(t("logging_failed", lang))
    return "\n\n".join(p for p in parts if p)


def _live_parts(reply: Reply) -> list[str]:
    """Each live check as a report with its connection line, then the fetched
    intermediates (live and pasted): subject, PEM in a code block, where it goes."""
    if not reply.live and not reply.offers:
        return []
    from analyzers import render_report
    from bot.live_report import render_offer

    lang = reply.lang
    parts: list[str] = []
    for check in reply.live:
        body = render_report(check.report, lang, header=False, max_objects=MAX_OBJECTS_SHOWN)
        parts.append(t("live_header", lang, source=check.handshake.source) + "\n" + body)
        parts.extend(render_offer(o, lang) for o in check.offers)
    parts.extend(render_offer(o, lang) for o in reply.offers)
    return parts
