"""parse, import-plan: plan documents from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    error,
    open_storage,
    parse_plan,
    print_json,
)


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    parse = commands.add_parser(
        "parse",
        help="解析实施方案文件（.txt/.docx/.pdf），以 JSON 输出领域、措施、部门、时限和目标",
    )
    parse.add_argument("file", type=Path, metavar="FILE")
    import_plan = commands.add_parser(
        "import-plan",
        parents=[db],
        help="解析实施方案并存入台账；同一方案的修订版只更新有变化的措施",
    )
    import_plan.add_argument("file", type=Path, metavar="FILE")
    return {"parse": cmd_parse, "import-plan": cmd_import_plan}


def cmd_parse(args: argparse.Namespace) -> int:
    parsed = parse_plan(args.file)
    if parsed is None:
        return EXIT_ERROR
    print_json(parsed.to_json())
    return EXIT_OK


def cmd_import_plan(args: argparse.Namespace) -> int:
    import sys

    from app.services.plan_store import PlanStore

    parsed = parse_plan(args.file)
    if parsed is None:
        return EXIT_ERROR
    if not parsed.measures:
        error(f"在 {args.file} 中没有找到任何措施，未导入。")
        return EXIT_ERROR
    storage = open_storage(args, "create")
    try:
        result = PlanStore(storage.repository).import_plan(parsed)
    finally:
        storage.close()
    diff = result.diff
    print(result.summary(), file=sys.stderr)
    print_json(
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
    return EXIT_OK
