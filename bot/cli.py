"""`certdesk` command line. Each command group lives in its own module and registers
itself here; heavy imports happen inside the handlers so `certdesk ask` starts fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

# module name -> each exposes `register(subparsers) -> None`
COMMAND_MODULES: tuple[str, ...] = (
    "bot.cli_ask",  # ask, chat, eval
    "bot.cli_check",  # check
    "bot.cli_store",  # db, report, escalations, escalation, kb
    "bot.cli_serve",  # serve
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
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `certdesk ask --json - | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
