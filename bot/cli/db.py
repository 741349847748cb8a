"""`certdesk db upgrade|prune`: schema migrations and deleting old conversations."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.common import parse_duration, run_with_store, utc_now

if TYPE_CHECKING:
    from bot.store import Store


def register(subparsers: Any) -> None:
    db = subparsers.add_parser(
        "db", help="データベースの管理 / database maintenance",
        description="データベースのスキーマ更新と古い会話の削除。 Schema upgrades and pruning.",
    ).add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    p = db.add_parser("upgrade", help="マイグレーションを適用 / apply the Alembic migrations",
                      description="Alembic のマイグレーションを最新まで適用します。 "
                      "Apply the Alembic migrations up to the latest revision.")
    p.set_defaults(handler=run_db_upgrade)
    p = db.add_parser("prune", help="古い会話を削除 / delete old conversations",
                      description="指定期間より古い会話(メッセージ、照合、所見、評価、エスカレーション)"
                      "を削除します。学習したFAQ項目は残ります。 Delete conversations older than "
                      "the given age with everything in them; learned FAQ entries stay.")
    p.add_argument("--older-than", type=parse_duration, required=True, metavar="DURATION",
                   help="例 365d / for example 365d")
    p.set_defaults(handler=run_db_prune)


def run_db_upgrade(args: argparse.Namespace) -> int:
    def go(store: Store) -> int:
        store.upgrade()
        print("データベースは最新です / the database schema is up to date")
        return 0

    return run_with_store(go, create=True)


def run_db_prune(args: argparse.Namespace) -> int:
    def go(store: Store) -> int:
        n = store.prune(older_than=args.older_than, now=utc_now())
        print(f"{n} 件の会話を削除しました / deleted {n} conversations")
        return 0

    return run_with_store(go)
