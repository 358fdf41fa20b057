"""Every class of bad returned sheet is refused with its place, and nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.services.progress import (
    FileStatus,
    ImportReport,
    ProgressService,
)
from app.storage import Storage
from reports.progress_sheet import (
    COL_ACTUAL,
    COL_COMPLETED,
    COL_ID,
    COL_PROGRESS,
    COL_REPORTER,
    COL_STATE,
    FIRST_DATA_ROW,
    FORMAT_VERSION,
    HEAD_ROW,
    HEADERS,
    META_SHEET,
    ROWS_SHEET,
    ItemKind,
)
from tests.services.progress.support import (
    EXPORTED,
    LEAD,
    RECEIVED,
    RESPONSIBLE,
    ROUND,
    SMALL,
    _counts,
    _department,
    _export,
    _fill,
    _items,
)

# ---- Errors: each leaves the database untouched ------------------------------------------------


def _assert_refused(
    storage: Storage,
    report: ImportReport,
    before: dict[str, int],
    *,
    file: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    reason: str,
) -> None:
    assert not report.ok and not report.applied
    assert _counts(storage) == before
    matches = [
        e
        for e in report.errors
        if (e.file, e.sheet, e.row, e.column) == (file, sheet, row, column) and reason in e.reason
    ]
    assert matches, [str(e) for e in report.errors]
    text = str(matches[0])
    assert file in text and reason in text
    if row is not None:
        assert f"第 {row} 行" in text
    if column is not None:
        assert column in text


@pytest.fixture
def small(service: ProgressService, round_id: str, tmp_path: Path) -> Path:
    return _export(service, round_id, tmp_path, SMALL)[SMALL]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "文件为空"),
        ("编号,完成状态\nM-1,已完成\n".encode(), "不是 Excel .xlsx 文件"),
        (b"PK\x03\x04" + bytes(300), "损坏"),
    ],
    ids=["empty", "not-xlsx", "corrupt"],
)
def test_unreadable_files_are_refused(
    storage: Storage, service: ProgressService, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "回复.xlsx"
    path.write_bytes(content)
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    _assert_refused(
        storage, report, before, file="回复.xlsx", sheet=None, row=None, column=None, reason=reason
    )
    assert report.files[0].status is FileStatus.INVALID


def _set_meta(key: str, value: str) -> Callable[[Any], None]:
    def edit(ws) -> None:
        meta = ws.parent[META_SHEET]
        for cells in meta.iter_rows():
            if cells[0].value == key:
                cells[1].value = value

    return edit


def _drop_meta(ws) -> None:
    ws.parent.remove(ws.parent[META_SHEET])


@pytest.mark.parametrize(
    ("edit", "column", "reason"),
    [
        (_drop_meta, None, "缺少隐藏的 _meta 工作表"),
        (_set_meta("format", "someone-else"), None, "不是督查台账导出的进展填报表"),
        (_set_meta("format_version", str(FORMAT_VERSION + 1)), None, "更新版本"),
        (_set_meta("round_id", str(uuid.uuid4())), "round_id", "不在本台账中"),
        (_set_meta("department_id", str(uuid.uuid4())), "department_id", "不在本台账的部门名录中"),
    ],
    ids=["missing-meta", "foreign-meta", "newer-format", "unknown-round", "unknown-department"],
)
def test_meta_problems_are_refused(
    storage: Storage, service: ProgressService, small: Path, edit, column, reason
) -> None:
    _fill(small, edit=edit)
    before = _counts(storage)
    report = service.import_files([small], received_on=RECEIVED)
    _assert_refused(
        storage,
        report,
        before,
        file=small.name,
        sheet=META_SHEET,
        row=None,
        column=column,
        reason=reason,
    )


def test_a_file_from_another_round_is_refused_when_a_round_is_chosen(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    plan_id = service.get_round(round_id).plan_id or ""
    august = service.create_round("2021年8月调度", plan_id, None, date(2021, 8, 20))
    department = _department(storage, SMALL)
    [path] = service.export_sheets(august, tmp_path, EXPORTED, departments={department})
    _fill(path)
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED, round_id=round_id)
    _assert_refused(
        storage,
        report,
        before,
        file=path.name,
        sheet=META_SHEET,
        row=None,
        column="round_id",
        reason="不是本次导入的“2021年7月调度”",
    )
    # Without a chosen round it belongs to 8月调度 and is fine.
    assert service.import_files([path], received_on=RECEIVED).ok


def _task(items: list) -> int:
    """Index of the first milestone or measure row."""
    return next(index for index, item in enumerate(items) if item.kind is not ItemKind.TARGET)


def _target(items: list) -> int:
    return next(index for index, item in enumerate(items) if item.kind is ItemKind.TARGET)


def _row(index: int) -> int:
    return FIRST_DATA_ROW + index


def _put(ws: Any, index: int, header: str, value: Any) -> int:
    """Set one cell of the ``index``-th item; returns the index (the row to blame)."""
    ws.cell(_row(index), HEADERS.index(header) + 1).value = value
    return index


def _done_on(on: Any) -> Callable[[Any, list], int]:
    def edit(ws: Any, items: list) -> int:
        _put(ws, _task(items), COL_STATE, "已完成")
        return _put(ws, _task(items), COL_COMPLETED, on)

    return edit


def _copy_first_row_below(ws: Any, items: list) -> int:
    for column in range(1, len(HEADERS) + 1):
        ws.cell(_row(len(items)), column).value = ws.cell(_row(0), column).value
    return len(items)


def _delete_last_row(ws: Any, items: list) -> None:
    ws.delete_rows(_row(len(items) - 1))


# name → (column, reason, edit(worksheet, items) → index of the offending item or None)
ROW_CASES: dict[str, tuple[str, str, Callable[[Any, list], int | None]]] = {
    "unknown-id": (
        COL_ID,
        f"不是{SMALL}在“{ROUND}”中的填报事项",
        lambda ws, items: _put(ws, 0, COL_ID, f"M-{uuid.uuid4()}"),
    ),
    "altered-id": (COL_ID, "格式不正确", lambda ws, items: _put(ws, 1, COL_ID, "S-12345")),
    "emptied-id": (COL_ID, "编号为空", lambda ws, items: _put(ws, 1, COL_ID, None)),
    "duplicated-id": (COL_ID, f"编号重复（与第 {FIRST_DATA_ROW} 行相同）", _copy_first_row_below),
    "missing-row": (COL_ID, "缺少事项", _delete_last_row),
    "bad-state": (
        COL_STATE,
        "完成状态“完成了”无效",
        lambda ws, items: _put(ws, _task(items), COL_STATE, "完成了"),
    ),
    "missing-state": (
        COL_STATE,
        "完成状态未填写",
        lambda ws, items: _put(ws, _task(items), COL_STATE, None),
    ),
    "missing-progress": (
        COL_PROGRESS,
        "进展情况未填写",
        lambda ws, items: _put(ws, _task(items), COL_PROGRESS, "  "),
    ),
    "missing-actual": (
        COL_ACTUAL,
        "须填写实际值",
        lambda ws, items: _put(ws, _target(items), COL_ACTUAL, None),
    ),
    "bad-number": (
        COL_ACTUAL,
        "“九十二”不是数字",
        lambda ws, items: _put(ws, _target(items), COL_ACTUAL, "九十二"),
    ),
    "bad-date": (COL_COMPLETED, "“7月底”不是日期", _done_on("7月底")),
    "missing-date": (COL_COMPLETED, "须填写实际完成日期", _done_on(None)),
    "date-after-receipt": (COL_COMPLETED, "晚于报送日期", _done_on(date(2021, 8, 10))),
}


@pytest.mark.parametrize(("column", "reason", "edit"), ROW_CASES.values(), ids=ROW_CASES.keys())
def test_row_problems_are_refused_with_their_place(
    storage: Storage, service: ProgressService, round_id: str, small: Path, column, reason, edit
) -> None:
    items = _items(service, round_id, SMALL)
    assert {i.kind for i in items} == set(ItemKind)  # all three kinds of row
    blamed: list[int | None] = []
    _fill(small, edit=lambda ws: blamed.append(edit(ws, items)))
    before = _counts(storage)
    report = service.import_files([small], received_on=RECEIVED)
    _assert_refused(
        storage,
        report,
        before,
        file=small.name,
        sheet=ROWS_SHEET,
        row=None if blamed[0] is None else _row(blamed[0]),
        column=column,
        reason=reason,
    )


def test_not_started_needs_no_progress_and_targets_ignore_state(
    storage: Storage, service: ProgressService, round_id: str, small: Path
) -> None:
    items = _items(service, round_id, SMALL)
    cells = {
        index: {COL_STATE: "未开始", COL_PROGRESS: None}
        for index, item in enumerate(items)
        if item.kind is not ItemKind.TARGET
    }
    _fill(small, cells=cells)
    report = service.import_files([small], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    assert storage.db.execute(
        "SELECT DISTINCT state, progress, completed_on FROM progress_reports WHERE deleted = 0"
    ).fetchall() == [("not_started", "", None)]


def test_one_bad_file_in_a_batch_applies_nothing(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    files = _export(service, round_id, tmp_path, SMALL, RESPONSIBLE, LEAD)
    _fill(files[SMALL])
    _fill(files[LEAD])
    task = _task(_items(service, round_id, RESPONSIBLE))
    _fill(files[RESPONSIBLE], reporter=None, cells={task: {COL_STATE: "完成了"}})
    before = _counts(storage)
    report = service.import_files(
        [files[SMALL], files[RESPONSIBLE], files[LEAD]], received_on=RECEIVED
    )
    assert _counts(storage) == before
    assert [f.status for f in report.files] == [
        FileStatus.HELD,
        FileStatus.INVALID,
        FileStatus.HELD,
    ]
    assert {(e.file, e.row, e.column) for e in report.errors} == {
        (files[RESPONSIBLE].name, HEAD_ROW, COL_REPORTER),
        (files[RESPONSIBLE].name, _row(task), COL_STATE),
    }
    assert "均未导入" in report.summary()


def test_two_different_files_of_one_department_in_one_batch_are_refused(
    storage: Storage, service: ProgressService, round_id: str, small: Path, tmp_path: Path
) -> None:
    first = _fill(small, save_as=tmp_path / "一.xlsx")
    second = _fill(small, state="未开始", save_as=tmp_path / "二.xlsx")
    before = _counts(storage)
    report = service.import_files([first, second], received_on=RECEIVED)
    _assert_refused(
        storage,
        report,
        before,
        file="二.xlsx",
        sheet=None,
        row=None,
        column=None,
        reason="只选择最新的一份",
    )
