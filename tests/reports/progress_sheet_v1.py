"""The progress sheet writer as released in format version 1 (frozen: do not change).

Departments may still hold sheets of this version when the app moves on (a round exported the
week before an update), so the reader must keep reading them; the tests write such sheets with
this copy of the old writer. Only what the file contains matters here, so this is the writer of
format version 1 verbatim, apart from the names it imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from reports.progress_sheet import (
    COL_ACTUAL,
    COL_AREA,
    COL_COMPLETED,
    COL_DEADLINE,
    COL_DUE,
    COL_ID,
    COL_MEASURE,
    COL_NEXT,
    COL_NUMBER,
    COL_PHONE,
    COL_PROBLEMS,
    COL_PROGRESS,
    COL_REPORTER,
    COL_ROLE,
    COL_STATE,
    DATE_FORMAT,
    FORMAT_NAME,
    GUIDE_SHEET,
    META_KEYS,
    META_SHEET,
    ROWS_SHEET,
    STATES,
    TEXT_FORMAT,
    ItemKind,
    ProgressSheet,
)
from reports.xlsx_layout import row_height, wrapped_lines
from reports.xlsx_text import header_footer, put

FORMAT_VERSION = 1
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    editable: bool
    explanation: str
    number_format: str | None = None
    wrap: bool = True


COLUMNS: tuple[_Column, ...] = (
    _Column(COL_ID, 13, False, "系统编号，用于导入时识别事项。请勿修改、删除或复制。", wrap=False),
    _Column(COL_AREA, 12, False, "措施所属领域。"),
    _Column(COL_NUMBER, 6, False, "措施在方案中的序号（领域序号.措施序号）。"),
    _Column(COL_MEASURE, 48, False, "措施内容；节点行、指标行列出与该节点或指标有关的原文。"),
    _Column(COL_ROLE, 8, False, "本部门在该措施中的职责：牵头、责任或配合。"),
    _Column(COL_DEADLINE, 11, False, "方案原文中的时限表述。"),
    _Column(COL_DUE, 11, False, "据时限推算的完成期限。", DATE_FORMAT),
    _Column(COL_PROGRESS, 40, True, "截至填报时的工作进展（完成状态为“未开始”的可不填）。"),
    _Column(COL_STATE, 9, True, "从下拉列表中选择：未开始、推进中、已完成（指标行不填）。"),
    _Column(
        COL_COMPLETED,
        12,
        True,
        "状态为“已完成”时必填，写实际完成的日期，如 2021-07-30（指标行不填）。",
        DATE_FORMAT,
    ),
    _Column(COL_ACTUAL, 10, True, "仅指标行填写：指标的当前实际数值，如 92 或 92%。"),
    _Column(COL_PROBLEMS, 24, True, "推进中遇到的困难和问题（没有可不填）。"),
    _Column(COL_NEXT, 24, True, "下一步工作打算（可不填）。"),
    _Column(COL_REPORTER, 9, True, "填报人姓名，每行必填（可整列复制）。", TEXT_FORMAT),
    _Column(COL_PHONE, 13, True, "填报人联系电话，每行必填（可整列复制）。", TEXT_FORMAT),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
_NOT_FOR_TARGETS = frozenset({COL_STATE, COL_COMPLETED})
_ONLY_FOR_TARGETS = frozenset({COL_ACTUAL})

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FIXED_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_OWN_HEADER_FILL = PatternFill("solid", fgColor="FFF2CC")
_NOT_APPLICABLE_FILL = PatternFill("solid", fgColor="EDEDED")
_WRAP = Alignment(wrap_text=True, vertical="top")
_NO_WRAP = Alignment(wrap_text=False, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)


def write_sheet_v1(sheet: ProgressSheet, target: str | Path | BinaryIO) -> None:
    """Write the department's workbook to a binary stream or a path (overwriting it: writers
    into the user's folders pass a stream from app/files.py, which never replaces a file).

    Every text is written as text (reports/xlsx_text.py), whatever it begins with."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    _write_guide(guide, sheet)
    _write_rows(workbook.create_sheet(ROWS_SHEET), sheet)
    _write_meta(workbook.create_sheet(META_SHEET), sheet)
    workbook.active = 0
    workbook.properties.creator = "督查台账"
    workbook.properties.title = f"{sheet.round_name}进展填报表（{sheet.department_name}）"
    workbook.save(target if not isinstance(target, Path) else str(target))


def _write_guide(ws: Worksheet, sheet: ProgressSheet) -> None:
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    due = _date_text(sheet.reply_due) if sheet.reply_due else "（未设定）"
    send = f"于 {due} 前报送督查室" if sheet.reply_due else "按督查室要求报送"
    lines: list[tuple[str, str, bool]] = [
        (f"{sheet.round_name} 进展填报说明", "", True),
        ("", "", False),
        ("调度轮次", sheet.round_name, False),
        ("填报部门", sheet.department_name, False),
        ("所属方案", sheet.plan_title, False),
        ("导出日期", _date_text(sheet.exported_on), False),
        ("报送截止", due, False),
        ("填报事项", f"共 {len(sheet.rows)} 项", False),
        ("", "", False),
        ("填报步骤", "", True),
        ("1", "打开“进展填报”工作表，逐行填写表头为浅黄色的各列；灰色单元格不需填写。", False),
        ("2", "完成状态从下拉列表中选择：未开始、推进中、已完成。", False),
        ("3", "已完成的事项须填写实际完成日期（如 2021-07-30），且不能晚于报送日期。", False),
        ("4", "“指标”行填写实际值（数字，可带 %），不填完成状态和实际完成日期。", False),
        ("5", "每行都要填写填报人和联系电话。", False),
        ("6", f"保存为 .xlsx 格式（不要改文件类型、不要设置密码），{send}。", False),
        ("", "", False),
        ("各列说明", "", True),
        *((column.header, column.explanation, False) for column in COLUMNS),
        ("", "", False),
        ("注意", "", True),
        ("•", "编号列由系统生成，请勿修改、删除；不要增加、删除或调换行，不要复制行。", False),
        ("•", "不要修改工作表名称，不要把内容复制到新的工作簿中报送。", False),
        ("•", "多次报送的，以督查室最后导入的一份为准。", False),
    ]
    for row, (label, text, heading) in enumerate(lines, start=1):
        a, b = put(ws, row, 1, label or None), put(ws, row, 2, text or None)
        a.alignment = _WRAP
        b.alignment = _WRAP
        if heading:
            a.font = Font(bold=True, size=14 if row == 1 else 12)
        elif label and text:
            a.font = Font(bold=True)
    ws.protection.sheet = True
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def _write_rows(ws: Worksheet, sheet: ProgressSheet) -> None:
    last_column = get_column_letter(len(COLUMNS))
    title = put(ws, TITLE_ROW, 1, f"{sheet.round_name} 进展填报表 — {sheet.department_name}")
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(vertical="center")
    ws.merge_cells(f"A{TITLE_ROW}:{last_column}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 24
    for index, column in enumerate(COLUMNS, start=1):
        cell = put(ws, HEADER_ROW, index, column.header)
        cell.font = Font(bold=True)
        cell.alignment = _CENTER
        cell.border = _BORDER
        cell.fill = _OWN_HEADER_FILL if column.editable else _FIXED_HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 30

    state_list = DataValidation(
        type="list",
        formula1='"' + ",".join(STATES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成状态",
        error="请从下拉列表中选择：未开始、推进中、已完成。",
        promptTitle="完成状态",
        prompt="请选择：未开始、推进中、已完成",
        showInputMessage=True,
    )
    completed_date = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 2000-01-01
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="实际完成日期",
        error="请填写日期，如 2021-07-30。",
    )
    ws.add_data_validation(state_list)
    ws.add_data_validation(completed_date)

    for offset, item in enumerate(sheet.rows):
        row = FIRST_DATA_ROW + offset
        fixed = (
            item.code,
            item.area,
            item.number,
            item.description,
            item.role,
            item.deadline,
            item.due,
        )
        for index, column in enumerate(COLUMNS, start=1):
            value = fixed[index - 1] if index <= len(fixed) else None
            cell = put(ws, row, index, value if value not in ("", None) else None)
            cell.border = _BORDER
            cell.alignment = _WRAP if column.wrap else _NO_WRAP
            if column.number_format:
                cell.number_format = column.number_format
            applicable = column.editable and not (
                (item.kind is ItemKind.TARGET and column.header in _NOT_FOR_TARGETS)
                or (item.kind is not ItemKind.TARGET and column.header in _ONLY_FOR_TARGETS)
            )
            if applicable:
                cell.protection = _UNLOCKED
            else:
                cell.protection = _LOCKED
                if column.editable:
                    cell.fill = _NOT_APPLICABLE_FILL
            if column.header == COL_ID:
                cell.font = Font(size=8, color="808080")
        if item.kind is not ItemKind.TARGET:
            state_list.add(ws.cell(row, HEADERS.index(COL_STATE) + 1))
            completed_date.add(ws.cell(row, HEADERS.index(COL_COMPLETED) + 1))
        ws.row_dimensions[row].height = _row_height(fixed)

    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    last_row = max(HEADER_ROW, FIRST_DATA_ROW + len(sheet.rows) - 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{last_row}"
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = False  # widening columns and rows stays allowed
    protection.formatRows = False
    protection.autoFilter = False  # filtering too; inserting, deleting and sorting rows not

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.center.text = header_footer(f"{sheet.round_name} · {sheet.department_name}")


def _row_height(values: Sequence[Any]) -> float:
    """Rough height for wrapped text (at least two lines); Excel does not re-fit rows."""
    return row_height(max(2, wrapped_lines(COLUMNS, values)), padding=4)


def _write_meta(ws: Worksheet, sheet: ProgressSheet) -> None:
    values = {
        "format": FORMAT_NAME,
        "format_version": str(FORMAT_VERSION),
        "round_id": sheet.round_id,
        "round_name": sheet.round_name,
        "plan_id": sheet.plan_id,
        "department_id": sheet.department_id,
        "department_name": sheet.department_name,
        "exported_on": sheet.exported_on.isoformat(),
        "reply_due": sheet.reply_due.isoformat() if sheet.reply_due else "",
        "app_version": sheet.app_version,
    }
    for row, key in enumerate(META_KEYS, start=1):
        put(ws, row, 1, key)
        value = put(ws, row, 2, values[key])
        value.number_format = TEXT_FORMAT
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
