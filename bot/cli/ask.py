"""`certdesk ask`: match one question, or one per stdin line, against the FAQ."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import KB_HELP, default_lang, load_matcher, tolerant_stdin


def register(subparsers: Any) -> None:
    ask = subparsers.add_parser(
        "ask",
        help="FAQに質問する / match one question against the FAQ",
        description="質問をFAQと照合します。- を渡すと標準入力の1行を1問として、1行ずつJSONを出力します。 "
        "Match a question against the FAQ; with -, read one question per stdin line.",
    )
    ask.add_argument(
        "question", nargs="+", metavar="QUESTION", help="質問、または - / the question, or -"
    )
    ask.add_argument("--json", action="store_true", help="JSONで出力 / print JSON")
    ask.add_argument("--kb", metavar="PATH", help=KB_HELP)
    ask.add_argument(
        "--top",
        type=_positive,
        default=3,
        metavar="N",
        help="候補をN件まで表示 (既定 3) / list up to N candidates (default 3)",
    )
    ask.set_defaults(handler=run_ask)


def run_ask(args: argparse.Namespace) -> int:
    tolerant_stdin()
    matcher = load_matcher(args.kb)
    if matcher is None:
        return 2
    lang = default_lang()
    if args.question == ["-"]:
        out = sys.stdout
        for line in sys.stdin:
            q = line.rstrip("\r\n")
            out.write(json.dumps(json_line(matcher.match(q, default_lang=lang, top=args.top)),
                                 ensure_ascii=False))
            out.write("\n")
            out.flush()
        return 0
    question = " ".join(args.question)
    result = matcher.match(question, default_lang=lang, top=args.top)
    if args.json:
        print(json.dumps(json_line(result), ensure_ascii=False))
    else:
        print(_human(result))
    return 0


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 100:
        raise argparse.ArgumentTypeError(
            f"1 から 100 までの数 / a number from 1 to 100: {text!r}"
        )
    return n


def json_line(result: Any) -> dict[str, Any]:
    """The DESIGN.md `ask --json` line; `entry` also carries `url` when the entry has one."""
    line: dict[str, Any] = result.to_json()
    entry = result.entry
    if entry is not None and line.get("entry") is not None and entry.url:
        line["entry"]["url"] = entry.url
    return line


def _human(result: Any) -> str:
    from bot.cli.common import escape_controls
    from bot.messages import t

    return escape_controls(_human_text(result, t))


def _human_text(result: Any, t: Any) -> str:
    lang = result.lang
    if result.decision == "answer":
        e = result.entry
        text = f"■ {e.question(lang)}  ({result.score:.2f})\n\n{e.answer(lang)}"
        if not e.has_lang(lang):
            text = t("only_japanese", lang) + "\n\n" + text
        if e.url:
            text += "\n\n" + t("more_info", lang, url=e.url)
        return text
    if result.decision == "ambiguous":
        lines = [t("ambiguous", lang)]
        lines += [
            f"  {n}. {c.entry.question(lang)}  ({c.score:.2f})"
            for n, c in enumerate(result.candidates, 1)
        ]
        return "\n".join(lines)
    if result.decision == "smalltalk":
        return t(result.smalltalk or "greeting", lang)
    if result.decision == "human":
        return t("asked_human", lang) + "\n" + t("escalation_would", lang)
    text = t("no_answer", lang) + "\n" + t("escalation_would", lang)
    if result.candidates:
        text += "\n" + t("best_guess", lang, question=result.candidates[0].entry.question(lang))
    return text
