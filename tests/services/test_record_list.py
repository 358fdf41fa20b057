"""The list of records, and the small reads the 明察暗访 page adds to the services."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.inspection import FindingStage, Severity, UserRole
from app.domain.ledger import InspectionKind
from app.services.finding_list import FindingFilter
from app.services.findings import FindingDraft
from app.services.record_list import count_records_in_file
from app.services.scores import ranking_in_file
from app.storage import Storage
from tests.services.workspace import TODAY, Workspace, close_finding

AS_OF = date(2021, 10, 8)


@pytest.fixture
def ws(storage: Storage) -> Workspace:
    return Workspace(storage).as_user("科长甲", UserRole.SUPERVISOR)


@pytest.fixture
def scene(ws: Workspace) -> dict[str, str]:
    approval = ws.measure(title="审批", lead="市行政审批服务局")
    market = ws.measure(title="监管", lead="市市场监管局")
    plan = ws.plan(inspectors=("张三",), measure_ids=(approval,))
    ws.as_user("张三")
    covert = ws.record(
        approval,
        FindingDraft("窗口无人", category="服务态度", rectify_by=date(2021, 9, 15)),
        kind=InspectionKind.COVERT,
        plan=plan,
        checked_on=date(2021, 9, 10),
    )
    fee = ws.record(
        market,
        FindingDraft("乱收费", category="违规收费", severity=Severity.SERIOUS, rectify_workdays=5),
        FindingDraft("未公示", category="信息公开", rectify_by=date(2021, 12, 31)),
        checked_on=date(2021, 9, 20),
    )
    quiet = ws.record(market, checked_on=date(2021, 9, 25))
    ws.as_user("科长甲", UserRole.SUPERVISOR)
    return {"plan": plan, "covert": covert, "fee": fee, "quiet": quiet, "approval": approval}


def _ids(ws: Workspace, **filters) -> list[str]:
    rows = ws.services.record_list.records(FindingFilter(**filters), as_of=AS_OF)
    return [row.id for row in rows]


def test_filters_match_the_record_or_one_of_its_findings(ws: Workspace, scene) -> None:
    covert, fee, quiet = scene["covert"], scene["fee"], scene["quiet"]
    assert _ids(ws) == [quiet, fee, covert]  # newest first
    assert _ids(ws, inspection_plan_id=scene["plan"]) == [covert]
    assert _ids(ws, kind=InspectionKind.OPEN) == [quiet, fee]
    assert _ids(ws, department_id=ws.department("市市场监管局")) == [fee]  # via its findings
    assert _ids(ws, category="信息公开") == [fee]
    assert _ids(ws, stages=frozenset({FindingStage.PENDING})) == [fee, covert]
    assert _ids(ws, overdue_only=True) == [fee, covert]
    assert _ids(ws, found_from=date(2021, 9, 15), found_to=date(2021, 9, 22)) == [fee]
    assert _ids(ws, text="乱收费") == [fee]  # the text of a finding
    assert _ids(ws, measure_id=scene["approval"]) == [covert]
    close_finding(ws.services, ws.findings_of(covert)[0], date(2021, 9, 14), today=TODAY)
    assert _ids(ws, stages=frozenset({FindingStage.CLOSED})) == [covert]
    assert _ids(ws, overdue_only=True) == [fee]


def test_rows_carry_counts_and_the_plan(ws: Workspace, scene) -> None:
    rows = {row.id: row for row in ws.services.record_list.records(as_of=AS_OF)}
    fee = rows[scene["fee"]]
    assert (fee.findings, fee.open_findings, fee.overdue_findings) == (2, 2, 1)
    assert fee.plan_name == "" and fee.measure_title == "监管" and fee.measure_number == "1.2"
    covert = rows[scene["covert"]]
    assert covert.plan_name == "2021年9月暗访" and covert.kind is InspectionKind.COVERT
    assert rows[scene["quiet"]].findings == 0


def test_a_hidden_record_is_neither_listed_nor_counted(ws: Workspace, scene, db_path) -> None:
    record_list = ws.services.record_list
    for name, role, sees in (
        ("李四", UserRole.INSPECTOR, False),
        ("王五", UserRole.OFFICE, False),
        ("张三", UserRole.INSPECTOR, True),
        ("科长甲", UserRole.SUPERVISOR, True),
    ):
        ws.as_user(name, role)
        query = record_list.query(as_of=AS_OF)
        assert (scene["covert"] in _ids(ws)) is sees, name
        assert record_list.contains(query, scene["covert"]) is sees, name
        counts = count_records_in_file(str(db_path), query)
        assert counts == record_list.count(query)
        assert counts["total"] == (3 if sees else 2) and counts["covert"] == int(sees), name


def test_the_departments_a_conclusion_goes_back_to(ws: Workspace, scene) -> None:
    plans = ws.services.inspection_plans
    names = [name for _id, name in plans.inspected_departments(scene["plan"])]
    assert names == ["市行政审批服务局"]  # the lead of its target measure, its findings'
    ws.as_user("李四")
    with pytest.raises(Exception, match="不存在或已删除"):
        plans.inspected_departments(scene["plan"])


def test_measure_labels(ws: Workspace, scene) -> None:
    labels = ws.services.ledger.measure_labels([scene["approval"], "no-such-id"])
    assert labels == {scene["approval"]: "1.1 审批"}


def test_a_record_read_as_of_a_day(ws: Workspace, scene) -> None:
    entry = ws.services.inspections.get(scene["fee"], as_of=date(2021, 9, 27))
    assert {f.description: f.state.value for f in entry.findings} == {
        "乱收费": "open",  # due 9-27 (5 working days after 9-20)
        "未公示": "open",
    }
    entry = ws.services.inspections.get(scene["fee"], as_of=date(2021, 9, 28))
    assert {f.description: f.state.value for f in entry.findings}["乱收费"] == "overdue"


def test_the_ranking_counts_inspections_and_reads_the_same_in_a_file(
    ws: Workspace, scene, db_path
) -> None:
    ranking = ws.services.scores.ranking(date(2021, 9, 1), date(2021, 9, 30))
    rows = {row.department: row for row in ranking.rows}
    assert rows["市市场监管局"].inspections == 2 and rows["市市场监管局"].inspected
    assert rows["市行政审批服务局"].inspections == 1
    in_file = ranking_in_file(str(db_path), date(2021, 9, 1), date(2021, 9, 30))
    assert in_file == ranking
    ws.as_user("李四")  # the covert record is not counted for someone who may not see it
    hidden = {
        r.department: r
        for r in ranking_in_file(str(db_path), date(2021, 9, 1), date(2021, 9, 30)).rows
    }
    assert hidden["市行政审批服务局"].inspections == 0
    assert not hidden["市行政审批服务局"].inspected
