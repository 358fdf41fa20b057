"""部门视图: every department with what it leads or shares and its overdue count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.sorting import CollatedItem

if TYPE_CHECKING:
    from app.services.ledger import DepartmentOverview

OVERDUE_BRUSH = QBrush(QColor("#d93025"))


class DepartmentView(QWidget):
    """``sig_department_chosen(department id)`` when the user picks a department."""

    sig_department_chosen = Signal(str)
    COL_NAME, COL_LEAD, COL_SHARED, COL_OVERDUE = range(4)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["部门", "牵头措施", "参与措施", "逾期措施"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            self.COL_NAME, QHeaderView.ResizeMode.Stretch
        )
        self.table.itemSelectionChanged.connect(self._on_selection)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    # ---- Public API -------------------------------------------------------------------------

    def show_departments(self, departments: list[DepartmentOverview]) -> None:
        selected = self.selected_department()
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(departments))
        for row, info in enumerate(departments):
            name = CollatedItem(info.name + ("（泛指）" if info.is_group else ""))
            name.setData(Qt.ItemDataRole.UserRole, info.id)
            self.table.setItem(row, self.COL_NAME, name)
            for column, value in (
                (self.COL_LEAD, info.lead),
                (self.COL_SHARED, info.shared),
                (self.COL_OVERDUE, info.overdue),
            ):
                item = CollatedItem(value)
                if column == self.COL_OVERDUE and value:
                    item.setForeground(OVERDUE_BRUSH)
                self.table.setItem(row, column, item)
        # Rows come most overdue first, names in pinyin order among equals; Qt's sort is stable.
        if not self.table.isSortingEnabled():  # first fill: most overdue first
            self.table.horizontalHeader().setSortIndicator(
                self.COL_OVERDUE, Qt.SortOrder.DescendingOrder
            )
        self.table.setSortingEnabled(True)
        self.table.blockSignals(False)
        if selected:
            self.select_department(selected)

    def selected_department(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.table.item(rows[0].row(), self.COL_NAME).data(Qt.ItemDataRole.UserRole)

    def select_department(self, department_id: str) -> bool:
        for row in range(self.table.rowCount()):
            if self.table.item(row, self.COL_NAME).data(Qt.ItemDataRole.UserRole) == department_id:
                self.table.selectRow(row)
                return True
        return False

    # ---- Internals ----------------------------------------------------------------------------

    def _on_selection(self) -> None:
        department = self.selected_department()
        if department:
            self.sig_department_chosen.emit(department)
