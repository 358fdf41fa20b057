"""What every command shares: the --db option, opening the database, JSON out, messages."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.plan_import import ParsedPlan
    from app.storage import Storage

# Exit codes: 0 done; 1 the input was refused (e.g. a returned sheet with errors); 2 an error
# the message explains (missing file, bad argument, unreadable document, database problem).
EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_ERROR = 2


def db_option() -> argparse.ArgumentParser:
    """--db, accepted both before and after a subcommand.

    SUPPRESS keeps a subcommand's absent --db from overwriting one given before it.
    """
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="数据库文件（默认：本机用户数据目录中的 ledger.sqlite）",
    )
    return option


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def resolve_db(args: argparse.Namespace) -> Path:
    db = getattr(args, "db", None)
    if db is not None:
        return Path(db)
    from app.paths import default_db_path

    return default_db_path()


def error(message: str) -> None:
    """One line for the user on stderr."""
    print(f"错误：{message}", file=sys.stderr)


def use_utf8_stdout() -> None:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Windows consoles default to a code page


def print_json(data: object) -> None:
    use_utf8_stdout()
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def open_storage(args: argparse.Namespace) -> Storage | None:
    """The opened database, or None after printing why it could not be opened."""
    from app.storage import Storage, StorageError

    try:
        return Storage.open(resolve_db(args))
    except StorageError as problem:
        error(str(problem))
        return None


def parse_plan(path: Path) -> ParsedPlan | None:
    """The parsed plan, or None after printing why the file could not be read."""
    from app.plan_import import PlanReadError, parse_file

    try:
        return parse_file(path)
    except PlanReadError as problem:
        error(problem.message)
        return None
