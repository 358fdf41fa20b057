"""The 工作台账 page at the edges: each milestone's light in the detail pane around the yellow
limit (with the page's own N), and the 到期月份 filter at a month's end."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate

from app.services.context import Services
from tests.services.test_status import Ledger
from tests.ui.test_ledger_page import _all_rows, _page
from ui.pages.ledger_page import LedgerPage


def _set_date(page: LedgerPage, day: date, soon_days: int) -> None:
    page.filters.as_of.setDate(QDate(day.year, day.month, day.day))
    page.filters.soon_days.setValue(soon_days)


def _select(page: LedgerPage, title: str) -> None:
    rows = _all_rows(page.model)
    page.table.selectRow(next(i for i, row in enumerate(rows) if row.title == title))


def _milestone_rows(page: LedgerPage) -> dict[str, tuple[str, str]]:
    """时限 → (状态, 亮灯) as the pane shows them (each table cell is a line of its text)."""
    lines = page.detail.text().split("\n")
    start = lines.index("亮灯") + 1
    end = lines.index("进展记录")
    cells = lines[start:end]
    rows = {}
    for index in range(0, len(cells) - 4, 5):
        raw, _due, _done, status, light = cells[index : index + 5]
        rows[raw] = (status, light.removeprefix("●").strip())
    return rows


def test_each_milestone_is_lit_by_the_working_days_left(qtbot, services: Services) -> None:
    ledger = Ledger(services.storage)
    ledger.measure(
        (date(2021, 7, 22), "date", None, "7月22日前"),
        (date(2021, 7, 27), "date", date(2021, 7, 23), "7月27日前"),  # done on the as-of day
        (date(2021, 7, 28), "date", None, "7月28日前"),
        (date(2021, 7, 29), "date", None, "7月29日前"),
        (date(2021, 7, 31), "date", None, "7月31日前"),
        (date(2021, 8, 2), "date", None, "8月2日前"),
        title="分节点推进的措施",
    )
    ledger.measure((date(2021, 7, 28), "date", None, "7月28日前"), title="一个节点")
    ledger.measure((date(2021, 7, 31), "date", None, "7月31日前"), title="周六到期")
    page = _page(qtbot, services)

    # Friday 7-23 with N = 3: 7-26, 7-27 and 7-28 are the three working days left.
    _set_date(page, date(2021, 7, 23), 3)
    _select(page, "分节点推进的措施")
    assert _milestone_rows(page) == {
        "7月22日前": ("逾期", "红灯"),
        "7月27日前": ("已完成", "绿灯"),
        "7月28日前": ("未开始", "黄灯"),  # exactly N working days left
        "7月29日前": ("未开始", "绿灯"),  # one more
        "7月31日前": ("未开始", "绿灯"),
        "8月2日前": ("未开始", "绿灯"),
    }
    lights = {row.title: row.light.label for row in _all_rows(page.model)}
    assert lights == {"分节点推进的措施": "红灯", "一个节点": "黄灯", "周六到期": "绿灯"}

    # Wednesday 7-28 with N = 2: 7-29 and 7-30 are left before the weekend; a deadline on the
    # Saturday leaves no more than that, the Monday one a third.
    _set_date(page, date(2021, 7, 28), 2)
    _select(page, "分节点推进的措施")
    rows = _milestone_rows(page)
    assert rows["7月28日前"] == ("未开始", "黄灯")  # due today
    assert rows["7月29日前"] == ("未开始", "黄灯")
    assert rows["7月31日前"] == ("未开始", "黄灯")
    assert rows["8月2日前"] == ("未开始", "绿灯")
    assert {row.title: row.light.label for row in _all_rows(page.model)}["周六到期"] == "黄灯"

    # The day after a due date it is overdue.
    _set_date(page, date(2021, 7, 29), 2)
    _select(page, "分节点推进的措施")
    assert _milestone_rows(page)["7月28日前"] == ("逾期", "红灯")


def test_the_due_month_filter_stops_at_the_months_end(qtbot, services: Services) -> None:
    ledger = Ledger(services.storage)
    for due in (date(2021, 6, 30), date(2021, 7, 1), date(2021, 12, 31), date(2022, 1, 1)):
        ledger.measure((due, "date", None), title=f"{due.isoformat()}到期")
    page = _page(qtbot, services)
    _set_date(page, date(2021, 6, 1), 5)
    combo = page.filters.due_month
    months = [combo.itemText(i) for i in range(1, combo.count())]
    assert months == ["2021年6月", "2021年7月", "2021年12月", "2022年1月"]
    for month, title in (
        ("2021年6月", "2021-06-30到期"),
        ("2021年7月", "2021-07-01到期"),
        ("2021年12月", "2021-12-31到期"),
        ("2022年1月", "2022-01-01到期"),
    ):
        combo.setCurrentIndex(combo.findText(month))
        assert [row.title for row in _all_rows(page.model)] == [title], month
