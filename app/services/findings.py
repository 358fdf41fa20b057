"""Findings (问题) and their 整改 workflow: 待整改 → 整改中 → 待复查 → 已销号.

The rules of a finding as it is written down (``problem_with``: description, category from the
editable list, severity, responsible department — by default the measure's lead — and the 整改期限
as a date or as N working days after it was found), and the moves of the workflow
(``FINDING_TRANSITIONS`` in app/domain/inspection.py is the only table of legal moves). Every move
is one transaction: the finding's ``stage`` and fields, one ``finding_events`` row and, for a 复查,
its ``rechecks`` row; a refused move writes nothing. Findings of a 暗访 record the current user may
not see are treated as not there (app/services/visibility.py).

``rectified_on`` is the 销号 day: set by a passing 复查, cleared by 撤销销号, so the ledger's rule
"open from ``found_on`` until ``rectified_on``" holds at every as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from app.domain.inspection import (
    FindingAction,
    FindingStage,
    Severity,
    allowed_actions,
    next_stage,
)
from app.services.identity import read_current_user
from app.services.visibility import finding_visible, inspection_visible, viewer_of
from app.storage import WriteError

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.domain.workdays import WorkCalendar
    from app.storage import Repository

DEFAULT_CATEGORY = "其他"  # what a finding without a category is filed under (schema default)
MAX_RECTIFY_WORKDAYS = 250  # about a working year: a longer 整改期限 is a typo
MAX_DESCRIPTION_CHARS = 2000
MAX_NOTE_CHARS = 5000

_NOT_FOUND = "该问题不存在或已删除。"


@dataclass(frozen=True)
class FindingDraft:
    """A problem as the inspector writes it down.

    ``department_id`` None: the measure's lead department. The 整改期限 is ``rectify_by`` (a date)
    or ``rectify_workdays`` (N working days after the finding's date), not both. ``category``
    None: 其他."""

    description: str
    department_id: str | None = None
    rectify_by: date | None = None
    category: str | None = None
    severity: Severity = Severity.MINOR
    rectify_workdays: int | None = None


@dataclass(frozen=True)
class FindingEvent:
    happened_on: date
    stage: FindingStage
    action: FindingAction | None
    note: str
    actor: str


@dataclass(frozen=True)
class Recheck:
    id: str
    checked_on: date
    inspector: str
    passed: bool
    note: str


@dataclass(frozen=True)
class FindingDetail:
    """One finding with its workflow history, as the detail of the findings list shows it."""

    id: str
    inspection_id: str
    measure_id: str
    description: str
    category: str
    severity: Severity
    department_id: str | None
    department: str
    found_on: date
    rectify_workdays: int | None
    rectify_by: date | None
    stage: FindingStage
    rectification: str
    reported_on: date | None
    rectified_on: date | None
    events: tuple[FindingEvent, ...]
    rechecks: tuple[Recheck, ...]

    @property
    def actions(self) -> list[FindingAction]:
        """The moves the workflow allows from here."""
        return allowed_actions(self.stage)

    @property
    def reports(self) -> tuple[tuple[date, str], ...]:
        """Every 整改情况 the department reported, oldest first, with its date (each is the note
        of its 报送整改情况 event; a report written before notes were kept shows the finding's
        latest text)."""
        moves = [e for e in self.events if e.action is FindingAction.REPORT]
        reports = [(e.happened_on, e.note) for e in moves]
        if reports and not reports[-1][1]:
            reports[-1] = (reports[-1][0], self.rectification)
        if not reports and self.rectification:
            reports = [(self.reported_on or self.found_on, self.rectification)]
        return tuple((day, text) for day, text in reports if text)


# ---- Rules shared by every writer (dialog, findings page, records import) -----------------


def categories(db: Database) -> list[str]:
    """The live 问题类别 list, in its order."""
    return [
        name
        for (name,) in db.execute(
            "SELECT name FROM vocabulary WHERE list = 'category' AND deleted = 0"
            " ORDER BY position, name"
        )
    ]


def measure_departments(db: Database, measure_id: str) -> list[tuple[str, str]]:
    """(id, name) of the measure's departments, lead first (the default responsible one)."""
    return list(
        db.execute(
            "SELECT d.id, d.name FROM assignments s JOIN departments d"
            " ON d.id = s.department_id WHERE s.measure_id = ? AND s.deleted = 0"
            " GROUP BY d.id ORDER BY MIN(CASE s.role WHEN 'lead' THEN 0"
            " WHEN 'responsible' THEN 1 ELSE 2 END), MIN(s.position)",
            [measure_id],
        )
    )


def lead_department(db: Database, measure_id: str) -> str | None:
    row = db.execute(
        "SELECT department_id FROM assignments WHERE measure_id = ? AND deleted = 0"
        " AND role = 'lead' ORDER BY position, rowid LIMIT 1",
        [measure_id],
    ).fetchone()
    return row[0] if row else None


def problem_with(
    draft: FindingDraft,
    *,
    found_on: date,
    departments: Iterable[str],
    known_categories: Iterable[str],
) -> str | None:
    """Why the draft cannot be saved, as the end of a sentence about it ("…问题" + reason)."""
    if not draft.description.strip():
        return "没有填写问题描述"
    if len(draft.description.strip()) > MAX_DESCRIPTION_CHARS:
        return f"的问题描述太长（最多 {MAX_DESCRIPTION_CHARS} 字）"
    if draft.category is not None and draft.category not in set(known_categories):
        return f"的类别“{draft.category}”不在问题类别列表中，请先在列表中添加它或改选已有类别"
    try:
        Severity(draft.severity)
    except ValueError:
        return f"的严重程度“{draft.severity}”无效（应为一般、较重或严重）"
    if draft.rectify_by is not None and draft.rectify_workdays is not None:
        return "的整改期限只能填一种：日期或工作日数"
    if draft.rectify_by is not None and draft.rectify_by < found_on:
        return "的整改期限早于检查日期"
    if draft.rectify_workdays is not None and not (
        isinstance(draft.rectify_workdays, int)
        and not isinstance(draft.rectify_workdays, bool)
        and 1 <= draft.rectify_workdays <= MAX_RECTIFY_WORKDAYS
    ):
        return f"的整改期限应为 1 到 {MAX_RECTIFY_WORKDAYS} 个工作日"
    if draft.department_id is not None and draft.department_id not in set(departments):
        return "的责任部门不是这项措施的责任部门"
    return None


def rectify_due(calendar: WorkCalendar, found_on: date, draft: FindingDraft) -> date | None:
    """The 整改期限 as a date: given, or N working days after ``found_on``."""
    if draft.rectify_workdays is not None:
        return calendar.add_workdays(found_on, draft.rectify_workdays)
    return draft.rectify_by


def finding_values(
    calendar: WorkCalendar, draft: FindingDraft, *, found_on: date, default_department: str | None
) -> dict[str, Any]:
    """The findings columns a checked draft sets (all but the record it belongs to)."""
    due = rectify_due(calendar, found_on, draft)
    return {
        "department_id": draft.department_id or default_department,
        "description": draft.description.strip(),
        "category": draft.category or DEFAULT_CATEGORY,
        "severity": Severity(draft.severity).value,
        "found_on": found_on.isoformat(),
        "rectify_workdays": draft.rectify_workdays,
        "rectify_by": due.isoformat() if due else None,
    }


def recompute_deadlines(repository: Repository, calendar: WorkCalendar) -> int:
    """Re-count every working-day 整改期限 with ``calendar`` (after the holiday table changed).

    Runs inside the caller's transaction when there is one; returns how many dates moved. The
    working days after each distinct finding date are walked once, however many findings share it.
    """
    db = repository.db
    changed = 0
    with repository.transaction():
        rows = db.execute(
            "SELECT id, found_on, rectify_workdays, rectify_by FROM findings"
            " WHERE rectify_workdays IS NOT NULL AND deleted = 0 ORDER BY found_on"
        ).fetchall()
        longest: dict[str, int] = {}
        for _id, found_on, workdays, _due in rows:
            longest[found_on] = max(longest.get(found_on, 0), workdays)
        following: dict[str, list[str]] = {}  # found_on → its next working days, in order
        for found_on, count in longest.items():
            day, days = date.fromisoformat(found_on), []
            while len(days) < count:
                day += timedelta(days=1)
                if calendar.is_workday(day):
                    days.append(day.isoformat())
            following[found_on] = days
        for row_id, found_on, workdays, stored in rows:
            due = following[found_on][workdays - 1] if workdays > 0 else found_on
            if due != stored:
                repository.update("findings", row_id, {"rectify_by": due})
                changed += 1
    return changed


# ---- The workflow ---------------------------------------------------------------------------

_DATE_LABEL = {
    FindingAction.START: "开始整改日期",
    FindingAction.REPORT: "报送整改情况的日期",
    FindingAction.RECHECK_PASS: "复查日期",
    FindingAction.RECHECK_FAIL: "复查日期",
    FindingAction.REOPEN: "撤销销号日期",
}


class Findings:
    """The 整改 workflow of findings, and editing them (one transaction per action)."""

    def __init__(self, repository: Repository, calendar: WorkCalendar) -> None:
        self.repo = repository
        self.db = repository.db
        self.calendar = calendar

    # ---- Writing ------------------------------------------------------------------------------

    def add(self, inspection_id: str, draft: FindingDraft) -> str:
        """A further finding on an existing record (found on the record's date)."""
        record = self.visible_record(inspection_id)
        found_on = date.fromisoformat(record["checked_on"])
        self._check(draft, record["measure_id"], found_on)
        return self.repo.insert(
            "findings",
            {
                "inspection_id": inspection_id,
                "measure_id": record["measure_id"],
                **finding_values(
                    self.calendar,
                    draft,
                    found_on=found_on,
                    default_department=lead_department(self.db, record["measure_id"]),
                ),
            },
        )

    def edit(self, finding_id: str, draft: FindingDraft) -> list[str]:
        """Change what was written down; returns the fields that changed. Not once 销号."""
        finding = self._visible(finding_id)
        if finding["stage"] == FindingStage.CLOSED:
            raise WriteError("已销号的问题不能修改。如需更正，请先撤销销号。")
        found_on = date.fromisoformat(finding["found_on"])
        self._check(draft, finding["measure_id"], found_on)
        values = finding_values(
            self.calendar,
            draft,
            found_on=found_on,
            default_department=lead_department(self.db, finding["measure_id"]),
        )
        values.pop("found_on")
        return self.repo.update("findings", finding_id, values)

    def start(
        self, finding_id: str, on: date, *, note: str = "", today: date | None = None
    ) -> None:
        """开始整改: the department has taken the finding on."""
        with self.repo.transaction():
            self._move(finding_id, FindingAction.START, on, today=today, note=note)

    def report(
        self, finding_id: str, rectification: str, on: date, *, today: date | None = None
    ) -> None:
        """报送整改情况: the department's account of its 整改, as the office enters it. Each
        report is one event (its text the note); ``rectification``/``reported_on`` hold the
        latest, the one a 复查 looks at."""
        text = rectification.strip()
        if not text:
            raise WriteError("请填写整改情况（部门报送的整改措施和结果）。")
        if len(text) > MAX_NOTE_CHARS:
            raise WriteError(f"整改情况太长（最多 {MAX_NOTE_CHARS} 字）。")
        with self.repo.transaction():
            self._move(
                finding_id,
                FindingAction.REPORT,
                on,
                today=today,
                note=text,  # every report stays in the history with its date
                fields={"rectification": text, "reported_on": on.isoformat()},
            )

    def recheck(
        self,
        finding_id: str,
        on: date,
        *,
        passed: bool,
        inspector: str = "",
        note: str = "",
        today: date | None = None,
    ) -> str:
        """A 复查: passed closes the finding (销号 on ``on``), failed sends it back (退回重改).

        ``inspector`` defaults to the current user. Returns the recheck's id."""
        who = inspector.strip() or read_current_user(self.db).name
        if not who:
            raise WriteError("请填写复查人。")
        if len(note) > MAX_NOTE_CHARS:
            raise WriteError(f"复查意见太长（最多 {MAX_NOTE_CHARS} 字）。")
        with self.repo.transaction():
            return self._recheck(finding_id, on, passed, who, note.strip(), today=today)

    def reopen(
        self, finding_id: str, on: date | None = None, *, note: str = "", today: date | None = None
    ) -> None:
        """撤销销号: a 销号 made in error; the finding is 整改中 (and open) again."""
        day = on or (today or date.today())
        with self.repo.transaction():
            self._move(
                finding_id,
                FindingAction.REOPEN,
                day,
                today=today,
                note=note,
                fields={"rectified_on": None},
            )

    def confirm_rectified(self, finding_id: str, on: date, *, today: date | None = None) -> None:
        """确认整改 (the ledger's dialog): the passing 复查 of a finding whose 整改情况 is in,
        by the current user (销号 on ``on``). It is only the workflow's last step: a finding
        still 待整改 or 整改中 is refused, so nothing is closed without a report and a 复查."""
        finding = self._visible(finding_id)
        stage = FindingStage(finding["stage"])
        if stage is FindingStage.CLOSED:
            raise WriteError(
                f"该问题已于 {finding['rectified_on'] or '此前'} 销号。如需更正日期，"
                "请先撤销销号，再重新复查。"
            )
        if stage is not FindingStage.AWAITING_RECHECK:
            raise WriteError(
                f"该问题还没有报送整改情况（当前为“{stage.label}”），不能销号：请在"
                "“明察暗访 → 发现问题”中先“录入整改情况”，再复查。"
            )
        if not read_current_user(self.db).name:
            raise WriteError(
                "复查需要复查人的姓名：请先在“明察暗访 → 当前用户…”中填写您的姓名，再复查销号。"
            )
        self.recheck(finding_id, on, passed=True, note="确认整改", today=today)

    # ---- Reading ------------------------------------------------------------------------------

    def get(self, finding_id: str) -> FindingDetail | None:
        """The finding with its history, or None when missing, deleted or not visible."""
        row = self.db.execute(
            "SELECT f.id, f.inspection_id, f.measure_id, f.description, f.category, f.severity,"
            " f.department_id, COALESCE(d.name, ''), f.found_on, f.rectify_workdays,"
            " f.rectify_by, f.stage, f.rectification, f.reported_on, f.rectified_on"
            " FROM findings f LEFT JOIN departments d ON d.id = f.department_id"
            f" WHERE f.id = :id AND f.deleted = 0 AND {finding_visible('f')}",
            {"id": finding_id, **viewer_of(self.db).params()},
        ).fetchone()
        if row is None:
            return None
        events = tuple(
            FindingEvent(
                date.fromisoformat(day),
                FindingStage(stage),
                FindingAction(action) if action else None,
                note,
                actor,
            )
            for day, stage, action, note, actor in self.db.execute(
                "SELECT happened_on, stage, action, note, actor FROM finding_events"
                " WHERE finding_id = ? AND deleted = 0 ORDER BY happened_on, rowid",
                [finding_id],
            )
        )
        rechecks = tuple(
            Recheck(row_id, date.fromisoformat(day), inspector, result == "pass", note)
            for row_id, day, inspector, result, note in self.db.execute(
                "SELECT id, checked_on, inspector, result, note FROM rechecks"
                " WHERE finding_id = ? AND deleted = 0 ORDER BY checked_on, rowid",
                [finding_id],
            )
        )
        (
            row_id,
            inspection_id,
            measure_id,
            description,
            category,
            severity,
            department_id,
            department,
            found_on,
            workdays,
            due,
            stage,
            rectification,
            reported_on,
            rectified_on,
        ) = row
        return FindingDetail(
            row_id,
            inspection_id,
            measure_id,
            description,
            category,
            Severity(severity),
            department_id,
            department,
            date.fromisoformat(found_on),
            workdays,
            _day(due),
            FindingStage(stage),
            rectification,
            _day(reported_on),
            _day(rectified_on),
            events,
            rechecks,
        )

    def departments(self, measure_id: str) -> list[tuple[str, str]]:
        return measure_departments(self.db, measure_id)

    # ---- Internals ----------------------------------------------------------------------------

    def _check(self, draft: FindingDraft, measure_id: str, found_on: date) -> None:
        reason = problem_with(
            draft,
            found_on=found_on,
            departments=[d for d, _name in measure_departments(self.db, measure_id)],
            known_categories=categories(self.db),
        )
        if reason:
            raise WriteError(f"该问题{reason}。")

    def _visible(self, finding_id: str) -> dict[str, Any]:
        finding = self.repo.get("findings", finding_id)
        if finding is None or finding["deleted"] or not self._can_see(finding_id):
            raise WriteError(_NOT_FOUND)
        return finding

    def _can_see(self, finding_id: str) -> bool:
        return (
            self.db.execute(
                f"SELECT 1 FROM findings f WHERE f.id = :id AND {finding_visible('f')}",
                {"id": finding_id, **viewer_of(self.db).params()},
            ).fetchone()
            is not None
        )

    def visible_record(self, inspection_id: str) -> dict[str, Any]:
        """The inspections row, if the current user may see it; else "不存在" (nothing leaks)."""
        record = self.repo.get("inspections", inspection_id)
        visible = self.db.execute(
            f"SELECT 1 FROM inspections i WHERE i.id = :id AND {inspection_visible('i')}",
            {"id": inspection_id, **viewer_of(self.db).params()},
        ).fetchone()
        if record is None or record["deleted"] or visible is None:
            raise WriteError("该检查记录不存在或已删除。")
        return record

    def _last_step(self, finding: dict[str, Any]) -> tuple[date, str]:
        row = self.db.execute(
            "SELECT happened_on, action FROM finding_events WHERE finding_id = ? AND deleted = 0"
            " ORDER BY happened_on DESC, rowid DESC LIMIT 1",
            [finding["id"]],
        ).fetchone()
        if row is None:
            return date.fromisoformat(finding["found_on"]), "发现问题"
        try:
            label = FindingAction(row[1]).label
        except ValueError:
            label = "上一步"
        return date.fromisoformat(row[0]), label

    def _move(
        self,
        finding_id: str,
        action: FindingAction,
        on: date,
        *,
        today: date | None,
        note: str = "",
        fields: dict[str, Any] | None = None,
    ) -> FindingStage:
        finding = self._visible(finding_id)
        stage = FindingStage(finding["stage"])
        target = next_stage(stage, action)
        if target is None:
            possible = "、".join(a.label for a in allowed_actions(stage)) or "无"
            raise WriteError(
                f"该问题当前为“{stage.label}”，不能“{action.label}”（现在可以：{possible}）。"
            )
        label = _DATE_LABEL[action]
        if on > (today or date.today()):
            raise WriteError(f"{label}不能晚于今天。")
        found_on = date.fromisoformat(finding["found_on"])
        if on < found_on:
            raise WriteError(f"{label}不能早于发现问题的日期。")
        last_day, last_label = self._last_step(finding)
        if on < last_day:
            raise WriteError(
                f"{label}不能早于上一步（{last_label}，{last_day.isoformat()}）的日期。"
            )
        if len(note) > MAX_NOTE_CHARS:
            raise WriteError(f"说明太长（最多 {MAX_NOTE_CHARS} 字）。")
        self.repo.update("findings", finding_id, {"stage": target.value, **(fields or {})})
        self.repo.insert(
            "finding_events",
            {
                "finding_id": finding_id,
                "happened_on": on.isoformat(),
                "stage": target.value,
                "action": action.value,
                "note": note.strip(),
                "actor": read_current_user(self.db).name,
            },
        )
        return target

    def _recheck(
        self,
        finding_id: str,
        on: date,
        passed: bool,
        inspector: str,
        note: str,
        *,
        today: date | None,
    ) -> str:
        action = FindingAction.RECHECK_PASS if passed else FindingAction.RECHECK_FAIL
        self._move(
            finding_id,
            action,
            on,
            today=today,
            note=note,
            fields={"rectified_on": on.isoformat()} if passed else None,
        )
        return self.repo.insert(
            "rechecks",
            {
                "finding_id": finding_id,
                "checked_on": on.isoformat(),
                "inspector": inspector,
                "result": "pass" if passed else "fail",
                "note": note,
            },
        )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
