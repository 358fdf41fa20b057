from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from app.services.context import Services
from ui.actions import ActionId
from ui.application import install_chinese_translations, run_gui
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def test_the_shell_shows_navigation_status_and_an_empty_ledger(window: MainWindow) -> None:
    labels = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert labels == ["工作台账", "明察暗访", "通报", "统计分析", "同步"]
    assert window.current_page_key() == "ledger"
    assert window.pages["ledger"].is_showing_empty_state()
    assert "台账中还没有实施方案" in window.pages["ledger"].empty_state.title_label.text()
    storage = window._services.storage
    assert str(storage.path) in window.db_label.text()
    assert storage.device_id[:8] in window.about_text()  # in 关于, not in the status bar
    assert storage.path.name in window.windowTitle()
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["文件(&F)", "视图(&V)", "台账(&L)", "明察暗访(&M)", "帮助(&H)"]


def test_navigation_by_list_and_by_action(window: MainWindow, qtbot) -> None:
    window.navigation.setCurrentRow(3)
    assert window.current_page_key() == "statistics"
    window.actions[ActionId.PAGE_SYNC].trigger()
    assert window.current_page_key() == "sync"
    assert window.stack.currentWidget() is window.pages["sync"]


def test_standard_shortcuts(window: MainWindow) -> None:
    # Windows has no platform Quit binding, so Ctrl+Q is set explicitly everywhere.
    assert window.actions[ActionId.QUIT].shortcut() == QKeySequence("Ctrl+Q")
    pages = [
        ActionId.PAGE_LEDGER,
        ActionId.PAGE_INSPECTIONS,
        ActionId.PAGE_BULLETINS,
        ActionId.PAGE_STATISTICS,
        ActionId.PAGE_SYNC,
    ]
    assert [window.actions[a].shortcut().toString() for a in pages] == [
        f"Ctrl+{n}" for n in range(1, 6)
    ]


def test_quit_action_closes_the_window(window: MainWindow, qtbot) -> None:
    window.actions[ActionId.QUIT].trigger()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_geometry_and_page_are_remembered(qtbot, services: Services, app_settings) -> None:
    first = MainWindow(app_settings)
    qtbot.addWidget(first)
    first.attach(services)
    first.show()
    first.resize(760, 540)
    size = (first.width(), first.height())  # never less than the layouts need
    first.show_page("bulletins")
    first.close()

    second = MainWindow(app_settings)
    qtbot.addWidget(second)
    second.show()
    # Restored before the database is open, as far as the screen allows (the offscreen test
    # screen is 800 pixels wide, narrower than the ledger page's minimum width).
    assert second.height() == size[1]
    assert min(size[0], 790) <= second.width() <= size[0]
    second.attach(services)
    assert (second.width(), second.height()) == size
    assert second.current_page_key() == "bulletins"


def test_unknown_saved_page_falls_back_to_the_ledger(qtbot, services, app_settings) -> None:
    app_settings.set_current_page("no-such-page")
    window = MainWindow(app_settings)
    qtbot.addWidget(window)
    window.attach(services)
    assert window.current_page_key() == "ledger"


def test_the_application_has_its_icon_and_names(qtbot) -> None:
    from ui.application import create_application

    app = create_application()
    assert not app.windowIcon().isNull()
    assert app.windowIcon().pixmap(32, 32).width() == 32
    assert app.applicationDisplayName() == "督查台账"


def test_qt_dialog_buttons_are_in_chinese(qtbot) -> None:
    install_chinese_translations(QApplication.instance())
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok
    )
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"


def test_export_action_writes_the_database_as_json(window: MainWindow, tmp_path, monkeypatch):
    target = tmp_path / "导出.json"
    monkeypatch.setattr(window, "choose_export_path", lambda name: target)
    window.actions[ActionId.EXPORT_JSON].trigger()
    dump = json.loads(target.read_text(encoding="utf-8"))
    assert dump["device_id"] == window._services.storage.device_id


def test_export_to_an_unwritable_place_says_so(window: MainWindow, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(window, "choose_export_path", lambda name: tmp_path / "missing" / "x.json")
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    window.actions[ActionId.EXPORT_JSON].trigger()
    assert shown and "无法写入" in shown[0]


def test_the_shell_waits_for_the_database_with_data_actions_disabled(qtbot, app_settings):
    window = MainWindow(app_settings, Path("/data/ledger.sqlite"))
    qtbot.addWidget(window)
    window.show()
    assert not window.is_ready()
    assert window.current_page_key() is None
    assert window.loading.title_label.text() == "正在打开数据库…"
    assert not window.actions[ActionId.EXPORT_JSON].isEnabled()
    assert not window.navigation.isEnabled()
    window.actions[ActionId.PAGE_SYNC].trigger()  # ignored until there are pages
    assert window.current_page_key() is None


def test_a_database_that_cannot_be_opened_is_reported(qtbot, tmp_path, monkeypatch) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert run_gui(bad) == 2
    assert "不是 SQLite 数据库" in shown[0]
    assert bad.read_text(encoding="utf-8") == "not a database"


def test_run_gui_opens_the_database_off_the_ui_thread_and_attaches_it(qtbot, tmp_path):
    import threading

    from PySide6.QtCore import QTimer

    import ui.application as application

    threads: list[threading.Thread] = []
    real_open = application.open_services

    def spy(path):
        threads.append(threading.current_thread())
        return real_open(path)

    seen: list[bool] = []

    def close_when_ready():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible() and widget.is_ready():
                seen.append(widget.pages["ledger"].is_showing_empty_state())
                widget.close()
                return
        QTimer.singleShot(10, close_when_ready)

    original, application.open_services = application.open_services, spy
    try:
        QTimer.singleShot(0, close_when_ready)
        assert run_gui(tmp_path / "gui.sqlite") == 0
    finally:
        application.open_services = original
    assert threads and threads[0] is not threading.main_thread()
    assert seen == [True]


def test_main_py_starts_the_window_and_exits_cleanly(tmp_path: Path) -> None:
    """A real cold start in a separate process, as `python3 main.py` does it."""
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    import os

    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            str(tmp_path / "l.sqlite"),
            "--report-startup",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    stages = [line.split()[0] for line in result.stdout.splitlines()]
    assert stages == ["shown", "ready"]
    assert (tmp_path / "l.sqlite").exists()
    # Window geometry went to the (sandboxed) per-user settings.
    assert any((tmp_path / "config").rglob("*.conf"))


def test_ledger_menu_opens_the_rounds_and_holiday_dialogs(window: MainWindow, monkeypatch):
    from ui.dialogs.holidays import HolidaysDialog
    from ui.dialogs.rounds import RoundsDialog

    opened: list[str] = []
    monkeypatch.setattr(RoundsDialog, "exec", lambda self: opened.append("rounds") or 0)
    monkeypatch.setattr(HolidaysDialog, "exec", lambda self: opened.append("holidays") or 0)
    window.actions[ActionId.ROUNDS].trigger()
    window.actions[ActionId.HOLIDAYS].trigger()
    assert opened == ["rounds", "holidays"]
    assert window.actions[ActionId.ROUNDS].shortcut().toString() == "Ctrl+R"


def test_exporting_the_ledger_writes_a_workbook(qtbot, window: MainWindow, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from app.paths import SAMPLE_PLAN
    from app.plan_import import parse_file

    window._services.plans.import_plan(parse_file(SAMPLE_PLAN))
    target = tmp_path / "台账.xlsx"
    monkeypatch.setattr(window, "choose_ledger_export_path", lambda name: target)
    window.actions[ActionId.EXPORT_LEDGER].trigger()
    qtbot.waitUntil(target.exists, timeout=15_000)
    qtbot.waitUntil(lambda: "已导出工作台账" in window.statusBar().currentMessage())
    sheet = load_workbook(target).worksheets[0]
    assert "工作台账" in str(sheet.cell(1, 1).value)


def test_windows_fit_a_small_laptop_screen(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    from ui.widgets.sizing import fit_to_screen

    widget = QWidget()
    qtbot.addWidget(widget)
    available = widget.screen().availableGeometry()
    fit_to_screen(widget, available.width() + 500, available.height() + 500)
    assert widget.width() <= available.width() and widget.height() <= available.height()
    fit_to_screen(widget, 300, 200)
    assert (widget.width(), widget.height()) == (300, 200)
