"""What every command shares: the --db option, opening the database, JSON out, messages."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from app.storage import Storage, StorageError

# Exit codes (README, 命令行): 0 done; 1 the input was refused (e.g. a returned sheet with
# errors); 2 an error the message explains (missing input file, bad argument, unreadable
# document, a file that is not a ledger); and one code for each database condition a script may
# want to handle: busy (retry later), read-only, missing (a mistyped --db).
EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_ERROR = 2
EXIT_DB_BUSY = 3
EXIT_DB_READ_ONLY = 4
EXIT_DB_MISSING = 5

# How long a command waits for another program's write lock before giving up: long enough for a
# colleague's import or the desktop app's save to finish, short enough that a script is told.
BUSY_TIMEOUT_S = 30.0

Access = Literal["read", "write", "create"]
"""read: an existing ledger, opened read-only; write: an existing ledger, opened writable;
create: writable, and created (announced on stderr) when the file is not there."""


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


def is_default_db(args: argparse.Namespace) -> bool:
    """No --db given: the user's own data folder, which may be created on first use."""
    return getattr(args, "db", None) is None


def error(message: str) -> None:
    """One line for the user on stderr."""
    print(f"错误：{message}", file=sys.stderr)


def warn_about_location(path: Path) -> None:
    """A database in a synced folder or on a network drive: say so on stderr (app/sync/location)."""
    from app.sync.location import location_warning

    warning = location_warning(path)
    if warning is not None:
        print(f"警告：{warning.message}", file=sys.stderr)


def use_utf8_stdout() -> None:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Windows consoles default to a code page


def print_json(data: object) -> None:
    use_utf8_stdout()
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def open_storage(args: argparse.Namespace, access: Access = "write") -> Storage:
    """The opened database; raises StorageError (``run_command`` prints it, see exit_code_for).

    Only ``create`` makes a new file (and says so on stderr); an explicit --db in a folder that
    does not exist is refused, only the default location's folder is created.
    """
    from app.storage import MissingDatabaseError

    try:
        storage = _open(resolve_db(args), access, default=is_default_db(args))
        warn_about_location(resolve_db(args))
        return storage
    except MissingDatabaseError as missing:
        if not is_default_db(args):
            raise
        raise MissingDatabaseError(
            f"本机还没有台账数据库（默认位置 {resolve_db(args)}）。"
            "请先用 import-plan 导入实施方案，或用 --db 指定数据库文件。"
        ) from missing


def _open(path: Path, access: Access, *, default: bool) -> Storage:
    from app.storage import ReadOnlyDatabaseError, Storage, UpgradeNeededError

    timeout = BUSY_TIMEOUT_S
    if access == "read":
        try:
            return Storage.open(path, read_only=True, busy_timeout=timeout)
        except UpgradeNeededError as needed:
            # Reading needs the current schema: migrate it (with a backup) as any open does.
            try:
                Storage.open(path, create=False, busy_timeout=timeout).close()
            except ReadOnlyDatabaseError:
                raise needed from None
            return Storage.open(path, read_only=True, busy_timeout=timeout)
    storage = Storage.open(
        path,
        create=access == "create",
        create_folder=access == "create" and default,
        busy_timeout=timeout,
    )
    if storage.created:
        print(f"新建数据库：{path}", file=sys.stderr)
    return storage


def exit_code_for(problem: StorageError) -> int:
    from app.storage import DatabaseBusyError, MissingDatabaseError, ReadOnlyDatabaseError

    if isinstance(problem, DatabaseBusyError):
        return EXIT_DB_BUSY
    if isinstance(problem, ReadOnlyDatabaseError):
        return EXIT_DB_READ_ONLY
    if isinstance(problem, MissingDatabaseError):
        return EXIT_DB_MISSING
    return EXIT_ERROR
