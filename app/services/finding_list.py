"""The list of all findings: one indexed SQL statement per filter, rows streamed as fetched.

Like ``LedgerStatus.query`` for measures: ``FindingList.query`` builds the SQL (filters by plan,
mode, department, category, stage, overdue at an as-of date, date range, text) with the 暗访
visibility rule in it, ``cursor`` runs it lazily, so a list of 300,000 findings paints its first
rows without reading the rest. "Overdue at as-of" is the rule of app/services/overdue.py: found by
then, not 销号 by then, its 整改期限 before it, and not reported in time (awaiting 复查).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from app.domain.inspection import FindingStage, Severity
from app.domain.ledger import InspectionKind
from app.services.overdue import OVERDUE_FINDING_SQL
from app.services.visibility import Viewer, finding_visible, viewer_of

if TYPE_CHECKING:
    from sqlite_utils import Database


SORTS = {
    "found": "f.found_on, f.rowid",
    "due": "f.rectify_by IS NULL, f.rectify_by, f.rowid",
    "department": "department, f.found_on, f.rowid",
    "stage": "CASE f.stage WHEN 'pending' THEN 0 WHEN 'rectifying' THEN 1"
    " WHEN 'awaiting_recheck' THEN 2 ELSE 3 END, f.found_on, f.rowid",
    "severity": "CASE f.severity WHEN 'serious' THEN 0 WHEN 'major' THEN 1 ELSE 2 END,"
    " f.found_on, f.rowid",
}


@dataclass(frozen=True)
class FindingFilter:
    inspection_plan_id: str | None = None
    kind: InspectionKind | None = None  # 明察 / 暗访
    department_id: str | None = None
    category: str | None = None
    stages: frozenset[FindingStage] = frozenset()
    overdue_only: bool = False  # overdue at the query's as-of date
    found_from: date | None = None
    found_to: date | None = None
    measure_id: str | None = None
    inspection_id: str | None = None
    text: str = ""


@dataclass(frozen=True)
class FindingRow:
    id: str
    inspection_id: str
    inspection_plan_id: str | None
    kind: InspectionKind
    measure_id: str
    measure_title: str
    department_id: str | None
    department: str
    description: str
    category: str
    severity: Severity
    found_on: date
    rectify_workdays: int | None
    rectify_by: date | None
    stage: FindingStage
    rectified_on: date | None
    overdue: bool

    @classmethod
    def from_sql(cls, row: tuple[Any, ...]) -> FindingRow:
        (
            row_id,
            inspection_id,
            plan_id,
            kind,
            measure_id,
            measure_title,
            department_id,
            department,
            description,
            category,
            severity,
            found_on,
            workdays,
            due,
            stage,
            rectified_on,
            overdue,
        ) = row
        return cls(
            row_id,
            inspection_id,
            plan_id,
            _KINDS[kind],
            measure_id,
            measure_title or "",
            department_id,
            department or "",
            description,
            category,
            _SEVERITIES[severity],
            _date(found_on),
            workdays,
            _date(due) if due else None,
            _STAGES[stage],
            _date(rectified_on) if rectified_on else None,
            bool(overdue),
        )


_KINDS = {kind.value: kind for kind in InspectionKind}
_SEVERITIES = {severity.value: severity for severity in Severity}
_STAGES = {stage.value: stage for stage in FindingStage}


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    return date.fromisoformat(text)


@dataclass
class FindingsQuery:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


class FindingList:
    def __init__(self, db: Database) -> None:
        self.db = db

    def query(
        self,
        filter: FindingFilter = FindingFilter(),
        *,
        as_of: date,
        sort: str = "found",
        descending: bool = True,
        viewer: Viewer | None = None,
    ) -> FindingsQuery:
        """``viewer`` defaults to the current user of the database."""
        params: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            **(viewer or viewer_of(self.db)).params(),
        }
        # The record is reached by correlated lookups, not a join: with ANALYZE statistics
        # SQLite would build a Bloom filter over every inspection before the first row.
        where = ["f.deleted = 0", finding_visible("f")]
        for column, value, name in (
            ("f.department_id", filter.department_id, "department_id"),
            ("f.category", filter.category, "category"),
            ("f.measure_id", filter.measure_id, "measure_id"),
            ("f.inspection_id", filter.inspection_id, "inspection_id"),
        ):
            if value:
                where.append(f"{column} = :{name}")
                params[name] = value
        if filter.inspection_plan_id:
            where.append(
                "f.inspection_id IN"
                " (SELECT id FROM inspections WHERE inspection_plan_id = :plan_id)"
            )
            params["plan_id"] = filter.inspection_plan_id
        if filter.kind:
            where.append("f.inspection_id IN (SELECT id FROM inspections WHERE kind = :kind)")
            params["kind"] = InspectionKind(filter.kind).value
        if filter.stages:
            keys = [f"stage{index}" for index in range(len(filter.stages))]
            where.append(f"f.stage IN ({', '.join(':' + key for key in keys)})")
            params.update(zip(keys, sorted(s.value for s in filter.stages), strict=True))
        if filter.overdue_only:
            where.append(OVERDUE_FINDING_SQL)
        if filter.found_from:
            where.append("f.found_on >= :found_from")
            params["found_from"] = filter.found_from.isoformat()
        if filter.found_to:
            where.append("f.found_on <= :found_to")
            params["found_to"] = filter.found_to.isoformat()
        if filter.text.strip():
            where.append(
                "(f.description LIKE :text ESCAPE '\\' OR f.rectification LIKE :text ESCAPE '\\')"
            )
            params["text"] = "%" + _escape_like(filter.text.strip()) + "%"
        order = SORTS.get(sort, SORTS["found"])
        if descending:
            order = ", ".join(f"{part} DESC" for part in order.split(", "))
        record = "(SELECT {column} FROM inspections r WHERE r.id = f.inspection_id)"
        sql = f"""
            SELECT f.id, f.inspection_id, {record.format(column="inspection_plan_id")},
                   {record.format(column="kind")}, f.measure_id, m.title, f.department_id,
                   d.name AS department, f.description, f.category, f.severity, f.found_on,
                   f.rectify_workdays, f.rectify_by, f.stage, f.rectified_on,
                   {OVERDUE_FINDING_SQL} AS overdue
            FROM findings f
            LEFT JOIN measures m ON m.id = f.measure_id
            LEFT JOIN departments d ON d.id = f.department_id
            WHERE {" AND ".join(where)}
            ORDER BY {order}"""
        return FindingsQuery(sql, params)

    def cursor(self, query: FindingsQuery) -> sqlite3.Cursor:
        """A live cursor: rows are computed as they are fetched (for lazy item models)."""
        return self.db.conn.execute(query.sql, query.params)

    def rows(self, query: FindingsQuery) -> Iterator[FindingRow]:
        for row in self.cursor(query):
            yield FindingRow.from_sql(row)

    def count(self, query: FindingsQuery) -> dict[str, int]:
        """How many rows the query returns, how many are overdue, and per stage."""
        return count_findings(self.db.conn, query)

    def contains(self, query: FindingsQuery, finding_id: str) -> bool:
        sql = f"SELECT 1 FROM ({query.sql}) WHERE id = :contains_id LIMIT 1"
        return (
            self.db.conn.execute(sql, {**query.params, "contains_id": finding_id}).fetchone()
            is not None
        )

    def findings(
        self, filter: FindingFilter = FindingFilter(), *, as_of: date, **options: Any
    ) -> list[FindingRow]:
        return list(self.rows(self.query(filter, as_of=as_of, **options)))


def count_findings(connection: sqlite3.Connection, query: FindingsQuery) -> dict[str, int]:
    counts = {"total": 0, "overdue": 0, **{stage.value: 0 for stage in FindingStage}}
    for stage, number, overdue in connection.execute(
        f"SELECT stage, COUNT(*), SUM(overdue) FROM ({query.sql}) GROUP BY stage", query.params
    ):
        counts[stage] = number
        counts["total"] += number
        counts["overdue"] += overdue or 0
    return counts


def count_findings_in_file(path: str, query: FindingsQuery) -> dict[str, int]:
    """``count_findings`` on a read-only connection of its own (for a worker thread)."""
    from app.storage.database import connect_read_only

    connection = connect_read_only(path)
    try:
        return count_findings(connection, query)
    finally:
        connection.close()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
