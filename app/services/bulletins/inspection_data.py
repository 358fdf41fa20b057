"""The data of a 明察暗访情况通报, and of the 表扬 / 批评 通报 drawn from the 红黑榜.

``inspection_context`` gathers one 督查方案's records (or a period's): what was checked, the
problems by department with their measures, good practice, the 整改要求 and the ranking. Every
read goes through the 暗访 rule (app/services/visibility.py): a drafter sees only the records the
current user may see, so a covert record they may not see leaves no trace in their draft (not in
a count either). The records a draft drew on are returned as its ``cited`` records: issuing the
bulletin discloses the 暗访 ones (``Inspections.disclose``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.collation import collated, sort_key
from app.domain.inspection import Severity
from app.domain.ledger import InspectionKind
from app.services.bulletins.common import (
    clause,
    day_text,
    measure_number,
    month_start,
    number_text,
    period_label,
)
from app.services.bulletins.model import BulletinError, DraftRequest
from app.services.inspection_plans import InspectionPlans
from app.services.scores import DepartmentScore, Ranking, Scores
from app.services.visibility import inspection_visible, viewer_of

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.storage import Repository

REPORT_WORKDAYS = 5  # a criticised department reports its 整改 within this many working days
RANKED = 5  # departments on each of the 红榜 and the 黑榜
GOOD_ITEMS = 10  # 符合 items quoted as good practice


def inspection_context(repo: Repository, request: DraftRequest) -> tuple[dict[str, Any], list[str]]:
    """The template's data and the ids of the records it cites."""
    db = repo.db
    plan = _plan(repo, request.plan_name) if request.plan_name else None
    if plan is not None:
        starts_on, ends_on = plan.starts_on, plan.ends_on
        where, params = "i.inspection_plan_id = :plan_id", {"plan_id": plan.id}
    else:
        starts_on = request.starts_on or month_start(request.as_of)
        ends_on = request.ends_on or request.as_of
        if ends_on < starts_on:
            raise BulletinError("统计期间的结束日期早于开始日期，请改正。")
        where = "i.checked_on >= :start AND i.checked_on <= :end"
        params = {"start": starts_on.isoformat(), "end": ends_on.isoformat()}
    records = _records(db, where, params)
    hidden = _hidden_records(db, where, params)
    if plan is not None and records:
        starts_on = starts_on or min(r["checked_on"] for r in records)
        ends_on = ends_on or max(r["checked_on"] for r in records)
    if starts_on is None or ends_on is None:
        starts_on = ends_on = request.as_of
    as_of = request.as_of
    findings = _findings(db, where, params, as_of)
    by_record: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        by_record[finding["record"]].append(finding)
    kinds = {record["kind_code"] for record in records}
    methods = _distinct(
        [record["method"] for record in records] + list(plan.methods if plan else ())
    )
    sites = _distinct([record["place"] for record in records] + list(plan.sites if plan else ()))
    departments = _distinct([record["department"] for record in records if record["department"]])
    good = [r for r in records if not by_record.get(r["id"])]
    for record in records:
        record["findings"] = len(by_record.get(record["id"], ()))
    open_findings = [f for f in findings if not f["rectified"]]
    context = {
        "as_of": day_text(as_of),
        "period": {
            "from": day_text(starts_on),
            "to": day_text(ends_on),
            "label": period_label(starts_on, ends_on),
        },
        "inspection_plan": _plan_data(plan) if plan else None,
        "modes": _modes(kinds),
        "methods": methods,
        "sites": sites,
        "departments": departments,
        "records": [_public(record) for record in records],
        "totals": {
            "records": len(records),
            "departments": len(departments),
            "sites": len(sites),
            "findings": len(findings),
            "open": len(open_findings),
            "rectified": len(findings) - len(open_findings),
            "overdue": sum(f["overdue"] for f in findings),
            "serious": sum(f["severity_code"] == Severity.SERIOUS for f in findings),
            "major": sum(f["severity_code"] == Severity.MAJOR for f in findings),
            "minor": sum(f["severity_code"] == Severity.MINOR for f in findings),
            "severity_text": _severity_text(findings),
            "covert_records": sum(r["kind_code"] == InspectionKind.COVERT for r in records),
            # 暗访 records of the period the current user may not see (not counted anywhere)
            "hidden_records": hidden,
            "open_records": sum(r["kind_code"] == InspectionKind.OPEN for r in records),
        },
        "categories": _categories(findings),
        "problem_departments": _by_department(findings),
        "good": [_good(record) for record in good],
        "good_departments": _distinct([r["department"] for r in good if r["department"]]),
        "good_items": _good_items(db, where, params),
        "requirements": _requirements(open_findings),
        "problems": [
            {**_finding_data(finding), "number": index}
            for index, finding in enumerate(_problem_order(findings), start=1)
        ],
        "report_by": day_text(
            max((f["due_day"] for f in open_findings if f["due_day"]), default=None)
        ),
        # The 红黑榜 scores a period (all its findings), not one plan's records: a bulletin on
        # one 督查方案 leaves it out rather than rank departments on findings it does not list.
        "ranking": ranking_data(
            Scores(repo).ranking(starts_on, ends_on, as_of=max(as_of, starts_on))
        )
        if plan is None
        else {"base": "", "red": [], "black": [], "rows": []},
    }
    return context, [record["id"] for record in records]


def ranking_context(
    repo: Repository, calendar: WorkCalendar, request: DraftRequest
) -> dict[str, Any]:
    """The data of a 表扬 / 批评 通报: the period's 红黑榜."""
    starts_on = request.starts_on or month_start(request.as_of)
    ends_on = request.ends_on or request.as_of
    if ends_on < starts_on:
        raise BulletinError("统计期间的结束日期早于开始日期，请改正。")
    ranking = Scores(repo).ranking(starts_on, ends_on, as_of=max(request.as_of, starts_on))
    return {
        "as_of": day_text(request.as_of),
        "period": {
            "from": day_text(starts_on),
            "to": day_text(ends_on),
            "label": period_label(starts_on, ends_on),
        },
        "report_by": day_text(calendar.add_workdays(request.as_of, REPORT_WORKDAYS)),
        "ranking": ranking_data(ranking),
    }


def ranking_data(ranking: Ranking) -> dict[str, Any]:
    """红榜: inspected departments that lost no points, best first; 黑榜: those that lost
    points, worst first; at most ``RANKED`` each (ties at the edge included)."""
    inspected = [row for row in ranking.rows if row.inspected]
    red = _with_ties([row for row in inspected if row.score >= ranking.base], RANKED)
    black = _with_ties([row for row in reversed(ranking.rows) if row.score < ranking.base], RANKED)
    return {
        "base": number_text(ranking.base),
        "red": [_score(row) for row in red],
        "black": [_score(row) for row in black],
        "rows": [_score(row) for row in inspected],
    }


def _with_ties(rows: list[DepartmentScore], count: int) -> list[DepartmentScore]:
    if len(rows) <= count:
        return rows
    edge = rows[count - 1].score
    return [row for index, row in enumerate(rows) if index < count or row.score == edge]


def _score(row: DepartmentScore) -> dict[str, Any]:
    return {
        "rank": row.rank,
        "name": row.department,
        "score": number_text(row.score),
        "findings": row.findings,
        "on_time": row.on_time,
        "overdue": row.overdue,
        "inspections": row.inspections,
        "text": f"{row.department}（{number_text(row.score)}分）",
    }


def _plan(repo: Repository, name: str) -> Any:
    cleaned = name.strip()
    for plan in InspectionPlans(repo).list():  # only plans the current user may see
        if plan.name == cleaned:
            return plan
    raise BulletinError(f"没有名为“{cleaned}”的督查方案（或您无权查看），请核对名称。")


def _plan_data(plan: Any) -> dict[str, Any]:
    return {
        "name": plan.name,
        "mode": plan.mode.label,
        "from": day_text(plan.starts_on),
        "to": day_text(plan.ends_on),
        "methods": list(plan.methods),
        "sites": list(plan.sites),
        "conclusion": plan.conclusion,
    }


def _modes(kinds: set[str]) -> str:
    if kinds == {InspectionKind.OPEN.value}:
        return "明查"
    if kinds == {InspectionKind.COVERT.value}:
        return "暗访"
    return "明察暗访"


def _distinct(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        if name and name.strip():
            seen.setdefault(name.strip())
    return list(seen)


_RECORD_DEPARTMENT = (
    "COALESCE(i.department_id, (SELECT s.department_id FROM assignments s"
    " WHERE s.measure_id = i.measure_id AND s.deleted = 0 AND s.role = 'lead'"
    " ORDER BY s.position, s.rowid LIMIT 1))"
)


def _records(db: Any, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT i.id, i.kind, i.checked_on, i.place, i.method, i.summary, m.title, a.no, m.no,"
        f" (SELECT name FROM departments WHERE id = {_RECORD_DEPARTMENT})"
        " FROM inspections i JOIN measures m ON m.id = i.measure_id"
        " LEFT JOIN areas a ON a.id = m.area_id"
        f" WHERE i.deleted = 0 AND i.state = 'final' AND {where} AND {inspection_visible('i')}"
        " ORDER BY i.checked_on, i.rowid",
        {**params, **viewer_of(db).params()},
    ).fetchall()
    return [
        {
            "id": row[0],
            "kind_code": row[1],
            "kind": InspectionKind(row[1]).label,
            "checked_on": date.fromisoformat(row[2]),
            "date": day_text(date.fromisoformat(row[2])),
            "place": row[3] or "",
            "method": row[4] or "",
            "summary": clause(row[5] or ""),
            "measure": row[6] or "",
            "number": measure_number(row[7], row[8]),
            "department": row[9] or "",
        }
        for row in rows
    ]


def _hidden_records(db: Any, where: str, params: dict[str, Any]) -> int:
    """Finished records of the period that the 暗访 rule hides from the current user."""
    return db.execute(
        "SELECT COUNT(*) FROM inspections i"
        f" WHERE i.deleted = 0 AND i.state = 'final' AND {where}"
        f" AND NOT ({inspection_visible('i')})",
        {**params, **viewer_of(db).params()},
    ).fetchone()[0]


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value for key, value in record.items() if key not in ("id", "kind_code", "checked_on")
    }


def _good(record: dict[str, Any]) -> dict[str, Any]:
    where = "、".join(part for part in (record["place"], record["method"]) if part)
    text = f"{record['department'] or record['measure']}"
    if where:
        text += f"（{where}）"
    return {**_public(record), "text": text}


def _findings(db: Any, where: str, params: dict[str, Any], as_of: date) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT f.id, f.inspection_id, f.description, f.category, f.severity, f.found_on,"
        " f.rectify_by, f.rectified_on, COALESCE(d.name, ''), m.title, a.no, m.no, i.kind"
        " FROM findings f JOIN inspections i ON i.id = f.inspection_id"
        " JOIN measures m ON m.id = f.measure_id LEFT JOIN areas a ON a.id = m.area_id"
        " LEFT JOIN departments d ON d.id = f.department_id"
        f" WHERE f.deleted = 0 AND i.deleted = 0 AND i.state = 'final' AND {where}"
        f" AND {inspection_visible('i')} ORDER BY f.found_on, f.rowid",
        {**params, **viewer_of(db).params()},
    ).fetchall()
    result = []
    for row in rows:
        due = date.fromisoformat(row[6]) if row[6] else None
        done = date.fromisoformat(row[7]) if row[7] else None
        rectified = done is not None and done <= as_of
        result.append(
            {
                "id": row[0],
                "record": row[1],
                "description": row[2],
                "category": row[3],
                "severity_code": row[4],
                "severity": Severity(row[4]).label,
                "found_on": day_text(date.fromisoformat(row[5])),
                "due_day": due,
                "due": day_text(due) or "尽快",
                "rectified": rectified,
                "rectified_on": day_text(done) if rectified else "",
                "overdue": not rectified and due is not None and due < as_of,
                "department": row[8] or "（未定责任单位）",
                "measure": row[9] or "",
                "number": measure_number(row[10], row[11]),
                "kind": InspectionKind(row[12]).label,
            }
        )
    return result


def _finding_data(finding: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": clause(finding["description"]),
        "description": finding["description"],
        "category": finding["category"],
        "severity": finding["severity"],
        "found_on": finding["found_on"],
        "due": finding["due"],
        "state": "已整改"
        if finding["rectified"]
        else "逾期未整改"
        if finding["overdue"]
        else "整改中",
        "rectified": finding["rectified"],
        "overdue": finding["overdue"],
        "department": finding["department"],
        "measure": finding["measure"],
        "measure_number": finding["number"],
        "kind": finding["kind"],
    }


def _problem_order(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The problem list: by department (pinyin), then as found."""
    return sorted(findings, key=lambda f: sort_key(f["department"]))


def _by_department(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        groups[finding["department"]].append(finding)
    names = collated(groups, key=lambda name: name)
    names.sort(key=lambda name: -len(groups[name]))
    result = []
    for name in names:
        members = groups[name]
        result.append(
            {
                "name": name,
                "count": len(members),
                "open": sum(not f["rectified"] for f in members),
                "findings": [_finding_data(f) for f in members],
                "measures": _distinct([f["measure"] for f in members]),
            }
        )
    return result


def _categories(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(f["category"] for f in findings)
    return [
        {"name": name, "count": count, "text": f"{name}{count}个"}
        for name, count in counts.most_common()
    ]


def _severity_text(findings: list[dict[str, Any]]) -> str:
    """严重问题1个、较重问题2个、一般问题3个 (only the levels found)."""
    counts = Counter(f["severity_code"] for f in findings)
    return "、".join(
        f"{level.label}问题{counts[level]}个"
        for level in (Severity.SERIOUS, Severity.MAJOR, Severity.MINOR)
        if counts[level]
    )


def _requirements(open_findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per department with open problems: how many and by when (its latest 整改期限)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in open_findings:
        groups[finding["department"]].append(finding)
    result = []
    for name in collated(groups, key=lambda name: name):
        members = groups[name]
        latest = max((f["due_day"] for f in members if f["due_day"]), default=None)
        result.append(
            {
                "name": name,
                "count": len(members),
                "overdue": sum(f["overdue"] for f in members),
                "due": day_text(latest) or "尽快",
                "text": f"{name}（{len(members)}个问题，{day_text(latest) or '尽快'}前）",
            }
        )
    return result


def _good_items(db: Any, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Checklist items answered 符合 (good practice), one per text, at most ``GOOD_ITEMS``."""
    rows = db.execute(
        "SELECT x.text, x.expected, i.place,"
        f" (SELECT name FROM departments WHERE id = {_RECORD_DEPARTMENT})"
        " FROM checklist_answers x JOIN inspections i ON i.id = x.inspection_id"
        f" WHERE x.deleted = 0 AND x.verdict = 'pass' AND i.deleted = 0 AND i.state = 'final'"
        f" AND {where} AND {inspection_visible('i')} ORDER BY i.checked_on, i.rowid, x.position",
        {**params, **viewer_of(db).params()},
    ).fetchall()
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for text, expected, place, department in rows:
        item = clause(text).removeprefix("是否").rstrip("？?")
        if not item or item in seen:
            continue
        seen.add(item)
        result.append(
            {
                "text": item,
                "expected": clause(expected or ""),
                "department": department or "",
                "place": place or "",
            }
        )
        if len(result) >= GOOD_ITEMS:
            break
    return result
