"""The command line: one module per group of subcommands, each adding its own parsers.

``main.py`` builds the parser here and runs a subcommand, or starts the desktop app when none is
given (the GUI lives in ui/, which app/ never imports). Command modules import the storage stack
and services inside their handlers, so that building the parser stays cheap.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app import APP_NAME, __version__
from app.cli import demo, ledger, plans, progress
from app.cli.common import db_option, resolve_db

Handler = Callable[[argparse.Namespace], int]

_GROUPS = (plans, ledger, progress, demo)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    db = db_option()
    parser = argparse.ArgumentParser(
        prog="main.py",
        description=f"{APP_NAME}：市政府办公室督查室工作台账。不带子命令时启动桌面程序。",
        parents=[db],
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    # For benchmarks and smoke tests: print when the window is shown and when the ledger is
    # ready (epoch seconds), then quit.
    parser.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="子命令")
    handlers: dict[str, Handler] = {}
    for group in _GROUPS:
        handlers.update(group.add_commands(commands, db))
    return parser, handlers


def run_command(args: argparse.Namespace, handlers: dict[str, Handler]) -> int:
    return handlers[args.command](args)


__all__ = ["build_parser", "resolve_db", "run_command"]
