"""Read-side queries over the ledger (live rows only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.ledger import AreaSummary, MeasureSummary, PlanSummary

if TYPE_CHECKING:
    from sqlite_utils import Database


class LedgerQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def plan_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM plans WHERE deleted = 0").fetchone()[0])

    def is_empty(self) -> bool:
        return self.plan_count() == 0

    def plan_tree(self) -> list[PlanSummary]:
        """Plans → areas → measures in document order, three queries in all."""
        plans = [
            PlanSummary(id=row[0], title=row[1], doc_number=row[2])
            for row in self.db.execute(
                "SELECT id, title, doc_number FROM plans WHERE deleted = 0"
                " ORDER BY issued_on, title"
            )
        ]
        areas_by_plan: dict[str, list[AreaSummary]] = {plan.id: plan.areas for plan in plans}
        areas: dict[str, AreaSummary] = {}
        for area_id, plan_id, no, title in self.db.execute(
            "SELECT id, plan_id, no, title FROM areas WHERE deleted = 0 ORDER BY position, no"
        ):
            if plan_id in areas_by_plan:
                area = AreaSummary(id=area_id, no=no, title=title)
                areas[area_id] = area
                areas_by_plan[plan_id].append(area)
        for measure_id, area_id, no, title in self.db.execute(
            "SELECT id, area_id, no, title FROM measures WHERE deleted = 0 ORDER BY position, no"
        ):
            if area_id in areas:
                areas[area_id].measures.append(MeasureSummary(id=measure_id, no=no, title=title))
        return plans
