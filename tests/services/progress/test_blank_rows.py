"""Sheets departments can fill without friction: rows left blank are 未填报 (accepted, listed in
the round's 催报清单), a row that is filled must be complete, 填报人/联系电话 once in the head, and
sheets of format version 1 (exported before the update) still import."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import main
from app.services.progress import FileStatus, ProgressService
from app.services.status import LedgerStatus
from app.storage import Storage
from reports.progress_sheet import (
    COL_ACTUAL,
    COL_PHONE,
    COL_PROBLEMS,
    COL_PROGRESS,
    COL_REPORTER,
    COL_STATE,
    FIRST_DATA_ROW,
    HEAD_ROW,
    ROWS_SHEET,
    ItemKind,
)
from tests.reports import progress_sheet_v1 as v1
from tests.services.progress.support import (
    DUE,
    LEAD,
    RECEIVED,
    RESPONSIBLE,
    SMALL,
    _counts,
    _department,
    _export,
    _export_v1,
    _fill,
    _fill_v1,
    _items,
)

# SMALL's seven rows: 0 M 7.6, 1 T 7.6, 2 T 7.6, 3 S 7.7, 4 S 10.1, 5 S 10.2, 6 S 18.13.
BLANK = (2, 4)  # a target row and a measure row left as exported


def _status(storage: Storage, measure_id: str) -> str:
    rows = LedgerStatus(storage.db).measures(as_of=RECEIVED)
    return next(row.status for row in rows if row.id == measure_id)


def test_blank_rows_are_accepted_and_listed_as_unreported(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    items = _items(service, round_id, SMALL)
    assert [items[i].kind for i in BLANK] == [ItemKind.TARGET, ItemKind.MEASURE]
    assert (items[4].number, items[5].number) == ("10.1", "10.2")
    assert _status(storage, items[4].measure_id) == _status(storage, items[5].measure_id)
    files = _export(service, round_id, tmp_path, SMALL, RESPONSIBLE, LEAD)
    _fill(files[SMALL], blank=BLANK)
    report = service.import_files([files[SMALL]], received_on=RECEIVED, round_id=round_id)
    assert report.ok, [str(e) for e in report.errors]
    [outcome] = report.files
    assert outcome.status is FileStatus.IMPORTED
    assert outcome.unreported == [items[i] for i in BLANK]
    assert (outcome.reports, outcome.actuals) == (4, 1)
    assert "有 2 项未填报" in report.summary()
    # Nothing is written for a blank row, so the ledger does not count it as started.
    department = _department(storage, SMALL)
    reported = {
        measure_id
        for (measure_id,) in storage.db.execute(
            "SELECT measure_id FROM progress_reports WHERE department_id = ? AND deleted = 0",
            [department],
        )
    }
    assert items[4].measure_id not in reported and items[5].measure_id in reported
    assert _status(storage, items[4].measure_id) == "not_started"
    assert _status(storage, items[5].measure_id) == "in_progress"
    assert storage.db.execute(
        "SELECT COUNT(*) FROM target_actuals WHERE target_id = ? AND deleted = 0",
        [items[2].target_id],
    ).fetchone() == (0,)

    # One department late, one not at all: the round's report lists all three kinds of gap.
    late = _fill(files[RESPONSIBLE])
    assert service.import_files([late], received_on=date(2021, 8, 9)).ok
    replies = {reply.department_name: reply for reply in service.replies(round_id)}
    assert replies[SMALL].unreported == tuple(items[i] for i in BLANK)
    assert replies[RESPONSIBLE].unreported == () and replies[RESPONSIBLE].late
    assert replies[LEAD].missing and replies[LEAD].unreported == ()
    gaps = service.missing_report(round_id)
    assert [r.department_name for r in gaps.missing] == [LEAD]
    assert [r.department_name for r in gaps.late] == [RESPONSIBLE]
    assert [r.department_name for r in gaps.unreported] == [SMALL]
    text = gaps.text().splitlines()
    assert text[0] == f"{gaps.round.name} 催报清单（报送截止 {DUE.isoformat()}）"
    assert f"未报回（1 个部门）：{LEAD}" in text
    assert f"逾期报回（1 个部门）：{RESPONSIBLE}（2021-08-09 报回，晚 4 天）" in text
    assert "已报回但有事项未填报（1 个部门，共 2 项）：" in text
    at = text.index(f"{SMALL}（2 项未填报）：")
    assert text[at + 1] == "  7.6 鼓励企业借力资本市场发展（指标：20家以上）"
    assert text[at + 2].startswith("  10.1 强化公司治理水平")


def test_a_row_that_is_filled_must_still_be_complete(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _export(service, round_id, tmp_path, SMALL)[SMALL]
    # Half-filled: a problem noted but no state; a target's progress but not its value.
    cells = {4: {COL_PROBLEMS: "资金不足"}, 2: {COL_PROGRESS: "正在统计"}}
    _fill(path, blank=BLANK, cells=cells)
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    assert not report.ok and _counts(storage) == before
    found = {(e.sheet, e.row, e.column) for e in report.errors}
    assert found == {
        (ROWS_SHEET, FIRST_DATA_ROW + 4, COL_STATE),
        (ROWS_SHEET, FIRST_DATA_ROW + 4, COL_PROGRESS),  # required unless 未开始
        (ROWS_SHEET, FIRST_DATA_ROW + 2, COL_ACTUAL),
    }
    assert any("完成状态未填写" in e.reason for e in report.errors)


def test_reporter_and_phone_are_required_once_and_the_cell_is_named(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _export(service, round_id, tmp_path, SMALL)[SMALL]
    _fill(path, reporter=None, phone="  ")
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    assert not report.ok and _counts(storage) == before
    errors = {(e.sheet, e.row, e.column): e for e in report.errors}
    assert set(errors) == {(ROWS_SHEET, HEAD_ROW, COL_REPORTER), (ROWS_SHEET, HEAD_ROW, COL_PHONE)}
    reporter = str(errors[ROWS_SHEET, HEAD_ROW, COL_REPORTER])
    assert "填报人未填写" in reporter and "B2" in reporter and "第 2 行" in reporter
    assert "E2" in errors[ROWS_SHEET, HEAD_ROW, COL_PHONE].reason

    _fill(path)  # filled once at the head: every report carries it
    assert service.import_files([path], received_on=RECEIVED).ok
    assert storage.db.execute(
        "SELECT DISTINCT reporter, phone FROM progress_reports WHERE deleted = 0"
    ).fetchall() == [("张三", "0632-5512345")]
    assert storage.db.execute(
        "SELECT reporter, phone FROM progress_files WHERE deleted = 0"
    ).fetchall() == [("张三", "0632-5512345")]


def test_a_sheet_with_every_row_blank_is_refused(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    """Most often the untouched sheet sent back: the department stays on the list to chase."""
    path = _export(service, round_id, tmp_path, SMALL)[SMALL]
    _fill(path, blank=range(7), reporter=None, phone=None)
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    assert _counts(storage) == before
    [issue] = report.errors  # one message, not one per row or per head cell
    assert (issue.sheet, issue.row, issue.column) == (ROWS_SHEET, None, None)
    assert "全部 7 项均未填写" in issue.reason and "未开始" in issue.reason
    [reply] = [r for r in service.replies(round_id) if r.department_name == SMALL]
    assert reply.missing


def test_a_correction_keeps_the_reports_its_blank_rows_do_not_repeat(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    exported = _export(service, round_id, tmp_path, SMALL)[SMALL]
    items = _items(service, round_id, SMALL)
    first = _fill(exported, blank=BLANK, save_as=tmp_path / "first.xlsx")
    assert service.import_files([first], received_on=date(2021, 8, 1)).ok
    after_first = _counts(storage)
    # 补报: a fresh copy of the sheet with only the two rows left blank before.
    late_rows = {i: {} for i in BLANK}
    rest = [i for i in range(len(items)) if i not in BLANK]
    second = _fill(exported, blank=rest, cells=late_rows, save_as=tmp_path / "second.xlsx")
    report = service.import_files([second], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    [outcome] = report.files
    assert outcome.status is FileStatus.CORRECTED
    assert outcome.unreported == [] and outcome.kept == len(rest)
    counts = _counts(storage)
    assert counts["progress_reports"] == after_first["progress_reports"] + 1
    assert counts["target_actuals"] == after_first["target_actuals"] + 1
    assert [r.unreported for r in service.replies(round_id) if r.department_name == SMALL] == [()]
    # A full correction still replaces every row it fills.
    third = _fill(exported, state="未开始", save_as=tmp_path / "third.xlsx")
    assert service.import_files([third], received_on=RECEIVED).ok
    assert _counts(storage)["progress_reports"] == counts["progress_reports"]
    assert storage.db.execute(
        "SELECT DISTINCT state FROM progress_reports WHERE deleted = 0"
    ).fetchall() == [("not_started",)]


def test_a_version_1_sheet_still_imports(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    """A sheet exported before the update (编号 first, 填报人 on every row) reads as before;
    its blank rows are 未填报 too, even with 填报人 copied down the whole column."""
    path = _export_v1(service, round_id, tmp_path, SMALL)
    assert v1.FORMAT_VERSION == 1
    items = _items(service, round_id, SMALL)
    _fill_v1(path, blank=BLANK)
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    assert report.files[0].unreported == [items[i] for i in BLANK]
    assert storage.db.execute(
        "SELECT reporter, phone FROM progress_files WHERE deleted = 0"
    ).fetchall() == [("张三", "0632-5512345")]
    assert storage.db.execute(
        "SELECT COUNT(*), MIN(reporter) FROM progress_reports WHERE deleted = 0"
    ).fetchone() == (4, "张三")


def test_a_version_1_row_without_its_reporter_is_refused_as_before(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _export_v1(service, round_id, tmp_path, SMALL)
    _fill_v1(path, cells={3: {COL_REPORTER: None}, 5: {COL_PHONE: ""}})
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    assert _counts(storage) == before
    assert {(e.row, e.column) for e in report.errors} == {
        (v1.FIRST_DATA_ROW + 3, COL_REPORTER),
        (v1.FIRST_DATA_ROW + 5, COL_PHONE),
    }


def test_the_cli_lists_the_unreported_rows_of_each_file(
    service: ProgressService, round_id: str, tmp_path: Path, db_path: Path, capsys
) -> None:
    path = _fill(_export(service, round_id, tmp_path, SMALL)[SMALL], blank=BLANK)
    code = main.main(
        ["import-progress", "--db", str(db_path), "--received-on", "2021-08-03", str(path)]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    [entry] = json.loads(out)["files"]
    items = _items(service, round_id, SMALL)
    assert [u["code"] for u in entry["unreported"]] == [items[i].code for i in BLANK]
    assert entry["unreported"][1]["item"].startswith("10.1 强化公司治理水平")
    assert "有 2 项未填报" in err
