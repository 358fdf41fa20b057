"""督查台账 entry point: no subcommand starts the desktop app; subcommands are the CLI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
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
    status = commands.add_parser(
        "status", parents=[db_option], help="以 JSON 输出每项措施在某日的状态、亮灯和下一个完成期限"
    )
    status.add_argument("--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="默认今天")
    status.add_argument(
        "--soon-days", type=int, default=5, metavar="N", help="N 个工作日内到期亮黄灯（默认 5）"
    )
    sheets = commands.add_parser(
        "progress-sheets", parents=[db_option], help="为一轮调度给每个部门生成进展填报表（.xlsx）"
    )
    sheets.add_argument("--round", required=True, metavar="NAME", help="如“2021年7月调度”")
    sheets.add_argument("--out", required=True, type=Path, metavar="DIR")
    sheets.add_argument("--reply-due", type=_iso_date, metavar="YYYY-MM-DD", help="报送截止日期")
    sheets.add_argument("--plan", metavar="ID", help="台账中有多个方案时指定方案编号")
    sheets.add_argument("--on", type=_iso_date, metavar="YYYY-MM-DD", help="发放日期（默认今天）")
    progress = commands.add_parser(
        "import-progress",
        parents=[db_option],
        help="导入各部门报回的进展填报表；任一文件有错误则全部不导入",
    )
    progress.add_argument("files", type=Path, nargs="+", metavar="FILE")
    progress.add_argument("--received-on", type=_iso_date, metavar="YYYY-MM-DD", help="默认今天")
    ledger_xlsx = commands.add_parser(
        "export-ledger", parents=[db_option], help="按截至日期把整个工作台账导出为 Excel（.xlsx）"
    )
    ledger_xlsx.add_argument("--out", required=True, type=Path, metavar="FILE")
    ledger_xlsx.add_argument("--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="默认今天")
    ledger_xlsx.add_argument("--plan", metavar="ID", help="只导出这个方案（默认全部方案）")
    demo = commands.add_parser(
        "demo", parents=[db_option], help="生成确定性的演示台账（用于性能测试）"
    )
    demo.add_argument("--measures", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    return parser


def _iso_date(text: str) -> date:
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


def cmd_export(args: argparse.Namespace) -> int:
    from app.storage.export import export_database

    storage = _open_storage(args)
    if storage is None:
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


def _parse_plan(path: Path):
    """The parsed plan, or None after printing why the file could not be read."""
    from app.plan_import import PlanReadError, parse_file

    try:
        return parse_file(path)
    except PlanReadError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return None


def cmd_parse(args: argparse.Namespace) -> int:
    parsed = _parse_plan(args.file)
    if parsed is None:
        return 2
    _print_json(parsed.to_json())
    return 0


def cmd_import_plan(args: argparse.Namespace) -> int:
    from app.services.plan_store import PlanStore

    parsed = _parse_plan(args.file)
    if parsed is None:
        return 2
    if not parsed.measures:
        print(f"错误：在 {args.file} 中没有找到任何措施，未导入。", file=sys.stderr)
        return 2
    storage = _open_storage(args)
    if storage is None:
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


def _open_storage(args: argparse.Namespace):
    from app.storage import Storage, StorageError

    try:
        return Storage.open(resolve_db(args))
    except StorageError as error:
        print(f"错误：{error}", file=sys.stderr)
        return None


def cmd_status(args: argparse.Namespace) -> int:
    from app.services.calendar import HolidayTable
    from app.services.inspections import Inspections
    from app.services.status import LedgerStatus

    storage = _open_storage(args)
    if storage is None:
        return 2
    as_of = args.as_of or date.today()
    try:
        calendar = HolidayTable(storage.repository).calendar()
        status = LedgerStatus(storage.db, calendar)
        rows = status.measures(as_of=as_of, soon_days=args.soon_days)
        overdue = status.overdue_milestones(as_of=as_of)
        findings = Inspections(storage.repository).open_by_measure(as_of=as_of)
        dues = [row.next_due for row in rows]
        _print_json(
            {
                "as_of": as_of.isoformat(),
                "soon_days": args.soon_days,
                "unconfirmed_years": calendar.unconfirmed_years([as_of, *dues]),
                "measures": [
                    {
                        "id": row.id,
                        "plan_id": row.plan_id,
                        "area": {"no": row.area_no, "title": row.area_title},
                        "no": row.no,
                        "title": row.title,
                        "lead": row.lead.split("、") if row.lead else [],
                        "responsible": row.responsible.split("、") if row.responsible else [],
                        "status": row.status.label,
                        "status_code": row.status.value,
                        "light": row.light.value,
                        "next_due": row.next_due.isoformat() if row.next_due else None,
                        "overdue": overdue.get(row.id, []),
                        "open_findings": findings.get(row.id, 0),
                    }
                    for row in rows
                ],
            }
        )
    finally:
        storage.close()
    return 0


def cmd_progress_sheets(args: argparse.Namespace) -> int:
    from app.services.calendar import HolidayTable
    from app.services.progress import ProgressService
    from app.storage import WriteError

    storage = _open_storage(args)
    if storage is None:
        return 2
    try:
        service = ProgressService(storage.repository)
        today = args.on or date.today()
        found = service.find_round(args.round)
        if found is None:
            plans = [row[0] for row in storage.db.execute("SELECT id FROM plans WHERE deleted = 0")]
            plan_id = args.plan or (plans[0] if len(plans) == 1 else None)
            if plan_id is None:
                print(
                    "错误：台账中没有方案或有多个方案，请用 --plan 指定方案编号"
                    "（见 main.py export）。",
                    file=sys.stderr,
                )
                return 2
            reply_due = args.reply_due or HolidayTable(storage.repository).calendar().add_workdays(
                today, 5
            )
            round_id = service.create_round(args.round, plan_id, reply_due, today)
        else:
            round_id = found.id
        paths = service.export_sheets(round_id, args.out, today)
        groups = service.addressees(round_id).groups
    except WriteError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    finally:
        storage.close()
    print(f"已生成 {len(paths)} 个部门的填报表：{args.out}", file=sys.stderr)
    if groups:
        names = "、".join(group.name for group in groups)
        print(f"以下为泛指名称，未单独发放：{names}", file=sys.stderr)
    _print_json({"round_id": round_id, "files": [str(path) for path in paths]})
    return 0


def cmd_import_progress(args: argparse.Namespace) -> int:
    from app.services.progress import ProgressService

    storage = _open_storage(args)
    if storage is None:
        return 2
    try:
        report = ProgressService(storage.repository).import_files(
            args.files, received_on=args.received_on or date.today()
        )
    finally:
        storage.close()
    for issue in report.errors:
        print(f"错误：{issue}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    _print_json(
        {
            "ok": report.ok,
            "files": [
                {"file": outcome.file, "status": outcome.status.value} for outcome in report.files
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
        }
    )
    return 0 if report.ok else 1


def cmd_export_ledger(args: argparse.Namespace) -> int:
    from app.services.ledger_export import LedgerExport
    from app.storage import WriteError

    storage = _open_storage(args)
    if storage is None:
        return 2
    try:
        path = LedgerExport(storage.repository).export(
            args.out, args.plan, args.as_of or date.today()
        )
    except WriteError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    finally:
        storage.close()
    print(f"已导出工作台账：{path}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services.demo import build_demo

    if args.measures < 1:
        print("错误：--measures 至少为 1。", file=sys.stderr)
        return 2
    storage = _open_storage(args)
    if storage is None:
        return 2
    try:
        plan_id = build_demo(storage.repository, measures=args.measures, seed=args.seed)
    finally:
        storage.close()
    _print_json({"plan_id": plan_id, "measures": args.measures, "seed": args.seed})
    return 0


COMMANDS = {
    "export": cmd_export,
    "parse": cmd_parse,
    "import-plan": cmd_import_plan,
    "status": cmd_status,
    "progress-sheets": cmd_progress_sheets,
    "import-progress": cmd_import_progress,
    "export-ledger": cmd_export_ledger,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in COMMANDS:
        return COMMANDS[args.command](args)
    from ui.application import run_gui

    return run_gui(resolve_db(args), report_startup=args.report_startup)


if __name__ == "__main__":
    sys.exit(main())
