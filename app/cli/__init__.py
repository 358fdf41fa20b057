"""The command line: one module per group of subcommands, each adding its own parsers.

``main.py`` builds the parser here and runs a subcommand, or starts the desktop app when none is
given (the GUI lives in ui/, which app/ never imports). Command modules import the storage stack
and services inside their handlers, so that building the parser stays cheap.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app import APP_NAME, __version__
from app.cli import bulletins, chinese, demo, ledger, plans, progress, records, records_print, sync
from app.cli.common import (
    BUSY_TIMEOUT_S,
    EXIT_DB_BUSY,
    EXIT_DB_MISSING,
    EXIT_DB_READ_ONLY,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    db_option,
    error,
    exit_code_for,
    resolve_db,
)

Handler = Callable[[argparse.Namespace], int]

EXIT_CODES_HELP = f"""退出码：
  {EXIT_OK}  完成
  {EXIT_REFUSED}  输入被拒绝（如报回的填报表有错误），数据库未改动
  {EXIT_ERROR}  其他错误（输入文件不存在、参数错误、文件不是台账数据库等），见错误信息
  {EXIT_DB_BUSY}  数据库正被另一个程序使用（已等待 {BUSY_TIMEOUT_S:g} 秒），请稍后重试
  {EXIT_DB_READ_ONLY}  数据库文件或其所在文件夹为只读，不能保存修改
  {EXIT_DB_MISSING}  找不到数据库文件或其所在文件夹（请检查 --db 路径）"""

_GROUPS = (plans, ledger, progress, records, records_print, bulletins, demo, sync)


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    chinese.install()
    db = db_option()
    parser = argparse.ArgumentParser(
        prog="main.py",
        description=f"{APP_NAME}：市政府办公室督查室工作台账。不带子命令时启动桌面程序。",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[db],
    )
    parser.add_argument(
        "--version", action="version", version=f"{APP_NAME} {__version__}", help="显示版本号并退出"
    )
    # For benchmarks and smoke tests: print when the window is shown and when the ledger is
    # ready (epoch seconds), then quit.
    parser.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="子命令")
    handlers: dict[str, Handler] = {}
    for group in _GROUPS:
        handlers.update(group.add_commands(commands, db))
    return parser, handlers


def run_command(args: argparse.Namespace, handlers: dict[str, Handler]) -> int:
    """Run a subcommand; a database problem anywhere in it is one line on stderr and its code."""
    import sqlite3

    from app.storage import StorageError, WriteError
    from app.storage.errors import translate

    try:
        return handlers[args.command](args)
    except StorageError as problem:  # before WriteError: busy and read-only are both
        error(str(problem))
        return exit_code_for(problem)
    except WriteError as problem:
        error(str(problem))
        return EXIT_ERROR
    except sqlite3.Error as problem:  # a read that met a busy, locked or failing file
        translated = translate(problem, resolve_db(args), BUSY_TIMEOUT_S)
        if translated is None:
            raise
        error(str(translated))
        return exit_code_for(translated)


__all__ = ["build_parser", "resolve_db", "run_command"]
