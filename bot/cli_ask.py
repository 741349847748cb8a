"""`certdesk ask`, `certdesk chat` and `certdesk eval`: the FAQ side of the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

_KB_HELP = "別のFAQファイル (faq.toml形式) / another FAQ file in faq.toml format (env CERTDESK_KB)"


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
    ask.add_argument("--kb", metavar="PATH", help=_KB_HELP)
    ask.set_defaults(handler=run_ask)

    chat = subparsers.add_parser(
        "chat",
        help="端末でチャット / chat with the bot in the terminal",
        description="端末で certdesk と会話します(Slack不要、SQLiteに記録)。証明書はそのまま貼り付けられます。 "
        "Chat with certdesk in the terminal (no Slack; logged to the database). Paste PEM blocks as they are.",
    )
    chat.add_argument("--kb", metavar="PATH", help=_KB_HELP)
    chat.add_argument("--user", help="記録に使うユーザー名 / user name for the log")
    chat.add_argument("--no-log", action="store_true", help="データベースに記録しない / do not log")
    chat.set_defaults(handler=run_chat)

    ev = subparsers.add_parser(
        "eval",
        help="ラベル付き質問で精度を測る / measure accuracy on labelled questions",
        description='{"q": ..., "expect": FAQの質問またはnull} の行を読み、種類ごとの正解率と全ミスを表示します。 '
        'Run {"q", "expect"} lines and print accuracy by kind plus every miss.',
    )
    ev.add_argument("file", metavar="FILE.jsonl")
    ev.add_argument("--kb", metavar="PATH", help=_KB_HELP)
    ev.add_argument(
        "--json", action="store_true", help="集計をJSONで出力 / print the summary as JSON"
    )
    ev.set_defaults(handler=run_eval)


def _default_lang() -> str:
    return "en" if (os.environ.get("CERTDESK_LANG") or "ja").lower().startswith("en") else "ja"


def _matcher(kb_path: str | None) -> Any:
    from knowledge import KnowledgeBaseError, Matcher, load_kb

    try:
        return Matcher(load_kb(kb_path or os.environ.get("CERTDESK_KB") or None))
    except KnowledgeBaseError as exc:
        print(
            f"certdesk: FAQファイルを読み込めません / cannot load the FAQ file:\n  {exc}",
            file=sys.stderr,
        )
        return None


def _tolerant_stdin() -> None:
    """Undecodable bytes on stdin become U+FFFD instead of ending the command."""
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")


def run_ask(args: argparse.Namespace) -> int:
    _tolerant_stdin()
    matcher = _matcher(args.kb)
    if matcher is None:
        return 2
    lang = _default_lang()
    if args.question == ["-"]:
        out = sys.stdout
        for line in sys.stdin:
            q = line.rstrip("\r\n")
            out.write(json.dumps(matcher.match(q, default_lang=lang).to_json(), ensure_ascii=False))
            out.write("\n")
            out.flush()
        return 0
    question = " ".join(args.question)
    result = matcher.match(question, default_lang=lang)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(_human(result))
    return 0


def _human(result: Any) -> str:
    from bot.messages import t

    lang = result.lang
    if result.decision == "answer":
        e = result.entry
        return f"■ {e.question(lang)}  ({result.score:.2f})\n\n{e.answer(lang)}"
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


def run_chat(args: argparse.Namespace) -> int:
    from bot.terminal import run_terminal_chat

    _tolerant_stdin()
    return run_terminal_chat(kb_path=args.kb, user=args.user, log=not args.no_log)


def run_eval(args: argparse.Namespace) -> int:
    from bot.evaluate import evaluate_file, format_summary

    matcher = _matcher(args.kb)
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
