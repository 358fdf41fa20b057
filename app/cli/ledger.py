"""export, status, export-ledger: reading the ledger from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.cli.common import EXIT_ERROR, EXIT_OK, error, iso_date, open_storage, print_json


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    commands.add_parser(
        "export",
        parents=[db],
        help="以 JSON 输出整个数据库（所有同步表、删除标记、设备编号）",
    )
    status = commands.add_parser(
        "status", parents=[db], help="以 JSON 输出每项措施在某日的状态、亮灯和下一个完成期限"
    )
    status.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="默认今天")
    status.add_argument(
        "--soon-days", type=int, default=5, metavar="N", help="N 个工作日内到期亮黄灯（默认 5）"
    )
    ledger_xlsx = commands.add_parser(
        "export-ledger", parents=[db], help="按截至日期把整个工作台账导出为 Excel（.xlsx）"
    )
    ledger_xlsx.add_argument("--out", required=True, type=Path, metavar="FILE")
    ledger_xlsx.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="默认今天")
    ledger_xlsx.add_argument("--plan", metavar="ID", help="只导出这个方案（默认全部方案）")
    ledger_xlsx.add_argument(
        "--overwrite", action="store_true", help="FILE 已存在时替换它（默认不覆盖，报错退出）"
    )
    return {"export": cmd_export, "status": cmd_status, "export-ledger": cmd_export_ledger}


def cmd_export(args: argparse.Namespace) -> int:
    from app.storage.export import export_database

    storage = open_storage(args, "read")
    try:
        print_json(export_database(storage))
    finally:
        storage.close()
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from app.services.calendar import HolidayTable
    from app.services.inspections import Inspections
    from app.services.status import LedgerStatus

    storage = open_storage(args, "read")
    as_of = args.as_of or date.today()
    try:
        calendar = HolidayTable(storage.repository).calendar()
        status = LedgerStatus(storage.db, calendar)
        rows = status.measures(as_of=as_of, soon_days=args.soon_days)
        overdue = status.overdue_milestones(as_of=as_of)
        findings = Inspections(storage.repository).open_by_measure(as_of=as_of)
        dues = [row.next_due for row in rows]
        print_json(
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
    return EXIT_OK


def cmd_export_ledger(args: argparse.Namespace) -> int:
    from app.services.ledger_export import LedgerExport, LedgerFileExists
    from app.storage import StorageError, WriteError

    storage = open_storage(args, "read")
    try:
        path = LedgerExport(storage.repository).export(
            args.out, args.plan, args.as_of or date.today(), overwrite=args.overwrite
        )
    except LedgerFileExists as problem:
        error(
            f"“{problem.path}”已存在，没有导出（不覆盖已有文件）。"
            "请换一个文件名，或加 --overwrite 替换它。"
        )
        return EXIT_ERROR
    except StorageError:
        raise  # busy, read-only…: run_command gives each its own exit code
    except WriteError as problem:
        error(str(problem))
        return EXIT_ERROR
    finally:
        storage.close()
    print(f"已导出工作台账：{path}", file=sys.stderr)
    return EXIT_OK
