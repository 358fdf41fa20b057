"""The ledger as a table: rows stream lazily from a live SQL cursor (canFetchMore/fetchMore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain.ledger import Light, Status
from app.services.status import MeasureRow

Index = QModelIndex | QPersistentModelIndex
CursorFactory = Callable[[str, bool], sqlite3.Cursor]
"""(sort key, descending) → a cursor over MeasureRow.COLUMNS."""

LIGHT_COLOURS = {
    Light.RED: QColor("#d93025"),
    Light.YELLOW: QColor("#e6a700"),
    Light.GREEN: QColor("#1e8e3e"),
}
STATUS_BACKGROUNDS = {
    Status.OVERDUE: QBrush(QColor("#fde7e5")),
    Status.LATE_DONE: QBrush(QColor("#f4f4f4")),
    Status.DONE: QBrush(QColor("#eaf6ec")),
}


class LedgerTableModel(QAbstractTableModel):
    COL_NO, COL_TITLE, COL_LEAD, COL_RESPONSIBLE, COL_DUE, COL_STATUS, COL_LIGHT = range(7)
    HEADERS = ("序号", "措施", "牵头部门", "责任部门", "完成期限", "状态", "亮灯")
    SORT_KEYS = ("no", "title", "lead", "lead", "next_due", "status", "light")
    FIRST_BATCH = 100
    BATCH = 500

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[MeasureRow] = []
        self._cursor: sqlite3.Cursor | None = None
        self._factory: CursorFactory | None = None
        self._sort = ("position", False)

    # ---- Public API -------------------------------------------------------------------------

    def set_source(self, factory: CursorFactory | None) -> None:
        """Start over from a new query (a filter or as-of change); fetches the first batch."""
        self._factory = factory
        self._restart()

    def row(self, row: int) -> MeasureRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, measure_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row.id == measure_id), -1)

    def is_complete(self) -> bool:
        return self._cursor is None

    # ---- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        try:
            return self._data(index, role)
        except Exception:  # a model must never raise into Qt
            return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._cursor is None:
            return
        self._fetch(self.BATCH, notify=True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0:
            self._sort = ("position", False)  # document order
        elif column < len(self.SORT_KEYS):
            self._sort = (self.SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder)
        else:
            return
        self._restart()

    # ---- Internals ----------------------------------------------------------------------------

    def _restart(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._cursor = self._factory(*self._sort) if self._factory else None
        if self._cursor is not None:
            self._fetch(self.FIRST_BATCH, notify=False)
        self.endResetModel()

    def _fetch(self, count: int, *, notify: bool) -> None:
        assert self._cursor is not None
        batch = [MeasureRow.from_sql(row) for row in self._cursor.fetchmany(count)]
        if len(batch) < count:
            self._cursor.close()
            self._cursor = None
        if not batch:
            return
        if notify:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
            self._rows.extend(batch)
            self.endInsertRows()
        else:
            self._rows.extend(batch)

    def _data(self, index: Index, role: int) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.COL_TITLE, self.COL_RESPONSIBLE):
            return self._display(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.COL_LIGHT:
            return LIGHT_COLOURS[row.light]
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_LIGHT:
            return QBrush(LIGHT_COLOURS[row.light])
        if role == Qt.ItemDataRole.BackgroundRole:
            return STATUS_BACKGROUNDS.get(row.status)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _display(self, row: MeasureRow, column: int) -> str:
        if column == self.COL_NO:
            return f"{row.area_no}.{row.no}" if row.area_no is not None else str(row.no or "")
        if column == self.COL_TITLE:
            return row.title
        if column == self.COL_LEAD:
            return row.lead
        if column == self.COL_RESPONSIBLE:
            return row.responsible
        if column == self.COL_DUE:
            return row.next_due.isoformat() if row.next_due else ""
        if column == self.COL_STATUS:
            return row.status.label
        if column == self.COL_LIGHT:
            return row.light.label
        return ""
