"""督查方案: name, period, mode, methods from the list, scope, inspectors, 督查结论 and 反馈."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.ledger import InspectionKind
from app.services.inspection_plans import PlanDraft
from app.storage import Storage, WriteError
from tests.services.workspace import TODAY, Workspace


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage).as_user("张三")


def _draft(**changes) -> PlanDraft:
    values = {
        "name": "2021年第三季度政务服务暗访",
        "mode": InspectionKind.COVERT,
        "starts_on": date(2021, 9, 1),
        "ends_on": date(2021, 9, 30),
        "methods": ("模拟办事", "电话暗访"),
        "sites": ("市政务服务中心 综合窗口",),
        "inspectors": ("张三", "李四"),
    } | changes
    return PlanDraft(**values)


def test_a_plan_with_its_scope_records_conclusion_and_feedback(ws: Workspace) -> None:
    plans = ws.services.inspection_plans
    first, second = ws.measure(title="优化综合窗口"), ws.measure(title="压缩办理时限")
    lead = ws.department("市行政审批服务局")
    other = ws.department("市市场监管局")
    plan_id = plans.create(_draft(measure_ids=(first, second), department_ids=(lead,)), today=TODAY)
    ws.record(first, kind=InspectionKind.OPEN, plan=plan_id)  # takes the plan's mode
    plan = plans.get(plan_id)
    assert (plan.name, plan.mode, plan.created_by) == (
        "2021年第三季度政务服务暗访",
        InspectionKind.COVERT,
        "张三",
    )
    assert plan.methods == ("模拟办事", "电话暗访") and plan.sites == ("市政务服务中心 综合窗口",)
    assert plan.measure_ids == (first, second) and plan.department_ids == (lead,)
    assert plan.record_count == 1

    # The scope becomes exactly the draft's: one measure dropped, a department added.
    plans.update(plan_id, _draft(measure_ids=(second,), department_ids=(lead, other)))
    plan = plans.get(plan_id)
    assert plan.measure_ids == (second,) and set(plan.department_ids) == {lead, other}

    with pytest.raises(WriteError, match="请先填写督查结论"):
        plans.feed_back(plan_id, lead, date(2021, 10, 9), today=TODAY)
    plans.conclude(plan_id, "综合窗口服务有待改进，限期整改。", date(2021, 10, 8), today=TODAY)
    with pytest.raises(WriteError, match="不能早于督查结论"):
        plans.feed_back(plan_id, lead, date(2021, 10, 7), today=TODAY)
    first_feedback = plans.feed_back(plan_id, lead, date(2021, 10, 9), today=TODAY)
    again = plans.feed_back(plan_id, lead, date(2021, 10, 11), note="更正", today=TODAY)
    assert again == first_feedback  # one entry per department
    plans.feed_back(plan_id, other, date(2021, 10, 12), today=TODAY)
    plan = plans.get(plan_id)
    assert plan.concluded_on == date(2021, 10, 8)
    assert [(f.department, f.fed_back_on) for f in plan.feedback] == [
        ("市行政审批服务局", date(2021, 10, 11)),
        ("市市场监管局", date(2021, 10, 12)),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "请填写督查方案的名称"),
        ({"ends_on": date(2021, 8, 31)}, "结束日期早于开始日期"),
        ({"methods": ("夜访",)}, "检查方式“夜访”不在列表中"),
        ({"inspectors": ()}, "暗访方案请填写督查人员"),
        ({"inspectors": ("张三、李四",)}, "每项只填一个人的姓名"),
        ({"measure_ids": ("missing",)}, "督查措施 missing 不存在"),
        ({"department_ids": ("missing",)}, "督查部门 missing 不存在"),
    ],
)
def test_a_refused_plan_writes_nothing(ws: Workspace, changes, message) -> None:
    before = ws.change_count()
    with pytest.raises(WriteError, match=message):
        ws.services.inspection_plans.create(_draft(**changes), today=TODAY)
    assert ws.change_count() == before


def test_user_defined_methods_come_from_the_editable_list(ws: Workspace) -> None:
    ws.services.vocabulary.add("method", "夜间暗访")
    plan_id = ws.services.inspection_plans.create(_draft(methods=("夜间暗访",)), today=TODAY)
    assert ws.services.inspection_plans.get(plan_id).methods == ("夜间暗访",)
    [entry] = [e for e in ws.services.vocabulary.entries("method") if e.name == "夜间暗访"]
    ws.services.vocabulary.move(entry.id, 1)
    assert ws.services.vocabulary.names("method")[0] == "夜间暗访"
    with pytest.raises(WriteError, match="已有"):
        ws.services.vocabulary.add("method", "夜间暗访")


def test_the_mode_of_a_plan_with_records_is_fixed(ws: Workspace) -> None:
    plans = ws.services.inspection_plans
    plan_id = plans.create(_draft(), today=TODAY)
    plans.update(plan_id, _draft(mode=InspectionKind.OPEN))  # no records yet: allowed
    plans.update(plan_id, _draft(mode=InspectionKind.COVERT))
    ws.record(ws.measure(), plan=plan_id)
    with pytest.raises(WriteError, match="不能更改明察/暗访方式"):
        plans.update(plan_id, _draft(mode=InspectionKind.OPEN))


def test_an_open_plan_is_visible_to_all_and_a_covert_one_to_its_people(ws: Workspace) -> None:
    plans = ws.services.inspection_plans
    open_plan = plans.create(_draft(mode=InspectionKind.OPEN, inspectors=()), today=TODAY)
    covert_plan = plans.create(_draft(inspectors=("李四",)), today=TODAY)  # 张三 created it
    assert {p.id for p in plans.list()} == {open_plan, covert_plan}
    ws.as_user("李四")
    assert {p.id for p in plans.list()} == {open_plan, covert_plan}
    ws.as_user("王五")
    assert {p.id for p in plans.list()} == {open_plan}
    with pytest.raises(WriteError, match="不存在"):
        plans.conclude(covert_plan, "结论", date(2021, 10, 1), today=TODAY)
