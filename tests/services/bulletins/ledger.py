"""The fixture ledger of the bulletin tests, built the way the office builds one.

The sample plan (resources/plans/tengzhou-2021-9.txt); the 2021年7月调度 sent to four
departments — 市行政审批服务局 replies on time with some items done, 市税务局 on time with two
rows left blank (未填报), 市国有资产监督管理局 four days late, 市住房和城乡建设局 not at all; a
暗访 督查方案 of 张三 with one record (one finding, not visible to other inspectors), a 明察
record with two findings (one rectified on time after 复查), and a 明察 record with nothing wrong
and a checklist item answered 符合. The current user is 张三 (督查员).
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from app.domain.inspection import Severity, UserRole, Verdict
from app.domain.ledger import InspectionKind
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.context import Services
from app.services.findings import FindingDraft
from app.services.inspection_plans import PlanDraft
from app.services.plan_store import PlanStore
from app.storage import Storage
from tests.services.progress.support import _department, _export, _fill

ROUND = "2021年7月调度"
EXPORTED = date(2021, 7, 20)
DUE = date(2021, 8, 5)
AS_OF = date(2021, 8, 31)
TODAY = date(2021, 9, 1)
LEAD = "市行政审批服务局"
TAX = "市税务局"
SMALL = "市国有资产监督管理局"
SILENT = "市住房和城乡建设局"
COVERT_PLAN = "2021年8月暗访"
COVERT_PROBLEM = "窗口要求提供已取消的证明材料"
INSPECTOR = "张三"


def measure_id(storage: Storage, area_no: int, no: int) -> str:
    return storage.db.execute(
        "SELECT m.id FROM measures m JOIN areas a ON a.id = m.area_id"
        " WHERE a.no = ? AND m.no = ? AND m.deleted = 0",
        [area_no, no],
    ).fetchone()[0]


def build(path: Path, work: Path) -> None:
    """Write the fixture ledger to ``path`` (``work``: a folder for the sheets)."""
    storage = Storage.open(path)
    services = Services.for_storage(storage)
    services.identity.set(INSPECTOR, UserRole.INSPECTOR)
    plan = PlanStore(storage.repository).import_plan(
        parse_text(SAMPLE_PLAN.read_text("utf-8"), SAMPLE_PLAN.name)
    )
    progress = services.progress
    round_id = progress.create_round(ROUND, plan.plan_id, DUE, EXPORTED)
    files = _export(progress, round_id, work, LEAD, TAX, SMALL, SILENT)
    lead = _fill(files[LEAD], state="已完成", done_on="2021-07-28", actual="0.4")
    tax = _fill(files[TAX], blank=(0, 1))
    small = _fill(files[SMALL], actual="1")
    assert progress.import_files([lead, tax], received_on=date(2021, 8, 3)).ok
    assert progress.import_files([small], received_on=date(2021, 8, 9)).ok

    lead_id, tax_id = _department(storage, LEAD), _department(storage, TAX)
    covert_measure = measure_id(storage, 1, 4)
    open_measure = measure_id(storage, 1, 5)
    good_measure = measure_id(storage, 14, 1)
    covert_plan = services.inspection_plans.create(
        PlanDraft(
            name=COVERT_PLAN,
            mode=InspectionKind.COVERT,
            starts_on=date(2021, 8, 1),
            ends_on=date(2021, 8, 31),
            methods=("模拟办事",),
            sites=("市政务服务中心",),
            inspectors=(INSPECTOR,),
        ),
        today=TODAY,
    )
    inspections = services.inspections
    inspections.record(
        covert_measure,
        kind=InspectionKind.COVERT,
        checked_on=date(2021, 8, 10),
        inspector=INSPECTOR,
        place="市政务服务中心",
        method="模拟办事",
        summary="模拟企业开办。",
        inspection_plan_id=covert_plan,
        findings=[FindingDraft(COVERT_PROBLEM, lead_id, date(2021, 8, 20), "政策落实")],
        today=TODAY,
    )
    record = inspections.record(
        open_measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 8, 12),
        inspector="王五",
        place="综合窗口",
        method="实地查看",
        summary="查看“掌上全程办”推行情况。",
        findings=[
            FindingDraft("未公示“掌上全程办”操作指引", lead_id, date(2021, 8, 27)),
            FindingDraft(
                "帮办代办人员不熟悉业务流程。",
                lead_id,
                date(2021, 9, 15),
                "服务态度",
                Severity.MAJOR,
            ),
        ],
        today=TODAY,
    )
    first = storage.db.execute(
        "SELECT id FROM findings WHERE inspection_id = ? ORDER BY rowid", [record]
    ).fetchone()[0]
    services.findings.report(first, "已在窗口公示操作指引。", date(2021, 8, 20), today=TODAY)
    services.findings.recheck(first, date(2021, 8, 23), passed=True, today=TODAY)
    good = inspections.record(
        good_measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 8, 18),
        inspector="王五",
        place="市民服务热线",
        method="电话暗访",
        summary="拨打热线咨询办事流程。",
        department_id=tax_id,
        today=TODAY,
    )
    item = services.checklists.add_custom(good, "是否一次性告知所需材料")
    services.checklists.set_verdict(item, Verdict.PASS)
    storage.close()


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def fresh_copy(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    return target
