"""The ledger as a table: rows stream lazily from a live SQL cursor (canFetchMore/fetchMore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPixmap

from app.domain.ledger import Light, Status
from app.services.status import MeasureRow

Index = QModelIndex | QPersistentModelIndex
Looks = tuple[tuple[int, Any], ...]
CursorFactory = Callable[[str, bool], sqlite3.Cursor]
"""(sort key, descending) → a cursor over MeasureRow.COLUMNS."""

LIGHT_COLOURS = {
    Light.RED: QColor("#d93025"),
    Light.YELLOW: QColor("#e6a700"),
    Light.GREEN: QColor("#1e8e3e"),
}
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_USER = Qt.ItemDataRole.UserRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
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
    MAIN_COLUMNS = (COL_NO, COL_TITLE, COL_LIGHT, COL_STATUS, COL_DUE)  # never scrolled away
    SORT_KEYS = ("no", "title", "light", "status", "next_due", "lead", "lead")
    FIRST_BATCH = 100
    BATCH = 500

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        # Rows stay the cursor's plain tuples; a MeasureRow is built only when asked for.
        self._rows: list[tuple[Any, ...]] = []
        self._cells: list[tuple[str, ...]] = []
        self._states: list[tuple[Light, Status]] = []
        self._layouts: dict[int, dict[int, int]] = {}
        self._cursor: sqlite3.Cursor | None = None
        self._factory: CursorFactory | None = None
        self._sort = ("position", False)

    # ---- Public API -------------------------------------------------------------------------

    def set_source(self, factory: CursorFactory | None) -> None:
        """Start over from a new query (a filter or as-of change); fetches the first batch."""
        self._factory = factory
        self._restart()

    def row(self, row: int) -> MeasureRow | None:
        return MeasureRow.from_sql(self._rows[row]) if 0 <= row < len(self._rows) else None

    def row_of(self, measure_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row[_ID] == measure_id), -1)

    def sort_order(self) -> tuple[str, bool]:
        """The sort key (app/services/status.py: SORT_COLUMNS) and whether it is descending."""
        return self._sort

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
            row = index.row()
            if row < 0:  # an invalid index; negative indexing would return the last row
                return None
            column = index.column()
            if role == _DISPLAY:
                return self._cells[row][column]
            if role == _TOOLTIP:
                return self._cells[row][column] if column in _LONG_COLUMNS else None
            if role == _USER:
                return self._rows[row][_ID]
            return dict(_looks(self._states[row])[column]).get(role)
        except Exception:  # a model must never raise into Qt
            return None

    def multiData(self, index: Index, roleDataSpan: Any) -> None:
        # Every visible cell comes through here on each paint: the hot path. A delegate asks for
        # the same roles in the same order every time and reuses its span from cell to cell, so
        # where each role sits is learned once, and every role this model ever shows is written
        # on every call (None clears what the previous cell left). Any surprise falls back to
        # the plain loop.
        row = index.row()
        if row < 0:
            return
        column = index.column()
        try:
            layout = self._layouts.get(len(roleDataSpan))
            if layout is None:
                layout = self._learn(roleDataSpan)
            slot = roleDataSpan[layout[_DISPLAY]]
            if slot.role() != _DISPLAY:
                self._fill(roleDataSpan, row, column)
                return
            slot.setData(self._cells[row][column])
            for role, value in _looks(self._states[row])[column]:
                position = layout.get(role)
                if position is not None:
                    roleDataSpan[position].setData(value)
        except Exception:  # a model must never raise into Qt (a KeyError: no display asked)
            self._fill(roleDataSpan, row, column)

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
        self._states = []
        self._cursor = self._factory(*self._sort) if self._factory else None
        if self._cursor is not None:
            self._fetch(self.FIRST_BATCH, notify=False)
        self.endResetModel()

    def _fetch(self, count: int, *, notify: bool) -> None:
        assert self._cursor is not None
        batch = self._cursor.fetchmany(count)
        if len(batch) < count:
            self._cursor.close()
            self._cursor = None
        if not batch:
            return
        if notify:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        for values in batch:
            light = _LIGHTS[values[_LIGHT]]
            status = _STATUSES[values[_STATUS]]
            self._cells.append(_cells(values, light, status))
            self._states.append((light, status))
        if notify:
            self.endInsertRows()

    def _learn(self, span: Any) -> dict[int, int]:
        layout = {span[position].role(): position for position in range(len(span))}
        self._layouts[len(span)] = layout
        return layout

    def _fill(self, span: Any, row: int, column: int) -> None:
        """The plain way: every requested role, one by one."""
        try:
            looks = dict(_looks(self._states[row])[column])
            for slot in span:
                role = slot.role()
                if role == _DISPLAY:
                    slot.setData(self._cells[row][column])
                elif role in looks:
                    slot.setData(looks[role])
        except Exception:  # a model must never raise into Qt
            return


_COLUMN = {name: position for position, name in enumerate(MeasureRow.COLUMNS)}
_ID = _COLUMN["id"]
_LIGHT = _COLUMN["light"]
_STATUS = _COLUMN["status"]
_AREA_NO, _NO, _TITLE = _COLUMN["area_no"], _COLUMN["no"], _COLUMN["title"]
_NEXT_DUE, _LEAD, _RESPONSIBLE = _COLUMN["next_due"], _COLUMN["lead"], _COLUMN["responsible"]
_LIGHTS = {light.value: light for light in Light}
_STATUSES = {status.value: status for status in Status}
_COLUMNS = len(LedgerTableModel.HEADERS)
_LONG_COLUMNS = (LedgerTableModel.COL_TITLE, LedgerTableModel.COL_RESPONSIBLE)


def _cells(values: tuple[Any, ...], light: Light, status: Status) -> tuple[str, ...]:
    """The displayed text of a row, computed once when it is fetched (in column order)."""
    area_no, no = values[_AREA_NO], values[_NO]
    return (
        f"{area_no}.{no}" if area_no is not None else str(no or ""),
        values[_TITLE],
        light.label,
        status.label,
        values[_NEXT_DUE] or "",
        values[_LEAD] or "",
        values[_RESPONSIBLE] or "",
    )


@lru_cache(maxsize=64)
def _looks(state: tuple[Light, Status]) -> tuple[Looks, ...]:
    """Per column, the roles a cell shows beyond its text, each with None where the cell has
    none: the light column its coloured dot, the status column its tint. One tuple per light
    and status, built on first paint (a QPixmap needs the QApplication)."""
    light, status = state
    tint = STATUS_BACKGROUNDS.get(status)
    # No ForegroundRole: a text colour makes the delegate copy the palette for the cell, which
    # costs more than everything else about painting it; the dot carries the colour.
    return tuple(
        (
            (_DECORATION, _dot(light) if column == LedgerTableModel.COL_LIGHT else None),
            (_BACKGROUND, tint if column == LedgerTableModel.COL_STATUS else None),
        )
        for column in range(_COLUMNS)
    )


def _dot(light: Light) -> QPixmap:
    if light not in _DOTS:  # built on first use: a QPixmap needs the QApplication
        dot = QPixmap(10, 10)
        dot.fill(LIGHT_COLOURS[light])
        _DOTS[light] = dot
    return _DOTS[light]
