"""Returned sheets at the edges: the receive day, dates on rows not 已完成, a sheet whose plan does
not match its round, a round whose plan is gone."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import main
from app.domain.ledger import Role, Status
from app.services.context import Services
from app.services.progress import ProgressService
from app.storage import Storage
from reports.progress_sheet import COL_STATE, META_SHEET, ItemKind
from tests.services.progress.support import (
    LEAD,
    RECEIVED,
    _completed,
    _counts,
    _department,
    _export,
    _fill,
)


def _set_meta(key: str, value: str):
    def edit(ws) -> None:
        for cells in ws.parent[META_SHEET].iter_rows():
            if cells[0].value == key:
                cells[1].value = value

    return edit


def _lead_milestones(service: ProgressService, round_id: str, storage: Storage) -> list:
    items = service.sheet_items(round_id, _department(storage, LEAD))
    return [i for i in items if i.kind is ItemKind.MILESTONE and i.role is Role.LEAD]


def test_a_completion_dated_the_receive_day_is_accepted_and_counts_that_day(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _fill(_export(service, round_id, tmp_path, LEAD)[LEAD], state="已完成", done_on=RECEIVED)
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    milestones = _lead_milestones(service, round_id, storage)
    assert milestones
    assert {_completed(storage, "milestones", m.milestone_id) for m in milestones} == {
        RECEIVED.isoformat()
    }
    details = Services.for_storage(storage).details
    for as_of, states in (
        (RECEIVED - timedelta(days=1), {Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE}),
        (RECEIVED, {Status.DONE, Status.LATE_DONE}),
    ):
        for item in milestones:
            detail = details.measure(item.measure_id, as_of=as_of)
            assert detail is not None
            [state] = [m for m in detail.milestones if m.id == item.milestone_id]
            assert state.status in states, (as_of, state)
            if as_of == RECEIVED:  # on time exactly when due on or after the receive day
                assert (state.status is Status.DONE) == (state.due is None or state.due >= RECEIVED)


def test_a_completion_dated_the_day_after_receipt_is_refused(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _export(service, round_id, tmp_path, LEAD)[LEAD]
    _fill(path, state="已完成", done_on=RECEIVED + timedelta(days=1))
    before = _counts(storage)
    report = service.import_files([path], received_on=RECEIVED)
    assert not report.ok
    assert all("晚于报送日期" in e.reason for e in report.errors)
    assert _counts(storage) == before


def test_a_date_on_a_row_not_done_completes_nothing(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _fill(
        _export(service, round_id, tmp_path, LEAD)[LEAD], state="推进中", done_on=date(2021, 7, 30)
    )
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    for item in _lead_milestones(service, round_id, storage):
        assert _completed(storage, "milestones", item.milestone_id) is None
    assert storage.db.execute(
        "SELECT DISTINCT state, completed_on FROM progress_reports WHERE deleted = 0"
    ).fetchall() == [("in_progress", None)]


def test_a_state_typed_with_stray_spaces_is_understood(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    items = service.sheet_items(round_id, _department(storage, LEAD))
    typed = iter(
        ["推 进中", "推进中\n", "\u3000推进中", "推进\u00a0中"]
    )  # 全角空格, no-break space
    cells = {
        index: {COL_STATE: next(typed, "推进中")}
        for index, item in enumerate(items)
        if item.kind is not ItemKind.TARGET
    }
    path = _fill(_export(service, round_id, tmp_path, LEAD)[LEAD], cells=cells)
    report = service.import_files([path], received_on=RECEIVED)
    assert report.ok, [str(e) for e in report.errors]
    assert storage.db.execute(
        "SELECT DISTINCT state FROM progress_reports WHERE deleted = 0"
    ).fetchall() == [("in_progress",)]


def _import_cli(storage: Storage, path: Path) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.main(
            [
                "import-progress",
                "--db",
                str(storage.path),
                "--received-on",
                RECEIVED.isoformat(),
                str(path),
            ]
        )
    return code, json.loads(out.getvalue()), err.getvalue()


def test_a_sheet_whose_plan_does_not_match_its_round_is_refused(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    other_plan = storage.repository.insert("plans", {"title": "另一个方案"})
    path = _export(service, round_id, tmp_path, LEAD)[LEAD]
    _fill(path, edit=_set_meta("plan_id", other_plan))
    before = _counts(storage)
    code, result, messages = _import_cli(storage, path)
    assert code == 1 and not result["ok"]
    assert [(e["sheet"], e["column"]) for e in result["errors"]] == [(META_SHEET, "plan_id")]
    assert "方案与该调度轮次的方案不一致" in messages
    assert _counts(storage) == before


def test_a_sheet_of_a_round_whose_plan_was_deleted_is_refused_with_a_message(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    path = _fill(_export(service, round_id, tmp_path, LEAD)[LEAD])
    storage.repository.delete("plans", service.get_round(round_id).plan_id)
    before = _counts(storage)
    code, result, messages = _import_cli(storage, path)
    assert code == 1 and not result["ok"]
    assert [(e["file"], e["column"]) for e in result["errors"]] == [(path.name, "plan_id")]
    assert "方案已被删除" in messages
    assert _counts(storage) == before
