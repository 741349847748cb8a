"""`certdesk eval`: run labelled questions through the matcher and report accuracy."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import KB_HELP, load_matcher


def register(subparsers: Any) -> None:
    ev = subparsers.add_parser(
        "eval",
        help="ラベル付き質問で精度を測る / measure accuracy on labelled questions",
        description='{"q": ..., "expect": FAQの質問またはnull} の行を読み、種類ごとの正解率と全ミスを表示します。 '
        'Run {"q", "expect"} lines and print accuracy by kind plus every miss.',
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
        print(f"certdesk eval: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_summary(summary))
    return 0
