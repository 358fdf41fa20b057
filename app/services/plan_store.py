"""Storing a parsed plan in the ledger, and re-importing a revised version of it.

Everything goes through the repository in one transaction, so an import either lands whole
(with its change-log entries) or not at all. Re-importing compares the new version with the
stored one measure by measure: unchanged measures are not touched, so whatever was recorded
against them (progress, inspections) stays; changed measures keep their id; removed ones are
tombstoned, never erased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parser is only needed once a document is read
    from app.plan_import.model import DepartmentEntry, ParsedArea, ParsedMeasure, ParsedPlan
    from app.storage import Repository

_MEASURE_CHILDREN = ("assignments", "milestones", "targets")
SIMILARITY = 0.6  # difflib ratio above which a measure at the same place counts as revised


@dataclass(frozen=True)
class StoredMeasure:
    id: str
    area_id: str | None
    area_no: int | None
    area_title: str
    no: int | None
    title: str
    text: str
    fingerprint: tuple


@dataclass
class MeasureChange:
    stored: StoredMeasure
    parsed: ParsedMeasure
    area: ParsedArea
    fields: list[str]


@dataclass
class PlanDiff:
    """What re-importing would do to a plan already in the ledger (empty when it is new)."""

    plan_id: str | None
    added: list[tuple[ParsedArea, ParsedMeasure]] = field(default_factory=list)
    removed: list[StoredMeasure] = field(default_factory=list)
    changed: list[MeasureChange] = field(default_factory=list)
    unchanged: list[tuple[StoredMeasure, ParsedMeasure]] = field(default_factory=list)

    @property
    def is_new_plan(self) -> bool:
        return self.plan_id is None

    def summary(self) -> str:
        """What importing would do: shown before the import (in the future tense)."""
        if self.is_new_plan:
            count = len(self.added)
            return f"新方案：将导入 {count} 项措施。"
        return (
            f"与台账中已有的同一方案相比：将新增 {len(self.added)} 项，"
            f"删除 {len(self.removed)} 项，修改 {len(self.changed)} 项，"
            f"未变 {len(self.unchanged)} 项。"
        )

    def done_summary(self) -> str:
        """What the import did: shown after it (in the past tense)."""
        if self.is_new_plan:
            return f"已导入新方案，共 {len(self.added)} 项措施。"
        return (
            f"已更新方案：新增 {len(self.added)} 项，删除 {len(self.removed)} 项，"
            f"修改 {len(self.changed)} 项，未变 {len(self.unchanged)} 项。"
        )


@dataclass
class ImportResult:
    plan_id: str
    diff: PlanDiff

    def summary(self) -> str:
        """One sentence for the status bar or the console once the plan is stored."""
        return self.diff.done_summary()


class PlanStore:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db
        self._known: dict[str, str] = {}

    # ---- Public API -------------------------------------------------------------------------

    def find_existing_plan(self, parsed: ParsedPlan) -> str | None:
        """The live plan this document is a version of: same 文号, else same title."""
        for column, value in (("doc_number", parsed.doc_number), ("title", parsed.title)):
            if value:
                row = self.db.execute(
                    f"SELECT id FROM plans WHERE deleted = 0 AND {column} = ? LIMIT 1", [value]
                ).fetchone()
                if row:
                    return str(row[0])
        return None

    def diff(self, parsed: ParsedPlan) -> PlanDiff:
        plan_id = self.find_existing_plan(parsed)
        result = PlanDiff(plan_id)
        incoming = [(area, measure) for area in parsed.areas for measure in area.measures]
        if plan_id is None:
            result.added = incoming
            return result
        stored = self._stored_measures(plan_id)
        self._known = self._known_departments()
        by_text = {m.text: m for m in stored}
        by_position = {(m.area_no, m.no): m for m in stored}
        used: set[str] = set()
        pending: list[tuple[ParsedArea, ParsedMeasure]] = []
        for area, measure in incoming:  # first pass: identical text wins, wherever it moved
            match = by_text.get(measure.text)
            if match is not None and match.id not in used:
                used.add(match.id)
                self._classify(result, match, area, measure)
            else:
                pending.append((area, measure))
        by_title = {m.title: m for m in stored}
        for area, measure in pending:
            # Second pass: the same place in the document with a similar text (a revision),
            # else the same title anywhere (a move). Otherwise it is a new measure.
            match = by_position.get((area.no, measure.no))
            if match is None or match.id in used or not _similar(match.text, measure.text):
                match = by_title.get(measure.title)
            if match is not None and match.id not in used:
                used.add(match.id)
                self._classify(result, match, area, measure)
            else:
                result.added.append((area, measure))
        result.removed = [m for m in stored if m.id not in used]
        return result

    def import_plan(self, parsed: ParsedPlan) -> ImportResult:
        """Store a new plan, or bring a stored one up to this version. One transaction."""
        diff = self.diff(parsed)
        with self.repo.transaction():
            departments = self._ensure_departments(parsed.departments)
            plan_values = {
                "title": parsed.title,
                "doc_number": parsed.doc_number or None,
                "issuer": parsed.issuer or None,
                "issued_on": parsed.date.isoformat() if parsed.date else None,
                "source_name": parsed.source_name or None,
            }
            if diff.plan_id is None:
                plan_id = self.repo.insert("plans", plan_values)
            else:
                plan_id = diff.plan_id
                self.repo.update("plans", plan_id, plan_values)
            areas = self._ensure_areas(plan_id, parsed.areas)
            positions = {
                id(measure): index for index, measure in enumerate(parsed.measures, start=1)
            }
            for area, measure in diff.added:
                measure_id = self.repo.insert(
                    "measures",
                    self._measure_values(plan_id, areas[area.no], measure, positions),
                )
                self._insert_children(measure_id, measure, departments)
            for change in diff.changed:
                self.repo.update(
                    "measures",
                    change.stored.id,
                    self._measure_values(plan_id, areas[change.area.no], change.parsed, positions),
                )
                self._replace_children(change.stored.id, change.parsed, departments)
            for stored, measure in diff.unchanged:
                # Same content; only its place in the document may have moved.
                self.repo.update("measures", stored.id, {"position": positions[id(measure)]})
            for stored in diff.removed:
                self.repo.delete("measures", stored.id)
            self._retire_empty_areas(plan_id)
        return ImportResult(plan_id, diff)

    # ---- Internals ----------------------------------------------------------------------------

    def _classify(
        self, result: PlanDiff, stored: StoredMeasure, area: ParsedArea, measure: ParsedMeasure
    ) -> None:
        fields = []
        if stored.title != measure.title:
            fields.append("title")
        if stored.text != measure.text:
            fields.append("text")
        if stored.no != measure.no or stored.area_no != area.no:
            fields.append("no")
        if stored.fingerprint != self._fingerprint(measure):
            fields.append("details")
        if fields:
            result.changed.append(MeasureChange(stored, measure, area, fields))
        else:
            result.unchanged.append((stored, measure))

    def _stored_measures(self, plan_id: str) -> list[StoredMeasure]:
        rows = self.db.execute(
            "SELECT m.id, m.area_id, a.no, a.title, m.no, m.title, m.text FROM measures m"
            " LEFT JOIN areas a ON a.id = m.area_id"
            " WHERE m.plan_id = ? AND m.deleted = 0 ORDER BY m.position",
            [plan_id],
        ).fetchall()
        details = self._stored_details([row[0] for row in rows])
        return [
            StoredMeasure(
                id=row[0],
                area_id=row[1],
                area_no=row[2],
                area_title=row[3] or "",
                no=row[4],
                title=row[5],
                text=row[6],
                fingerprint=details.get(row[0], ((), (), ())),
            )
            for row in rows
        ]

    def _stored_details(self, measure_ids: list[str]) -> dict[str, tuple]:
        if not measure_ids:
            return {}
        wanted = set(measure_ids)
        roles: dict[str, list[tuple[str, str]]] = {}
        for measure_id, department_id, role in self.db.execute(
            "SELECT measure_id, department_id, role FROM assignments WHERE deleted = 0"
        ):
            if measure_id in wanted:
                roles.setdefault(measure_id, []).append((role, department_id))
        deadlines: dict[str, list[tuple]] = {}
        for measure_id, raw, due, kind in self.db.execute(
            "SELECT measure_id, raw, due, kind FROM milestones WHERE deleted = 0 ORDER BY rowid"
        ):
            if measure_id in wanted:
                deadlines.setdefault(measure_id, []).append((raw, due or "", kind))
        targets: dict[str, list[tuple]] = {}
        for measure_id, raw, op, value, unit in self.db.execute(
            "SELECT measure_id, raw, op, value, unit FROM targets WHERE deleted = 0 ORDER BY rowid"
        ):
            if measure_id in wanted:
                targets.setdefault(measure_id, []).append((raw, op, value, unit))
        return {
            measure_id: (
                tuple(sorted(set(roles.get(measure_id, [])))),
                tuple(sorted(deadlines.get(measure_id, []))),
                tuple(sorted(targets.get(measure_id, []))),
            )
            for measure_id in measure_ids
        }

    def _known_departments(self) -> dict[str, str]:
        """Every live department name and alias → department id."""
        known: dict[str, str] = {}
        for department_id, name in self.db.execute(
            "SELECT id, name FROM departments WHERE deleted = 0"
        ):
            known.setdefault(name, department_id)
        for department_id, alias in self.db.execute(
            "SELECT department_id, alias FROM department_aliases WHERE deleted = 0"
        ):
            known.setdefault(alias, department_id)
        return known

    def _fingerprint(self, measure: ParsedMeasure) -> tuple:
        """Departments (as ids where known), deadlines and targets, comparable with stored."""
        return (
            tuple(
                sorted(
                    {
                        (ref.role, self._known.get(ref.name, f"new:{ref.name}"))
                        for ref in measure.departments
                    }
                )
            ),
            tuple(
                sorted(
                    (d.raw, d.due.isoformat() if d.due else "", d.kind) for d in measure.deadlines
                )
            ),
            tuple(sorted((t.raw, t.op, t.value, t.unit) for t in measure.targets)),
        )

    def _ensure_departments(self, entries: list[DepartmentEntry]) -> dict[str, str]:
        """Canonical name (and every alias) → department id, creating what is missing."""
        known = self._known_departments()
        result: dict[str, str] = {}
        for entry in entries:
            names = [entry.name, *entry.aliases]
            department_id = next((known[n] for n in names if n in known), None)
            if department_id is None:
                department_id = self.repo.insert(
                    "departments", {"name": entry.name, "is_group": int(entry.is_group)}
                )
                known[entry.name] = department_id
            for alias in entry.aliases:
                if alias not in known:
                    self.repo.insert(
                        "department_aliases", {"department_id": department_id, "alias": alias}
                    )
                    known[alias] = department_id
            for name in names:
                result[name] = department_id
        return result

    def _ensure_areas(self, plan_id: str, areas: list[ParsedArea]) -> dict[int, str]:
        existing = {
            (no, title): area_id
            for area_id, no, title in self.db.execute(
                "SELECT id, no, title FROM areas WHERE plan_id = ? AND deleted = 0", [plan_id]
            )
        }
        by_no = {no: area_id for (no, _title), area_id in existing.items()}
        result: dict[int, str] = {}
        for position, area in enumerate(areas, start=1):
            values = {"plan_id": plan_id, "no": area.no, "title": area.title, "position": position}
            area_id = existing.get((area.no, area.title)) or by_no.get(area.no)
            if area_id is None:
                area_id = self.repo.insert("areas", values)
            else:
                self.repo.update("areas", area_id, values)
            result[area.no] = area_id
        return result

    def _retire_empty_areas(self, plan_id: str) -> None:
        for (area_id,) in self.db.execute(
            "SELECT a.id FROM areas a WHERE a.plan_id = ? AND a.deleted = 0 AND NOT EXISTS"
            " (SELECT 1 FROM measures m WHERE m.area_id = a.id AND m.deleted = 0)",
            [plan_id],
        ).fetchall():
            self.repo.delete("areas", area_id)

    @staticmethod
    def _measure_values(
        plan_id: str, area_id: str, measure: ParsedMeasure, positions: dict[int, int]
    ) -> dict[str, Any]:
        return {
            "plan_id": plan_id,
            "area_id": area_id,
            "no": measure.no,
            "title": measure.title,
            "text": measure.text,
            "position": positions[id(measure)],
        }

    def _insert_children(
        self, measure_id: str, measure: ParsedMeasure, departments: dict[str, str]
    ) -> None:
        offset = measure.text_start
        for position, ref in enumerate(measure.departments):
            span = _relative(ref.span, offset)
            self.repo.insert(
                "assignments",
                {
                    "measure_id": measure_id,
                    "department_id": departments[ref.name],
                    "role": ref.role,
                    "raw_name": ref.raw or ref.name,
                    "span_start": span[0],
                    "span_end": span[1],
                    "position": position,
                },
            )
        for deadline in measure.deadlines:
            span = _relative(deadline.span, offset)
            self.repo.insert(
                "milestones",
                {
                    "measure_id": measure_id,
                    "raw": deadline.raw,
                    "due": deadline.due.isoformat() if deadline.due else None,
                    "kind": deadline.kind,
                    "span_start": span[0],
                    "span_end": span[1],
                },
            )
        for target in measure.targets:
            span = _relative(target.span, offset)
            self.repo.insert(
                "targets",
                {
                    "measure_id": measure_id,
                    "raw": target.raw,
                    "metric": target.metric,
                    "op": target.op,
                    "value": target.value,
                    "unit": target.unit,
                    "span_start": span[0],
                    "span_end": span[1],
                },
            )

    def _replace_children(
        self, measure_id: str, measure: ParsedMeasure, departments: dict[str, str]
    ) -> None:
        for table in _MEASURE_CHILDREN:
            for (row_id,) in self.db.execute(
                f"SELECT id FROM {table} WHERE measure_id = ? AND deleted = 0", [measure_id]
            ).fetchall():
                self.repo.delete(table, row_id)
        self._insert_children(measure_id, measure, departments)


def _relative(span: tuple[int, int] | None, offset: int) -> tuple[int | None, int | None]:
    if span is None:
        return (None, None)
    return (max(0, span[0] - offset), max(0, span[1] - offset))


def _similar(old: str, new: str) -> bool:
    """Texts close enough to be two versions of one measure."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return matcher.quick_ratio() >= SIMILARITY and matcher.ratio() >= SIMILARITY
