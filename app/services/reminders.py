"""催办提醒: milestones due within N working days or overdue, grouped by department.

Each item carries what a 督办通知 needs: the department and its role, the measure, the deadline
phrase and date, and how many working days are left or overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from app.domain.ledger import Role
from app.domain.workdays import WorkCalendar
from app.services.status import DEFAULT_SOON_DAYS, due_soon_limit

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class ReminderItem:
    measure_id: str
    milestone_id: str
    area_no: int | None
    measure_no: int | None
    measure_title: str
    role: Role
    raw: str
    due: date
    overdue: bool
    working_days: int  # left until due (>= 0), or past due (> 0 when overdue)

    @property
    def number(self) -> str:
        return (
            f"{self.area_no}.{self.measure_no}"
            if self.area_no is not None
            else str(self.measure_no or "")
        )

    @property
    def describe(self) -> str:
        if self.overdue:
            return f"已逾期 {self.working_days} 个工作日"
        if self.working_days == 0:
            return "今日到期"
        return f"还剩 {self.working_days} 个工作日"


@dataclass
class DepartmentReminder:
    department_id: str
    department: str
    is_group: bool
    items: list[ReminderItem] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(item.overdue for item in self.items)


class Reminders:
    def __init__(self, db: Database, calendar: WorkCalendar | None = None) -> None:
        self.db = db
        self.calendar = calendar or WorkCalendar()

    def collect(
        self, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS, plan_id: str | None = None
    ) -> list[DepartmentReminder]:
        """Departments with something due soon or overdue; most overdue first."""
        soon = due_soon_limit(self.calendar, as_of, soon_days)
        plan_clause = "AND m.plan_id = :plan_id" if plan_id else ""
        rows = self.db.execute(
            f"""
            SELECT d.id, d.name, d.is_group, s.role, m.id, a.no, m.no, m.title,
                   x.id, x.raw, x.due
            FROM milestones x
            JOIN measures m ON m.id = x.measure_id AND m.deleted = 0
            LEFT JOIN areas a ON a.id = m.area_id
            JOIN assignments s ON s.measure_id = m.id AND s.deleted = 0
                              AND s.role IN ('lead', 'responsible')
            JOIN departments d ON d.id = s.department_id
            WHERE x.deleted = 0 AND x.kind = 'date' AND x.due IS NOT NULL AND x.due <= :soon
              AND (x.completed_on IS NULL OR x.completed_on > :as_of) {plan_clause}
            ORDER BY x.due, m.position
            """,
            {"as_of": as_of.isoformat(), "soon": soon.isoformat(), "plan_id": plan_id},
        ).fetchall()
        groups: dict[str, DepartmentReminder] = {}
        distance: dict[date, int] = {}  # many items share a due date
        for (
            department_id,
            name,
            is_group,
            role,
            measure_id,
            area_no,
            measure_no,
            title,
            milestone_id,
            raw,
            due_text,
        ) in rows:
            due = date.fromisoformat(due_text)
            overdue = due < as_of
            if due not in distance:
                distance[due] = abs(self.calendar.workdays_between(as_of, due))
            days = distance[due]
            groups.setdefault(
                department_id, DepartmentReminder(department_id, name, bool(is_group))
            ).items.append(
                ReminderItem(
                    measure_id,
                    milestone_id,
                    area_no,
                    measure_no,
                    title,
                    Role(role),
                    raw,
                    due,
                    overdue,
                    days,
                )
            )
        return sorted(
            groups.values(), key=lambda g: (-g.overdue_count, -len(g.items), g.department)
        )
