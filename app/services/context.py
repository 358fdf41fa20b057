"""Everything a front end needs for one open database, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.assigned import AssignedTasks
from app.services.calendar import HolidayTable
from app.services.departments import DepartmentDirectory
from app.services.finding_list import FindingList
from app.services.findings import Findings
from app.services.identity import Identity
from app.services.inspection_plans import InspectionPlans
from app.services.inspections import Inspections
from app.services.ledger import LedgerDetails, LedgerQueries
from app.services.plan_store import PlanStore
from app.services.record_list import RecordList
from app.services.reminders import Reminders
from app.services.scores import Scores
from app.services.status import LedgerStatus
from app.services.targets import TargetActuals
from app.services.vocabulary import VocabularyLists
from app.storage import Repository, Storage

if TYPE_CHECKING:
    from app.services.bulletins import BulletinDrafting, Bulletins
    from app.services.checklists import ChecklistService
    from app.services.evidence import EvidenceStore
    from app.services.ledger_export import LedgerExport
    from app.services.progress import ProgressService


@dataclass
class Services:
    storage: Storage
    ledger: LedgerQueries
    plans: PlanStore
    departments: DepartmentDirectory
    holidays: HolidayTable
    status: LedgerStatus
    details: LedgerDetails
    reminders: Reminders
    targets: TargetActuals
    inspections: Inspections
    # 明察暗访 workspace (docs/inspections.md)
    identity: Identity  # the current user and role: who may see 暗访 records
    findings: Findings  # the 整改 workflow (the same object as inspections.findings)
    finding_list: FindingList
    record_list: RecordList  # the list of all inspection records
    inspection_plans: InspectionPlans
    assigned: AssignedTasks  # 交办事项
    scores: Scores  # 红黑榜
    vocabulary: VocabularyLists

    @property
    def repository(self) -> Repository:
        return self.storage.repository

    # Built on first use: they pull in openpyxl, which the app does not need to start.
    @cached_property
    def progress(self) -> ProgressService:
        from app.services.progress import ProgressService

        return ProgressService(self.repository)

    @cached_property
    def ledger_export(self) -> LedgerExport:
        from app.services.ledger_export import LedgerExport

        return LedgerExport(self.repository, self.status.calendar)

    @cached_property
    def checklists(self) -> ChecklistService:
        from app.services.checklists import ChecklistService

        return ChecklistService(self.repository, self.findings)  # one way to a finding

    @cached_property
    def evidence(self) -> EvidenceStore:
        """Evidence files in ``<db file>.evidence/`` (Pillow is loaded on first use)."""
        from app.services.evidence import EvidenceStore

        return EvidenceStore.for_storage(self.storage)

    @cached_property
    def bulletins(self) -> Bulletins:
        """通报 and 督办通知: states, numbers, frozen files in ``<db file>.documents/``."""
        from app.services.bulletins import Bulletins

        return Bulletins.for_storage(self.storage)

    @cached_property
    def bulletin_drafting(self) -> BulletinDrafting:
        """First drafts from the ledger through the office's templates (``.templates``)."""
        from app.services.bulletins import BulletinDrafting

        return BulletinDrafting(self.repository, self.status.calendar)

    @classmethod
    def open(cls, path: str | Path) -> Services:
        return cls.for_storage(Storage.open(path))

    @classmethod
    def for_storage(cls, storage: Storage) -> Services:
        repository = storage.repository
        holidays = HolidayTable(repository)
        calendar = holidays.calendar()
        status = LedgerStatus(storage.db, calendar)
        inspections = Inspections(repository, calendar)
        return cls(
            storage=storage,
            ledger=LedgerQueries(storage.db),
            plans=PlanStore(repository),
            departments=DepartmentDirectory(repository),
            holidays=holidays,
            status=status,
            details=LedgerDetails(storage.db, status),
            reminders=Reminders(storage.db, calendar),
            targets=TargetActuals(repository),
            inspections=inspections,
            identity=Identity(storage),
            findings=inspections.findings,
            finding_list=FindingList(storage.db),
            record_list=RecordList(storage.db),
            inspection_plans=InspectionPlans(repository),
            assigned=AssignedTasks(repository),
            scores=Scores(repository),
            vocabulary=VocabularyLists(repository),
        )

    def refresh_calendar(self) -> None:
        """Re-read the office's holiday table (after it was edited or synced)."""
        calendar = self.holidays.calendar()
        self.status.calendar = calendar
        self.reminders.calendar = calendar
        self.inspections.calendar = calendar  # and so the findings' working-day deadlines
        self.__dict__.pop("ledger_export", None)
        self.__dict__.pop("bulletin_drafting", None)

    def close(self) -> None:
        self.storage.close()
