"""ProgressService.export_sheets: all sheets and their round_sheets rows, or none of either."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services.progress import ProgressError, ProgressService, sheets_out
from app.storage import Storage
from tests.services.progress.support import EXPORTED, ROUND, SMALL, _department


def _state(storage: Storage) -> tuple[int, int, int]:
    db = storage.db
    return (
        db.execute("SELECT COUNT(*) FROM rounds").fetchone()[0],
        db.execute("SELECT COUNT(*) FROM round_sheets").fetchone()[0],
        db["changes"].count,
    )


def test_an_exception_in_the_fifth_sheet_leaves_no_files_and_no_records(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path, monkeypatch
) -> None:
    calls = {"n": 0}
    write = sheets_out.write_sheet

    def broken(sheet, handle):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("a bug in the 5th sheet")
        write(sheet, handle)

    monkeypatch.setattr(sheets_out, "write_sheet", broken)
    before = _state(storage)
    with pytest.raises(RuntimeError, match="5th sheet"):
        service.export_sheets(round_id, tmp_path / "out", EXPORTED)
    assert _state(storage) == before
    assert not (tmp_path / "out").exists()


def test_a_commit_that_fails_after_the_files_were_placed_takes_them_back(
    storage: Storage, service: ProgressService, tmp_path: Path, monkeypatch
) -> None:
    plan_id = storage.db.execute("SELECT id FROM plans").fetchone()[0]
    publish = sheets_out.FileBatch.publish

    def publish_then_fail(batch):
        publish(batch)
        assert len(list(batch.folder.glob("*.xlsx"))) > 40  # they were in place
        raise OSError(28, "No space left on device")  # as if the database commit failed

    monkeypatch.setattr(sheets_out.FileBatch, "publish", publish_then_fail)
    before = _state(storage)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ProgressError, match="磁盘空间不足"):
        service.create_round_and_export(
            "2021年8月调度", plan_id, date(2021, 8, 20), EXPORTED, out, EXPORTED
        )
    assert _state(storage) == before
    assert service.find_round("2021年8月调度") is None
    assert list(out.iterdir()) == []


def test_sheets_of_departments_whose_names_clash_get_distinct_names(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    # "市/税务局" and "市_税务局" both become "市_税务局" on disk.
    ids = [_department(storage, SMALL), _department(storage, "市税务局")]
    storage.repository.update("departments", ids[0], {"name": "市/税务局"})
    storage.repository.update("departments", ids[1], {"name": "市_税务局"})
    result = service.export_sheets(round_id, tmp_path, EXPORTED, departments=set(ids))
    assert sorted(path.name for path in result) == [
        f"{ROUND}-市_税务局.xlsx",
        f"{ROUND}-市_税务局（2）.xlsx",
    ]
    assert result.kept == []  # nothing was in the folder
    assert all(path.exists() for path in result)


def test_planned_sheets_report_what_an_export_would_keep(
    service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{ROUND}-{SMALL}.XLSX").write_bytes(b"reply")  # another case, the same file
    planned = {sheet.department_name: sheet for sheet in service.planned_sheets(round_id, out)}
    assert planned[SMALL].kept and planned[SMALL].name == f"{ROUND}-{SMALL}（2）.xlsx"
    assert sum(sheet.kept for sheet in planned.values()) == 1
    assert list(out.iterdir()) == [out / f"{ROUND}-{SMALL}.XLSX"]  # it only looked
