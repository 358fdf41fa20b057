"""Returned sheets after the department directory changed since export: a merge (both sides),
a rename, a deletion, a milestone added to the plan."""

from __future__ import annotations

from pathlib import Path

from app.domain.ledger import Status
from app.services.context import Services
from app.services.progress import FileStatus, ProgressService
from app.storage import Storage
from reports.progress_sheet import COL_ID, FIRST_DATA_ROW, META_SHEET, ROWS_SHEET, ItemKind
from tests.services.progress.support import (
    RECEIVED,
    ROUND,
    SMALL,
    _completed,
    _counts,
    _department,
    _export,
    _fill,
    _lead_ids,
)

KEEP = "市金融服务中心"  # leads three of the measures SMALL is responsible for
AFTER = RECEIVED.replace(day=RECEIVED.day + 1)


def _live_actuals(storage: Storage, name: str) -> set[float]:
    return {
        value
        for (value,) in storage.db.execute(
            "SELECT value FROM target_actuals WHERE source = ? AND deleted = 0",
            [f"{ROUND}·{name}"],
        )
    }


def _reports(storage: Storage, department_id: str) -> int:
    return storage.db.execute(
        "SELECT COUNT(*) FROM progress_reports WHERE department_id = ? AND deleted = 0",
        [department_id],
    ).fetchone()[0]


def test_both_sheets_of_a_merge_import_after_it(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    small, keep = _department(storage, SMALL), _department(storage, KEEP)
    small_items = service.sheet_items(round_id, small)
    keep_items = service.sheet_items(round_id, keep)
    files = _export(service, round_id, tmp_path, SMALL, KEEP)
    _fill(files[SMALL], state="已完成", done_on=RECEIVED, actual=80)
    _fill(files[KEEP], state="推进中", actual=90)
    # The office finds 市国有资产监督管理局 and 市金融服务中心 are one department, and merges them
    # while the sheets are out.
    services.departments.merge(keep, small)

    report = service.import_files([files[SMALL], files[KEEP]], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    assert [f.status for f in report.files] == [FileStatus.IMPORTED, FileStatus.IMPORTED]
    assert f"已并入“{KEEP}”" in report.files[0].note
    # Each sheet is recorded as the reply it is: under the department it was sent to.
    assert _reports(storage, small) == sum(i.kind is not ItemKind.TARGET for i in small_items)
    assert _reports(storage, keep) == sum(i.kind is not ItemKind.TARGET for i in keep_items)
    assert _live_actuals(storage, SMALL) == {80.0} and _live_actuals(storage, KEEP) == {90.0}
    replies = {r.department_name: r for r in service.replies(round_id)}
    assert replies[SMALL].received_on == replies[KEEP].received_on == RECEIVED
    # 已完成 from the merged department completes what the department it is now part of leads.
    completed = {"done": 0, "open": 0}
    for item in small_items:
        if item.kind is ItemKind.TARGET:
            continue
        table, row_id = (
            ("milestones", item.milestone_id)
            if item.milestone_id
            else ("measures", item.measure_id)
        )
        leads = _lead_ids(storage, item.measure_id)
        if keep in leads or not leads:
            assert _completed(storage, table, row_id) == RECEIVED.isoformat()
            completed["done"] += 1
        else:
            assert _completed(storage, table, row_id) is None
            completed["open"] += 1
    assert completed["done"] and completed["open"]
    # The detail pane shows who reported, under the name the sheet was sent to.
    measure = next(i.measure_id for i in small_items if i.kind is not ItemKind.TARGET)
    detail = services.details.measure(measure, as_of=RECEIVED)
    assert detail is not None and SMALL in {r.department for r in detail.reports}


def test_a_chain_of_merges_is_followed(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    directory = Services.for_storage(storage).departments
    path = _fill(_export(service, round_id, tmp_path, SMALL)[SMALL])
    between = _department(storage, "市法院")
    directory.merge(between, _department(storage, SMALL))
    directory.merge(_department(storage, KEEP), between)
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    assert f"已并入“{KEEP}”" in report.files[0].note


def test_corrections_after_a_merge_keep_the_two_replies_apart(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    small, keep = _department(storage, SMALL), _department(storage, KEEP)
    files = _export(service, round_id, tmp_path, SMALL, KEEP)
    first_small = _fill(files[SMALL], actual=80, save_as=tmp_path / "small-1.xlsx")
    assert service.import_files([first_small], received_on=RECEIVED).ok  # before the merge
    services.departments.merge(keep, small)
    keep_reply = _fill(files[KEEP], actual=90, save_as=tmp_path / "keep-1.xlsx")
    assert service.import_files([keep_reply], received_on=RECEIVED).ok
    small_reports = _reports(storage, small)

    # The department it was merged into corrects its own sheet: the merged one's reply stays.
    keep_fix = _fill(files[KEEP], actual=95, save_as=tmp_path / "keep-2.xlsx")
    report = service.import_files([keep_fix], received_on=AFTER)
    assert [f.status for f in report.files] == [FileStatus.CORRECTED]
    assert _live_actuals(storage, KEEP) == {95.0}
    assert _live_actuals(storage, SMALL) == {80.0}
    assert _reports(storage, small) == small_reports

    # The merged department corrects its sheet: only its own earlier reply is superseded.
    small_fix = _fill(files[SMALL], actual=85, save_as=tmp_path / "small-2.xlsx")
    report = service.import_files([small_fix], received_on=AFTER)
    assert [f.status for f in report.files] == [FileStatus.CORRECTED], [
        str(e) for e in report.errors
    ]
    assert _live_actuals(storage, SMALL) == {85.0}
    assert _live_actuals(storage, KEEP) == {95.0}
    assert _reports(storage, small) == small_reports


def test_a_row_deleted_from_a_merged_departments_sheet_is_refused(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    path = _export(service, round_id, tmp_path, SMALL)[SMALL]
    last = FIRST_DATA_ROW + len(service.sheet_items(round_id, _department(storage, SMALL))) - 1
    _fill(path, edit=lambda ws: ws.delete_rows(last))
    services.departments.merge(_department(storage, KEEP), _department(storage, SMALL))
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    assert not report.ok and _counts(storage) == before
    [issue] = report.errors
    assert (issue.sheet, issue.column) == (ROWS_SHEET, COL_ID)
    assert "缺少事项" in issue.reason and "7 项" in issue.reason


def test_a_renamed_departments_sheet_imports_under_its_new_name(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    small = _department(storage, SMALL)
    path = _fill(_export(service, round_id, tmp_path, SMALL)[SMALL], actual=80)
    services.departments.rename(small, "市国资委")
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    assert report.files[0].department_name == "市国资委"
    assert _live_actuals(storage, "市国资委") == {80.0}


def test_a_sheet_of_a_deleted_department_is_refused(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _fill(_export(service, round_id, tmp_path, SMALL)[SMALL])
    small = _department(storage, SMALL)
    repo = storage.repository
    with repo.transaction():  # removed outright (as a sync from another laptop could), not merged
        for (row_id,) in storage.db.execute(
            "SELECT id FROM assignments WHERE department_id = ? AND deleted = 0", [small]
        ).fetchall():
            repo.delete("assignments", row_id)
        repo.delete("departments", small)
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    assert not report.ok and _counts(storage) == before
    [issue] = report.errors
    assert (issue.sheet, issue.column) == (META_SHEET, "department_id")
    assert f"填报部门“{SMALL}”" in issue.reason and "已被删除" in issue.reason


def test_a_milestone_added_after_export_does_not_make_the_sheet_incomplete(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    small = _department(storage, SMALL)
    path = _fill(_export(service, round_id, tmp_path, SMALL)[SMALL], state="推进中")
    measure = next(i.measure_id for i in service.sheet_items(round_id, small) if i.milestone_id)
    added = storage.repository.insert(
        "milestones",
        {"measure_id": measure, "raw": "12月底前", "due": "2021-12-31", "kind": "date"},
    )
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    # Nothing is recorded for the milestone the department was not asked about.
    assert not storage.db.execute(
        "SELECT 1 FROM progress_reports WHERE milestone_id = ?", [added]
    ).fetchone()
    detail = services.details.measure(measure, as_of=RECEIVED)
    assert detail is not None
    assert {m.id: m.status for m in detail.milestones}[added] is Status.NOT_STARTED


def test_a_tampered_sheet_still_names_its_missing_row(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    small = _department(storage, SMALL)
    items = service.sheet_items(round_id, small)
    path = _export(service, round_id, tmp_path, SMALL)[SMALL]
    _fill(path, edit=lambda ws: ws.delete_rows(FIRST_DATA_ROW))
    report = service.import_files([path], received_on=RECEIVED)
    assert not report.ok
    [issue] = report.errors
    assert f"编号 {items[0].code}" in issue.reason and "缺少事项" in issue.reason


def test_once_a_measures_lead_is_removed_the_responsible_departments_word_completes_it(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    small = _department(storage, SMALL)
    items = [i for i in service.sheet_items(round_id, small) if i.kind is ItemKind.MILESTONE]
    chosen = items[0]
    path = _fill(
        _export(service, round_id, tmp_path, SMALL)[SMALL], state="已完成", done_on=RECEIVED
    )
    repo = storage.repository
    for (row_id,) in storage.db.execute(  # the plan no longer names a lead for this measure
        "SELECT id FROM assignments WHERE measure_id = ? AND role = 'lead' AND deleted = 0",
        [chosen.measure_id],
    ).fetchall():
        repo.delete("assignments", row_id)
    assert service.import_files([path], received_on=RECEIVED).ok
    for item in items:
        expected = RECEIVED.isoformat() if item.measure_id == chosen.measure_id else None
        assert _completed(storage, "milestones", item.milestone_id) == expected


def test_a_lead_department_removed_from_the_directory_no_longer_leads(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    """Its assignment may outlive it (another laptop assigned it while this one deleted it);
    then the measure has no live lead and the responsible department's 已完成 completes it."""
    small = _department(storage, SMALL)
    items = [i for i in service.sheet_items(round_id, small) if i.kind is ItemKind.MILESTONE]
    path = _fill(
        _export(service, round_id, tmp_path, SMALL)[SMALL], state="已完成", done_on=RECEIVED
    )
    [gone] = _lead_ids(storage, items[0].measure_id)
    storage.repository.delete("departments", gone)
    assert service.import_files([path], received_on=RECEIVED).ok
    for item in items:
        expected = RECEIVED.isoformat() if _lead_ids(storage, item.measure_id) == {gone} else None
        assert _completed(storage, "milestones", item.milestone_id) == expected
    assert _completed(storage, "milestones", items[0].milestone_id) == RECEIVED.isoformat()
