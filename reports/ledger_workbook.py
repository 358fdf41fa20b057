"""The 工作台账 workbook: the whole ledger as of a date, as the office prints it or sends it up.

This module is the file format only: plain dataclasses in, an .xlsx out. What goes into the
document (statuses, lights, which progress report is the latest, whether a target is met) is
decided by ``app/services/ledger_export.py``.

Workbook layout:

- "工作台账": a title row and an information row (文号, as-of date, export date, for a filtered
  export the filter and the sort, light rules), both merged across the columns; the header row
  (row 3), repeated on every printed page; then, per plan, a bold merged plan row (only when the
  document holds several plans), per area a bold merged group row ("一、开办企业（9项）"), then one
  row per measure — or, when the document has a ``listing`` (a filtered export sorted across
  areas), its rows in that order without group rows. A4 landscape, fit to width,
  "第 N 页 共 M 页" in the footer, frozen below the header.
- "统计": per area and overall, the number of measures by status and by light.
- "部门": per department, the measures it leads or is responsible for, and how many are overdue.

A filtered export says so in every sheet's title ("筛选结果") and names its filter.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.xlsx_layout import display_width, row_height, wrapped_lines
from reports.xlsx_text import put

LEDGER_SHEET = "工作台账"
STATS_SHEET = "统计"
DEPARTMENTS_SHEET = "部门"

TITLE_ROW = 1
INFO_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4

COL_NUMBER = "序号"
COL_MEASURE = "措施"
COL_LEAD = "牵头部门"
COL_RESPONSIBLE = "责任部门"
COL_DEADLINE = "时限"
COL_DUE = "完成期限"
COL_STATUS = "状态"
COL_LIGHT = "亮灯"
COL_PROGRESS = "最新进展"
COL_TARGET = "目标/实际"
COL_PROBLEMS = "存在问题"
COL_FINDINGS = "督查发现问题"

# Status labels in the order the 统计 sheet counts them: open first, then finished.
STATUS_ORDER = ("未开始", "推进中", "逾期", "已完成", "逾期完成")
DONE_STATUSES = frozenset({"已完成", "逾期完成"})
# Light keys (the values of app.domain.ledger.Light) → label, fill colour, font colour.
LIGHTS: dict[str, tuple[str, str, str]] = {
    "red": ("红灯", "FF0000", "FFFFFF"),
    "yellow": ("黄灯", "FFFF00", "000000"),
    "green": ("绿灯", "00B050", "FFFFFF"),
}
LIGHT_ORDER = ("red", "yellow", "green")

MET = "达标"
NOT_MET = "未达标"
NOT_REPORTED = "未报"
NO_AREA = "未分领域"

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
_OPS = {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "=": ""}


# ---- Data in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One 时限 of a measure: the plan's phrase, the due date worked out from it, its state."""

    raw: str  # "7月底前", "每季度"
    due: date | None = None
    state: str = ""  # "" while open and on time; else "已完成", "逾期完成" or "逾期"


@dataclass(frozen=True)
class ProgressNote:
    """A department's latest progress report on a measure (several milestones merged)."""

    department: str
    reported_on: date
    progress: str = ""
    problems: str = ""


@dataclass(frozen=True)
class TargetCheck:
    """A quantified target and its latest reported value."""

    raw: str  # the plan's phrase, "达到92%以上"
    op: str | None = None  # ">=", "<=", "=", ">", "<"
    value: float | None = None
    unit: str = ""
    label: str = ""  # what is measured, shown when a measure has several targets
    actual: float | None = None
    measured_on: date | None = None
    met: bool | None = None  # None: no value reported, or nothing to compare with


@dataclass(frozen=True)
class OpenFinding:
    """A problem an inspection found that is not rectified at the as-of date."""

    description: str
    department: str = ""
    rectify_by: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class LedgerRow:
    number: str  # "1.5"
    title: str
    lead: str  # "市行政审批服务局、市市场监督管理局"
    responsible: str
    status: str  # Chinese label, one of STATUS_ORDER
    light: str  # a key of LIGHTS
    next_due: date | None = None
    deadlines: Sequence[Deadline] = ()
    progress: Sequence[ProgressNote] = ()
    targets: Sequence[TargetCheck] = ()
    findings: Sequence[OpenFinding] = ()


@dataclass(frozen=True)
class AreaGroup:
    no: int | None
    title: str
    rows: Sequence[LedgerRow] = ()

    @property
    def heading(self) -> str:
        """E.g. 一、开办企业 (the title alone when the area has no number)."""
        title = self.title or NO_AREA
        return f"{chinese_number(self.no)}、{title}" if self.no else title


@dataclass(frozen=True)
class PlanBlock:
    title: str
    doc_number: str | None = None
    areas: Sequence[AreaGroup] = ()

    @property
    def heading(self) -> str:
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title

    @property
    def rows(self) -> list[LedgerRow]:
        return [row for area in self.areas for row in area.rows]


@dataclass(frozen=True)
class DepartmentLine:
    """A department's share of the ledger: measures it leads / is responsible for."""

    name: str
    lead: int
    responsible: int
    total: int  # distinct measures (a department both leading and responsible counts once)
    done: int
    overdue: int
    overdue_numbers: Sequence[str] = ()  # 序号 of its overdue measures


@dataclass(frozen=True)
class LedgerDocument:
    """The ledger as of a date."""

    title: str  # "…落实方案 工作台账（截至2021年7月1日）"
    as_of: date
    generated_on: date
    plans: Sequence[PlanBlock]
    departments: Sequence[DepartmentLine] = ()
    soon_days: int = 5
    scope: str = ""  # the filter applied, in words ("亮灯：红灯；部门：…"); "" = the whole ledger
    order: str = ""  # how a filtered export is sorted ("按亮灯降序"); "" = the plan's order
    # A filtered export sorted across areas: the 工作台账 sheet lists these rows in this order,
    # without plan and area rows (``plans`` still groups them, for the 统计 sheet).
    listing: Sequence[LedgerRow] | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.scope)

    @property
    def rows(self) -> list[LedgerRow]:
        return [row for plan in self.plans for row in plan.rows]


@dataclass
class Tally:
    """Measures by status and by light (one line of the 统计 sheet)."""

    total: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    lights: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, rows: Iterable[LedgerRow]) -> Tally:
        tally = cls()
        for row in rows:
            tally.total += 1
            tally.statuses[row.status] += 1
            tally.lights[row.light] += 1
        return tally

    @property
    def done(self) -> int:
        return sum(self.statuses[label] for label in DONE_STATUSES)


# ---- Text helpers ------------------------------------------------------------------------------


_DIGITS = "零一二三四五六七八九"


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 19 → 十九, 21 → 二十一, 105 → 一百零五 (for 0 < value < 1000)."""
    if not 0 < value < 1000:
        return str(value)
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    if ones:
        text += _DIGITS[ones]
    return text


def date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def number_text(value: float) -> str:
    """92.0 → "92", 0.5 → "0.5", 12000.0 → "12000"."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return format(value, "g")


def deadline_text(deadline: Deadline) -> str:
    """E.g. 6月底前（2021-06-30）逾期, 7月底前（2021-07-31）, 每季度，已完成."""
    if deadline.due is not None:
        return f"{deadline.raw}（{deadline.due.isoformat()}）{deadline.state}"
    return f"{deadline.raw}，{deadline.state}" if deadline.state else deadline.raw


def target_text(target: TargetCheck) -> str:
    """E.g. ≥92% / 实际 93%（2021-07-10）达标, or ≥92% / 未报."""
    if target.op in _OPS and target.value is not None:
        goal = f"{_OPS[target.op]}{number_text(target.value)}{target.unit}"
    else:
        goal = target.raw
    if target.actual is None:
        return f"{goal} / {NOT_REPORTED}"
    actual = f"实际 {number_text(target.actual)}{target.unit}"
    if target.measured_on is not None:
        actual += f"（{target.measured_on.isoformat()}）"
    if target.met is not None:
        actual += MET if target.met else NOT_MET
    return f"{goal} / {actual}"


def targets_text(targets: Sequence[TargetCheck]) -> str:
    if len(targets) == 1:
        return target_text(targets[0])
    return "\n".join(
        f"{target.label}：{target_text(target)}" if target.label else target_text(target)
        for target in targets
    )


def progress_text(notes: Sequence[ProgressNote]) -> str:
    """One line per department: "text（2021-07-10）", named when several departments reported."""
    with_progress = [note for note in notes if note.progress]
    named = len(with_progress) > 1
    return "\n".join(
        f"{note.department}：" * named + f"{note.progress}（{note.reported_on.isoformat()}）"
        for note in with_progress
    )


def problems_text(notes: Sequence[ProgressNote]) -> str:
    with_problems = [note for note in notes if note.problems]
    named = len(with_problems) > 1
    return "\n".join(
        f"{note.department}：{note.problems}" if named else note.problems for note in with_problems
    )


def findings_text(findings: Sequence[OpenFinding]) -> str:
    """One line per open problem: what, who, by when (and 已逾期 past its deadline)."""
    lines = []
    for finding in findings:
        details = [finding.department] if finding.department else []
        if finding.rectify_by:
            details.append(f"整改期限{date_text(finding.rectify_by)}")
        if finding.overdue:
            details.append("已逾期")
        lines.append(finding.description + (f"（{'，'.join(details)}）" if details else ""))
    return "\n".join(lines)


def ledger_file_stem(as_of: date, *, filtered: bool = False) -> str:
    """What to call the file: "工作台账（截至2021-07-01）", "工作台账（筛选结果，截至2021-07-01）"
    (app/files.py makes it a safe file name)."""
    return f"工作台账（{'筛选结果，' if filtered else ''}截至{as_of.isoformat()}）"


def file_stem(doc: LedgerDocument) -> str:
    return ledger_file_stem(doc.as_of, filtered=doc.filtered)


# ---- Writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    wrap: bool = True
    center: bool = False


LEDGER_COLUMNS: tuple[_Column, ...] = (
    _Column(COL_NUMBER, 6, wrap=False, center=True),
    _Column(COL_MEASURE, 30),
    _Column(COL_LEAD, 14),
    _Column(COL_RESPONSIBLE, 18),
    _Column(COL_DEADLINE, 24),
    _Column(COL_DUE, 11, wrap=False, center=True),
    _Column(COL_STATUS, 8, center=True),
    _Column(COL_LIGHT, 6, center=True),
    _Column(COL_PROGRESS, 30),
    _Column(COL_TARGET, 24),
    _Column(COL_PROBLEMS, 18),
    _Column(COL_FINDINGS, 22),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in LEDGER_COLUMNS)

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_PLAN_FILL = PatternFill("solid", fgColor="BDD7EE")
_AREA_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="center")
_NO_WRAP = Alignment(wrap_text=False, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TITLE_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_INFO_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=True)
_FOOTER = "第 &P 页 共 &N 页"


def write_ledger_workbook(doc: LedgerDocument, target: str | Path | BinaryIO) -> None:
    """Write the ledger workbook to a binary stream or a path (overwriting it: writers into the
    user's folders pass a stream from app/files.py). Every text is written as text
    (reports/xlsx_text.py), whatever it begins with."""
    workbook = Workbook()
    ledger = workbook.active
    ledger.title = LEDGER_SHEET
    _write_ledger(ledger, doc)
    _write_stats(workbook.create_sheet(STATS_SHEET), doc)
    _write_departments(workbook.create_sheet(DEPARTMENTS_SHEET), doc)
    workbook.active = 0
    workbook.properties.creator = "督查台账"
    workbook.properties.title = doc.title
    workbook.save(str(target) if isinstance(target, Path) else target)


def _write_ledger(ws: Worksheet, doc: LedgerDocument) -> None:
    columns = LEDGER_COLUMNS
    _title_rows(ws, doc.title, _info_line(doc), [column.width for column in columns])
    _header_row(ws, HEADER_ROW, [(column.header, column.width) for column in columns])
    row = FIRST_DATA_ROW
    several = len(doc.plans) > 1
    if doc.listing is not None:
        for item in doc.listing:
            _measure_row(ws, row, item)
            row += 1
    for plan in doc.plans if doc.listing is None else ():
        if several:
            _group_row(ws, row, plan.heading, len(columns), _PLAN_FILL, size=12)
            row += 1
        for area in plan.areas:
            _group_row(ws, row, f"{area.heading}（{len(area.rows)}项）", len(columns), _AREA_FILL)
            row += 1
            for item in area.rows:
                _measure_row(ws, row, item)
                row += 1
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    _print_setup(ws, landscape=True)


def _info_line(doc: LedgerDocument) -> str:
    parts = []
    if len(doc.plans) == 1 and doc.plans[0].doc_number:
        parts.append(f"文号：{doc.plans[0].doc_number}")
    parts += [
        f"截至日期：{date_text(doc.as_of)}",
        f"导出日期：{date_text(doc.generated_on)}",
        f"共 {len(doc.rows)} 项措施",
    ]
    if doc.filtered:
        parts.append(f"筛选条件：{doc.scope}")
        if doc.order:
            parts.append(f"排序：{doc.order}")
    parts.append(f"亮灯：红灯为已逾期，黄灯为{doc.soon_days}个工作日内到期，绿灯为正常推进或已完成")
    return "　　".join(parts)


def _scope_note(doc: LedgerDocument) -> str:
    """For the 统计 and 部门 sheets of a filtered export: what they count."""
    return f"仅统计筛选结果中的措施（筛选条件：{doc.scope}）。" if doc.filtered else ""


def _title_rows(ws: Worksheet, title: str, info: str, widths: Sequence[float]) -> None:
    last = get_column_letter(len(widths))
    cell = put(ws, TITLE_ROW, 1, title)
    cell.font = Font(bold=True, size=16)
    cell.alignment = _TITLE_ALIGN
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 32
    cell = put(ws, INFO_ROW, 1, info)
    cell.font = Font(size=10)
    cell.alignment = _INFO_ALIGN
    ws.merge_cells(f"A{INFO_ROW}:{last}{INFO_ROW}")
    # The information row wraps across the merged columns (a filter can make it long).
    lines = math.ceil(display_width(info) / max(1.0, sum(widths) - 2))
    ws.row_dimensions[INFO_ROW].height = max(20, row_height(lines, padding=6))


def _header_row(ws: Worksheet, row: int, columns: Sequence[tuple[str, float]]) -> None:
    for index, (header, width) in enumerate(columns, start=1):
        cell = put(ws, row, index, header)
        cell.font = Font(bold=True)
        cell.alignment = _CENTER
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[row].height = 24


def _group_row(
    ws: Worksheet, row: int, text: str, width: int, fill: PatternFill, size: int = 11
) -> None:
    for index in range(1, width + 1):
        cell = ws.cell(row, index)
        cell.border = _BORDER
        cell.fill = fill
    cell = put(ws, row, 1, text)
    cell.font = Font(bold=True, size=size)
    cell.alignment = _NO_WRAP
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 22 if size > 11 else 20


def _measure_row(ws: Worksheet, row: int, item: LedgerRow) -> None:
    label, fill, font_colour = LIGHTS.get(item.light, (item.light, "FFFFFF", "000000"))
    values: tuple[Any, ...] = (
        item.number,
        item.title,
        item.lead,
        item.responsible,
        "\n".join(dict.fromkeys(deadline_text(deadline) for deadline in item.deadlines)),
        item.next_due,
        item.status,
        label,
        progress_text(item.progress),
        targets_text(item.targets) if item.targets else "",
        problems_text(item.progress),
        findings_text(item.findings),
    )
    for index, (column, value) in enumerate(zip(LEDGER_COLUMNS, values, strict=True), start=1):
        cell = put(ws, row, index, value if value not in ("", None) else None)
        cell.border = _BORDER
        cell.alignment = _CENTER if column.center else (_WRAP if column.wrap else _NO_WRAP)
        if column.header == COL_DUE:
            cell.number_format = DATE_FORMAT
        elif column.header == COL_LIGHT:
            cell.fill = PatternFill("solid", fgColor=fill)
            cell.font = Font(bold=True, color=font_colour)
        elif column.header == COL_STATUS and item.status == "逾期":
            cell.font = Font(bold=True, color="C00000")
        elif column.header == COL_FINDINGS and any(f.overdue for f in item.findings):
            cell.font = Font(color="C00000")
    ws.row_dimensions[row].height = _row_height(LEDGER_COLUMNS, values)


def _write_stats(ws: Worksheet, doc: LedgerDocument) -> None:
    statuses = list(STATUS_ORDER)
    statuses += sorted({row.status for row in doc.rows} - set(statuses))
    lights = list(LIGHT_ORDER)
    lights += sorted({row.light for row in doc.rows} - set(lights))
    headers: list[tuple[str, float]] = [("领域", 34), ("措施数", 8)]
    headers += [(label, 8) for label in statuses]
    headers += [("完成率", 9)]
    headers += [(LIGHTS.get(light, (light,))[0], 8) for light in lights]
    scope = _scope_note(doc)
    _title_rows(
        ws,
        f"工作台账统计（{'筛选结果，' * doc.filtered}截至{date_text(doc.as_of)}）",
        f"导出日期：{date_text(doc.generated_on)}　　完成率 =（已完成 + 逾期完成）÷ 措施数"
        + (f"　　{scope}" if scope else ""),
        [width for _header, width in headers],
    )
    _header_row(ws, HEADER_ROW, headers)

    def line(row: int, label: str, tally: Tally, bold: bool = False) -> None:
        values: list[Any] = [label, tally.total]
        values += [tally.statuses[status] for status in statuses]
        values += [tally.done / tally.total if tally.total else None]
        values += [tally.lights[light] for light in lights]
        for index, value in enumerate(values, start=1):
            cell = put(ws, row, index, value)
            cell.border = _BORDER
            cell.alignment = _WRAP if index == 1 else _CENTER
            if bold:
                cell.font = Font(bold=True)
            if index == len(statuses) + 3:
                cell.number_format = PERCENT_FORMAT

    row = FIRST_DATA_ROW
    several = len(doc.plans) > 1
    for plan in doc.plans:
        if several:
            _group_row(ws, row, plan.heading, len(headers), _PLAN_FILL)
            row += 1
        for area in plan.areas:
            line(row, area.heading, Tally.of(area.rows))
            row += 1
        if several:
            line(row, "小计", Tally.of(plan.rows), bold=True)
            row += 1
    line(row, "合计", Tally.of(doc.rows), bold=True)
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    _print_setup(ws, landscape=True)


def _write_departments(ws: Worksheet, doc: LedgerDocument) -> None:
    headers = [
        ("序号", 6),
        ("部门", 28),
        ("牵头（项）", 10),
        ("责任（项）", 10),
        ("合计（项）", 10),
        ("已完成", 9),
        ("逾期", 9),
        ("逾期措施序号", 40),
    ]
    scope = _scope_note(doc)
    _title_rows(
        ws,
        f"各部门工作台账情况（{'筛选结果，' * doc.filtered}截至{date_text(doc.as_of)}）",
        "合计为部门牵头或负责的措施数（同一措施既牵头又负责的计一次）；"
        "已完成含逾期完成；按逾期项数排列。" + scope,
        [width for _header, width in headers],
    )
    _header_row(ws, HEADER_ROW, headers)
    for offset, line in enumerate(doc.departments):
        row = FIRST_DATA_ROW + offset
        values: tuple[Any, ...] = (
            offset + 1,
            line.name,
            line.lead,
            line.responsible,
            line.total,
            line.done,
            line.overdue,
            "、".join(line.overdue_numbers) or None,
        )
        for index, value in enumerate(values, start=1):
            cell = put(ws, row, index, value)
            cell.border = _BORDER
            cell.alignment = _WRAP if index in (2, 8) else _CENTER
            if index == 7 and line.overdue:
                cell.font = Font(bold=True, color="C00000")
        lines = max(1, math.ceil(display_width(values[7] or "") / 39))
        ws.row_dimensions[row].height = row_height(lines, padding=4)
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    _print_setup(ws, landscape=False)


def _print_setup(ws: Worksheet, *, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = _FOOTER


def _row_height(columns: Sequence[_Column], values: Sequence[Any]) -> float:
    """Rough height for wrapped text; Excel does not re-fit rows written by openpyxl."""
    return row_height(wrapped_lines(columns, values), padding=6)
