"""Everything a front end needs for one open database, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.services.calendar import HolidayTable
from app.services.departments import DepartmentDirectory
from app.services.ledger import LedgerDetails, LedgerQueries
from app.services.plan_store import PlanStore
from app.services.reminders import Reminders
from app.services.status import LedgerStatus
from app.storage import Repository, Storage


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

    @property
    def repository(self) -> Repository:
        return self.storage.repository

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
        )

    def refresh_calendar(self) -> None:
        """Re-read the office's holiday table (after it was edited or synced)."""
        calendar = self.holidays.calendar()
        self.status.calendar = calendar
        self.reminders.calendar = calendar

    def close(self) -> None:
        self.storage.close()
