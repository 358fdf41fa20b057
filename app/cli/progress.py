"""progress-sheets, import-progress: 调度 rounds from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    error,
    iso_date,
    open_storage,
    print_json,
)


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    sheets = commands.add_parser(
        "progress-sheets", parents=[db], help="为一轮调度给每个部门生成进展填报表（.xlsx）"
    )
    sheets.add_argument("--round", required=True, metavar="NAME", help="如“2021年7月调度”")
    sheets.add_argument("--out", required=True, type=Path, metavar="DIR")
    sheets.add_argument("--reply-due", type=iso_date, metavar="YYYY-MM-DD", help="报送截止日期")
    sheets.add_argument("--plan", metavar="ID", help="台账中有多个方案时指定方案编号")
    sheets.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="发放日期（默认今天）")
    progress = commands.add_parser(
        "import-progress",
        parents=[db],
        help="导入各部门报回的进展填报表；任一文件有错误则全部不导入",
    )
    progress.add_argument("files", type=Path, nargs="+", metavar="FILE")
    progress.add_argument("--received-on", type=iso_date, metavar="YYYY-MM-DD", help="默认今天")
    return {"progress-sheets": cmd_progress_sheets, "import-progress": cmd_import_progress}


def cmd_progress_sheets(args: argparse.Namespace) -> int:
    from app.services.calendar import HolidayTable
    from app.services.progress import ProgressService
    from app.storage import StorageError, WriteError

    storage = open_storage(args, "write")
    try:
        service = ProgressService(storage.repository)
        today = args.on or date.today()
        found = service.find_round(args.round)
        if found is None:
            plans = [row[0] for row in storage.db.execute("SELECT id FROM plans WHERE deleted = 0")]
            plan_id = args.plan or (plans[0] if len(plans) == 1 else None)
            if plan_id is None:
                error("台账中没有方案或有多个方案，请用 --plan 指定方案编号（见 main.py export）。")
                return EXIT_ERROR
            reply_due = args.reply_due or HolidayTable(storage.repository).calendar().add_workdays(
                today, 5
            )
            # One transaction: if a sheet cannot be written, the round is not saved either.
            result = service.create_round_and_export(
                args.round, plan_id, reply_due, today, args.out, today
            )
        else:
            result = service.export_sheets(found.id, args.out, today)
        groups = service.addressees(result.round_id).groups
    except StorageError:
        raise  # busy, read-only…: run_command gives each its own exit code
    except WriteError as problem:
        error(str(problem))
        print("没有生成任何填报表，台账未改变。", file=sys.stderr)
        return EXIT_ERROR
    finally:
        storage.close()
    print(f"已生成 {len(result)} 个部门的填报表：{args.out}", file=sys.stderr)
    if result.kept:
        print(
            f"文件夹中已有 {len(result.kept)} 个同名文件，均未覆盖；这些部门的新填报表另存为：",
            file=sys.stderr,
        )
        for sheet in result.kept:
            print(f"  {sheet.wanted} → {sheet.name}", file=sys.stderr)
    if groups:
        names = "、".join(group.name for group in groups)
        print(f"以下为泛指名称，未单独发放：{names}", file=sys.stderr)
    print_json(
        {
            "round_id": result.round_id,
            "files": [str(path) for path in result],
            "renamed": [
                {"wanted": sheet.wanted, "file": str(result.folder / sheet.name)}
                for sheet in result.kept
            ],
        }
    )
    return EXIT_OK


def cmd_import_progress(args: argparse.Namespace) -> int:
    from app.cli.feedback import StderrProgress
    from app.services.progress import ProgressService, item_line

    storage = open_storage(args, "write")
    feedback = StderrProgress(f"正在检查 {len(args.files)} 个文件")
    try:
        report = ProgressService(storage.repository).import_files(
            args.files, received_on=args.received_on or date.today(), progress=feedback
        )
    finally:
        feedback.finish()
        storage.close()
    for issue in report.errors:
        error(str(issue))
    if report.unlisted_errors:
        error(report.unlisted_note())
    print(report.summary(), file=sys.stderr)
    print_json(
        {
            "ok": report.ok,
            "files": [
                {
                    "file": outcome.file,
                    "status": outcome.status.value,
                    # rows left blank (未填报) that no earlier file of the department reported
                    "unreported": [
                        {"code": item.code, "number": item.number, "item": item_line(item)}
                        for item in outcome.unreported
                    ],
                }
                for outcome in report.files
            ],
            "errors": [
                {
                    "file": issue.file,
                    "sheet": issue.sheet,
                    "row": issue.row,
                    "column": issue.column,
                    "reason": issue.reason,
                }
                for issue in report.errors
            ],
            "errors_not_listed": report.unlisted,
        }
    )
    return EXIT_OK if report.ok else EXIT_REFUSED
