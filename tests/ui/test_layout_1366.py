"""At 1366×768 no column cuts its usual text, the 当前检查项 pane scrolls, and the smallest
window still shows a useful part of the ledger."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSize
from PySide6.QtWidgets import QTableView

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from app.storage import Storage
from tests.ui.inspection_scene import Scene
from tests.ui.test_window_sizes import LAPTOP, _out_of_view, _resize
from ui.dialogs.rounds import RoundsDialog
from ui.main_window import MainWindow
from ui.widgets.checklist_item import ChecklistItemPanel
from ui.widgets.plan_tree import PlanTree
from ui.widgets.ranking_view import RankingView
from ui.widgets.reminders_view import RemindersView
from ui.widgets.sizing import text_width


def test_the_tree_shows_two_digit_numbers_whole(qtbot, services: Services) -> None:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    tree = PlanTree()
    qtbot.addWidget(tree)
    tree.resize(900, 600)
    tree.show()
    tree.show_plans(services.ledger.plan_tree(services.status.measures(as_of=date(2021, 7, 1))))
    measure = next(
        m.id
        for m in services.status.measures(as_of=date(2021, 7, 1))
        if m.title.startswith("合并市政")
    )
    assert tree.select_measure(measure)
    item = tree.currentItem()
    assert item.text(tree.COL_NO) == "2.10"
    cell = tree.visualRect(tree.indexFromItem(item, tree.COL_NO))
    assert cell.width() >= text_width(tree, "10.10")


def test_status_columns_fit_their_usual_text(qtbot) -> None:
    reminders = RemindersView()
    qtbot.addWidget(reminders)
    assert reminders.tree.header().sectionSize(4) >= text_width(
        reminders.tree, "整改已逾期 15 个工作日"
    )
    ranking = RankingView()
    qtbot.addWidget(ranking)
    ranking.resize(1200, 600)
    table = ranking.table
    header = table.horizontalHeader()
    for column in range(header.count()):
        title = ranking.HEADERS[column]
        assert header.sectionSize(column) >= text_width(table, title), title
    # 部门 as wide as a long name, not everything that is left over.
    assert header.sectionSize(ranking.COL_DEPARTMENT) < 400


def test_the_rounds_list_shows_its_state_whole(qtbot, services: Services) -> None:
    dialog = RoundsDialog(services.progress, [])
    qtbot.addWidget(dialog)
    table = dialog.rounds_table
    assert table.columnWidth(dialog.COL_ROUND_REPLIES) >= text_width(table, "未发放")


def test_the_records_list_shows_every_column_on_a_laptop(qtbot, storage: Storage, app_settings):
    scene = Scene(storage)
    window = MainWindow(app_settings, storage.path)
    qtbot.addWidget(window)
    window.attach(scene.services)
    window.show()
    _resize(qtbot, window, LAPTOP)
    window.show_page("inspections")
    page = window.pages["inspections"]
    page.tabs.setCurrentWidget(page.records_tab)
    qtbot.waitUntil(lambda: page.record_model.rowCount() > 0)
    table: QTableView = page.record_table
    assert _out_of_view(table, range(page.record_model.columnCount())) == []


def test_the_current_item_pane_scrolls_to_its_evidence(qtbot) -> None:
    panel = ChecklistItemPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 260)  # what the record form leaves it on a 768-pixel screen
    panel.show()
    qtbot.waitExposed(panel)
    bar = panel.scroll.verticalScrollBar()
    assert bar.maximum() > 0  # taller than the pane: it scrolls rather than cuts
    panel.scroll.ensureWidgetVisible(panel.raise_button)
    top_left = panel.raise_button.mapTo(
        panel.scroll.viewport(), panel.raise_button.rect().topLeft()
    )
    assert top_left.y() >= 0 and top_left.y() + panel.raise_button.height() <= (
        panel.scroll.viewport().height()
    )


def test_the_smallest_window_shows_ten_measures(qtbot, window: MainWindow) -> None:
    window._services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = window.ledger_page
    page.refresh()
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    _resize(qtbot, window, None)
    table = page.table
    rows = table.viewport().height() // table.verticalHeader().defaultSectionSize()
    assert rows >= 10
    assert window.minimumSizeHint().height() <= 700  # still fits a 1280×720 screen
    assert window.size().expandedTo(QSize(0, 0)).height() > 333  # the old minimum
