"""调度 rounds over the sample plan: export sheets, fill them in as a department would, import."""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.domain.ledger import Role
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.plan_store import PlanStore
from app.services.progress import (
    FileStatus,
    ImportReport,
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
    COL_NEXT,
    COL_PHONE,
    COL_PROBLEMS,
    COL_PROGRESS,
    COL_REPORTER,
    COL_ROLE,
    COL_STATE,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    META_SHEET,
    ROWS_SHEET,
    ItemKind,
    read_sheet,
)

ROUND = "2021年7月调度"
EXPORTED = date(2021, 7, 20)
DUE = date(2021, 8, 5)
RECEIVED = date(2021, 8, 3)
LEAD = "市行政审批服务局"  # mostly lead
RESPONSIBLE = "市税务局"  # mostly responsible; lead, responsible and cooperating roles
SMALL = "市国有资产监督管理局"  # 7 items: milestone, measure and target rows


# ---- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plan and one round, imported once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "ledger.sqlite"
    opened = Storage.open(path)
    plan = PlanStore(opened.repository).import_plan(
        parse_text(SAMPLE_PLAN.read_text("utf-8"), SAMPLE_PLAN.name)
    )
    ProgressService(opened.repository).create_round(ROUND, plan.plan_id, DUE, EXPORTED)
    copy = path.with_name("copy.sqlite")
    with closing(sqlite3.connect(copy)) as target:  # a WAL database is more than its file
        opened.db.conn.backup(target)
    opened.close()
    return copy


@pytest.fixture
def storage(template: Path, db_path: Path):
    """Overrides conftest's ``storage``: the same kind of database, with the sample in it."""
    shutil.copyfile(template, db_path)
    opened = Storage.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def service(storage: Storage) -> ProgressService:
    return ProgressService(storage.repository)


@pytest.fixture
def round_id(service: ProgressService) -> str:
    found = service.find_round(ROUND)
    assert found is not None
    return found.id


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
    save_as: Path | None = None,
    edit: Callable[[Any], None] | None = None,
) -> Path:
    """Fill in the editable cells the way a department does in Excel, then save.

    ``cells`` overrides single cells by data row index (0 = first item); ``edit`` gets the
    worksheet afterwards to do what protection normally prevents (tampering).
    """
    book = load_workbook(path)
    ws = book[ROWS_SHEET]
    column = {ws.cell(HEADER_ROW, i).value: i for i in range(1, ws.max_column + 1)}
    row = FIRST_DATA_ROW
    index = 0
    while ws.cell(row, column[COL_ID]).value:
        is_target = str(ws.cell(row, column[COL_ID]).value).startswith("T-")
        values: dict[str, Any] = {
            COL_PROGRESS: "已完成系统对接，正在推广应用。",
            COL_PROBLEMS: "无",
            COL_NEXT: "继续推进",
            COL_REPORTER: "张三",
            COL_PHONE: "0632-5512345",
        }
        if is_target:
            values[COL_ACTUAL] = actual
        else:
            values[COL_STATE] = state
            if done_on is not None:
                values[COL_COMPLETED] = done_on
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
        (_set_meta("format_version", "2"), None, "更新版本"),
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


def _items(service: ProgressService, round_id: str, name: str) -> list:
    return service.sheet_items(round_id, _department(service.repo, name))


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
    "missing-reporter": (
        COL_REPORTER,
        "填报人未填写",
        lambda ws, items: _put(ws, 2, COL_REPORTER, None),
    ),
    "missing-phone": (
        COL_PHONE,
        "联系电话未填写",
        lambda ws, items: _put(ws, _target(items), COL_PHONE, ""),
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
    _fill(files[RESPONSIBLE], cells={3: {COL_REPORTER: None}, 5: {COL_PHONE: None}})
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
        (files[RESPONSIBLE].name, _row(3), COL_REPORTER),
        (files[RESPONSIBLE].name, _row(5), COL_PHONE),
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
