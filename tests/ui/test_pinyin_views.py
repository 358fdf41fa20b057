"""Views sort names as the services do (pinyin), and their sort arrows say which way."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from app.domain.collation import collated
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from ui.changes import ChangeNotifier
from ui.dialogs.departments import DepartmentsDialog
from ui.dialogs.rounds import RoundsDialog
from ui.pages.ledger_page import LedgerPage

# Code-point order puts 人 (U+4EBA) before 北 (U+5317) before 市 (U+5E02).
BEI, REN, SHI = "北辛街道", "人民银行滕州市支行", "市交通运输局"


@pytest.fixture
def sample(services: Services) -> Services:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    return services


def _column(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def _in_order(names: list[str], *expected: str) -> bool:
    return [names.index(name) for name in expected] == sorted(names.index(n) for n in expected)


def test_the_directory_opens_a_to_z_and_its_arrow_says_ascending(qtbot, sample) -> None:
    dialog = DepartmentsDialog(sample.departments)
    qtbot.addWidget(dialog)
    dialog.show()
    header = dialog.table.horizontalHeader()
    assert header.sortIndicatorSection() == dialog.COL_NAME
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    names = _column(dialog.table, dialog.COL_NAME)
    assert names == collated(names) and _in_order(names, BEI, REN, SHI)

    dialog.table.sortByColumn(dialog.COL_NAME, Qt.SortOrder.DescendingOrder)  # a header click
    assert _column(dialog.table, dialog.COL_NAME) == names[::-1]
    dialog.table.sortByColumn(dialog.COL_LEAD, Qt.SortOrder.DescendingOrder)
    leads = [int(text) for text in _column(dialog.table, dialog.COL_LEAD)]
    assert leads == sorted(leads, reverse=True)  # numbers by value, not as text ("9" > "16")


def test_the_directory_keeps_pinyin_order_after_a_change(qtbot, sample, monkeypatch) -> None:
    dialog = DepartmentsDialog(sample.departments)
    qtbot.addWidget(dialog)
    dialog.select_names(REN)
    monkeypatch.setattr(
        "ui.dialogs.departments.QInputDialog.getText",
        lambda *a, **k: ("中国人民银行滕州市支行", True),
    )
    dialog.rename_selected()
    names = _column(dialog.table, dialog.COL_NAME)
    assert "中国人民银行滕州市支行" in names and names == collated(names)


def test_the_department_tab_sorts_names_by_pinyin(qtbot, sample) -> None:
    notifier = ChangeNotifier(sample.repository)
    page = LedgerPage(sample, notifier)
    page._notifier = notifier
    qtbot.addWidget(page)
    page.show()
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    page.views.setCurrentIndex(2)  # 部门
    view = page.department_view
    view.table.sortByColumn(view.COL_NAME, Qt.SortOrder.AscendingOrder)
    names = _column(view.table, view.COL_NAME)
    assert names == collated(names) and _in_order(names, BEI, REN, SHI)


def test_the_round_replies_are_listed_in_pinyin_order(qtbot, sample, tmp_path) -> None:
    progress = sample.progress
    plans = sample.ledger.plan_choices()
    round_id = progress.create_round(
        "2021年7月调度", plans[0][0], date(2021, 7, 30), date(2021, 7, 1)
    )
    progress.export_sheets(round_id, tmp_path, date(2021, 7, 1))
    dialog = RoundsDialog(progress, plans, clock=lambda: date(2021, 7, 20))
    qtbot.addWidget(dialog)
    dialog.show()
    header = dialog.replies_table.horizontalHeader()
    assert header.sortIndicatorSection() == dialog.COL_DEPARTMENT
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    names = _column(dialog.replies_table, dialog.COL_DEPARTMENT)
    assert len(names) == 49
    assert names == collated(names) and _in_order(names, BEI, REN, SHI)
    # Sorted by state, the departments within one state stay in pinyin order.
    dialog.replies_table.sortByColumn(dialog.COL_STATE, Qt.SortOrder.AscendingOrder)
    assert _column(dialog.replies_table, dialog.COL_DEPARTMENT) == names  # all 未报回
