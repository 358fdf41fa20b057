"""A corrected sheet supersedes the earlier one everywhere: the status, the detail pane, the CLI."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import main
from app.domain.ledger import Status
from app.services.context import Services
from app.services.progress import FileStatus, ProgressService
from app.storage import Storage
from reports.progress_sheet import COL_PROGRESS, COL_STATE, ItemKind
from tests.services.progress.support import LEAD, RESPONSIBLE, _department, _export, _fill

FIRST, SECOND = date(2021, 8, 1), date(2021, 8, 3)


def _cli_statuses(storage: Storage, as_of: date) -> dict[str, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main.main(["status", "--db", str(storage.path), "--as-of", as_of.isoformat()])
    assert code == 0
    return {m["id"]: m["status"] for m in json.loads(out.getvalue())["measures"]}


def _untouched_measures(services: Services, items, as_of: date) -> set[str]:
    """Measures among ``items`` whose milestones are all open and not yet due at ``as_of``."""
    result = set()
    for measure_id in {item.measure_id for item in items}:
        detail = services.details.measure(measure_id, as_of=as_of)
        assert detail is not None
        if detail.milestones and all(
            m.completed_on is None and m.due is not None and m.due >= as_of
            for m in detail.milestones
        ):
            result.add(measure_id)
    return result


def _not_started(items, progress: str | None = None) -> dict[int, dict[str, object]]:
    return {
        index: {COL_STATE: "未开始", COL_PROGRESS: progress}
        for index, item in enumerate(items)
        if item.kind is not ItemKind.TARGET
    }


def test_correcting_in_progress_back_to_not_started(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    exported = _export(service, round_id, tmp_path, LEAD)[LEAD]
    items = service.sheet_items(round_id, _department(storage, LEAD))
    first = _fill(exported, state="推进中", save_as=tmp_path / "first.xlsx")
    assert service.import_files([first], received_on=FIRST).ok
    watched = _untouched_measures(services, items, SECOND)
    assert len(watched) >= 3
    statuses = {row.id: row.status for row in services.status.measures(as_of=SECOND)}
    assert {statuses[m] for m in watched} == {Status.IN_PROGRESS}

    second = _fill(exported, cells=_not_started(items), save_as=tmp_path / "second.xlsx")
    report = service.import_files([second], received_on=SECOND)
    assert report.ok and [f.status for f in report.files] == [FileStatus.CORRECTED]

    # The superseded 推进中 no longer counts, at any as-of date after either file came in.
    for as_of in (FIRST, SECOND, date(2021, 8, 20)):
        statuses = {row.id: row.status for row in services.status.measures(as_of=as_of)}
        assert {statuses[m] for m in watched} == {Status.NOT_STARTED}, as_of
        for measure_id in watched:
            detail = services.details.measure(measure_id, as_of=as_of)
            assert detail is not None
            assert {m.status for m in detail.milestones} == {Status.NOT_STARTED}
            # Only the correction is shown as 进展记录.
            assert {(r.state, r.reported_on) for r in detail.reports} == {("not_started", SECOND)}
    cli = _cli_statuses(storage, SECOND)
    assert {cli[m] for m in watched} == {"未开始"}
    # The reply came in with the first file; the correction is counted as a second file.
    [reply] = [r for r in service.replies(round_id) if r.department_name == LEAD]
    assert (reply.received_on, reply.files) == (FIRST, 2)


def test_a_correction_leaves_other_departments_reports_alone(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    files = _export(service, round_id, tmp_path, LEAD, RESPONSIBLE)
    lead_items = service.sheet_items(round_id, _department(storage, LEAD))
    tax_items = service.sheet_items(round_id, _department(storage, RESPONSIBLE))
    shared = _untouched_measures(services, lead_items, SECOND) & {
        item.measure_id for item in tax_items
    }
    assert shared
    tax = _fill(files[RESPONSIBLE], state="推进中", save_as=tmp_path / "tax.xlsx")
    lead = _fill(files[LEAD], state="推进中", save_as=tmp_path / "lead.xlsx")
    assert service.import_files([tax, lead], received_on=FIRST).ok
    correction = _fill(files[LEAD], cells=_not_started(lead_items), save_as=tmp_path / "2.xlsx")
    assert service.import_files([correction], received_on=SECOND).ok
    # 市税务局 still says 推进中 on the measures it shares with the lead.
    statuses = {row.id: row.status for row in services.status.measures(as_of=SECOND)}
    assert {statuses[m] for m in shared} == {Status.IN_PROGRESS}


def test_a_sheet_of_a_later_round_supersedes_nothing_of_an_earlier_one(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    july = _fill(_export(service, round_id, tmp_path / "7", LEAD)[LEAD], state="推进中")
    assert service.import_files([july], received_on=FIRST).ok
    plan_id = service.get_round(round_id).plan_id or ""
    august = service.create_round("2021年8月调度", plan_id, None, date(2021, 8, 20))
    department = _department(storage, LEAD)
    [exported] = service.export_sheets(
        august, tmp_path / "8", date(2021, 8, 20), departments={department}
    )
    items = service.sheet_items(august, department)
    watched = _untouched_measures(services, items, date(2021, 8, 25))
    assert watched
    once = _fill(exported, cells=_not_started(items), save_as=tmp_path / "8-1.xlsx")
    assert service.import_files([once], received_on=date(2021, 8, 23)).ok
    again = _fill(exported, cells=_not_started(items, "尚未启动"), save_as=tmp_path / "8-2.xlsx")
    report = service.import_files([again], received_on=date(2021, 8, 25))
    assert [f.status for f in report.files] == [FileStatus.CORRECTED]
    # August's 未开始 (twice) does not undo July's 推进中: that report still stands.
    statuses = {row.id: row.status for row in services.status.measures(as_of=date(2021, 8, 25))}
    assert {statuses[m] for m in watched} == {Status.IN_PROGRESS}
    live_july = storage.db.execute(
        "SELECT COUNT(*) FROM progress_reports WHERE round_id = ? AND deleted = 0", [round_id]
    ).fetchone()[0]
    assert live_july == sum(
        1 for i in service.sheet_items(round_id, department) if i.kind is not ItemKind.TARGET
    )


def test_a_superseded_actual_value_is_no_longer_shown(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    services = Services.for_storage(storage)
    exported = _export(service, round_id, tmp_path, LEAD)[LEAD]
    items = service.sheet_items(round_id, _department(storage, LEAD))
    target = next(item for item in items if item.kind is ItemKind.TARGET)
    assert service.import_files(
        [_fill(exported, actual=80, save_as=tmp_path / "1.xlsx")], received_on=FIRST
    ).ok
    assert service.import_files(
        [_fill(exported, actual=95, save_as=tmp_path / "2.xlsx")], received_on=SECOND
    ).ok
    detail = services.details.measure(target.measure_id, as_of=SECOND)
    assert detail is not None
    [state] = [t for t in detail.targets if t.id == target.target_id]
    assert [(a.value, a.measured_on) for a in state.history] == [(95.0, SECOND)]
