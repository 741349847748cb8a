"""Text, JSON and TOML renderings for the Store's command groups (pure, no database)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from analyzers.text import escape_controls
from bot.learned import reveal_links
from bot.reports import Group
from bot.store.records import EscalationRecord, LearnedEntry

STATUS = {"open": "未対応", "assigned": "対応中", "resolved": "解決", "closed": "クローズ"}
REASON = {"no_answer": "回答なし", "not_helpful": "役に立たない", "asked_human": "担当者希望"}
STATS_LABELS = {
    "questions": "質問 / questions",
    "answered": "回答済み / answered",
    "unanswered": "未回答 / unanswered",
    "helpful": "役に立った / helpful",
    "not_helpful": "役に立たなかった / not helpful",
    "escalations_open": "未解決のエスカレーション / escalations open",
    "escalations_resolved": "解決したエスカレーション / escalations resolved",
    "certificates_checked": "確認した証明書 / certificates checked",
}


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def fit(s: str, cols: int) -> str:
    """Cut to `cols` terminal columns (wide characters count two) and pad; control
    characters are escaped first, so that the columns line up as they will be shown."""
    s = escape_controls(" ".join(s.split()))
    if width(s) > cols:
        out, used = [], 0
        for c in s:
            if used + width(c) > cols - 1:
                break
            out.append(c)
            used += width(c)
        s = "".join(out) + "…"
    return s + " " * max(cols - width(s), 0)


def _day(t: datetime | None) -> str:
    return "-" if t is None else t.strftime("%Y-%m-%d %H:%M")


def unanswered_table(groups: list[Group], since: datetime, questions: int) -> str:
    head = (f"未回答・エスカレーションされた質問 / unanswered and escalated questions "
            f"since {_day(since)} UTC: {questions} 件 in {len(groups)} グループ / groups")
    if not groups:
        return head + "\n(なし / none)\n"
    lines = [head, f"{'#':>3} {'件数':>4} {'esc':>4}  {fit('最終 / last seen', 16)}  "
             f"{fit('近いFAQ / nearest FAQ', 40)}  質問 / question"]
    for i, g in enumerate(groups, 1):
        near = "-" if g.nearest_entry is None else f"{g.nearest_entry} ({g.nearest_score:.2f})"
        lines.append(f"{i:>3} {g.count:>5} {g.escalated:>4}  {_day(g.last_seen):<16}  "
                     f"{fit(near, 40)}  {fit(g.question, 60).rstrip()}")
        lines += [f"{'':>32}{'':40}  - {fit(e, 58).rstrip()}" for e in g.examples[1:]]
    return "\n".join(lines) + "\n"


def stats_table(stats: dict[str, int], since: datetime) -> str:
    lines = [f"集計 / totals since {_day(since)} UTC"]
    lines += [f"  {fit(STATS_LABELS[k], 48)} {v:>8}" for k, v in stats.items()]
    return "\n".join(lines) + "\n"


def escalation_json(r: EscalationRecord) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(r).items()
    }


def escalations_table(records: list[EscalationRecord]) -> str:
    if not records:
        return "エスカレーションはありません / no escalations\n"
    lines = [f"{'#':>5}  {fit('状態 / status', 18)}  {fit('理由 / reason', 26)}  "
             f"{fit('作成 / opened', 16)}  {fit('担当 / assignee', 16)}  質問 / question"]
    for r in records:
        status = f"{STATUS.get(r.status, r.status)} / {r.status}"
        reason = f"{REASON.get(r.reason, r.reason)} / {r.reason}"
        lines.append(f"{r.id:>5}  {fit(status, 18)}  {fit(reason, 26)}  {_day(r.created_at):<16}  "
                     f"{fit(r.assignee or '-', 16)}  {fit(r.question, 50).rstrip()}")
    return "\n".join(lines) + "\n"


def escalation_detail(r: EscalationRecord) -> str:
    guess = "-" if r.best_guess_entry is None else (
        f"{r.best_guess_entry} ({(r.best_guess_score or 0.0):.2f})")
    rows = [
        ("ケース番号 / case", f"#{r.id}"),
        ("状態 / status", f"{STATUS.get(r.status, r.status)} / {r.status}"),
        ("理由 / reason", f"{REASON.get(r.reason, r.reason)} / {r.reason}"),
        ("質問者 / asker", f"{r.asker} ({r.transport} {r.channel} {r.thread})"),
        ("作成 / opened", _day(r.created_at)),
        ("推測 / best guess", guess),
        ("担当 / assignee", f"{r.assignee or '-'}  {_day(r.assigned_at) if r.assigned_at else ''}"),
        ("完了 / done by", f"{r.resolver or '-'}  {_day(r.resolved_at) if r.resolved_at else ''}"),
        ("FAQ項目 / FAQ entry", r.learned_entry_id or "-"),
    ]
    out = [f"{fit(k, 22)} {v.rstrip()}" for k, v in rows]
    out += ["", "質問 / question:", _indent(r.question)]
    if r.resolution:
        out += ["", "回答・メモ / resolution:", _indent(r.resolution)]
    return "\n".join(out) + "\n"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines() or [""])


def _one_line(s: str) -> str:
    """Safe inside a comment line: no line breaks, no control characters."""
    return "".join(c if c.isprintable() else "?" for c in s)


def _toml_str(s: str) -> str:
    # a JSON string is a valid TOML basic string once DEL is escaped as well
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


TRANSLATE = "[要翻訳 / TRANSLATE] "


def learned_toml(entries: Iterable[LearnedEntry]) -> str:
    """Learned entries as knowledge/faq.toml [[entry]] tables, ready to paste."""
    out = ["# certdesk kb export: FAQ entries learned from resolved escalations.",
           f"# Fields starting with {TRANSLATE.strip()!r} need a translation.", ""]
    for e in entries:
        own = "en" if e.lang.startswith("en") else "ja"
        other = "ja" if own == "en" else "en"
        answer = reveal_links(e.answer)  # a reviewer sees where every link goes
        text = {
            f"question_{own}": e.question, f"answer_{own}": answer,
            f"question_{other}": TRANSLATE + e.question, f"answer_{other}": TRANSLATE + answer,
        }
        author = _one_line(e.author or "-")
        out += ["[[entry]]", f"id = {_toml_str(e.id)}",
                f"# learned {e.created_at.isoformat()} from escalation #{e.escalation_id}",
                f"# added_by = {author}  date = {e.created_at.date().isoformat()}"]
        out += [f"{k} = {_toml_str(text[k])}"
                for k in ("question_ja", "question_en", "answer_ja", "answer_en")]
        out += [f"{k} = []" for k in ("phrasings_ja", "phrasings_en", "keywords_ja",
                                      "keywords_en", "signals", "related")]
        out.append("")
    return "\n".join(out)
