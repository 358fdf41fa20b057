"""A table view that paints the plain-text cells of a ``LazyTableModel`` itself, in one pass.

Qt's own painting of a table cell (QStyledItemDelegate: a style option filled from the model's
roles, a text layout with elision, the style's item panel) costs ~10 µs per cell here even with
a C++ model, and a Python delegate adds a call per cell; on a screenful of 20–25 rows that is
several times the SQL that fetched them (bench/run.py: findings_paint). ``TextTableView``
keeps everything else of ``QTableView`` — selection, keyboard, scrolling, the header, sorting,
tooltips, the model's roles for anything that reads them — and replaces only ``paintEvent``:
per visible cell one cached ``QStaticText`` drawn at the place and in the colour the standard
delegate would use, the model's background tints and text colours (``LazyTableModel.paint_row``,
the same ``looks`` its roles come from), the selection, the focus frame and the grid.

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
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen, QStaticText
from PySide6.QtWidgets import (
    QStyle,
    QStyleOptionFocusRect,
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
        highlight = palette.brush(group, QPalette.ColorRole.Highlight)
        highlighted_text = palette.color(group, QPalette.ColorRole.HighlightedText)
        alternate = (
            palette.brush(group, QPalette.ColorRole.AlternateBase)
            if self.alternatingRowColors()
            else None
        )
        metrics = QFontMetrics(self.font())
        line_height, ascent = metrics.height(), metrics.ascent()
        selection = self.selectionModel()
        # Rows whose every column is selected (isRowSelected, asked once, not per row).
        chosen = {i.row() for i in selection.selectedRows()} if selection is not None else set()
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
            cells, looks = model.paint_row(row)
            selected = row in chosen
            fill = highlight if selected else (alternate if row % 2 else None)
            text_top = row_top + (height - line_height) // 2
            for column, x, width, room, margin in columns:
                background, colour = looks[column]
                if fill is not None:
                    fill_rect(x, row_top, width, height, fill)
                if background is not None and not selected:
                    fill_rect(x, row_top, width, height, background)
                wanted = highlighted_text if selected else (colour or text_colour)
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
        self._draw_focus(painter, first, last, columns)
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

    def _draw_focus(self, painter: QPainter, first: int, last: int, columns) -> None:
        current = self.currentIndex()
        if not current.isValid() or not (self.hasFocus() or self.viewport().hasFocus()):
            return
        if not first <= current.row() <= last:
            return
        for column, x, width, _room, _margin in columns:
            if column != current.column():
                continue
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            grid = 1 if self.showGrid() else 0  # the cell inside its grid lines, as Qt's
            option.rect = QRect(
                x,
                self.rowViewportPosition(current.row()),
                width,
                self.rowHeight(current.row()) - grid,
            )
            option.state |= QStyle.StateFlag.State_KeyboardFocusChange
            selected = self.selectionModel().isSelected(current)
            option.backgroundColor = self.palette().color(
                QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Window
            )
            self.style().drawPrimitive(
                QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, self
            )

    # ---- Keeping the caches right -----------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.forget_texts()
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self._grid_pen = None
        super().changeEvent(event)
