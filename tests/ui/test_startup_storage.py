"""Starting the desktop app on a database that is busy, read-only or in a missing folder."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.storage import Storage
from tests.conftest import add_sample_plan
from tests.storage_conditions import (
    InProcessReadOnly,
    in_process_read_only,
    write_lock_held_by_another_process,
)
from ui.application import run_gui
from ui.main_window import MainWindow


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[InProcessReadOnly]:
    with in_process_read_only(tmp_path) as guard:
        yield guard


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str, str]]:
    """Every message box shown: (kind, title, text)."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(
            QMessageBox,
            kind,
            lambda parent, title, text, *rest, kind=kind: shown.append((kind, title, text)),
        )
    return shown


def _run_until_ready(path: Path, on_ready: Callable[[MainWindow], None]) -> int:
    """run_gui(path); once the window has its database, call ``on_ready`` and close it."""

    running = [True]

    def poll() -> None:
        if not running[0]:
            return  # run_gui has returned (the window never got its database)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible() and widget.is_ready():
                try:
                    on_ready(widget)
                finally:
                    widget.close()
                return
        QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    try:
        return run_gui(path)
    finally:
        running[0] = False


def _ledger(path: Path) -> Path:
    storage = Storage.open(path)
    add_sample_plan(storage)
    storage.close()
    return path


def _status_texts(window: MainWindow) -> str:
    from PySide6.QtWidgets import QLabel

    bar = window.statusBar()
    return " ".join([bar.currentMessage(), *(label.text() for label in bar.findChildren(QLabel))])


def test_an_explicit_db_in_a_missing_folder_is_refused_naming_the_folder(
    qtbot, tmp_path: Path, dialogs
) -> None:
    folder = tmp_path / "督查室"
    assert _run_until_ready(folder / "ledger.sqlite", lambda window: None) == 2
    (kind, _title, text), *_ = dialogs
    assert kind == "critical" and str(folder) in text and "不存在" in text
    assert not folder.exists()


def test_a_new_database_is_announced_in_the_status_bar(qtbot, tmp_path: Path, dialogs) -> None:
    path = tmp_path / "new.sqlite"
    seen: list[str] = []
    assert _run_until_ready(path, lambda window: seen.append(_status_texts(window))) == 0
    assert f"新建数据库：{path}" in seen[0]
    assert dialogs == []


def test_a_busy_database_at_startup_says_so(qtbot, tmp_path: Path, dialogs, monkeypatch) -> None:
    monkeypatch.setattr("ui.application.BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "ledger.sqlite"
    with closing(sqlite3.connect(path)) as connection:  # a new database: the first open writes
        connection.execute("PRAGMA journal_mode = wal")
    with write_lock_held_by_another_process(path):
        assert _run_until_ready(path, lambda window: None) == 2
    (kind, _title, text), *_ = dialogs
    assert kind == "critical" and "数据库正被另一个程序使用" in text and "请稍后重试" in text
    assert "已损坏" not in text


@pytest.mark.parametrize("case", ["file", "folder"])
def test_a_read_only_database_opens_read_only_with_a_notice_and_refuses_changes(
    case: str, qtbot, tmp_path: Path, dialogs, read_only: InProcessReadOnly
) -> None:
    from ui.dialogs.holidays import HolidaysDialog

    folder = tmp_path / "ledger"
    folder.mkdir()
    path = _ledger(folder / "ledger.sqlite")
    read_only.lock(path if case == "file" else folder)
    seen: dict[str, object] = {}

    def on_ready(window: MainWindow) -> None:
        seen["status"] = _status_texts(window)
        seen["title"] = window.windowTitle()
        qtbot.waitUntil(lambda: "统计" not in window.ledger_page.count_label.text(), timeout=5000)
        seen["count"] = window.ledger_page.count_label.text()
        dialog = HolidaysDialog(window._services.holidays, window)
        dialog.set_form(date(2027, 1, 1), "holiday", "元旦")
        dialog.add_button.click()
        dialog.close()

    assert _run_until_ready(path, on_ready) == 0
    assert "只读打开" in str(seen["status"]) and str(path) in str(seen["status"])
    assert "不能修改" in str(seen["status"])
    assert "只读" in str(seen["title"])
    assert "共 6 项措施" in str(seen["count"])
    refusals = [text for kind, _title, text in dialogs if kind == "warning"]
    assert len(refusals) == 1 and "只读" in refusals[0], dialogs
    assert not [d for d in dialogs if d[0] == "critical"], dialogs


def test_a_database_in_a_synced_folder_is_warned_about_in_the_status_bar(
    qtbot, tmp_path: Path, dialogs
) -> None:
    from PySide6.QtWidgets import QPushButton

    folder = tmp_path / "OneDrive - 市政府办公室"
    folder.mkdir()
    path = _ledger(folder / "ledger.sqlite")
    seen: list[tuple[str, str]] = []

    def look(window: MainWindow) -> None:
        notice = window.statusBar().findChild(QPushButton, "location_notice")
        assert notice is not None
        seen.append((notice.text(), notice.toolTip()))
        notice.click()

    assert _run_until_ready(path, look) == 0
    (text, tip), *_ = seen
    assert "OneDrive" in text and "同步文件夹" in text
    assert "移到本机的普通文件夹" in tip
    assert dialogs == [("warning", "数据库的位置不安全", tip)]


def test_a_database_in_an_ordinary_folder_gets_no_location_warning(
    qtbot, tmp_path: Path, dialogs
) -> None:
    from PySide6.QtWidgets import QPushButton

    path = _ledger(tmp_path / "ledger.sqlite")
    found: list[object] = []
    assert (
        _run_until_ready(
            path,
            lambda w: found.append(w.statusBar().findChild(QPushButton, "location_notice")),
        )
        == 0
    )
    assert found == [None]
