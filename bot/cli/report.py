"""`certdesk report unanswered|stats`: what support leads read to grow the FAQ."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.common import SINCE, print_json, run_with_store, utc_now

if TYPE_CHECKING:
    from bot.store import Store


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report", help="サポートリーダー向けレポート / reports for support leads",
        description="未回答の質問と集計。 Unanswered questions and totals.",
    ).add_subparsers(dest="report_command", metavar="SUBCOMMAND", required=True)
    p = report.add_parser("unanswered", help="未回答・エスカレーションされた質問 / unanswered and "
                          "escalated questions", description="ボットが答えられなかった質問と"
                          "エスカレーションされた質問を、似たもの同士にまとめて"
                          "多い順に表示します。 "
                          "Questions the bot did not answer or that were escalated, grouped by "
                          "similarity, most frequent first.")
    p.add_argument("--since", **SINCE)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSONで出力 / print JSON")
    fmt.add_argument("--csv", action="store_true", help="CSVで出力 / print CSV")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="上位N件だけ表示 / show only the top N groups")
    p.set_defaults(handler=run_report_unanswered)
    p = report.add_parser("stats", help="集計 / totals", description="質問数、回答数、評価、"
                          "エスカレーション、確認した証明書の数。 Questions, answers, feedback, "
                          "escalations and certificates checked.")
    p.add_argument("--since", **SINCE)
    p.add_argument("--json", action="store_true", help="JSONで出力 / print JSON")
    p.set_defaults(handler=run_report_stats)


def run_report_unanswered(args: argparse.Namespace) -> int:
    from bot.cli import render
    from bot.reports import (
        group_unanswered,
        groups_to_csv,
        lemma_features,
        nearest_finder,
        normaliser,
    )

    def go(store: Store) -> int:
        since = utc_now() - args.since
        rows = store.unanswered_questions(since=since)
        groups = group_unanswered(
            rows, normaliser(), nearest_finder(), features=lemma_features()
        )
        if args.limit is not None:
            groups = groups[: max(args.limit, 0)]
        if args.json:
            print_json({"since": since.isoformat(), "questions": len(rows),
                         "groups": [g.to_json() for g in groups]})
        elif args.csv:
            sys.stdout.write(groups_to_csv(groups))
        else:
            sys.stdout.write(render.unanswered_table(groups, since, len(rows)))
        return 0

    return run_with_store(go)


def run_report_stats(args: argparse.Namespace) -> int:
    from bot.cli import render

    def go(store: Store) -> int:
        now = utc_now()
        stats = store.report_stats(since=now - args.since, now=now)
        if args.json:
            print_json(stats)
        else:
            sys.stdout.write(render.stats_table(stats, now - args.since))
        return 0

    return run_with_store(go)
