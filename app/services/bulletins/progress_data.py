"""The data of a 调度情况通报: where the plan stands at a date, and how a round was answered.

``progress_context`` returns plain data (dicts, lists, text, numbers) for the template: the
names are documented in docs/gongwen.md ("模板中可用的数据"). Everything is read as of
``request.as_of`` with the office's working-day calendar; statuses and lights are those of the
ledger (app/services/status.py), replies those of the 调度 (app/services/progress).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.collation import collated, sort_key
from app.domain.ledger import Light, Status
from app.domain.text import deadline_text
from app.services.bulletins.common import clause, day_text, measure_number, number_text, share
from app.services.bulletins.model import BulletinError, DraftRequest
from app.services.ledger import compare
from app.services.progress import ProgressService, RoundInfo, item_line
from app.services.status import LedgerFilter, LedgerStatus, MeasureRow

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.storage import Repository

REPORT_WORKDAYS = 5  # 逾期任务的推进情况 are to be reported within this many working days


def progress_context(
    repo: Repository, calendar: WorkCalendar, request: DraftRequest
) -> dict[str, Any]:
    db = repo.db
    service = ProgressService(repo)
    info = _round(service, request.round_name)
    plan_id = info.plan_id if info is not None else _only_plan(db)
    plan = db.execute(
        "SELECT title, COALESCE(doc_number, ''), COALESCE(issuer, '') FROM plans"
        " WHERE id = ? AND deleted = 0",
        [plan_id],
    ).fetchone()
    if plan is None:
        raise BulletinError("调度轮次所属的方案不存在或已删除，无法生成调度情况通报。")
    as_of = request.as_of
    rows = LedgerStatus(db, calendar).measures(LedgerFilter(plan_id=plan_id), as_of=as_of)
    leads = _leads(db, plan_id)
    overdue = _overdue(LedgerStatus(db, calendar), rows, leads, calendar, as_of)
    return {
        "as_of": day_text(as_of),
        "report_by": day_text(calendar.add_workdays(as_of, REPORT_WORKDAYS)),
        "plan": {"title": plan[0], "number": plan[1], "issuer": plan[2]},
        "round": _round_data(info) if info else None,
        "totals": _counts(rows, len(rows)),
        "areas": _areas(rows),
        "departments": _departments(rows, leads),
        "overdue": overdue,
        "overdue_departments": _overdue_departments(overdue),
        "targets": _targets(db, plan_id, as_of),
        "replies": _replies(service, info) if info else None,
    }


def _round(service: ProgressService, name: str | None) -> RoundInfo | None:
    if name:
        found = service.find_round(name)
        if found is None:
            known = "、".join(info.name for info in service.rounds()[:8]) or "（还没有调度轮次）"
            raise BulletinError(f"没有名为“{name.strip()}”的调度轮次。已有的轮次：{known}。")
        return found
    rounds = service.rounds()
    return rounds[0] if rounds else None


def _only_plan(db: Any) -> str:
    plans = [
        row[0] for row in db.execute("SELECT id FROM plans WHERE deleted = 0 AND kind = 'plan'")
    ]
    if len(plans) == 1:
        return plans[0]
    if not plans:
        raise BulletinError("台账中还没有实施方案，请先导入方案。")
    raise BulletinError(
        "台账中有多个方案，请指明调度轮次（命令行用 --round），以确定通报哪个方案。"
    )


def _round_data(info: RoundInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "reply_due": day_text(info.reply_due),
        "created_on": day_text(info.created_on),
    }


def _counts(rows: list[MeasureRow], total: int) -> dict[str, Any]:
    statuses = Counter(row.status for row in rows)
    lights = Counter(row.light for row in rows)
    finished = statuses[Status.DONE] + statuses[Status.LATE_DONE]
    return {
        "measures": total,
        "finished": finished,
        "finished_rate": share(finished, total),
        "done": statuses[Status.DONE],
        "late_done": statuses[Status.LATE_DONE],
        "in_progress": statuses[Status.IN_PROGRESS],
        "not_started": statuses[Status.NOT_STARTED],
        "overdue": statuses[Status.OVERDUE],
        "red": lights[Light.RED],
        "yellow": lights[Light.YELLOW],
        "green": lights[Light.GREEN],
    }


def _areas(rows: list[MeasureRow]) -> list[dict[str, Any]]:
    groups: dict[str | None, list[MeasureRow]] = {}
    for row in rows:
        groups.setdefault(row.area_id, []).append(row)
    result = []
    for members in groups.values():
        first = members[0]
        result.append(
            {
                "no": first.area_no if first.area_no is not None else "",
                "title": first.area_title or "（未分领域）",
                **_counts(members, len(members)),
            }
        )
    return result


def _leads(db: Any, plan_id: str) -> dict[str, list[tuple[str, str]]]:
    """measure id → its lead departments (id, name), in the plan's order."""
    result: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for measure_id, department_id, name in db.execute(
        "SELECT s.measure_id, d.id, d.name FROM assignments s"
        " JOIN departments d ON d.id = s.department_id"
        " JOIN measures m ON m.id = s.measure_id"
        " WHERE m.plan_id = ? AND m.deleted = 0 AND s.deleted = 0 AND s.role = 'lead'"
        " ORDER BY s.measure_id, s.position, s.rowid",
        [plan_id],
    ):
        if (department_id, name) not in result[measure_id]:
            result[measure_id].append((department_id, name))
    return result


def _departments(
    rows: list[MeasureRow], leads: dict[str, list[tuple[str, str]]]
) -> list[dict[str, Any]]:
    """Per lead department: the measures it leads, counted like the totals; most overdue
    first, then most measures, then by name in pinyin order."""
    members: dict[str, list[MeasureRow]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in rows:
        for department_id, name in leads.get(row.id, ()):
            members[department_id].append(row)
            names[department_id] = name
    result = [
        {"name": names[department_id], **_counts(measures, len(measures))}
        for department_id, measures in members.items()
    ]
    return sorted(result, key=lambda d: (-d["overdue"], -d["measures"], sort_key(d["name"])))


def _overdue(
    status: LedgerStatus,
    rows: list[MeasureRow],
    leads: dict[str, list[tuple[str, str]]],
    calendar: WorkCalendar,
    as_of: date,
) -> list[dict[str, Any]]:
    """Every dated milestone past due and not done at ``as_of``, oldest due first."""
    by_measure = {row.id: row for row in rows}
    order = {row.id: index for index, row in enumerate(rows)}
    items = []
    for measure_id, milestones in status.overdue_milestones(as_of=as_of).items():
        row = by_measure.get(measure_id)
        if row is None:
            continue
        for milestone in milestones:
            due = date.fromisoformat(milestone["due"])
            items.append((due, order[measure_id], row, milestone["raw"]))
    items.sort(key=lambda item: (item[0], item[1]))
    distance: dict[date, int] = {}
    result: list[dict[str, Any]] = []
    seen: dict[tuple[str, date], dict[str, Any]] = {}  # a measure setting one day twice: one line
    for due, _, row, raw in items:
        phrase = deadline_text(raw)
        same = seen.get((row.id, due))
        if same is not None:
            if phrase not in same["deadline"].split("、"):
                same["deadline"] += f"、{phrase}"
            continue
        if due not in distance:
            distance[due] = calendar.workdays_between(due, as_of)
        names = [name for _, name in leads.get(row.id, ())]
        entry = {
            "number": measure_number(row.area_no, row.no),
            "measure": row.title,
            "area": row.area_title,
            "deadline": phrase,
            "due": day_text(due),
            "lead": "、".join(names) or row.lead,
            "leads": names,
            "days": distance[due],
        }
        seen[(row.id, due)] = entry
        result.append(entry)
    return result


def _overdue_departments(overdue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for item in overdue:
        for name in item["leads"]:
            counts[name] += 1
    ordered = collated(counts, key=lambda name: name)
    ordered.sort(key=lambda name: -counts[name])
    return [{"name": name, "count": counts[name]} for name in ordered]


def _targets(db: Any, plan_id: str, as_of: date) -> dict[str, Any]:
    """The plan's quantified targets against the latest actual value reported by ``as_of``."""
    met, missed, unreported = [], [], []
    total = 0
    for area_no, no, title, raw, metric, op, value, unit, actual, measured_on in db.execute(
        "SELECT a.no, m.no, m.title, t.raw, t.metric, t.op, t.value, t.unit, v.value,"
        " v.measured_on FROM targets t JOIN measures m ON m.id = t.measure_id"
        " LEFT JOIN areas a ON a.id = m.area_id"
        " LEFT JOIN (SELECT target_id, value, measured_on, ROW_NUMBER() OVER ("
        "   PARTITION BY target_id ORDER BY measured_on DESC, rowid DESC) AS n"
        "   FROM target_actuals WHERE deleted = 0 AND measured_on <= :as_of) v"
        " ON v.target_id = t.id AND v.n = 1"
        " WHERE t.deleted = 0 AND m.deleted = 0 AND m.plan_id = :plan_id"
        " AND t.op IS NOT NULL AND t.value IS NOT NULL"
        " ORDER BY m.position, t.span_start IS NULL, t.span_start, t.rowid",
        {"as_of": as_of.isoformat(), "plan_id": plan_id},
    ):
        total += 1
        item = {
            "number": measure_number(area_no, no),
            "measure": title,
            "target": f"{clause(metric or '')}{raw}",
            "actual": f"{number_text(actual)}{unit or ''}" if actual is not None else "",
            "measured_on": day_text(date.fromisoformat(measured_on)) if measured_on else "",
        }
        if actual is None:
            unreported.append(item)
        elif compare(actual, op, value):
            met.append(item)
        else:
            missed.append(item)
    return {
        "total": total,
        "reported": len(met) + len(missed),
        "met": met,
        "missed": missed,
        "unreported": unreported,
    }


def _replies(service: ProgressService, info: RoundInfo) -> dict[str, Any]:
    replies = service.replies(info.id)
    on_time, late, missing, unreported = [], [], [], []
    for reply in replies:
        if reply.missing:
            missing.append(reply.department_name)
            continue
        if reply.late:
            assert reply.received_on is not None and info.reply_due is not None
            days = (reply.received_on - info.reply_due).days
            late.append(
                {
                    "name": reply.department_name,
                    "received_on": day_text(reply.received_on),
                    "days": days,
                    "text": f"{reply.department_name}（晚{days}天）",
                }
            )
        else:
            on_time.append(reply.department_name)
        if reply.unreported:
            count = len(reply.unreported)
            unreported.append(
                {
                    "name": reply.department_name,
                    "count": count,
                    "items": [item_line(item) for item in reply.unreported],
                    "text": f"{reply.department_name}有{count}项未填报",
                }
            )
    return {
        "total": len(replies),
        "replied": len(replies) - len(missing),
        "on_time": on_time,
        "late": late,
        "missing": missing,
        "unreported": unreported,
        "unreported_items": sum(item["count"] for item in unreported),
    }
