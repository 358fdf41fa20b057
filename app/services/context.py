"""Everything a front end needs for one open database, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.calendar import HolidayTable
from app.services.departments import DepartmentDirectory
from app.services.inspections import Inspections
from app.services.ledger import LedgerDetails, LedgerQueries
from app.services.plan_store import PlanStore
from app.services.reminders import Reminders
from app.services.status import LedgerStatus
from app.services.targets import TargetActuals
from app.storage import Repository, Storage

if TYPE_CHECKING:
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

        return ChecklistService(self.repository)

    @cached_property
    def evidence(self) -> EvidenceStore:
        """Evidence files in ``<db file>.evidence/`` (Pillow is loaded on first use)."""
        from app.services.evidence import EvidenceStore

        return EvidenceStore.for_storage(self.storage)

    @classmethod
    def open(cls, path: str | Path) -> Services:
        return cls.for_storage(Storage.open(path))

    @classmethod
    def for_storage(cls, storage: Storage) -> Services:
        repository = storage.repository
        holidays = HolidayTable(repository)
        calendar = holidays.calendar()
        status = LedgerStatus(storage.db, calendar)
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
            inspections=Inspections(repository),
        )

    def refresh_calendar(self) -> None:
        """Re-read the office's holiday table (after it was edited or synced)."""
        calendar = self.holidays.calendar()
        self.status.calendar = calendar
        self.reminders.calendar = calendar
        self.__dict__.pop("ledger_export", None)

    def close(self) -> None:
        self.storage.close()
