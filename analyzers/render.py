"""Compact human report (WIP)."""

from __future__ import annotations

from typing import Literal

from analyzers.report import Report


def render_report(report: Report, lang: Literal["ja", "en"], *, color: bool = False) -> str:
    return "\n".join(f.message if lang == "ja" else f.message_en for f in report.findings)
