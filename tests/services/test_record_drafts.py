"""A record written as it is typed: start a draft, set one header field at a time, finish it.

Also: a checklist item turned into a finding goes through ``Findings.add`` (one way to create a
finding), so the finding rules and the 暗访 rule apply to it too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.domain.inspection import RecordState, UserRole, Verdict
from app.domain.ledger import InspectionKind
from app.services.findings import FindingDraft
from app.storage import Storage, WriteError
from tests.services.photos import jpeg
from tests.services.workspace import TODAY, Workspace


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage)


def _row(ws: Workspace, record: str) -> dict:
    return ws.services.repository.get("inspections", record)


def test_a_draft_is_written_the_moment_it_starts(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    ws.as_user("张三")
    before = ws.change_count()
    record = ws.services.inspections.start_draft(measure, today=TODAY)
    row = _row(ws, record)
    assert row["state"] == "draft" and row["checked_on"] == TODAY.isoformat()
    assert row["inspector"] == "张三" and row["created_by"] == "张三"  # the current user
    assert row["kind"] == "open" and row["summary"] == ""
    assert ws.change_count() > before  # through the repository, with its change log
    [entry] = ws.services.inspections.drafts()
    assert entry.id == record and entry.state is RecordState.DRAFT
    assert ws.services.inspections.draft_is_empty(record)


def test_each_header_field_is_written_alone_and_checked(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    department = ws.department("市人社局")
    inspections = ws.services.inspections
    record = inspections.start_draft(measure, inspector="", today=TODAY)

    assert inspections.set_field(record, "summary", "  窗口排队约40分钟 ", today=TODAY) == [
        "summary"
    ]
    assert inspections.set_field(record, "inspector", "张三，李四", today=TODAY) == ["inspector"]
    assert inspections.set_field(record, "place", "市政务服务中心 综合窗口") == ["place"]
    assert inspections.set_field(record, "method", "模拟办事") == ["method"]
    assert inspections.set_field(record, "department_id", department) == ["department_id"]
    assert inspections.set_field(record, "kind", InspectionKind.COVERT) == ["kind"]
    assert inspections.set_field(record, "checked_on", date(2021, 9, 10), today=TODAY) == [
        "checked_on"
    ]
    assert inspections.set_field(record, "summary", "窗口排队约40分钟") == []  # unchanged
    row = _row(ws, record)
    assert row["summary"] == "窗口排队约40分钟" and row["inspector"] == "张三、李四"
    assert (row["method"], row["department_id"], row["kind"]) == (
        "模拟办事",
        department,
        "covert",
    )
    assert not inspections.draft_is_empty(record)

    before = ws.change_count()
    for name, value, message in (
        ("checked_on", date(2022, 1, 1), "不能晚于今天"),
        ("checked_on", None, "请填写检查日期"),
        ("method", "飞行检查", "不在列表中"),
        ("place", "地" * 201, "检查地点太长"),
        ("summary", "情" * 5001, "检查情况太长"),
        ("department_id", "no-such-department", "受检部门不存在"),
        ("inspection_plan_id", "no-such-plan", "督查方案不存在"),
        ("kind", "flying", "明察或暗访"),
        ("deleted", 1, "没有可填写的字段"),
    ):
        with pytest.raises(WriteError, match=message):
            inspections.set_field(record, name, value, today=TODAY)
    assert ws.change_count() == before  # a refused value writes nothing


def test_a_record_of_a_plan_takes_its_mode(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    ws.as_user("张三")
    plan = ws.plan(mode=InspectionKind.COVERT, inspectors=("张三",))
    inspections = ws.services.inspections
    record = inspections.start_draft(measure, today=TODAY)
    assert set(inspections.set_field(record, "inspection_plan_id", plan)) == {
        "inspection_plan_id",
        "kind",
    }
    assert _row(ws, record)["kind"] == "covert"
    with pytest.raises(WriteError, match="检查方式随方案"):
        inspections.set_field(record, "kind", InspectionKind.OPEN)
    inspections.set_field(record, "inspection_plan_id", None)
    assert inspections.set_field(record, "kind", InspectionKind.OPEN) == ["kind"]
    started = inspections.start_draft(measure, inspection_plan_id=plan, today=TODAY)
    assert _row(ws, started)["kind"] == "covert"


def test_finishing_checks_the_whole_record(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    inspections = ws.services.inspections
    record = inspections.start_draft(measure, inspector="", today=TODAY)
    with pytest.raises(WriteError, match="请填写检查人"):
        inspections.finalize(record, today=TODAY)
    assert _row(ws, record)["state"] == "draft"
    inspections.set_field(record, "inspector", "张三")
    inspections.finalize(record, today=TODAY)
    assert _row(ws, record)["state"] == "final"
    # A final record is not edited in place: 继续修改 makes it a draft again.
    with pytest.raises(WriteError, match="继续修改"):
        inspections.set_field(record, "summary", "补充")
    inspections.reopen_draft(record)
    inspections.set_field(record, "summary", "补充")
    inspections.finalize(record, today=TODAY)
    assert _row(ws, record)["summary"] == "补充" and _row(ws, record)["state"] == "final"


def test_a_new_inspection_date_moves_the_records_findings(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    inspections = ws.services.inspections
    record = inspections.start_draft(measure, checked_on=date(2021, 9, 29), today=TODAY)
    findings = ws.services.findings
    counted = findings.add(record, FindingDraft("窗口无人", rectify_workdays=3))
    fixed = findings.add(record, FindingDraft("未公示", rectify_by=date(2021, 10, 20)))
    repo = ws.services.repository
    assert repo.get("findings", counted)["rectify_by"] == "2021-10-09"  # across National Day
    inspections.set_field(record, "checked_on", date(2021, 10, 11), today=TODAY)
    assert repo.get("findings", counted)["found_on"] == "2021-10-11"
    assert repo.get("findings", counted)["rectify_by"] == "2021-10-14"
    assert repo.get("findings", fixed)["found_on"] == "2021-10-11"
    before = ws.change_count()
    with pytest.raises(WriteError, match="早于新的检查日期"):
        inspections.set_field(record, "checked_on", date(2021, 10, 25), today=TODAY)
    assert ws.change_count() == before and _row(ws, record)["checked_on"] == "2021-10-11"
    findings.start(counted, date(2021, 10, 12), today=TODAY)
    with pytest.raises(WriteError, match="已进入整改流程"):
        inspections.set_field(record, "checked_on", date(2021, 10, 12), today=TODAY)


def test_another_inspector_cannot_write_to_a_hidden_covert_draft(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    ws.as_user("张三")
    plan = ws.plan(mode=InspectionKind.COVERT, inspectors=("张三",))
    inspections = ws.services.inspections
    record = inspections.start_draft(measure, inspection_plan_id=plan, today=TODAY)
    inspections.set_field(record, "summary", "暗访情况")
    ws.as_user("李四")
    assert inspections.drafts() == []
    for action in (
        lambda: inspections.set_field(record, "summary", "改掉"),
        lambda: inspections.finalize(record, today=TODAY),
        lambda: inspections.discard_draft(record),
        lambda: inspections.reopen_draft(record),
    ):
        with pytest.raises(WriteError, match="不存在或已删除"):
            action()
    ws.as_user("王五", UserRole.SUPERVISOR)
    assert [d.id for d in inspections.drafts()] == [record]
    assert _row(ws, record)["summary"] == "暗访情况"


def test_discarding_a_draft_takes_its_items_findings_and_evidence(
    ws: Workspace, tmp_path: Path
) -> None:
    measure = ws.measure(title="窗口服务")
    inspections = ws.services.inspections
    checklists = ws.services.checklists
    record = inspections.start_draft(measure, checked_on=date(2021, 9, 10), today=TODAY)
    item = checklists.add_custom(record, "窗口是否有人值守？")
    checklists.set_verdict(item, Verdict.FAIL)
    finding = checklists.raise_finding(item)
    from app.services.evidence import EvidenceStore

    store = EvidenceStore(ws.services.repository, tmp_path / "evidence")
    added = store.add(jpeg(tmp_path / "窗口.jpg"), answer_id=item)
    inspections.discard_draft(record)
    repo = ws.services.repository
    assert repo.get("inspections", record)["deleted"] == 1
    assert repo.get("checklist_answers", item)["deleted"] == 1
    assert repo.get("findings", finding)["deleted"] == 1
    assert repo.get("evidence", added.evidence.id)["deleted"] == 1
    assert added.evidence.path.is_file()  # the file stays: a tombstone can be restored
    assert inspections.drafts() == []
    assert inspections.open_by_measure(as_of=TODAY) == {}


def test_a_finished_record_cannot_be_discarded(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    inspections = ws.services.inspections
    record = inspections.start_draft(measure, inspector="张三", today=TODAY)
    inspections.finalize(record, today=TODAY)
    with pytest.raises(WriteError, match="已完成"):
        inspections.discard_draft(record)


# ---- Items to findings, through Findings -----------------------------------------------------


def test_a_finding_from_an_item_is_the_findings_service_finding(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务", lead="市行政审批服务局")
    inspections = ws.services.inspections
    checklists = ws.services.checklists
    record = inspections.start_draft(measure, checked_on=date(2021, 9, 29), today=TODAY)
    item = checklists.add_custom(record, "办结用时（工作日）", op="<=", value=0.5, unit="工作日")
    checklists.set_measured(item, "6小时")
    proposal = checklists.propose_finding(item)
    lead = ws.department("市行政审批服务局")
    assert proposal.department_id == lead and proposal.category == "办事效率"
    assert proposal.description.startswith("办结用时（工作日）；实测 6小时")
    finding_id = checklists.raise_finding(item, rectify_workdays=3)
    detail = ws.services.findings.get(finding_id)
    assert detail is not None and detail.inspection_id == record
    assert detail.rectify_workdays == 3 and detail.rectify_by == date(2021, 10, 9)
    assert detail.department_id == lead and detail.found_on == date(2021, 9, 29)
    assert checklists.answer(item).finding_id == finding_id


def test_the_findings_rules_apply_to_an_item_raised(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    other = ws.department("市财政局")  # exists, but is not one of the measure's departments
    inspections = ws.services.inspections
    checklists = ws.services.checklists
    record = inspections.start_draft(measure, checked_on=date(2021, 9, 29), today=TODAY)
    inspections.set_field(record, "department_id", other)
    item = checklists.add_custom(record, "是否一次性告知？")
    # The inspected department is not the measure's: the default is the lead.
    assert checklists.propose_finding(item).department_id == ws.department("市行政审批服务局")
    before = ws.change_count()
    with pytest.raises(WriteError, match="1 到 250 个工作日"):
        checklists.raise_finding(item, rectify_workdays=300)
    with pytest.raises(WriteError, match="责任部门"):
        checklists.raise_finding(item, department_id=other)
    assert ws.change_count() == before


def test_a_hidden_record_s_item_cannot_be_raised(ws: Workspace) -> None:
    measure = ws.measure(title="窗口服务")
    ws.as_user("张三")
    plan = ws.plan(mode=InspectionKind.COVERT, inspectors=("张三",))
    record = ws.services.inspections.start_draft(
        measure, inspection_plan_id=plan, checked_on=date(2021, 9, 10), today=TODAY
    )
    item = ws.services.checklists.add_custom(record, "窗口是否有人值守？")
    ws.as_user("李四")
    with pytest.raises(WriteError, match="不存在或已删除"):
        ws.services.checklists.raise_finding(item)
    assert ws.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0


def test_a_new_record_follows_its_plan_and_its_measure(ws: Workspace) -> None:
    """Not given: the plan's first method, its only site, the department it targets; without
    a plan, the measure's lead department. Such defaults are not edits: an untouched draft
    still counts as empty."""
    measure = ws.measure(title="优化综合窗口", lead="市行政审批服务局")
    lead = ws.department("市行政审批服务局")
    other = ws.department("市政务服务中心")
    ws.ledger.repo.insert(
        "assignments", {"measure_id": measure, "department_id": other, "role": "responsible"}
    )
    ws.as_user("张三")
    plan = ws.plan(
        methods=("模拟办事", "电话暗访"),
        sites=("市政务服务中心 综合窗口",),
        measure_ids=(measure,),
        department_ids=(other,),
    )
    inspections = ws.services.inspections

    def defaults(record: str) -> tuple:
        row = _row(ws, record)
        return row["method"], row["place"], row["department_id"]

    planned = inspections.start_draft(
        measure, inspection_plan_id=plan, checked_on=date(2021, 9, 10), today=TODAY
    )
    assert defaults(planned) == ("模拟办事", "市政务服务中心 综合窗口", other)
    assert inspections.draft_is_empty(planned)
    assert defaults(inspections.start_draft(measure, today=TODAY)) == ("", "", lead)
    given = inspections.start_draft(
        measure,
        inspection_plan_id=plan,
        checked_on=date(2021, 9, 10),
        method="电话暗访",
        place="12345热线",
        department_id=lead,
        today=TODAY,
    )
    assert defaults(given) == ("电话暗访", "12345热线", lead)
