"""The detail pane never shows stale or hidden data: it follows the current row, the as-of date,
the filters and changes written elsewhere, and says why when its measure leaves the list."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from tests.ui.test_ledger_page import _page
from ui.models.ledger_table import LedgerTableModel
from ui.pages.ledger_page import LedgerPage

CTRL = Qt.KeyboardModifier.ControlModifier
FIRST_TITLE = "拓展电子证照应用场景"  # 1.1: its milestone falls due on 2021-08-31


@pytest.fixture
def page(qtbot, services: Services) -> LedgerPage:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = _page(qtbot, services)
    page.filters.as_of.setDate(QDate(2021, 9, 1))  # 1.1 is overdue (red) on this day
    return page


def _row_of(model: LedgerTableModel, title_part: str) -> int:
    while True:
        for row in range(model.rowCount()):
            if title_part in model.row(row).title:
                return row
        if not model.canFetchMore():
            return -1
        model.fetchMore()


def _select(page: LedgerPage, title_part: str) -> str:
    row = _row_of(page.model, title_part)
    page.table.selectRow(row)
    return page.model.row(row).id


def _current_row_id(page: LedgerPage) -> str | None:
    measure = page.model.row(page.table.currentIndex().row())
    return measure.id if measure else None


def _milestone_line(page: LedgerPage) -> str:
    """The pane's 时限节点 table (1.1 has one milestone: 8月底前, 2021-08-31)."""
    text = page.detail.text()
    block = text.split("时限节点", 1)[1].split("进展记录", 1)[0]
    assert "2021-08-31" in block
    return block


def test_typing_an_as_of_date_recomputes_the_table_and_the_pane(qtbot, page: LedgerPage) -> None:
    measure = _select(page, FIRST_TITLE)
    assert "逾期" in page.detail.text() and "红灯" in page.detail.text()

    as_of = page.filters.as_of
    qtbot.mouseClick(as_of, Qt.MouseButton.LeftButton)
    qtbot.keyClick(as_of, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(as_of, "2021-07-01")
    qtbot.keyClick(as_of, Qt.Key.Key_Return)

    assert page.filters.as_of_date() == date(2021, 7, 1)
    row = page.model.row(page.model.row_of(measure))
    assert (row.status.label, row.light.label) == ("未开始", "绿灯")
    assert _current_row_id(page) == measure  # still the current row
    text = page.detail.text()
    assert "截至 2021-07-01" in text and "逾期" not in text and "红灯" not in text
    assert "未开始" in text and "绿灯" in text


def test_the_pane_follows_the_as_of_date_however_it_is_set(page: LedgerPage) -> None:
    _select(page, FIRST_TITLE)
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    assert "逾期" not in _milestone_line(page) and "绿灯" in _milestone_line(page)
    page.filters.as_of.setDate(QDate(2021, 9, 1))
    assert "逾期" in _milestone_line(page) and "红灯" in _milestone_line(page)


def test_filtering_the_selected_measure_out_clears_the_pane_and_says_why(page: LedgerPage) -> None:
    _select(page, FIRST_TITLE)
    filters = page.filters
    filters.light.setCurrentIndex(filters.light.findText("绿灯"))  # 1.1 is red today
    assert page.model.row_of(page.model.row(0).id) == 0 and _current_row_id(page) is None
    text = page.detail.text()
    assert FIRST_TITLE not in text.split("不在当前筛选结果中")[-1]
    assert "不在当前筛选结果中" in text and FIRST_TITLE in text and "清除筛选" in text
    assert not page.detail.done_button.isVisible() and not page.detail.inspect_button.isVisible()
    assert page.current_measure() is None
    # Clearing the filters brings back the measure the user had chosen, and no stale message.
    filters.reset()
    assert page.current_measure() is not None and FIRST_TITLE in page.detail.text()
    assert "不在当前筛选结果中" not in page.detail.text()


def test_no_message_outlives_the_filter_it_was_about(page: LedgerPage) -> None:
    page.filters.as_of.setDate(QDate(2021, 7, 1))  # 1.1 not yet due; 2.x overdue
    first = _select(page, FIRST_TITLE)
    page.filters.overdue_only.setChecked(True)
    text = page.detail.text()
    assert "不在当前筛选结果中" in text and FIRST_TITLE in text
    # Another filter that still leaves it out: the message is still about 1.1, still true.
    page.filters.search.setText("工程建设")
    page.apply_filters()
    assert "不在当前筛选结果中" in page.detail.text() and FIRST_TITLE in page.detail.text()
    page.filters.search.clear()
    page.apply_filters()
    # An overdue measure chosen now is shown, and stays shown when the filter widens again.
    shown = page.model.row(0)
    page.table.selectRow(0)
    assert shown.title in page.detail.text() and "不在当前筛选结果中" not in page.detail.text()
    page.filters.overdue_only.setChecked(False)
    assert page.current_measure() == shown.id and shown.id != first
    assert shown.title in page.detail.text() and "不在当前筛选结果中" not in page.detail.text()


def test_a_completed_measure_is_not_offered_to_be_marked_done(page, services) -> None:
    measure = _select(page, FIRST_TITLE)
    assert page.detail.done_button.text() == "标记完成…"
    (milestone,) = services.storage.db.execute(
        "SELECT id FROM milestones WHERE measure_id = ? AND deleted = 0", [measure]
    ).fetchone()
    services.repository.update("milestones", milestone, {"completed_on": "2021-08-20"})
    page.refresh()
    assert page.detail.done_button.isVisible()
    assert page.detail.done_button.text() == "撤销完成…"  # only undoing is left
    page.filters.as_of.setDate(QDate(2021, 8, 19))  # not yet done on that day
    assert page.detail.done_button.text() == "标记完成…"


def test_a_measure_still_listed_stays_selected_and_shown(qtbot, page: LedgerPage) -> None:
    model, filters = page.model, page.filters
    while model.canFetchMore():
        model.fetchMore()
    far = model.row(model.rowCount() - 3)  # far down: not in the first batch the table loads
    with qtbot.waitSignal(filters.sig_changed, timeout=3000):
        filters.search.setText(far.title)
    page.table.selectRow(model.row_of(far.id))
    assert far.title in page.detail.text()

    filters.reset()  # 清除筛选: the list is long again, the measure still in it
    assert model.row_of(far.id) >= LedgerTableModel.FIRST_BATCH
    assert _current_row_id(page) == far.id and far.title in page.detail.text()


def test_sorting_keeps_the_current_row(qtbot, page: LedgerPage) -> None:
    measure = _select(page, FIRST_TITLE)
    page.table.sortByColumn(LedgerTableModel.COL_TITLE, Qt.SortOrder.DescendingOrder)
    assert _current_row_id(page) == measure and FIRST_TITLE in page.detail.text()


def test_a_completion_written_elsewhere_refreshes_the_pane(qtbot, page, services) -> None:
    measure = _select(page, FIRST_TITLE)
    assert "逾期" in _milestone_line(page)
    # As a 调度 round or a sync would: straight through the repository.
    (milestone,) = services.storage.db.execute(
        "SELECT id FROM milestones WHERE measure_id = ? AND deleted = 0", [measure]
    ).fetchone()
    services.repository.update("milestones", milestone, {"completed_on": "2021-08-20"})
    qtbot.waitUntil(lambda: "2021-08-20" in page.detail.text())
    assert "已完成" in _milestone_line(page) and "绿灯" in _milestone_line(page)
    assert _current_row_id(page) == measure


def test_a_completion_after_the_as_of_day_is_marked_not_counted(qtbot, page, services) -> None:
    measure = _select(page, FIRST_TITLE)
    (milestone,) = services.storage.db.execute(
        "SELECT id FROM milestones WHERE measure_id = ? AND deleted = 0", [measure]
    ).fetchone()
    services.repository.update("milestones", milestone, {"completed_on": "2021-09-10"})
    qtbot.waitUntil(lambda: "2021-09-10" in page.detail.text())
    assert "晚于截至日" in _milestone_line(page) and "逾期" in _milestone_line(page)


def test_a_measure_deleted_elsewhere_leaves_the_pane_with_a_reason(qtbot, page, services) -> None:
    measure = _select(page, FIRST_TITLE)
    services.repository.delete("measures", measure)
    qtbot.waitUntil(lambda: "时限节点" not in page.detail.text())
    assert FIRST_TITLE in page.detail.text() and "已从台账中删除" in page.detail.text()


def test_a_measure_picked_in_the_tree_follows_the_as_of_date(qtbot, page, services) -> None:
    page.views.setCurrentWidget(page.tree)
    qtbot.waitUntil(lambda: not page.tree.is_loading())  # built on a worker
    area = page.tree.topLevelItem(0).child(0)
    area.setExpanded(True)  # its measure rows are made when it opens
    page.tree.setCurrentItem(area.child(0))
    assert FIRST_TITLE in page.detail.text() and "逾期" in _milestone_line(page)
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    assert "逾期" not in _milestone_line(page)
    # The tree is not filtered: a filter that hides it from the table does not clear it.
    page.filters.light.setCurrentIndex(page.filters.light.findText("红灯"))
    assert FIRST_TITLE in page.detail.text() and "截至 2021-07-01" in page.detail.text()
    # Deleted: the tree loses it, and so does the pane.
    measure = page.current_measure()
    services.repository.delete("measures", measure)
    qtbot.waitUntil(lambda: "已从台账中删除" in page.detail.text())
