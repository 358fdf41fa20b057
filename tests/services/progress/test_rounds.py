"""调度 rounds over the sample plan: export sheets, fill them in as a department would, import."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.domain.ledger import Role
from app.services.progress import (
    FileStatus,
    ProgressError,
    ProgressService,
    parse_date,
    parse_number,
)
from app.storage import Storage
from reports.progress_sheet import (
    COL_ACTUAL,
    COL_COMPLETED,
    COL_ID,
    COL_ROLE,
    COL_STATE,
    META_SHEET,
    ROWS_SHEET,
    ItemKind,
    read_sheet,
)
from tests.services.progress.support import (
    DUE,
    EXPORTED,
    LEAD,
    RECEIVED,
    RESPONSIBLE,
    ROUND,
    SMALL,
    _completed,
    _counts,
    _department,
    _export,
    _fill,
    _items,
    _lead_ids,
)

# ---- Rounds ------------------------------------------------------------------------------------


def test_round_names_are_unique_among_live_rounds(service: ProgressService, round_id: str) -> None:
    info = service.get_round(round_id)
    assert (info.name, info.reply_due, info.created_on) == (ROUND, DUE, EXPORTED)
    assert [r.id for r in service.rounds()] == [round_id]
    with pytest.raises(ProgressError, match="已有名为“2021年7月调度”"):
        service.create_round(f" {ROUND} ", info.plan_id or "", None, EXPORTED)
    with pytest.raises(ProgressError, match="方案不存在"):
        service.create_round("2021年8月调度", "no-such-plan", None, EXPORTED)
    with pytest.raises(ProgressError, match="不能为空"):
        service.create_round("  ", info.plan_id or "", None, EXPORTED)
    august = service.create_round("2021年8月调度", info.plan_id or "", None, date(2021, 8, 20))
    assert service.find_round("2021年8月调度").id == august
    assert [r.name for r in service.rounds()] == ["2021年8月调度", ROUND]
    assert service.find_round("2021年9月调度") is None


# ---- Sheets out --------------------------------------------------------------------------------


def test_sheet_items_follow_the_plan(storage: Storage, service: ProgressService, round_id) -> None:
    db = storage.db
    for name in (LEAD, RESPONSIBLE, SMALL):
        department = _department(storage, name)
        items = service.sheet_items(round_id, department)
        expected_roles: dict[str, Role] = {}
        for measure_id, role in db.execute(
            "SELECT measure_id, role FROM assignments WHERE department_id = ? AND deleted = 0",
            [department],
        ):
            known = expected_roles.get(measure_id)
            if known is None or list(Role).index(Role(role)) < list(Role).index(known):
                expected_roles[measure_id] = Role(role)
        assert {item.measure_id for item in items} == set(expected_roles)
        assert all(item.role is expected_roles[item.measure_id] for item in items)
        milestones = {
            row[0]
            for row in db.execute(
                "SELECT x.id FROM milestones x JOIN assignments s ON s.measure_id = x.measure_id"
                " WHERE s.department_id = ? AND s.deleted = 0 AND x.deleted = 0",
                [department],
            )
        }
        targets = {
            row[0]
            for row in db.execute(
                "SELECT t.id FROM targets t JOIN assignments s ON s.measure_id = t.measure_id"
                " WHERE s.department_id = ? AND s.deleted = 0 AND t.deleted = 0",
                [department],
            )
        }
        assert {i.milestone_id for i in items if i.kind is ItemKind.MILESTONE} == milestones
        assert {i.target_id for i in items if i.kind is ItemKind.TARGET} == targets
        measure_rows = {i.measure_id for i in items if i.kind is ItemKind.MEASURE}
        with_milestones = {i.measure_id for i in items if i.kind is ItemKind.MILESTONE}
        assert measure_rows == set(expected_roles) - with_milestones
        positions = dict(db.execute("SELECT id, position FROM measures").fetchall())
        order = [positions[item.measure_id] for item in items]
        assert order == sorted(order)  # document order
        assert len({item.code for item in items}) == len(items)
    # 一、1: 牵头 市行政审批服务局 …; 责任 … 市税务局; its deadline 8月底前.
    tax = service.sheet_items(round_id, _department(storage, RESPONSIBLE))
    first = tax[0]
    assert (first.number, first.kind, first.role, first.deadline, first.due) == (
        "1.1",
        ItemKind.MILESTONE,
        Role.RESPONSIBLE,
        "8月底前",
        date(2021, 8, 31),
    )
    assert first.description.startswith("拓展电子证照应用场景")
    assert "8月底前，增加窗口扫码设备" in first.description
    assert {item.role for item in tax} == {Role.LEAD, Role.RESPONSIBLE, Role.COOPERATING}


def test_export_writes_one_sheet_per_department_but_not_to_groups(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    started = time.perf_counter()
    paths = service.export_sheets(round_id, tmp_path, EXPORTED)
    elapsed = time.perf_counter() - started
    addressees = service.addressees(round_id)
    departments = {
        name
        for (name,) in storage.db.execute(
            "SELECT DISTINCT d.name FROM departments d JOIN assignments s"
            " ON s.department_id = d.id JOIN measures m ON m.id = s.measure_id"
            " WHERE d.deleted = 0 AND s.deleted = 0 AND m.deleted = 0 AND d.is_group = 0"
        )
    }
    assert len(departments) > 40
    assert {a.name for a in addressees.departments} == departments
    assert {a.name for a in addressees.groups} >= {"各镇街", "市直相关部门"}
    assert sorted(p.name for p in paths) == sorted(f"{ROUND}-{name}.xlsx" for name in departments)
    assert storage.db.execute(
        "SELECT COUNT(*) FROM round_sheets WHERE round_id = ? AND deleted = 0", [round_id]
    ).fetchone()[0] == len(departments)
    assert elapsed < 10

    tax = _department(storage, RESPONSIBLE)
    items = service.sheet_items(round_id, tax)
    path = tmp_path / f"{ROUND}-{RESPONSIBLE}.xlsx"
    content = read_sheet(path)
    assert (content.meta.round_id, content.meta.department_id) == (round_id, tax)
    assert content.meta.department_name == RESPONSIBLE
    assert [e.get(COL_ID) for e in content.entries] == [item.code for item in items]
    assert [e.get(COL_ROLE) for e in content.entries] == [item.role.label for item in items]
    book = load_workbook(path)
    assert book[META_SHEET].sheet_state == "veryHidden"
    ws = book[ROWS_SHEET]
    assert ws.protection.sheet
    assert any(
        dv.type == "list" and "已完成" in dv.formula1 for dv in ws.data_validations.dataValidation
    )
    sheet_count = storage.db.execute(
        "SELECT item_count FROM round_sheets WHERE round_id = ? AND department_id = ?",
        [round_id, tax],
    ).fetchone()[0]
    assert sheet_count == len(items)

    # Exporting again updates the record instead of adding a second one.
    service.export_sheets(round_id, tmp_path, date(2021, 7, 21), departments={tax})
    rows = storage.db.execute(
        "SELECT exported_on FROM round_sheets WHERE round_id = ? AND department_id = ?"
        " AND deleted = 0",
        [round_id, tax],
    ).fetchall()
    assert rows == [("2021-07-21",)]


# ---- The round trip ----------------------------------------------------------------------------


def test_round_trip_records_reports_and_lead_completions(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    files = _export(service, round_id, tmp_path, LEAD, RESPONSIBLE)
    started = time.perf_counter()
    for path in files.values():
        _fill(path, state="已完成", done_on=datetime(2021, 7, 30))
    report = service.import_files(files.values(), received_on=RECEIVED, round_id=round_id)
    elapsed = time.perf_counter() - started
    assert report.ok, [str(e) for e in report.errors]
    assert report.applied
    assert {f.status for f in report.files} == {FileStatus.IMPORTED}
    assert elapsed < 5

    db = storage.db
    for name in (LEAD, RESPONSIBLE):
        department = _department(storage, name)
        items = service.sheet_items(round_id, department)
        file_row = db.execute(
            "SELECT id, sha256, file_name, received_on, reporter, phone FROM progress_files"
            " WHERE round_id = ? AND department_id = ? AND deleted = 0",
            [round_id, department],
        ).fetchall()
        assert len(file_row) == 1
        file_id, sha, file_name, received, reporter, phone = file_row[0]
        assert (file_name, received, reporter, phone) == (
            f"{ROUND}-{name}.xlsx",
            "2021-08-03",
            "张三",
            "0632-5512345",
        )
        assert len(sha) == 64
        reports = db.execute(
            "SELECT measure_id, milestone_id, role, state, completed_on, reported_on, file_id,"
            " progress, reporter FROM progress_reports WHERE round_id = ? AND department_id = ?"
            " AND deleted = 0",
            [round_id, department],
        ).fetchall()
        expected = [
            (i.measure_id, i.milestone_id, i.role.value) for i in items if i.kind != ItemKind.TARGET
        ]
        assert Counter(r[:3] for r in reports) == Counter(expected)
        assert {r[3:] for r in reports} == {
            ("done", "2021-07-30", "2021-08-03", file_id, "已完成系统对接，正在推广应用。", "张三")
        }
        actuals = db.execute(
            "SELECT target_id, value, measured_on, report_id FROM target_actuals"
            " WHERE source = ? AND deleted = 0",
            [f"{ROUND}·{name}"],
        ).fetchall()
        assert sorted(a[0] for a in actuals) == sorted(
            i.target_id for i in items if i.kind is ItemKind.TARGET
        )
        assert {a[1:] for a in actuals} == {(92.0, "2021-08-03", None)}

    # Completion follows the lead: every item whose measure LEAD leads (or that has no lead)
    # is complete; an item only the responsible department reported stays open.
    lead, tax = _department(storage, LEAD), _department(storage, RESPONSIBLE)
    checked = {"done": 0, "open": 0}
    for item in service.sheet_items(round_id, tax):
        if item.kind is ItemKind.TARGET:
            continue
        leads = _lead_ids(storage, item.measure_id)
        table, row_id = (
            ("milestones", item.milestone_id)
            if item.milestone_id
            else ("measures", item.measure_id)
        )
        if lead in leads or tax in leads or not leads:
            assert _completed(storage, table, row_id) == "2021-07-30"
            checked["done"] += 1
        else:
            assert _completed(storage, table, row_id) is None
            checked["open"] += 1
    assert checked["done"] and checked["open"]


def test_a_responsible_departments_done_completes_nothing_unless_there_is_no_lead(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _export(service, round_id, tmp_path, SMALL)[SMALL]
    _fill(path, state="已完成", done_on="2021年7月30日")
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    department = _department(storage, SMALL)
    outcomes = set()
    for item in service.sheet_items(round_id, department):
        if item.kind is ItemKind.TARGET:
            continue
        assert item.role is Role.RESPONSIBLE
        table, row_id = (
            ("milestones", item.milestone_id)
            if item.milestone_id
            else ("measures", item.measure_id)
        )
        has_lead = bool(_lead_ids(storage, item.measure_id))
        assert _completed(storage, table, row_id) == (None if has_lead else "2021-07-30")
        outcomes.add(has_lead)
    assert outcomes == {True}  # all of its measures have a lead
    assert storage.db.execute(
        "SELECT COUNT(*) FROM progress_reports WHERE state = 'done' AND deleted = 0"
    ).fetchone()[0] == sum(
        1 for i in service.sheet_items(round_id, department) if i.kind != ItemKind.TARGET
    )


def test_a_measure_without_lead_is_completed_by_its_responsible_department(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    # 一、2 names only 责任部门 (市公安局, 市行政审批服务局, …).
    measure_id = storage.db.execute(
        "SELECT m.id FROM measures m JOIN areas a ON a.id = m.area_id"
        " WHERE a.no = 1 AND m.no = 2 AND m.deleted = 0"
    ).fetchone()[0]
    assert not _lead_ids(storage, measure_id)
    name = "市公安局"
    items = service.sheet_items(round_id, _department(storage, name))
    mine = [i for i in items if i.measure_id == measure_id and i.kind is ItemKind.MILESTONE]
    assert mine and all(i.role is Role.RESPONSIBLE for i in mine)
    path = _export(service, round_id, tmp_path, name)[name]
    done = {items.index(i): {COL_STATE: "已完成", COL_COMPLETED: "2021/7/28"} for i in mine}
    _fill(path, cells=done)
    assert service.import_files([path], received_on=RECEIVED).ok
    for item in mine:
        assert _completed(storage, "milestones", item.milestone_id) == "2021-07-28"
    others = [i for i in items if i.milestone_id and i not in mine]
    assert all(_completed(storage, "milestones", i.milestone_id) is None for i in others)


def test_importing_the_same_file_twice_changes_nothing(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _fill(_export(service, round_id, tmp_path, SMALL)[SMALL])
    assert service.import_files([path], received_on=RECEIVED).ok
    before = _counts(storage)
    again = service.import_files([path], received_on=date(2021, 8, 4))
    assert again.ok and not again.applied
    assert [f.status for f in again.files] == [FileStatus.ALREADY]
    assert again.files[0].status.label == "已导入过"
    assert _counts(storage) == before
    # The same bytes twice in one batch: imported once.
    other = _fill(_export(service, round_id, tmp_path / "b", LEAD)[LEAD])
    copy = shutil.copy(other, tmp_path / "副本.xlsx")
    report = service.import_files([other, copy], received_on=RECEIVED)
    assert [f.status for f in report.files] == [FileStatus.IMPORTED, FileStatus.ALREADY]
    assert _counts(storage)["progress_files"] == before["progress_files"] + 1


def test_a_corrected_file_supersedes_the_earlier_one(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    exported = _export(service, round_id, tmp_path, LEAD)[LEAD]
    department = _department(storage, LEAD)
    items = service.sheet_items(round_id, department)
    first_milestone = next(i for i in items if i.kind is ItemKind.MILESTONE and i.role is Role.LEAD)
    index = items.index(first_milestone)
    first = _fill(
        exported,
        cells={index: {COL_STATE: "已完成", COL_COMPLETED: date(2021, 7, 10)}},
        actual=80,
        save_as=tmp_path / "first.xlsx",
    )
    assert service.import_files([first], received_on=date(2021, 8, 1)).ok
    assert _completed(storage, "milestones", first_milestone.milestone_id) == "2021-07-10"
    after_first = _counts(storage)

    second = _fill(
        exported,
        state="已完成",
        done_on=date(2021, 7, 25),
        actual="95％",
        save_as=tmp_path / "second.xlsx",
    )
    report = service.import_files([second], received_on=RECEIVED)
    assert report.ok and [f.status for f in report.files] == [FileStatus.CORRECTED]
    counts = _counts(storage)
    assert counts["progress_files"] == after_first["progress_files"] + 1
    assert counts["progress_reports"] == after_first["progress_reports"]  # replaced, not added
    assert counts["target_actuals"] == after_first["target_actuals"]
    live_values = {
        row[0]
        for row in storage.db.execute(
            "SELECT value FROM target_actuals WHERE source = ? AND deleted = 0",
            [f"{ROUND}·{LEAD}"],
        )
    }
    assert live_values == {95.0}
    states = storage.db.execute(
        "SELECT DISTINCT p.state, f.file_name FROM progress_reports p"
        " JOIN progress_files f ON f.id = p.file_id WHERE p.department_id = ? AND p.deleted = 0",
        [department],
    ).fetchall()
    assert states == [("done", "second.xlsx")]
    # The earlier completion stands; others come from the correction.
    assert _completed(storage, "milestones", first_milestone.milestone_id) == "2021-07-10"
    other = next(
        i
        for i in items
        if i.kind is ItemKind.MILESTONE and i.role is Role.LEAD and i is not first_milestone
    )
    assert _completed(storage, "milestones", other.milestone_id) == "2021-07-25"
    # Re-importing the first file again does not bring it back.
    assert service.import_files([first], received_on=RECEIVED).files[0].status is FileStatus.ALREADY
    assert _counts(storage) == counts


def test_accepted_spellings_of_dates_and_numbers(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _export(service, round_id, tmp_path, SMALL)[SMALL]
    items = service.sheet_items(round_id, _department(storage, SMALL))
    dates = iter([datetime(2021, 7, 30), "2021-07-30", "2021/7/30", "2021年7月30日", "2021.7.30"])
    numbers = iter([92, "92", "92%", "92％"])
    cells: dict[int, dict[str, Any]] = {}
    for index, item in enumerate(items):
        if item.kind is ItemKind.TARGET:
            cells[index] = {COL_ACTUAL: next(numbers, "92")}
        else:
            cells[index] = {COL_STATE: "已完成", COL_COMPLETED: next(dates, date(2021, 7, 30))}
    _fill(path, cells=cells)
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    assert {
        row
        for row in storage.db.execute(
            "SELECT DISTINCT completed_on FROM progress_reports WHERE deleted = 0"
        )
    } == {("2021-07-30",)}
    assert {row for row in storage.db.execute("SELECT DISTINCT value FROM target_actuals")} == {
        (92.0,)
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2021, 7, 30, 0, 0), date(2021, 7, 30)),
        (date(2021, 7, 30), date(2021, 7, 30)),
        ("2021-07-30", date(2021, 7, 30)),
        ("2021/7/30", date(2021, 7, 30)),
        ("2021年7月30日", date(2021, 7, 30)),
        ("２０２１年７月３０日", date(2021, 7, 30)),
        (" 2021-7-3 ", date(2021, 7, 3)),
        ("2021-07-30 00:00:00", date(2021, 7, 30)),
        ("20210730", date(2021, 7, 30)),
        (44407, date(2021, 7, 30)),  # an Excel serial that lost its date format
    ],
)
def test_parse_date_accepts(value: Any, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["7月底", "2021-02-30", "下周", "30", 30, "2021年7月"])
def test_parse_date_refuses(value: Any) -> None:
    with pytest.raises(ValueError, match="日期"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (92, "%", 92.0),
        (92.5, "", 92.5),
        ("92", "%", 92.0),
        ("92%", "%", 92.0),
        ("92％", "%", 92.0),
        ("９２", "", 92.0),
        ("1,200", "人", 1200.0),
        ("1.3万", "人次", 13000.0),
        ("25家", "家", 25.0),
        ("-0.5", "", -0.5),
    ],
)
def test_parse_number_accepts(value: Any, unit: str, expected: float) -> None:
    assert parse_number(value, unit) == expected


@pytest.mark.parametrize("value", ["九十二", "92家", "约90", "", "1.2.3", date(2021, 7, 1)])
def test_parse_number_refuses(value: Any) -> None:
    with pytest.raises(ValueError, match="不是数字"):
        parse_number(value, "%")


# ---- Replies -----------------------------------------------------------------------------------


def test_replies_show_late_and_missing_departments(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    files = _export(service, round_id, tmp_path, SMALL, RESPONSIBLE, LEAD)
    on_time = _fill(files[SMALL])
    late = _fill(files[RESPONSIBLE])
    assert service.import_files([on_time], received_on=DUE).ok
    assert service.import_files([late], received_on=date(2021, 8, 9)).ok
    replies = {r.department_name: r for r in service.replies(round_id)}
    assert set(replies) == {SMALL, RESPONSIBLE, LEAD}
    assert (replies[SMALL].received_on, replies[SMALL].late, replies[SMALL].missing) == (
        DUE,
        False,
        False,
    )
    assert (replies[RESPONSIBLE].late, replies[RESPONSIBLE].missing) == (True, False)
    assert (replies[LEAD].received_on, replies[LEAD].late, replies[LEAD].missing) == (
        None,
        False,
        True,
    )
    assert replies[SMALL].exported_on == EXPORTED and replies[SMALL].files == 1
    assert replies[LEAD].item_count == len(_items(service, round_id, LEAD))
