"""The table views of the 明察暗访 page: findings and records, sized to their usual text.

Both are ``TextTableView``s (ui/widgets/text_table.py: the cells painted in one pass, not by a
delegate). The findings list shows what the office works from — 发现日期, 问题, 严重程度, 责任部门,
整改期限, 状态 — with 问题 taking the room left; 类别, 方式 and 措施 are in the finding pane and can
be added from the header's context menu (``OPTIONAL_COLUMNS``).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from ui.models.inspection_tables import FindingTableModel, RecordTableModel
from ui.models.lazy_table import LazyTableModel
from ui.widgets.sizing import columns_width, fit_columns, keep_columns_in_view
from ui.widgets.text_table import TextTableView

DESCRIPTION_MIN_WIDTH = 200  # the findings' 问题 never narrower than this


def _table(model: LazyTableModel) -> TextTableView:
    view = TextTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(24)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setMinimumSectionSize(40)
    header.setSortIndicatorShown(True)
    # The newest first, as the model starts; a header without a sort key keeps the old order.
    column = next((c for c, key in enumerate(model.SORT_KEYS) if key == model.DEFAULT_SORT[0]), -1)
    descending = (
        Qt.SortOrder.DescendingOrder if model.DEFAULT_SORT[1] else Qt.SortOrder.AscendingOrder
    )
    header.setSortIndicator(column, descending)
    view.setSortingEnabled(True)
    last = [column, descending]

    def follow(section: int, order: Qt.SortOrder) -> None:
        if model.is_sortable(section):
            last[:] = [section, order]
            return
        header.blockSignals(True)
        header.setSortIndicator(last[0], last[1])
        header.blockSignals(False)

    header.sortIndicatorChanged.connect(follow)
    for optional in model.OPTIONAL_COLUMNS:
        view.setColumnHidden(optional, True)
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(lambda at: _column_menu(view, at))
    return view


def column_actions(view: QTableView) -> list[QAction]:
    """One checkable action per column the user may show or hide (the header's menu)."""
    model = view.model()
    assert isinstance(model, LazyTableModel)
    actions = []
    for column in model.OPTIONAL_COLUMNS:
        action = QAction(model.HEADERS[column], view)
        action.setCheckable(True)
        action.setChecked(not view.isColumnHidden(column))
        action.toggled.connect(lambda shown, c=column: view.setColumnHidden(c, not shown))
        actions.append(action)
    return actions


def _column_menu(view: QTableView, at: QPoint) -> QMenu | None:
    """Pops up the header's menu of columns (not modal: it goes away when it is closed)."""
    actions = column_actions(view)
    if not actions:
        return None
    menu = QMenu(view)
    menu.setObjectName("column_menu")
    menu.addSection("显示的列")
    menu.addActions(actions)
    menu.aboutToHide.connect(menu.deleteLater)
    menu.popup(view.horizontalHeader().mapToGlobal(at))
    return menu


def make_finding_table(model: FindingTableModel) -> TextTableView:
    view = _table(model)
    m = FindingTableModel
    fit_columns(
        view,
        {
            m.COL_FOUND: "2021-09-30",
            m.COL_DESCRIPTION: DESCRIPTION_MIN_WIDTH,
            m.COL_CATEGORY: "违规收费",
            m.COL_SEVERITY: "一般",
            m.COL_DEPARTMENT: 130,
            m.COL_DUE: "2021-09-30",
            m.COL_STAGE: "整改中（逾期）",
            m.COL_KIND: "暗访",
            m.COL_MEASURE: 160,
        },
    )
    header = view.horizontalHeader()
    # 问题 takes the room the other columns leave (they keep their widths, and can be resized).
    header.setStretchLastSection(False)
    header.setSectionResizeMode(m.COL_DESCRIPTION, QHeaderView.ResizeMode.Stretch)
    shown = [c for c in range(m.COL_MEASURE + 1) if not view.isColumnHidden(c)]
    view.setMinimumWidth(
        columns_width(view, shown) - header.sectionSize(m.COL_DESCRIPTION) + DESCRIPTION_MIN_WIDTH
    )
    return view


def make_record_table(model: RecordTableModel) -> TextTableView:
    view = _table(model)
    m = RecordTableModel
    fit_columns(
        view,
        {
            m.COL_CHECKED: "2021-09-30",
            m.COL_KIND: "暗访",
            m.COL_PLAN: 120,
            m.COL_MEASURE: 180,
            m.COL_DEPARTMENT: 100,
            m.COL_INSPECTOR: "张三、李四",
            m.COL_FINDINGS: "3 个（未销号 3）",
            m.COL_STATE: "已完成",
        },
    )
    keep_columns_in_view(view, (m.COL_CHECKED, m.COL_KIND, m.COL_PLAN))
    return view
