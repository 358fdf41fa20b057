"""A table view that paints the plain-text cells of a ``LazyTableModel`` itself, in one pass.

Qt's own painting of a table cell (QStyledItemDelegate: a style option filled from the model's
roles, a text layout with elision, the style's item panel) costs ~10 µs per cell here even with
a C++ model, and a Python delegate adds a call per cell; on a screenful of 20–25 rows that is
several times the SQL that fetched them (bench/run.py: findings_paint). ``TextTableView``
keeps everything else of ``QTableView`` — selection, keyboard, scrolling, the header, sorting,
tooltips, the model's roles for anything that reads them — and replaces only ``paintEvent``:
per visible cell one cached ``QStaticText`` drawn at the place and in the colour the standard
delegate would use, with the model's background tints and text colours
(``LazyTableModel.paint_row``, the same ``looks`` its roles come from), and the grid. The rows
a style draws its own way — selected, holding the focus frame, under the mouse (a native
Windows style's hover and selection) — are painted by the delegate exactly as QTableView would;
a screenful has one or two. tests/ui/test_text_table.py compares the result pixel for pixel
with a plain QTableView.

The shaped texts are cached: cells of columns whose texts repeat (dates, labels, department
names) by text and width, for as long as the view lives; the others (descriptions, titles:
``LazyTableModel.UNIQUE_COLUMNS``) per row until the model is reset, so scrolling back and a
selection change cost no text layout while each new row is laid out once, as Qt would.
Left-to-right only; the model's DisplayRole text is what is drawn, on one line, elided at the
right with "…".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QLine, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QStaticText,
)
from PySide6.QtWidgets import (
    QStyle,
    QStyleOptionViewItem,
    QTableView,
)

from ui.models.lazy_table import LazyTableModel

_ELIDE = Qt.TextElideMode.ElideRight
_PLAIN = Qt.TextFormat.PlainText
_SHARED_LIMIT = 20_000  # cached shaped texts of repeating columns, before starting over
_FLATTEN = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\u2028": " ", "\u2029": " "})


def _static(text: str) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(_PLAIN)  # never rich text, whatever the text looks like
    return static


class TextTableView(QTableView):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._shared: dict[tuple[str, int], QStaticText] = {}
        self._per_row: dict[tuple[int, int, int], list[Any]] = {}
        self._grid_pen: QPen | None = None
        self.painted_cells = 0  # cells drawn by the last paint (tests)

    def setModel(self, model: Any) -> None:
        previous = self.model()
        if isinstance(previous, LazyTableModel):
            previous.modelReset.disconnect(self._per_row.clear)
        super().setModel(model)
        self._per_row.clear()
        if isinstance(model, LazyTableModel):
            model.modelReset.connect(self._per_row.clear)

    # ---- Public API -------------------------------------------------------------------------

    def shown_text(self, row: int, column: int) -> str:
        """The text this view draws in a cell: on one line, elided to the column's width."""
        model = self.model()
        assert isinstance(model, LazyTableModel)
        grid = 1 if self.showGrid() else 0
        room = max(0, self.columnWidth(column) - grid - 2 * self._text_margin())
        return self._fit(QFontMetrics(self.font()), model.cell(row, column), room)

    def forget_texts(self) -> None:
        """Drops every laid-out text: the next paint lays out what it shows anew (a new font
        or style does this; bench/run.py measures a first paint with nothing cached)."""
        self._shared.clear()
        self._per_row.clear()

    # ---- Painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if not isinstance(model, LazyTableModel):
            super().paintEvent(event)
            return
        self.painted_cells = 0
        area = event.rect()
        vertical = self.verticalHeader()
        rows = model.rowCount()
        first = vertical.logicalIndexAt(area.top())
        if rows == 0 or first < 0:
            return
        last = vertical.logicalIndexAt(area.bottom())
        if last < 0:
            last = rows - 1
        grid = 1 if self.showGrid() else 0
        columns = self._visible_columns(area, grid)
        if not columns:
            return

        viewport = self.viewport()
        painter = QPainter(viewport)
        palette = self.palette()
        if not self.isEnabled():
            group = QPalette.ColorGroup.Disabled
        elif viewport.isActiveWindow():
            group = QPalette.ColorGroup.Active
        else:
            group = QPalette.ColorGroup.Inactive
        text_colour = palette.color(group, QPalette.ColorRole.Text)
        alternate = (
            palette.brush(group, QPalette.ColorRole.AlternateBase)
            if self.alternatingRowColors()
            else None
        )
        metrics = QFontMetrics(self.font())
        line_height, ascent = metrics.height(), metrics.ascent()
        # Rows in a state the style draws its own way (selected, under the mouse, holding the
        # focus frame) go to the delegate, as in QTableView: a screenful has one or two.
        special = self._special_rows(first, last)
        shared, per_row = self._shared, self._per_row
        if len(shared) > _SHARED_LIMIT:
            shared.clear()
        unique = model.UNIQUE_COLUMNS
        fit = self._fit
        draw_static, draw_text, fill_rect = (
            painter.drawStaticText,
            painter.drawText,
            painter.fillRect,
        )
        pen = text_colour
        painter.setPen(pen)
        painted = 0
        row_top = top = self.rowViewportPosition(first)
        bottoms: list[int] = []  # each row's grid line
        for row in range(first, last + 1):
            height = self.rowHeight(row) - grid
            if row in special:
                self._delegate_row(painter, row, row_top, height, columns, special[row])
                painter.setPen(pen)
                painted += len(columns)
                row_top += height + grid
                bottoms.append(row_top - 1)
                continue
            cells, looks = model.paint_row(row)
            fill = alternate if row % 2 else None
            text_top = row_top + (height - line_height) // 2
            for column, x, width, room, margin in columns:
                background, colour = looks[column]
                if fill is not None:
                    fill_rect(x, row_top, width, height, fill)
                if background is not None:
                    fill_rect(x, row_top, width, height, background)
                wanted = colour or text_colour
                if wanted is not pen:
                    pen = wanted
                    painter.setPen(pen)
                painted += 1
                if column in unique:
                    # Laid out when first drawn; kept (as a QStaticText) once drawn again.
                    key = (row, column, room)
                    entry = per_row.get(key)
                    if entry is None:
                        text = fit(metrics, cells[column], room)
                        per_row[key] = [text, None]
                        if text:
                            draw_text(x + margin, text_top + ascent, text)
                        continue
                    if entry[1] is None:
                        entry[1] = _static(entry[0])
                    static = entry[1]
                else:
                    shared_key = (cells[column], room)
                    static = shared.get(shared_key)
                    if static is None:
                        static = shared[shared_key] = _static(fit(metrics, cells[column], room))
                draw_static(x + margin, text_top, static)
            row_top += height + grid
            bottoms.append(row_top - 1)
        if grid:
            self._draw_grid(painter, area, columns, top, bottoms)
        painter.end()
        self.painted_cells = painted

    @staticmethod
    def _fit(metrics: QFontMetrics, text: str, room: int) -> str:
        return metrics.elidedText(text.translate(_FLATTEN), _ELIDE, room)

    def _text_margin(self) -> int:
        """Where the standard delegate starts the text in a cell (QCommonStyle's margin)."""
        return self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1

    def _visible_columns(self, area: QRect, grid: int) -> list[tuple[int, int, int, int, int]]:
        """(column, x, cell width, room for text, text margin) of the columns in ``area``, in
        the order shown."""
        header = self.horizontalHeader()
        margin = self._text_margin()
        columns = []
        for visual in range(header.count()):
            column = header.logicalIndex(visual)
            if header.isSectionHidden(column):
                continue
            x = self.columnViewportPosition(column)
            width = self.columnWidth(column) - grid
            if x > area.right() or x + width < area.left() or width <= 0:
                continue
            columns.append((column, x, width, max(0, width - 2 * margin), margin))
        return columns

    def _draw_grid(
        self, painter: QPainter, area: QRect, columns, top: int, bottoms: list[int]
    ) -> None:
        """Qt's grid: a line under each row and right of each column, in one call."""
        if self._grid_pen is None:
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            hint = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
            self._grid_pen = QPen(QColor.fromRgba(hint & 0xFFFFFFFF), 1, self.gridStyle())
        painter.setPen(self._grid_pen)
        bottom = bottoms[-1]
        header = self.horizontalHeader()
        right = min(area.right(), header.length() - header.offset() - 1)  # not past the columns
        left = area.left()
        lines = [QLine(left, y, right, y) for y in bottoms]
        lines += [QLine(x + width, top, x + width, bottom) for _c, x, width, _r, _m in columns]
        painter.drawLines(lines)

    def _special_rows(self, first: int, last: int) -> dict[int, int]:
        """The rows between ``first`` and ``last`` the delegate paints: selected, under the
        mouse, or holding the focus frame — each with the column under the mouse (or -1)."""
        special: dict[int, int] = {}
        selection = self.selectionModel()
        if selection is not None:
            for index in selection.selectedIndexes():
                if first <= index.row() <= last:
                    special[index.row()] = -1
        current = self.currentIndex()
        focus = self.hasFocus() or self.viewport().hasFocus()
        if current.isValid() and focus and first <= current.row() <= last:
            special[current.row()] = -1
        viewport = self.viewport()
        if viewport.underMouse():
            hovered = self.indexAt(viewport.mapFromGlobal(QCursor.pos()))
            if hovered.isValid() and first <= hovered.row() <= last:
                special[hovered.row()] = hovered.column()
        return special

    def _delegate_row(
        self, painter: QPainter, row: int, top: int, height: int, columns, hovered: int
    ) -> None:
        """One row's cells as QTableView draws them: the style's row panel, then the
        delegate, with the states QTableView gives the cell (QTableView::drawCell)."""
        model = self.model()
        base = QStyleOptionViewItem()
        self.initViewItemOption(base)
        style, selection, current = self.style(), self.selectionModel(), self.currentIndex()
        focus = self.hasFocus() or self.viewport().hasFocus()
        enabled = bool(base.state & QStyle.StateFlag.State_Enabled)
        for column, x, width, _room, _margin in columns:
            index = model.index(row, column)
            option = QStyleOptionViewItem(base)
            option.rect = QRect(x, top, width, height)
            if selection is not None and selection.isSelected(index):
                option.state |= QStyle.StateFlag.State_Selected
            if column == hovered:
                option.state |= QStyle.StateFlag.State_MouseOver
            if enabled:
                option.palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)
            if self.alternatingRowColors() and row % 2:
                option.features |= QStyleOptionViewItem.ViewItemFeature.Alternate
            if focus and index == current:
                option.state |= QStyle.StateFlag.State_HasFocus
            painter.save()
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, option, painter, self)
            self.itemDelegateForIndex(index).paint(painter, option, index)
            painter.restore()

    # ---- Keeping the caches right -----------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.forget_texts()
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self._grid_pen = None
        super().changeEvent(event)
