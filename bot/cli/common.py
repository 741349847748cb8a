"""Plumbing the Store's command groups share: durations, opening the Store with a clear
message when the database is missing, the acting user, and JSON output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store import Store

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
EXIT_DB = 2  # the database is unreachable or unusable
KB_HELP = (
    "別のFAQファイル (faq.toml形式、または .csv / .jsonl) / another FAQ file: faq.toml format, "
    ".csv or .jsonl (env CERTDESK_KB)"
)


def parse_duration(text: str) -> timedelta:
    """7d, 12h, 30m, 365d, 2w -> timedelta."""
    m = _DURATION.match(text)
    if m is None:
        raise argparse.ArgumentTypeError(
            f"期間は 7d, 12h, 30m のように指定してください / "
            f"a duration looks like 7d, 12h or 30m: {text!r}"
        )
    return timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})


SINCE = {"type": parse_duration, "default": timedelta(days=7), "metavar": "DURATION",
         "help": "この期間を対象にする (既定 7d) / look back this far (default 7d)"}


class DatabaseUnavailable(Exception):
    pass


def err(ja: str, en: str) -> None:
    print(f"certdesk: {ja}\n          {en}", file=sys.stderr)


@contextmanager
def open_store(*, create: bool = False) -> Iterator[Store]:
    from bot.config import Settings
    from bot.store import Store, StoreError, sqlite_file

    url = Settings.from_env().database_url
    if not create:
        path = sqlite_file(url)
        if path is not None and not Path(path).exists():  # SQLite would create it silently
            err(f"データベースがありません: {path}  (certdesk db upgrade で作成)",
                 f"no database at {path} yet (create it with: certdesk db upgrade)")
            raise DatabaseUnavailable
    try:
        store = Store(url)
    except StoreError as exc:
        err("DATABASE_URL を使えません。", f"cannot use DATABASE_URL: {exc}")
        raise DatabaseUnavailable from exc
    try:
        yield store
    finally:
        store.dispose()


def run_with_store(fn: Callable[[Store], int], *, create: bool = False) -> int:
    from bot.store import EscalationStateError, NotFoundError, StoreError

    try:
        with open_store(create=create) as store:
            return fn(store)
    except DatabaseUnavailable:
        return EXIT_DB
    except NotFoundError as exc:
        err("見つかりません。", f"not found: {exc}")
        return 1
    except EscalationStateError as exc:
        err("このエスカレーションは既に完了しています。", str(exc))
        return 1
    except StoreError as exc:
        err("データベースに接続できないか、使えません (certdesk db upgrade は済みましたか?)。",
             f"the database is unreachable or not usable (did you run certdesk db upgrade?): {exc}")
        return EXIT_DB


def utc_now() -> datetime:
    return datetime.now(UTC)


def acting_user(args: argparse.Namespace) -> str:
    if args.user:
        return str(args.user)
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=None))


# -- the FAQ commands ---------------------------------------------------------------


def default_lang() -> str:
    return "en" if (os.environ.get("CERTDESK_LANG") or "ja").lower().startswith("en") else "ja"


def load_matcher(kb_path: str | None) -> Any:
    """The FAQ's matcher, from the cache in CERTDESK_CACHE_DIR when valid; None (after
    printing every problem) when the FAQ file cannot be loaded."""
    from bot.config import Settings
    from knowledge import KnowledgeBaseError
    from knowledge.cache import load_matcher as cached

    settings = Settings.from_env()
    try:
        matcher = cached(kb_path or settings.kb_path, settings.resolved_cache_dir)
    except KnowledgeBaseError as exc:
        print_kb_error(exc)
        return None
    print_kb_warnings(matcher.kb)
    return matcher


def print_kb_error(exc: Exception) -> None:
    """Every problem of a knowledge-base file, one per line, on stderr."""
    from knowledge import KnowledgeBaseError

    lines = exc.lines if isinstance(exc, KnowledgeBaseError) else [str(exc)]
    n = len(lines)
    head = "certdesk: FAQファイルを読み込めません / cannot load the FAQ file"
    if n > 1:
        head += f" ({n} 件の問題 / {n} problems)"
    print(head + ":\n" + "\n".join("  " + escape_controls(line) for line in lines),
          file=sys.stderr)


def print_kb_warnings(kb: Any) -> None:
    for warning in getattr(kb, "warnings", ()):
        print(f"certdesk: 注意 / warning: {escape_controls(str(warning))}", file=sys.stderr)


def escape_controls(text: str) -> str:
    """Control characters shown as \\xNN, never sent to the terminal (bot.cli.output
    applies the same to everything a command prints)."""
    from analyzers.text import escape_controls as escape

    return escape(text)


def tolerant_stdin() -> None:
    """Undecodable bytes on stdin become U+FFFD instead of ending the command."""
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
