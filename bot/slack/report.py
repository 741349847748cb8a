"""A certificate report as Block Kit: findings first (errors, then warnings, then info),
the FAQ entries they link to, then the objects, at most MAX_OBJECTS_SHOWN of them with
a count of the rest (as the terminal chat shows them).

A report is a sequence of parts, each rendered by one function of REPORT_PARTS. Another
kind of section (a live TLS check, say) is one more function in that list: it gets the
report, the language and a RenderContext, and returns blocks (long texts through
`kit.sections` or `mrkdwn.pack`, ids through `ctx.block_id`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.render_text import MAX_OBJECTS_SHOWN
from bot.slack import kit, mrkdwn
from bot.slack.mrkdwn import escape
from bot.slack.strings import t
from bot.types import Candidate, Lang

if TYPE_CHECKING:
    from analyzers import Finding, ObjectInfo, Report

Block = kit.Block
# entry id -> the entry's question in the reply language, or None when unknown
EntryTitle = Callable[[str], str | None]

ACTION_SHOW = "show_entry"  # suffixed _0.._n: action ids are unique per message

_SEVERITY_MARK = {"error": ":red_circle:", "warning": ":warning:", "info": ":information_source:"}
SEVERITY_ORDER = ("error", "warning", "info")
MAX_SANS_SHOWN = 20
# findings in full up to about three messages' worth, grouped by code past that
FULL_FINDINGS_BUDGET = 30_000


@dataclass
class RenderContext:
    """What the parts of one reply share: titles, and counters that keep ids unique."""

    entry_title: EntryTitle
    counters: dict[str, int] = field(default_factory=dict)

    def block_id(self, base: str) -> str:
        n = self.counters.get(base, 0)
        self.counters[base] = n + 1
        return base if n == 0 else f"{base}_{n}"


def entry_buttons(entries: list[Candidate], lang: Lang, block_id: str) -> Block:
    # value "entry id|lang": the answer to show is in the language of the message
    return kit.actions(
        [
            kit.button(c.question, f"{ACTION_SHOW}_{i}", f"{c.id}|{lang}"[: kit.MAX_VALUE])
            for i, c in enumerate(entries[:5])
        ],
        block_id=block_id,
    )


def fmt_date(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    text = str(value)  # ISO 8601 from the analyzers: "2027-01-31T12:00:00+00:00"
    return text.replace("T", " ").replace("+00:00", " UTC").removesuffix("Z")


def object_lines(obj: ObjectInfo, lang: Lang) -> list[str]:
    kind = obj.kind
    lines = [f"*{t('object', lang)} {obj.index + 1}: {escape(kind)}*"]
    if kind == "private_key":  # never describe a pasted key beyond its presence
        return lines

    def add(label: str, value: object) -> None:
        if value not in (None, "", (), []):
            lines.append(f"• {label}: {escape(str(value))}")

    add(t("subject", lang), obj.subject)
    add(t("issuer", lang), obj.issuer)
    if obj.not_after is not None:
        days = obj.days_left
        left = ""
        if isinstance(days, int):
            left = t("days_left", lang, n=days) if days >= 0 else t("expired_days", lang, n=-days)
        suffix = f" ({left})" if left else ""
        lines.append(f"• {t('validity', lang)}: {fmt_date(obj.not_after)}{suffix}")
    sans = obj.sans
    if sans:
        shown = list(sans)[:MAX_SANS_SHOWN]
        more = f" (+{len(sans) - MAX_SANS_SHOWN})" if len(sans) > MAX_SANS_SHOWN else ""
        add(t("sans", lang), ", ".join(str(s) for s in shown) + more)
    if obj.key_type:
        size = obj.key_size or obj.curve
        add(t("key", lang), f"{obj.key_type} {size}" if size else obj.key_type)
    add(t("signature", lang), obj.signature_algorithm)
    return lines


def _message(f: Finding, lang: Lang) -> str:
    return (f.message_en if lang == "en" else f.message) or f.message or f.message_en


def ordered_findings(report: Report) -> list[Finding]:
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return sorted(report.findings, key=lambda f: rank.get(f.severity, len(rank)))


def faq_ids(report: Report) -> list[str]:
    seen: list[str] = []
    for f in ordered_findings(report):
        seen.extend(fid for fid in f.faq if fid not in seen)
    return seen


def findings_part(report: Report, lang: Lang, ctx: RenderContext) -> list[Block]:
    """Every finding, errors first. When the full lines would take more than
    FULL_FINDINGS_BUDGET characters (a bundle of a hundred certificates), a code that
    recurs is said once with its first message and the numbers of every other object
    it applies to: each finding is still there, in a few messages instead of dozens."""
    findings = ordered_findings(report)
    if not findings:
        return kit.sections(":white_check_mark: " + t("no_findings", lang))
    lines = _finding_lines(findings, lang, ctx, grouped=False)
    if sum(len(line) + 1 for line in lines) > FULL_FINDINGS_BUDGET:
        lines = _finding_lines(findings, lang, ctx, grouped=True)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        for text in mrkdwn.pack(lines, kit.MAX_SECTION)
    ]


def _finding_lines(
    findings: list[Finding], lang: Lang, ctx: RenderContext, *, grouped: bool
) -> list[str]:
    lines: list[str] = []
    linked: set[str] = set()
    for severity in SEVERITY_ORDER:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        mark = _SEVERITY_MARK[severity]
        lines.append(f"*{mark} {t('sev_' + severity, lang)}*")
        others: dict[str, list[int]] = {}
        firsts: list[Finding] = []
        for f in group:
            if grouped and isinstance(f.object, int) and f.code in others:
                others[f.code].append(f.object + 1)
                continue
            if isinstance(f.object, int):
                others.setdefault(f.code, [])
            firsts.append(f)
        for f in firsts:
            where = f"{t('object', lang)} {f.object + 1}: " if isinstance(f.object, int) else ""
            lines.append(f"{mark} {where}{escape(_message(f, lang))} `{f.code}`")
            more = others.get(f.code) if isinstance(f.object, int) else None
            if grouped and more:
                numbers = ", ".join(str(n) for n in more)
                lines.append(f"      ↳ {t('finding_also', lang, n=len(more), objects=numbers)}")
                others[f.code] = []  # said once
            for fid in f.faq:  # each FAQ title once; the buttons below link them all
                title = ctx.entry_title(fid)
                if title and fid not in linked:
                    linked.add(fid)
                    lines.append(f"      ↳ {t('faq_link', lang, q=escape(title))}")
    return lines


def faq_part(report: Report, lang: Lang, ctx: RenderContext) -> list[Block]:
    linked = [
        Candidate(fid, title, 0.0) for fid in faq_ids(report) if (title := ctx.entry_title(fid))
    ]
    if not linked:
        return []
    return [entry_buttons(linked, lang, ctx.block_id("report_faq"))]


def objects_part(report: Report, lang: Lang, ctx: RenderContext) -> list[Block]:
    objects = list(report.objects)
    if not objects:
        return []
    out: list[Block] = [kit.context(f"*{t('objects_title', lang)}*")]
    for obj in objects[:MAX_OBJECTS_SHOWN]:
        out.extend(kit.sections("\n".join(object_lines(obj, lang))))
    if len(objects) > MAX_OBJECTS_SHOWN:
        out.append(kit.context(t("objects_more", lang, n=len(objects) - MAX_OBJECTS_SHOWN)))
    return out


ReportPart = Callable[["Report", Lang, RenderContext], list[Block]]
REPORT_PARTS: list[ReportPart] = [findings_part, faq_part, objects_part]


def report_blocks(report: Report, lang: Lang, ctx: RenderContext) -> list[Block]:
    """A header, the source when it is a file name, then each part of REPORT_PARTS."""
    out: list[Block] = [kit.header(t("report_title", lang))]
    if report.source and report.source not in ("-", "<message>", "message"):
        out.append(kit.context(escape(report.source)))
    for part in REPORT_PARTS:
        out.extend(part(report, lang, ctx))
    return out
