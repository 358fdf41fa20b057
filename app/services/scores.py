"""红黑榜: a score per department for a period, from its findings, and the ranking.

Every department starts from the ``base`` rule (100). Each finding found in the period costs the
points of its severity rule plus those of its category's rule (if any); 整改 on time (销号 by its
整改期限, or its 整改情况 reported by then: app/services/overdue.py) earns the ``on_time``
credit, 整改 late — or not done while its 整改期限 has passed at the as-of date — costs the
``overdue`` points. A finding never adds points: its total is capped at 0, so rectifying on
time can win back what the finding cost but never more. Rules are the ``score_rules`` rows
(editable, synced); everything is evaluated at ``as_of`` (the period's end by default). Only
findings the current user may see count (暗访 confidentiality): a bulletin that cites a ranking
is issued by someone who sees what it cites.

Ranked: highest score first; ties share a rank (1, 1, 3) and are listed in pinyin order
(fewest findings first). Departments taking part are those with
an assignment on a live measure (groups such as 各区（市） only when they have findings) and any
department with a finding in the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.collation import sort_key
from app.domain.inspection import Severity
from app.services.overdue import LATE_SQL, ON_TIME_SQL
from app.services.visibility import finding_visible, inspection_visible, viewer_of
from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository

RULE_KINDS = ("base", "severity", "category", "on_time", "overdue")
DEFAULT_BASE = 100.0


@dataclass(frozen=True)
class ScoreRule:
    id: str
    kind: str
    key: str
    points: float


@dataclass(frozen=True)
class DepartmentScore:
    department_id: str
    department: str
    score: float
    findings: int
    on_time: int
    overdue: int
    deducted: float  # points lost (<= 0)
    credited: float  # points won back by on-time 整改 (>= 0)
    by_severity: dict[str, int] = field(default_factory=dict)
    rank: int = 0
    inspections: int = 0  # records of the period that inspected it (its own or its measures')

    @property
    def inspected(self) -> bool:
        """Whether the period's inspections looked at it (a record or a finding)."""
        return bool(self.inspections or self.findings)


@dataclass(frozen=True)
class Ranking:
    starts_on: date
    ends_on: date
    as_of: date
    base: float
    rows: list[DepartmentScore]

    def red(self, count: int = 5) -> list[DepartmentScore]:
        """红榜: the best scores (departments that lost no points first)."""
        return self.rows[:count]

    def black(self, count: int = 5) -> list[DepartmentScore]:
        """黑榜: the worst scores, worst first — only departments that lost points."""
        return [row for row in reversed(self.rows) if row.score < self.base][:count]


class ScoreRules:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db

    def rules(self) -> list[ScoreRule]:
        return [
            ScoreRule(*row)
            for row in self.db.execute(
                "SELECT id, kind, key, points FROM score_rules WHERE deleted = 0 ORDER BY kind, key"
            )
        ]

    def set(self, kind: str, key: str, points: float) -> str:
        """Set the points of a rule (created if missing); returns its id."""
        if kind not in RULE_KINDS:
            raise WriteError(f"未知的计分规则类型：{kind}。")
        if kind == "severity":
            try:
                Severity(key)
            except ValueError:
                raise WriteError(
                    "严重程度应为 minor（一般）、major（较重）或 serious（严重）。"
                ) from None
        if kind in ("base", "on_time", "overdue"):
            key = ""
        if kind == "category" and not key.strip():
            raise WriteError("请指定问题类别。")
        if not isinstance(points, int | float) or points != points or abs(points) > 10000:
            raise WriteError("分值应为 -10000 到 10000 之间的数。")
        with self.repo.transaction():
            for rule in self.rules():
                if rule.kind == kind and rule.key == key.strip():
                    self.repo.update("score_rules", rule.id, {"points": float(points)})
                    return rule.id
            return self.repo.insert(
                "score_rules", {"kind": kind, "key": key.strip(), "points": float(points)}
            )

    def remove(self, rule_id: str) -> None:
        rule = self.repo.get("score_rules", rule_id)
        if rule is None or rule["deleted"]:
            raise WriteError("该计分规则不存在或已删除。")
        if rule["kind"] == "base":
            raise WriteError("基础分不能删除，可以修改分值。")
        self.repo.delete("score_rules", rule_id)


class Scores:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db
        self.rules = ScoreRules(repository)

    def ranking(self, starts_on: date, ends_on: date, *, as_of: date | None = None) -> Ranking:
        if ends_on < starts_on:
            raise WriteError("统计期间的结束日期早于开始日期。")
        as_of = as_of or ends_on
        base, severity, category, on_time_points, overdue_points = self._rules()
        params = {
            "start": starts_on.isoformat(),
            "end": ends_on.isoformat(),
            "as_of": as_of.isoformat(),
            **viewer_of(self.db).params(),
        }
        # One statement: the period's findings per department, grouped by what they score.
        groups = self.db.execute(
            f"""
            SELECT f.department_id, f.severity, f.category,
                   {ON_TIME_SQL} AS on_time,
                   {LATE_SQL} AS overdue,
                   COUNT(*)
            FROM findings f
            WHERE f.deleted = 0 AND f.department_id IS NOT NULL
              AND f.found_on >= :start AND f.found_on <= :end AND f.found_on <= :as_of
              AND {finding_visible("f")}
            GROUP BY 1, 2, 3, 4, 5
            """,
            params,
        ).fetchall()
        totals: dict[str, dict] = defaultdict(
            lambda: {
                "findings": 0,
                "on_time": 0,
                "overdue": 0,
                "deducted": 0.0,
                "credited": 0.0,
                "by_severity": defaultdict(int),
            }
        )
        for department_id, level, kind, on_time, overdue, count in groups:
            cost = severity.get(level, 0.0) + category.get(kind, 0.0)
            if overdue:
                cost += overdue_points
            credit = on_time_points if on_time else 0.0
            credit = max(0.0, min(credit, -cost))  # a finding never adds points
            entry = totals[department_id]
            entry["findings"] += count
            entry["on_time"] += count * bool(on_time)
            entry["overdue"] += count * bool(overdue)
            entry["deducted"] += count * min(cost, 0.0)
            entry["credited"] += count * credit
            entry["by_severity"][level] += count
        # Records of the period per inspected department: the record's own, else its
        # measure's lead (what a 红榜 can say was looked at and found in order).
        inspected = dict(
            self.db.execute(
                f"""
                SELECT COALESCE(i.department_id,
                           (SELECT s.department_id FROM assignments s
                            WHERE s.measure_id = i.measure_id AND s.deleted = 0
                              AND s.role = 'lead' ORDER BY s.position, s.rowid LIMIT 1)),
                       COUNT(*)
                FROM inspections i
                WHERE i.deleted = 0 AND i.checked_on >= :start AND i.checked_on <= :end
                  AND i.checked_on <= :as_of AND {inspection_visible("i")}
                GROUP BY 1
                """,
                params,
            ).fetchall()
        )
        names = {
            row_id: name
            for row_id, name in self.db.execute(
                "SELECT d.id, d.name FROM departments d WHERE d.deleted = 0 AND (d.is_group = 0"
                " AND EXISTS (SELECT 1 FROM assignments s JOIN measures m ON m.id = s.measure_id"
                " WHERE s.department_id = d.id AND s.deleted = 0 AND m.deleted = 0))"
            )
        }
        for department_id in totals:
            if department_id not in names:
                row = self.db.execute(
                    "SELECT name FROM departments WHERE id = ?", [department_id]
                ).fetchone()
                names[department_id] = row[0] if row else department_id
        rows = []
        for department_id, name in names.items():
            entry = totals.get(department_id)
            checked = inspected.get(department_id, 0)
            if entry is None:
                rows.append(
                    DepartmentScore(
                        department_id, name, base, 0, 0, 0, 0.0, 0.0, inspections=checked
                    )
                )
                continue
            score = base + entry["deducted"] + entry["credited"]
            rows.append(
                DepartmentScore(
                    department_id,
                    name,
                    round(score, 2),
                    entry["findings"],
                    entry["on_time"],
                    entry["overdue"],
                    round(entry["deducted"], 2),
                    round(entry["credited"], 2),
                    dict(entry["by_severity"]),
                    inspections=checked,
                )
            )
        rows.sort(key=lambda row: (-row.score, row.findings, sort_key(row.department)))
        ranked = []
        for index, row in enumerate(rows):
            rank = ranked[-1].rank if ranked and ranked[-1].score == row.score else index + 1
            ranked.append(_with_rank(row, rank))
        return Ranking(starts_on, ends_on, as_of, base, ranked)

    def _rules(self) -> tuple[float, dict[str, float], dict[str, float], float, float]:
        base = 0.0
        has_base = False
        severity: dict[str, float] = defaultdict(float)
        category: dict[str, float] = defaultdict(float)
        on_time = overdue = 0.0
        for rule in self.rules.rules():
            if rule.kind == "base":
                base += rule.points
                has_base = True
            elif rule.kind == "severity":
                severity[rule.key] += rule.points
            elif rule.kind == "category":
                category[rule.key] += rule.points
            elif rule.kind == "on_time":
                on_time += rule.points
            elif rule.kind == "overdue":
                overdue += rule.points
        return (base if has_base else DEFAULT_BASE), severity, category, on_time, overdue


def _with_rank(row: DepartmentScore, rank: int) -> DepartmentScore:
    from dataclasses import replace

    return replace(row, rank=rank)


@dataclass(frozen=True)
class _Reader:
    """What ``Scores`` reads through, for a connection that never writes."""

    db: Any


def ranking_in_file(
    path: str, starts_on: date, ends_on: date, *, as_of: date | None = None
) -> Ranking:
    """``Scores.ranking`` on a read-only connection of its own (for a worker thread: over
    300,000 findings it takes about a second)."""
    from sqlite_utils import Database

    from app.storage.database import connect_read_only

    connection = connect_read_only(path)
    try:
        reader = _Reader(Database(connection, execute_plugins=False))
        return Scores(reader).ranking(starts_on, ends_on, as_of=as_of)  # type: ignore[arg-type]
    finally:
        connection.close()
