"""The ledger as a table: rows stream lazily from a live SQL cursor (canFetchMore/fetchMore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPixmap

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
LIGHT_BRUSHES = {light: QBrush(colour) for light, colour in LIGHT_COLOURS.items()}
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DOTS: dict[Light, QPixmap] = {}
STATUS_BACKGROUNDS = {
    Status.OVERDUE: QBrush(QColor("#fde7e5")),
    Status.LATE_DONE: QBrush(QColor("#f4f4f4")),
    Status.DONE: QBrush(QColor("#eaf6ec")),
}


class LedgerTableModel(QAbstractTableModel):
    # What matters at a glance comes first; the long department lists last.
    COL_NO, COL_TITLE, COL_LIGHT, COL_STATUS, COL_DUE, COL_LEAD, COL_RESPONSIBLE = range(7)
    HEADERS = ("序号", "措施", "亮灯", "状态", "完成期限", "牵头部门", "责任部门")
    SORT_KEYS = ("no", "title", "light", "status", "next_due", "lead", "lead")
    FIRST_BATCH = 100
    BATCH = 500

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[MeasureRow] = []
        self._cells: list[tuple[str, ...]] = []
        self._roles = {
            Qt.ItemDataRole.ToolTipRole: self._tooltip,
            Qt.ItemDataRole.DecorationRole: self._decoration,
            Qt.ItemDataRole.ForegroundRole: self._foreground,
            Qt.ItemDataRole.BackgroundRole: self._background,
            Qt.ItemDataRole.UserRole: self._id,
        }
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
        # Called for every visible cell and role on each paint: keep it to a lookup or two.
        try:
            row = index.row()
            if row < 0:  # an invalid index; negative indexing would return the last row
                return None
            if role == _DISPLAY:
                return self._cells[row][index.column()]
            handler = self._roles.get(role)
            return handler(row, index.column()) if handler else None
        except Exception:  # a model must never raise into Qt
            return None

    def multiData(self, index: Index, roleDataSpan: Any) -> None:
        # Qt's item delegates ask for all roles of a cell at once: one Python call per cell.
        row = index.row()
        if row < 0:
            return
        column = index.column()
        try:
            for role_data in roleDataSpan:
                role = role_data.role()
                if role == _DISPLAY:
                    role_data.setData(self._cells[row][column])
                else:
                    handler = self._roles.get(role)
                    if handler is not None:
                        role_data.setData(handler(row, column))
        except Exception:  # a model must never raise into Qt
            return

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
        self._cells = []
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
        self._cells.extend(cells(row) for row in batch)
        if notify:
            self.endInsertRows()

    def _tooltip(self, row: int, column: int) -> str | None:
        if column in (self.COL_TITLE, self.COL_RESPONSIBLE):
            return self._cells[row][column]
        return None

    def _decoration(self, row: int, column: int) -> QPixmap | None:
        if column != self.COL_LIGHT:
            return None
        light = self._rows[row].light
        if light not in _DOTS:  # built on first use: a QPixmap needs the QApplication
            dot = QPixmap(10, 10)
            dot.fill(LIGHT_COLOURS[light])
            _DOTS[light] = dot
        return _DOTS[light]

    def _foreground(self, row: int, column: int) -> QBrush | None:
        return LIGHT_BRUSHES[self._rows[row].light] if column == self.COL_LIGHT else None

    def _background(self, row: int, _column: int) -> QBrush | None:
        return STATUS_BACKGROUNDS.get(self._rows[row].status)

    def _id(self, row: int, _column: int) -> str:
        return self._rows[row].id


def cells(row: MeasureRow) -> tuple[str, ...]:
    """The displayed text of a row, computed once when it is fetched."""
    return (
        f"{row.area_no}.{row.no}" if row.area_no is not None else str(row.no or ""),
        row.title,
        row.light.label,
        row.status.label,
        row.next_due.isoformat() if row.next_due else "",
        row.lead,
        row.responsible,
    )
