"""`certdesk kb export`: FAQ entries learned from escalations, in faq.toml format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import err, run_with_store

if TYPE_CHECKING:
    from bot.store import LearnedEntry, Store


def register(subparsers: Any) -> None:
    kb = subparsers.add_parser(
        "kb", help="学習したFAQ項目 / learned FAQ entries",
        description="エスカレーションから学習したFAQ項目。 FAQ entries learned from escalations.",
    ).add_subparsers(dest="kb_command", metavar="SUBCOMMAND", required=True)
    p = kb.add_parser("export", help="faq.toml 形式で書き出す / export in faq.toml format",
                      description="学習した項目を knowledge/faq.toml の形式で書き出します。"
                      "もう一方の言語の欄は翻訳が必要です。 Export learned entries in faq.toml "
                      "format; the other language's fields are marked for translation.")
    p.add_argument("--out", metavar="FILE",
                   help="出力ファイル (既定: 標準出力) / output file (default stdout)")
    p.set_defaults(handler=run_kb_export)


def run_kb_export(args: argparse.Namespace) -> int:
    from bot.cli import render

    def go(store: Store) -> int:
        entries: list[LearnedEntry] = store.learned_entries()
        text = render.learned_toml(entries)
        if args.out:
            try:
                Path(args.out).write_text(text, encoding="utf-8")
            except OSError as exc:
                err(f"書き込めません: {args.out}", f"cannot write {args.out}: {exc.strerror}")
                return 2
            n = len(entries)
            print(f"{n} 件を書き出しました / exported {n} entries: {args.out}")
        else:
            sys.stdout.write(text)
        return 0

    return run_with_store(go)
