"""`certdesk escalations` and `certdesk escalation show|assign|resolve|close`: the hand-off queue."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.common import acting_user, print_json, run_with_store, utc_now

if TYPE_CHECKING:
    from bot.store import EscalationRecord, Store


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("escalations", help="エスカレーション一覧 / list escalations",
                              description="エスカレーションを新しい順に表示します "
                              "(--open は未解決のみ、古い順)。 "
                              "List escalations, newest first (--open: unresolved, oldest first).")
    p.add_argument("--open", action="store_true", help="未解決のみ / open and assigned only")
    p.add_argument("--json", action="store_true", help="JSONで出力 / print JSON")
    p.add_argument("--limit", type=int, default=100, metavar="N", help="最大件数 / at most N")
    p.set_defaults(handler=run_escalations)

    esc = subparsers.add_parser(
        "escalation", help="エスカレーションの対応 / work one escalation",
        description="エスカレーションの表示、担当、解決、クローズ。 "
        "Show, assign, resolve or close.",
    ).add_subparsers(dest="escalation_command", metavar="SUBCOMMAND", required=True)
    user = {"default": None, "metavar": "USER",
            "help": "対応者 (既定: ログインユーザー) / who does it (default: login name)"}
    p = esc.add_parser("show", help="詳細を表示 / show one case", description="Show one case.")
    p.add_argument("id", type=int, metavar="N")
    p.add_argument("--json", action="store_true", help="JSONで出力 / print JSON")
    p.set_defaults(handler=run_escalation_show)
    p = esc.add_parser("assign", help="担当者を設定 / assign", description="Take or assign a case.")
    p.add_argument("id", type=int, metavar="N")
    p.add_argument("--user", **user)
    p.set_defaults(handler=run_escalation_assign)
    p = esc.add_parser("resolve", help="回答して解決 / resolve with an answer",
                       description="回答を記録して解決します。--add-to-faq で回答をFAQ項目として"
                       "保存し、ボットがすぐ使えるようにします。 Record the answer; --add-to-faq "
                       "also stores it as an FAQ entry the bot uses at once.")
    p.add_argument("id", type=int, metavar="N")
    p.add_argument("--answer", required=True, metavar="TEXT", help="回答 / the answer")
    p.add_argument("--add-to-faq", action="store_true", help="FAQに追加 / add to the FAQ")
    p.add_argument("--user", **user)
    p.set_defaults(handler=run_escalation_resolve)
    p = esc.add_parser("close", help="回答せずにクローズ / close without an answer",
                       description="Close a case without an answer (duplicate, spam, ...).")
    p.add_argument("id", type=int, metavar="N")
    p.add_argument("--note", metavar="TEXT", help="メモ / a note")
    p.add_argument("--user", **user)
    p.set_defaults(handler=run_escalation_close)


def run_escalations(args: argparse.Namespace) -> int:
    from bot.cli import render

    def go(store: Store) -> int:
        records = store.escalations(open_only=args.open, limit=args.limit)
        if args.json:
            print_json([render.escalation_json(r) for r in records])
        else:
            sys.stdout.write(render.escalations_table(records))
        return 0

    return run_with_store(go)


def _show(record: EscalationRecord, as_json: bool = False) -> int:
    from bot.cli import render

    if as_json:
        print_json(render.escalation_json(record))
    else:
        sys.stdout.write(render.escalation_detail(record))
    return 0


def run_escalation_show(args: argparse.Namespace) -> int:
    from bot.store import NotFoundError

    def go(store: Store) -> int:
        record = store.escalation(args.id)
        if record is None:
            raise NotFoundError(f"escalation {args.id}")
        return _show(record, args.json)

    return run_with_store(go)


def run_escalation_assign(args: argparse.Namespace) -> int:
    return run_with_store(lambda store: _show(store.assign(args.id, user=acting_user(args), now=utc_now())))


def run_escalation_resolve(args: argparse.Namespace) -> int:
    return run_with_store(
        lambda store: _show(
            store.resolve(
                args.id, user=acting_user(args), answer=args.answer, now=utc_now(),
                add_to_faq=args.add_to_faq,
            )
        )
    )


def run_escalation_close(args: argparse.Namespace) -> int:
    return run_with_store(
        lambda store: _show(store.close(args.id, user=acting_user(args), now=utc_now(), note=args.note))
    )
