"""工作台账 page: filters, the ledger as a table / tree / by department / reminders, and details.

Rows stream lazily from SQL (ui/models/ledger_table.py); totals are counted off the UI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.paths import SAMPLE_PLAN
from app.services.ledger import plan_tree_in_file
from app.services.status import LedgerFilter, count_rows, count_rows_in_file
from app.storage.errors import user_message
from ui.models.ledger_table import LedgerTableModel
from ui.tasks import run_in_background
from ui.widgets.department_view import DepartmentView
from ui.widgets.empty_state import EmptyState
from ui.widgets.ledger_filter_bar import LedgerFilterBar
from ui.widgets.measure_detail import MeasureDetailPane
from ui.widgets.plan_tree import PlanTree
from ui.widgets.reminders_view import RemindersView
from ui.widgets.sizing import columns_width, fit_columns, keep_columns_in_view

if TYPE_CHECKING:
    from app.services.context import Services
    from app.services.ledger import MeasureDetail
    from ui.changes import ChangeNotifier
    from ui.dialogs.record_form import RecordForm

WATCHED_TABLES = frozenset(
    {
        "plans",
        "areas",
        "measures",
        "assignments",
        "departments",
        "department_aliases",
        "milestones",
        "targets",
        "target_actuals",
        "progress_reports",
        "holidays",
        "inspections",
        "findings",
    }
)


def make_table(model: LedgerTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    # No indicator at first: rows stay in document order until a header is clicked.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.horizontalHeader().setSortIndicatorShown(True)
    view.setSortingEnabled(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    # The title keeps a readable width; the long list of responsible departments takes the rest
    # (as the last section: unlike a Stretch section it never gets narrower than its header).
    header.setStretchLastSection(True)
    header.setMinimumSectionSize(48)
    fit_columns(
        view,
        {
            LedgerTableModel.COL_NO: "10.10",
            LedgerTableModel.COL_TITLE: 260,
            LedgerTableModel.COL_LIGHT: 64,
            LedgerTableModel.COL_STATUS: "逾期完成",
            LedgerTableModel.COL_DUE: "2021-12-31",
            LedgerTableModel.COL_LEAD: 160,
            LedgerTableModel.COL_RESPONSIBLE: 160,
        },
    )
    keep_columns_in_view(view, LedgerTableModel.MAIN_COLUMNS)
    return view


MIN_VISIBLE_ROWS = 10


class LedgerPage(QWidget):
    """``sig_import_requested(path or None)``: the user asked to import a plan (None: choose)."""

    sig_import_requested = Signal(object)

    def __init__(
        self, services: Services, notifier: ChangeNotifier, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._count_generation = 0
        self._tree_generation = 0

        self.empty_state = EmptyState(
            "台账中还没有实施方案",
            "工作台账按“领域 → 措施”列出市政府实施方案中的每一项任务，"
            "以及牵头部门、责任部门、完成时限和目标值。\n"
            "导入一份实施方案（.txt、.docx 或 .pdf）后，这里将显示全部措施。"
            "第一次使用时，可以先载入随程序附带的示例方案看一看。",
        )
        self.import_button = self.empty_state.add_button("导入实施方案…")
        self.import_button.clicked.connect(lambda: self.sig_import_requested.emit(None))
        self.sample_button = self.empty_state.add_button("载入示例方案（滕政发〔2021〕9号）")
        self.sample_button.clicked.connect(lambda: self.sig_import_requested.emit(SAMPLE_PLAN))
        self.sample_button.setEnabled(SAMPLE_PLAN.exists())

        self.filters = LedgerFilterBar(services.ledger)
        self.calendar_warning = QLabel()
        self.calendar_warning.setWordWrap(True)
        self.calendar_warning.setStyleSheet("color: #b06d00;")
        self.calendar_warning.hide()
        self.model = LedgerTableModel(self)
        self.table = make_table(self.model)
        # Never so short that the list shows only a few measures (the window's minimum follows).
        self.table.setMinimumHeight(
            self.table.horizontalHeader().sizeHint().height()
            + MIN_VISIBLE_ROWS * self.table.verticalHeader().defaultSectionSize()
            + 2 * self.table.frameWidth()
            + self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)  # horizontal
        )
        self.tree = PlanTree()
        self.department_view = DepartmentView()
        self.department_model = LedgerTableModel(self)
        self.department_table = make_table(self.department_model)
        department_split = QSplitter(Qt.Orientation.Vertical)
        department_split.addWidget(self.department_view)
        department_split.addWidget(self.department_table)
        self.reminders = RemindersView()
        self.views = QTabWidget()
        self.views.addTab(self.table, "表格")
        self.views.addTab(self.tree, "树形")
        self.views.addTab(department_split, "部门")
        self.views.addTab(self.reminders, "催办提醒")
        # The tree, department and reminder views are rebuilt only when shown (big ledgers).
        self._stale: set[QWidget] = set()
        self._department_tab = department_split
        self.detail = MeasureDetailPane()
        # The pane shows one measure, picked in one of the lists; it follows that list through
        # filter, as-of and data changes (and says so when the measure leaves it).
        self._current: str | None = None
        self._current_from: LedgerTableModel | None = None  # None: the tree or the reminders
        # The measure a filter took out of its list: shown again when a later filter brings it back.
        self._left: tuple[str, LedgerTableModel] | None = None
        self._views_of = {self.model: self.table, self.department_model: self.department_table}
        self._filter_of: dict[LedgerTableModel, LedgerFilter] = {}
        self._renders = 0
        self.count_label = QLabel()

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.views)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        # The table as wide as its columns up to 牵头部门, the pane the rest (~400 at 1366×768).
        split.setSizes([columns_width(self.table, range(LedgerTableModel.COL_RESPONSIBLE)), 400])
        ledger = QWidget()
        ledger_layout = QVBoxLayout(ledger)
        ledger_layout.setContentsMargins(0, 0, 0, 0)
        ledger_layout.addWidget(self.filters)
        ledger_layout.addWidget(self.calendar_warning)
        ledger_layout.addWidget(split, 1)
        ledger_layout.addWidget(self.count_label)
        self._ledger = ledger
        self._stack = QStackedWidget()
        self._stack.addWidget(self.empty_state)
        self._stack.addWidget(ledger)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

        self.filters.sig_changed.connect(self.apply_filters)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_row(self.model, current.row())
        )
        self.department_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_row(self.department_model, current.row())
        )
        for model in self._views_of:
            model.modelReset.connect(lambda model=model: self._follow(model))
        self.tree.sig_measure_chosen.connect(self.show_measure)
        self.reminders.sig_measure_chosen.connect(self.show_measure)
        self.department_view.sig_department_chosen.connect(self._show_department)
        self.detail.sig_record_actual.connect(self.record_actual)
        self.detail.sig_mark_done.connect(self.mark_done)
        self.detail.sig_record_inspection.connect(self.record_inspection)
        self.detail.sig_open_inspection.connect(self.open_inspection)
        self.detail.sig_rectify.connect(self.rectify)
        self.views.currentChanged.connect(lambda _index: self._refresh_visible_view())
        notifier.sig_changed.connect(self._on_changed)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        reload = QShortcut(QKeySequence("F5"), self)
        reload.activated.connect(self.refresh)
        self.filters.search.setToolTip("Ctrl+F 定位到搜索框；F5 刷新台账")
        self.refresh()

    # ---- Public API -------------------------------------------------------------------------

    def is_showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state

    def refresh(self) -> None:
        """Reload everything from the database (after an import, a sync, a merge...)."""
        has_plans = self._services.ledger.plan_count() > 0
        self._stack.setCurrentWidget(self._ledger if has_plans else self.empty_state)
        if not has_plans:
            self._clear_detail()
            self._set_source(self.model, None)
            return
        self.filters.reload_choices()
        self._stale = {self.tree, self._department_tab, self.reminders}
        self.apply_filters()

    def apply_filters(self) -> None:
        filter_, as_of = self.filters.current(), self.filters.as_of_date()
        renders = self._renders
        self._set_source(self.model, filter_)  # the pane follows through _follow
        self._count(filter_)
        self._warn_about_calendar(as_of)
        # The tree follows the filter and the date; the department and reminder views the date.
        self._stale |= {self.tree, self._department_tab, self.reminders}
        self._refresh_visible_view()
        if self._renders == renders:  # picked in a list that was not reloaded: new date, data
            self._render()

    def show_measure(self, measure_id: str | None) -> None:
        """Show a measure picked outside the tables (the tree, the reminders)."""
        self._current, self._current_from, self._left = measure_id, None, None
        self._render()

    def current_measure(self) -> str | None:
        """The measure the detail pane shows."""
        return self._current

    def entry_day(self) -> date:
        """The day a new record defaults to: the as-of day when looking back, else today."""
        return min(self.filters.as_of_date(), date.today())

    def record_actual(self, detail: MeasureDetail | None) -> None:
        if detail is None or not detail.targets:
            return
        # Imported here: the storage stack stays off the path to the first window.
        from app.storage import WriteError
        from ui.dialogs.target_actual import TargetActualDialog

        dialog = TargetActualDialog(detail.targets, self.entry_day(), self)
        if dialog.exec():
            try:
                self._services.targets.record(*dialog.chosen())
            except WriteError as error:
                QMessageBox.warning(self, "无法保存", str(error))
            self._render()  # the write refreshed the page already; this covers a refused one
        dialog.deleteLater()

    def mark_done(self, detail: MeasureDetail | None) -> None:
        if detail is None:
            return
        from app.services.completion import Completion
        from app.storage import WriteError
        from ui.dialogs.completion import CompletionDialog

        if detail.milestones:
            items = [
                (
                    "milestones",
                    m.id,
                    f"{m.raw}（{m.due.isoformat() if m.due else '无固定日期'}）",
                    m.completed_on,
                )
                for m in detail.milestones
            ]
        else:
            done = self._services.ledger.measure_completed_on(detail.id)
            items = [("measures", detail.id, f"整项措施：{detail.title}", done)]
        dialog = CompletionDialog(items, date.today(), self, initial=self.entry_day())
        if dialog.exec():
            table, row_id, on = dialog.chosen()
            completion = Completion(self._services.repository)
            try:
                if on is None:
                    completion.reopen(table, row_id)
                else:
                    completion.complete(table, row_id, on)
            except WriteError as error:
                QMessageBox.warning(self, "无法保存", str(error))
            self._render()  # the write refreshed the page already; this covers a refused one
        dialog.deleteLater()

    def record_inspection(self, detail: MeasureDetail | None) -> RecordForm | None:
        """记录检查: a guided record of the measure, in its own window (saved as typed; the
        page follows its writes through the change notifier)."""
        if detail is None:
            return None
        from ui.dialogs.record_form import RecordForm

        return RecordForm.open_new(
            self._services, detail.id, checked_on=self.entry_day(), parent=self
        )

    def open_inspection(self, inspection_id: str) -> RecordForm | None:
        """A record of the measure shown: a draft to go on with, or a finished one to read."""
        from ui.dialogs.record_form import RecordForm

        return RecordForm.open_existing(self._services, inspection_id, parent=self)

    def rectify(self, detail: MeasureDetail | None) -> None:
        findings = [f for entry in detail.inspections for f in entry.findings] if detail else []
        if detail is None or not findings:
            return
        from app.storage import WriteError
        from ui.dialogs.rectification import RectificationDialog

        dialog = RectificationDialog(findings, date.today(), self, initial=self.entry_day())
        if dialog.exec():
            finding_id, on = dialog.chosen()
            try:
                if on is None:
                    self._services.inspections.reopen(finding_id)
                else:
                    self._services.inspections.rectify(finding_id, on)
            except WriteError as error:
                QMessageBox.warning(self, "无法保存", str(error))
            self._render()  # the write refreshed the page already; this covers a refused one
        dialog.deleteLater()

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def count_text(self) -> str:
        return self.count_label.text()

    # ---- Internals ----------------------------------------------------------------------------

    def _source(self, filter_: LedgerFilter):
        status = self._services.status
        as_of, soon = self.filters.as_of_date(), self.filters.soon()

        def cursor(sort: str, descending: bool):
            query = status.query(
                filter_, as_of=as_of, soon_days=soon, sort=sort, descending=descending
            )
            return status.cursor(query)

        return cursor

    def _count(self, filter_: LedgerFilter) -> None:
        """Totals for the status line; counted on a worker with its own connection."""
        status = self._services.status
        query = status.query(
            filter_, as_of=self.filters.as_of_date(), soon_days=self.filters.soon()
        )
        self._count_generation += 1
        generation = self._count_generation
        path = self._services.storage.path
        self.count_label.setText("正在统计…")
        if path is None:  # an in-memory database cannot be opened twice
            self._show_count(generation, count_rows(status.db.conn, query))
            return
        run_in_background(
            lambda: count_rows_in_file(str(path), query),
            lambda counts: self._show_count(generation, counts),
            lambda error: self.count_label.setText(f"统计失败：{user_message(error, path)}"),
        )

    def _show_count(self, generation: int, counts: dict[str, int]) -> None:
        if generation != self._count_generation:
            return  # an older filter's answer
        self.count_label.setText(
            f"共 {counts['total']} 项措施：红灯 {counts['red']}，黄灯 {counts['yellow']}，"
            f"绿灯 {counts['green']}（截至 {self.filters.as_of_date().isoformat()}）"
        )

    def _warn_about_calendar(self, as_of) -> None:
        calendar = self._services.status.calendar
        years = calendar.unconfirmed_years(
            [as_of, self._services.status.soon_limit(as_of, self.filters.soon())]
        )
        if years:
            listed = "、".join(f"{year}年" for year in years)
            self.calendar_warning.setText(
                f"{listed}的法定节假日安排尚未确认，工作日暂按周末计算。"
                "请在“台账 → 节假日安排”中录入国务院公布的安排。"
            )
        self.calendar_warning.setVisible(bool(years))

    def _refresh_visible_view(self) -> None:
        view = self.views.currentWidget()
        if view not in self._stale:
            return
        self._stale.discard(view)
        services = self._services
        as_of, soon = self.filters.as_of_date(), self.filters.soon()
        if view is self.tree:
            self._load_tree(as_of, soon)
        elif view is self._department_tab:
            self.department_view.show_departments(services.details.departments(as_of=as_of))
            department = self.department_view.selected_department()
            filter_ = LedgerFilter(department_id=department) if department else None
            self._set_source(self.department_model, filter_)
        elif view is self.reminders:
            self.reminders.show_reminders(services.reminders.collect(as_of=as_of, soon_days=soon))

    def _load_tree(self, as_of, soon: int) -> None:
        """Fill the tree from the status query, on a worker with its own connection: over a
        100,000-measure ledger the query takes seconds."""
        services = self._services
        query = services.status.query(self.filters.current(), as_of=as_of, soon_days=soon)
        self._tree_generation += 1
        generation = self._tree_generation
        path = services.storage.path
        if path is None:  # an in-memory database cannot be opened twice (and is small)
            self.tree.show_plans(services.ledger.plan_tree(services.status.rows(query)), as_of)
            return
        self.tree.show_loading()

        def loaded(plans) -> None:
            if generation == self._tree_generation:  # else an older filter's answer
                self.tree.show_plans(plans, as_of)

        def failed(error: BaseException) -> None:
            if generation == self._tree_generation:
                self.tree.show_message(f"树形视图加载失败：{user_message(error, path)}")

        run_in_background(lambda: plan_tree_in_file(str(path), query), loaded, failed)

    def _set_source(self, model: LedgerTableModel, filter_: LedgerFilter | None) -> None:
        if filter_ is None:
            self._filter_of.pop(model, None)
        else:
            self._filter_of[model] = filter_
        model.set_source(self._source(filter_) if filter_ is not None else None)

    def _show_row(self, model: LedgerTableModel, row: int) -> None:
        measure = model.row(row)
        if measure is None:
            return  # no current row (a reset): _follow decides what the pane shows
        self._current, self._current_from, self._left = measure.id, model, None
        self._render()

    def _show_department(self, department_id: str) -> None:
        self._set_source(self.department_model, LedgerFilter(department_id=department_id))

    def _render(self) -> None:
        """Show the current measure as of the current date, from the database as it is now."""
        self._renders += 1
        if self._current is None:
            self.detail.show_detail(None)  # and no reason left over from an earlier filter
            return
        shown = self.detail.detail()
        detail = self._services.details.measure(
            self._current, as_of=self.filters.as_of_date(), soon_days=self.filters.soon()
        )
        if detail is None:
            self._clear_detail(f"{_named(shown)}已从台账中删除（例如重新导入的方案中没有这一项）。")
            return
        self.detail.show_detail(detail)

    def _follow(self, model: LedgerTableModel) -> None:
        """After ``model`` was reloaded: select the current measure again, or let it go."""
        if self._current is None and self._left is not None and self._left[1] is model:
            self._current, self._current_from = self._left  # filtered out before: back now?
        if model is not self._current_from or self._current is None:
            return
        row = self._locate(model, self._current)
        if row < 0:
            if not self._services.ledger.measure_exists(self._current):
                self._left = None
                self._render()  # says it was deleted
                return
            left = self._current
            where = "当前筛选结果" if model is self.model else "所选部门的措施"
            label = self._services.ledger.measure_labels([left]).get(left, "")
            self._clear_detail(
                f"{f'措施“{label}”' if label else '所选措施'}不在{where}中，详情已清空。"
                + ("点“清除筛选”可再显示它。" if model is self.model else "")
            )
            self._left = (left, model)
            return
        view = self._views_of[model]
        index = model.index(row, 0)
        view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )  # → currentRowChanged → _show_row → _render
        view.scrollTo(index)

    def _locate(self, model: LedgerTableModel, measure_id: str) -> int:
        """The measure's row in ``model``, fetching up to it; -1 when it is not in the list."""
        row = model.row_of(measure_id)
        if row >= 0 or model.is_complete() or model not in self._filter_of:
            return row
        status = self._services.status
        query = status.query(
            self._filter_of[model], as_of=self.filters.as_of_date(), soon_days=self.filters.soon()
        )
        if not status.contains(query, measure_id):
            return -1  # without fetching the whole list to find out
        while row < 0 and model.canFetchMore():
            model.fetchMore()
            row = model.row_of(measure_id)
        return row

    def _clear_detail(self, reason: str = "") -> None:
        self._current, self._current_from, self._left = None, None, None
        self._renders += 1
        self.detail.show_detail(None, reason=reason)

    def _on_changed(self, changed: Mapping[str, frozenset[str]]) -> None:
        if WATCHED_TABLES & changed.keys():
            self.refresh()


def _named(detail: MeasureDetail | None) -> str:
    return f"措施“{detail.number} {detail.title}”" if detail is not None else "所选措施"
