"""The office's holiday table, and the working-day calendar built from it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.domain.workdays import WorkCalendar
from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository


class HolidayTable:
    """Days the office enters itself: 'holiday' (a day off) or 'workday' (a 调休 Saturday)."""

    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db

    def calendar(self) -> WorkCalendar:
        overrides = {
            date.fromisoformat(day): kind == "workday"
            for day, kind in self.db.execute(
                "SELECT day, kind FROM holidays WHERE deleted = 0 ORDER BY day"
            )
        }
        return WorkCalendar(overrides)

    def entries(self) -> list[tuple[str, date, str, str]]:
        """(id, day, kind, note) for every live entry, by date."""
        return [
            (row_id, date.fromisoformat(day), kind, note)
            for row_id, day, kind, note in self.db.execute(
                "SELECT id, day, kind, note FROM holidays WHERE deleted = 0 ORDER BY day"
            )
        ]

    def set_day(self, day: date, kind: str, note: str = "") -> str:
        if kind not in ("holiday", "workday"):
            raise WriteError("类型应为“放假”或“调休上班”。")
        with self.repo.transaction():
            for row_id, existing, _kind, _note in self.entries():
                if existing == day:
                    self.repo.update("holidays", row_id, {"kind": kind, "note": note})
                    self._recount_deadlines()
                    return row_id
            row_id = self.repo.insert(
                "holidays", {"day": day.isoformat(), "kind": kind, "note": note}
            )
            self._recount_deadlines()
            return row_id

    def remove_day(self, day: date) -> bool:
        with self.repo.transaction():
            removed = False
            for row_id, existing, _kind, _note in self.entries():
                if existing == day:
                    removed = self.repo.delete("holidays", row_id) or removed
            self._recount_deadlines()
            return removed

    def _recount_deadlines(self) -> None:
        """整改期限 given as N working days follow the edited calendar (same transaction)."""
        from app.services.findings import recompute_deadlines

        recompute_deadlines(self.repo, self.calendar())
