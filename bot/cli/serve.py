"""`certdesk serve [--http] [--host H] [--port N] [--workers N]`: run the Slack app."""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve",
        help="Slackアプリを起動 / run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP)",
    )
    p.add_argument("--http", action="store_true", help="HTTP mode even when SLACK_APP_TOKEN is set")
    p.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"), help="bind address")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "2")),
        help="gunicorn worker processes (HTTP mode); use PostgreSQL for more than one host",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from knowledge import KnowledgeBaseError

    try:
        return _run(args)
    except KnowledgeBaseError as exc:  # CERTDESK_KB names a broken file: say what is wrong
        from bot.cli.common import print_kb_error

        print_kb_error(exc)
        return 2


def _run(args: argparse.Namespace) -> int:
    from bot.config import Settings

    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
    )
    settings = Settings.from_env()
    if not settings.slack_bot_token:
        print("SLACK_BOT_TOKEN is not set / SLACK_BOT_TOKEN が設定されていません")
        return 2
    from bot.slack import server

    if settings.slack_app_token and not args.http:
        from slack_sdk.errors import SlackApiError

        try:
            server.run_socket_mode(settings)
        except SlackApiError as exc:  # bad token, app without Socket Mode enabled
            print(f"Socket Mode failed / Socket Mode を開始できません: {exc.response.get('error')}")
            return 1
        return 0
    if not settings.slack_signing_secret:
        print("SLACK_SIGNING_SECRET is not set / SLACK_SIGNING_SECRET が設定されていません")
        return 2
    # migrate once in the master, so workers never race each other through Alembic
    desk = server.load_desk(settings)
    if desk.store is not None:
        desk.store.dispose()
    del desk
    server.run_http(settings, host=args.host, port=args.port, workers=max(1, args.workers))
    return 0
