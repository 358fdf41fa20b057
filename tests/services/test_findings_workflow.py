"""Findings: the 整改 → 复查 → 销号 workflow, its rules, and working-day 整改期限."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.inspection import (
    FINDING_TRANSITIONS,
    FindingAction,
    FindingStage,
    Severity,
    allowed_actions,
)
from app.domain.ledger import InspectionKind
from app.services.findings import FindingDraft
from app.services.status import LedgerFilter
from app.storage import Storage, WriteError
from app.storage.changelog import last_seq, read_changes
from tests.services.workspace import TODAY, Workspace, close_finding

FOUND = date(2021, 9, 10)


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage).as_user("张三")


def _one_finding(ws: Workspace, draft: FindingDraft | None = None, **kw) -> tuple[str, str]:
    measure = ws.measure()
    inspection = ws.record(measure, draft or FindingDraft("窗口无人值守"), **kw)
    [finding] = ws.findings_of(inspection)
    return measure, finding


def _act(ws: Workspace, finding: str, action: FindingAction, on: date) -> None:
    findings = ws.services.findings
    if action is FindingAction.START:
        findings.start(finding, on, today=TODAY)
    elif action is FindingAction.REPORT:
        findings.report(finding, "已安排专人值守", on, today=TODAY)
    elif action is FindingAction.RECHECK_PASS:
        findings.recheck(finding, on, passed=True, today=TODAY)
    elif action is FindingAction.RECHECK_FAIL:
        findings.recheck(finding, on, passed=False, note="仍无人值守", today=TODAY)
    else:
        findings.reopen(finding, on, today=TODAY)


def test_the_whole_loop_to_closing_and_the_ledger_follows(ws: Workspace) -> None:
    measure, finding = _one_finding(ws)
    services, findings = ws.services, ws.services.findings

    def open_at(day: date) -> bool:
        rows = services.status.measures(LedgerFilter(open_findings=True), as_of=day)
        return measure in {row.id for row in rows}

    assert findings.get(finding).stage is FindingStage.PENDING
    findings.start(finding, date(2021, 9, 13), today=TODAY)
    findings.report(finding, "已安排专人值守", date(2021, 9, 20), today=TODAY)
    assert findings.get(finding).stage is FindingStage.AWAITING_RECHECK
    findings.recheck(finding, date(2021, 9, 22), passed=False, note="仍无人", today=TODAY)
    detail = findings.get(finding)
    assert detail.stage is FindingStage.RECTIFYING and detail.rectified_on is None
    assert detail.rectification == "已安排专人值守"  # the department's account is kept
    findings.report(finding, "增设导办岗", date(2021, 9, 27), today=TODAY)
    findings.recheck(finding, date(2021, 9, 29), passed=True, inspector="李四", today=TODAY)

    detail = findings.get(finding)
    assert detail.stage is FindingStage.CLOSED
    assert detail.rectified_on == date(2021, 9, 29)  # the 销号 day
    assert [(e.action, e.stage) for e in detail.events] == [
        (FindingAction.START, FindingStage.RECTIFYING),
        (FindingAction.REPORT, FindingStage.AWAITING_RECHECK),
        (FindingAction.RECHECK_FAIL, FindingStage.RECTIFYING),
        (FindingAction.REPORT, FindingStage.AWAITING_RECHECK),
        (FindingAction.RECHECK_PASS, FindingStage.CLOSED),
    ]
    assert all(event.actor == "张三" for event in detail.events)
    assert [(r.inspector, r.passed) for r in detail.rechecks] == [("张三", False), ("李四", True)]
    assert detail.actions == [FindingAction.REOPEN]
    # Open from found_on until the 销号 day, as the ledger has always counted it.
    assert not open_at(FOUND - timedelta(days=1))
    assert open_at(FOUND) and open_at(date(2021, 9, 28))
    assert not open_at(date(2021, 9, 29))

    findings.reopen(finding, date(2021, 10, 8), note="群众再次反映", today=TODAY)
    detail = findings.get(finding)
    assert detail.stage is FindingStage.RECTIFYING and detail.rectified_on is None
    assert open_at(date(2021, 10, 8))


@pytest.mark.parametrize("stage", list(FindingStage))
@pytest.mark.parametrize("action", list(FindingAction))
def test_every_illegal_move_is_refused_and_writes_nothing(
    ws: Workspace, stage: FindingStage, action: FindingAction
) -> None:
    _measure, finding = _one_finding(ws)
    path = {
        FindingStage.PENDING: [],
        FindingStage.RECTIFYING: [FindingAction.START],
        FindingStage.AWAITING_RECHECK: [FindingAction.REPORT],
        FindingStage.CLOSED: [FindingAction.REPORT, FindingAction.RECHECK_PASS],
    }[stage]
    for offset, step in enumerate(path, start=1):
        _act(ws, finding, step, FOUND + timedelta(days=offset))
    assert ws.services.findings.get(finding).stage is stage
    before = ws.change_count()
    on = FOUND + timedelta(days=10)
    if (stage, action) in FINDING_TRANSITIONS:
        _act(ws, finding, action, on)
        assert ws.services.findings.get(finding).stage is FINDING_TRANSITIONS[(stage, action)]
        assert ws.change_count() > before
    else:
        with pytest.raises(WriteError, match=f"当前为“{stage.label}”，不能“{action.label}”"):
            _act(ws, finding, action, on)
        assert ws.change_count() == before
        assert ws.services.findings.get(finding).stage is stage


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list(FindingAction)), max_size=12))
def test_any_sequence_of_actions_follows_the_transition_table(actions) -> None:
    ws = Workspace(Storage.open_memory()).as_user("张三")
    _measure, finding = _one_finding(ws)
    stage = FindingStage.PENDING
    for offset, action in enumerate(actions, start=1):
        expected = FINDING_TRANSITIONS.get((stage, action))
        before = ws.change_count()
        if expected is None:
            with pytest.raises(WriteError):
                _act(ws, finding, action, FOUND + timedelta(days=offset))
            assert ws.change_count() == before
        else:
            _act(ws, finding, action, FOUND + timedelta(days=offset))
            stage = expected
        detail = ws.services.findings.get(finding)
        assert detail.stage is stage
        assert (detail.rectified_on is not None) == (stage is FindingStage.CLOSED)
        assert detail.actions == allowed_actions(stage)


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (FOUND - timedelta(days=1), "不能早于发现问题的日期"),
        (TODAY + timedelta(days=1), "不能晚于今天"),
        (date(2021, 9, 14), "不能早于上一步（开始整改，2021-09-15）"),
    ],
)
def test_move_dates_are_checked(ws: Workspace, on: date, message: str) -> None:
    _measure, finding = _one_finding(ws)
    ws.services.findings.start(finding, date(2021, 9, 15), today=TODAY)
    before = ws.change_count()
    with pytest.raises(WriteError, match=message):
        ws.services.findings.report(finding, "已整改", on, today=TODAY)
    assert ws.change_count() == before


def test_a_report_needs_the_departments_account_and_a_recheck_an_inspector(
    storage: Storage,
) -> None:
    ws = Workspace(storage)  # no user name set: the recheck must name its inspector
    _measure, finding = _one_finding(ws)
    with pytest.raises(WriteError, match="请填写整改情况"):
        ws.services.findings.report(finding, "  ", FOUND, today=TODAY)
    ws.services.findings.report(finding, "已整改", FOUND, today=TODAY)
    with pytest.raises(WriteError, match="请填写复查人"):
        ws.services.findings.recheck(finding, FOUND, passed=True, today=TODAY)
    ws.services.findings.recheck(finding, FOUND, passed=True, inspector="李四", today=TODAY)
    assert ws.services.findings.get(finding).stage is FindingStage.CLOSED


def test_the_ledgers_confirmation_is_only_the_recheck_of_a_reported_finding(
    ws: Workspace,
) -> None:
    """The ledger's 确认整改 never closes a finding without 整改情况 and a 复查: before the
    department's report it is refused and changes nothing; after it, it records a passing 复查
    by the current user (销号)."""
    _measure, finding = _one_finding(ws)
    before = ws.change_count()
    with pytest.raises(WriteError, match=r"还没有报送整改情况.*录入整改情况"):
        ws.services.inspections.rectify(finding, date(2021, 9, 20), today=TODAY)
    assert ws.change_count() == before
    ws.services.findings.start(finding, date(2021, 9, 13), today=TODAY)
    with pytest.raises(WriteError, match="还没有报送整改情况"):
        ws.services.inspections.rectify(finding, date(2021, 9, 20), today=TODAY)
    assert ws.services.findings.get(finding).stage is FindingStage.RECTIFYING
    ws.services.findings.report(finding, "已安排专人值守", date(2021, 9, 17), today=TODAY)
    ws.as_user("")
    with pytest.raises(WriteError, match="复查人"):  # a 复查 needs a name
        ws.services.inspections.rectify(finding, date(2021, 9, 20), today=TODAY)
    assert ws.services.findings.get(finding).stage is FindingStage.AWAITING_RECHECK
    ws.as_user("张三")
    ws.services.inspections.rectify(finding, date(2021, 9, 20), today=TODAY)
    detail = ws.services.findings.get(finding)
    assert detail.stage is FindingStage.CLOSED and detail.rectified_on == date(2021, 9, 20)
    assert [e.action for e in detail.events] == [
        FindingAction.START,
        FindingAction.REPORT,
        FindingAction.RECHECK_PASS,
    ]
    assert [(r.checked_on, r.inspector, r.passed) for r in detail.rechecks] == [
        (date(2021, 9, 20), "张三", True)
    ]
    with pytest.raises(WriteError, match="已于 2021-09-20 销号"):
        ws.services.inspections.rectify(finding, date(2021, 9, 21), today=TODAY)
    ws.services.inspections.reopen(finding, date(2021, 10, 1), today=TODAY)
    assert ws.services.findings.get(finding).stage is FindingStage.RECTIFYING


def test_the_responsible_department_defaults_to_the_measures_lead(ws: Workspace) -> None:
    _measure, finding = _one_finding(ws)
    detail = ws.services.findings.get(finding)
    assert detail.department == "市行政审批服务局"
    assert detail.category == "其他" and detail.severity is Severity.MINOR


def test_category_severity_and_deadline_rules(ws: Workspace) -> None:
    measure = ws.measure()
    bad = [
        (FindingDraft("问题", category="卫生"), "类别“卫生”不在问题类别列表中"),
        (
            FindingDraft("问题", rectify_by=date(2021, 9, 30), rectify_workdays=5),
            "只能填一种",
        ),
        (FindingDraft("问题", rectify_workdays=0), "1 到 250 个工作日"),
        (FindingDraft("问题", rectify_workdays=251), "1 到 250 个工作日"),
    ]
    for draft, message in bad:
        with pytest.raises(WriteError, match=message):
            ws.record(measure, draft)
    assert ws.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0
    ws.services.vocabulary.add("category", "卫生")
    inspection = ws.record(
        measure, FindingDraft("问题", category="卫生", severity=Severity.SERIOUS)
    )
    [finding] = ws.findings_of(inspection)
    detail = ws.services.findings.get(finding)
    assert (detail.category, detail.severity) == ("卫生", Severity.SERIOUS)


def test_renaming_a_category_renames_it_on_findings_and_rules(ws: Workspace) -> None:
    _measure, finding = _one_finding(ws, FindingDraft("乱收费", category="违规收费"))
    [entry] = [e for e in ws.services.vocabulary.entries("category") if e.name == "违规收费"]
    ws.services.vocabulary.rename(entry.id, "违规收取费用")
    assert ws.services.findings.get(finding).category == "违规收取费用"
    rules = {(r.kind, r.key) for r in ws.services.scores.rules.rules()}
    assert ("category", "违规收取费用") in rules and ("category", "违规收费") not in rules


def test_editing_a_finding_and_adding_one_to_a_record(ws: Workspace) -> None:
    _measure, finding = _one_finding(ws)
    inspection = ws.services.findings.get(finding).inspection_id
    changed = ws.services.findings.edit(
        finding, FindingDraft("综合窗口无人值守", category="服务态度", rectify_workdays=5)
    )
    assert set(changed) >= {"description", "category", "rectify_workdays", "rectify_by"}
    detail = ws.services.findings.get(finding)
    assert detail.rectify_by == date(2021, 9, 17)  # 5 working days after Friday 9-10
    added = ws.services.findings.add(inspection, FindingDraft("未公示收费标准"))
    assert ws.services.findings.get(added).found_on == FOUND
    close_finding(ws.services, finding, date(2021, 9, 20), today=TODAY)
    with pytest.raises(WriteError, match="已销号的问题不能修改"):
        ws.services.findings.edit(finding, FindingDraft("改一下"))


# ---- Working-day 整改期限 across National Day 2021 --------------------------------------------
# 10月1日–7日 off; 9月26日 (Sunday) and 10月9日 (Saturday) are working days (调休).


@pytest.mark.parametrize(
    ("found_on", "workdays", "due"),
    [
        (date(2021, 9, 30), 1, date(2021, 10, 8)),  # the whole holiday week is skipped
        (date(2021, 9, 30), 2, date(2021, 10, 9)),  # the 调休 Saturday counts
        (date(2021, 9, 30), 3, date(2021, 10, 11)),
        (date(2021, 9, 24), 1, date(2021, 9, 26)),  # the 调休 Sunday before it counts
        (date(2021, 9, 25), 1, date(2021, 9, 26)),
        (date(2021, 9, 24), 3, date(2021, 9, 28)),
        (date(2021, 9, 29), 2, date(2021, 10, 8)),
        (date(2021, 10, 1), 1, date(2021, 10, 8)),
    ],
)
def test_working_day_deadlines_across_national_day(
    ws: Workspace, found_on: date, workdays: int, due: date
) -> None:
    _measure, finding = _one_finding(
        ws, FindingDraft("问题", rectify_workdays=workdays), checked_on=found_on
    )
    detail = ws.services.findings.get(finding)
    assert (detail.rectify_workdays, detail.rectify_by) == (workdays, due)


def test_deadlines_follow_the_office_holiday_table(ws: Workspace) -> None:
    measure = ws.measure()
    inspection = ws.record(
        measure,
        FindingDraft("按工作日", rectify_workdays=1),
        FindingDraft("按日期", rectify_by=date(2021, 10, 8)),
        checked_on=date(2021, 9, 30),
    )
    by_workdays, by_date = ws.findings_of(inspection)

    def dues() -> tuple[date, date]:
        get = ws.services.findings.get
        return get(by_workdays).rectify_by, get(by_date).rectify_by

    assert dues() == (date(2021, 10, 8), date(2021, 10, 8))
    before = last_seq(ws.db)
    ws.services.holidays.set_day(date(2021, 10, 8), "holiday", "本地调整")
    assert dues() == (date(2021, 10, 9), date(2021, 10, 8))  # only the working-day one moves
    logged = [(entry.table, entry.field) for entry in read_changes(ws.db, before)]
    assert ("findings", "rectify_by") in logged  # on the write path, with the holiday
    ws.services.holidays.remove_day(date(2021, 10, 8))
    assert dues() == (date(2021, 10, 8), date(2021, 10, 8))
    ws.services.holidays.set_day(date(2021, 10, 9), "holiday", "不调休")
    assert dues() == (date(2021, 10, 8), date(2021, 10, 8))  # 10-8 is still the first one
    ws.services.refresh_calendar()
    # New findings after the edit use the edited calendar too.
    later = ws.record(
        measure, FindingDraft("再一个", rectify_workdays=2), checked_on=date(2021, 9, 30)
    )
    [finding] = ws.findings_of(later)
    assert ws.services.findings.get(finding).rectify_by == date(2021, 10, 11)


# ---- 催办提醒 ---------------------------------------------------------------------------------


def test_overdue_rectification_appears_in_the_reminders(ws: Workspace) -> None:
    measure = ws.measure(title="优化综合窗口")
    responsible = ws.department("市政务服务中心")
    ws.ledger.repo.insert(
        "assignments",
        {"measure_id": measure, "department_id": responsible, "role": "responsible"},
    )
    inspection = ws.record(
        measure,
        FindingDraft("窗口无人值守", responsible, rectify_workdays=3),
        FindingDraft("已整改的问题", responsible, rectify_by=date(2021, 10, 8)),
        checked_on=date(2021, 9, 30),
    )
    _open, closed = ws.findings_of(inspection)
    close_finding(ws.services, closed, date(2021, 10, 8), today=TODAY)
    groups = ws.services.reminders.collect(as_of=date(2021, 10, 13))
    [group] = [g for g in groups if g.department == "市政务服务中心"]
    [item] = group.items
    assert item.raw == "整改：窗口无人值守" and item.due == date(2021, 10, 11)
    assert item.overdue and item.describe == "整改已逾期 2 个工作日"
    assert item.measure_id == measure and item.role.label == "责任"
    assert group.overdue_count == 1
    # Due soon (within the reminder window) is listed too, not yet overdue.
    soon = ws.services.reminders.collect(as_of=date(2021, 10, 8))
    [item] = [i for g in soon for i in g.items if getattr(i, "finding_id", "")]
    assert not item.overdue and item.describe == "整改还剩 2 个工作日"
    # Once 销号 it is gone.
    [open_id] = [f for f in ws.findings_of(inspection) if f != closed]
    close_finding(ws.services, open_id, date(2021, 10, 12), today=TODAY)
    after = ws.services.reminders.collect(as_of=date(2021, 10, 13))
    assert not [i for g in after for i in g.items if getattr(i, "finding_id", "")]


def test_a_covert_plan_record_takes_the_plans_mode(ws: Workspace) -> None:
    plan = ws.plan(inspectors=("张三",))
    measure = ws.measure()
    inspection = ws.record(measure, kind=InspectionKind.OPEN, plan=plan)
    assert ws.services.inspections.get(inspection).kind is InspectionKind.COVERT


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.dates(date(2021, 9, 20), date(2021, 10, 10)), st.integers(1, 12)),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.tuples(st.dates(date(2021, 9, 20), date(2021, 10, 31)), st.booleans()), max_size=4),
)
def test_recounted_deadlines_agree_with_counting_each_one(findings, edits) -> None:
    ws = Workspace(Storage.open_memory()).as_user("张三")
    measure = ws.measure()
    for found_on, workdays in findings:
        ws.record(measure, FindingDraft("问题", rectify_workdays=workdays), checked_on=found_on)
    for day, working in edits:
        ws.services.holidays.set_day(day, "workday" if working else "holiday")
    calendar = ws.services.holidays.calendar()
    for found_on, workdays, due in ws.db.execute(
        "SELECT found_on, rectify_workdays, rectify_by FROM findings"
    ):
        assert due == calendar.add_workdays(date.fromisoformat(found_on), workdays).isoformat()


def test_every_report_is_kept_with_its_date(ws: Workspace) -> None:
    """A second 整改情况 after a failed 复查 is a report of its own: the first one and its date
    stay in the history; the finding shows the latest."""
    _measure, finding = _one_finding(ws)
    findings = ws.services.findings
    findings.report(finding, "已培训窗口人员", date(2021, 9, 13), today=TODAY)
    findings.recheck(finding, date(2021, 9, 15), passed=False, inspector="李四", today=TODAY)
    findings.report(finding, "已调整预审流程", date(2021, 9, 20), today=TODAY)
    detail = findings.get(finding)
    assert detail.reports == (
        (date(2021, 9, 13), "已培训窗口人员"),
        (date(2021, 9, 20), "已调整预审流程"),
    )
    assert [e.note for e in detail.events if e.action is FindingAction.REPORT] == [
        "已培训窗口人员",
        "已调整预审流程",
    ]
    assert detail.rectification == "已调整预审流程"
    assert detail.reported_on == date(2021, 9, 20)
