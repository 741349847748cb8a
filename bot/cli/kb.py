"""`certdesk kb export` (FAQ entries learned from escalations) and `certdesk kb import`
(a vendor's CSV or JSONL FAQ export), both in faq.toml format."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import err, print_kb_error, print_kb_warnings, run_with_store

if TYPE_CHECKING:
    from bot.store import LearnedEntry, Store


def register(subparsers: Any) -> None:
    kb = subparsers.add_parser(
        "kb", help="FAQファイルの取り込みと書き出し / import and export FAQ files",
        description="FAQの取り込み (CSV/JSONL) と、エスカレーションから学習した項目の書き出し。 "
        "Import a FAQ export (CSV/JSONL); export entries learned from escalations.",
    ).add_subparsers(dest="kb_command", metavar="SUBCOMMAND", required=True)
    p = kb.add_parser("export", help="faq.toml 形式で書き出す / export in faq.toml format",
                      description="学習した項目を knowledge/faq.toml の形式で書き出します。"
                      "もう一方の言語の欄は翻訳が必要です。 Export learned entries in faq.toml "
                      "format; the other language's fields are marked for translation.")
    p.add_argument("--out", metavar="FILE",
                   help="出力ファイル (既定: 標準出力) / output file (default stdout)")
    p.set_defaults(handler=run_kb_export)
    imp = kb.add_parser(
        "import",
        help="CSV/JSONLのFAQを faq.toml 形式に変換 / turn a CSV or JSONL FAQ into faq.toml format",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="ベンダーのFAQ (CSV または JSONL) を knowledge/faq.toml の形式に変換します。\n"
        "Turn a vendor's FAQ export (CSV or JSONL) into knowledge/faq.toml's format.\n\n"
        "欄 / fields (CSV header or JSONL key):\n"
        "  question, answer          必須 (日本語) / required (Japanese)\n"
        "  id                        任意。なければ質問のハッシュから q-xxxxxxxxxx\n"
        "                            optional; else q- plus a hash of the question\n"
        "  category, url             任意。url は回答と一緒に表示 / optional; url is shown with the answer\n"
        "  question_en, answer_en    任意。なければ英語の質問に日本語で回答\n"
        "                            optional; without them English questions get the Japanese answer\n"
        "  keywords                  任意。; 区切り、またはJSONのリスト / optional; ;-separated or a JSON list\n\n"
        "CSV: UTF-8 (BOM可), Shift_JIS/CP932, 複数行のセル可 / UTF-8 (with or without BOM),\n"
        "Shift_JIS/CP932, quoted multi-line cells. 問題はすべてまとめて表示し、その場合は何も書き出しません。\n"
        "Every problem is listed at once; nothing is written then.",
    )
    imp.add_argument("file", metavar="FILE", help="CSV / JSONL (/ TOML) のFAQ / the FAQ export")
    imp.add_argument("--out", metavar="PATH",
                     help="出力ファイル (既定: 標準出力) / output file (default stdout)")
    imp.set_defaults(handler=run_kb_import)


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


def run_kb_import(args: argparse.Namespace) -> int:
    from knowledge import KnowledgeBaseError, load_kb
    from knowledge.importer import summary_counts, to_toml

    try:
        kb = load_kb(args.file)
    except KnowledgeBaseError as exc:
        print_kb_error(exc)
        return 2
    print_kb_warnings(kb)
    text = to_toml(kb, origin=args.file)
    if not args.out:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.exists() and out.resolve() == Path(args.file).resolve():
        err("入力ファイルは上書きしません。", f"will not overwrite the input file {args.file}")
        return 2
    try:
        _write_atomically(out, text)
    except OSError as exc:
        err(f"書き込めません: {out}", f"cannot write {out}: {exc.strerror or exc}")
        return 2
    c = summary_counts(kb)
    print(
        f"{c['entries']} 件を書き出しました (日本語のみ {c['japanese_only']} 件, URLあり "
        f"{c['with_url']} 件) / wrote {c['entries']} entries ({c['japanese_only']} Japanese "
        f"only, {c['with_url']} with a URL): {out}"
    )
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """Replace `path` in one step: a reader sees the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
