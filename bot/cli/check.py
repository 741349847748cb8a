"""`certdesk check`: analyse PEM text, DER or PKCS#7 files (or stdin) and report.

Exit codes (DESIGN.md): 0 no error-severity finding, 1 errors found, 2 usage or I/O.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

_MESSAGES = {
    "ja": {
        "bad_now": "--now の日時を解釈できません: {value}(例: 2026-06-01T00:00:00Z)",
        "read": "ファイルを読めません: {path}({error})",
        "trust": "--trust のファイルから証明書を読めません: {path}({error})",
        "stdin_twice": "標準入力(-)は1回だけ指定できます。",
    },
    "en": {
        "bad_now": "cannot parse the --now timestamp: {value} (e.g. 2026-06-01T00:00:00Z)",
        "read": "cannot read the file: {path} ({error})",
        "trust": "cannot read certificates from the --trust file: {path} ({error})",
        "stdin_twice": "stdin (-) can be given only once.",
    },
}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check",
        help="証明書・CSR・チェーンを検査 / check certificates, CSRs and chains",
        description=(
            "PEMテキスト・DER・PKCS#7ファイルを解析します。"
            " Analyse PEM text, DER or PKCS#7 files. Exit 0: no errors, 1: errors, "
            "2: usage or I/O problem."
        ),
    )
    p.add_argument("--json", action="store_true", help="入力ごとに1行のJSON / one JSON line per input")
    p.add_argument("--now", metavar="ISO8601", help="基準日時 / pin the clock (default: now, UTC)")
    p.add_argument("--host", metavar="NAME", help="証明書が対象とすべきホスト名 / host name the certificate must cover")
    p.add_argument(
        "--trust", metavar="PEMFILE", action="append", default=[],
        help="追加で信頼するルート証明書(プライベートCA)/ extra trusted roots (a private CA); repeatable",
    )
    p.add_argument("--lang", choices=("ja", "en"), default=None,
                   help="表示言語 / report language (default: $CERTDESK_LANG or ja)")
    p.add_argument("files", nargs="+", metavar="FILE", help="検査するファイル、または標準入力の - / files to check, or - for stdin")
    p.set_defaults(handler=run_check)


def _lang(args: argparse.Namespace) -> Literal["ja", "en"]:
    value = args.lang or os.environ.get("CERTDESK_LANG", "ja")
    return "en" if value.lower().startswith("en") else "ja"


def parse_now(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _fail(lang: str, key: str, **kw: object) -> int:
    print("certdesk check: " + _MESSAGES[lang][key].format(**kw), file=sys.stderr)
    return 2


def run_check(args: argparse.Namespace) -> int:
    lang = _lang(args)
    try:
        now = parse_now(args.now) if args.now else datetime.now(UTC)
    except ValueError:
        return _fail(lang, "bad_now", value=args.now)
    if args.files.count("-") > 1:
        return _fail(lang, "stdin_twice")

    inputs: list[tuple[str, bytes]] = []
    for path in args.files:
        try:
            data = sys.stdin.buffer.read() if path == "-" else _read(path)
        except OSError as exc:
            return _fail(lang, "read", path=path, error=exc.strerror or exc)
        inputs.append((path, data))

    from analyzers import analyze, load_trust_roots, render_report

    trust: Sequence[Any] = ()  # a TrustRoots when --trust is given
    for path in args.trust:  # one by one, to name the file that fails
        try:
            load_trust_roots([path])
        except (OSError, ValueError) as exc:
            error = exc.strerror if isinstance(exc, OSError) else exc
            return _fail(lang, "trust", path=path, error=error)
    if args.trust:
        trust = load_trust_roots(args.trust)  # Mozilla roots + these, one cached Store

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    any_errors = False
    for i, (source, data) in enumerate(inputs):
        report = analyze(data, now=now, host=args.host, trust=trust, source=source)
        any_errors = any_errors or report.has_errors
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
        else:
            if i:
                print()
            print(render_report(report, lang, color=color), flush=True)
    return 1 if any_errors else 0


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()
