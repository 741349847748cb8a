"""`certdesk eval`: run labelled questions through the matcher and report ranking and
decision quality (bot.evaluate)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import KB_HELP, escape_controls, load_matcher


def register(subparsers: Any) -> None:
    ev = subparsers.add_parser(
        "eval",
        help="ラベル付き質問で精度を測る / measure accuracy on labelled questions",
        description='{"q": 質問, "expect": 項目のid・質問、その一覧、またはnull (対象外)} の行を読み、'
        "種類・文体ごとの正解率、Hit@1/Hit@3/MRR、回答率と回答時の正解率、対象外の拒否率、"
        "信頼度の表、すべてのミスを表示します。 "
        'Run {"q", "expect"} lines (expect: an entry id or question, a list of acceptable '
        "ones, or null for out of scope) and print accuracy by kind and style, Hit@1/Hit@3/MRR, "
        "share answered and precision when answered, out-of-scope refused, a reliability "
        "table and every miss.",
    )
    ev.add_argument("file", metavar="FILE.jsonl")
    ev.add_argument("--kb", metavar="PATH", help=KB_HELP)
    ev.add_argument(
        "--json", action="store_true", help="集計をJSONで出力 / print the summary as JSON"
    )
    ev.set_defaults(handler=run_eval)


def run_eval(args: argparse.Namespace) -> int:
    from bot.evaluate import evaluate_file, format_summary

    matcher = load_matcher(args.kb)
    if matcher is None:
        return 2
    try:
        summary = evaluate_file(args.file, matcher)
    except (OSError, ValueError) as exc:
        for line in str(exc).splitlines():
            print(f"certdesk eval: {escape_controls(line)}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        print(escape_controls(format_summary(summary)))
    return 0
