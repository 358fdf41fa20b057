"""A table model whose rows stream from one live SQL cursor (canFetchMore/fetchMore).

The pattern of ui/models/ledger_table.py, for lists whose rows are the cursor's plain tuples:
the first 100 rows are fetched when the source is set, then 500 at a time as the view scrolls;
each row's display strings are built once, when it is fetched; ``multiData`` (the paint hot
path) writes the display text and the few roles a subclass shows, learning once where each role
sits in the delegate's span. A subclass names its columns and says, per row, what it shows
(``present``) and how a row of that kind looks (``looks``, cached per kind).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
Looks = tuple[tuple[int, Any], ...]
CursorFactory = Callable[[str, bool], sqlite3.Cursor]
"""(sort key, descending) → a cursor over the subclass's columns."""

DISPLAY = Qt.ItemDataRole.DisplayRole.value
TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
USER = Qt.ItemDataRole.UserRole.value
DECORATION = Qt.ItemDataRole.DecorationRole.value
BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
FOREGROUND = Qt.ItemDataRole.ForegroundRole.value


class LazyTableModel(QAbstractTableModel):
    HEADERS: ClassVar[tuple[str, ...]] = ()
    SORT_KEYS: ClassVar[tuple[str | None, ...]] = ()  # per column; None: not sortable
    DEFAULT_SORT: ClassVar[tuple[str, bool]] = ("", True)
    LONG_COLUMNS: ClassVar[tuple[int, ...]] = ()  # their text is also the tooltip
    ID_FIELD: ClassVar[int] = 0  # where a row's id sits in the cursor's tuple
    FIRST_BATCH = 100
    BATCH = 500

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Any, ...]] = []
        self._cells: list[tuple[str, ...]] = []
        self._kinds: list[Hashable] = []
        self._placed: dict[tuple[Hashable, int], tuple[int, Any]] = {}
        self._looks_cache: dict[Hashable, tuple[Looks, ...]] = {}
        self._cursor: sqlite3.Cursor | None = None
        self._factory: CursorFactory | None = None
        self._sort = self.DEFAULT_SORT
        self.fetches = 0  # batches fetched since the last reset (tests: no full fetch on open)

    # ---- For subclasses -----------------------------------------------------------------------

    def present(self, values: tuple[Any, ...]) -> tuple[tuple[str, ...], Hashable]:
        """A fetched row's display strings (in column order) and its kind (for ``looks``)."""
        raise NotImplementedError

    def looks(self, kind: Hashable) -> tuple[Looks, ...]:
        """Per column, the roles a cell of a row of ``kind`` shows beyond its text, each role
        with None where the cell has none (so nothing leaks from the previous cell)."""
        return tuple(() for _ in self.HEADERS)

    # ---- Public API -------------------------------------------------------------------------

    def set_source(self, factory: CursorFactory | None) -> None:
        """Start over from a new query (a filter change); fetches the first batch."""
        self._factory = factory
        self._restart()

    def values(self, row: int) -> tuple[Any, ...] | None:
        """The cursor's tuple for ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def id_at(self, row: int) -> str | None:
        values = self.values(row)
        return values[self.ID_FIELD] if values is not None else None

    def row_of(self, row_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row[self.ID_FIELD] == row_id), -1)

    def cell(self, row: int, column: int) -> str:
        return self._cells[row][column]

    def sort_order(self) -> tuple[str, bool]:
        return self._sort

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self.SORT_KEYS) and self.SORT_KEYS[column] is not None

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
            if role == DISPLAY:
                return self._cells[row][column]
            if role == TOOLTIP:
                return self._cells[row][column] if column in self.LONG_COLUMNS else None
            if role == USER:
                return self._rows[row][self.ID_FIELD]
            return dict(self._looks_of(self._kinds[row])[column]).get(role)
        except Exception:  # a model must never raise into Qt
            return None

    def multiData(self, index: Index, roleDataSpan: Any) -> None:
        # The paint hot path (see ui/models/ledger_table.py): the delegate asks for the same
        # roles in the same order every time and reuses its span from cell to cell.
        row = index.row()
        if row < 0:
            return
        column = index.column()
        try:
            size = len(roleDataSpan)
            placed = self._placed.get((self._kinds[row], size))
            if placed is None:
                placed = self._place(self._kinds[row], roleDataSpan)
            display, extras = placed
            slot = roleDataSpan[display]
            if slot.role() != DISPLAY:
                self._fill(roleDataSpan, row, column)
                return
            slot.setData(self._cells[row][column])
            for position, value in extras[column]:
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
            self._sort = self.DEFAULT_SORT
        elif self.is_sortable(column):
            key = self.SORT_KEYS[column]
            assert key is not None
            self._sort = (key, order == Qt.SortOrder.DescendingOrder)
        else:
            return
        self._restart()

    # ---- Internals ----------------------------------------------------------------------------

    def _restart(self) -> None:
        self.beginResetModel()
        if self._cursor is not None:
            self._cursor.close()
        self._rows = []
        self._cells = []
        self._kinds = []
        self.fetches = 0
        self._cursor = self._factory(*self._sort) if self._factory else None
        if self._cursor is not None:
            self._fetch(self.FIRST_BATCH, notify=False)
        self.endResetModel()

    def _fetch(self, count: int, *, notify: bool) -> None:
        assert self._cursor is not None
        batch = self._cursor.fetchmany(count)
        self.fetches += 1
        if len(batch) < count:
            self._cursor.close()
            self._cursor = None
        if not batch:
            return
        if notify:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        present = self.present
        for values in batch:
            cells, kind = present(values)
            self._cells.append(cells)
            self._kinds.append(kind)
        if notify:
            self.endInsertRows()

    def _looks_of(self, kind: Hashable) -> tuple[Looks, ...]:
        looks = self._looks_cache.get(kind)
        if looks is None:  # built on first paint: brushes and pixmaps need the QApplication
            looks = self._looks_cache[kind] = self.looks(kind)
        return looks

    def _place(
        self, kind: Hashable, span: Any
    ) -> tuple[int, tuple[tuple[tuple[int, Any], ...], ...]]:
        """Where the display role sits in a span of this size, and per column the (position,
        value) pairs a row of ``kind`` writes: learned once per kind and span size."""
        layout = {span[position].role(): position for position in range(len(span))}
        extras = tuple(
            tuple((layout[role], value) for role, value in looks if role in layout)
            for looks in self._looks_of(kind)
        )
        placed = (layout[DISPLAY], extras)
        self._placed[(kind, len(span))] = placed
        return placed

    def _fill(self, span: Any, row: int, column: int) -> None:
        """The plain way: every requested role, one by one."""
        try:
            looks = dict(self._looks_of(self._kinds[row])[column])
            for slot in span:
                role = slot.role()
                if role == DISPLAY:
                    slot.setData(self._cells[row][column])
                elif role in looks:
                    slot.setData(looks[role])
        except Exception:  # a model must never raise into Qt
            return
