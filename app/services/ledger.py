"""Read-side queries over the ledger (live rows only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from app.domain.collation import collated, sort_key
from app.domain.ledger import AreaSummary, MeasureSummary, PlanSummary, Role
from app.domain.text import deadline_text
from app.services.inspections import InspectionEntry, read_inspections
from app.services.status import LedgerStatus, MeasureRow, MilestoneState, StatusQuery

if TYPE_CHECKING:
    from sqlite_utils import Database


def plan_tree_in_file(path: str, query: StatusQuery) -> list[PlanSummary]:
    """``LedgerQueries.plan_tree`` of a status query's rows, on a read-only connection of its
    own (for a worker thread: the status query over a big ledger takes seconds)."""
    from sqlite_utils import Database

    from app.storage.database import connect_read_only

    db = Database(connect_read_only(path))  # also in a read-only folder
    try:
        rows = LedgerStatus(db).rows(query)
        return LedgerQueries(db).plan_tree(rows)
    finally:
        db.close()


class LedgerQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def plan_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM plans WHERE deleted = 0").fetchone()[0])

    def measure_exists(self, measure_id: str) -> bool:
        """Whether the measure is in the ledger (not deleted)."""
        row = self.db.execute("SELECT 1 FROM measures WHERE id = ? AND deleted = 0", [measure_id])
        return row.fetchone() is not None

    def measure_completed_on(self, measure_id: str) -> date | None:
        row = self.db.execute("SELECT completed_on FROM measures WHERE id = ?", [measure_id])
        value = row.fetchone()
        return date.fromisoformat(value[0]) if value and value[0] else None

    def plan_choices(self) -> list[tuple[str, str]]:
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT id, title FROM plans WHERE deleted = 0 ORDER BY issued_on, title"
            )
        ]

    def area_choices(self, plan_id: str | None) -> list[tuple[str, str]]:
        sql = "SELECT id, no, title FROM areas WHERE deleted = 0"
        params: list[str] = []
        if plan_id:
            sql += " AND plan_id = ?"
            params.append(plan_id)
        return [
            (row[0], f"{row[1]}. {row[2]}" if row[1] is not None else row[2])
            for row in self.db.execute(sql + " ORDER BY plan_id, position, no", params)
        ]

    def department_choices(self) -> list[tuple[str, str]]:
        """(id, name) of every live department, in pinyin order."""
        rows = self.db.execute("SELECT id, name FROM departments WHERE deleted = 0").fetchall()
        return collated(((row[0], row[1]) for row in rows), key=lambda pair: pair[1])

    def measure_labels(self, measure_ids: Iterable[str]) -> dict[str, str]:
        """measure id → "3.2 title" as the ledger numbers it (deleted measures left out)."""
        ids = list(dict.fromkeys(measure_ids))
        labels: dict[str, str] = {}
        for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row_id, area_no, no, title in self.db.execute(
                "SELECT m.id, a.no, m.no, m.title FROM measures m"
                " LEFT JOIN areas a ON a.id = m.area_id"
                f" WHERE m.deleted = 0 AND m.id IN ({marks})",
                chunk,
            ):
                number = f"{area_no}.{no}" if area_no is not None else str(no or "")
                labels[row_id] = f"{number} {title}".strip()
        return labels

    def due_months(self) -> list[str]:
        return [
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT substr(due, 1, 7) FROM milestones"
                " WHERE deleted = 0 AND due IS NOT NULL ORDER BY 1"
            )
        ]

    def plan_tree(self, rows: Iterable[MeasureRow] | None = None) -> list[PlanSummary]:
        """Plans → areas → measures in document order, three queries in all.

        With ``rows`` (a ``LedgerStatus`` query's, at an as-of date and through a filter), each
        measure carries its light and status, and only the measures among ``rows`` are kept,
        with the areas and plans that still hold one.
        """
        states = None if rows is None else {row.id: row for row in rows}
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
            if area_id not in areas:
                continue
            if states is None:
                areas[area_id].measures.append(MeasureSummary(id=measure_id, no=no, title=title))
            elif measure_id in states:
                state = states[measure_id]
                areas[area_id].measures.append(
                    MeasureSummary(measure_id, no, title, state.light, state.status)
                )
        if states is None:
            return plans
        for plan in plans:
            plan.areas[:] = [area for area in plan.areas if area.measures]
        return [plan for plan in plans if plan.areas]


@dataclass(frozen=True)
class ActualValue:
    value: float
    measured_on: date
    source: str


@dataclass(frozen=True)
class TargetState:
    id: str
    raw: str
    metric: str
    op: str
    value: float | None
    unit: str
    history: tuple[ActualValue, ...] = ()  # newest first

    @property
    def latest(self) -> ActualValue | None:
        return self.history[0] if self.history else None

    @property
    def met(self) -> bool | None:
        """达标 (True) / 未达标 (False) from the latest actual; None when nothing was reported."""
        if self.latest is None or self.value is None:
            return None
        return compare(self.latest.value, self.op, self.value)


@dataclass(frozen=True)
class ReportEntry:
    reported_on: date
    round_name: str
    department: str
    state: str | None
    progress: str
    problems: str
    next_steps: str


@dataclass(frozen=True)
class MeasureDetail:
    id: str
    number: str
    area_title: str
    title: str
    text: str
    departments: list[tuple[Role, str]]
    milestones: list[MilestoneState]
    targets: list[TargetState]
    reports: list[ReportEntry]
    inspections: list[InspectionEntry] = field(default_factory=list)
    as_of: date | None = None  # the day the statuses and lights are computed for


@dataclass(frozen=True)
class DepartmentOverview:
    id: str
    name: str
    is_group: bool
    lead: int
    shared: int
    overdue: int


def compare(actual: float, op: str, value: float) -> bool:
    return {
        ">=": actual >= value,
        "<=": actual <= value,
        "=": abs(actual - value) < 1e-9,
        ">": actual > value,
        "<": actual < value,
    }.get(op, False)


class LedgerDetails:
    """What the detail pane and the department view show (live rows only)."""

    def __init__(self, db: Database, status: LedgerStatus) -> None:
        self.db = db
        self.status = status

    def measure(self, measure_id: str, *, as_of: date, soon_days: int = 5) -> MeasureDetail | None:
        row = self.db.execute(
            "SELECT m.id, a.no, m.no, COALESCE(a.title, ''), m.title, m.text FROM measures m"
            " LEFT JOIN areas a ON a.id = m.area_id WHERE m.id = ? AND m.deleted = 0",
            [measure_id],
        ).fetchone()
        if row is None:
            return None
        departments = [
            (Role(role), name)
            for role, name in self.db.execute(
                "SELECT s.role, d.name FROM assignments s JOIN departments d"
                " ON d.id = s.department_id WHERE s.measure_id = ? AND s.deleted = 0"
                " ORDER BY CASE s.role WHEN 'lead' THEN 0 WHEN 'responsible' THEN 1 ELSE 2 END,"
                " s.position",
                [measure_id],
            )
        ]
        history: dict[str, list[ActualValue]] = {}
        for target_id, value, measured, source in self.db.execute(
            "SELECT v.target_id, v.value, v.measured_on, v.source FROM target_actuals v"
            " JOIN targets t ON t.id = v.target_id WHERE t.measure_id = ? AND v.deleted = 0"
            " ORDER BY v.measured_on DESC, v.rowid DESC",
            [measure_id],
        ):
            history.setdefault(target_id, []).append(
                ActualValue(value, date.fromisoformat(measured), source or "")
            )
        targets = [
            TargetState(row[0], *row[1:], history=tuple(history.get(row[0], ())))
            for row in self.db.execute(
                "SELECT id, raw, metric, op, value, unit FROM targets"
                " WHERE measure_id = ? AND deleted = 0 ORDER BY rowid",
                [measure_id],
            )
        ]
        reports = [
            ReportEntry(
                date.fromisoformat(day),
                round_name or "",
                name,
                state,
                progress,
                problems,
                next_steps,
            )
            for day, round_name, name, state, progress, problems, next_steps in self.db.execute(
                "SELECT r.reported_on, o.name, d.name, r.state, r.progress, r.problems,"
                " r.next_steps FROM progress_reports r JOIN departments d"
                " ON d.id = r.department_id LEFT JOIN rounds o ON o.id = r.round_id"
                " WHERE r.measure_id = ? AND r.deleted = 0 ORDER BY r.reported_on DESC, r.rowid",
                [measure_id],
            )
        ]
        _id, area_no, no, area_title, title, text = row
        number = f"{area_no}.{no}" if area_no is not None else str(no or "")
        return MeasureDetail(
            measure_id,
            number,
            area_title,
            title,
            text,
            departments,
            [  # the 时限 phrase as displayed; the stored text stays as the plan wrote it
                replace(m, raw=deadline_text(m.raw))
                for m in self.status.milestones(measure_id, as_of=as_of, soon_days=soon_days)
            ],
            targets,
            reports,
            read_inspections(self.db, measure_id, as_of=as_of),
            as_of,
        )

    def departments(self, *, as_of: date) -> list[DepartmentOverview]:
        """Every live department: measures it leads, shares, and how many of those are overdue."""
        rows = self.db.execute(
            """
            SELECT d.id, d.name, d.is_group,
                   COUNT(DISTINCT CASE WHEN s.role = 'lead' THEN s.measure_id END),
                   COUNT(DISTINCT CASE WHEN s.role != 'lead' THEN s.measure_id END),
                   COUNT(DISTINCT CASE WHEN EXISTS (
                       SELECT 1 FROM milestones x WHERE x.measure_id = s.measure_id
                       AND x.deleted = 0 AND x.kind = 'date' AND x.due < :as_of
                       AND (x.completed_on IS NULL OR x.completed_on > :as_of))
                       THEN s.measure_id END)
            FROM departments d
            LEFT JOIN assignments s ON s.department_id = d.id AND s.deleted = 0
                AND EXISTS (SELECT 1 FROM measures m WHERE m.id = s.measure_id AND m.deleted = 0)
            WHERE d.deleted = 0
            GROUP BY d.id
            """,
            {"as_of": as_of.isoformat()},
        ).fetchall()
        overviews = [
            DepartmentOverview(row[0], row[1], bool(row[2]), row[3], row[4], row[5]) for row in rows
        ]
        # Most overdue first, then most led; names in pinyin order.
        return sorted(overviews, key=lambda d: (-d.overdue, -d.lead, sort_key(d.name)))
