"""Where every measure stands on an as-of date: status, traffic light, next due date.

Rules (issue 4):
- A milestone is done at the as-of date when its ``completed_on`` is on or before it; done after
  its due date is 逾期完成. An open dated milestone past its due date is 逾期.
- Recurring and ongoing milestones have no single due date: they never go red by calendar alone.
- A measure is done when all its milestones are (逾期完成 if any was late); a measure without
  milestones is done when its own ``completed_on`` is set. Otherwise 逾期 if any milestone is
  overdue, 推进中 once a progress report says work has started (or a milestone is done), else
  未开始.
- Light: red when overdue; yellow when an open milestone falls due within N working days, that
  is with at most N working days left after the as-of date up to its due date (chinese-calendar
  plus the office's holiday table): a deadline on the weekend or holiday right after the Nth
  working day is yellow like one on that working day; green otherwise.

Everything is computed in SQL so that filters run in the database and rows stream lazily.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from app.domain.ledger import Light, Status
from app.domain.workdays import WorkCalendar
from app.services.inspections import VISIBLE_OPEN_FINDING_SQL
from app.services.visibility import viewer_of

if TYPE_CHECKING:
    from sqlite_utils import Database

DEFAULT_SOON_DAYS = 5

# Per-measure milestone figures, as correlated subqueries on the (measure_id, due) index.
_OPEN = "(x.completed_on IS NULL OR x.completed_on > :as_of)"
_FIGURES = {
    "n_total": "COUNT(*)",
    "n_open": f"SUM({_OPEN})",
    "n_late": f"SUM(NOT {_OPEN} AND x.due IS NOT NULL AND x.completed_on > x.due)",
    "n_overdue": f"SUM(x.kind = 'date' AND x.due < :as_of AND {_OPEN})",
    "n_soon": f"SUM(x.kind = 'date' AND x.due >= :as_of AND x.due <= :soon AND {_OPEN})",
    "next_due": f"MIN(CASE WHEN {_OPEN} THEN x.due END)",
}
_STARTED = (
    "EXISTS (SELECT 1 FROM progress_reports r WHERE r.measure_id = m.id AND r.deleted = 0"
    " AND r.reported_on <= :as_of AND r.state IN ('in_progress', 'done'))"
)
_NAMES = (
    "(SELECT group_concat(name, '、') FROM (SELECT d.name FROM assignments s"
    " JOIN departments d ON d.id = s.department_id"
    " WHERE s.measure_id = m.id AND s.role = '{role}' AND s.deleted = 0 ORDER BY s.position))"
)
_STATUS = """CASE
    WHEN n_total > 0 AND n_open = 0 THEN CASE WHEN n_late > 0 THEN 'late_done' ELSE 'done' END
    WHEN n_total = 0 AND measure_done <= :as_of THEN 'done'
    WHEN n_overdue > 0 THEN 'overdue'
    WHEN started OR n_open < n_total THEN 'in_progress'
    ELSE 'not_started' END"""
_LIGHT = """CASE WHEN n_overdue > 0 THEN 'red' WHEN n_soon > 0 THEN 'yellow' ELSE 'green' END"""

SORT_COLUMNS = {
    "position": "plan_id, position",
    "area": "area_no, no, position",
    "no": "area_no, no, position",
    "title": "title, position",
    "lead": "lead, position",
    "status": "status, position",
    "light": "CASE light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, position",
    "next_due": "next_due IS NULL, next_due, position",
}


@dataclass(frozen=True)
class LedgerFilter:
    plan_id: str | None = None
    area_id: str | None = None
    department_id: str | None = None
    role: str | None = None  # with department_id: only this role
    statuses: frozenset[Status] = frozenset()
    lights: frozenset[Light] = frozenset()
    due_month: str | None = None  # "2021-06": a milestone falls due that month
    overdue_only: bool = False
    open_findings: bool = False  # an inspection found a problem not yet rectified
    text: str = ""


@dataclass(frozen=True)
class MeasureRow:
    id: str
    plan_id: str
    area_id: str | None
    area_no: int | None
    area_title: str
    no: int | None
    title: str
    lead: str
    responsible: str
    status: Status
    light: Light
    next_due: date | None
    overdue: int

    COLUMNS = (
        "id",
        "plan_id",
        "area_id",
        "area_no",
        "area_title",
        "no",
        "title",
        "lead",
        "responsible",
        "status",
        "light",
        "next_due",
        "overdue",
    )

    @classmethod
    def from_sql(cls, row: tuple[Any, ...]) -> MeasureRow:
        (
            row_id,
            plan_id,
            area_id,
            area_no,
            area_title,
            no,
            title,
            lead,
            responsible,
            status,
            light,
            next_due,
            overdue,
        ) = row
        return cls(
            row_id,
            plan_id,
            area_id,
            area_no,
            area_title or "",
            no,
            title,
            lead or "",
            responsible or "",
            _STATUSES[status],
            _LIGHTS[light],
            _date(next_due) if next_due else None,
            overdue,
        )


_STATUSES = {status.value: status for status in Status}
_LIGHTS = {light.value: light for light in Light}


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class MilestoneState:
    id: str
    raw: str
    due: date | None
    kind: str
    completed_on: date | None
    status: Status
    light: Light


@dataclass
class StatusQuery:
    """One ledger query: SQL and parameters, built from a filter, an as-of date and a sort."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)


class LedgerStatus:
    def __init__(self, db: Database, calendar: WorkCalendar | None = None) -> None:
        self.db = db
        self.calendar = calendar or WorkCalendar()

    # ---- Building queries -------------------------------------------------------------------

    def soon_limit(self, as_of: date, soon_days: int = DEFAULT_SOON_DAYS) -> date:
        return due_soon_limit(self.calendar, as_of, soon_days)

    def query(
        self,
        filter: LedgerFilter = LedgerFilter(),
        *,
        as_of: date,
        soon_days: int = DEFAULT_SOON_DAYS,
        sort: str = "position",
        descending: bool = False,
    ) -> StatusQuery:
        params: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            "soon": self.soon_limit(as_of, soon_days).isoformat(),
        }
        where = ["m.deleted = 0"]
        if filter.plan_id:
            where.append("m.plan_id = :plan_id")
            params["plan_id"] = filter.plan_id
        if filter.area_id:
            where.append("m.area_id = :area_id")
            params["area_id"] = filter.area_id
        if filter.department_id:
            role = " AND s.role = :role" if filter.role else ""
            where.append(
                "EXISTS (SELECT 1 FROM assignments s WHERE s.measure_id = m.id"
                f" AND s.department_id = :department_id AND s.deleted = 0{role})"
            )
            params["department_id"] = filter.department_id
            if filter.role:
                params["role"] = filter.role
        if filter.due_month:
            year, month = (int(part) for part in filter.due_month.split("-"))
            following = date(year + month // 12, month % 12 + 1, 1)
            where.append(
                "EXISTS (SELECT 1 FROM milestones x WHERE x.measure_id = m.id AND x.deleted = 0"
                " AND x.due >= :month_start AND x.due < :month_end)"
            )
            params["month_start"] = f"{year:04d}-{month:02d}-01"
            params["month_end"] = following.isoformat()
        if filter.open_findings:  # only findings the current user may see (暗访 confidentiality)
            where.append(
                "EXISTS (SELECT 1 FROM findings f"
                f" WHERE f.measure_id = m.id AND {VISIBLE_OPEN_FINDING_SQL})"
            )
            params.update(viewer_of(self.db).params())
        if filter.text.strip():
            where.append("(m.title LIKE :text ESCAPE '\\' OR m.text LIKE :text ESCAPE '\\')")
            params["text"] = "%" + _escape_like(filter.text.strip()) + "%"
        figures = ",\n".join(
            f"(SELECT {expression} FROM milestones x WHERE x.measure_id = m.id"
            f" AND x.deleted = 0) AS {name}"
            for name, expression in _FIGURES.items()
        )
        inner = f"""
            SELECT m.id, m.plan_id, m.area_id, a.no AS area_no, a.title AS area_title, m.no,
                   m.title, {_NAMES.format(role="lead")} AS lead,
                   {_NAMES.format(role="responsible")} AS responsible,
                   m.position, m.completed_on AS measure_done, {_STARTED} AS started,
                   {figures}
            FROM measures m LEFT JOIN areas a ON a.id = m.area_id
            WHERE {" AND ".join(where)}"""
        outer_where = []
        for name, chosen in (("status", filter.statuses), ("light", filter.lights)):
            if chosen:
                keys = [f"{name}{index}" for index in range(len(chosen))]
                outer_where.append(f"{name} IN ({', '.join(':' + key for key in keys)})")
                params.update(zip(keys, sorted(item.value for item in chosen), strict=True))
        if filter.overdue_only:
            outer_where.append("overdue > 0")
        order = SORT_COLUMNS.get(sort, SORT_COLUMNS["position"])
        if descending:
            order = ", ".join(f"{part} DESC" for part in order.split(", "))
        sql = f"""
            SELECT id, plan_id, area_id, area_no, area_title, no, title, lead, responsible,
                   status, light, next_due, overdue
            FROM (SELECT *, {_STATUS} AS status, {_LIGHT} AS light, n_overdue AS overdue
                  FROM ({inner}))
            {"WHERE " + " AND ".join(outer_where) if outer_where else ""}
            ORDER BY {order}"""
        return StatusQuery(sql, params)

    # ---- Running them -----------------------------------------------------------------------

    def cursor(self, query: StatusQuery) -> sqlite3.Cursor:
        """A live cursor: rows are computed as they are fetched (for lazy item models)."""
        return self.db.conn.execute(query.sql, query.params)

    def rows(self, query: StatusQuery) -> Iterator[MeasureRow]:
        for row in self.cursor(query):
            yield MeasureRow.from_sql(row)

    def contains(self, query: StatusQuery, measure_id: str) -> bool:
        """Whether the measure is one of the query's rows (SQLite pushes the id into the query,
        so the other rows are not computed)."""
        sql = f"SELECT 1 FROM ({query.sql}) WHERE id = :contains_id LIMIT 1"
        params = {**query.params, "contains_id": measure_id}
        return self.db.conn.execute(sql, params).fetchone() is not None

    def count(self, query: StatusQuery) -> dict[str, int]:
        """How many rows the query returns, in all and per light."""
        return count_rows(self.db.conn, query)

    def measures(
        self, filter: LedgerFilter = LedgerFilter(), *, as_of: date, soon_days: int = 5
    ) -> list[MeasureRow]:
        return list(self.rows(self.query(filter, as_of=as_of, soon_days=soon_days)))

    def overdue_milestones(self, *, as_of: date) -> dict[str, list[dict[str, str]]]:
        """measure id → its open dated milestones past due at ``as_of`` (raw phrase, due)."""
        result: dict[str, list[dict[str, str]]] = {}
        for measure_id, raw, due in self.db.execute(
            "SELECT measure_id, raw, due FROM milestones WHERE deleted = 0 AND kind = 'date'"
            " AND due < :as_of AND (completed_on IS NULL OR completed_on > :as_of)"
            " ORDER BY measure_id, due",
            {"as_of": as_of.isoformat()},
        ):
            result.setdefault(measure_id, []).append({"raw": raw, "due": due})
        return result

    def milestones(
        self, measure_id: str, *, as_of: date, soon_days: int = DEFAULT_SOON_DAYS
    ) -> list[MilestoneState]:
        soon = self.soon_limit(as_of, soon_days)
        result = []
        for row_id, raw, due, kind, completed, started in self.db.execute(
            "SELECT x.id, x.raw, x.due, x.kind, x.completed_on, EXISTS (SELECT 1 FROM"
            " progress_reports r WHERE r.measure_id = x.measure_id AND r.deleted = 0"
            " AND (r.milestone_id = x.id OR r.milestone_id IS NULL) AND r.reported_on <= ?"
            " AND r.state IN ('in_progress', 'done')) FROM milestones x"
            " WHERE x.measure_id = ? AND x.deleted = 0 ORDER BY x.due IS NULL, x.due, x.rowid",
            [as_of.isoformat(), measure_id],
        ):
            due_day = date.fromisoformat(due) if due else None
            done_day = date.fromisoformat(completed) if completed else None
            result.append(
                MilestoneState(
                    row_id,
                    raw,
                    due_day,
                    kind,
                    done_day,
                    *milestone_state(due_day, kind, done_day, as_of, soon, bool(started)),
                )
            )
        return result


def due_soon_limit(calendar: WorkCalendar, as_of: date, soon_days: int) -> date:
    """The last due date with at most ``soon_days`` working days left at ``as_of``: the day
    before the next working day after the ``soon_days``-th (so the weekend or holiday after it
    counts too: a Saturday deadline leaves no more working days than the Friday before)."""
    return calendar.add_workdays(as_of, soon_days + 1) - timedelta(days=1)


def count_rows(connection: sqlite3.Connection, query: StatusQuery) -> dict[str, int]:
    counts = {"total": 0, **{light.value: 0 for light in Light}}
    for light, number in connection.execute(
        f"SELECT light, COUNT(*) FROM ({query.sql}) GROUP BY light", query.params
    ):
        counts[light] = number
        counts["total"] += number
    return counts


def count_rows_in_file(path: str, query: StatusQuery) -> dict[str, int]:
    """``count_rows`` on a read-only connection of its own (for a worker thread)."""
    from app.storage.database import connect_read_only

    connection = connect_read_only(path)  # also in a read-only folder
    try:
        return count_rows(connection, query)
    finally:
        connection.close()


def milestone_state(
    due: date | None,
    kind: str,
    completed_on: date | None,
    as_of: date,
    soon: date,
    started: bool = False,
) -> tuple[Status, Light]:
    """The same rules as the SQL, for one milestone."""
    if completed_on is not None and completed_on <= as_of:
        late = due is not None and completed_on > due
        return (Status.LATE_DONE if late else Status.DONE), Light.GREEN
    if kind == "date" and due is not None and due < as_of:
        return Status.OVERDUE, Light.RED
    status = Status.IN_PROGRESS if started else Status.NOT_STARTED
    if kind == "date" and due is not None and due <= soon:
        return status, Light.YELLOW
    return status, Light.GREEN


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
