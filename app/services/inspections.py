"""明察暗访 records: an inspection of a measure and the problems it found, until 销号.

This is the ledger's side of inspections: what the 工作台账 needs to filter measures with open
findings and to show them in a measure's detail, and the record itself (``Inspections.record``:
the record and its findings in one transaction). A finding is open from the day it was found
until the day it is 销号 (``rectified_on``); past its 整改期限 it is 逾期未整改. The 整改
workflow is app/services/findings.py; who may see a 暗访 record, app/services/visibility.py
(every read here goes through it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.inspection import FindingStage, RecordState, Severity
from app.domain.ledger import FindingState, InspectionKind
from app.services.findings import (
    FindingDraft,
    Findings,
    categories,
    finding_values,
    lead_department,
    measure_departments,
    problem_with,
)
from app.services.identity import NAME_SEPARATOR, read_current_user
from app.services.inspection_plans import InspectionPlans, record_defaults
from app.services.overdue import is_overdue
from app.services.visibility import (
    Viewer,
    finding_visible,
    inspection_visible,
    plan_visible,
    viewer_of,
)
from app.storage import WriteError
from app.storage.changelog import edited_since_insert

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.domain.workdays import WorkCalendar
    from app.storage import Repository

__all__ = ["DRAFT_FIELDS", "OPEN_FINDING_SQL", "FindingDraft", "Inspections", "read_inspections"]

# "Open at the as-of date", in SQL over a findings row ``f`` (used by the ledger filter too).
# Callers add ``finding_visible("f")`` (and the viewer's parameters): a hidden 暗访 finding is
# never counted.
OPEN_FINDING_SQL = (
    "f.deleted = 0 AND f.found_on <= :as_of AND (f.rectified_on IS NULL OR f.rectified_on > :as_of)"
)
VISIBLE_OPEN_FINDING_SQL = f"{OPEN_FINDING_SQL} AND {finding_visible('f')}"

MAX_TEXT_CHARS = 5000  # summary of a record
MAX_FIELD_CHARS = 200  # inspector names, place, method

# The header fields of a record the form writes one by one (``Inspections.set_field``).
DRAFT_FIELDS = (
    "inspection_plan_id",
    "kind",
    "method",
    "checked_on",
    "inspector",
    "place",
    "department_id",
    "summary",
)
_FIELD_LABELS = {
    "inspector": "检查人",
    "place": "检查地点",
    "method": "检查方式",
    "summary": "检查情况",
}
_FINAL_MESSAGE = "该检查记录已完成，不能直接修改；如需修改，请先点“继续修改”把它改回草稿。"


@dataclass(frozen=True)
class Finding:
    id: str
    description: str
    department: str
    found_on: date
    rectify_by: date | None
    rectified_on: date | None
    state: FindingState
    stage: FindingStage = FindingStage.PENDING
    category: str = "其他"
    severity: Severity = Severity.MINOR
    rectify_workdays: int | None = None


@dataclass(frozen=True)
class InspectionEntry:
    id: str
    kind: InspectionKind
    checked_on: date
    inspector: str
    place: str
    summary: str
    findings: tuple[Finding, ...]
    inspection_plan_id: str | None = None
    method: str = ""
    department: str = ""
    state: RecordState = RecordState.FINAL
    disclosed_on: date | None = None


_ENTRY_SQL = (
    "SELECT i.id, i.kind, i.checked_on, i.inspector, i.place, i.summary, i.inspection_plan_id,"
    " i.method, COALESCE(d.name, ''), i.state, i.disclosed_on FROM inspections i"
    " LEFT JOIN departments d ON d.id = i.department_id"
)


def read_inspections(
    db: Database, measure_id: str, *, as_of: date, viewer: Viewer | None = None
) -> list[InspectionEntry]:
    """The measure's inspections up to ``as_of`` the viewer may see, newest first, with their
    findings (``viewer``: the current user by default)."""
    params = {"measure_id": measure_id, "as_of": as_of.isoformat()}
    params.update((viewer or viewer_of(db)).params())
    findings: dict[str, list[Finding]] = {}
    for row in db.execute(
        "SELECT f.id, f.inspection_id, f.description, COALESCE(d.name, ''), f.found_on,"
        " f.rectify_by, f.rectified_on, f.stage, f.category, f.severity, f.rectify_workdays,"
        " f.reported_on FROM findings f LEFT JOIN departments d ON d.id = f.department_id"
        " WHERE f.measure_id = :measure_id AND f.deleted = 0 AND f.found_on <= :as_of"
        f" AND {finding_visible('f')} ORDER BY f.rowid",
        params,
    ):
        row_id, inspection_id, description, department, found, due, done = row[:7]
        stage, category, severity, workdays, reported = row[7:]
        rectify_by = date.fromisoformat(due) if due else None
        rectified_on = date.fromisoformat(done) if done else None
        reported_on = date.fromisoformat(reported) if reported else None
        findings.setdefault(inspection_id, []).append(
            Finding(
                row_id,
                description,
                department,
                date.fromisoformat(found),
                rectify_by,
                rectified_on,
                finding_state(
                    rectify_by,
                    rectified_on,
                    as_of,
                    stage=FindingStage(stage),
                    reported_on=reported_on,
                ),
                FindingStage(stage),
                category,
                Severity(severity),
                workdays,
            )
        )
    return [
        _entry(row, tuple(findings.get(row[0], ())))
        for row in db.execute(
            f"{_ENTRY_SQL} WHERE i.measure_id = :measure_id AND i.deleted = 0"
            f" AND i.checked_on <= :as_of AND {inspection_visible('i')}"
            " ORDER BY i.checked_on DESC, i.rowid DESC",
            params,
        )
    ]


def _entry(row: tuple[Any, ...], findings: tuple[Finding, ...]) -> InspectionEntry:
    row_id, kind, checked_on, inspector, place, summary, plan_id, method, department = row[:9]
    state, disclosed = row[9:]
    return InspectionEntry(
        row_id,
        InspectionKind(kind),
        date.fromisoformat(checked_on),
        inspector,
        place,
        summary,
        findings,
        plan_id,
        method,
        department,
        RecordState(state),
        date.fromisoformat(disclosed) if disclosed else None,
    )


def finding_state(
    rectify_by: date | None,
    rectified_on: date | None,
    as_of: date,
    *,
    stage: FindingStage = FindingStage.PENDING,
    reported_on: date | None = None,
) -> FindingState:
    """Rectified, overdue (the rule of app/services/overdue.py) or open at ``as_of``."""
    if rectified_on is not None and rectified_on <= as_of:
        return FindingState.RECTIFIED
    if is_overdue(
        rectify_by=rectify_by,
        rectified_on=rectified_on,
        as_of=as_of,
        stage=stage,
        reported_on=reported_on,
    ):
        return FindingState.OVERDUE
    return FindingState.OPEN


class Inspections:
    """Recording inspections (明察暗访 records) and reading them, subject to visibility."""

    def __init__(self, repository: Repository, calendar: WorkCalendar | None = None) -> None:
        self.repo = repository
        self.db = repository.db
        if calendar is None:
            from app.services.calendar import HolidayTable

            calendar = HolidayTable(repository).calendar()
        self.findings = Findings(repository, calendar)

    @property
    def calendar(self) -> WorkCalendar:
        return self.findings.calendar

    @calendar.setter
    def calendar(self, calendar: WorkCalendar) -> None:
        self.findings.calendar = calendar

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
        inspection_plan_id: str | None = None,
        method: str = "",
        department_id: str | None = None,
        state: RecordState = RecordState.FINAL,
    ) -> str:
        """Record an inspection and its findings in one transaction; returns its id.

        A record of an inspection plan takes the plan's mode (明察/暗访). It carries the current
        user's name as ``created_by``. Everything is checked first (``check``): a refused record
        writes nothing."""
        self.check(
            measure_id,
            checked_on=checked_on,
            inspector=inspector,
            findings=findings,
            today=today,
            inspection_plan_id=inspection_plan_id,
            method=method,
            department_id=department_id,
            place=place,
            summary=summary,
        )
        if inspection_plan_id:
            kind = InspectionKind(self.repo.get("inspection_plans", inspection_plan_id)["mode"])
        default_department = lead_department(self.db, measure_id)
        calendar = self.calendar
        with self.repo.transaction():
            inspection_id = self.repo.insert(
                "inspections",
                {
                    "measure_id": measure_id,
                    "kind": InspectionKind(kind).value,
                    "checked_on": checked_on.isoformat(),
                    "inspector": _names(inspector),
                    "place": place.strip(),
                    "summary": summary.strip(),
                    "inspection_plan_id": inspection_plan_id,
                    "method": method.strip(),
                    "department_id": department_id,
                    "state": RecordState(state).value,
                    "created_by": read_current_user(self.db).name,
                },
            )
            self.repo.insert_many(
                "findings",
                [
                    {
                        "inspection_id": inspection_id,
                        "measure_id": measure_id,
                        **finding_values(
                            calendar,
                            draft,
                            found_on=checked_on,
                            default_department=default_department,
                        ),
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
        inspection_plan_id: str | None = None,
        method: str = "",
        department_id: str | None = None,
        place: str = "",
        summary: str = "",
    ) -> None:
        """Raise WriteError with the first reason ``record`` would refuse this; writes nothing."""
        self._check_measure(measure_id)
        if checked_on > (today or date.today()):
            raise WriteError("检查日期不能晚于今天。")
        if not inspector.strip():
            raise WriteError("请填写检查人。")
        for label, text, limit in (
            ("检查人", inspector, MAX_FIELD_CHARS),
            ("检查地点", place, MAX_FIELD_CHARS),
            ("检查方式", method, MAX_FIELD_CHARS),
            ("检查情况", summary, MAX_TEXT_CHARS),
        ):
            if len(text.strip()) > limit:
                raise WriteError(f"{label}太长（最多 {limit} 字）。")
        if inspection_plan_id is not None:
            self._check_plan(inspection_plan_id)
        if method.strip() and method.strip() not in self.methods():
            raise WriteError(f"检查方式“{method.strip()}”不在列表中，请先在检查方式列表中添加。")
        if department_id is not None:
            department = self.repo.get("departments", department_id)
            if department is None or department["deleted"]:
                raise WriteError("受检部门不存在或已删除。")
        departments = [d for d, _name in measure_departments(self.db, measure_id)]
        known = categories(self.db)
        for number, draft in enumerate(findings, start=1):
            reason = problem_with(
                draft, found_on=checked_on, departments=departments, known_categories=known
            )
            if reason:
                raise WriteError(f"第 {number} 个问题{reason}。")

    def rectify(self, finding_id: str, on: date, *, today: date | None = None) -> None:
        """确认整改 from the ledger: the passing 复查 (销号 on ``on``) of a finding whose 整改情况
        has been reported; refused before that (app/services/findings.py: confirm_rectified)."""
        self.findings.confirm_rectified(finding_id, on, today=today)

    def reopen(self, finding_id: str, on: date | None = None, *, today: date | None = None) -> None:
        """Undo a confirmation (撤销销号): the problem counts as open again."""
        self.findings.reopen(finding_id, on, today=today)

    def disclose(self, inspection_id: str, on: date, *, today: date | None = None) -> None:
        """A bulletin citing this record was issued on ``on``: a 暗访 record becomes visible to all.

        Only someone who may see the record can disclose it."""
        record = self.findings.visible_record(inspection_id)
        if on > (today or date.today()):
            raise WriteError("通报日期不能晚于今天。")
        if on < date.fromisoformat(record["checked_on"]):
            raise WriteError("通报日期不能早于检查日期。")
        self.repo.update("inspections", inspection_id, {"disclosed_on": on.isoformat()})

    # ---- Drafts: a record written as it is typed --------------------------------------------

    def start_draft(
        self,
        measure_id: str,
        *,
        checked_on: date | None = None,
        kind: InspectionKind = InspectionKind.OPEN,
        inspector: str | None = None,
        inspection_plan_id: str | None = None,
        place: str = "",
        method: str = "",
        department_id: str | None = None,
        today: date | None = None,
    ) -> str:
        """A new record in the ``draft`` state, written now; returns its id.

        ``checked_on`` defaults to today, ``inspector`` to ``last_inspector()``, the method,
        place and department to ``record_defaults`` (the plan's, the measure's lead); a record
        of a plan takes the plan's mode. Only what is given is checked (an empty inspector is fine
        in a draft; ``finalize`` asks for it)."""
        today = today or date.today()
        checked_on = checked_on or today
        if inspector is None:
            inspector = self.last_inspector()
        self._check_measure(measure_id)
        # What is not given follows the plan and the measure (record_defaults).
        plan = InspectionPlans(self.repo).get(inspection_plan_id) if inspection_plan_id else None
        departments = [d for d, _name in measure_departments(self.db, measure_id)]
        defaults = record_defaults(plan, departments, self.methods())
        method = method or defaults.method
        place = place or defaults.place
        department_id = department_id or defaults.department_id
        values = {
            "checked_on": checked_on,
            "kind": InspectionKind(kind),
            "inspector": inspector,
            "inspection_plan_id": inspection_plan_id,
            "place": place,
            "method": method,
            "department_id": department_id,
        }
        row: dict[str, Any] = {"measure_id": measure_id}
        for name, value in values.items():
            row.update(self._draft_value(name, value, today=today))
        if inspection_plan_id:
            row["kind"] = self._plan_mode(inspection_plan_id)
        row.update(
            {
                "summary": "",
                "state": RecordState.DRAFT.value,
                "created_by": read_current_user(self.db).name,
            }
        )
        return self.repo.insert("inspections", row)

    def set_field(
        self, inspection_id: str, name: str, value: Any, *, today: date | None = None
    ) -> list[str]:
        """Write one header field of a draft (``DRAFT_FIELDS``) in its own transaction.

        The field is checked as ``record`` checks it; a refused value writes nothing. Choosing
        a plan sets the record's mode to the plan's; a record of a plan cannot take the other
        mode. A new inspection date moves the record's findings with it (their date, and a
        整改期限 of N working days). Returns the columns that changed."""
        if name not in DRAFT_FIELDS:
            raise WriteError(f"检查记录没有可填写的字段“{name}”。")
        record = self._draft(inspection_id)
        today = today or date.today()
        values = self._draft_value(name, value, today=today)
        plan_id = values.get("inspection_plan_id", record["inspection_plan_id"])
        if name == "inspection_plan_id" and plan_id:
            values["kind"] = self._plan_mode(plan_id)
        if name == "kind" and plan_id and values["kind"] != self._plan_mode(plan_id):
            plan = self.repo.get("inspection_plans", plan_id)
            mode = InspectionKind(plan["mode"]).label
            raise WriteError(
                f"这份记录属于督查方案“{plan['name']}”（{mode}），检查方式随方案；"
                "如要改为另一种，请先把督查方案改为“不属于任何方案”。"
            )
        with self.repo.transaction():
            changed = self.repo.update("inspections", inspection_id, values)
            if "checked_on" in changed:
                self._move_findings(inspection_id, date.fromisoformat(values["checked_on"]))
        return changed

    def finalize(self, inspection_id: str, *, today: date | None = None) -> None:
        """完成: check the whole record as ``record`` would and make it ``final``."""
        record = self.findings.visible_record(inspection_id)
        if record["state"] == RecordState.FINAL:
            return
        self.check_draft(inspection_id, today=today)
        self.repo.update("inspections", inspection_id, {"state": RecordState.FINAL.value})

    def check_draft(self, inspection_id: str, *, today: date | None = None) -> None:
        """What ``finalize`` checks, without writing: WriteError with what is wrong."""
        record = self.findings.visible_record(inspection_id)
        self.check(
            record["measure_id"],
            checked_on=date.fromisoformat(record["checked_on"]),
            inspector=record["inspector"],
            today=today,
            inspection_plan_id=record["inspection_plan_id"],
            method=record["method"],
            department_id=record["department_id"],
            place=record["place"],
            summary=record["summary"],
        )

    def reopen_draft(self, inspection_id: str) -> None:
        """继续修改: a final record becomes a draft again, to be corrected and finished anew."""
        self.findings.visible_record(inspection_id)
        self.repo.update("inspections", inspection_id, {"state": RecordState.DRAFT.value})

    def discard_draft(self, inspection_id: str) -> None:
        """删除草稿: tombstone a draft with its checklist, its findings and its evidence rows
        (the evidence files stay in the folder; a tombstone can be restored). Refused once one
        of its findings has moved on in the 整改 workflow."""
        self._draft(inspection_id)
        moved = self.db.execute(
            "SELECT COUNT(*) FROM finding_events e JOIN findings f ON f.id = e.finding_id"
            " WHERE f.inspection_id = ? AND f.deleted = 0 AND e.deleted = 0",
            [inspection_id],
        ).fetchone()[0]
        if moved:
            raise WriteError("这份草稿中的问题已进入整改流程，不能删除草稿。")
        with self.repo.transaction():
            for table in ("evidence", "checklist_answers", "findings"):
                for (row_id,) in self.db.execute(
                    f"SELECT id FROM {table} WHERE inspection_id = ? AND deleted = 0",
                    [inspection_id],
                ).fetchall():
                    self.repo.delete(table, row_id)
            self.repo.delete("inspections", inspection_id)

    def draft_is_empty(self, inspection_id: str) -> bool:
        """Nothing was entered into this draft since ``start_draft``: no header field edited,
        no item answered, added or removed, no finding, no evidence."""
        db = self.db
        if edited_since_insert(db, "inspections", inspection_id):
            return False
        answered = db.execute(
            "SELECT 1 FROM checklist_answers WHERE inspection_id = ? AND (deleted = 1"
            " OR verdict IS NOT NULL OR measured_text <> '' OR note <> '' OR source = 'custom'"
            " OR finding_id IS NOT NULL) LIMIT 1",
            [inspection_id],
        ).fetchone()
        if answered is not None:
            return False
        for table in ("findings", "evidence"):
            if db.execute(
                f"SELECT 1 FROM {table} WHERE inspection_id = ? LIMIT 1", [inspection_id]
            ).fetchone():
                return False
        return True

    def drafts(self) -> list[InspectionEntry]:
        """The drafts the current user may see, most recently started first (to continue)."""
        rows = self.db.execute(
            f"{_ENTRY_SQL} WHERE i.deleted = 0 AND i.state = 'draft' AND {inspection_visible('i')}"
            " ORDER BY i.rowid DESC",
            viewer_of(self.db).params(),
        ).fetchall()
        return [_entry(row, ()) for row in rows]

    # ---- Reading ----------------------------------------------------------------------------

    def for_measure(self, measure_id: str, *, as_of: date) -> list[InspectionEntry]:
        """The measure's inspections up to ``as_of``, newest first, with their findings."""
        return read_inspections(self.db, measure_id, as_of=as_of)

    def get(self, inspection_id: str, *, as_of: date | None = None) -> InspectionEntry | None:
        """One record with all its findings, or None when missing or not visible.

        The findings' states (open, overdue, rectified) are as of ``as_of`` (or the record's
        date, if later); without it, as of the end of time."""
        params = {"id": inspection_id, **viewer_of(self.db).params()}
        row = self.db.execute(
            f"{_ENTRY_SQL} WHERE i.id = :id AND i.deleted = 0 AND {inspection_visible('i')}",
            params,
        ).fetchone()
        if row is None:
            return None
        measure_id = self.repo.get("inspections", inspection_id)["measure_id"]
        day = date.max if as_of is None else max(as_of, date.fromisoformat(row[2]))
        found = {entry.id: entry for entry in read_inspections(self.db, measure_id, as_of=day)}
        return found.get(inspection_id) or _entry(row, ())

    def open_by_measure(self, *, as_of: date) -> dict[str, int]:
        """measure id → how many of its findings the viewer may see are open at ``as_of``."""
        return dict(
            self.db.execute(
                f"SELECT f.measure_id, COUNT(*) FROM findings f WHERE {VISIBLE_OPEN_FINDING_SQL}"
                " GROUP BY f.measure_id",
                {"as_of": as_of.isoformat(), **viewer_of(self.db).params()},
            ).fetchall()
        )

    def open_count(self, *, as_of: date) -> int:
        """How many findings are open at ``as_of``, across the ledger."""
        return sum(self.open_by_measure(as_of=as_of).values())

    def last_inspector(self) -> str:
        """The usual default inspector: the current user, else who recorded the latest record
        this user may see."""
        user = read_current_user(self.db).name
        if user:
            return user
        row = self.db.execute(
            f"SELECT i.inspector FROM inspections i WHERE i.deleted = 0"
            f" AND {inspection_visible('i')} ORDER BY i.rowid DESC LIMIT 1",
            viewer_of(self.db).params(),
        ).fetchone()
        return row[0] if row else ""

    def departments(self, measure_id: str) -> list[tuple[str, str]]:
        """(id, name) of the departments a finding on this measure can be assigned to."""
        return measure_departments(self.db, measure_id)

    def methods(self) -> list[str]:
        """The live 检查方式 list, in its order."""
        return [
            name
            for (name,) in self.db.execute(
                "SELECT name FROM vocabulary WHERE list = 'method' AND deleted = 0"
                " ORDER BY position, name"
            )
        ]

    # ---- Internals ----------------------------------------------------------------------------

    def _draft(self, inspection_id: str) -> dict[str, Any]:
        record = self.findings.visible_record(inspection_id)
        if record["state"] != RecordState.DRAFT:
            raise WriteError(_FINAL_MESSAGE)
        return record

    def _plan_mode(self, plan_id: str) -> str:
        self._check_plan(plan_id)
        return InspectionKind(self.repo.get("inspection_plans", plan_id)["mode"]).value

    def _draft_value(self, name: str, value: Any, *, today: date) -> dict[str, Any]:
        """The column value of one header field, checked as ``record`` checks it."""
        if name == "checked_on":
            if not isinstance(value, date):
                raise WriteError("请填写检查日期。")
            if value > today:
                raise WriteError("检查日期不能晚于今天。")
            return {"checked_on": value.isoformat()}
        if name == "kind":
            try:
                return {"kind": InspectionKind(value).value}
            except ValueError:
                raise WriteError("请选择明察或暗访。") from None
        if name == "inspection_plan_id":
            if value:
                self._check_plan(value)
            return {"inspection_plan_id": value or None}
        if name == "department_id":
            if value:
                department = self.repo.get("departments", value)
                if department is None or department["deleted"]:
                    raise WriteError("受检部门不存在或已删除，请重新选择。")
            return {"department_id": value or None}
        text = str(value or "").strip()
        limit = MAX_TEXT_CHARS if name == "summary" else MAX_FIELD_CHARS
        if len(text) > limit:
            raise WriteError(f"{_FIELD_LABELS[name]}太长（最多 {limit} 字）。")
        if name == "method" and text and text not in self.methods():
            raise WriteError(f"检查方式“{text}”不在列表中，请先在检查方式列表中添加。")
        return {name: _names(text) if name == "inspector" else text}

    def _move_findings(self, inspection_id: str, checked_on: date) -> None:
        """The record's date changed: its findings were found on the new date (inside the
        caller's transaction; refused when that cannot be)."""
        for row_id, workdays, due in self.db.execute(
            "SELECT id, rectify_workdays, rectify_by FROM findings"
            " WHERE inspection_id = ? AND deleted = 0 ORDER BY rowid",
            [inspection_id],
        ).fetchall():
            if self.db.execute(
                "SELECT 1 FROM finding_events WHERE finding_id = ? AND deleted = 0 LIMIT 1",
                [row_id],
            ).fetchone():
                raise WriteError("这份记录的问题已进入整改流程，检查日期不能再改。")
            values: dict[str, Any] = {"found_on": checked_on.isoformat()}
            if workdays is not None:
                values["rectify_by"] = self.calendar.add_workdays(checked_on, workdays).isoformat()
            elif due is not None and date.fromisoformat(due) < checked_on:
                raise WriteError(
                    f"这份记录中有问题的整改期限（{due}）早于新的检查日期，"
                    "请先修改该问题的整改期限。"
                )
            self.repo.update("findings", row_id, values)

    def _check_measure(self, measure_id: str) -> None:
        measure = self.repo.get("measures", measure_id)
        if measure is None or measure["deleted"]:
            raise WriteError("该措施不存在或已删除。")

    def _check_plan(self, plan_id: str) -> None:
        plan = self.repo.get("inspection_plans", plan_id)
        visible = self.db.execute(
            f"SELECT 1 FROM inspection_plans p WHERE p.id = :id AND {plan_visible('p')}",
            {"id": plan_id, **viewer_of(self.db).params()},
        ).fetchone()
        if plan is None or plan["deleted"] or visible is None:
            raise WriteError("该督查方案不存在或已删除。")


def _names(text: str) -> str:
    """Inspector names as typed ("张三、李四", "张三,李四", "张三；李四") joined by "、"."""
    for separator in (",", "，", ";", "；", "/"):
        text = text.replace(separator, NAME_SEPARATOR)
    parts = [part.strip() for part in text.split(NAME_SEPARATOR)]
    return NAME_SEPARATOR.join(part for part in parts if part)
