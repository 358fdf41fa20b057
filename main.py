"""督查台账 entry point: no subcommand starts the desktop app; subcommands are the CLI (app/cli)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli import build_parser as _build_parser
from app.cli import resolve_db as _resolve_db
from app.cli import run_command


def build_parser() -> argparse.ArgumentParser:
    return _build_parser()[0]


def resolve_db(args: argparse.Namespace) -> Path:
    return _resolve_db(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = _build_parser()
    args = parser.parse_args(argv)
    if args.command in handlers:
        return run_command(args, handlers)
    from ui.application import run_gui

    return run_gui(resolve_db(args), report_startup=args.report_startup)


if __name__ == "__main__":
    sys.exit(main())
