"""record-pdf, rectification-notice: one 明察暗访 record, or one department's 整改通知, as a PDF.

Both read through the 暗访 rule with the current user set by ``user`` (a record the user may not
see cannot be printed), and never replace an existing file. On success they print JSON: the file,
its pages and the fonts used (faces not installed on this machine and what stood in for them are
also named on stderr).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.cli.common import EXIT_ERROR, EXIT_OK, error, iso_date, open_storage, print_json


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    record = commands.add_parser(
        "record-pdf", parents=[db], help="把一条明察暗访检查记录保存为 PDF（不覆盖已有文件）"
    )
    record.add_argument(
        "--inspection",
        required=True,
        metavar="ID",
        help="检查记录的编号：PDF 上印的 8 位记录编号（不分大小写）、其开头几位或完整编号",
    )
    record.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    notice = commands.add_parser(
        "rectification-notice",
        parents=[db],
        help="为一个部门生成整改通知 PDF：其未整改的问题、整改期限和报送要求",
    )
    notice.add_argument("--department", required=True, metavar="NAME", help="部门名称或别名")
    notice.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="通知日期，按这天的整改情况（默认今天）",
    )
    notice.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    return {"record-pdf": cmd_record_pdf, "rectification-notice": cmd_rectification_notice}


def cmd_record_pdf(args: argparse.Namespace) -> int:
    from app.services.record_print import PrintError, RecordPrint

    storage = open_storage(args, "read")
    try:
        service = RecordPrint.for_storage(storage)
        printed = service.write_record(service.find_record(args.inspection), args.out)
    except PrintError as problem:
        error(str(problem))
        return EXIT_ERROR
    finally:
        storage.close()
    _report(printed)
    return EXIT_OK


def cmd_rectification_notice(args: argparse.Namespace) -> int:
    from app.services.record_print import PrintError, RecordPrint, save_notice_pdf

    storage = open_storage(args, "read")
    try:
        service = RecordPrint.for_storage(storage)
        department_id = service.department_id(args.department)
        notice = service.notice(department_id, as_of=args.as_of or date.today())
        printed = save_notice_pdf(notice, args.out)
    except PrintError as problem:
        error(str(problem))
        return EXIT_ERROR
    finally:
        storage.close()
    if notice.covert:
        print(
            f"注意：通知中有 {notice.covert} 个问题来自暗访记录，发出前请确认可以告知被检查单位。",
            file=sys.stderr,
        )
    _report(
        printed,
        department=notice.department,
        as_of=notice.as_of.isoformat(),
        total=len(notice.findings) + len(notice.awaiting),  # what ``covert`` is part of
        findings=len(notice.findings),
        overdue=len(notice.overdue),
        awaiting_recheck=len(notice.awaiting),
        covert=notice.covert,
    )
    return EXIT_OK


def _report(printed, **extra) -> None:
    for line in printed.substituted:
        print(f"字体：{line}", file=sys.stderr)
    if printed.missing:
        print(
            f"注意：字体中没有这些字符，PDF 中显示为空白：{printed.missing}"
            "（可安装字符更全的宋体后重新生成）",
            file=sys.stderr,
        )
    print_json({**printed.as_json(), **extra})
