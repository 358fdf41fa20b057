"""Task tables (任务分工表) in an .xlsx/.xlsm workbook, read into the lines the parser reads.

Every sheet whose rows include a task table's header (tables.py) is read, in the workbook's
order; other sheets (a cover, notes) are skipped, and a workbook without any such header is
refused with what its header must say. Merged cells are given to tables.py as a grid: a cell
merged down repeats its value in each row it covers, one merged across is ``MERGED_LEFT`` after
its first column.

Limits (app/limits.py) before and while reading: the package (XLSX_LIMITS) before openpyxl sees
it, then the rows and columns of every sheet counted in a streaming pass (read-only mode, which
cannot tell merged cells) before the workbook is loaded in full for its merged cells.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from app import limits
from app.limits import LimitExceeded
from app.progress import Progress, part, report

from .lines import header_roles
from .tables import MERGED_LEFT, grid_lines


class WorkbookError(ValueError):
    """The workbook holds no task table; ``message`` is for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def workbook_text(data: bytes, name: str, progress: Progress | None = None) -> str:
    """The lines of the task tables in the workbook ``data`` (an .xlsx), joined by "\\n".
    Raises ``LimitExceeded`` over a limit, ``WorkbookError`` when no sheet has a task table;
    a malformed package fails in openpyxl (the caller's "damaged" message)."""
    limits.check_package(data, name, limits.XLSX_LIMITS, part(progress, 0.0, 0.2))
    from openpyxl import load_workbook

    _check_size(load_workbook(io.BytesIO(data), read_only=True, data_only=True), name)
    report(progress, 2, 5)
    book = load_workbook(io.BytesIO(data), data_only=True)
    report(progress, 4, 5)
    lines: list[str] = []
    tables = 0
    for sheet in book.worksheets:
        grid = _grid(sheet)
        if not any(header_roles([c for c in row if isinstance(c, str)]) for row in grid):
            continue
        tables += 1
        if lines:
            lines.append("")
        lines.extend(grid_lines(grid))
    if not tables:
        raise WorkbookError(
            f"“{name}”中没有找到任务分工表：没有一行表头同时写明任务（重点任务、工作措施等）"
            "和牵头单位、责任单位或完成时限。请确认表头行的列名后再导入，"
            "或导入方案正文的 Word 或 PDF 文件。"
        )
    return "\n".join(lines)


def _check_size(book: Any, name: str) -> None:
    """Refuse a workbook over the row or column limit, counting the rows it really has."""
    try:
        sheets = book.worksheets
        if len(sheets) > limits.MAX_PLAN_TABLE_SHEETS:
            raise LimitExceeded(
                f"“{name}”有 {limits.count_text(len(sheets))} 个工作表，超过任务分工表的上限 "
                f"{limits.MAX_PLAN_TABLE_SHEETS} 个，未导入。"
                "请把任务分工表单独保存为一个工作簿后再导入。"
            )
        rows = 0
        for sheet in sheets:
            for row in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > limits.MAX_PLAN_TABLE_ROWS:
                    raise LimitExceeded(
                        f"“{name}”的表格超过 {limits.count_text(limits.MAX_PLAN_TABLE_ROWS)} 行，"
                        "超过任务分工表的上限，未导入。请确认选择的文件是任务分工表。"
                    )
                if len(row) > limits.MAX_PLAN_TABLE_COLUMNS and any(
                    v is not None and str(v).strip() for v in row[limits.MAX_PLAN_TABLE_COLUMNS :]
                ):
                    raise LimitExceeded(
                        f"“{name}”的工作表“{sheet.title}”有内容超出第 "
                        f"{limits.MAX_PLAN_TABLE_COLUMNS} 列，超过任务分工表的上限，未导入。"
                        "请删去表格右侧多余的列后再导入。"
                    )
    finally:
        book.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):  # a 完成时限 typed as a date
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _grid(sheet: Any) -> list[list[object]]:
    width = min(sheet.max_column or 0, limits.MAX_PLAN_TABLE_COLUMNS)
    grid: list[list[object]] = [
        [_text(v) for v in row[:width]]
        for row in sheet.iter_rows(max_col=width or 1, values_only=True)
    ]
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(grid) or left >= width:
            continue
        value = grid[top][left]
        for r in range(top, min(merged.max_row, len(grid))):
            grid[r][left] = value
            for c in range(left + 1, min(merged.max_col, width)):
                grid[r][c] = MERGED_LEFT
    return grid
