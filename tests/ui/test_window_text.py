"""The window's title, status bar and import message (issue 9)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app import APP_NAME
from app.paths import SAMPLE_PLAN
from ui.dialogs.plan_import import PlanImportDialog
from ui.main_window import MainWindow


@pytest.fixture
def display_name():
    """The display name the app sets (ui/application.py), which Qt appends to window titles."""
    app = QApplication.instance()
    before = app.applicationDisplayName()
    app.setApplicationDisplayName(APP_NAME)
    yield APP_NAME
    app.setApplicationDisplayName(before)


def _shown_title(widget: QWidget) -> str:
    """The title the window manager gets. Qt (QPlatformWindow::formatWindowTitle, used on
    Windows and X11) appends " — <display name>" unless the title already ends with it."""
    title, name = widget.windowTitle(), QApplication.applicationDisplayName()
    return title if title.endswith(name) else f"{title} — {name}"


def test_the_title_names_the_app_once(qtbot, display_name, services, app_settings) -> None:
    window = MainWindow(app_settings, services.storage.path)
    qtbot.addWidget(window)
    assert _shown_title(window) == APP_NAME  # while the database opens
    window.attach(services)
    assert _shown_title(window) == f"{services.storage.path.name} — {APP_NAME}"


def test_the_device_id_is_explained_in_about_not_in_the_status_bar(window: MainWindow) -> None:
    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    assert not any("设备" in text for text in texts)
    about = window.about_text()
    device = window._services.storage.device_id[:8]
    assert f"本机设备编号：{device}" in about and "同步" in about


def test_after_an_import_the_status_bar_says_what_was_done(qtbot, window, monkeypatch) -> None:
    def run(dialog: PlanImportDialog) -> int:  # the user presses 导入 once the plan is read
        qtbot.waitUntil(dialog.is_loaded, timeout=10_000)
        dialog.save()
        qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
        return 1

    monkeypatch.setattr(PlanImportDialog, "exec", run)
    window.import_plan(SAMPLE_PLAN)
    assert window.statusBar().currentMessage() == "已导入新方案，共 201 项措施。"
