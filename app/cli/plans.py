"""parse, import-plan: plan documents from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    error,
    open_storage,
    print_json,
)
from app.cli.feedback import StderrProgress

if TYPE_CHECKING:
    from app.plan_import import ParsedPlan


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


def _read_plan(path: Path, feedback: StderrProgress) -> ParsedPlan | None:
    """The parsed plan, or None after printing why the file could not be read. Progress goes
    to stderr while it takes long (app/cli/feedback.py)."""
    from app.plan_import import PlanReadError, parse_file

    try:
        return parse_file(path, feedback)
    except PlanReadError as problem:
        failure = problem.message
    finally:
        feedback.finish()
    error(failure)
    return None


def cmd_parse(args: argparse.Namespace) -> int:
    parsed = _read_plan(args.file, StderrProgress(f"正在读取并解析“{args.file.name}”"))
    if parsed is None:
        return EXIT_ERROR
    print_json(parsed.to_json())
    return EXIT_OK


def cmd_import_plan(args: argparse.Namespace) -> int:
    import sys

    from app.services.plan_store import PlanStore

    feedback = StderrProgress(f"正在读取并解析“{args.file.name}”")
    parsed = _read_plan(args.file, feedback)
    if parsed is None:
        return EXIT_ERROR
    if not parsed.measures:
        error(f"在 {args.file} 中没有找到任何措施，未导入。")
        return EXIT_ERROR
    storage = open_storage(args, "create")
    try:
        feedback.stage(f"正在写入台账（{len(parsed.measures)} 项措施）")
        result = PlanStore(storage.repository).import_plan(parsed)
    finally:
        feedback.finish()
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
