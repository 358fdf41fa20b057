"""树形 tells as much as 表格: 序号, light and status per measure, red/yellow counts per area,
at the current 截至 and through the current filter."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QCoreApplication, QDate, QThreadPool

from app.domain.ledger import Light
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from ui.changes import ChangeNotifier
from ui.models.ledger_table import LedgerTableModel
from ui.pages.ledger_page import LedgerPage
from ui.widgets.plan_tree import PlanTree


@pytest.fixture
def page(qtbot, services: Services) -> LedgerPage:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    notifier = ChangeNotifier(services.repository)
    page = LedgerPage(services, notifier)
    page._notifier = notifier
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    page.views.setCurrentWidget(page.tree)
    return page


def _table(page: LedgerPage) -> dict[str, tuple[str, str, str]]:
    """序号 → (area, light, status) as the table shows them."""
    model = page.model
    while model.canFetchMore():
        model.fetchMore()
    rows = {}
    for row in range(model.rowCount()):
        number, light, status = (
            model.index(row, column).data()
            for column in (
                LedgerTableModel.COL_NO,
                LedgerTableModel.COL_LIGHT,
                LedgerTableModel.COL_STATUS,
            )
        )
        rows[number] = (number.split(".")[0], light, status)
    return rows


def _settle(tree: PlanTree) -> None:
    """Let the worker finish and deliver the plans; make every area's rows."""
    QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.processEvents()
    assert not tree.is_loading()
    tree.expandAll()


def _tree(page: LedgerPage) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(序号 → (light, status) of measure rows, area 序号 → its counts text)."""
    tree, measures, areas = page.tree, {}, {}
    _settle(tree)
    plan = tree.topLevelItem(0)
    for a in range(plan.childCount()):
        area = plan.child(a)
        areas[area.text(PlanTree.COL_NO)] = area.text(PlanTree.COL_LIGHT)
        for m in range(area.childCount()):
            item = area.child(m)
            measures[item.text(PlanTree.COL_NO)] = (
                item.text(PlanTree.COL_LIGHT),
                item.text(PlanTree.COL_STATUS),
            )
    return measures, areas


def _expected_counts(table: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    red = Counter(area for area, light, _ in table.values() if light == Light.RED.label)
    yellow = Counter(area for area, light, _ in table.values() if light == Light.YELLOW.label)
    areas = {area for area, _, _ in table.values()}
    return {area: f"红 {red[area]}　黄 {yellow[area]}" for area in areas}


def test_measure_rows_show_number_light_and_status_like_the_table(page: LedgerPage) -> None:
    table = _table(page)
    measures, areas = _tree(page)
    assert len(measures) == 201
    assert measures == {number: (light, status) for number, (_, light, status) in table.items()}
    assert measures["2.2"] == ("红灯", "逾期")  # 6月底前, not done by 2021-07-01
    assert areas == _expected_counts(table)
    assert areas["2"] == "红 20　黄 0"
    assert page.tree.topLevelItem(0).text(PlanTree.COL_LIGHT) == "红 57　黄 0"


def test_counts_follow_the_as_of_date(page: LedgerPage) -> None:
    page.filters.as_of.setDate(QDate(2021, 6, 25))  # 6月底前 is due within 5 working days
    table = _table(page)
    measures, areas = _tree(page)
    assert measures["2.2"] == ("黄灯", "未开始")
    assert areas == _expected_counts(table)
    assert areas["2"].endswith("黄 20") and not areas["2"].startswith("红 20")


def test_the_tree_follows_the_filter(page: LedgerPage) -> None:
    filters = page.filters
    filters.light.setCurrentIndex(filters.light.findText("红灯"))
    measures, areas = _tree(page)
    assert len(measures) == 57 and {light for light, _ in measures.values()} == {"红灯"}
    assert "1" not in areas  # 开办企业 has no red measure on 2021-07-01
    assert all(text.endswith("黄 0") for text in areas.values())
    filters.reset()
    assert len(_tree(page)[0]) == 201


def test_a_completion_updates_the_tree(qtbot, page: LedgerPage, services: Services) -> None:
    db = services.storage.db
    milestones = db.execute(
        "SELECT x.id FROM milestones x JOIN measures m ON m.id = x.measure_id"
        " JOIN areas a ON a.id = m.area_id WHERE a.no = 2 AND m.no = 2 AND x.deleted = 0"
    ).fetchall()
    with services.repository.transaction():
        for (milestone_id,) in milestones:
            services.repository.update("milestones", milestone_id, {"completed_on": "2021-06-28"})
    qtbot.waitUntil(lambda: _tree(page)[0]["2.2"] == ("绿灯", "已完成"))
    assert _tree(page)[1]["2"] == "红 19　黄 0"


def test_the_current_measure_stays_current_across_a_date_change(qtbot, page: LedgerPage) -> None:
    _settle(page.tree)
    area = page.tree.topLevelItem(0).child(1)
    page.tree.setCurrentItem(area.child(1))  # 2.2
    chosen = page.tree.current_measure()
    with qtbot.waitSignal(page.tree.sig_measure_chosen) as signal:
        page.filters.as_of.setDate(QDate(2021, 6, 25))
    assert signal.args == [chosen] and page.tree.current_measure() == chosen
