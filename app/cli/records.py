"""import-records, findings, scores, user: 明察暗访 from the command line.

Every read goes through the 暗访 confidentiality rule with the current user set by ``user``
(app/services/visibility.py), like the desktop app.
"""

from __future__ import annotations

import argparse
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
    records = commands.add_parser(
        "import-records",
        parents=[db],
        help="导入明察暗访记录文件（JSON，格式见 docs/records-json.md）：按编号新增或更新",
    )
    records.add_argument("file", type=Path, metavar="FILE.json")
    findings = commands.add_parser(
        "findings", parents=[db], help="以 JSON 输出全部发现问题：整改状态、整改期限、是否逾期"
    )
    findings.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="默认今天")
    scores = commands.add_parser(
        "scores", parents=[db], help="以 JSON 输出某期间各部门的红黑榜得分和排名"
    )
    scores.add_argument("--from", dest="starts_on", type=iso_date, required=True, metavar="DATE")
    scores.add_argument("--to", dest="ends_on", type=iso_date, required=True, metavar="DATE")
    scores.add_argument(
        "--as-of", type=iso_date, metavar="YYYY-MM-DD", help="按哪天的整改情况计分（默认期末）"
    )
    user = commands.add_parser(
        "user",
        parents=[db],
        help="查看或设置本机当前用户的姓名和身份（决定能看到哪些暗访记录）",
    )
    user.add_argument("--name", metavar="姓名")
    user.add_argument(
        "--role",
        metavar="身份",
        help="inspector（督查员）、supervisor（审核人）或 office（办公室）",
    )
    return {
        "import-records": cmd_import_records,
        "findings": cmd_findings,
        "scores": cmd_scores,
        "user": cmd_user,
    }


def cmd_import_records(args: argparse.Namespace) -> int:
    from app.services.calendar import HolidayTable
    from app.services.records_import import RecordsImport
    from app.services.records_json import RecordsFileError

    if not args.file.is_file():
        error(f"找不到记录文件：{args.file}。请检查路径。")
        return EXIT_ERROR
    storage = open_storage(args, "write")
    try:
        calendar = HolidayTable(storage.repository).calendar()
        summary = RecordsImport(storage.repository, calendar).import_file(args.file)
    except RecordsFileError as problem:
        error(f"{args.file.name}：{problem}（未导入任何内容）")
        return EXIT_REFUSED
    finally:
        storage.close()
    print_json({"file": str(args.file), **summary.as_json()})
    return EXIT_OK


def cmd_findings(args: argparse.Namespace) -> int:
    from app.services.finding_list import FindingList
    from app.services.visibility import viewer_of

    storage = open_storage(args, "read")
    as_of = args.as_of or date.today()
    try:
        viewer = viewer_of(storage.db)
        finding_list = FindingList(storage.db)
        query = finding_list.query(as_of=as_of, sort="found", descending=False, viewer=viewer)
        rows = [
            {
                "id": row.id,
                "measure_id": row.measure_id,
                "inspection_id": row.inspection_id,
                "inspection_plan_id": row.inspection_plan_id,
                "kind": row.kind.value,
                "department": row.department,
                "department_id": row.department_id,
                "description": row.description,
                "category": row.category,
                "severity": row.severity.value,
                "found_on": row.found_on.isoformat(),
                "rectify_workdays": row.rectify_workdays,
                "rectify_due": row.rectify_by.isoformat() if row.rectify_by else None,
                "state": row.stage.value,
                "state_label": row.stage.label,
                "rectified_on": row.rectified_on.isoformat() if row.rectified_on else None,
                "overdue": row.overdue,
            }
            for row in finding_list.rows(query)
        ]
        print_json(
            {
                "as_of": as_of.isoformat(),
                "viewer": {"name": viewer.name, "role": viewer.role.value},
                "findings": rows,
            }
        )
    finally:
        storage.close()
    return EXIT_OK


def cmd_scores(args: argparse.Namespace) -> int:
    from app.services.scores import Scores

    storage = open_storage(args, "read")
    try:
        ranking = Scores(storage.repository).ranking(args.starts_on, args.ends_on, as_of=args.as_of)
        print_json(
            {
                "from": ranking.starts_on.isoformat(),
                "to": ranking.ends_on.isoformat(),
                "as_of": ranking.as_of.isoformat(),
                "base": ranking.base,
                "departments": [
                    {
                        "rank": row.rank,
                        "department_id": row.department_id,
                        "department": row.department,
                        "score": row.score,
                        "findings": row.findings,
                        "on_time": row.on_time,
                        "overdue": row.overdue,
                        "deducted": row.deducted,
                        "credited": row.credited,
                        "by_severity": row.by_severity,
                    }
                    for row in ranking.rows
                ],
            }
        )
    finally:
        storage.close()
    return EXIT_OK


def cmd_user(args: argparse.Namespace) -> int:
    from app.services.identity import Identity

    changing = args.name is not None or args.role is not None
    storage = open_storage(args, "write" if changing else "read")
    try:
        identity = Identity(storage)
        user = identity.set(args.name, args.role) if changing else identity.current()
    finally:
        storage.close()
    print_json({"name": user.name, "role": user.role.value, "role_label": user.role.label})
    return EXIT_OK
