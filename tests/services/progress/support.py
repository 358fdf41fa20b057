"""Constants and helpers shared by the 调度 tests."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from app.services.progress import (
    ProgressService,
)
from app.storage import Storage
from reports.progress_sheet import (
    COL_ACTUAL,
    COL_COMPLETED,
    COL_ID,
    COL_NEXT,
    COL_PHONE,
    COL_PROBLEMS,
    COL_PROGRESS,
    COL_REPORTER,
    COL_STATE,
    FIRST_DATA_ROW,
    HEADER_ROW,
    ROWS_SHEET,
    ProgressSheet,
)

ROUND = "2021年7月调度"
EXPORTED = date(2021, 7, 20)
DUE = date(2021, 8, 5)
RECEIVED = date(2021, 8, 3)
LEAD = "市行政审批服务局"  # mostly lead
RESPONSIBLE = "市税务局"  # mostly responsible; lead, responsible and cooperating roles
SMALL = "市国有资产监督管理局"  # 7 items: milestone, measure and target rows


def _department(source: Any, name: str) -> str:
    """A department's id by name; ``source`` is anything with a ``db`` (storage, repository)."""
    return source.db.execute(
        "SELECT id FROM departments WHERE name = ? AND deleted = 0", [name]
    ).fetchone()[0]


def _export(service: ProgressService, round_id: str, out: Path, *names: str) -> dict[str, Path]:
    ids = {_department(service.repo, name) for name in names}
    paths = service.export_sheets(round_id, out, EXPORTED, departments=ids)
    return {path.name.removeprefix(f"{ROUND}-").removesuffix(".xlsx"): path for path in paths}


def _fill(
    path: Path,
    *,
    state: str = "推进中",
    done_on: Any = None,
    actual: Any = "92%",
    cells: dict[int, dict[str, Any]] | None = None,
    blank: Collection[int] = (),
    reporter: Any = "张三",
    phone: Any = "0632-5512345",
    save_as: Path | None = None,
    edit: Callable[[Any], None] | None = None,
) -> Path:
    """Fill in the editable cells the way a department does in Excel, then save.

    ``reporter``/``phone`` go into the head (row 2) once; ``cells`` overrides single cells by
    data row index (0 = first item); rows in ``blank`` are left as exported (未填报); ``edit``
    gets the worksheet afterwards to do what protection normally prevents (tampering).
    """
    book = load_workbook(path)
    ws = book[ROWS_SHEET]
    for label, value in ((COL_REPORTER, reporter), (COL_PHONE, phone)):
        head = head_cell(ws, label)
        assert head.protection.locked is False, f"{label} is not editable in the head"
        head.value = value
    column = {ws.cell(HEADER_ROW, i).value: i for i in range(1, ws.max_column + 1)}
    row = FIRST_DATA_ROW
    index = 0
    while ws.cell(row, column[COL_ID]).value:
        is_target = str(ws.cell(row, column[COL_ID]).value).startswith("T-")
        values: dict[str, Any] = {
            COL_PROGRESS: "已完成系统对接，正在推广应用。",
            COL_PROBLEMS: "无",
            COL_NEXT: "继续推进",
        }
        if is_target:
            values[COL_ACTUAL] = actual
        else:
            values[COL_STATE] = state
            if done_on is not None:
                values[COL_COMPLETED] = done_on
        if index in blank:
            values = {}
        values.update((cells or {}).get(index, {}))
        for header, value in values.items():
            cell = ws.cell(row, column[header])
            assert cell.protection.locked is False, f"{header} is not editable in row {row}"
            cell.value = value
        row += 1
        index += 1
    if edit is not None:
        edit(ws)
    target = save_as or path
    book.save(target)
    return target


def head_cell(ws: Any, label: str) -> Any:
    """The cell right of a head label (填报人, 联系电话) in the rows above the header."""
    for row in range(1, HEADER_ROW):
        for cell in ws[row]:
            if cell.value == label:
                return ws.cell(row, cell.column + 1)
    raise AssertionError(f"no {label} in the head")


def _counts(storage: Storage) -> dict[str, int]:
    """The change log's length (any write at all) and the live rows an import adds."""
    counts = {"changes": storage.db["changes"].count}
    for table in ("progress_files", "progress_reports", "target_actuals"):
        sql = f"SELECT COUNT(*) FROM {table} WHERE deleted = 0"
        counts[table] = storage.db.execute(sql).fetchone()[0]
    return counts


def _completed(storage: Storage, table: str, row_id: str) -> str | None:
    return storage.db.execute(
        f"SELECT completed_on FROM {table} WHERE id = ?", [row_id]
    ).fetchone()[0]


def _lead_ids(storage: Storage, measure_id: str) -> set[str]:
    return {
        row[0]
        for row in storage.db.execute(
            "SELECT department_id FROM assignments WHERE measure_id = ? AND role = 'lead'"
            " AND deleted = 0",
            [measure_id],
        )
    }


def _items(service: ProgressService, round_id: str, name: str) -> list:
    return service.sheet_items(round_id, _department(service.repo, name))


def _export_v1(service: ProgressService, round_id: str, out: Path, name: str) -> Path:
    """The department's sheet as format version 1 wrote it (a round exported before the
    update): exported by the service (so round_sheets knows it), then rewritten by the frozen
    version 1 writer with the same items."""
    from app import __version__
    from tests.reports.progress_sheet_v1 import write_sheet_v1

    path = _export(service, round_id, out, name)[name]
    info = service.get_round(round_id)
    department = _department(service.repo, name)
    sheet = ProgressSheet(
        round_id=info.id,
        round_name=info.name,
        reply_due=info.reply_due,
        plan_id=info.plan_id or "",
        plan_title=service._plan_title(info.plan_id or ""),
        department_id=department,
        department_name=name,
        exported_on=EXPORTED,
        rows=[item.to_row() for item in service.sheet_items(round_id, department)],
        app_version=__version__,
    )
    write_sheet_v1(sheet, path)
    return path


def _fill_v1(
    path: Path, *, cells: dict[int, dict[str, Any]] | None = None, blank: Collection[int] = ()
) -> Path:
    """Fill a version 1 sheet as departments did: every column of every row, 填报人 and
    联系电话 copied down the whole column (blank rows included)."""
    from tests.reports import progress_sheet_v1 as v1

    book = load_workbook(path)
    ws = book[ROWS_SHEET]
    column = {ws.cell(v1.HEADER_ROW, i).value: i for i in range(1, ws.max_column + 1)}
    row, index = v1.FIRST_DATA_ROW, 0
    while ws.cell(row, column[COL_ID]).value:
        values: dict[str, Any] = {COL_REPORTER: "张三", COL_PHONE: "0632-5512345"}
        if index not in blank:
            values[COL_PROGRESS] = "已完成系统对接，正在推广应用。"
            if str(ws.cell(row, column[COL_ID]).value).startswith("T-"):
                values[COL_ACTUAL] = "92%"
            else:
                values[COL_STATE] = "推进中"
        values.update((cells or {}).get(index, {}))
        for header, value in values.items():
            ws.cell(row, column[header]).value = value
        row += 1
        index += 1
    book.save(path)
    return path
