"""The 同步 page as inspectors use it: choose the shared folder, 立即同步 (off the UI thread, with
取消), read what it did, settle a conflict as 审核人, merge a colleague's database file, export a
copy, sync at exit; and the ledger refreshes with what came in."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from app.domain.inspection import UserRole
from app.services.context import Services
from app.storage import Storage
from app.storage.export import export_tables
from app.sync import FolderShare, sync
from app.sync.status import list_conflicts
from tests.conftest import add_sample_plan
from tests.ui.test_window_sizes import LAPTOP, _clipped, _resize
from ui.actions import ActionId
from ui.main_window import MainWindow
from ui.settings import AppSettings
from ui.widgets.file_dialogs import FileDialogs


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "共享"
    folder.mkdir()
    return folder


@pytest.fixture
def colleague(tmp_path: Path):
    folder = tmp_path / "colleague"
    folder.mkdir()
    services = Services.for_storage(Storage.open(folder / "台账.sqlite"))
    services.identity.set("李四", UserRole.SUPERVISOR)
    yield services
    services.close()


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, _title, text, *rest: shown.append(text)
    )
    return shown


@pytest.fixture
def chosen(monkeypatch) -> dict[str, Path]:
    """What the file dialogs return: {"folder": ..., "file": ...}."""
    answers: dict[str, Path] = {}
    monkeypatch.setattr(FileDialogs, "choose_folder", lambda *a, **k: answers.get("folder"))
    monkeypatch.setattr(FileDialogs, "open_file", lambda *a, **k: answers.get("file"))
    monkeypatch.setattr("ui.pages.sync_page.show_saved", lambda *a, **k: None)
    return answers


def _sync_and_wait(qtbot, window: MainWindow) -> None:
    page = window.sync_page
    page.sync_button.click()
    qtbot.waitUntil(lambda: not page.is_running(), timeout=20000)


def _ledger_rows(window: MainWindow) -> int:
    return window.ledger_page.model.rowCount()


def test_choose_the_share_sync_and_the_ledger_shows_what_came_in(
    qtbot, window: MainWindow, colleague: Services, share: Path, chosen, app_settings, tmp_path
) -> None:
    add_sample_plan(colleague.storage)
    sync(colleague.storage, FolderShare(share))
    assert _ledger_rows(window) == 0
    window.show_page("sync")
    page = window.sync_page
    chosen["folder"] = share
    _sync_and_wait(qtbot, window)  # no folder yet: 立即同步 asks for one first
    assert page.share_edit.text() == str(share)
    assert "合并 1 批" in page.summary.text() and "问题 0 个" in page.summary.text()
    qtbot.waitUntil(lambda: _ledger_rows(window) > 0)  # the ledger heard of the change
    assert page.history_table.rowCount() == 1 and page.history_table.item(0, 6).text() == "完成"
    devices = [page.device_table.item(r, 0).text() for r in range(page.device_table.rowCount())]
    assert devices == [
        window._services.storage.device_id[:8] + "（本机）",
        colleague.storage.device_id[:8],
    ]
    # Remembered: a new window (settings read again) has the same folder.
    again = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.sync_share() == share
    # An edit made here after the sync comes after what arrived, and reaches the colleague.
    plan = window._services.storage.db.execute("SELECT id FROM plans").fetchone()[0]
    window._services.repository.update("plans", plan, {"title": "本机改的标题"})
    _sync_and_wait(qtbot, window)
    sync(colleague.storage, FolderShare(share))
    assert colleague.repository.get("plans", plan)["title"] == "本机改的标题"


def test_a_supervisor_settles_a_conflict_and_the_decision_reaches_the_colleague(
    qtbot, window: MainWindow, colleague: Services, share: Path, chosen, warnings
) -> None:
    page = window.sync_page
    page.set_share_folder(share)
    add_sample_plan(colleague.storage)
    sync(colleague.storage, FolderShare(share))
    _sync_and_wait(qtbot, window)
    services = window._services
    plan = services.storage.db.execute("SELECT id FROM plans").fetchone()[0]
    services.repository.update("plans", plan, {"title": "本机的标题"})
    time.sleep(0.01)
    colleague.repository.update("plans", plan, {"title": "同事的标题"})
    sync(colleague.storage, FolderShare(share))
    _sync_and_wait(qtbot, window)
    assert "冲突 1 处" in page.summary.text()
    assert page.tabs.tabText(0) == "冲突（1）" and page.conflict_table.rowCount() == 1
    assert page.conflict_table.item(0, 2).text().startswith("同事的标题")
    assert page.conflict_table.item(0, 3).text().startswith("本机的标题")
    # A 督查员 may not decide: told so, nothing changes.
    services.identity.set("张三", UserRole.INSPECTOR)
    page.other_button.click()
    assert warnings and "审核人" in warnings[0]
    assert services.repository.get("plans", plan)["title"] == "同事的标题"
    services.identity.set("王科长", UserRole.SUPERVISOR)
    page.other_button.click()
    assert services.repository.get("plans", plan)["title"] == "本机的标题"
    assert page.conflict_table.rowCount() == 0 and page.tabs.tabText(0) == "冲突"
    page.show_resolved.setChecked(True)
    assert page.conflict_table.item(0, 4).text() == "已处理"
    _sync_and_wait(qtbot, window)
    sync(colleague.storage, FolderShare(share))
    assert colleague.repository.get("plans", plan)["title"] == "本机的标题"
    assert list_conflicts(colleague.storage) == []


def test_cancel_stops_the_sync_and_the_next_one_finishes_it(
    qtbot, window: MainWindow, colleague: Services, share: Path, monkeypatch
) -> None:
    monkeypatch.setattr("app.sync.engine.COMMIT_ENTRIES", 10)
    for _ in range(3):
        add_sample_plan(colleague.storage)
    sync(colleague.storage, FolderShare(share), batch_entries=10)
    import app.sync.engine as engine

    cancelled = threading.Event()
    real_export = engine.export_changes

    def export_after_cancel(*args, **kwargs):
        assert cancelled.wait(10)  # the worker goes on only once 取消 was clicked
        return real_export(*args, **kwargs)

    monkeypatch.setattr(engine, "export_changes", export_after_cancel)
    window.show_page("sync")
    page = window.sync_page
    page.set_share_folder(share)
    page.sync_button.click()
    assert page.progress.isVisible() and page.cancel_button.isVisible()
    assert not page.sync_button.isEnabled()
    page.cancel_button.click()
    cancelled.set()
    qtbot.waitUntil(lambda: not page.is_running(), timeout=20000)
    assert page.last_report.cancelled and "同步已取消" in page.summary.text()
    assert page.history_table.item(0, 6).text() == "已取消"
    monkeypatch.setattr(engine, "export_changes", real_export)
    _sync_and_wait(qtbot, window)
    assert not page.last_report.cancelled
    assert export_tables(window._services.storage) == export_tables(colleague.storage)
    qtbot.waitUntil(lambda: _ledger_rows(window) == 18)


def test_merge_a_colleagues_file_and_export_a_copy_from_the_file_menu(
    qtbot, window: MainWindow, colleague: Services, chosen, tmp_path: Path
) -> None:
    add_sample_plan(colleague.storage)
    chosen["file"] = colleague.storage.path
    window.actions[ActionId.MERGE_DATABASE].trigger()
    page = window.sync_page
    assert window.current_page_key() == "sync"
    qtbot.waitUntil(lambda: not page.is_running(), timeout=20000)
    assert "数据库文件已合并" in page.summary.text()
    qtbot.waitUntil(lambda: _ledger_rows(window) == 6)
    # 导出数据库副本: a free name each time, never replacing a file.
    out = tmp_path / "交给同事"
    out.mkdir()
    from app.services.evidence import EvidenceStore

    blob = EvidenceStore.root_for(window._services.storage.path) / "sha256" / "ab" / ("ab" * 32)
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"photo")
    chosen["folder"] = out
    for _ in range(2):
        window.actions[ActionId.EXPORT_DATABASE_COPY].trigger()
        qtbot.waitUntil(lambda: not page.is_running(), timeout=20000)
    copies = sorted(p.name for p in out.glob("*.sqlite"))
    assert len(copies) == 2 and "副本" in copies[0]
    assert not [p for p in out.iterdir() if p.name.startswith(".~")]
    beside = EvidenceStore.root_for(out / copies[0]) / "sha256" / "ab" / ("ab" * 32)
    assert beside.read_bytes() == b"photo"  # evidence files go with the copy
    # Whoever merges the copy gets every change, this laptop's and the colleague's.
    third = Storage.open(tmp_path / "third.sqlite")
    try:
        from app.sync.dbfile import merge_database_file

        merge_database_file(third, out / copies[0])
        assert export_tables(third) == export_tables(window._services.storage)
        copy = Storage.open(out / copies[0])  # opened as someone's own: a new device
        assert copy.device_id != window._services.storage.device_id
        copy.close()
    finally:
        third.close()


def test_sync_at_exit_runs_before_the_window_closes(
    qtbot, window: MainWindow, colleague: Services, share: Path
) -> None:
    page = window.sync_page
    page.set_share_folder(share)
    page.on_exit.setChecked(True)
    add_sample_plan(window._services.storage)
    window.close()
    assert page.is_running() or not window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20000)
    assert sync(colleague.storage, FolderShare(share)).applied == 1


@pytest.mark.parametrize("size", ["minimum", "laptop"])
def test_the_page_fits(qtbot, window: MainWindow, size: str) -> None:
    window.show_page("sync")
    assert window.minimumSizeHint().width() <= 1100
    _resize(qtbot, window, None if size == "minimum" else LAPTOP)
    assert _clipped(window) == []


def test_sync_at_start_when_chosen(
    qtbot, services: Services, app_settings: AppSettings, colleague: Services, share: Path
) -> None:
    add_sample_plan(colleague.storage)
    sync(colleague.storage, FolderShare(share))
    app_settings.set_sync_share(share)
    app_settings.set_sync_on_start(True)
    window = MainWindow(app_settings, services.storage.path)
    qtbot.addWidget(window)
    window.attach(services)
    page = window.sync_page
    assert page.on_start.isChecked() and page.is_running()
    qtbot.waitUntil(lambda: not page.is_running(), timeout=20000)
    assert page.last_report.applied == 1
    qtbot.waitUntil(lambda: _ledger_rows(window) == 6)


def test_no_sync_at_start_by_default(qtbot, window: MainWindow, app_settings) -> None:
    assert not app_settings.sync_on_start() and not app_settings.sync_on_exit()
    assert not window.sync_page.is_running() and window.sync_page.history_table.rowCount() == 0
