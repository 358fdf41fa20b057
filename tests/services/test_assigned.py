"""交办事项 behave like measures: ledger status and lights, tree, reminders, inspections, export."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.ledger import Comparator, InspectionKind, Light, Role, Status
from app.services.assigned import AssignedDraft, TargetDraft
from app.services.findings import FindingDraft
from app.services.status import LedgerFilter
from app.storage import Storage, WriteError
from tests.services.workspace import TODAY, Workspace


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage).as_user("张三")


def _task(ws: Workspace, **changes) -> AssignedDraft:
    values = {
        "title": "解决企业开办“一窗通办”排队问题",
        "assigned_on": date(2021, 9, 1),
        "departments": (
            (ws.department("市行政审批服务局"), Role.LEAD),
            (ws.department("市市场监管局"), Role.COOPERATING),
        ),
        "source": "领导批示",
        "assigned_by": "市长",
        "text": "市长批示：企业开办排队时间过长，请限期解决。",
        "deadlines": (date(2021, 9, 30),),
        "targets": (TargetDraft("排队时间", Comparator.AT_MOST, 20, "分钟"),),
    } | changes
    return AssignedDraft(**values)


def test_a_task_is_a_measure_everywhere(ws: Workspace) -> None:
    services = ws.services
    task = services.assigned.create(_task(ws), today=TODAY)
    hotline = services.assigned.create(
        _task(ws, title="热线反映不动产登记难", source="12345热线", deadlines=()), today=TODAY
    )
    [listed, other] = sorted(services.assigned.list(), key=lambda t: t.number)
    assert (listed.id, listed.number, listed.source, listed.assigned_by) == (
        task,
        "1.1",
        "领导批示",
        "市长",
    )
    assert (other.id, other.number) == (hotline, "2.1")  # one area per source
    # The ledger: status and light from its deadline.
    rows = {row.id: row for row in services.status.measures(as_of=date(2021, 9, 27))}
    assert rows[task].light is Light.YELLOW and rows[task].lead == "市行政审批服务局"
    rows = {row.id: row for row in services.status.measures(as_of=date(2021, 10, 8))}
    assert rows[task].status is Status.OVERDUE and rows[task].light is Light.RED
    plan_id = services.assigned.plan_id()
    assert [row.id for row in services.status.measures(LedgerFilter(plan_id=plan_id), as_of=TODAY)]
    # The tree and the detail pane.
    [plan] = [p for p in services.ledger.plan_tree() if p.id == plan_id]
    assert plan.title == "交办事项" and plan.measure_count == 2
    detail = services.details.measure(task, as_of=date(2021, 9, 27))
    assert detail.milestones[0].raw == "2021年9月30日前"
    assert detail.targets[0].raw == "排队时间不高于20分钟"
    # 催办提醒 for its lead department.
    groups = services.reminders.collect(as_of=date(2021, 10, 8))
    assert any(item.measure_id == task for group in groups for item in group.items)
    # Inspections and findings on it, with the lead as the default department.
    inspection = ws.record(task, FindingDraft("仍需排队一小时"), kind=InspectionKind.OPEN)
    [finding] = ws.findings_of(inspection)
    assert services.findings.get(finding).department == "市行政审批服务局"
    assert services.inspections.open_by_measure(as_of=TODAY) == {task: 1}


def test_updating_a_task_replaces_its_departments_deadlines_and_targets(ws: Workspace) -> None:
    services = ws.services
    task = services.assigned.create(_task(ws), today=TODAY)
    services.assigned.update(
        task,
        _task(
            ws,
            departments=((ws.department("市市场监管局"), Role.LEAD),),
            deadlines=(date(2021, 10, 15),),
            targets=(),
            source="12345热线",
        ),
        today=TODAY,
    )
    detail = services.details.measure(task, as_of=TODAY)
    assert detail.departments == [(Role.LEAD, "市市场监管局")]
    assert [m.due for m in detail.milestones] == [date(2021, 10, 15)]
    assert detail.targets == []
    assert services.assigned.list()[0].source == "12345热线"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "请填写交办事项的标题"),
        ({"departments": ()}, "请至少指定一个责任部门"),
        ({"assigned_on": date(2022, 1, 1)}, "交办日期不能晚于今天"),
        ({"deadlines": (date(2021, 8, 1),)}, "早于交办日期"),
    ],
)
def test_a_refused_task_writes_nothing(ws: Workspace, changes, message) -> None:
    draft = _task(ws, **changes)
    before = ws.change_count()
    with pytest.raises(WriteError, match=message):
        ws.services.assigned.create(draft, today=TODAY)
    assert ws.change_count() == before


def test_a_plan_measure_is_not_edited_as_a_task(ws: Workspace) -> None:
    measure = ws.measure()
    with pytest.raises(WriteError, match="交办事项不存在"):
        ws.services.assigned.update(measure, _task(ws), today=TODAY)
