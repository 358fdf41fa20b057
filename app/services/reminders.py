"""催办提醒: milestones due within N working days or overdue, grouped by department.

Each item carries what a 督办通知 needs: the department and its role, the measure, the deadline
phrase and date, and how many working days are left or overdue. A department is reminded of a
date once per measure: under its strongest role however often the plan names it there (牵头 and
责任 both, or one name twice), and in one line when the measure's text sets that day in two
sentences ("6月底前，…。6月底，…" shows as "6月底前、6月底").

A finding's 整改期限 is a deadline too: findings not 销号 whose 整改期限 is due soon or past come in
as ``FindingReminder`` items of their responsible department (only those the current user may
see: 暗访 confidentiality), except those whose 整改情况 was reported in time and awaits 复查
(app/services/overdue.py: the department has done its part).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from app.domain.collation import sort_key
from app.domain.ledger import Role
from app.domain.text import deadline_text
from app.domain.workdays import WorkCalendar
from app.services.overdue import REPORTED_IN_TIME_SQL
from app.services.status import DEFAULT_SOON_DAYS, due_soon_limit
from app.services.visibility import finding_visible, viewer_of

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class ReminderItem:
    measure_id: str
    milestone_ids: tuple[str, ...]  # usually one; more when the measure sets the day twice
    area_no: int | None
    measure_no: int | None
    measure_title: str
    role: Role
    raw: str  # the plan's 时限 phrase(s) as displayed (app/domain/text.py: deadline_text)
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


@dataclass(frozen=True)
class FindingReminder(ReminderItem):
    """A finding's 整改期限 (``raw`` is "整改：" and the problem; ``milestone_id`` is empty)."""

    finding_id: str = ""

    @property
    def describe(self) -> str:
        return "整改" + super().describe


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
        """Departments with something due soon or overdue; most overdue first, then most items,
        then by name in pinyin order."""
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
            ORDER BY x.due, m.position, x.rowid,
                     CASE s.role WHEN 'lead' THEN 0 ELSE 1 END
            """,
            {"as_of": as_of.isoformat(), "soon": soon.isoformat(), "plan_id": plan_id},
        ).fetchall()
        groups: dict[str, DepartmentReminder] = {}
        distance: dict[date, int] = {}  # many items share a due date
        # (department, measure, due) → where its item is; the strongest role comes first.
        seen: dict[tuple[str, str, str], int] = {}
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
            shown = deadline_text(raw)
            group = groups.setdefault(
                department_id, DepartmentReminder(department_id, name, bool(is_group))
            )
            key = (department_id, measure_id, due_text)
            if key in seen:
                item = group.items[seen[key]]
                if milestone_id not in item.milestone_ids:
                    phrases = item.raw.split("、")
                    group.items[seen[key]] = replace(
                        item,
                        milestone_ids=(*item.milestone_ids, milestone_id),
                        raw="、".join(phrases if shown in phrases else [*phrases, shown]),
                    )
                continue
            seen[key] = len(group.items)
            due = date.fromisoformat(due_text)
            overdue = due < as_of
            if due not in distance:
                distance[due] = abs(self.calendar.workdays_between(as_of, due))
            days = distance[due]
            group.items.append(
                ReminderItem(
                    measure_id,
                    (milestone_id,),
                    area_no,
                    measure_no,
                    title,
                    Role(role),
                    shown,
                    due,
                    overdue,
                    days,
                )
            )
        for department, item in self._findings(as_of, soon, plan_id, distance):
            groups.setdefault(department[0], DepartmentReminder(*department)).items.append(item)
        return sorted(
            groups.values(),
            key=lambda g: (-g.overdue_count, -len(g.items), sort_key(g.department)),
        )

    def _findings(
        self, as_of: date, soon: date, plan_id: str | None, distance: dict[date, int]
    ) -> list[tuple[tuple[str, str, bool], FindingReminder]]:
        """Findings open at ``as_of`` whose 整改期限 is by ``soon``, with their department."""
        plan_clause = "AND m.plan_id = :plan_id" if plan_id else ""
        rows = self.db.execute(
            f"""
            SELECT d.id, d.name, d.is_group, f.id, f.description, f.rectify_by, m.id, a.no,
                   m.no, m.title,
                   (SELECT s.role FROM assignments s WHERE s.measure_id = m.id
                    AND s.department_id = d.id AND s.deleted = 0
                    ORDER BY CASE s.role WHEN 'lead' THEN 0 WHEN 'responsible' THEN 1 ELSE 2 END
                    LIMIT 1)
            FROM findings f
            JOIN measures m ON m.id = f.measure_id AND m.deleted = 0
            LEFT JOIN areas a ON a.id = m.area_id
            JOIN departments d ON d.id = f.department_id
            WHERE f.deleted = 0 AND f.rectify_by IS NOT NULL AND f.rectify_by <= :soon
              AND f.found_on <= :as_of
              AND (f.rectified_on IS NULL OR f.rectified_on > :as_of)
              AND NOT {REPORTED_IN_TIME_SQL}
              AND {finding_visible("f")} {plan_clause}
            ORDER BY f.rectify_by, m.position, f.rowid
            """,
            {
                "as_of": as_of.isoformat(),
                "soon": soon.isoformat(),
                "plan_id": plan_id,
                **viewer_of(self.db).params(),
            },
        ).fetchall()
        result = []
        for row in rows:
            department_id, name, is_group, finding_id, description, due_text = row[:6]
            measure_id, area_no, measure_no, title, role = row[6:]
            due = date.fromisoformat(due_text)
            if due not in distance:
                distance[due] = abs(self.calendar.workdays_between(as_of, due))
            item = FindingReminder(
                measure_id,
                "",
                area_no,
                measure_no,
                title,
                Role(role) if role else Role.RESPONSIBLE,
                f"整改：{description}",
                due,
                due < as_of,
                distance[due],
                finding_id,
            )
            result.append(((department_id, name, bool(is_group)), item))
        return result
