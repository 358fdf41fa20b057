"""Starting the desktop app: QApplication, Chinese translations, the window, the database."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QThreadPool, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME
from app.paths import APP_ICON
from ui.main_window import MainWindow
from ui.settings import APPLICATION, ORGANIZATION, AppSettings
from ui.tasks import run_in_background

if TYPE_CHECKING:
    from app.services.context import Services


def install_chinese_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own strings (dialog buttons, context menus) in Simplified Chinese."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    directory = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    installed = []
    for name in ("qtbase_zh_CN",):
        translator = QTranslator(app)
        if translator.load(name, directory):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(QIcon(str(APP_ICON)))
    install_chinese_translations(app)
    return app


def open_services(db_path: Path) -> Services:
    """Runs on a worker thread: imports the storage stack, opens and migrates the database."""
    from app.services.context import Services

    return Services.open(db_path)


def describe_open_error(error: BaseException) -> str:
    from app.storage import StorageError

    if isinstance(error, StorageError):
        return str(error)
    return (
        f"打开数据库时发生意外错误：{type(error).__name__}: {error}\n"
        "数据库未被改动。请把这条信息告诉管理员。"
    )


def run_gui(db_path: Path, *, report_startup: bool = False) -> int:
    app = create_application()
    window = MainWindow(AppSettings(), db_path)
    window.show()
    outcome: dict[str, object] = {"code": 0}

    def report(stage: str) -> None:
        if report_startup:
            print(f"{stage} {time.time():.6f}", flush=True)

    def opened(services: Services) -> None:
        outcome["services"] = services
        if window.isVisible():
            window.attach(services)
        QTimer.singleShot(0, lambda: report("ready"))
        if report_startup:
            QTimer.singleShot(0, window.close)

    def failed(error: BaseException) -> None:
        outcome["code"] = 2
        # Qt appends the application's display name to every window title (Windows, X11).
        QMessageBox.critical(window, "无法打开数据库", describe_open_error(error))
        window.close()

    QTimer.singleShot(0, lambda: report("shown"))
    run_in_background(lambda: open_services(db_path), opened, failed)
    try:
        app.exec()
    finally:
        QThreadPool.globalInstance().waitForDone()
        services = outcome.get("services")
        if services is not None:
            services.close()  # type: ignore[attr-defined]
    return int(outcome["code"])  # type: ignore[call-overload]
