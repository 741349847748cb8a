"""`certdesk chat`: the terminal chat (bot.terminal) with the same Desk as Slack."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import KB_HELP, tolerant_stdin


def register(subparsers: Any) -> None:
    chat = subparsers.add_parser(
        "chat",
        help="端末でチャット / chat with the bot in the terminal",
        description="端末で certdesk と会話します(Slack不要、SQLiteに記録)。証明書はそのまま貼り付けられます。 "
        "Chat with certdesk in the terminal (no Slack; logged to the database). Paste PEM blocks as they are.",
    )
    chat.add_argument("--kb", metavar="PATH", help=KB_HELP)
    chat.add_argument("--user", help="記録に使うユーザー名 / user name for the log")
    chat.add_argument("--no-log", action="store_true", help="データベースに記録しない / do not log")
    chat.set_defaults(handler=run_chat)


def run_chat(args: argparse.Namespace) -> int:
    from bot.terminal import run_terminal_chat

    tolerant_stdin()
    return run_terminal_chat(kb_path=args.kb, user=args.user, log=not args.no_log)
