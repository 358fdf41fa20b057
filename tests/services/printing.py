"""A guided 暗访 record to print: the sample plan, a plan of 张三 and 李四, a checklist answered
item by item, photos, two findings part-way through 整改. Shared by the print tests (service,
PDF, CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.domain.inspection import Severity, UserRole, Verdict
from app.domain.ledger import InspectionKind
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.context import Services
from app.services.inspection_plans import PlanDraft
from app.services.plan_store import PlanStore
from app.storage import Storage
from tests.services.photos import jpeg, png

TODAY = date(2021, 10, 31)
CHECKED = date(2021, 7, 15)
MEASURE = "持续优化企业开办流程"
PARSED = parse_text(SAMPLE_PLAN.read_text(encoding="utf-8"), SAMPLE_PLAN.name)


@dataclass
class PrintFixture:
    storage: Storage
    services: Services
    plan: str
    record: str
    measure: str
    department: str  # the findings' department (市行政审批服务局)
    slow_approval: str  # finding 1: sent back by its 复查 (退回重改)
    missing_notice: str  # finding 2: 整改中


def measure_id(storage: Storage, title: str = MEASURE) -> str:
    (found,) = storage.db.execute(
        "SELECT id FROM measures WHERE title = ? AND deleted = 0", [title]
    ).fetchone()
    return found


def make_record(storage: Storage, folder: Path) -> PrintFixture:
    PlanStore(storage.repository).import_plan(PARSED)
    services = Services.for_storage(storage)
    services.identity.set("张三", UserRole.INSPECTOR)
    measure = measure_id(storage)
    plan = services.inspection_plans.create(
        PlanDraft(
            name="2021年7月营商环境暗访",
            mode=InspectionKind.COVERT,
            starts_on=date(2021, 7, 1),
            ends_on=date(2021, 7, 31),
            methods=("模拟办事",),
            inspectors=("张三", "李四"),
        ),
        today=TODAY,
    )
    record = services.inspections.record(
        measure,
        kind=InspectionKind.COVERT,
        checked_on=CHECKED,
        inspector="张三、李四",
        place="市政务服务中心 综合窗口",
        summary="以办事群众身份咨询企业开办，窗口要求提供已取消的材料。",
        today=TODAY,
        inspection_plan_id=plan,
        method="模拟办事",
    )
    checklists = services.checklists
    templates = checklists.create_starter_templates()  # 窗口服务（模拟办事） first
    checklists.start(record, template_ids=templates[:1])
    items = checklists.answers(record)
    checklists.set_measured(items[0].id, "0.5个工作日")
    checklists.set_measured(items[1].id, "6小时")  # 0.75 of a working day: misses ≤ 0.5
    checklists.set_note(items[1].id, "窗口称需等待后台审批，次日上午才出结果")
    checklists.set_verdict(items[2].id, Verdict.PARTIAL)
    for index in (3, 4, 6):
        checklists.set_verdict(items[index].id, Verdict.PASS)
    checklists.set_verdict(items[5].id, Verdict.FAIL)
    checklists.set_note(items[5].id, "要求提供营业执照复印件（已明确取消），未一次性告知")
    checklists.set_measured(items[7].id, "25分钟")
    checklists.set_verdict(items[7].id, Verdict.PASS)
    checklists.set_measured(items[8].id, "0元")
    checklists.set_verdict(items[9].id, Verdict.NOT_APPLICABLE)
    evidence = services.evidence
    added = datetime(2021, 7, 15, 18, 0)
    window = jpeg(folder / "IMG_0715.jpg", captured=datetime(2021, 7, 15, 10, 30))
    queue = jpeg(folder / "IMG_0716.jpg", captured=datetime(2021, 7, 15, 10, 42), seed=3, gps=None)
    screen = png(folder / "screenshot.png")
    evidence.add(window, answer_id=items[5].id, now=added)
    evidence.add(queue, answer_id=items[1].id, now=added)
    evidence.add(screen, inspection_id=record, now=added)
    slow = checklists.raise_finding(items[1].id, rectify_workdays=5, severity=Severity.MAJOR)
    missing = checklists.raise_finding(items[5].id, rectify_by=date(2021, 7, 30))
    findings = services.findings
    findings.start(slow, date(2021, 7, 16), today=TODAY)
    findings.report(slow, "已调整审批流程，预审与审批并行。", date(2021, 7, 20), today=TODAY)
    findings.recheck(
        slow, date(2021, 7, 22), passed=False, note="再次暗访仍需次日出件", today=TODAY
    )
    findings.start(missing, date(2021, 7, 19), today=TODAY)
    (department,) = storage.db.execute(
        "SELECT department_id FROM findings WHERE id = ?", [slow]
    ).fetchone()
    return PrintFixture(storage, services, plan, record, measure, department, slow, missing)
