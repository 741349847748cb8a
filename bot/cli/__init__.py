"""The `certdesk` command line: the parser and `main`.

Each command group lives in a module of its own (`ask`, `chat`, `evaluate`, `check`,
`db`, `report`, `escalations`, `kb`, `serve`) that exposes `register(subparsers)`;
`common` holds their shared plumbing, `render` the tables they print and `output` the
escaping of control characters in everything printed. The CLI sits
on top: it may import the core, the Store, the adapters, `knowledge` and `analyzers`,
and nothing imports it. Heavy imports happen inside the handlers, so `certdesk ask`
starts fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

# module name -> each exposes `register(subparsers) -> None`
COMMAND_MODULES: tuple[str, ...] = (
    "bot.cli.ask",
    "bot.cli.chat",
    "bot.cli.evaluate",  # eval
    "bot.cli.check",
    "bot.cli.db",
    "bot.cli.report",
    "bot.cli.escalations",  # escalations, escalation
    "bot.cli.kb",
    "bot.cli.serve",
)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certdesk",
        description=(
            "SSL証明書サポートボット / SSL certificate support bot: "
            "FAQ answers, certificate checks, escalation."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:  # a command group not built yet
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.config import load_dotenv_once

    load_dotenv_once()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    if args.command == "serve":  # a server's own streams and logs stay as they are
        return _run(handler, args)
    from bot.cli.output import safe_terminal

    # JSON and TOML (kb) output get the escapes that keep them valid
    structured = bool(getattr(args, "json", False)) or args.command == "kb"
    with safe_terminal(json=structured):
        return _run(handler, args)


def _run(handler: Handler, args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `certdesk ask --json - | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
