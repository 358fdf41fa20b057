"""A guided record on the sample plan: the checklist, answering it field by field, findings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from app.domain.inspection import AnswerSource, Verdict
from app.domain.ledger import InspectionKind
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.checklists import STARTER_TEMPLATES, ChecklistService
from app.services.context import Services
from app.services.plan_store import PlanStore
from app.storage import Storage, WriteError

TODAY = date(2021, 10, 31)
PARSED = parse_text(SAMPLE_PLAN.read_text(encoding="utf-8"), SAMPLE_PLAN.name)


@pytest.fixture
def services(storage: Storage) -> Services:
    PlanStore(storage.repository).import_plan(PARSED)
    return Services.for_storage(storage)


def _measure(services: Services, title: str) -> str:
    (measure_id,) = services.storage.db.execute(
        "SELECT id FROM measures WHERE title = ? AND deleted = 0", [title]
    ).fetchone()
    return measure_id


def _record(services: Services, title: str, on: date = date(2021, 7, 15)) -> str:
    return services.inspections.record(
        _measure(services, title),
        kind=InspectionKind.COVERT,
        checked_on=on,
        inspector="张三",
        place="市政务服务中心 综合窗口",
        today=TODAY,
    )


def _changes(storage: Storage) -> int:
    return storage.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]


def _answer(checklists: ChecklistService, record: str, text: str):
    [answer] = [a for a in checklists.answers(record) if a.text == text]
    return answer


# ---- The checklist of a record ------------------------------------------------------------------


def test_starting_a_record_proposes_the_measures_own_checklist(services: Services) -> None:
    record = _record(services, "提升企业注销便利度，优化审批流程")
    checklists = services.checklists
    created = checklists.start(record)
    answers = checklists.answers(record)
    assert [a.id for a in answers] == created
    assert [a.position for a in answers] == list(range(1, len(answers) + 1))
    sources = [a.source for a in answers]
    assert sources.count(AnswerSource.DEADLINE) == 1
    assert sources.count(AnswerSource.TARGET) == 3
    assert sources.count(AnswerSource.PROMISE) == 2
    # Deadlines and targets point at their stored rows; promises carry their kind.
    db = services.storage.db
    milestone_ids = {r[0] for r in db.execute("SELECT id FROM milestones")}
    target_ids = {r[0] for r in db.execute("SELECT id FROM targets")}
    for answer in answers:
        if answer.source is AnswerSource.DEADLINE:
            assert answer.ref_id in milestone_ids
        if answer.source is AnswerSource.TARGET:
            assert answer.ref_id in target_ids and answer.measurable
    one_day = _answer(checklists, record, "1个工作日内予以办结")
    assert (one_day.op, one_day.value, one_day.unit) == ("<=", 1.0, "工作日")
    assert one_day.expected == "办结用时（工作日）≤ 1"
    assert all(a.verdict is None and a.measured is None for a in answers)
    # Proposing again adds nothing: the record already has every item.
    assert checklists.start(record) == []
    assert len(checklists.answers(record)) == len(answers)


def test_templates_are_added_after_the_proposal(services: Services) -> None:
    checklists = services.checklists
    template = checklists.create_template(
        "窗口暗访",
        items=["窗口是否公示收费标准？", ("排队等候用时（分钟）", "<=", 20.0, "分钟")],
    )
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record, template_ids=[template])
    answers = checklists.answers(record)
    assert [a.source for a in answers[-2:]] == [AnswerSource.TEMPLATE, AnswerSource.TEMPLATE]
    items = checklists.template(template).items
    assert [a.ref_id for a in answers[-2:]] == [item.id for item in items]
    assert answers[-1].expected == "≤ 20分钟" and answers[-1].measurable
    # The same template again adds nothing; the record keeps its items if the template goes.
    assert checklists.create_answers(record, [], template_ids=[template]) == []
    checklists.delete_template(template)
    assert len(checklists.answers(record)) == len(answers)


# ---- Answering, field by field ------------------------------------------------------------------


def test_half_a_working_day_against_the_measured_time(services: Services) -> None:
    checklists = services.checklists
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    approval = _answer(checklists, record, "0.5个工作日完成审批")
    assert approval.expected == "审批用时（工作日）≤ 0.5"

    late = checklists.set_measured(approval.id, "6小时")
    assert late.measured == 0.75 and late.measured_text == "6小时"
    assert late.verdict is Verdict.FAIL  # the verdict follows the number while it is automatic
    assert late.check is not None and late.check.summary.endswith("未达标")
    on_time = checklists.set_measured(approval.id, "3小时30分")
    assert on_time.verdict is Verdict.PASS and on_time.measured == pytest.approx(3.5 / 8)
    # The inspector decides 基本符合: a new number no longer changes that, but disagreement shows.
    checklists.set_verdict(approval.id, Verdict.PARTIAL)
    kept = checklists.set_measured(approval.id, "1个工作日")
    assert kept.verdict is Verdict.PARTIAL and kept.measured == 1.0
    overridden = checklists.set_verdict(approval.id, "pass")
    assert overridden.disagrees  # 符合, yet 1 working day > 0.5
    # Clearing the value while the verdict is the inspector's keeps the verdict.
    assert checklists.set_measured(approval.id, "").measured is None
    assert checklists.answer(approval.id).verdict is Verdict.PASS


def test_an_unreadable_measured_value_changes_nothing(services: Services) -> None:
    checklists = services.checklists
    storage = services.storage
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    approval = _answer(checklists, record, "0.5个工作日完成审批")
    checklists.set_measured(approval.id, "2小时")
    before = _changes(storage)
    for typed in ("很快", "2天"):  # not a number; calendar days do not convert to working days
        with pytest.raises(WriteError) as refused:
            checklists.set_measured(approval.id, typed)
        assert "工作日" in str(refused.value) or "数值" in str(refused.value)
    assert _changes(storage) == before
    again = checklists.answer(approval.id)
    assert (again.measured, again.measured_text, again.verdict) == (0.25, "2小时", Verdict.PASS)


def test_each_field_is_saved_in_its_own_small_transaction(services: Services) -> None:
    checklists = services.checklists
    storage = services.storage
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    answer = checklists.answers(record)[0]
    commits: list[dict] = []
    storage.repository.subscribe(lambda changed: commits.append(dict(changed)))
    before = _changes(storage)
    checklists.set_note(answer.id, "窗口人员称系统升级，当天无法办理")
    assert _changes(storage) == before + 1  # one field, one change entry
    checklists.set_verdict(answer.id, Verdict.FAIL)
    assert _changes(storage) == before + 2
    assert commits == [{"checklist_answers": frozenset({answer.id})}] * 2
    saved = checklists.answer(answer.id)
    assert saved.note == "窗口人员称系统升级，当天无法办理" and saved.verdict is Verdict.FAIL
    # Saving the same value again writes nothing.
    checklists.set_note(answer.id, "窗口人员称系统升级，当天无法办理")
    assert _changes(storage) == before + 2
    with pytest.raises(WriteError, match="结论应为"):
        checklists.set_verdict(answer.id, "maybe")
    with pytest.raises(WriteError, match="不能为空"):
        checklists.set_text(answer.id, "  ")


def test_custom_items_are_added_moved_and_removed(services: Services) -> None:
    checklists = services.checklists
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    first = checklists.answers(record)[0]
    custom = checklists.add_custom(
        record, "等候区是否有叫号屏？", expected="有", op=None, value=None
    )
    waiting = checklists.add_custom(record, "排队等候用时", op="<=", value=30, unit="分钟")
    answers = checklists.answers(record)
    assert [a.id for a in answers[-2:]] == [custom, waiting]
    assert answers[-1].source is AnswerSource.CUSTOM and answers[-1].measurable
    assert checklists.set_measured(waiting, "45分钟").verdict is Verdict.FAIL
    checklists.move(waiting, 0)
    order = [a.id for a in checklists.answers(record)]
    assert order[0] == waiting and order[1] == first.id
    assert [a.position for a in checklists.answers(record)] == list(range(1, len(order) + 1))
    checklists.remove(custom)
    assert custom not in [a.id for a in checklists.answers(record)]
    with pytest.raises(WriteError):
        checklists.answer(custom)
    for op, value in (("<=", None), (None, 3.0), ("≈", 3.0)):
        with pytest.raises(WriteError):
            checklists.add_custom(record, "x", op=op, value=value)
    with pytest.raises(WriteError, match="内容"):
        checklists.add_custom(record, " ")
    with pytest.raises(WriteError, match="检查记录不存在"):
        checklists.add_custom("no-such-record", "x")


def test_giving_a_custom_item_a_target_rereads_its_value(services: Services) -> None:
    checklists = services.checklists
    record = _record(services, "持续优化企业开办流程")
    item = checklists.add_custom(record, "材料份数")
    assert checklists.set_measured(item, "5份").measured == 5.0  # kept, not checked
    assert checklists.answer(item).check is None
    targeted = checklists.set_target(item, "<=", 3, "份")
    assert targeted.check is not None and not targeted.check.met
    assert checklists.set_measured(item, "3").verdict is Verdict.PASS


# ---- Turning an item into a finding ------------------------------------------------------------


def test_a_failed_item_becomes_a_finding_in_one_call(services: Services) -> None:
    checklists = services.checklists
    db = services.storage.db
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    approval = _answer(checklists, record, "0.5个工作日完成审批")
    checklists.set_measured(approval.id, "6小时")
    checklists.set_note(approval.id, "窗口称需等待后台审核")
    finding_id = checklists.raise_finding(approval.id)

    finding = services.repository.get("findings", finding_id)
    measure_id = _measure(services, "持续优化企业开办流程")
    (lead,) = db.execute(
        "SELECT department_id FROM assignments WHERE measure_id = ? AND role = 'lead'"
        " ORDER BY position LIMIT 1",
        [measure_id],
    ).fetchone()
    assert finding["inspection_id"] == record and finding["measure_id"] == measure_id
    assert finding["department_id"] == lead  # the measure's lead department
    assert finding["found_on"] == "2021-07-15" and finding["rectified_on"] is None
    assert finding["stage"] == "pending" and finding["severity"] == "minor"
    assert finding["category"] == "办事效率"
    assert finding["description"] == (
        "0.5个工作日完成审批；实测 6小时（合 0.75工作日），目标 ≤ 0.5工作日：未达标；"
        "窗口称需等待后台审核。"
    )
    linked = checklists.answer(approval.id)
    assert linked.finding_id == finding_id and linked.verdict is Verdict.FAIL
    # The ledger sees it as an open finding of the measure.
    assert services.inspections.open_by_measure(as_of=date(2021, 7, 20)) == {measure_id: 1}
    # Once only; and the item cannot be deleted while the finding lives.
    with pytest.raises(WriteError, match="已经转为问题"):
        checklists.raise_finding(approval.id)
    with pytest.raises(WriteError, match="已转为问题"):
        checklists.remove(approval.id)


def test_an_unanswered_item_raised_becomes_not_conforming(services: Services) -> None:
    checklists = services.checklists
    record = _record(services, "拓展“政银合作”新模式，提升企业开办便利化水平")
    checklists.start(record)
    free = _answer(checklists, record, "是否收取了费用？")
    finding_id = checklists.raise_finding(
        free.id, description="代办网点收取代办费50元", severity="major"
    )
    finding = services.repository.get("findings", finding_id)
    assert finding["category"] == "违规收费"  # a fee promise
    assert finding["severity"] == "major" and finding["description"] == "代办网点收取代办费50元"
    assert checklists.answer(free.id).verdict is Verdict.FAIL


def test_rectify_within_working_days_across_national_day(services: Services) -> None:
    checklists = services.checklists
    record = _record(services, "持续优化企业开办流程", on=date(2021, 9, 29))
    checklists.start(record)
    answer = checklists.answers(record)[0]
    finding_id = checklists.raise_finding(answer.id, rectify_workdays=3)
    finding = services.repository.get("findings", finding_id)
    # 9-30 is one, 10-1..10-7 are off, 10-8 two, the 调休 Saturday 10-9 three.
    assert finding["rectify_by"] == "2021-10-09" and finding["rectify_workdays"] == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"category": "迟到早退"}, "不在类别列表"),
        ({"department_id": "no-such-department"}, "责任部门"),
        ({"rectify_by": date(2021, 7, 1)}, "早于检查日期"),
        ({"rectify_workdays": 0}, "至少为 1 个工作日"),
        ({"rectify_workdays": 3, "rectify_by": date(2021, 12, 31)}, "只填"),
        ({"severity": "fatal"}, "严重程度"),
        ({"description": "  "}, "问题描述"),
    ],
)
def test_a_refused_finding_writes_nothing(services: Services, kwargs, message: str) -> None:
    checklists = services.checklists
    storage = services.storage
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    answer = checklists.answers(record)[0]
    before = _changes(storage)
    with pytest.raises(WriteError, match=message):
        checklists.raise_finding(answer.id, **kwargs)
    assert _changes(storage) == before
    assert storage.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0


def test_a_conforming_item_is_not_a_finding(services: Services) -> None:
    checklists = services.checklists
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    answer = checklists.answers(record)[0]
    for verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE):
        checklists.set_verdict(answer.id, verdict)
        with pytest.raises(WriteError, match=verdict.label):
            checklists.raise_finding(answer.id)
    checklists.set_verdict(answer.id, Verdict.PARTIAL)
    assert checklists.raise_finding(answer.id)  # 基本符合 may still be a problem


def test_raising_a_finding_is_all_or_nothing(services: Services, monkeypatch) -> None:
    checklists = services.checklists
    storage = services.storage
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    answer = checklists.answers(record)[0]
    real_update = storage.repository.update

    def failing(table, row_id, values):
        if table == "checklist_answers":
            raise WriteError("磁盘已满")
        return real_update(table, row_id, values)

    monkeypatch.setattr(storage.repository, "update", failing)
    before = _changes(storage)
    with pytest.raises(WriteError, match="磁盘已满"):
        checklists.raise_finding(answer.id)
    assert _changes(storage) == before
    assert storage.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0
    assert checklists.answer(answer.id).finding_id is None


def test_the_items_photos_go_with_its_finding(services: Services, tmp_path: Path) -> None:
    checklists = services.checklists
    record = _record(services, "持续优化企业开办流程")
    checklists.start(record)
    answer = checklists.answers(record)[0]
    photo = tmp_path / "窗口.png"
    Image.new("RGB", (40, 30), (10, 120, 200)).save(photo)
    added = services.evidence.add(photo, answer_id=answer.id)
    assert checklists.answer(answer.id).evidence_count == 1
    finding_id = checklists.raise_finding(answer.id)
    [moved] = services.evidence.for_finding(finding_id)
    assert moved.id == added.evidence.id and moved.answer_id == answer.id


# ---- Templates -----------------------------------------------------------------------------------


def test_template_items_in_order(services: Services) -> None:
    checklists = services.checklists
    template = checklists.create_template("电话暗访（试用）", note="拨打12345")
    a = checklists.add_template_item(template, "电话是否接通？")
    b = checklists.add_template_item(template, "答复是否准确？")
    c = checklists.add_template_item(template, "等待接通用时", op="<=", value=60, unit="秒")
    first = checklists.add_template_item(template, "是否报出工号？", index=0)
    assert [i.id for i in checklists.template(template).items] == [first, a, b, c]
    checklists.move_template_item(c, 1)
    assert [i.id for i in checklists.template(template).items] == [first, c, a, b]
    checklists.set_template_item_text(a, "电话是否在三声内接通？")
    checklists.set_template_item_target(b, ">=", 1, "次")
    checklists.remove_template_item(first)
    items = checklists.template(template).items
    assert [(i.text, i.op, i.value, i.unit) for i in items] == [
        ("等待接通用时", "<=", 60.0, "秒"),
        ("电话是否在三声内接通？", None, None, ""),
        ("答复是否准确？", ">=", 1.0, "次"),
    ]
    positions = [i.position for i in items]
    assert positions == sorted(set(positions))  # in order (a removed item leaves a gap)
    checklists.rename_template(template, "电话暗访")
    checklists.set_template_note(template, "拨打部门公开电话")
    saved = checklists.template(template)
    assert (saved.name, saved.note) == ("电话暗访", "拨打部门公开电话")


def test_template_names_are_unique_and_required(services: Services) -> None:
    checklists = services.checklists
    template = checklists.create_template("实地查看")
    with pytest.raises(WriteError, match="已有名为"):
        checklists.create_template("实地查看")
    with pytest.raises(WriteError, match="模板名称"):
        checklists.create_template(" ")
    other = checklists.create_template("查阅资料")
    with pytest.raises(WriteError, match="已有名为"):
        checklists.rename_template(other, "实地查看")
    checklists.delete_template(template)
    assert checklists.create_template("实地查看")  # the name is free again
    with pytest.raises(WriteError, match="不存在"):
        checklists.add_template_item(template, "x")


def test_starter_templates_once_with_the_same_ids_everywhere(services: Services) -> None:
    checklists = services.checklists
    created = checklists.create_starter_templates()
    assert len(created) == len(STARTER_TEMPLATES)
    assert checklists.create_starter_templates() == []
    names = {t.name: t for t in checklists.templates()}
    assert set(names) == set(STARTER_TEMPLATES)
    window = names["窗口服务（模拟办事）"]
    fee = [i for i in window.items if i.unit == "元"]
    assert fee and (fee[0].op, fee[0].value) == ("=", 0.0)
    # Another laptop creating them gets the same rows (ids), so a sync merges them.
    other = Storage.open_memory()
    try:
        assert set(ChecklistService(other.repository).create_starter_templates()) == set(created)
    finally:
        other.close()
