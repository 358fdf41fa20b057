"""Sizes that fit: windows that fit the screen they open on (inspectors' laptops are often
1366×768), table columns whose headers are never cut, and tables that keep their main columns in
view. Widths come from the font in use, not from fixed pixel counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QStyle, QTableView, QWidget


def fit_to_screen(widget: QWidget, width: int, height: int, share: float = 0.92) -> None:
    """Resize to ``width``×``height``, or to ``share`` of the available screen if smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, int(available.width() * share))
        height = min(height, int(available.height() * share))
    widget.resize(width, height)


def text_width(view: QAbstractItemView, text: str) -> int:
    """Width a cell needs to show ``text`` whole: the delegate's margins, the grid line and a
    little room (an item view's own size hint leaves none, so the text just fits or not)."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    grid = 1 if isinstance(view, QTableView) and view.showGrid() else 0
    return view.fontMetrics().horizontalAdvance(text) + 2 * margin + grid + 6


def fit_columns(view: QTableView, widths: Mapping[int, int | str]) -> None:
    """Give each column its width (pixels, or a sample of its longest usual text), but never
    less than its header needs to show its title and sort arrow whole."""
    header = view.horizontalHeader()
    for column, wanted in widths.items():
        width = text_width(view, wanted) if isinstance(wanted, str) else wanted
        view.setColumnWidth(column, max(width, header.sectionSizeHint(column)))


def columns_width(view: QTableView, columns: Iterable[int]) -> int:
    """Width ``view`` needs to show ``columns`` side by side without scrolling (sections as
    sized now, the frame and the vertical scroll bar)."""
    header = view.horizontalHeader()
    bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, view)
    return sum(header.sectionSize(column) for column in columns) + 2 * view.frameWidth() + bar


def keep_columns_in_view(view: QTableView, columns: Iterable[int]) -> None:
    """``view`` never gets narrower than ``columns`` need (set their widths first)."""
    view.setMinimumWidth(columns_width(view, columns))


def minimum_width_for(view: QTableView, samples: Mapping[int, str]) -> int:
    """Width a table that sizes its columns to their contents needs so that no header is cut:
    per column the wider of its header and its sample text."""
    header = view.horizontalHeader()
    bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, view)
    sections = sum(
        max(header.sectionSizeHint(column), text_width(view, samples.get(column, "")))
        for column in range(header.count())
        if not header.isSectionHidden(column)
    )
    return sections + 2 * view.frameWidth() + bar
