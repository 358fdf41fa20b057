"""What the 同步 page shows and does, driven through app/sync: history, devices, conflicts and a
supervisor's decision (which syncs), progress and cancel."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.domain.inspection import UserRole
from app.progress import Cancelled
from app.storage.export import export_tables
from app.sync import FolderShare, sync
from app.sync.status import (
    ConflictError,
    devices_seen,
    list_conflicts,
    read_history,
    resolve_conflict,
)
from tests.sync.test_folder_sync import Laptop, _converged, _settle


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


def _conflicted(tmp_path: Path, share: Path) -> tuple[Laptop, Laptop, str]:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    plan = a.repo.insert("plans", {"title": "方案", "doc_number": "滕政发〔2021〕9号"})
    a.sync(share)
    b.sync(share)
    a.repo.update("plans", plan, {"title": "标题（甲）"})
    time.sleep(0.01)
    b.repo.update("plans", plan, {"title": "标题（乙）"})
    _settle([a, b], share)
    return a, b, plan


def test_a_supervisors_decision_travels_and_closes_the_conflict_everywhere(tmp_path, share):
    a, b, plan = _conflicted(tmp_path, share)
    (conflict,) = list_conflicts(a.storage)
    assert conflict.record == "实施方案：标题（乙）" and conflict.field_label == "标题"
    assert (conflict.kept_value, conflict.lost_value) == ("标题（乙）", "标题（甲）")
    assert len(list_conflicts(b.storage)) == 1
    # a keeps the value that lost: written with a new HLC, later than both sides.
    done = resolve_conflict(a.storage, conflict.id, "lost")
    assert done.resolved and list_conflicts(a.storage) == []
    assert a.repo.get("plans", plan)["title"] == "标题（甲）"
    _settle([a, b], share)
    _converged([a, b])
    assert b.repo.get("plans", plan)["title"] == "标题（甲）"
    assert list_conflicts(b.storage) == []  # closed on b by the decision that came in
    assert [c.resolved for c in list_conflicts(b.storage, include_resolved=True)] == [True]


def test_keeping_the_value_that_won_is_a_decision_too(tmp_path, share):
    a, b, plan = _conflicted(tmp_path, share)
    (conflict,) = list_conflicts(b.storage)
    entries = b.storage.repository.log.entry_count()
    resolve_conflict(b.storage, conflict.id, "kept")
    assert b.storage.repository.log.entry_count() == entries + 1  # logged although unchanged
    _settle([a, b], share)
    assert list_conflicts(a.storage) == [] and list_conflicts(b.storage) == []
    assert export_tables(a.storage)["plans"][plan]["title"] == "标题（乙）"


def test_only_a_supervisor_decides(tmp_path, share):
    a, _b, plan = _conflicted(tmp_path, share)
    a.services.identity.set(role=UserRole.INSPECTOR)
    (conflict,) = list_conflicts(a.storage)
    with pytest.raises(ConflictError, match="审核人"):
        resolve_conflict(a.storage, conflict.id, "lost")
    assert a.repo.get("plans", plan)["title"] == "标题（乙）" and list_conflicts(a.storage)


def test_history_and_devices_seen_after_syncs(tmp_path, share):
    a, b, _plan = _conflicted(tmp_path, share)
    history = read_history(a.storage)
    assert len(history) >= 2 and history[0].share == str(share)
    assert sum(run.sent for run in history) >= 2 and sum(run.applied for run in history) >= 1
    assert any(run.conflicts for run in read_history(a.storage) + read_history(b.storage))
    mine, other = devices_seen(a.storage)
    assert mine.this_laptop and mine.device == a.storage.device_id
    assert other.device == b.storage.device_id and other.batches >= 1 and other.last_sync
    assert other.last_change


def test_cancel_stops_between_batches_and_the_next_sync_goes_on(tmp_path, share, monkeypatch):
    monkeypatch.setattr("app.sync.engine.COMMIT_ENTRIES", 10)  # each batch its own transaction
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    for index in range(30):
        a.repo.insert("plans", {"title": f"方案{index}", "doc_number": "x"})
    sync(a.storage, FolderShare(share), batch_entries=10)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if len(calls) == 4:  # after the export and a batch or two of a's
            raise Cancelled

    report = sync(b.storage, FolderShare(share), batch_entries=10, progress=progress)
    assert report.cancelled and 0 < report.applied < 30
    assert all(0 <= done <= total == 1000 for done, total in calls)
    assert read_history(b.storage)[0].cancelled
    report = sync(b.storage, FolderShare(share), batch_entries=10)
    assert not report.cancelled and not report.problems
    _converged([a, b])
