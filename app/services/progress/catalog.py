"""Which items each department reports on in a round (from the plan in the ledger)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.collation import sort_key
from app.domain.ledger import Role
from app.domain.text import deadline_text
from app.storage.schema import ROLES
from reports.progress_sheet import (
    ItemKind,
)

if TYPE_CHECKING:
    pass
from app.services.progress.model import _CLAUSE_END, Addressee, Addressees, SheetItem


@dataclass
class _Measure:
    id: str
    number: str
    area: str
    title: str
    text: str
    milestones: list[tuple[str, str, date | None, int | None, int | None]] = field(
        default_factory=list
    )
    targets: list[tuple[str, str, str, int | None, int | None]] = field(default_factory=list)


@dataclass
class _Catalog:
    plan_id: str
    measures: list[_Measure]
    roles: dict[str, dict[str, Role]]  # department → measure → strongest role
    departments: dict[str, tuple[str, bool]]  # live department → (name, is_group)

    @classmethod
    def load(cls, db: Any, plan_id: str) -> _Catalog:
        measures: dict[str, _Measure] = {}
        for measure_id, no, title, text, area_no, area_title in db.execute(
            "SELECT m.id, m.no, m.title, m.text, a.no, a.title FROM measures m"
            " LEFT JOIN areas a ON a.id = m.area_id"
            " WHERE m.plan_id = ? AND m.deleted = 0 ORDER BY m.position, m.no, m.id",
            [plan_id],
        ):
            number = f"{area_no}.{no}" if area_no is not None and no is not None else str(no or "")
            measures[measure_id] = _Measure(measure_id, number, area_title or "", title, text)
        for milestone_id, measure_id, raw, due, start, end in db.execute(
            "SELECT x.id, x.measure_id, x.raw, x.due, x.span_start, x.span_end FROM milestones x"
            " JOIN measures m ON m.id = x.measure_id"
            " WHERE m.plan_id = ? AND m.deleted = 0 AND x.deleted = 0"
            " ORDER BY x.span_start IS NULL, x.span_start, x.due, x.id",
            [plan_id],
        ):
            day = date.fromisoformat(due) if due else None
            measures[measure_id].milestones.append((milestone_id, raw, day, start, end))
        for target_id, measure_id, raw, unit, start, end in db.execute(
            "SELECT t.id, t.measure_id, t.raw, t.unit, t.span_start, t.span_end FROM targets t"
            " JOIN measures m ON m.id = t.measure_id"
            " WHERE m.plan_id = ? AND m.deleted = 0 AND t.deleted = 0"
            " ORDER BY t.span_start IS NULL, t.span_start, t.id",
            [plan_id],
        ):
            measures[measure_id].targets.append((target_id, raw, unit, start, end))
        departments = {
            department_id: (name, bool(is_group))
            for department_id, name, is_group in db.execute(
                "SELECT id, name, is_group FROM departments WHERE deleted = 0"
            )
        }
        roles: dict[str, dict[str, Role]] = {}
        for department_id, measure_id, role in db.execute(
            "SELECT s.department_id, s.measure_id, s.role FROM assignments s"
            " JOIN measures m ON m.id = s.measure_id"
            " WHERE m.plan_id = ? AND m.deleted = 0 AND s.deleted = 0",
            [plan_id],
        ):
            if department_id not in departments:
                continue
            mine = roles.setdefault(department_id, {})
            if measure_id not in mine or ROLES.index(role) < ROLES.index(mine[measure_id]):
                mine[measure_id] = Role(role)
        return cls(plan_id, list(measures.values()), roles, departments)

    def items(self, department_id: str) -> list[SheetItem]:
        mine = self.roles.get(department_id, {})
        items: list[SheetItem] = []
        for measure in self.measures:
            role = mine.get(measure.id)
            if role is None:
                continue
            common = {
                "measure_id": measure.id,
                "role": role,
                "area": measure.area,
                "number": measure.number,
            }
            for milestone_id, raw, due, start, end in measure.milestones:
                items.append(
                    SheetItem(
                        kind=ItemKind.MILESTONE,
                        milestone_id=milestone_id,
                        target_id=None,
                        description=_with_clause(measure, start, end),
                        deadline=deadline_text(raw),
                        due=due,
                        **common,
                    )
                )
            if not measure.milestones:
                items.append(
                    SheetItem(
                        kind=ItemKind.MEASURE,
                        milestone_id=None,
                        target_id=None,
                        description=measure.text or measure.title,
                        **common,
                    )
                )
            for target_id, raw, unit, start, end in measure.targets:
                hint = f"目标值：{raw}" + (f"，实际值单位：{unit}" if unit else "")
                items.append(
                    SheetItem(
                        kind=ItemKind.TARGET,
                        milestone_id=None,
                        target_id=target_id,
                        description=f"{_with_clause(measure, start, end)}\n{hint}",
                        unit=unit,
                        target=raw,
                        **common,
                    )
                )
        return items

    def addressees(self) -> Addressees:
        departments: list[Addressee] = []
        groups: list[Addressee] = []
        for department_id, (name, is_group) in sorted(
            self.departments.items(), key=lambda pair: (sort_key(pair[1][0]), pair[0])
        ):
            if department_id not in self.roles:
                continue
            count = len(self.items(department_id))
            (groups if is_group else departments).append(Addressee(department_id, name, count))
        return Addressees(departments, groups)


def _with_clause(measure: _Measure, start: int | None, end: int | None) -> str:
    """The measure's title and the sentence of its text where a deadline or target sits."""
    title = measure.title or measure.text[:60]
    clause = _clause(measure.text, start, end)
    if not clause or clause.startswith(title):
        return clause or title
    return f"{title}\n{clause}"


def _clause(text: str, start: int | None, end: int | None) -> str:
    if start is None or not text:
        return ""
    start = max(0, min(start, len(text)))
    end = max(start, min(end if end is not None else start, len(text)))
    left = max(text.rfind(mark, 0, start) for mark in _CLAUSE_END) + 1
    last = max(start, end - 1)  # a span may end on its sentence's own 。
    stops = [i for i in (text.find(mark, last) for mark in _CLAUSE_END) if i >= 0]
    right = min(stops) + 1 if stops else len(text)
    return text[left:right].strip()


# ---- Validating returned files -----------------------------------------------------------------
