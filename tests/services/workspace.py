"""A small 明察暗访 workspace for the service tests: a ledger, users, plans, records."""

from __future__ import annotations

from datetime import date

from app.domain.inspection import UserRole
from app.domain.ledger import InspectionKind
from app.services.context import Services
from app.services.findings import FindingDraft
from app.services.inspection_plans import PlanDraft
from app.storage import Storage
from tests.services.test_status import Ledger

TODAY = date(2021, 12, 31)


def close_finding(services: Services, finding_id: str, on: date, *, today: date = TODAY) -> None:
    """销号 the way the office does it: the department's 整改情况, then a passing 复查."""
    services.findings.report(finding_id, "已整改", on, today=today)
    services.findings.recheck(finding_id, on, passed=True, inspector="王科长", today=today)


class Workspace:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.db = storage.db
        self.services = Services.for_storage(storage)
        self.ledger = Ledger(storage)

    def as_user(self, name: str, role: UserRole = UserRole.INSPECTOR) -> Workspace:
        self.services.identity.set(name, role)
        return self

    def measure(self, *milestones, title: str = "措施", lead: str = "市行政审批服务局") -> str:
        return self.ledger.measure(*milestones, title=title, lead=lead)

    def department(self, name: str) -> str:
        return self.ledger.department(name)

    def plan(
        self, *, mode: InspectionKind = InspectionKind.COVERT, inspectors=("张三",), **kw
    ) -> str:
        draft = PlanDraft(
            name=kw.pop("name", "2021年9月暗访"),
            mode=mode,
            starts_on=kw.pop("starts_on", date(2021, 9, 1)),
            ends_on=kw.pop("ends_on", date(2021, 9, 30)),
            inspectors=tuple(inspectors),
            **kw,
        )
        return self.services.inspection_plans.create(draft, today=TODAY)

    def record(
        self,
        measure_id: str,
        *findings: FindingDraft,
        kind: InspectionKind = InspectionKind.OPEN,
        checked_on: date = date(2021, 9, 10),
        inspector: str = "张三",
        plan: str | None = None,
    ) -> str:
        return self.services.inspections.record(
            measure_id,
            kind=kind,
            checked_on=checked_on,
            inspector=inspector,
            findings=findings,
            today=TODAY,
            inspection_plan_id=plan,
        )

    def findings_of(self, inspection_id: str) -> list[str]:
        return [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM findings WHERE inspection_id = ? ORDER BY rowid", [inspection_id]
            )
        ]

    def change_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
