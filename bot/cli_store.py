"""`certdesk db|report|escalations|escalation|kb`: the Store's command line for staff
and support leads. Heavy imports stay inside the handlers."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store import Store
    from bot.store_records import EscalationRecord, LearnedEntry

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
EXIT_DB = 2  # the database is unreachable or unusable


def parse_duration(text: str) -> timedelta:
    """7d, 12h, 30m, 365d, 2w -> timedelta."""
    m = _DURATION.match(text)
    if m is None:
        raise argparse.ArgumentTypeError(
            f"期間は 7d, 12h, 30m のように指定してください / "
            f"a duration looks like 7d, 12h or 30m: {text!r}"
        )
    return timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})


def register(subparsers: Any) -> None:
    since = {"type": parse_duration, "default": timedelta(days=7), "metavar": "DURATION",
             "help": "この期間を対象にする (既定 7d) / look back this far (default 7d)"}

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

    report = subparsers.add_parser(
        "report", help="サポートリーダー向けレポート / reports for support leads",
        description="未回答の質問と集計。 Unanswered questions and totals.",
    ).add_subparsers(dest="report_command", metavar="SUBCOMMAND", required=True)
    p = report.add_parser("unanswered", help="未回答・エスカレーションされた質問 / unanswered and "
                          "escalated questions", description="ボットが答えられなかった質問と"
                          "エスカレーションされた質問を、似たもの同士にまとめて"
                          "多い順に表示します。 "
                          "Questions the bot did not answer or that were escalated, grouped by "
                          "similarity, most frequent first.")
    p.add_argument("--since", **since)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSONで出力 / print JSON")
    fmt.add_argument("--csv", action="store_true", help="CSVで出力 / print CSV")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="上位N件だけ表示 / show only the top N groups")
    p.set_defaults(handler=run_report_unanswered)
    p = report.add_parser("stats", help="集計 / totals", description="質問数、回答数、評価、"
                          "エスカレーション、確認した証明書の数。 Questions, answers, feedback, "
                          "escalations and certificates checked.")
    p.add_argument("--since", **since)
    p.add_argument("--json", action="store_true", help="JSONで出力 / print JSON")
    p.set_defaults(handler=run_report_stats)

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


# -- plumbing -------------------------------------------------------------------------


class _DatabaseUnavailable(Exception):
    pass


def _err(ja: str, en: str) -> None:
    print(f"certdesk: {ja}\n          {en}", file=sys.stderr)


@contextmanager
def _store(*, create: bool = False) -> Iterator[Store]:
    from bot.config import Settings
    from bot.store import Store, StoreError

    url = Settings.from_env().database_url
    if not create:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        path = parsed.database or ""
        is_file = parsed.get_backend_name() == "sqlite" and path not in ("", ":memory:")
        if is_file and not Path(path).exists():  # SQLite would create an empty file silently
            _err(f"データベースがありません: {path}  (certdesk db upgrade で作成)",
                 f"no database at {path} yet (create it with: certdesk db upgrade)")
            raise _DatabaseUnavailable
    try:
        store = Store(url)
    except StoreError as exc:
        _err("DATABASE_URL を使えません。", f"cannot use DATABASE_URL: {exc}")
        raise _DatabaseUnavailable from exc
    try:
        yield store
    finally:
        store.dispose()


def _run(fn: Callable[[Store], int], *, create: bool = False) -> int:
    from bot.store import EscalationStateError, NotFoundError, StoreError

    try:
        with _store(create=create) as store:
            return fn(store)
    except _DatabaseUnavailable:
        return EXIT_DB
    except NotFoundError as exc:
        _err("見つかりません。", f"not found: {exc}")
        return 1
    except EscalationStateError as exc:
        _err("このエスカレーションは既に完了しています。", str(exc))
        return 1
    except StoreError as exc:
        _err("データベースに接続できないか、使えません (certdesk db upgrade は済みましたか?)。",
             f"the database is unreachable or not usable (did you run certdesk db upgrade?): {exc}")
        return EXIT_DB


def _now() -> datetime:
    return datetime.now(UTC)


def _user(args: argparse.Namespace) -> str:
    if args.user:
        return str(args.user)
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=None))


# -- db -------------------------------------------------------------------------------


def run_db_upgrade(args: argparse.Namespace) -> int:
    def go(store: Store) -> int:
        store.upgrade()
        print("データベースは最新です / the database schema is up to date")
        return 0

    return _run(go, create=True)


def run_db_prune(args: argparse.Namespace) -> int:
    def go(store: Store) -> int:
        n = store.prune(older_than=args.older_than, now=_now())
        print(f"{n} 件の会話を削除しました / deleted {n} conversations")
        return 0

    return _run(go)


# -- reports, escalations, kb: rendering lives in bot/cli_store_render.py --------------


def run_report_unanswered(args: argparse.Namespace) -> int:
    from bot import cli_store_render as render
    from bot.reports import group_unanswered, groups_to_csv

    def go(store: Store) -> int:
        since = _now() - args.since
        rows = store.unanswered_questions(since=since)
        groups = group_unanswered(
            rows, render.normaliser(), render.nearest_finder(), features=render.lemma_features()
        )
        if args.limit is not None:
            groups = groups[: max(args.limit, 0)]
        if args.json:
            _print_json({"since": since.isoformat(), "questions": len(rows),
                         "groups": [g.to_json() for g in groups]})
        elif args.csv:
            sys.stdout.write(groups_to_csv(groups))
        else:
            sys.stdout.write(render.unanswered_table(groups, since, len(rows)))
        return 0

    return _run(go)


def run_report_stats(args: argparse.Namespace) -> int:
    from bot import cli_store_render as render

    def go(store: Store) -> int:
        now = _now()
        stats = store.report_stats(since=now - args.since, now=now)
        if args.json:
            _print_json(stats)
        else:
            sys.stdout.write(render.stats_table(stats, now - args.since))
        return 0

    return _run(go)


def run_escalations(args: argparse.Namespace) -> int:
    from bot import cli_store_render as render

    def go(store: Store) -> int:
        records = store.escalations(open_only=args.open, limit=args.limit)
        if args.json:
            _print_json([render.escalation_json(r) for r in records])
        else:
            sys.stdout.write(render.escalations_table(records))
        return 0

    return _run(go)


def _show(record: EscalationRecord, as_json: bool = False) -> int:
    from bot import cli_store_render as render

    if as_json:
        _print_json(render.escalation_json(record))
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

    return _run(go)


def run_escalation_assign(args: argparse.Namespace) -> int:
    return _run(lambda store: _show(store.assign(args.id, user=_user(args), now=_now())))


def run_escalation_resolve(args: argparse.Namespace) -> int:
    return _run(
        lambda store: _show(
            store.resolve(
                args.id, user=_user(args), answer=args.answer, now=_now(),
                add_to_faq=args.add_to_faq,
            )
        )
    )


def run_escalation_close(args: argparse.Namespace) -> int:
    return _run(
        lambda store: _show(store.close(args.id, user=_user(args), now=_now(), note=args.note))
    )


def run_kb_export(args: argparse.Namespace) -> int:
    from bot import cli_store_render as render

    def go(store: Store) -> int:
        entries: list[LearnedEntry] = store.learned_entries()
        text = render.learned_toml(entries)
        if args.out:
            try:
                Path(args.out).write_text(text, encoding="utf-8")
            except OSError as exc:
                _err(f"書き込めません: {args.out}", f"cannot write {args.out}: {exc.strerror}")
                return 2
            n = len(entries)
            print(f"{n} 件を書き出しました / exported {n} entries: {args.out}")
        else:
            sys.stdout.write(text)
        return 0

    return _run(go)
