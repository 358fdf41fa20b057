"""督查台账 entry point: no subcommand starts the desktop app; subcommands are the CLI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from app import APP_NAME, __version__


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted both before and after a subcommand; SUPPRESS keeps a subcommand's
    # absent --db from overwriting one given before it.
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="数据库文件（默认：本机用户数据目录中的 ledger.sqlite）",
    )
    parser = argparse.ArgumentParser(
        prog="main.py",
        description=f"{APP_NAME}：市政府办公室督查室工作台账。不带子命令时启动桌面程序。",
        parents=[db_option],
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    # For benchmarks and smoke tests: print when the window is shown and when the ledger is
    # ready (epoch seconds), then quit.
    parser.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="子命令")
    commands.add_parser(
        "export",
        parents=[db_option],
        help="以 JSON 输出整个数据库（所有同步表、删除标记、设备编号）",
    )
    parse = commands.add_parser(
        "parse",
        help="解析实施方案文件（.txt/.docx/.pdf），以 JSON 输出领域、措施、部门、时限和目标",
    )
    parse.add_argument("file", type=Path, metavar="FILE")
    import_plan = commands.add_parser(
        "import-plan",
        parents=[db_option],
        help="解析实施方案并存入台账；同一方案的修订版只更新有变化的措施",
    )
    import_plan.add_argument("file", type=Path, metavar="FILE")
    return parser


def resolve_db(args: argparse.Namespace) -> Path:
    db = getattr(args, "db", None)
    if db is not None:
        return Path(db)
    from app.paths import default_db_path

    return default_db_path()


def cmd_export(args: argparse.Namespace) -> int:
    from app.storage import Storage, StorageError
    from app.storage.export import export_database

    try:
        storage = Storage.open(resolve_db(args))
    except StorageError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    try:
        _print_json(export_database(storage))
    finally:
        storage.close()
    return 0


def _use_utf8_stdout() -> None:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Windows consoles default to a code page


def _print_json(data: object) -> None:
    _use_utf8_stdout()
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_parse(args: argparse.Namespace) -> int:
    from app.plan_import import PlanReadError, parse_file

    try:
        parsed = parse_file(args.file)
    except PlanReadError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 2
    _print_json(parsed.to_json())
    return 0


def cmd_import_plan(args: argparse.Namespace) -> int:
    from app.plan_import import PlanReadError, parse_file
    from app.services.plan_store import PlanStore
    from app.storage import Storage, StorageError

    try:
        parsed = parse_file(args.file)
    except PlanReadError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 2
    if not parsed.measures:
        print(f"错误：在 {args.file} 中没有找到任何措施，未导入。", file=sys.stderr)
        return 2
    try:
        storage = Storage.open(resolve_db(args))
    except StorageError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    try:
        result = PlanStore(storage.repository).import_plan(parsed)
    finally:
        storage.close()
    diff = result.diff
    print(diff.summary(), file=sys.stderr)
    _print_json(
        {
            "plan_id": result.plan_id,
            "new_plan": diff.is_new_plan,
            "added": len(diff.added),
            "changed": len(diff.changed),
            "removed": len(diff.removed),
            "unchanged": len(diff.unchanged),
            "warnings": len(parsed.warnings),
        }
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "export":
        return cmd_export(args)
    if args.command == "parse":
        return cmd_parse(args)
    if args.command == "import-plan":
        return cmd_import_plan(args)
    from ui.application import run_gui

    return run_gui(resolve_db(args), report_startup=args.report_startup)


if __name__ == "__main__":
    sys.exit(main())
