"""The table views of the 明察暗访 page: findings and records, sized to their usual text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from ui.models.inspection_tables import FindingTableModel, RecordTableModel
from ui.models.lazy_table import LazyTableModel
from ui.widgets.sizing import fit_columns, keep_columns_in_view


def _table(model: LazyTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
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
    return view


def make_finding_table(model: FindingTableModel) -> QTableView:
    view = _table(model)
    m = FindingTableModel
    fit_columns(
        view,
        {
            m.COL_FOUND: "2021-09-30",
            m.COL_DESCRIPTION: 220,
            m.COL_CATEGORY: "违规收费",
            m.COL_SEVERITY: "一般",
            m.COL_DEPARTMENT: 130,
            m.COL_DUE: "2021-09-30",
            m.COL_STAGE: "整改中（逾期）",
            m.COL_KIND: "暗访",
            m.COL_MEASURE: 160,
        },
    )
    keep_columns_in_view(view, (m.COL_FOUND, m.COL_DESCRIPTION))
    return view


def make_record_table(model: RecordTableModel) -> QTableView:
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
