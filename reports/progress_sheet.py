"""The 调度 progress sheet: the .xlsx a department receives, fills in and sends back.

This module is the file format only: plain dataclasses in, a workbook out; a workbook in, its
meta and raw cell values out. Which rows a department gets and what the answers mean are the
business of ``app/services/progress.py``. The format is described in docs/progress-sheet.md.

Workbook layout (format_version 2):

- "填报说明": round, department, reply deadline, how to fill in, what each column means;
- "进展填报": a title row; the head row (row 2: 填报人 and 联系电话, once per sheet); the header
  row (row 3); one row per item from row 4, the 编号 column last, narrow and grey; protected, with
  only the department's own cells unlocked;
- "_meta": veryHidden, two columns key / value (format, format_version, round_id, …).

Format version 1 (still read: departments may hold sheets exported before version 2) had no
head row, 编号 first, and 填报人/联系电话 as the last two columns of every row.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from reports.xlsx_layout import row_height, wrapped_lines
from reports.xlsx_text import header_footer, put

FORMAT_NAME = "ducha-progress-sheet"
FORMAT_VERSION = 2

GUIDE_SHEET = "填报说明"
ROWS_SHEET = "进展填报"
META_SHEET = "_meta"

TITLE_ROW = 1
HEAD_ROW = 2  # 填报人 and 联系电话, once per sheet
HEADER_ROW = 3
FIRST_DATA_ROW = 4

# Column headers: the reader finds columns by these texts, so they are part of the format.
COL_ID = "编号"
COL_AREA = "领域"
COL_NUMBER = "序号"
COL_MEASURE = "措施"
COL_ROLE = "本部门职责"
COL_DEADLINE = "时限"
COL_DUE = "完成期限"
COL_PROGRESS = "进展情况"
COL_STATE = "完成状态"
COL_COMPLETED = "实际完成日期"
COL_ACTUAL = "实际值"
COL_PROBLEMS = "存在问题"
COL_NEXT = "下步打算"
COL_REPORTER = "填报人"
COL_PHONE = "联系电话"

STATE_NOT_STARTED = "未开始"
STATE_IN_PROGRESS = "推进中"
STATE_DONE = "已完成"
STATES = (STATE_NOT_STARTED, STATE_IN_PROGRESS, STATE_DONE)

META_KEYS = (
    "format",
    "format_version",
    "round_id",
    "round_name",
    "plan_id",
    "department_id",
    "department_name",
    "exported_on",
    "reply_due",
    "app_version",
)
_REQUIRED_META = ("round_id", "department_id")

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


class ItemKind(StrEnum):
    """What a row stands for; the value is the prefix of its 编号."""

    MILESTONE = "M"  # one deadline of a measure
    MEASURE = "S"  # a measure without deadlines
    TARGET = "T"  # a quantified target of a measure

    @property
    def label(self) -> str:
        return {"M": "节点", "S": "措施", "T": "指标"}[self.value]


_CODE = re.compile(r"([MST])-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


def item_code(kind: ItemKind, ref_id: str) -> str:
    """The 编号 of a row: "M-<milestone id>", "S-<measure id>" or "T-<target id>"."""
    return f"{kind.value}-{ref_id}"


def parse_item_code(text: str) -> tuple[ItemKind, str] | None:
    """(kind, id) of a well-formed 编号, None for anything else."""
    match = _CODE.fullmatch(text.strip())
    if match is None:
        return None
    return ItemKind(match.group(1)), match.group(2)


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    editable: bool
    explanation: str
    number_format: str | None = None
    wrap: bool = True


COLUMNS: tuple[_Column, ...] = (
    _Column(COL_AREA, 12, False, "措施所属领域。"),
    _Column(COL_NUMBER, 6, False, "措施在方案中的序号（领域序号.措施序号）。"),
    _Column(COL_MEASURE, 48, False, "措施内容；节点行、指标行列出与该节点或指标有关的原文。"),
    _Column(COL_ROLE, 10, False, "本部门在该措施中的职责：牵头、责任或配合。"),
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
    # Last, narrow and grey: the importer needs it, the department need not look at it.
    _Column(
        COL_ID,
        5,
        False,
        "最右侧的灰色窄列，系统编号，用于导入时识别事项。请勿修改、删除或复制。",
        wrap=False,
    ),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
# The department's own cells: a row where none of them is filled is 未填报 (not reported).
DEPARTMENT_COLUMNS: tuple[str, ...] = tuple(c.header for c in COLUMNS if c.editable)
# Asked once per sheet, in the head row: (label, explanation).
HEAD_FIELDS: tuple[tuple[str, str], ...] = (
    (COL_REPORTER, "填报人姓名，在“进展填报”表第 2 行填写一次（必填）。"),
    (COL_PHONE, "填报人联系电话，在“进展填报”表第 2 行填写一次（必填）。"),
)
HEAD_LABELS: tuple[str, ...] = tuple(label for label, _ in HEAD_FIELDS)
# Where the head's answers go: the cell right of each label (merged with the next ones).
_HEAD_CELLS = {COL_REPORTER: (1, 2, 3), COL_PHONE: (4, 5, 6)}  # label column, value from..to
_HEAD_NOTE = (7, 12)
# Format version 1: 编号 first, 填报人/联系电话 on every row, the header in row 2.
V1_HEADERS: tuple[str, ...] = (
    COL_ID,
    COL_AREA,
    COL_NUMBER,
    COL_MEASURE,
    COL_ROLE,
    COL_DEADLINE,
    COL_DUE,
    COL_PROGRESS,
    COL_STATE,
    COL_COMPLETED,
    COL_ACTUAL,
    COL_PROBLEMS,
    COL_NEXT,
    COL_REPORTER,
    COL_PHONE,
)
V1_HEADER_ROW = 2
# Department cells that mean nothing on some rows: locked and greyed out there.
_NOT_FOR_TARGETS = frozenset({COL_STATE, COL_COMPLETED})
_ONLY_FOR_TARGETS = frozenset({COL_ACTUAL})


@dataclass(frozen=True)
class _Layout:
    """Where things are on "进展填报" in one format version."""

    header_row: int
    headers: tuple[str, ...]
    head_labels: tuple[str, ...]  # asked once in the rows above the header


_LAYOUTS = {
    1: _Layout(V1_HEADER_ROW, V1_HEADERS, ()),
    2: _Layout(HEADER_ROW, HEADERS, HEAD_LABELS),
}


# ---- Data in and out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    """One item for the department to report on."""

    kind: ItemKind
    ref_id: str  # the milestone, measure or target id
    area: str
    number: str  # "1.5"
    description: str
    role: str  # 牵头 / 责任 / 配合
    deadline: str = ""  # the plan's raw phrase, e.g. "7月底前"
    due: date | None = None

    @property
    def code(self) -> str:
        return item_code(self.kind, self.ref_id)


@dataclass(frozen=True)
class ProgressSheet:
    """Everything one department's sheet for one round shows."""

    round_id: str
    round_name: str
    reply_due: date | None
    plan_id: str
    plan_title: str
    department_id: str
    department_name: str
    exported_on: date
    rows: Sequence[SheetRow]
    app_version: str = ""


@dataclass(frozen=True)
class SheetMeta:
    format_version: int
    round_id: str
    round_name: str
    plan_id: str
    department_id: str
    department_name: str
    exported_on: str
    app_version: str
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetEntry:
    """One non-blank row read back: raw cell values by column header, and its row number.

    ``formulas``: headers whose cell holds a formula without a saved result (its value is None).
    """

    row: int
    values: Mapping[str, Any]
    formulas: frozenset[str] = frozenset()

    def get(self, header: str) -> Any:
        return self.values.get(header)


@dataclass(frozen=True)
class HeadField:
    """An answer given once per sheet (填报人, 联系电话): its raw value and where it is."""

    label: str
    value: Any
    row: int
    column: int  # 1-based, the value's cell (right of its label)
    formula: bool = False  # a formula without a saved result (its value is None)

    @property
    def cell(self) -> str:
        """The cell's name as Excel shows it, e.g. "B2"."""
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass(frozen=True)
class SheetContent:
    """A sheet read back. ``head``: the once-per-sheet answers by label (format version 2; a
    version 1 sheet has none and carries 填报人/联系电话 in each entry instead)."""

    meta: SheetMeta
    entries: list[SheetEntry]
    sheet: str = ROWS_SHEET
    head: Mapping[str, HeadField] = field(default_factory=dict)

    @property
    def contact_per_row(self) -> bool:
        """Whether 填报人/联系电话 are columns of each row (format version 1)."""
        return self.meta.format_version < 2


class SheetFormatError(Exception):
    """A file that cannot be read as a progress sheet; the message is for the user (Chinese)."""

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column


# ---- Writing -----------------------------------------------------------------------------------

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
_GREY = "808080"
_ID_FONT = Font(size=8, color=_GREY)
_ID_HEADER_FONT = Font(size=9, color=_GREY)
_ID_FILL = PatternFill("solid", fgColor="F2F2F2")
# "fill" shows what fits and never spills into the empty cells to the right (as "left" would).
_ID_ALIGNMENT = Alignment(horizontal="fill", vertical="top", wrap_text=False)


def write_sheet(sheet: ProgressSheet, target: str | Path | BinaryIO) -> None:
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
        ("1", "打开“进展填报”工作表，在第 2 行填写填报人和联系电话（每份表只填一次）。", False),
        ("2", "逐行填写表头为浅黄色的各列；灰色单元格不需填写。", False),
        (
            "3",
            "本轮没有进展可报的事项，可以整行留空，督查室记为“未填报”；"
            "一行中只要填了任何一格，就要按下列要求填写完整。",
            False,
        ),
        ("4", "完成状态从下拉列表中选择：未开始、推进中、已完成。", False),
        ("5", "已完成的事项须填写实际完成日期（如 2021-07-30），且不能晚于报送日期。", False),
        ("6", "“指标”行填写实际值（数字，可带 %），不填完成状态和实际完成日期。", False),
        ("7", f"保存为 .xlsx 格式（不要改文件类型、不要设置密码），{send}。", False),
        ("", "", False),
        ("各列说明", "", True),
        *((label, explanation, False) for label, explanation in HEAD_FIELDS),
        *((column.header, column.explanation, False) for column in COLUMNS),
        ("", "", False),
        ("注意", "", True),
        (
            "•",
            "最右侧的编号列由系统生成，请勿修改、删除；不要增加、删除或调换行，不要复制行。",
            False,
        ),
        ("•", "不要修改工作表名称，不要把内容复制到新的工作簿中报送。", False),
        ("•", "多次报送的，以督查室最后导入的一份为准；后一份中留空的行保留前一份的内容。", False),
    ]
    for row, (label, text, heading) in enumerate(lines, start=1):
        a, b = put(ws, row, 1, label or None), put(ws, row, 2, text or None)
        a.alignment = _WRAP
        b.alignment = _WRAP
        if heading:
            a.font = Font(bold=True, size=14 if row == 1 else 12)
            a.alignment = _NO_WRAP  # a heading runs on into the empty cell beside it
        elif label and text:
            a.font = Font(bold=True)
    ws.protection.sheet = True
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1  # both columns on one page width
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_head(ws: Worksheet) -> None:
    """Row 2: 填报人 [    ] 联系电话 [    ] and a note, answered once per sheet."""
    for label, (label_column, first, last) in _HEAD_CELLS.items():
        cell = put(ws, HEAD_ROW, label_column, label)
        cell.font = Font(bold=True)
        cell.alignment = _CENTER
        cell.fill = _OWN_HEADER_FILL
        cell.border = _BORDER
        ws.merge_cells(start_row=HEAD_ROW, start_column=first, end_row=HEAD_ROW, end_column=last)
        for column in range(first, last + 1):
            box = ws.cell(HEAD_ROW, column)
            box.border = _BORDER
        value = ws.cell(HEAD_ROW, first)
        value.protection = _UNLOCKED
        value.number_format = TEXT_FORMAT
        value.alignment = Alignment(vertical="center")
    first, last = _HEAD_NOTE
    note = put(
        ws,
        HEAD_ROW,
        first,
        "填报人、联系电话每份表填写一次（必填）。没有进展可报的事项可整行留空，记为“未填报”；"
        "填写了的行须填写完整。",
    )
    note.font = Font(color=_GREY, size=9)
    note.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=HEAD_ROW, start_column=first, end_row=HEAD_ROW, end_column=last)
    ws.row_dimensions[HEAD_ROW].height = 30


def _write_rows(ws: Worksheet, sheet: ProgressSheet) -> None:
    last_column = get_column_letter(len(COLUMNS))
    title = put(ws, TITLE_ROW, 1, f"{sheet.round_name} 进展填报表 — {sheet.department_name}")
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(vertical="center")
    ws.merge_cells(f"A{TITLE_ROW}:{last_column}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 24
    _write_head(ws)
    for index, column in enumerate(COLUMNS, start=1):
        cell = put(ws, HEADER_ROW, index, column.header)
        cell.font = _ID_HEADER_FONT if column.header == COL_ID else Font(bold=True)
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
        fixed: dict[str, Any] = {
            COL_ID: item.code,
            COL_AREA: item.area,
            COL_NUMBER: item.number,
            COL_MEASURE: item.description,
            COL_ROLE: item.role,
            COL_DEADLINE: item.deadline,
            COL_DUE: item.due,
        }
        for index, column in enumerate(COLUMNS, start=1):
            value = fixed.get(column.header)
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
                cell.font = _ID_FONT
                cell.alignment = _ID_ALIGNMENT
                cell.fill = _ID_FILL
        if item.kind is not ItemKind.TARGET:
            state_list.add(ws.cell(row, HEADERS.index(COL_STATE) + 1))
            completed_date.add(ws.cell(row, HEADERS.index(COL_COMPLETED) + 1))
        ws.row_dimensions[row].height = _row_height([fixed.get(c.header) for c in COLUMNS])

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


# ---- Reading -----------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
FORMULA_NOT_SAVED = (
    "该单元格是公式，但文件中没有保存计算结果（可能由程序生成）；"
    "请在 Excel 或 WPS 中打开、保存后再导入。"
)


def read_sheet(source: str | Path | bytes) -> SheetContent:
    """Read a returned sheet: its meta, every non-blank row of "进展填报" as raw values, and
    (format version 2) the head's 填报人 and 联系电话. Version 1 sheets are read too.

    Values are what openpyxl reads (str, int, float, datetime, None), except that a number
    shown as a percentage comes back as the text Excel displays ("92%"), so that typing 92% in
    Excel means 92 and not 0.92. A formula without a saved result reads as None and is named in
    its entry's ``formulas``. Raises ``SheetFormatError`` (Chinese message) for a file that is
    empty, not an .xlsx, corrupt, over a limit of app/limits.py (size, zip package, rows), or
    not a progress sheet of a format version this code reads.
    """
    from app import limits
    from reports.xlsx_formulas import uncached_formulas

    try:
        if isinstance(source, str | Path):
            path = Path(source)
            data = limits.read_bytes_limited(path, limits.MAX_SHEET_FILE_BYTES, "进展填报表")
        else:
            data = source
            limits.check_size("", len(data), limits.MAX_SHEET_FILE_BYTES, "进展填报表")
    except limits.LimitExceeded as error:
        raise SheetFormatError(error.message) from None
    if not data:
        raise SheetFormatError("文件为空（0 字节），请让填报部门重新报送。")
    if data.startswith(_OLE_MAGIC):
        raise SheetFormatError(
            "文件是旧版 .xls 格式或设置了打开密码，"
            "请用 Excel/WPS 另存为 .xlsx（不设密码）后再导入。"
        )
    if not data.startswith(_ZIP_MAGIC):
        raise SheetFormatError("不是 Excel .xlsx 文件，无法读取。")
    try:
        limits.check_package(data, "", limits.XLSX_LIMITS)
    except limits.LimitExceeded as error:
        raise SheetFormatError(error.message) from None
    except Exception as error:  # zipfile errors: a damaged package
        raise SheetFormatError("文件已损坏或不是有效的 Excel 工作簿，无法打开。") from error
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zipfile, XML and openpyxl errors alike
        raise SheetFormatError("文件已损坏或不是有效的 Excel 工作簿，无法打开。") from error
    try:
        _refuse_meta_formulas(uncached_formulas(data, META_SHEET, max_row=limits.MAX_META_ROWS))
        meta = _read_meta(workbook)
        ws = _rows_sheet(workbook)
        formulas = uncached_formulas(data, ROWS_SHEET, max_row=limits.MAX_SHEET_ROWS)
        entries, head = _read_entries(ws, formulas, _LAYOUTS[meta.format_version])
    except SheetFormatError:
        raise
    except Exception as error:
        raise SheetFormatError("文件已损坏，读取工作表内容时出错。") from error
    finally:
        workbook.close()
    return SheetContent(meta, entries, head=head)


def _read_meta(workbook: Any) -> SheetMeta:
    from app.limits import MAX_META_ROWS

    if META_SHEET not in workbook.sheetnames:
        raise SheetFormatError(
            "缺少隐藏的 _meta 工作表：不是督查台账导出的进展填报表，"
            "或内容被复制到了新的工作簿中。请使用导出的原文件填报。",
            sheet=META_SHEET,
        )
    ws = workbook[META_SHEET]
    ws.reset_dimensions()
    values: dict[str, str] = {}
    for number, row in enumerate(ws.iter_rows(min_col=1, max_col=2, values_only=True), start=1):
        if number > MAX_META_ROWS:
            raise SheetFormatError(
                f"_meta 工作表超过 {MAX_META_ROWS} 行，文件已被改动或损坏。", sheet=META_SHEET
            )
        if not row or row[0] is None:
            continue
        key = str(row[0]).strip()
        value = row[1] if len(row) > 1 else None
        values[key] = "" if value is None else str(value).strip()
    if values.get("format") != FORMAT_NAME:
        raise SheetFormatError(
            "不是督查台账导出的进展填报表（_meta 中的格式标识不符）。", sheet=META_SHEET
        )
    try:
        version = int(values.get("format_version", ""))
    except ValueError:
        raise SheetFormatError(
            "_meta 中的格式版本无法识别，文件可能已损坏。", sheet=META_SHEET
        ) from None
    if version > FORMAT_VERSION:
        raise SheetFormatError(
            f"文件由更新版本的督查台账导出（格式版本 {version}，本程序支持到 {FORMAT_VERSION}），"
            "请升级程序后再导入。",
            sheet=META_SHEET,
        )
    if version < 1:
        raise SheetFormatError(f"_meta 中的格式版本 {version} 无效。", sheet=META_SHEET)
    for key in _REQUIRED_META:
        if not values.get(key):
            raise SheetFormatError(f"_meta 中缺少 {key}，文件可能已损坏。", sheet=META_SHEET)
    return SheetMeta(
        format_version=version,
        round_id=values["round_id"],
        round_name=values.get("round_name", ""),
        plan_id=values.get("plan_id", ""),
        department_id=values["department_id"],
        department_name=values.get("department_name", ""),
        exported_on=values.get("exported_on", ""),
        app_version=values.get("app_version", ""),
        extra={k: v for k, v in values.items() if k not in META_KEYS},
    )


def _refuse_meta_formulas(formulas: Mapping[int, set[int]]) -> None:
    """A key or value of "_meta" that is a formula without its result cannot be trusted."""
    rows = sorted(row for row, columns in formulas.items() if min(columns) <= 2)
    if rows:
        raise SheetFormatError(
            f"_meta 工作表第 {rows[0]} 行{FORMULA_NOT_SAVED.removeprefix('该单元格')}",
            sheet=META_SHEET,
            row=rows[0],
        )


def _too_many_rows(rows: int | None) -> SheetFormatError:
    from app.limits import MAX_SHEET_ROWS, count_text

    amount = f"有 {count_text(rows)} 行，" if rows is not None else ""
    return SheetFormatError(
        f"“{ROWS_SHEET}”工作表{amount}超过上限 {count_text(MAX_SHEET_ROWS)} 行"
        "（一个部门的填报表通常只有几十到几百行），未导入。"
        "请确认没有粘贴多余的内容，删除表格下方多余的行后保存，再导入。",
        sheet=ROWS_SHEET,
    )


def _rows_sheet(workbook: Any) -> Any:
    """The "进展填报" sheet, refused at once when its own dimension says it is too big."""
    from app.limits import MAX_SHEET_ROWS

    if ROWS_SHEET not in workbook.sheetnames:
        raise SheetFormatError(
            f"缺少“{ROWS_SHEET}”工作表（工作表可能被改名或删除）。", sheet=ROWS_SHEET
        )
    ws = workbook[ROWS_SHEET]
    declared = ws.max_row
    if declared is not None and declared > MAX_SHEET_ROWS:
        raise _too_many_rows(declared)
    return ws


def _read_entries(
    ws: Any, formulas: Mapping[int, set[int]], layout: _Layout
) -> tuple[list[SheetEntry], dict[str, HeadField]]:
    from app.limits import MAX_SHEET_COLUMNS, MAX_SHEET_ROWS

    ws.reset_dimensions()  # the dimension may be missing or wrong: rows are counted as read
    rows = ws.iter_rows(min_row=1, max_col=MAX_SHEET_COLUMNS)
    header: dict[str, int] | None = None
    head: dict[str, HeadField] = {}
    entries: list[SheetEntry] = []
    for number, cells in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:
            raise _too_many_rows(None)
        if header is None:
            if number > layout.header_row:
                raise SheetFormatError(
                    f"第 {layout.header_row} 行不是表头（找不到“{COL_ID}”列），表格结构被改动。",
                    sheet=ROWS_SHEET,
                    row=layout.header_row,
                )
            texts = [_header_text(cell.value) for cell in cells]
            if COL_ID in texts:
                header = {text: index for index, text in enumerate(texts) if text}
                missing = [h for h in layout.headers if h not in header]
                if missing:
                    raise SheetFormatError(
                        f"表头缺少“{missing[0]}”列，表格结构被改动。",
                        sheet=ROWS_SHEET,
                        row=number,
                        column=missing[0],
                    )
                columns = [
                    (name, index) for name, index in header.items() if name in layout.headers
                ]
            elif layout.head_labels:
                _read_head(number, cells, formulas.get(number) or set(), layout, head)
            continue
        values = {
            name: _cell_value(cells[index]) if index < len(cells) else None
            for name, index in columns
        }
        in_row = formulas.get(number)
        unsaved = (
            frozenset(name for name, index in columns if index + 1 in in_row)
            if in_row
            else frozenset()
        )
        if not unsaved and all(_blank(value) for value in values.values()):
            continue
        entries.append(SheetEntry(number, values, unsaved))
    if header is None:
        raise SheetFormatError(
            f"“{ROWS_SHEET}”工作表中找不到表头，表格结构被改动。", sheet=ROWS_SHEET
        )
    for label in layout.head_labels:
        if label not in head:
            raise SheetFormatError(
                f"第 {HEAD_ROW} 行找不到“{label}”栏（表格结构被改动）。"
                "请使用督查室导出的原文件填报。",
                sheet=ROWS_SHEET,
                row=HEAD_ROW,
                column=label,
            )
    return entries, head


def _read_head(
    number: int, cells: Sequence[Any], formulas: set[int], layout: _Layout, head: dict
) -> None:
    """A row above the header: each head label's answer is the cell right of it."""
    for index, cell in enumerate(cells):
        label = _label_text(cell.value)
        if label not in layout.head_labels or label in head:
            continue
        value = _cell_value(cells[index + 1]) if index + 1 < len(cells) else None
        head[label] = HeadField(label, value, number, index + 2, index + 2 in formulas)


def _label_text(value: Any) -> str:
    """A head label as written, without spaces, a colon or a required-mark."""
    return _header_text(value).strip("：:*＊") if isinstance(value, str) else ""


def _header_text(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (getattr(cell, "number_format", "") or "")
    ):
        percent = format(round(value * 100, 9), "f").rstrip("0").rstrip(".")
        return f"{percent}%"
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
