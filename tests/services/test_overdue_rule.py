"""The one overdue rule (app/services/overdue.py): a finding whose 整改情况 was reported by its
整改期限 is not overdue while it awaits 复查, in every place that says "overdue"; counted in working
days."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.ledger import FindingState
from app.services.finding_list import FindingFilter
from app.services.findings import FindingDraft
from app.services.inspections import read_inspections
from app.services.record_print import RecordPrint
from app.services.reminders import FindingReminder
from app.storage import Storage
from tests.services.workspace import TODAY, Workspace

FOUND = date(2021, 8, 6)  # a Friday
DUE = date(2021, 8, 13)  # the next Friday
AS_OF = date(2021, 9, 30)


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage).as_user("张三")


def _setup(ws: Workspace) -> tuple[str, dict[str, str]]:
    measure = ws.measure(title="审批", lead="市行政审批服务局")
    inspection = ws.record(
        measure,
        FindingDraft("按期报送", rectify_by=DUE),
        FindingDraft("逾期报送", rectify_by=DUE),
        FindingDraft("未报送", rectify_by=DUE),
        checked_on=FOUND,
    )
    in_time, late, silent = ws.findings_of(inspection)
    findings = ws.services.findings
    findings.report(in_time, "已调整流程", date(2021, 8, 10), today=TODAY)
    findings.report(late, "已调整流程", date(2021, 8, 20), today=TODAY)
    return measure, {"in_time": in_time, "late": late, "silent": silent}


def _overdue_ids(ws: Workspace, as_of: date = AS_OF) -> set[str]:
    rows = ws.services.finding_list.findings(FindingFilter(overdue_only=True), as_of=as_of)
    return {row.id for row in rows}


def test_reported_in_time_is_not_overdue_anywhere(ws: Workspace) -> None:
    measure, ids = _setup(ws)
    services = ws.services
    expected = {ids["late"], ids["silent"]}

    # The findings list (its rows, the 仅看逾期 filter and the summary counts).
    assert _overdue_ids(ws) == expected
    rows = {
        row.id: row.overdue for row in services.finding_list.findings(FindingFilter(), as_of=AS_OF)
    }
    assert rows == {ids["in_time"]: False, ids["late"]: True, ids["silent"]: True}
    query = services.finding_list.query(FindingFilter(), as_of=AS_OF)
    assert services.finding_list.count(query)["overdue"] == 2
    # The records list's overdue count.
    [record] = services.record_list.records(FindingFilter(), as_of=AS_OF)
    assert record.overdue_findings == 2

    # The detail pane's states.
    [entry] = read_inspections(ws.db, measure, as_of=AS_OF)
    states = {finding.description: finding.state for finding in entry.findings}
    assert states == {
        "按期报送": FindingState.OPEN,
        "逾期报送": FindingState.OVERDUE,
        "未报送": FindingState.OVERDUE,
    }

    # 催办提醒: the department is not chased for what it reported in time.
    reminded = {
        item.finding_id
        for group in services.reminders.collect(as_of=AS_OF)
        for item in group.items
        if isinstance(item, FindingReminder)
    }
    assert reminded == expected

    # 红黑榜: the in-time one costs no overdue points.
    ranking = services.scores.ranking(date(2021, 8, 1), date(2021, 8, 31), as_of=AS_OF)
    [row] = [row for row in ranking.rows if row.department == "市行政审批服务局"]
    assert row.overdue == 2

    # 整改通知: overdue counted in working days, the in-time one not overdue.
    notice = RecordPrint.for_storage(ws.storage).notice(
        ws.department("市行政审批服务局"), as_of=AS_OF
    )
    days = {f.description: f.overdue_days for f in (*notice.findings, *notice.awaiting)}
    workdays = -services.status.calendar.workdays_between(AS_OF, DUE)
    assert workdays != (AS_OF - DUE).days  # the two units differ here
    assert days == {"按期报送": 0, "逾期报送": workdays, "未报送": workdays}


def test_a_failed_recheck_makes_it_overdue_again_and_passing_late_is_on_time(
    ws: Workspace,
) -> None:
    _, ids = _setup(ws)
    findings = ws.services.findings
    findings.recheck(ids["in_time"], date(2021, 9, 1), passed=False, note="仍未整改", today=TODAY)
    assert ids["in_time"] in _overdue_ids(ws)

    findings.report(ids["in_time"], "再次整改", date(2021, 9, 3), today=TODAY)
    assert ids["in_time"] in _overdue_ids(ws)  # reported after the deadline this time


def test_closed_after_the_deadline_counts_on_time_when_reported_by_it(ws: Workspace) -> None:
    _, ids = _setup(ws)
    ws.services.findings.recheck(ids["in_time"], date(2021, 8, 20), passed=True, today=TODAY)
    ranking = ws.services.scores.ranking(date(2021, 8, 1), date(2021, 8, 31), as_of=AS_OF)
    [row] = [row for row in ranking.rows if row.department == "市行政审批服务局"]
    assert (row.on_time, row.overdue) == (1, 2)
    # Before the 复查 (as of 8-16) it was awaiting it, reported in time: not overdue then either.
    assert ids["in_time"] not in _overdue_ids(ws, date(2021, 8, 16))


def test_the_excel_ledger_marks_overdue_by_the_same_rule(ws: Workspace) -> None:
    _setup(ws)
    doc = ws.services.ledger_export.build(None, AS_OF)
    [row] = [row for row in doc.rows if row.title == "审批"]
    assert {f.description: f.overdue for f in row.findings} == {
        "按期报送": False,
        "逾期报送": True,
        "未报送": True,
    }
