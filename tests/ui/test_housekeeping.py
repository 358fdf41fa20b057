"""Evidence housekeeping after startup: old viewing copies at once, the evidence folder's garbage a
while later, both on worker threads (the window keeps working while they wait for a lock)."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.domain.ledger import InspectionKind
from app.services import evidence_housekeeping
from app.services.context import Services
from app.services.evidence_housekeeping import (
    collect_garbage_in_file,
    remove_old_viewing_copies,
    viewing_folder,
)
from app.storage import Storage
from tests.services.photos import jpeg
from tests.services.test_status import Ledger
from ui.application import start_housekeeping

DAY = 24 * 3600


def _age(path: Path, seconds: float) -> Path:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test alone."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


class Evidence:
    """A ledger with one photo of a record, an orphaned blob and a killed import's leftover."""

    def __init__(self, services: Services, tmp_path: Path) -> None:
        measure = Ledger(services.storage).measure(title="窗口服务")
        record = services.inspections.record(
            measure,
            kind=InspectionKind.OPEN,
            checked_on=date(2021, 7, 15),
            inspector="张三",
            today=date(2021, 12, 31),
        )
        store = services.evidence
        self.kept = store.add(jpeg(tmp_path / "photo.jpg"), inspection_id=record).evidence.path
        self.orphan = store.blob_path("ab" + "0" * 62)
        self.orphan.parent.mkdir(parents=True, exist_ok=True)
        self.orphan.write_bytes(b"left by a killed process")
        self.leftover = self.kept.parent / ".~ducha-0123456789abcdef.tmp"
        self.leftover.write_bytes(b"half")
        for path in (self.kept, self.orphan, self.leftover):
            _age(path, 2 * 3600)


def _viewing_copy(name: str, age: float) -> Path:
    folder = viewing_folder() / name[:4].encode().hex()
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / name
    copy.write_bytes(b"a copy")
    os.chmod(copy, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # as 打开 leaves it
    return _age(copy, age)


def test_old_viewing_copies_go_with_their_folders(temp_folder: Path) -> None:
    old = _viewing_copy("旧照片.jpg", 2 * DAY)
    fresh = _viewing_copy("今天.jpg", 3600)
    other = temp_folder / "someone-else.txt"
    other.write_bytes(b"not ours")
    _age(other, 30 * DAY)
    assert remove_old_viewing_copies() == 1
    assert not old.exists() and not old.parent.exists()
    assert fresh.exists() and other.exists()


def test_no_viewing_folder_is_nothing_to_do(temp_folder: Path) -> None:
    assert remove_old_viewing_copies() == 0


def test_garbage_is_collected_on_a_connection_of_its_own(services: Services, tmp_path) -> None:
    scene = Evidence(services, tmp_path)
    report = collect_garbage_in_file(services.storage.path)
    assert (report.blobs, report.temporary) == (1, 1)
    assert scene.kept.is_file()
    assert not scene.orphan.exists() and not scene.leftover.exists()


def test_garbage_waits_for_another_writer(services: Services, tmp_path) -> None:
    scene = Evidence(services, tmp_path)
    other = sqlite3.connect(services.storage.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a writer (a CLI import) holds the lock
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            collect_garbage_in_file(services.storage.path, busy_timeout=0.2)
        assert scene.orphan.exists()  # nothing removed without the lock
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_ledger_without_evidence_is_not_even_opened(tmp_path: Path) -> None:
    report = collect_garbage_in_file(tmp_path / "不存在.sqlite")
    assert report.blobs == report.temporary == 0


def test_housekeeping_runs_off_the_ui_thread_after_startup(
    qtbot, services: Services, tmp_path: Path, temp_folder: Path, monkeypatch
) -> None:
    scene = Evidence(services, tmp_path)
    old_copy = _viewing_copy("旧照片.jpg", 2 * DAY)
    threads: list[threading.Thread] = []
    real = evidence_housekeeping.collect_garbage_in_file

    def watched(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(evidence_housekeeping, "collect_garbage_in_file", watched)
    # Another program holds the write lock when the collection starts: the window must keep
    # working meanwhile (a timer on the UI thread fires), and the collection finishes after.
    other = sqlite3.connect(services.storage.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks: list[float] = []
    window = QWidget()
    qtbot.addWidget(window)
    start_housekeeping(window, services, delay_ms=50)
    qtbot.waitUntil(lambda: not old_copy.exists(), timeout=5000)
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    ticker = QTimer(window)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start(20)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)  # the UI thread is not blocked
    assert scene.orphan.exists()  # still waiting for the lock
    other.execute("ROLLBACK")
    other.close()
    qtbot.waitUntil(lambda: not scene.orphan.exists(), timeout=15000)
    assert not scene.leftover.exists() and scene.kept.is_file()
    assert threads[0] is not threading.main_thread()


def test_a_read_only_ledger_is_left_alone(qtbot, services: Services, tmp_path, monkeypatch):
    scene = Evidence(services, tmp_path)
    path = services.storage.path
    calls: list[object] = []
    monkeypatch.setattr(
        evidence_housekeeping, "collect_garbage_in_file", lambda *a, **k: calls.append(a)
    )
    read_only = Storage.open(path, read_only=True)
    try:
        window = QWidget()
        qtbot.addWidget(window)
        timer = start_housekeeping(window, Services.for_storage(read_only), delay_ms=0)
        qtbot.wait(200)
        assert not timer.isActive() and calls == []
        assert scene.orphan.exists()
    finally:
        read_only.close()


def test_startup_schedules_the_collection_later(qtbot, services: Services) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    timer = start_housekeeping(window, services)
    assert timer.isActive() and timer.remainingTime() > timedelta(seconds=60).seconds * 1000
