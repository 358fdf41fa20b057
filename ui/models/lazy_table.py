"""A table model whose rows stream from one live SQL cursor (canFetchMore/fetchMore).

The pattern of ui/models/ledger_table.py, for lists whose rows are the cursor's plain tuples:
the first 100 rows are fetched when the source is set, then 500 at a time as the view scrolls;
each row's display strings are built once, the first time the row is shown or asked for (a
screenful of the first 100 rows is all a first paint needs); ``multiData`` (the paint hot path
of a delegate) writes the display text and the few roles a subclass shows, learning once where
each role sits in the delegate's span. A subclass names its columns and says, per row, what it
shows (``present``) and how a row of that kind looks (``looks``, cached per kind).

ui/widgets/text_table.py (``TextTableView``) paints these models without a delegate: it takes
each row's strings (``cells_of``) and, per column, the background and text colour of its kind
(``paint_row``, from the same ``looks``).
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
    # Columns whose texts seldom repeat from row to row (descriptions, titles): a view caches
    # their laid-out text per row, the others' per text (ui/widgets/text_table.py).
    UNIQUE_COLUMNS: ClassVar[frozenset[int]] = frozenset()
    OPTIONAL_COLUMNS: ClassVar[tuple[int, ...]] = ()  # hidden until chosen (the header's menu)
    ID_FIELD: ClassVar[int] = 0  # where a row's id sits in the cursor's tuple
    FIRST_BATCH = 100
    BATCH = 500

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Any, ...]] = []
        # Per row, (display strings, kind) once presented; None until then.
        self._presented: list[tuple[tuple[str, ...], Hashable] | None] = []
        self._placed: dict[tuple[Hashable, int], tuple[int, Any]] = {}
        self._looks_cache: dict[Hashable, tuple[Looks, ...]] = {}
        self._paint_cache: dict[Hashable, tuple[tuple[Any, Any], ...]] = {}
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
        return self.cells_of(row)[column]

    def cells_of(self, row: int) -> tuple[str, ...]:
        """The display strings of ``row`` (0 <= row < rowCount()), in column order."""
        return (self._presented[row] or self._present(row))[0]

    def paint_row(self, row: int) -> tuple[tuple[str, ...], tuple[tuple[Any, Any], ...]]:
        """What a view that paints the cells itself needs of ``row``: its display strings and,
        per column, (background QBrush or None, text QColor or None) — its kind's
        BackgroundRole and ForegroundRole."""
        cells, kind = self._presented[row] or self._present(row)
        painted = self._paint_cache.get(kind)
        if painted is None:
            painted = self._paint_cache[kind] = tuple(
                (roles.get(BACKGROUND), _colour(roles.get(FOREGROUND)))
                for roles in (dict(looks) for looks in self._looks_of(kind))
            )
        return cells, painted

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
            cells, kind = self._presented[row] or self._present(row)
            if role == DISPLAY:
                return cells[column]
            if role == TOOLTIP:
                return cells[column] if column in self.LONG_COLUMNS else None
            if role == USER:
                return self._rows[row][self.ID_FIELD]
            return dict(self._looks_of(kind)[column]).get(role)
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
            cells, kind = self._presented[row] or self._present(row)
            size = len(roleDataSpan)
            placed = self._placed.get((kind, size))
            if placed is None:
                placed = self._place(kind, roleDataSpan)
            display, extras = placed
            slot = roleDataSpan[display]
            if slot.role() != DISPLAY:
                self._fill(roleDataSpan, row, column)
                return
            slot.setData(cells[column])
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
        self._presented = []
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
        self._presented.extend([None] * len(batch))
        if notify:
            self.endInsertRows()

    def _present(self, row: int) -> tuple[tuple[str, ...], Hashable]:
        presented = self._presented[row] = self.present(self._rows[row])
        return presented

    def _looks_of(self, kind: Hashable) -> tuple[Looks, ...]:
        looks = self._looks_cache.get(kind)
        if looks is None:  # built on first paint: brushes and pixmaps need the QApplication
            looks = self._looks_cache[kind] = self.looks(kind)
        return looks

    def _place(
        self, kind: Hashable, span: Any
    ) -> tuple[int, tuple[tuple[tuple[int, Any], ...], ...]]:
        """Where the display role sits in a span of this size, and per column the (position,
        value) pairs a row of ``kind`` writes: learned once per kind and span size. Every other
        role of the span is written too, None where the column shows nothing: the delegate
        reuses its span from cell to cell, so a role left alone would keep the last cell's
        value (a tint bleeding into the next cell)."""
        layout = {span[position].role(): position for position in range(len(span))}
        if TOOLTIP in layout or USER in layout:
            raise KeyError("not a delegate's span")  # multiData falls back to _fill
        others = [(role, position) for role, position in layout.items() if role != DISPLAY]
        extras = tuple(
            tuple((position, dict(looks).get(role)) for role, position in others)
            for looks in self._looks_of(kind)
        )
        placed = (layout[DISPLAY], extras)
        self._placed[(kind, len(span))] = placed
        return placed

    def _fill(self, span: Any, row: int, column: int) -> None:
        """The plain way: every requested role, one by one."""
        try:
            cells, kind = self._presented[row] or self._present(row)
            looks = dict(self._looks_of(kind)[column])
            for slot in span:
                role = slot.role()
                if role == DISPLAY:
                    slot.setData(cells[column])
                elif role == TOOLTIP:
                    slot.setData(cells[column] if column in self.LONG_COLUMNS else None)
                elif role == USER:
                    slot.setData(self._rows[row][self.ID_FIELD])
                else:
                    slot.setData(looks.get(role))  # None clears what the last cell left
        except Exception:  # a model must never raise into Qt
            return


def _colour(brush: Any) -> Any:
    """The colour of a ForegroundRole value (a QBrush or a QColor), or None."""
    if brush is None:
        return None
    return brush.color() if hasattr(brush, "color") else brush
