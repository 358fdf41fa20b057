"""The data of a 督办通知 / 整改通知书 to one department: what is overdue, what is open.

Milestones come from the 催办提醒 (app/services/reminders.py: the department's overdue items
under its strongest role, and those falling due within the reminder window); findings are the
department's problems still open at the date, each with its 整改期限, read through the 暗访 rule
(a drafter sees only what the current user may see). The records of the findings listed are the
notice's ``cited`` records: issuing it discloses the 暗访 ones.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.inspection import FindingStage
from app.domain.ledger import InspectionKind
from app.services.bulletins.common import clause, day_text, measure_number
from app.services.bulletins.model import BulletinError, DraftRequest
from app.services.inspections import OPEN_FINDING_SQL
from app.services.overdue import is_overdue
from app.services.reminders import FindingReminder, Reminders
from app.services.visibility import finding_visible, viewer_of
from app.storage import WriteError

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.storage import Repository

REPORT_WORKDAYS = 3  # the department reports within this many working days of the notice


def notice_context(
    repo: Repository, calendar: WorkCalendar, request: DraftRequest
) -> tuple[dict[str, Any], list[str]]:
    if not request.department_name or not request.department_name.strip():
        raise BulletinError("督办通知发给一个部门，请指明部门（--department）。")
    from app.services.record_print import RecordPrint

    try:
        department_id = RecordPrint(repo, calendar).department_id(request.department_name)
    except WriteError as error:  # not in the directory, or more than one
        raise BulletinError(str(error)) from error
    name = repo.get("departments", department_id)["name"]
    as_of = request.as_of
    overdue, due_soon = [], []
    for group in Reminders(repo.db, calendar).collect(as_of=as_of):
        if group.department_id != department_id:
            continue
        for item in group.items:
            if isinstance(item, FindingReminder):
                continue  # the findings come in below, all of them
            entry = {
                "number": item.number,
                "measure": item.measure_title,
                "role": item.role.label,
                "deadline": item.raw,
                "due": day_text(item.due),
                "days": item.working_days,
                "text": f"{item.number} {item.measure_title}（{item.raw}）".strip(),
            }
            (overdue if item.overdue else due_soon).append(entry)
    findings, cited = _findings(repo, department_id, as_of, calendar)
    return {
        "as_of": day_text(as_of),
        "report_by": day_text(calendar.add_workdays(as_of, REPORT_WORKDAYS)),
        "department": {"name": name},
        "overdue": overdue,
        # tasks (measures), not their time limits: one measure may have several overdue
        "overdue_tasks": len({entry["number"] or entry["measure"] for entry in overdue}),
        "due_soon": due_soon,
        "findings": findings,
        "overdue_findings": [f for f in findings if f["overdue"]],
    }, cited


def _findings(
    repo: Repository, department_id: str, as_of: date, calendar: WorkCalendar
) -> tuple[list[dict[str, Any]], list[str]]:
    rows = repo.db.execute(
        "SELECT f.description, f.category, f.found_on, f.rectify_by, f.stage, i.id, i.kind,"
        " i.place, i.method, m.title, a.no, m.no, f.reported_on, f.rectified_on"
        " FROM findings f JOIN inspections i ON i.id = f.inspection_id"
        " JOIN measures m ON m.id = f.measure_id LEFT JOIN areas a ON a.id = m.area_id"
        f" WHERE f.department_id = :department AND i.deleted = 0 AND {OPEN_FINDING_SQL}"
        f" AND {finding_visible('f')}"
        " ORDER BY f.rectify_by IS NULL, f.rectify_by, f.found_on, f.rowid",
        {"department": department_id, "as_of": as_of.isoformat(), **viewer_of(repo.db).params()},
    ).fetchall()
    result = []
    cited: dict[str, None] = {}
    for row in rows:
        description, category, found_on, due_text, stage, record_id, kind = row[:7]
        place, method, measure, area_no, no, reported_on, rectified_on = row[7:]
        due = date.fromisoformat(due_text) if due_text else None
        # the one rule (app/services/overdue.py): reported by the deadline is not overdue
        overdue = is_overdue(
            rectify_by=due,
            rectified_on=date.fromisoformat(rectified_on) if rectified_on else None,
            as_of=as_of,
            stage=FindingStage(stage),
            reported_on=date.fromisoformat(reported_on) if reported_on else None,
        )
        source = InspectionKind(kind).label
        detail = "，".join(part for part in (method, place) if part)
        result.append(
            {
                "number": len(result) + 1,
                "text": clause(description),
                "description": description,
                "category": category,
                "found_on": day_text(date.fromisoformat(found_on)),
                "due": day_text(due) or "尽快",
                "overdue": overdue,
                # working days, as everywhere else (催办提醒, 整改通知)
                "days": max(1, calendar.workdays_between(due, as_of)) if overdue and due else 0,
                # 销号 after the notice's date: still being rectified then.
                "stage": FindingStage.RECTIFYING.label
                if stage == FindingStage.CLOSED
                else FindingStage(stage).label,
                "source": f"{source}（{detail}）" if detail else source,
                "measure": measure or "",
                "measure_number": measure_number(area_no, no),
            }
        )
        cited.setdefault(record_id)
    return result, list(cited)
