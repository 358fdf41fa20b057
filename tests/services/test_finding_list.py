"""The findings list: every filter in one SQL statement, agreeing with the written rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.inspection import FindingStage, Severity
from app.domain.ledger import InspectionKind
from app.services.finding_list import FindingFilter
from app.services.findings import FindingDraft
from app.storage import Storage
from tests.services.workspace import TODAY, Workspace, close_finding


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage).as_user("张三")


def test_filters(ws: Workspace) -> None:
    approval = ws.measure(title="审批", lead="市行政审批服务局")
    market = ws.measure(title="监管", lead="市市场监管局")
    plan = ws.plan(inspectors=("张三",))
    covert = ws.record(
        approval,
        FindingDraft("窗口无人", category="服务态度", rectify_by=date(2021, 9, 15)),
        kind=InspectionKind.COVERT,
        plan=plan,
        checked_on=date(2021, 9, 10),
    )
    ws.record(
        market,
        FindingDraft("乱收费", category="违规收费", severity=Severity.SERIOUS, rectify_workdays=5),
        FindingDraft("未公示", category="信息公开"),
        checked_on=date(2021, 9, 20),
    )
    [closed] = ws.findings_of(covert)
    close_finding(ws.services, closed, date(2021, 9, 17), today=TODAY)
    finding_list = ws.services.finding_list

    def descriptions(as_of: date = date(2021, 10, 8), **filters) -> list[str]:
        return [
            row.description for row in finding_list.findings(FindingFilter(**filters), as_of=as_of)
        ]

    assert descriptions() == ["未公示", "乱收费", "窗口无人"]  # newest first (then last entered)
    assert descriptions(inspection_plan_id=plan) == ["窗口无人"]
    assert descriptions(kind=InspectionKind.OPEN) == ["未公示", "乱收费"]
    assert descriptions(department_id=ws.department("市市场监管局")) == ["未公示", "乱收费"]
    assert descriptions(category="违规收费") == ["乱收费"]
    assert descriptions(stages=frozenset({FindingStage.CLOSED})) == ["窗口无人"]
    assert descriptions(stages=frozenset({FindingStage.PENDING})) == ["未公示", "乱收费"]
    # 5 working days after 9-20: 9-22, 9-23, 9-24, 9-26 (调休 Sunday), 9-27.
    assert descriptions(overdue_only=True, as_of=date(2021, 9, 27)) == []
    assert descriptions(overdue_only=True, as_of=date(2021, 9, 28)) == ["乱收费"]
    # 窗口无人: due 9-15, 销号 9-17: overdue on 9-16, not from 9-17 on.
    assert descriptions(overdue_only=True, as_of=date(2021, 9, 16)) == ["窗口无人"]
    assert descriptions(overdue_only=True, as_of=date(2021, 9, 17)) == []
    assert descriptions(found_from=date(2021, 9, 15)) == ["未公示", "乱收费"]
    assert descriptions(found_to=date(2021, 9, 15)) == ["窗口无人"]
    assert descriptions(text="收费") == ["乱收费"]
    assert descriptions(measure_id=approval) == ["窗口无人"]
    query = finding_list.query(FindingFilter(), as_of=date(2021, 9, 28))
    assert finding_list.count(query) == {
        "total": 3,
        "overdue": 1,
        "pending": 2,
        "rectifying": 0,
        "awaiting_recheck": 0,
        "closed": 1,
    }
    assert finding_list.contains(query, closed)
    ordered = finding_list.query(FindingFilter(), as_of=TODAY, sort="severity", descending=False)
    assert next(row.severity for row in finding_list.rows(ordered)) is Severity.SERIOUS


def test_the_default_list_reads_an_index_not_the_whole_table(ws: Workspace) -> None:
    """The first rows of a big list come from the found_on index (no sort of every finding)."""
    finding_list = ws.services.finding_list
    for filters, index in [
        (FindingFilter(), "findings_found"),
        (FindingFilter(department_id="d"), "findings_department"),
    ]:
        query = finding_list.query(filters, as_of=TODAY)
        plan = " ".join(
            row[3]
            for row in ws.db.execute(f"EXPLAIN QUERY PLAN {query.sql}", query.params).fetchall()
        )
        assert index in plan, plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


_day = st.dates(min_value=date(2021, 9, 1), max_value=date(2021, 10, 31))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            _day, st.one_of(st.none(), st.integers(0, 20)), st.one_of(st.none(), st.integers(0, 30))
        ),
        min_size=1,
        max_size=8,
    ),
    _day,
)
def test_overdue_agrees_with_the_written_rule(findings, as_of) -> None:
    """Overdue at as-of: found by then, not 销号 by then, 整改期限 before it."""
    ws = Workspace(Storage.open_memory()).as_user("张三")
    measure = ws.measure()
    expected = set()
    for found_on, due_after, closed_after in findings:
        due = found_on + timedelta(days=due_after) if due_after is not None else None
        inspection = ws.record(measure, FindingDraft("问题", rectify_by=due), checked_on=found_on)
        [finding] = ws.findings_of(inspection)
        closed_on = None
        if closed_after is not None:
            closed_on = found_on + timedelta(days=closed_after)
            close_finding(ws.services, finding, closed_on, today=date(2022, 12, 31))
        if (
            found_on <= as_of
            and due is not None
            and due < as_of
            and (closed_on is None or closed_on > as_of)
        ):
            expected.add(finding)
    rows = ws.services.finding_list.findings(FindingFilter(), as_of=as_of)
    assert {row.id for row in rows if row.overdue} == expected
    overdue_only = ws.services.finding_list.findings(FindingFilter(overdue_only=True), as_of=as_of)
    assert {row.id for row in overdue_only} == expected
