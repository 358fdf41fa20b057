"""The list of all inspection records (检查记录): one SQL statement per filter, rows streamed.

The records' twin of ``FindingList`` (app/services/finding_list.py), filtered by the same
``FindingFilter`` so that one filter bar narrows both lists alike: a record matches when its plan,
mode (明察/暗访), measure and date (``checked_on`` within ``found_from``–``found_to``) match, the
text is in its summary, place, inspectors, measure title or one of its findings,
its inspected department or one of its findings' responsible department is the filter's
department, and — when the filter asks about findings (category, stage, overdue) — at least one of
its findings matches those. The 暗访 visibility rule is in the SQL (app/services/visibility.py), so
a hidden record is neither listed nor counted.

Rows come newest first off the ``inspections_checked`` index; the finding counts of a record are
correlated lookups on ``findings_inspection``, computed only for the rows fetched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from app.domain.inspection import RecordState
from app.domain.ledger import InspectionKind
from app.services.finding_list import FindingFilter, _escape_like
from app.services.overdue import OVERDUE_FINDING_SQL
from app.services.visibility import Viewer, inspection_visible, viewer_of

if TYPE_CHECKING:
    from sqlite_utils import Database

NO_FILTER = FindingFilter()

SORTS = {
    "checked": "i.checked_on, i.rowid",
    "plan": "plan_name IS NULL, plan_name, i.checked_on, i.rowid",
    "measure": "a.position, m.position, i.checked_on, i.rowid",
    "department": "department, i.checked_on, i.rowid",
    "inspector": "i.inspector, i.checked_on, i.rowid",
    "open": "open_findings, i.checked_on, i.rowid",
}


@dataclass(frozen=True)
class RecordRow:
    id: str
    inspection_plan_id: str | None
    plan_name: str
    kind: InspectionKind
    checked_on: date
    measure_id: str
    measure_number: str
    measure_title: str
    department: str
    inspector: str
    place: str
    method: str
    state: RecordState
    findings: int
    open_findings: int
    overdue_findings: int

    COLUMNS = (
        "id",
        "inspection_plan_id",
        "plan_name",
        "kind",
        "checked_on",
        "measure_id",
        "area_no",
        "measure_no",
        "measure_title",
        "department",
        "inspector",
        "place",
        "method",
        "state",
        "findings",
        "open_findings",
        "overdue_findings",
    )

    @classmethod
    def from_sql(cls, row: tuple[Any, ...]) -> RecordRow:
        (
            row_id,
            plan_id,
            plan_name,
            kind,
            checked_on,
            measure_id,
            area_no,
            measure_no,
            title,
            department,
            inspector,
            place,
            method,
            state,
            findings,
            open_findings,
            overdue,
        ) = row
        return cls(
            row_id,
            plan_id,
            plan_name or "",
            _KINDS[kind],
            _date(checked_on),
            measure_id,
            measure_number(area_no, measure_no),
            title or "",
            department or "",
            inspector or "",
            place or "",
            method or "",
            _STATES[state],
            findings,
            open_findings,
            overdue,
        )


def measure_number(area_no: int | None, measure_no: int | None) -> str:
    """The measure's number as the ledger shows it (3.2)."""
    if area_no is not None:
        return f"{area_no}.{measure_no}"
    return str(measure_no or "")


_KINDS = {kind.value: kind for kind in InspectionKind}
_STATES = {state.value: state for state in RecordState}


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    return date.fromisoformat(text)


@dataclass
class RecordsQuery:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


class RecordList:
    def __init__(self, db: Database) -> None:
        self.db = db

    def query(
        self,
        filter: FindingFilter = NO_FILTER,
        *,
        as_of: date,
        sort: str = "checked",
        descending: bool = True,
        viewer: Viewer | None = None,
    ) -> RecordsQuery:
        """``as_of`` decides which findings count as open and overdue; ``viewer`` defaults to
        the current user of the database."""
        params: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            **(viewer or viewer_of(self.db)).params(),
        }
        where = ["i.deleted = 0", inspection_visible("i")]
        if filter.inspection_plan_id:
            where.append("i.inspection_plan_id = :plan_id")
            params["plan_id"] = filter.inspection_plan_id
        if filter.kind:
            where.append("i.kind = :kind")
            params["kind"] = InspectionKind(filter.kind).value
        if filter.measure_id:
            where.append("i.measure_id = :measure_id")
            params["measure_id"] = filter.measure_id
        if filter.inspection_id:
            where.append("i.id = :inspection_id")
            params["inspection_id"] = filter.inspection_id
        if filter.department_id:
            where.append(
                "(i.department_id = :department_id OR EXISTS (SELECT 1 FROM findings fd"
                " WHERE fd.inspection_id = i.id AND fd.deleted = 0"
                " AND fd.department_id = :department_id))"
            )
            params["department_id"] = filter.department_id
        if filter.found_from:
            where.append("i.checked_on >= :found_from")
            params["found_from"] = filter.found_from.isoformat()
        if filter.found_to:
            where.append("i.checked_on <= :found_to")
            params["found_to"] = filter.found_to.isoformat()
        if filter.text.strip():
            where.append(
                "(i.summary LIKE :text ESCAPE '\\' OR i.place LIKE :text ESCAPE '\\'"
                " OR i.inspector LIKE :text ESCAPE '\\' OR m.title LIKE :text ESCAPE '\\'"
                " OR EXISTS (SELECT 1 FROM findings ft WHERE ft.inspection_id = i.id"
                " AND ft.deleted = 0 AND (ft.description LIKE :text ESCAPE '\\'"
                " OR ft.rectification LIKE :text ESCAPE '\\')))"
            )
            params["text"] = "%" + _escape_like(filter.text.strip()) + "%"
        about_findings = ["f.inspection_id = i.id", "f.deleted = 0"]
        if filter.category:
            about_findings.append("f.category = :category")
            params["category"] = filter.category
        if filter.stages:
            keys = [f"stage{index}" for index in range(len(filter.stages))]
            about_findings.append(f"f.stage IN ({', '.join(':' + key for key in keys)})")
            params.update(zip(keys, sorted(s.value for s in filter.stages), strict=True))
        if filter.overdue_only:
            about_findings.append(OVERDUE_FINDING_SQL)
        if len(about_findings) > 2:
            where.append(f"EXISTS (SELECT 1 FROM findings f WHERE {' AND '.join(about_findings)})")
        order = SORTS.get(sort, SORTS["checked"])
        if descending:
            order = ", ".join(f"{part} DESC" for part in order.split(", "))
        open_sql = "f.found_on <= :as_of AND (f.rectified_on IS NULL OR f.rectified_on > :as_of)"
        counted = (
            "(SELECT COUNT(*) FROM findings f WHERE f.inspection_id = i.id AND f.deleted = 0{})"
        )
        sql = f"""
            SELECT i.id, i.inspection_plan_id,
                   (SELECT p.name FROM inspection_plans p WHERE p.id = i.inspection_plan_id)
                       AS plan_name,
                   i.kind, i.checked_on, i.measure_id, a.no, m.no, m.title,
                   d.name AS department, i.inspector, i.place, i.method, i.state,
                   {counted.format("")} AS findings,
                   {counted.format(" AND " + open_sql)} AS open_findings,
                   {counted.format(" AND " + OVERDUE_FINDING_SQL)} AS overdue_findings
            FROM inspections i
            LEFT JOIN measures m ON m.id = i.measure_id
            LEFT JOIN areas a ON a.id = m.area_id
            LEFT JOIN departments d ON d.id = i.department_id
            WHERE {" AND ".join(where)}
            ORDER BY {order}"""
        return RecordsQuery(sql, params)

    def cursor(self, query: RecordsQuery) -> sqlite3.Cursor:
        """A live cursor: rows are computed as they are fetched (for lazy item models)."""
        return self.db.conn.execute(query.sql, query.params)

    def rows(self, query: RecordsQuery) -> Iterator[RecordRow]:
        for row in self.cursor(query):
            yield RecordRow.from_sql(row)

    def records(
        self, filter: FindingFilter = NO_FILTER, *, as_of: date, **options: Any
    ) -> list[RecordRow]:
        return list(self.rows(self.query(filter, as_of=as_of, **options)))

    def count(self, query: RecordsQuery) -> dict[str, int]:
        return count_records(self.db.conn, query)

    def contains(self, query: RecordsQuery, inspection_id: str) -> bool:
        sql = f"SELECT 1 FROM ({query.sql}) WHERE id = :contains_id LIMIT 1"
        return (
            self.db.conn.execute(sql, {**query.params, "contains_id": inspection_id}).fetchone()
            is not None
        )


def count_records(connection: sqlite3.Connection, query: RecordsQuery) -> dict[str, int]:
    """How many records the query returns, how many are 暗访, and how many have open findings."""
    total, covert, with_open = connection.execute(
        f"SELECT COUNT(*), SUM(kind = 'covert'), SUM(open_findings > 0) FROM ({query.sql})",
        query.params,
    ).fetchone()
    return {"total": total or 0, "covert": covert or 0, "with_open": with_open or 0}


def count_records_in_file(path: str, query: RecordsQuery) -> dict[str, int]:
    """``count_records`` on a read-only connection of its own (for a worker thread)."""
    from app.storage.database import connect_read_only

    connection = connect_read_only(path)
    try:
        return count_records(connection, query)
    finally:
        connection.close()
