"""The 明察暗访 page fits the window's minimum size and a 1366×768 laptop, on every tab."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate

from app.storage import Storage
from tests.ui.inspection_scene import AS_OF, Scene
from tests.ui.test_window_sizes import LAPTOP, _clipped, _elided_headers, _resize
from ui.main_window import MainWindow


@pytest.fixture
def inspections_window(qtbot, storage: Storage, window: MainWindow) -> MainWindow:
    Scene(storage)
    window.show_page("inspections")
    page = window.inspections_page
    page.refresh()
    page.filters.as_of.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    return window


@pytest.mark.parametrize("size", ["minimum", "laptop"])
def test_every_tab_fits(qtbot, inspections_window: MainWindow, size: str) -> None:
    window = inspections_window
    page = window.inspections_page
    assert window.minimumSizeHint().width() <= 1100  # the page does not widen the window
    for tab in (page.plans, page.records_tab, page.findings_tab, page.ranking):
        page.show_tab(tab)
        _resize(qtbot, window, None if size == "minimum" else LAPTOP)
        assert _clipped(window) == [], page.tabs.tabText(page.tabs.currentIndex())
    for table in (page.record_table, page.finding_table, page.plans.records):
        assert _elided_headers(table) == []
