"""明察暗访 records: an inspection of a measure and the problems it found, until rectified.

This is the ledger's side of inspections: what the 工作台账 needs to filter measures with open
findings and to show them in a measure's detail. A finding is open from the day it was found
until the day the office confirms it rectified (整改完成); past its 整改期限 it is 逾期未整改.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.domain.ledger import FindingState, InspectionKind
from app.storage import WriteError

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.storage import Repository

# "Open at the as-of date", in SQL over a findings row ``f`` (used by the ledger filter too).
OPEN_FINDING_SQL = (
    "f.deleted = 0 AND f.found_on <= :as_of AND (f.rectified_on IS NULL OR f.rectified_on > :as_of)"
)


@dataclass(frozen=True)
class FindingDraft:
    """A problem as the inspector writes it down."""

    description: str
    department_id: str | None = None
    rectify_by: date | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    description: str
    department: str
    found_on: date
    rectify_by: date | None
    rectified_on: date | None
    state: FindingState


@dataclass(frozen=True)
class InspectionEntry:
    id: str
    kind: InspectionKind
    checked_on: date
    inspector: str
    place: str
    summary: str
    findings: tuple[Finding, ...]


def read_inspections(db: Database, measure_id: str, *, as_of: date) -> list[InspectionEntry]:
    """The measure's inspections up to ``as_of``, newest first, with their findings."""
    findings: dict[str, list[Finding]] = {}
    for row_id, inspection_id, description, department, found, due, done in db.execute(
        "SELECT f.id, f.inspection_id, f.description, COALESCE(d.name, ''), f.found_on,"
        " f.rectify_by, f.rectified_on FROM findings f"
        " LEFT JOIN departments d ON d.id = f.department_id"
        " WHERE f.measure_id = ? AND f.deleted = 0 AND f.found_on <= ? ORDER BY f.rowid",
        [measure_id, as_of.isoformat()],
    ):
        rectify_by = date.fromisoformat(due) if due else None
        rectified_on = date.fromisoformat(done) if done else None
        findings.setdefault(inspection_id, []).append(
            Finding(
                row_id,
                description,
                department,
                date.fromisoformat(found),
                rectify_by,
                rectified_on,
                finding_state(rectify_by, rectified_on, as_of),
            )
        )
    return [
        InspectionEntry(
            row_id,
            InspectionKind(kind),
            date.fromisoformat(checked_on),
            inspector,
            place,
            summary,
            tuple(findings.get(row_id, ())),
        )
        for row_id, kind, checked_on, inspector, place, summary in db.execute(
            "SELECT id, kind, checked_on, inspector, place, summary FROM inspections"
            " WHERE measure_id = ? AND deleted = 0 AND checked_on <= ?"
            " ORDER BY checked_on DESC, rowid DESC",
            [measure_id, as_of.isoformat()],
        )
    ]


def finding_state(rectify_by: date | None, rectified_on: date | None, as_of: date) -> FindingState:
    if rectified_on is not None and rectified_on <= as_of:
        return FindingState.RECTIFIED
    if rectify_by is not None and rectify_by < as_of:
        return FindingState.OVERDUE
    return FindingState.OPEN


class Inspections:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db

    # ---- Writing ----------------------------------------------------------------------------

    def record(
        self,
        measure_id: str,
        *,
        kind: InspectionKind,
        checked_on: date,
        inspector: str,
        place: str = "",
        summary: str = "",
        findings: Sequence[FindingDraft] = (),
        today: date | None = None,
    ) -> str:
        """Record an inspection and its findings in one transaction; returns its id.

        Everything is checked first (``check``): a refused record writes nothing."""
        self.check(
            measure_id, checked_on=checked_on, inspector=inspector, findings=findings, today=today
        )
        with self.repo.transaction():
            inspection_id = self.repo.insert(
                "inspections",
                {
                    "measure_id": measure_id,
                    "kind": InspectionKind(kind).value,
                    "checked_on": checked_on.isoformat(),
                    "inspector": inspector.strip(),
                    "place": place.strip(),
                    "summary": summary.strip(),
                },
            )
            self.repo.insert_many(
                "findings",
                [
                    {
                        "inspection_id": inspection_id,
                        "measure_id": measure_id,
                        "department_id": draft.department_id,
                        "description": draft.description.strip(),
                        "found_on": checked_on.isoformat(),
                        "rectify_by": draft.rectify_by.isoformat() if draft.rectify_by else None,
                        "rectified_on": None,
                    }
                    for draft in findings
                ],
            )
        return inspection_id

    def check(
        self,
        measure_id: str,
        *,
        checked_on: date,
        inspector: str,
        findings: Sequence[FindingDraft] = (),
        today: date | None = None,
    ) -> None:
        """Raise WriteError with the first reason ``record`` would refuse this; writes nothing."""
        self._check_measure(measure_id)
        if checked_on > (today or date.today()):
            raise WriteError("检查日期不能晚于今天。")
        if not inspector.strip():
            raise WriteError("请填写检查人。")
        departments = self._departments_of(measure_id)
        for number, draft in enumerate(findings, start=1):
            if not draft.description.strip():
                raise WriteError(f"第 {number} 个问题没有填写问题描述。")
            if draft.rectify_by is not None and draft.rectify_by < checked_on:
                raise WriteError(f"第 {number} 个问题的整改期限早于检查日期。")
            if draft.department_id is not None and draft.department_id not in departments:
                raise WriteError(f"第 {number} 个问题的责任部门不是这项措施的责任部门。")

    def rectify(self, finding_id: str, on: date, *, today: date | None = None) -> None:
        """The office confirms the problem rectified on ``on``."""
        finding = self._finding(finding_id)
        if on > (today or date.today()):
            raise WriteError("整改完成日期不能晚于今天。")
        if on < date.fromisoformat(finding["found_on"]):
            raise WriteError("整改完成日期不能早于发现问题的日期。")
        self.repo.update("findings", finding_id, {"rectified_on": on.isoformat()})

    def reopen(self, finding_id: str) -> None:
        """Undo a confirmation: the problem counts as open again."""
        self._finding(finding_id)
        self.repo.update("findings", finding_id, {"rectified_on": None})

    # ---- Reading ----------------------------------------------------------------------------

    def for_measure(self, measure_id: str, *, as_of: date) -> list[InspectionEntry]:
        """The measure's inspections up to ``as_of``, newest first, with their findings."""
        return read_inspections(self.db, measure_id, as_of=as_of)

    def open_by_measure(self, *, as_of: date) -> dict[str, int]:
        """measure id → how many of its findings are open at ``as_of`` (only those with any)."""
        return dict(
            self.db.execute(
                f"SELECT f.measure_id, COUNT(*) FROM findings f WHERE {OPEN_FINDING_SQL}"
                " GROUP BY f.measure_id",
                {"as_of": as_of.isoformat()},
            ).fetchall()
        )

    def open_count(self, *, as_of: date) -> int:
        """How many findings are open at ``as_of``, across the ledger."""
        return sum(self.open_by_measure(as_of=as_of).values())

    def last_inspector(self) -> str:
        """Who recorded the latest inspection in this database: the usual default."""
        row = self.db.execute(
            "SELECT inspector FROM inspections WHERE deleted = 0 ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else ""

    def departments(self, measure_id: str) -> list[tuple[str, str]]:
        """(id, name) of the departments a finding on this measure can be assigned to."""
        return list(
            self.db.execute(
                "SELECT d.id, d.name FROM assignments s JOIN departments d"
                " ON d.id = s.department_id WHERE s.measure_id = ? AND s.deleted = 0"
                " GROUP BY d.id ORDER BY MIN(CASE s.role WHEN 'lead' THEN 0"
                " WHEN 'responsible' THEN 1 ELSE 2 END), MIN(s.position)",
                [measure_id],
            )
        )

    # ---- Internals ----------------------------------------------------------------------------

    def _check_measure(self, measure_id: str) -> None:
        measure = self.repo.get("measures", measure_id)
        if measure is None or measure["deleted"]:
            raise WriteError("该措施不存在或已删除。")

    def _departments_of(self, measure_id: str) -> set[str]:
        return {department_id for department_id, _name in self.departments(measure_id)}

    def _finding(self, finding_id: str) -> dict:
        finding = self.repo.get("findings", finding_id)
        if finding is None or finding["deleted"]:
            raise WriteError("该问题不存在或已删除。")
        return finding
