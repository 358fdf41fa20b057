"""红黑榜: deductions by severity and category, credit for on-time 整改, ranking, rules."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.inspection import Severity
from app.services.findings import FindingDraft
from app.storage import Storage, WriteError
from tests.services.workspace import TODAY, Workspace, close_finding

START, END = date(2021, 9, 1), date(2021, 9, 30)


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage).as_user("张三")


def _finding(ws: Workspace, measure: str, **draft) -> str:
    inspection = ws.record(measure, FindingDraft("问题", **draft), checked_on=date(2021, 9, 10))
    return ws.findings_of(inspection)[0]


def test_scores_and_ranking(ws: Workspace) -> None:
    approval = ws.measure(title="审批", lead="市行政审批服务局")
    market = ws.measure(title="监管", lead="市市场监管局")
    ws.measure(title="无问题", lead="市财政局")
    # 审批局: a serious fee finding (-5, 违规收费 -2) rectified late (overdue -2) → -9;
    # a minor one rectified on time (-1 + 1) → 0.
    late = _finding(
        ws, approval, severity=Severity.SERIOUS, category="违规收费", rectify_by=date(2021, 9, 15)
    )
    on_time = _finding(ws, approval, rectify_by=date(2021, 9, 20))
    close_finding(ws.services, late, date(2021, 9, 18), today=TODAY)
    close_finding(ws.services, on_time, date(2021, 9, 17), today=TODAY)
    # 监管局: a major one (-3) still open, not yet due at the period's end → -3.
    _finding(ws, market, severity=Severity.MAJOR, rectify_by=date(2021, 10, 15))
    # Outside the period: not counted.
    outside = ws.record(market, FindingDraft("八月的问题"), checked_on=date(2021, 8, 20))
    assert ws.findings_of(outside)

    ranking = ws.services.scores.ranking(START, END)
    scores = {row.department: (row.rank, row.score, row.findings) for row in ranking.rows}
    assert scores == {
        "市财政局": (1, 100.0, 0),
        "市市场监管局": (2, 97.0, 1),
        "市行政审批服务局": (3, 91.0, 2),
    }
    approval_row = ranking.rows[-1]
    assert (approval_row.on_time, approval_row.overdue) == (1, 1)
    assert (approval_row.deducted, approval_row.credited) == (-10.0, 1.0)
    assert approval_row.by_severity == {"serious": 1, "minor": 1}
    assert [row.department for row in ranking.red(1)] == ["市财政局"]
    assert [row.department for row in ranking.black(5)] == ["市行政审批服务局", "市市场监管局"]

    # Evaluated later, 监管局's finding is overdue too.
    later = ws.services.scores.ranking(START, END, as_of=date(2021, 10, 20))
    assert {row.department: row.score for row in later.rows}["市市场监管局"] == 95.0


def test_rules_are_configurable_and_ties_share_a_rank(ws: Workspace) -> None:
    first = ws.measure(lead="市行政审批服务局")
    second = ws.measure(lead="市市场监管局")
    _finding(ws, first, category="服务态度", rectify_by=date(2021, 10, 31))
    _finding(ws, second, category="服务态度", rectify_by=date(2021, 10, 31))
    rules = ws.services.scores.rules
    rules.set("category", "服务态度", -4)
    rules.set("severity", "minor", -0.5)
    rules.set("base", "", 10)
    ranking = ws.services.scores.ranking(START, END)
    assert [(row.rank, row.score) for row in ranking.rows] == [(1, 5.5), (1, 5.5)]
    with pytest.raises(WriteError, match="严重程度应为"):
        rules.set("severity", "huge", -1)
    with pytest.raises(WriteError, match="基础分不能删除"):
        [base] = [r for r in rules.rules() if r.kind == "base"]
        rules.remove(base.id)


def test_on_time_credit_never_makes_a_finding_add_points(ws: Workspace) -> None:
    measure = ws.measure(lead="市行政审批服务局")
    finding = _finding(ws, measure, rectify_by=date(2021, 9, 20))
    close_finding(ws.services, finding, date(2021, 9, 15), today=TODAY)
    ws.services.scores.rules.set("on_time", "", 5)
    [row] = ws.services.scores.ranking(START, END).rows
    assert row.score == 100.0 and row.credited == 1.0  # won back the 1 point, no more
