from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.services.context import Services
from app.storage import Storage
from ui.main_window import MainWindow
from ui.settings import AppSettings


@pytest.fixture(autouse=True)
def _no_real_xdg_open(monkeypatch) -> None:
    """Tests never start the machine's file manager: without xdg-open, opening goes through
    QDesktopServices, which the tests that open something replace."""
    monkeypatch.setattr("ui.widgets.file_dialogs.xdg_open", lambda: None)


@pytest.fixture
def app_settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def services(storage: Storage) -> Services:
    return Services.for_storage(storage)


@pytest.fixture
def window(qtbot, services: Services, app_settings: AppSettings) -> MainWindow:
    main_window = MainWindow(app_settings, services.storage.path)
    qtbot.addWidget(main_window)
    main_window.attach(services)
    main_window.show()
    qtbot.waitExposed(main_window)
    return main_window
