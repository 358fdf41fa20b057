"""Everything a front end needs for one open database, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.services.departments import DepartmentDirectory
from app.services.ledger import LedgerQueries
from app.services.plan_store import PlanStore
from app.storage import Repository, Storage


@dataclass
class Services:
    storage: Storage
    ledger: LedgerQueries
    plans: PlanStore
    departments: DepartmentDirectory

    @property
    def repository(self) -> Repository:
        return self.storage.repository

    @classmethod
    def open(cls, path: str | Path) -> Services:
        return cls.for_storage(Storage.open(path))

    @classmethod
    def for_storage(cls, storage: Storage) -> Services:
        return cls(
            storage=storage,
            ledger=LedgerQueries(storage.db),
            plans=PlanStore(storage.repository),
            departments=DepartmentDirectory(storage.repository),
        )

    def close(self) -> None:
        self.storage.close()
