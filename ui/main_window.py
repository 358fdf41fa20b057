"""Main window: lays out the navigation and pages, builds menus, routes actions. Nothing else.

The window is shown before the database is open (opening may migrate and back up a large file,
off the UI thread); ``attach`` then builds the pages around the opened services.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME, __version__
from ui.actions import ActionId, ActionRegistry
from ui.changes import ChangeNotifier
from ui.pages.planned_page import PlannedPage
from ui.settings import AppSettings
from ui.tasks import run_in_background
from ui.widgets.empty_state import EmptyState
from ui.widgets.file_dialogs import FileDialogs, FilePurpose, confirm_replace, show_saved
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.context import Services
    from reports.ledger_workbook import LedgerDocument
    from ui.pages.inspections_page import InspectionsPage
    from ui.pages.ledger_page import LedgerPage
    from ui.pages.sync_page import SyncPage


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    action: ActionId
    build: Callable[[Services, ChangeNotifier, AppSettings], QWidget]


def _ledger_page(services: Services, notifier: ChangeNotifier, _settings: AppSettings) -> QWidget:
    # Imported when the database is open: its modules are not needed to show the window.
    from ui.pages.ledger_page import LedgerPage

    return LedgerPage(services, notifier)


def _inspections_page(
    services: Services, notifier: ChangeNotifier, _settings: AppSettings
) -> QWidget:
    from ui.pages.inspections_page import InspectionsPage

    return InspectionsPage(services, notifier)


def _bulletins_page(
    services: Services, notifier: ChangeNotifier, _settings: AppSettings
) -> QWidget:
    from ui.pages.bulletins_page import BulletinsPage

    return BulletinsPage(services, notifier)


def _sync_page(services: Services, notifier: ChangeNotifier, settings: AppSettings) -> QWidget:
    from ui.pages.sync_page import SyncPage

    return SyncPage(services, notifier, settings)


def _planned(
    title: str, message: str
) -> Callable[[Services, ChangeNotifier, AppSettings], QWidget]:
    return lambda _services, _notifier, _settings: PlannedPage(title, message)


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "ledger",
        "工作台账",
        ActionId.PAGE_LEDGER,
        _ledger_page,
    ),
    PageSpec("inspections", "明察暗访", ActionId.PAGE_INSPECTIONS, _inspections_page),
    PageSpec("bulletins", "通报", ActionId.PAGE_BULLETINS, _bulletins_page),
    PageSpec(
        "statistics",
        "统计分析",
        ActionId.PAGE_STATISTICS,
        _planned(
            "统计分析", "在这里按领域、按部门统计措施完成率、逾期数和整改情况。此功能正在建设中。"
        ),
    ),
    PageSpec("sync", "同步", ActionId.PAGE_SYNC, _sync_page),
)

# Room for the ledger's table and detail side by side; on a 1366×768 laptop fit_to_screen makes
# it 92% of the screen (1256 wide: the table's columns up to 牵头部门 and a ~400-pixel detail).
DEFAULT_SIZE = (1280, 800)

# Actions that need an open database.
DATA_ACTIONS = (
    ActionId.IMPORT_PLAN,
    ActionId.EXPORT_JSON,
    ActionId.MERGE_DATABASE,
    ActionId.EXPORT_DATABASE_COPY,
    ActionId.EXPORT_LEDGER,
    ActionId.DEPARTMENTS,
    ActionId.ROUNDS,
    ActionId.HOLIDAYS,
    ActionId.NEW_ASSIGNED,
    ActionId.NEW_INSPECTION_PLAN,
    ActionId.CURRENT_USER,
    ActionId.FINDING_CATEGORIES,
    ActionId.INSPECTION_METHODS,
    ActionId.SCORE_RULES,
)


class MainWindow(QMainWindow):
    def __init__(
        self, settings: AppSettings, db_path: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.files = FileDialogs(settings)
        self._services: Services | None = None
        self.notifier: ChangeNotifier | None = None
        self.actions = ActionRegistry(self)
        self.pages: dict[str, QWidget] = {}
        self._help: QDialog | None = None
        self._closing_after_sync = False
        # Qt adds the application's display name to the title itself (" — 督查台账" on Windows
        # and X11), so the title names only what is open; before that, the name alone.
        self.setWindowTitle(APP_NAME)
        # No fixed minimum size: the layouts' own minimum is the smallest size at which nothing
        # is cut (the ledger table keeps its main columns in view, see ui/widgets/sizing.py).

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(132)
        self.navigation.setStyleSheet("QListWidget#navigation::item { padding: 10px 12px; }")
        for spec in PAGES:
            self.navigation.addItem(QListWidgetItem(spec.label))
            action = self.actions[spec.action]
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_page(key))
        self.navigation.currentRowChanged.connect(self._on_navigation_changed)
        self.navigation.setEnabled(False)

        self.loading = EmptyState("正在打开数据库…", str(db_path) if db_path else "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.loading)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self.db_label = QLabel(f"正在打开 {db_path}…" if db_path else "")
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self.db_label, 1)
        self.user_label = QLabel()
        self.user_label.setToolTip("本机的当前用户（明察暗访 → 当前用户…）")
        self.statusBar().addPermanentWidget(self.user_label)
        self._restore_geometry()

    # ---- Public API -------------------------------------------------------------------------

    def attach(self, services: Services) -> None:
        """Build the pages around an opened database."""
        self._services = services
        self.notifier = ChangeNotifier(services.repository, self)
        for spec in PAGES:
            page = spec.build(services, self.notifier, self._settings)
            page.setObjectName(f"page_{spec.key}")
            self.pages[spec.key] = page
            self.stack.addWidget(page)
        self.stack.removeWidget(self.loading)
        self.loading.deleteLater()
        self.navigation.setEnabled(True)
        for action_id in DATA_ACTIONS:
            self.actions[action_id].setEnabled(True)

        storage = services.storage
        if storage.path is not None:
            self.setWindowTitle(storage.path.name)
        self.db_label.setText(f"数据库：{storage.path or '内存'}")
        self.db_label.setToolTip("本机的台账数据库文件；备份时复制这个文件即可")
        self.ledger_page.sig_import_requested.connect(self.import_plan)
        self.inspections_page.sig_user_changed.connect(self._show_user)
        bulletins = self.pages["bulletins"]
        self.inspections_page.sig_user_changed.connect(lambda _label: bulletins.refresh())
        bulletins.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.sync_page.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        # One 截至 date: the 明察暗访 page follows the ledger's, and the other way round.
        ledger_as_of = self.ledger_page.filters.as_of
        inspections_as_of = self.inspections_page.filters.as_of
        ledger_as_of.dateChanged.connect(inspections_as_of.setDate)
        inspections_as_of.dateChanged.connect(ledger_as_of.setDate)
        self._show_user(services.identity.current().label)
        key = self._settings.current_page()
        self.show_page(key if key in self.pages else "ledger")
        if self._settings.sync_on_start() and self.sync_page.share_folder() is not None:
            self.sync_page.sync_now(interactive=False)
        drafts = self.inspections_page.draft_count()
        if drafts:  # after a crash or a form left open: point to the unfinished records
            self.statusBar().showMessage(
                f"有 {drafts} 份未完成的检查记录草稿，可在“明察暗访”页继续填写。", 30_000
            )

    def import_plan(self, path: Path | None = None) -> None:
        """Open the import dialog on ``path`` (None: ask for a file first)."""
        if self._services is None:
            return
        # Imported here: the parser is not needed to start the app.
        from ui.dialogs.plan_import import PlanImportDialog, choose_plan_file

        path = path or choose_plan_file(self, self.files)
        if path is None:
            return
        dialog = PlanImportDialog(self._services.plans, self)
        dialog.load_file(path)
        if dialog.exec() and dialog.result is not None:
            self.show_page("ledger")
            self.statusBar().showMessage(dialog.result.summary(), 8000)
        dialog.deleteLater()

    def show_help(self) -> None:
        """The user guide, in a window of its own that stays open beside this one."""
        from ui.dialogs.help import HelpDialog, load_guide

        if self._help is None:
            self._help = HelpDialog(load_guide(), self)
        self._help.show()
        self._help.raise_()
        self._help.activateWindow()

    def show_departments(self) -> None:
        if self._services is None:
            return
        from ui.dialogs.departments import DepartmentsDialog

        dialog = DepartmentsDialog(self._services.departments, self)
        dialog.exec()
        dialog.deleteLater()

    def show_rounds(self) -> None:
        if self._services is None:
            return
        from ui.dialogs.rounds import RoundsDialog

        services = self._services
        dialog = RoundsDialog(
            services.progress,
            services.ledger.plan_choices(),
            self,
            calendar=services.status.calendar,
            files=self.files,
        )
        dialog.exec()
        dialog.deleteLater()

    def show_holidays(self) -> None:
        if self._services is None:
            return
        from ui.dialogs.holidays import HolidaysDialog

        dialog = HolidaysDialog(self._services.holidays, self)
        dialog.exec()
        dialog.deleteLater()
        self._services.refresh_calendar()
        self.ledger_page.refresh()

    def new_assigned_task(self) -> None:
        """交办事项 by hand; it then is a measure of the ledger like any other."""
        if self._services is None:
            return
        from ui.dialogs.assigned_task import AssignedTaskDialog

        services = self._services
        dialog = AssignedTaskDialog(
            services.assigned, services.ledger.department_choices(), today=date.today(), parent=self
        )
        if dialog.exec() and dialog.saved_id:
            self.show_page("ledger")
            self.ledger_page.refresh()
            self.ledger_page.show_measure(dialog.saved_id)
            self.statusBar().showMessage(f"已新建交办事项：{dialog.title.text().strip()}", 8000)
        dialog.deleteLater()

    def _inspections(self, action: Callable[[InspectionsPage], object]) -> None:
        if self._services is not None:
            self.show_page("inspections")
            action(self.inspections_page)

    def _sync(self, action: Callable[[SyncPage], object]) -> None:
        if self._services is not None:
            self.show_page("sync")
            action(self.sync_page)

    def _show_user(self, label: str) -> None:
        self.user_label.setText(f"当前用户：{label}")

    def choose_ledger_export_path(self, name: str) -> Path | None:
        return self.files.save_file(self, FilePurpose.LEDGER_EXCEL, name)

    def confirm_replace(self, target: Path) -> bool:
        return confirm_replace(self, target, "导出工作台账")

    def ask_export_scope(self, description: str) -> bool | None:
        """With a filter on the ledger: True for 当前筛选结果, False for 全部, None to cancel."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "导出工作台账",
            f"工作台账当前有筛选：{description}。\n\n要导出当前筛选结果（表格中列出的措施，"
            "按表格的顺序），还是全部措施？",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        filtered = box.addButton("当前筛选结果", QMessageBox.ButtonRole.AcceptRole)
        everything = box.addButton("全部", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(filtered)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is filtered:
            return True
        return False if clicked is everything else None

    def export_ledger(self) -> None:
        """The ledger as of the ledger page's date, as an .xlsx (off the UI thread): with a
        filter on, the user chooses between the rows the table shows (in its order) and all."""
        if self._services is None:
            return
        from app.services.ledger_export import LedgerExport, is_filtering, xlsx_path

        page = self.ledger_page
        exporter = self._services.ledger_export
        filter_ = page.filters.current()
        scope = None
        if is_filtering(filter_):
            choice = self.ask_export_scope(exporter.describe_filter(filter_))
            if choice is None:
                return
            scope = filter_ if choice else None
        as_of, soon = page.filters.as_of_date(), page.filters.soon()
        name = LedgerExport.default_file_name(as_of, filtered=scope is not None)
        chosen = self.choose_ledger_export_path(name)
        if chosen is None:
            return
        target = xlsx_path(chosen)
        # The save dialog asked before returning an existing file; a name that only exists
        # with ".xlsx" added was not asked about.
        overwrite = target.exists()
        if overwrite and target != chosen and not self.confirm_replace(target):
            return
        sort, descending = page.model.sort_order()
        self.statusBar().showMessage("正在导出工作台账…")
        run_in_background(
            lambda: exporter.export_document(
                target,
                None,
                as_of,
                soon,
                overwrite=overwrite,
                filter=scope,
                sort=sort,
                descending=descending,
            ),
            lambda result: self._ledger_exported(*result),
            self._ledger_export_failed,
        )

    def _ledger_exported(self, path: Path, doc: LedgerDocument) -> None:
        self.statusBar().showMessage(f"已导出工作台账：{path}", 8000)
        what = f"共 {len(doc.rows)} 项措施，截至 {doc.as_of.isoformat()}"
        if doc.filtered:
            what = f"当前筛选结果（{doc.scope}），{what}"
            if doc.order:
                what += f"，{doc.order}"
        else:
            what = f"全部措施，{what}"
        show_saved(self, "已导出工作台账", f"工作台账已导出：{what}。", path)

    def _ledger_export_failed(self, error: BaseException) -> None:
        self.statusBar().clearMessage()
        from app.storage.errors import user_message  # not on the path to the first window

        path = self._services.storage.path if self._services else None
        QMessageBox.critical(self, "导出失败", user_message(error, path))

    @property
    def ledger_page(self) -> LedgerPage:
        return self.pages["ledger"]  # type: ignore[return-value]

    @property
    def inspections_page(self) -> InspectionsPage:
        return self.pages["inspections"]  # type: ignore[return-value]

    @property
    def sync_page(self) -> SyncPage:
        return self.pages["sync"]  # type: ignore[return-value]

    def is_ready(self) -> bool:
        return self._services is not None

    def current_page_key(self) -> str | None:
        current = self.stack.currentWidget()
        return next((key for key, page in self.pages.items() if page is current), None)

    def show_page(self, key: str) -> None:
        if key in self.pages:
            self.navigation.setCurrentRow([spec.key for spec in PAGES].index(key))

    # ---- Layout -------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        file_menu.addAction(self.actions[ActionId.IMPORT_PLAN])
        file_menu.addAction(self.actions[ActionId.EXPORT_LEDGER])
        file_menu.addAction(self.actions[ActionId.EXPORT_JSON])
        file_menu.addSeparator()
        file_menu.addAction(self.actions[ActionId.MERGE_DATABASE])
        file_menu.addAction(self.actions[ActionId.EXPORT_DATABASE_COPY])
        file_menu.addSeparator()
        file_menu.addAction(self.actions[ActionId.QUIT])
        view_menu = self.menuBar().addMenu("视图(&V)")
        for spec in PAGES:
            view_menu.addAction(self.actions[spec.action])
        ledger_menu = self.menuBar().addMenu("台账(&L)")
        ledger_menu.addAction(self.actions[ActionId.ROUNDS])
        ledger_menu.addAction(self.actions[ActionId.DEPARTMENTS])
        ledger_menu.addAction(self.actions[ActionId.HOLIDAYS])
        ledger_menu.addSeparator()
        ledger_menu.addAction(self.actions[ActionId.NEW_ASSIGNED])
        inspections_menu = self.menuBar().addMenu("明察暗访(&M)")
        inspections_menu.addAction(self.actions[ActionId.NEW_INSPECTION_PLAN])
        inspections_menu.addSeparator()
        inspections_menu.addAction(self.actions[ActionId.CURRENT_USER])
        inspections_menu.addAction(self.actions[ActionId.FINDING_CATEGORIES])
        inspections_menu.addAction(self.actions[ActionId.INSPECTION_METHODS])
        inspections_menu.addAction(self.actions[ActionId.SCORE_RULES])
        help_menu = self.menuBar().addMenu("帮助(&H)")
        help_menu.addAction(self.actions[ActionId.HELP])
        help_menu.addSeparator()
        help_menu.addAction(self.actions[ActionId.ABOUT])

        self.actions[ActionId.IMPORT_PLAN].triggered.connect(lambda: self.import_plan())
        self.actions[ActionId.EXPORT_JSON].triggered.connect(self._export_json)
        for action_id, route in (
            (ActionId.MERGE_DATABASE, lambda page: page.merge_database_file()),
            (ActionId.EXPORT_DATABASE_COPY, lambda page: page.export_copy()),
        ):
            self.actions[action_id].triggered.connect(
                lambda _checked=False, route=route: self._sync(route)
            )
        self.actions[ActionId.DEPARTMENTS].triggered.connect(self.show_departments)
        self.actions[ActionId.ROUNDS].triggered.connect(self.show_rounds)
        self.actions[ActionId.HOLIDAYS].triggered.connect(self.show_holidays)
        self.actions[ActionId.EXPORT_LEDGER].triggered.connect(self.export_ledger)
        self.actions[ActionId.NEW_ASSIGNED].triggered.connect(self.new_assigned_task)
        for action_id, route in (
            (ActionId.NEW_INSPECTION_PLAN, lambda page: page.new_plan()),
            (ActionId.CURRENT_USER, lambda page: page.change_user()),
            (ActionId.FINDING_CATEGORIES, lambda page: page.edit_list("category")),
            (ActionId.INSPECTION_METHODS, lambda page: page.edit_list("method")),
            (ActionId.SCORE_RULES, lambda page: page.edit_score_rules()),
        ):
            self.actions[action_id].triggered.connect(
                lambda _checked=False, route=route: self._inspections(route)
            )
        self.actions[ActionId.QUIT].triggered.connect(self.close)
        self.actions[ActionId.HELP].triggered.connect(self.show_help)
        self.actions[ActionId.ABOUT].triggered.connect(self._about)
        for action_id in DATA_ACTIONS:
            self.actions[action_id].setEnabled(False)

    # ---- State --------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self._settings.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            fit_to_screen(self, DEFAULT_SIZE[0], DEFAULT_SIZE[1])
        else:  # saved on a bigger screen (a docking station): keep it on this one
            fit_to_screen(self, self.width(), self.height(), share=1.0)
        state = self._settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        # 退出时同步 (or a sync still running): close once it has finished.
        if "sync" in self.pages and not self._closing_after_sync:
            page = self.sync_page
            if page.is_running() or page.on_exit.isChecked():
                self._closing_after_sync = True
                if page.sync_before_exit(self.close):
                    event.ignore()
                    return
        self._settings.set_window_geometry(self.saveGeometry())
        self._settings.set_window_state(self.saveState())
        key = self.current_page_key()
        if key is not None:
            self._settings.set_current_page(key)
        self._settings.sync()
        super().closeEvent(event)

    # ---- Routing ------------------------------------------------------------------------------

    def _on_navigation_changed(self, row: int) -> None:
        if row >= 0 and self.pages:
            self.stack.setCurrentWidget(self.pages[PAGES[row].key])

    def choose_export_path(self, name: str) -> Path | None:
        return self.files.save_file(self, FilePurpose.JSON_EXPORT, name)

    def _export_json(self) -> None:
        if self._services is None:
            return
        target = self.choose_export_path(f"督查台账数据（{date.today().isoformat()}）.json")
        if target is None:
            return
        from app.files import replace_file
        from app.storage.export import export_database

        try:
            dump = export_database(self._services.storage)
            text = json.dumps(dump, ensure_ascii=False, indent=2)
            data = (text + "\n").encode("utf-8")
            replace_file(target, lambda handle: handle.write(data))  # the save dialog asked
        except OSError as error:
            QMessageBox.critical(
                self, "导出失败", f"无法写入 {target}：{error}\n请换一个位置再试。"
            )
            return
        self.statusBar().showMessage(f"已导出到 {target}", 5000)
        records = sum(len(rows) for rows in dump["tables"].values())
        show_saved(
            self,
            "已导出数据",
            f"已导出数据库中全部 {len(dump['tables'])} 张表的 {records} 条记录"
            "（方案、措施、部门、调度、检查等，含已删除的记录），供备份或核对使用。",
            target,
            can_open=False,
        )

    def about_text(self) -> str:
        text = (
            f"<b>{APP_NAME}</b> {__version__}<br>市政府办公室督查室工作台账："
            "跟踪实施方案各项措施，记录明察暗访，印发督查通报。"
        )
        if self._services is not None:
            storage = self._services.storage
            text += f"<br><br>数据库：{escape(str(storage.path or '内存'))}"
            text += (
                f"<br>本机设备编号：{storage.device_id[:8]}"
                "（各台电脑同步台账时，用它区分记录来自哪台电脑；无需设置）"
            )
        return text

    def _about(self) -> None:
        QMessageBox.about(self, f"关于{APP_NAME}", self.about_text())
