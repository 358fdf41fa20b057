"""Sizes at which nothing is cut: the minimum window, a 1366×768 laptop, the 调度 dialog."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtWidgets import QSizePolicy, QSplitter, QStyle, QTableView, QWidget

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from ui.dialogs.rounds import RoundsDialog
from ui.main_window import DEFAULT_SIZE, MainWindow
from ui.models.ledger_table import LedgerTableModel

# What fit_to_screen gives on a 1366×768 laptop whose taskbar leaves 1366×728.
LAPTOP = QSize(min(DEFAULT_SIZE[0], int(1366 * 0.92)), min(DEFAULT_SIZE[1], int(728 * 0.92)))


def _laid_out(widget: QWidget) -> bool:
    """Whether a layout or a splitter places ``widget`` (and so should respect its minimum)."""
    parent = widget.parentWidget()
    if parent is None:
        return False
    if isinstance(parent, QSplitter):
        return True
    layouts = [parent.layout()] if parent.layout() is not None else []
    while layouts:
        layout = layouts.pop()
        for index in range(layout.count()):
            item = layout.itemAt(index)
            if item.widget() is widget:
                return True
            if item.layout() is not None:
                layouts.append(item.layout())
    return False


def _clipped(root: QWidget) -> list[str]:
    """Visible laid-out widgets narrower or lower than the least their content needs."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or not _laid_out(widget):
            continue
        policy, hint = widget.sizePolicy(), widget.minimumSizeHint()
        need = QSize(widget.minimumWidth() or hint.width(), widget.minimumHeight() or hint.height())
        name = f"{type(widget).__name__} {widget.objectName() or getattr(widget, 'text', str)()}"
        if (
            policy.horizontalPolicy() != QSizePolicy.Policy.Ignored
            and widget.width() < need.width()
        ):
            found.append(f"{name}: width {widget.width()} < {need.width()}")
        if (
            policy.verticalPolicy() != QSizePolicy.Policy.Ignored
            and widget.height() < need.height()
        ):
            found.append(f"{name}: height {widget.height()} < {need.height()}")
    return found


def _elided_headers(view: QTableView) -> list[str]:
    """Header titles cut short: a section narrower than its text with the header's margins
    and, where the header shows sort arrows, the arrow (Qt's CT_HeaderSection size)."""
    header = view.horizontalHeader()
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    arrow = header.height() + margin if header.isSortIndicatorShown() else 0
    elided = []
    for column in range(header.count()):
        text = view.model().headerData(column, Qt.Orientation.Horizontal)
        need = header.fontMetrics().horizontalAdvance(text) + 2 * margin + arrow
        if not header.isSectionHidden(column) and header.sectionSize(column) < need:
            elided.append(f"{text}: {header.sectionSize(column)} < {need}")
    return elided


def _resize(qtbot, widget: QWidget, size: QSize | None) -> None:
    """Resize to ``size``, or (None) to the least the layouts allow, once that has settled."""

    def settled() -> bool:
        target = size or widget.minimumSizeHint()
        if widget.size() == target:
            return True
        widget.resize(target)
        return False

    qtbot.waitUntil(settled)


def _out_of_view(view: QTableView, columns) -> list[int]:
    header, width = view.horizontalHeader(), view.viewport().width()
    return [
        column
        for column in columns
        if header.sectionViewportPosition(column) < 0
        or header.sectionViewportPosition(column) + header.sectionSize(column) > width
    ]


@pytest.fixture
def ledger_window(qtbot, window: MainWindow) -> MainWindow:
    window._services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = window.ledger_page
    page.refresh()
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    page.table.selectRow(0)
    return window


@pytest.mark.parametrize("size", ["minimum", "laptop"])
def test_the_ledger_fits_at_the_minimum_and_on_a_small_laptop(qtbot, ledger_window, size) -> None:
    window = ledger_window
    _resize(qtbot, window, None if size == "minimum" else LAPTOP)
    assert window.minimumSizeHint().width() <= 1100  # fits a 1280×720 screen, too
    assert _clipped(window) == []
    table = window.ledger_page.table
    assert _elided_headers(table) == []
    assert table.horizontalScrollBar().value() == 0
    assert _out_of_view(table, LedgerTableModel.MAIN_COLUMNS) == []
    detail = window.ledger_page.detail
    assert detail.width() >= detail.minimumSizeHint().width()
    if size == "laptop":  # the table as wide as its columns up to 牵头部门, the pane the rest
        assert _out_of_view(table, range(LedgerTableModel.COL_RESPONSIBLE)) == []
        assert detail.width() >= 360
    page = window.ledger_page
    page.views.setCurrentWidget(page.reminders)  # 催办提醒: 情况 in view, not scrolled off
    tree = page.reminders.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0)
    last = tree.header().count() - 1
    assert tree.header().sectionViewportPosition(last) + tree.header().sectionSize(last) <= (
        tree.viewport().width()
    )


def test_the_old_minimum_size_cut_the_filters(qtbot, ledger_window) -> None:
    window = ledger_window
    window.resize(720, 480)  # what the window used to allow
    assert window.width() > 720  # no longer: the layouts' minimum wins
    assert _clipped(window) == []


@pytest.fixture
def rounds_dialog(qtbot, services: Services, tmp_path) -> RoundsDialog:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    progress, plans = services.progress, services.ledger.plan_choices()
    round_id = progress.create_round(
        "2021年7月调度", plans[0][0], date(2021, 7, 30), date(2021, 7, 1)
    )
    progress.export_sheets(round_id, tmp_path, date(2021, 7, 1))
    dialog = RoundsDialog(progress, plans, clock=lambda: date(2021, 7, 20))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize("size", ["minimum", "laptop"])
def test_no_header_of_the_rounds_dialog_is_cut(qtbot, rounds_dialog, size) -> None:
    dialog = rounds_dialog
    _resize(qtbot, dialog, None if size == "minimum" else QSize(1120, 669))
    for table in (dialog.rounds_table, dialog.replies_table):
        assert _elided_headers(table) == []
        assert table.width() >= table.minimumWidth()
        assert table.horizontalScrollBar().maximum() == 0  # every column in view
