"""Starting the desktop app: QApplication, Chinese translations, the window, the database."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QThreadPool, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app import APP_NAME
from app.paths import APP_ICON
from ui.main_window import MainWindow
from ui.mime_types import register_file_types
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
    register_file_types()  # before Qt's MIME database is first used (ui/mime_types.py)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(QIcon(str(APP_ICON)))
    install_chinese_translations(app)
    return app


# Saves run on the UI thread, which freezes while a save waits for another program's write lock:
# wait a little for a command-line import to finish, then say so.
BUSY_TIMEOUT_S = 10.0


def open_services(db_path: Path) -> Services:
    """Runs on a worker thread: imports the storage stack, opens and migrates the database.

    Only the default location's folder is created; a --db in a missing folder is refused. A
    database that cannot be written is opened read-only (the window says so).
    """
    from app.paths import default_db_path
    from app.services.context import Services
    from app.storage import ReadOnlyDatabaseError, Storage

    options = {"busy_timeout": BUSY_TIMEOUT_S}
    try:
        storage = Storage.open(db_path, create_folder=db_path == default_db_path(), **options)
    except ReadOnlyDatabaseError:
        if not db_path.exists():
            raise  # a new database in a read-only folder: nothing to show
        storage = Storage.open(db_path, read_only=True, **options)
    return Services.for_storage(storage)


def describe_open_error(error: BaseException) -> str:
    from app.storage import StorageError

    if isinstance(error, StorageError):
        return str(error)
    return (
        f"打开数据库时发生意外错误：{type(error).__name__}: {error}\n"
        "数据库未被改动。请把这条信息告诉管理员。"
    )


def open_error_title(error: BaseException) -> str:
    from app.storage import (
        DatabaseBusyError,
        MissingDatabaseError,
        NotALedgerError,
        ReadOnlyDatabaseError,
    )

    for kind, title in (
        (DatabaseBusyError, "数据库正被使用"),
        (ReadOnlyDatabaseError, "数据库为只读"),
        (MissingDatabaseError, "找不到数据库"),
        (NotALedgerError, "不是台账数据库"),
    ):
        if isinstance(error, kind):
            return title
    return "无法打开数据库"


def announce_storage(window: MainWindow, services: Services) -> None:
    """Say in the window when the database was just created or is only readable."""
    storage = services.storage
    if storage.read_only:
        notice = QLabel(f"只读打开：{storage.path}，不能修改")
        notice.setObjectName("read_only_notice")
        notice.setToolTip(
            "数据库文件或其所在文件夹为只读，只能查看。要修改，请取消文件的“只读”属性"
            "或获得写入权限，然后重新启动程序。"
        )
        notice.setStyleSheet(
            "QLabel { background: #fdecea; color: #8a1c12; padding: 2px 8px; font-weight: bold; }"
        )
        window.statusBar().addPermanentWidget(notice)
        window.setWindowTitle(f"{window.windowTitle()}（只读）")
    elif storage.created:
        window.statusBar().showMessage(f"新建数据库：{storage.path}", 15000)
    if storage.path is not None:
        announce_location(window, storage.path)


def announce_location(window: MainWindow, path: Path) -> None:
    """A database in a synced folder or on a network drive: a red button in the status bar
    (its tooltip and its click give the whole explanation), shown once at startup."""
    from PySide6.QtWidgets import QPushButton

    from app.sync.location import location_warning

    warning = location_warning(path)
    if warning is None:
        return
    where = "同步文件夹" if warning.kind == "synced" else "网络驱动器"
    notice = QPushButton(f"数据库在{warning.tool}{where}中，有损坏风险…")
    notice.setObjectName("location_notice")
    notice.setFlat(True)
    notice.setToolTip(warning.message)
    notice.setStyleSheet(
        "QPushButton { background: #fdecea; color: #8a1c12; padding: 2px 8px; font-weight: bold;"
        " border: none; }"
    )
    notice.clicked.connect(
        lambda: QMessageBox.warning(window, "数据库的位置不安全", warning.message)
    )
    window.statusBar().addPermanentWidget(notice)


# Evidence garbage is collected this long after the database opened: out of the way of startup.
HOUSEKEEPING_DELAY_MS = 120_000


def start_housekeeping(
    parent: QObject, services: Services, *, delay_ms: int = HOUSEKEEPING_DELAY_MS
) -> QTimer:
    """Tidy up on worker threads, never blocking the window: the copies 打开 left in the
    temporary folder that are older than a day at once, and ``delay_ms`` later the evidence
    folder's garbage (app/services/evidence_housekeeping.py; not for a read-only or in-memory
    database). Best-effort: what fails is tried again at the next start. Returns the timer."""

    def ignore(_value: object) -> None:
        pass  # nothing to tell the user either way

    def remove_copies() -> int:
        from app.services import evidence_housekeeping

        return evidence_housekeeping.remove_old_viewing_copies()

    run_in_background(remove_copies, ignore, ignore)
    storage = services.storage
    path = storage.path

    def collect() -> None:
        def work() -> object:
            from app.services import evidence_housekeeping

            return evidence_housekeeping.collect_garbage_in_file(path, busy_timeout=BUSY_TIMEOUT_S)

        run_in_background(work, ignore, ignore)

    timer = QTimer(parent)
    timer.setSingleShot(True)
    if path is not None and not storage.read_only:
        timer.timeout.connect(collect)
        timer.start(delay_ms)
    return timer


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
            announce_storage(window, services)
            start_housekeeping(window, services)
        QTimer.singleShot(0, lambda: report("ready"))
        if report_startup:
            QTimer.singleShot(0, window.close)

    def failed(error: BaseException) -> None:
        outcome["code"] = 2
        # Qt appends the application's display name to every window title (Windows, X11).
        QMessageBox.critical(window, open_error_title(error), describe_open_error(error))
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
