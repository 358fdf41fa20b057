"""bulletin: a DRAFT 通报 or 督办通知 from the ledger, as Word (or PDF), by the kind's template.

The draft is what the desktop app's first draft will be: the office's template for the kind (or
the shipped one) rendered with the ledger's data as of ``--as-of``, read through the 暗访 rule
with the current user set by ``user``. Nothing is stored and no 发文字号 is consumed (numbers are
assigned when a document is issued in the app). The database is opened read-only; the file is
never written over an existing one.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.cli.common import EXIT_ERROR, EXIT_OK, error, iso_date, open_storage, print_json

KINDS = ("progress", "inspection", "notice", "praise", "criticism")
FORMATS = (".docx", ".pdf")


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    bulletin = commands.add_parser(
        "bulletin",
        parents=[db],
        help="按模板从台账生成通报或督办通知的草稿（.docx 或 .pdf；不占用文号，不覆盖已有文件）",
    )
    bulletin.add_argument(
        "--kind",
        required=True,
        choices=KINDS,
        help="progress 调度情况通报；inspection 明察暗访情况通报；notice 督办通知（一个部门）；"
        "praise 表扬通报；criticism 批评通报",
    )
    bulletin.add_argument("--round", metavar="NAME", help="调度轮次（progress；默认最近一轮）")
    bulletin.add_argument("--department", metavar="NAME", help="部门名称或别名（notice 必填）")
    bulletin.add_argument("--plan", metavar="NAME", help="督查方案（inspection；不写则按期间）")
    bulletin.add_argument(
        "--from",
        dest="starts_on",
        type=iso_date,
        metavar="DATE",
        help="统计期间开始（默认当月1日）",
    )
    bulletin.add_argument(
        "--to", dest="ends_on", type=iso_date, metavar="DATE", help="统计期间结束（默认截至日期）"
    )
    bulletin.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="截至日期，也是草稿的成文日期（默认今天）",
    )
    bulletin.add_argument("--out", required=True, type=Path, metavar="FILE.docx|FILE.pdf")
    return {"bulletin": cmd_bulletin}


def cmd_bulletin(args: argparse.Namespace) -> int:
    from app.documents.validation import DocumentInvalid
    from app.files import explain_write_error
    from app.services.bulletins import BulletinDrafting, BulletinError, DraftRequest, parse_kind

    out: Path = args.out
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        error(f"输出文件应以 .docx 或 .pdf 结尾：{out}")
        return EXIT_ERROR
    if out.exists():
        error(f"“{out}”已存在，没有生成（不覆盖已有文件）。请换一个文件名。")
        return EXIT_ERROR
    render = _renderer(suffix)
    request = DraftRequest(
        kind=parse_kind(args.kind),
        as_of=args.as_of or date.today(),
        round_name=args.round,
        department_name=args.department,
        plan_name=args.plan,
        starts_on=args.starts_on,
        ends_on=args.ends_on,
    )
    storage = open_storage(args, "read")
    try:
        draft = BulletinDrafting(storage.repository).draft(request)
        covert = _covert(storage, draft.cited)
    except BulletinError as problem:
        error(str(problem))
        return EXIT_ERROR
    finally:
        storage.close()
    try:
        render(draft.document, out)
    except DocumentInvalid as invalid:
        error("草稿不符合公文格式，没有生成：" + "；".join(p.message for p in invalid.problems))
        return EXIT_ERROR
    except FileExistsError:
        error(f"“{out}”已存在，没有生成（不覆盖已有文件）。请换一个文件名。")
        return EXIT_ERROR
    except OSError as problem:
        error(f"无法写入“{out}”：{explain_write_error(problem)}")
        return EXIT_ERROR
    if covert:
        print(
            f"注意：草稿引用了 {covert} 条暗访记录，签发后这些记录将对所有人公开。",
            file=sys.stderr,
        )
    document = draft.document
    print_json(
        {
            "file": str(out),
            "kind": draft.kind.value,
            "kind_label": draft.kind.label,
            "draft": True,
            "title": document.title,
            "recipients": document.recipients,
            "number": "",
            "code": draft.code,
            "date": document.date.isoformat(),
            "body_blocks": len(document.body),
            "attachments": [attachment.title for attachment in document.attachments],
            "cited_records": len(draft.cited),
            "covert_records": covert,
        }
    )
    return EXIT_OK


def _renderer(suffix: str):
    if suffix == ".docx":
        from reports.gongwen_docx import render_docx

        return render_docx
    from reports.gongwen_pdf import render_pdf

    return render_pdf


def _covert(storage, cited: list[str]) -> int:
    if not cited:
        return 0
    marks = ", ".join("?" for _ in cited)
    return storage.db.execute(
        f"SELECT COUNT(*) FROM inspections WHERE id IN ({marks}) AND kind = 'covert'"
        " AND disclosed_on IS NULL",
        cited,
    ).fetchone()[0]
