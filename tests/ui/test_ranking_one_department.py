"""红黑榜 with a single inspected department: it is not put on a list (it would be 名次 1 and on
the 黑榜 at once)."""

from __future__ import annotations

from datetime import date

from app.services.findings import FindingDraft
from app.storage import Storage
from tests.services.workspace import Workspace
from ui.widgets.ranking_view import RankingView


def test_one_inspected_department_is_on_no_list(qtbot, storage: Storage) -> None:
    ws = Workspace(storage).as_user("张三")
    measure = ws.measure(title="审批", lead="市行政审批服务局")
    ws.record(measure, FindingDraft("窗口无人值守"), checked_on=date(2021, 9, 10))
    ranking = ws.services.scores.ranking(date(2021, 9, 1), date(2021, 9, 30))
    view = RankingView()
    qtbot.addWidget(view)
    view.show_ranking(ranking)
    assert view.table.rowCount() == 1
    assert view.table.item(0, 0).text() == "1"
    assert view.table.item(0, view.COL_LIST).text() == ""
    citation = view.citation()
    assert "黑榜：" not in citation and "红榜：" not in citation
    assert "受检部门不足 2 个，本期不评红黑榜。" in citation
