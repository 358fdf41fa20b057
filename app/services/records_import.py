"""Importing a records file: upsert plans, records, answers, findings, 复查 and evidence by id.

``RecordsImport.import_file`` reads the file (app/services/records_json.py), then checks every
entry against the database with the services' own rules — the same ones the dialogs apply — and
only then writes, all in one transaction. Any problem is a ``RecordsFileError`` naming the entry;
the database is then exactly as it was. Importing the same file twice changes nothing the second
time.

Upsert rules (docs/records-json.md): an entry whose id is new is added; one whose id exists is
updated with the keys the file gives (the others stay as stored). The 整改 workflow only moves
forward: a file adds 整改情况 reports and 复查 records, replayed in date order through
``FINDING_TRANSITIONS`` from the finding's current stage; what was recorded is never rewritten.
A 暗访 entry the current user may not see cannot be overwritten (app/services/visibility.py).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.inspection import FindingAction, FindingStage, next_stage
from app.domain.ledger import InspectionKind
from app.services.findings import (
    FindingDraft,
    categories,
    finding_values,
    lead_department,
    measure_departments,
    problem_with,
)
from app.services.identity import read_current_user
from app.services.inspection_plans import (
    InspectionPlans,
    PlanDraft,
    plan_values,
    upsert_feedback,
    write_scope,
)
from app.services.inspections import Inspections
from app.services.records_json import (
    EvidenceIn,
    FindingIn,
    InspectionIn,
    PlanIn,
    RecordsFile,
    RecordsFileError,
    parse_records,
    read_records_file,
)
from app.services.visibility import finding_visible, inspection_visible, plan_visible, viewer_of
from app.storage import StorageError, WriteError

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.storage import Repository

KINDS = (
    "plans",
    "feedback",
    "inspections",
    "answers",
    "findings",
    "reports",
    "rechecks",
    "evidence",
)


@dataclass
class ImportSummary:
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def as_json(self) -> dict[str, dict[str, int]]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _Step:
    """One write of the import, planned while checking and run inside the transaction."""

    kind: str
    where: str
    run: Callable[[], bool | None]  # None: added; True: changed; False: unchanged


class RecordsImport:
    def __init__(self, repository: Repository, calendar: WorkCalendar) -> None:
        self.repo = repository
        self.db = repository.db
        self.calendar = calendar

    def import_file(self, path: str | Path, *, today: date | None = None) -> ImportSummary:
        return self.import_records(read_records_file(path), today=today)

    def import_bytes(self, data: bytes, *, today: date | None = None) -> ImportSummary:
        return self.import_records(parse_records(data), today=today)

    def import_records(self, records: RecordsFile, *, today: date | None = None) -> ImportSummary:
        try:
            steps = _Planner(self, records, today or date.today()).plan()
        except (StorageError, RecordsFileError):
            raise
        except WriteError as error:  # a rule of a service, met while checking
            raise RecordsFileError(str(error)) from error
        summary = ImportSummary()
        current = ""
        try:
            with self.repo.transaction():
                for step in steps:
                    current = step.where
                    outcome = step.run()
                    table = (
                        summary.added
                        if outcome is None
                        else summary.updated
                        if outcome
                        else summary.unchanged
                    )
                    table[step.kind] += 1
        except StorageError:
            raise
        except WriteError as error:  # the database refused a write the checks let through
            raise RecordsFileError(str(error), current) from error
        except sqlite3.IntegrityError as error:
            raise RecordsFileError(f"数据库拒绝了这条记录（{error}）。", current) from error
        return summary


class _Planner:
    """Checks every entry against the database and plans the writes; writes nothing."""

    def __init__(self, owner: RecordsImport, records: RecordsFile, today: date) -> None:
        self.repo = owner.repo
        self.db = owner.db
        self.calendar = owner.calendar
        self.records = records
        self.today = today
        self.viewer = viewer_of(self.db)
        self.user = read_current_user(self.db).name
        self.plans = InspectionPlans(owner.repo)
        self.inspections = Inspections(owner.repo, owner.calendar)
        self.categories = categories(self.db)
        self.steps: list[_Step] = []
        self.plan_modes: dict[str, str] = {}  # plans of the file: id → mode after the import

    # ---- The whole file ---------------------------------------------------------------------

    def plan(self) -> list[_Step]:
        self._unique_ids()
        for plan in self.records.plans:
            self._plan(plan)
        for inspection in self.records.inspections:
            self._inspection(inspection)
        return self.steps

    def _unique_ids(self) -> None:
        seen: dict[str, dict[str, str]] = {}

        def claim(table: str, entry_id: str, where: str) -> None:
            first = seen.setdefault(table, {}).setdefault(entry_id, where)
            if first != where:
                raise RecordsFileError(f"编号 {entry_id} 与 {first} 重复。", where)

        for plan in self.records.plans:
            claim("plans", plan.id, plan.where)
        for inspection in self.records.inspections:
            claim("inspections", inspection.id, inspection.where)
            evidence = list(inspection.evidence)
            for answer in inspection.answers:
                claim("answers", answer.id, answer.where)
                evidence += answer.evidence
            for finding in inspection.findings:
                claim("findings", finding.id, finding.where)
                evidence += finding.evidence
                for report in finding.reports:
                    claim("events", report.id, report.where)
                for recheck in finding.rechecks:
                    claim("rechecks", recheck.id, recheck.where)
                    evidence += recheck.evidence
            for item in evidence:
                claim("evidence", item.id, item.where)

    # ---- Plans --------------------------------------------------------------------------------

    def _plan(self, entry: PlanIn) -> None:
        stored = self._stored("inspection_plans", entry.id, entry.where, "督查方案")
        if stored is not None and not self._visible("inspection_plans", entry.id, plan_visible):
            raise RecordsFileError(
                "该编号的督查方案已存在，但它是你无权查看的暗访方案，不能覆盖。", entry.where
            )
        f = entry.fields
        if stored is None:
            for key, label in (("name", "方案名称"), ("mode", "明察/暗访方式")):
                if key not in f:
                    raise RecordsFileError(f"新方案缺少字段“{key}”（{label}）。", entry.where)
        scope = self._stored_scope(entry.id) if stored else ([], [])
        departments = (
            [self._department(name, where) for name, where in entry.departments]
            if entry.departments is not None
            else scope[1]
        )
        draft = PlanDraft(
            name=f.get("name", stored and stored["name"]),
            mode=InspectionKind(f.get("mode", stored and stored["mode"])),
            starts_on=f["starts_on"] if "starts_on" in f else _day(stored, "starts_on"),
            ends_on=f["ends_on"] if "ends_on" in f else _day(stored, "ends_on"),
            methods=tuple(f.get("methods", _list(stored, "methods"))),
            sites=tuple(f.get("sites", _list(stored, "sites"))),
            inspectors=tuple(f.get("inspectors", _list(stored, "inspectors"))),
            measure_ids=tuple(entry.measures if entry.measures is not None else scope[0]),
            department_ids=tuple(departments),
        )
        self._rule(lambda: self.plans.check(draft), entry.where)
        if stored is not None and draft.mode.value != stored["mode"]:
            records = self.db.execute(
                "SELECT COUNT(*) FROM inspections WHERE inspection_plan_id = ? AND deleted = 0",
                [entry.id],
            ).fetchone()[0]
            if records or any(i.plan_id == entry.id for i in self.records.inspections):
                raise RecordsFileError(
                    "该方案已有检查记录，不能更改明察/暗访方式。", f"{entry.where}.mode"
                )
        conclusion = f.get("conclusion", stored["conclusion"] if stored else "")
        concluded_on = f["concluded_on"] if "concluded_on" in f else _day(stored, "concluded_on")
        if conclusion.strip() and concluded_on is None:
            raise RecordsFileError("有督查结论时请填写结论日期 concluded_on。", entry.where)
        if concluded_on is not None:
            if concluded_on > self.today:
                raise RecordsFileError("结论日期不能晚于今天。", f"{entry.where}.concluded_on")
            if draft.starts_on and concluded_on < draft.starts_on:
                raise RecordsFileError(
                    "结论日期不能早于方案的开始日期。", f"{entry.where}.concluded_on"
                )
        self.plan_modes[entry.id] = draft.mode.value
        values = plan_values(draft) | {
            "conclusion": conclusion.strip(),
            "concluded_on": _iso(concluded_on),
        }
        if stored is None:
            values |= {"created_on": self.today.isoformat(), "created_by": self.user}

        def write_plan() -> bool | None:
            outcome = self._upsert("inspection_plans", entry.id, values, stored is None)
            scope_changed = write_scope(self.repo, entry.id, draft)
            return outcome if outcome is None else outcome or scope_changed

        self.steps.append(_Step("plans", entry.where, write_plan))
        for item in entry.feedback:
            department_id = self._department(item.department, f"{item.where}.department")
            if concluded_on is None:
                raise RecordsFileError("请先填写督查结论，再登记向部门反馈的日期。", item.where)
            if item.fed_back_on > self.today:
                raise RecordsFileError("反馈日期不能晚于今天。", f"{item.where}.fed_back_on")
            if item.fed_back_on < concluded_on:
                raise RecordsFileError(
                    "反馈日期不能早于督查结论的日期。", f"{item.where}.fed_back_on"
                )
            self.steps.append(
                _Step(
                    "feedback",
                    item.where,
                    lambda d=department_id, i=item: upsert_feedback(
                        self.repo, entry.id, d, i.fed_back_on, i.note
                    )[1],
                )
            )

    def _stored_scope(self, plan_id: str) -> tuple[list[str], list[str]]:
        rows = self.db.execute(
            "SELECT measure_id, department_id FROM inspection_plan_scope"
            " WHERE inspection_plan_id = ? AND deleted = 0 ORDER BY rowid",
            [plan_id],
        ).fetchall()
        return [m for m, _d in rows if m], [d for _m, d in rows if d]

    # ---- Records ------------------------------------------------------------------------------

    def _inspection(self, entry: InspectionIn) -> None:
        stored = self._stored("inspections", entry.id, entry.where, "检查记录")
        if stored is not None and not self._visible("inspections", entry.id, inspection_visible):
            raise RecordsFileError(
                "该编号的检查记录已存在，但它是你无权查看的暗访记录，不能覆盖。", entry.where
            )
        f = dict(entry.fields)
        if stored is None:
            for key, label in (
                ("measure_id", "措施编号"),
                ("checked_on", "检查日期"),
                ("inspector", "检查人 inspectors"),
            ):
                if key not in f:
                    raise RecordsFileError(f"新检查记录缺少“{label}”。", entry.where)
            if "kind" not in f and not entry.plan_id:
                raise RecordsFileError("新检查记录缺少“kind”（open 或 covert）。", entry.where)
        plan_id = entry.plan_id if entry.plan_given else (stored and stored["inspection_plan_id"])
        kind = f.get("kind", stored and stored["kind"])
        if plan_id:
            mode = self.plan_modes.get(plan_id) or self._db_plan_mode(plan_id, entry.where)
            if "kind" in f and f["kind"] != mode:
                raise RecordsFileError(
                    f"检查记录属于{InspectionKind(mode).label}方案，kind 应为 {mode}。",
                    f"{entry.where}.kind",
                )
            kind = mode
        merged = {
            key: f.get(key, stored[key] if stored else default)
            for key, default in (
                ("measure_id", ""),
                ("checked_on", None),
                ("inspector", ""),
                ("place", ""),
                ("summary", ""),
                ("method", ""),
                ("state", "final"),
            )
        }
        checked_on = merged["checked_on"]
        if isinstance(checked_on, str):
            checked_on = date.fromisoformat(checked_on)
        if entry.department is not None:
            department_id = (
                self._department(entry.department, f"{entry.where}.department")
                if entry.department
                else None
            )
        else:
            department_id = stored["department_id"] if stored else None
        if stored is not None:
            has_findings = self.db.execute(
                "SELECT COUNT(*) FROM findings WHERE inspection_id = ? AND deleted = 0",
                [entry.id],
            ).fetchone()[0]
            if kind != stored["kind"]:
                raise RecordsFileError(
                    "已有检查记录的明察/暗访方式不能通过导入更改。", f"{entry.where}.kind"
                )
            for key, label in (("measure_id", "措施"), ("checked_on", "检查日期")):
                now = checked_on.isoformat() if key == "checked_on" else merged[key]
                if has_findings and now != stored[key]:
                    raise RecordsFileError(
                        f"该记录已有发现的问题，{label}不能通过导入更改。", f"{entry.where}.{key}"
                    )
        self._rule(
            lambda: self.inspections.check(
                merged["measure_id"],
                checked_on=checked_on,
                inspector=merged["inspector"],
                today=self.today,
                method=merged["method"],
                department_id=department_id,
                place=merged["place"],
                summary=merged["summary"],
            ),
            entry.where,
        )
        values = {
            "measure_id": merged["measure_id"],
            "kind": kind,
            "checked_on": checked_on.isoformat(),
            "inspector": merged["inspector"],
            "place": merged["place"],
            "summary": merged["summary"],
            "inspection_plan_id": plan_id or None,
            "method": merged["method"],
            "department_id": department_id,
            "state": merged["state"],
        }
        if stored is None:
            values["created_by"] = self.user
        self.steps.append(
            _Step(
                "inspections",
                entry.where,
                lambda: self._upsert("inspections", entry.id, values, stored is None),
            )
        )
        finding_ids = {finding.id for finding in entry.findings} | {
            row_id
            for (row_id,) in self.db.execute(
                "SELECT id FROM findings WHERE inspection_id = ? AND deleted = 0", [entry.id]
            )
        }
        workflow: list[_Step] = []
        evidence: list[tuple[EvidenceIn, str, str]] = [
            (item, "inspection_id", entry.id) for item in entry.evidence
        ]
        for finding in entry.findings:
            workflow += self._finding(finding, entry.id, values["measure_id"], checked_on)
            evidence += [(item, "finding_id", finding.id) for item in finding.evidence]
            for recheck in finding.rechecks:
                evidence += [(item, "recheck_id", recheck.id) for item in recheck.evidence]
        for answer in entry.answers:
            self._answer(answer, entry.id, finding_ids)
            evidence += [(item, "answer_id", answer.id) for item in answer.evidence]
        self.steps += workflow
        for item, column, parent in evidence:
            self._evidence(item, column, parent)

    def _db_plan_mode(self, plan_id: str, where: str) -> str:
        plan = self.plans.get(plan_id)
        if plan is None:
            raise RecordsFileError(
                f"督查方案 {plan_id} 不存在（文件和数据库中都没有，或你无权查看）。",
                f"{where}.plan_id",
            )
        return plan.mode.value

    # ---- Findings and their workflow -------------------------------------------------------

    def _finding(
        self, entry: FindingIn, inspection_id: str, measure_id: str, found_on: date
    ) -> list[_Step]:
        stored = self._stored("findings", entry.id, entry.where, "问题")
        if stored is not None:
            if stored["inspection_id"] != inspection_id:
                raise RecordsFileError(
                    "该编号的问题属于另一条检查记录，不能移到这条记录下。", entry.where
                )
            if not self._visible("findings", entry.id, lambda alias: finding_visible(alias)):
                raise RecordsFileError("该编号的问题属于你无权查看的暗访记录。", entry.where)
        f = entry.fields
        if stored is None and "description" not in f:
            raise RecordsFileError("新问题缺少问题描述“description”。", entry.where)
        if entry.department is not None:
            department_id = self._department(entry.department, f"{entry.where}.department")
        elif stored is not None:
            department_id = stored["department_id"]
        else:
            department_id = lead_department(self.db, measure_id)
        if entry.rectify_workdays is not None or entry.rectify_by is not None:
            workdays, rectify_by = entry.rectify_workdays, entry.rectify_by
        elif stored is not None:
            workdays = stored["rectify_workdays"]
            rectify_by = None if workdays is not None else _day(stored, "rectify_by")
        else:
            workdays, rectify_by = None, None
        draft = FindingDraft(
            description=f.get("description", stored and stored["description"]),
            department_id=department_id,
            rectify_by=rectify_by,
            category=f.get("category"),
            severity=f.get("severity", stored["severity"] if stored else "minor"),
            rectify_workdays=workdays,
        )
        reason = problem_with(
            draft,
            found_on=found_on,
            departments=[d for d, _n in measure_departments(self.db, measure_id)],
            known_categories=self.categories,
        )
        if reason:
            raise RecordsFileError(f"问题{reason}。", entry.where)
        values = finding_values(
            self.calendar, draft, found_on=found_on, default_department=department_id
        )
        if "category" not in f:
            values["category"] = stored["category"] if stored else "其他"
        values |= {"inspection_id": inspection_id, "measure_id": measure_id}
        if stored is not None and stored["stage"] == FindingStage.CLOSED:
            changed = [key for key, value in values.items() if stored[key] != value]
            if changed:
                raise RecordsFileError(
                    f"该问题已销号，不能通过导入修改（{changed[0]}）。如需更正请先撤销销号。",
                    entry.where,
                )
        self.steps.append(
            _Step(
                "findings",
                entry.where,
                lambda: self._upsert("findings", entry.id, values, stored is None),
            )
        )
        return self._workflow(entry, stored, found_on)

    def _workflow(
        self, entry: FindingIn, stored: dict[str, Any] | None, found_on: date
    ) -> list[_Step]:
        stage = FindingStage(stored["stage"]) if stored else FindingStage.PENDING
        last_day, last_where = found_on, "发现问题"
        if stored is not None:
            row = self.db.execute(
                "SELECT MAX(happened_on) FROM finding_events WHERE finding_id = ? AND deleted = 0",
                [entry.id],
            ).fetchone()
            if row[0]:
                last_day, last_where = date.fromisoformat(row[0]), "已记录的上一步"
        steps: list[_Step] = []
        moves: list[tuple[date, int, int, Any]] = []
        for index, report in enumerate(entry.reports):
            event = self._stored("finding_events", report.id, report.where, "整改情况")
            if event is None:
                moves.append((report.reported_on, 0, index, report))
                continue
            if event["finding_id"] != entry.id or event["action"] != FindingAction.REPORT:
                raise RecordsFileError(
                    "该编号已是另一条记录，不是这个问题的整改情况。", report.where
                )
            if event["happened_on"] != report.reported_on.isoformat():
                raise RecordsFileError(
                    "已导入的整改情况不能改日期。", f"{report.where}.reported_on"
                )
            steps.append(
                _Step(
                    "reports",
                    report.where,
                    _report_text_writer(self.repo, entry.id, report.id, report.text),
                )
            )
        for index, recheck in enumerate(entry.rechecks):
            row = self._stored("rechecks", recheck.id, recheck.where, "复查")
            if row is None:
                moves.append((recheck.checked_on, 1, index, recheck))
                continue
            if row["finding_id"] != entry.id:
                raise RecordsFileError("该编号的复查属于另一个问题。", recheck.where)
            if row["checked_on"] != recheck.checked_on.isoformat() or (row["result"] == "pass") != (
                recheck.passed
            ):
                raise RecordsFileError("已导入的复查不能改日期或结论。", recheck.where)
            values = {"inspector": recheck.inspector}
            if recheck.note is not None:
                values["note"] = recheck.note.strip()
            steps.append(
                _Step(
                    "rechecks",
                    recheck.where,
                    lambda r=recheck, v=values: self._upsert("rechecks", r.id, v, False),
                )
            )
        for day, order, _index, item in sorted(moves, key=lambda move: move[:3]):
            if order == 0:
                action = FindingAction.REPORT
            else:
                action = FindingAction.RECHECK_PASS if item.passed else FindingAction.RECHECK_FAIL
            target = next_stage(stage, action)
            if target is None:
                raise RecordsFileError(
                    f"此时该问题为“{stage.label}”，不能“{action.label}”"
                    + ("（复查前需要先报送整改情况）。" if order else "。"),
                    item.where,
                )
            if day > self.today:
                raise RecordsFileError("日期不能晚于今天。", item.where)
            if day < last_day:
                raise RecordsFileError(
                    f"日期早于{last_where}（{last_day.isoformat()}）。", item.where
                )
            stage, last_day, last_where = target, day, item.where
            steps.append(self._move_step(entry.id, action, target, item))
        return steps

    def _move_step(self, finding_id: str, action: FindingAction, target: FindingStage, item):
        repo, user = self.repo, self.user
        if action is FindingAction.REPORT:
            fields = {
                "stage": target.value,
                "rectification": item.text,
                "reported_on": item.reported_on.isoformat(),
            }
            event = {
                "finding_id": finding_id,
                "happened_on": item.reported_on.isoformat(),
                "stage": target.value,
                "action": action.value,
                "note": item.text,
                "actor": user,
            }

            def report() -> None:
                repo.update("findings", finding_id, fields)
                repo.insert("finding_events", event, row_id=item.id)

            return _Step("reports", item.where, report)
        passed = action is FindingAction.RECHECK_PASS
        fields = {"stage": target.value}
        if passed:
            fields["rectified_on"] = item.checked_on.isoformat()
        note = (item.note or "").strip()
        event = {
            "finding_id": finding_id,
            "happened_on": item.checked_on.isoformat(),
            "stage": target.value,
            "action": action.value,
            "note": note,
            "actor": user,
        }
        recheck = {
            "finding_id": finding_id,
            "checked_on": item.checked_on.isoformat(),
            "inspector": item.inspector,
            "result": "pass" if passed else "fail",
            "note": note,
        }

        def recheck_step() -> None:
            repo.update("findings", finding_id, fields)
            repo.insert("finding_events", event, row_id=str(uuid.uuid4()))
            repo.insert("rechecks", recheck, row_id=item.id)

        return _Step("rechecks", item.where, recheck_step)

    # ---- Checklist answers and evidence ----------------------------------------------------

    def _answer(self, entry, inspection_id: str, finding_ids: set[str]) -> None:
        stored = self._stored("checklist_answers", entry.id, entry.where, "检查项")
        if stored is not None and stored["inspection_id"] != inspection_id:
            raise RecordsFileError("该编号的检查项属于另一条检查记录。", entry.where)
        f = dict(entry.fields)
        if stored is None:
            for key in ("source", "text"):
                if key not in f:
                    raise RecordsFileError(f"新检查项缺少字段“{key}”。", entry.where)
        finding_id = f.get("finding_id")
        if finding_id and finding_id not in finding_ids:
            raise RecordsFileError(
                f"问题 {finding_id} 不是这条检查记录的问题。", f"{entry.where}.finding_id"
            )
        if f.get("op") is not None and f.get("value") is None and not (stored and stored["value"]):
            raise RecordsFileError("有比较方式 op 时请填写目标值 value。", entry.where)
        values = {"inspection_id": inspection_id, **f}
        self.steps.append(
            _Step(
                "answers",
                entry.where,
                lambda: self._upsert("checklist_answers", entry.id, values, stored is None),
            )
        )

    def _evidence(self, entry: EvidenceIn, column: str, parent: str) -> None:
        stored = self._stored("evidence", entry.id, entry.where, "证据")
        if stored is not None and stored[column] != parent:
            raise RecordsFileError("该编号的证据属于另一条记录。", entry.where)
        f = dict(entry.fields)
        if stored is None:
            for key in ("sha256", "size"):
                if key not in f:
                    raise RecordsFileError(f"新证据缺少字段“{key}”。", entry.where)
            f.setdefault("imported_at", datetime.now().replace(microsecond=0).isoformat())
        values = {column: parent, **f}
        self.steps.append(
            _Step(
                "evidence",
                entry.where,
                lambda: self._upsert("evidence", entry.id, values, stored is None),
            )
        )

    # ---- Helpers ------------------------------------------------------------------------------

    def _stored(self, table: str, row_id: str, where: str, label: str) -> dict[str, Any] | None:
        row = self.repo.get(table, row_id)
        if row is not None and row["deleted"]:
            raise RecordsFileError(f"编号为 {row_id} 的{label}已删除，不能导入覆盖。", where)
        return row

    def _visible(self, table: str, row_id: str, predicate: Callable[[str], str]) -> bool:
        return (
            self.db.execute(
                f"SELECT 1 FROM {table} x WHERE x.id = :id AND {predicate('x')}",
                {"id": row_id, **self.viewer.params()},
            ).fetchone()
            is not None
        )

    def _department(self, name: str, where: str) -> str:
        rows = {
            row_id
            for (row_id,) in self.db.execute(
                "SELECT id FROM departments WHERE name = :name AND deleted = 0"
                " UNION SELECT d.id FROM department_aliases a JOIN departments d"
                " ON d.id = a.department_id WHERE a.alias = :name AND a.deleted = 0"
                " AND d.deleted = 0",
                {"name": name.strip()},
            )
        }
        if not rows:
            raise RecordsFileError(
                f"部门“{name}”不在部门名录中（名称和别名都对不上）。请改用名录中的名称，"
                "或先在部门名录中把它添加为别名。",
                where,
            )
        if len(rows) > 1:
            raise RecordsFileError(f"“{name}”对应名录中的多个部门，请写全称。", where)
        return rows.pop()

    def _rule(self, check: Callable[[], None], where: str) -> None:
        try:
            check()
        except StorageError:
            raise
        except WriteError as error:
            raise RecordsFileError(str(error), where) from error

    def _upsert(self, table: str, row_id: str, values: dict[str, Any], new: bool) -> bool | None:
        if new:
            self.repo.insert(table, values, row_id=row_id)
            return None
        return bool(self.repo.update(table, row_id, values))


def _report_text_writer(
    repo: Repository, finding_id: str, event_id: str, text: str
) -> Callable[[], bool]:
    def write() -> bool:
        changed = bool(repo.update("finding_events", event_id, {"note": text}))
        latest = repo.db.execute(
            "SELECT id FROM finding_events WHERE finding_id = ? AND action = 'report'"
            " AND deleted = 0 ORDER BY happened_on DESC, rowid DESC LIMIT 1",
            [finding_id],
        ).fetchone()
        if latest and latest[0] == event_id:
            changed = bool(repo.update("findings", finding_id, {"rectification": text})) or changed
        return changed

    return write


def _day(row: dict[str, Any] | None, key: str) -> date | None:
    return date.fromisoformat(row[key]) if row and row[key] else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _list(row: dict[str, Any] | None, key: str) -> list[str]:
    if not row:
        return []
    try:
        value = json.loads(row[key])
    except (TypeError, ValueError):
        return []
    return [str(item) for item in value] if isinstance(value, list) else []
