"""督查方案 / 检查批次: what a round of 明察 or 暗访 covers, who does it, and what it concluded.

A plan has a name, a period, a mode (明察 / 暗访: its records take it), methods (from the editable
检查方式 list), target measures and departments (``inspection_plan_scope``), sites, inspectors, and
— once done — the 督查结论 with the date it was fed back (反馈) to each inspected department
(``inspection_feedback``), as 《政府督查工作条例》 requires. A 暗访 plan is confidential like its
records (app/services/visibility.py: ``plan_visible``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.collation import collated
from app.domain.ledger import InspectionKind
from app.services.findings import lead_department
from app.services.identity import NAME_SEPARATOR, read_current_user
from app.services.visibility import plan_visible, viewer_of
from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository

MAX_NAME_CHARS = 200
MAX_LIST_ITEMS = 200
MAX_CONCLUSION_CHARS = 20000


@dataclass(frozen=True)
class PlanDraft:
    """A plan as the office writes it (ids for measures and departments)."""

    name: str
    mode: InspectionKind
    starts_on: date | None = None
    ends_on: date | None = None
    methods: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    inspectors: tuple[str, ...] = ()
    measure_ids: tuple[str, ...] = ()
    department_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feedback:
    department_id: str
    department: str
    fed_back_on: date
    note: str


@dataclass(frozen=True)
class InspectionPlan:
    id: str
    name: str
    mode: InspectionKind
    starts_on: date | None
    ends_on: date | None
    methods: tuple[str, ...]
    sites: tuple[str, ...]
    inspectors: tuple[str, ...]
    measure_ids: tuple[str, ...]
    department_ids: tuple[str, ...]
    conclusion: str
    concluded_on: date | None
    created_by: str
    record_count: int = 0
    feedback: tuple[Feedback, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RecordDefaults:
    """What a new record starts with (app/services/inspections.py: start_draft; the record
    form's header when a plan is chosen)."""

    method: str
    place: str
    department_id: str | None


def record_defaults(
    plan: InspectionPlan | None, departments: Sequence[str], methods: Sequence[str]
) -> RecordDefaults:
    """The defaults of a new record of a measure whose departments are ``departments`` (ids,
    lead first) in ``plan``: the plan's first method still in ``methods``; its site when it has
    only one; the inspected department: the first of the measure's departments the plan
    targets, else the plan's only target department, else the measure's lead."""
    method = next((m for m in plan.methods if m in methods), "") if plan else ""
    place = plan.sites[0] if plan and len(plan.sites) == 1 else ""
    targeted = set(plan.department_ids) if plan else set()
    department = next((d for d in departments if d in targeted), None)
    if department is None and plan is not None and len(plan.department_ids) == 1:
        department = plan.department_ids[0]
    if department is None and departments:
        department = departments[0]
    return RecordDefaults(method, place, department)


def plan_first(preferred: Sequence[str], names: Sequence[str]) -> list[str]:
    """``names`` with the plan's ones (``preferred``, in the plan's order) first."""
    first = [name for name in preferred if name in names]
    return first + [name for name in names if name not in first]


class InspectionPlans:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db

    # ---- Writing ------------------------------------------------------------------------------

    def create(self, draft: PlanDraft, *, today: date | None = None) -> str:
        self.check(draft)
        with self.repo.transaction():
            plan_id = self.repo.insert(
                "inspection_plans",
                {
                    **plan_values(draft),
                    "created_on": (today or date.today()).isoformat(),
                    "created_by": read_current_user(self.db).name,
                },
            )
            write_scope(self.repo, plan_id, draft)
        return plan_id

    def update(self, plan_id: str, draft: PlanDraft) -> None:
        """Change a plan; its scope becomes exactly the draft's measures and departments."""
        plan = self._visible(plan_id)
        self.check(draft)
        if draft.mode != plan["mode"] and self._record_count(plan_id):
            raise WriteError(
                "该方案已有检查记录，不能更改明察/暗访方式（记录随方案的方式保密或公开）。"
            )
        with self.repo.transaction():
            self.repo.update("inspection_plans", plan_id, plan_values(draft))
            write_scope(self.repo, plan_id, draft)

    def conclude(
        self, plan_id: str, conclusion: str, on: date, *, today: date | None = None
    ) -> None:
        """The 督查结论 and the day it was reached."""
        plan = self._visible(plan_id)
        text = conclusion.strip()
        if not text:
            raise WriteError("请填写督查结论。")
        if len(text) > MAX_CONCLUSION_CHARS:
            raise WriteError(f"督查结论太长（最多 {MAX_CONCLUSION_CHARS} 字）。")
        if on > (today or date.today()):
            raise WriteError("结论日期不能晚于今天。")
        if plan["starts_on"] and on < date.fromisoformat(plan["starts_on"]):
            raise WriteError("结论日期不能早于方案的开始日期。")
        self.repo.update(
            "inspection_plans", plan_id, {"conclusion": text, "concluded_on": on.isoformat()}
        )

    def feed_back(
        self,
        plan_id: str,
        department_id: str,
        on: date,
        *,
        note: str = "",
        today: date | None = None,
    ) -> str:
        """The conclusion was fed back (反馈) to a department on ``on``; one entry per department
        (a second call corrects it). Returns the feedback row's id."""
        plan = self._visible(plan_id)
        if not plan["concluded_on"]:
            raise WriteError("请先填写督查结论，再登记向部门反馈的日期。")
        department = self.repo.get("departments", department_id)
        if department is None or department["deleted"]:
            raise WriteError("该部门不存在或已删除。")
        if on > (today or date.today()):
            raise WriteError("反馈日期不能晚于今天。")
        if on < date.fromisoformat(plan["concluded_on"]):
            raise WriteError("反馈日期不能早于督查结论的日期。")
        with self.repo.transaction():
            return upsert_feedback(self.repo, plan_id, department_id, on, note)[0]

    def check(self, draft: PlanDraft) -> None:
        """Raise WriteError with the first reason the draft cannot be saved."""
        name = draft.name.strip()
        if not name:
            raise WriteError("请填写督查方案的名称。")
        if len(name) > MAX_NAME_CHARS:
            raise WriteError(f"方案名称太长（最多 {MAX_NAME_CHARS} 字）。")
        try:
            mode = InspectionKind(draft.mode)
        except ValueError:
            raise WriteError("方式应为明察或暗访。") from None
        if draft.starts_on and draft.ends_on and draft.ends_on < draft.starts_on:
            raise WriteError("方案的结束日期早于开始日期。")
        for label, items in (
            ("检查方式", draft.methods),
            ("检查地点", draft.sites),
            ("督查人员", draft.inspectors),
            ("督查措施", draft.measure_ids),
            ("督查部门", draft.department_ids),
        ):
            if len(items) > MAX_LIST_ITEMS:
                raise WriteError(f"{label}太多（最多 {MAX_LIST_ITEMS} 个）。")
            if any(not str(item).strip() or len(str(item)) > MAX_NAME_CHARS for item in items):
                raise WriteError(f"{label}中有空白或过长的一项。")
        for person in draft.inspectors:
            if NAME_SEPARATOR in person or "," in person or "，" in person:
                raise WriteError(f"督查人员“{person}”：每项只填一个人的姓名。")
        if mode is InspectionKind.COVERT and not draft.inspectors:
            raise WriteError("暗访方案请填写督查人员：只有他们和审核人能看到暗访记录。")
        known = set(self.methods())
        for method in draft.methods:
            if method.strip() not in known:
                raise WriteError(f"检查方式“{method}”不在列表中，请先在检查方式列表中添加。")
        for measure_id in draft.measure_ids:
            measure = self.repo.get("measures", measure_id)
            if measure is None or measure["deleted"]:
                raise WriteError(f"督查措施 {measure_id} 不存在或已删除。")
        for department_id in draft.department_ids:
            department = self.repo.get("departments", department_id)
            if department is None or department["deleted"]:
                raise WriteError(f"督查部门 {department_id} 不存在或已删除。")

    # ---- Reading ------------------------------------------------------------------------------

    def get(self, plan_id: str) -> InspectionPlan | None:
        """The plan, or None when missing, deleted or not visible to the current user."""
        plans = self._read("p.id = :id", {"id": plan_id})
        return plans[0] if plans else None

    def list(self) -> list[InspectionPlan]:
        """Every plan the current user may see, newest period first."""
        return self._read("1", {})

    def lead_department(self, measure_id: str) -> str | None:
        """The measure's lead department (ticked when the measure joins a plan's targets)."""
        return lead_department(self.db, measure_id)

    def inspected_departments(self, plan_id: str) -> list[tuple[str, str]]:
        """(id, name) of the departments the 督查结论 goes back to, in pinyin order: the plan's
        target departments, the lead departments of its target measures, and the departments
        its records inspected or its findings hold responsible."""
        self._visible(plan_id)
        rows = self.db.execute(
            "SELECT d.id, d.name FROM departments d WHERE d.deleted = 0 AND d.id IN ("
            " SELECT department_id FROM inspection_plan_scope WHERE inspection_plan_id = :plan"
            " AND deleted = 0 AND department_id IS NOT NULL"
            " UNION SELECT s.department_id FROM inspection_plan_scope c JOIN assignments s"
            " ON s.measure_id = c.measure_id AND s.deleted = 0 AND s.role = 'lead'"
            " WHERE c.inspection_plan_id = :plan AND c.deleted = 0"
            " UNION SELECT department_id FROM inspections WHERE inspection_plan_id = :plan"
            " AND deleted = 0 AND department_id IS NOT NULL"
            " UNION SELECT f.department_id FROM findings f JOIN inspections i"
            " ON i.id = f.inspection_id WHERE i.inspection_plan_id = :plan AND i.deleted = 0"
            " AND f.deleted = 0 AND f.department_id IS NOT NULL)",
            {"plan": plan_id},
        ).fetchall()
        return collated(((row[0], row[1]) for row in rows), key=lambda pair: pair[1])

    def methods(self) -> list[str]:
        return [
            name
            for (name,) in self.db.execute(
                "SELECT name FROM vocabulary WHERE list = 'method' AND deleted = 0"
                " ORDER BY position, name"
            )
        ]

    # ---- Internals ----------------------------------------------------------------------------

    def _read(self, where: str, params: dict[str, Any]) -> list[InspectionPlan]:
        rows = self.db.execute(
            "SELECT p.id, p.name, p.mode, p.starts_on, p.ends_on, p.methods, p.sites,"
            " p.inspectors, p.conclusion, p.concluded_on, p.created_by,"
            " (SELECT COUNT(*) FROM inspections i WHERE i.inspection_plan_id = p.id"
            " AND i.deleted = 0) FROM inspection_plans p"
            f" WHERE p.deleted = 0 AND {where} AND {plan_visible('p')}"
            " ORDER BY p.starts_on IS NULL, p.starts_on DESC, p.rowid DESC",
            {**params, **viewer_of(self.db).params()},
        ).fetchall()
        result = []
        for row in rows:
            plan_id = row[0]
            scope = self.db.execute(
                "SELECT measure_id, department_id FROM inspection_plan_scope"
                " WHERE inspection_plan_id = ? AND deleted = 0 ORDER BY rowid",
                [plan_id],
            ).fetchall()
            feedback = tuple(
                Feedback(department_id, name, date.fromisoformat(day), note)
                for department_id, name, day, note in self.db.execute(
                    "SELECT b.department_id, d.name, b.fed_back_on, b.note"
                    " FROM inspection_feedback b JOIN departments d ON d.id = b.department_id"
                    " WHERE b.inspection_plan_id = ? AND b.deleted = 0"
                    " ORDER BY b.fed_back_on, d.name",
                    [plan_id],
                )
            )
            result.append(
                InspectionPlan(
                    plan_id,
                    row[1],
                    InspectionKind(row[2]),
                    _day(row[3]),
                    _day(row[4]),
                    _json_list(row[5]),
                    _json_list(row[6]),
                    _json_list(row[7]),
                    tuple(m for m, _d in scope if m),
                    tuple(d for _m, d in scope if d),
                    row[8],
                    _day(row[9]),
                    row[10],
                    row[11],
                    feedback,
                )
            )
        return result

    def _visible(self, plan_id: str) -> dict[str, Any]:
        plan = self.repo.get("inspection_plans", plan_id)
        if plan is None or plan["deleted"] or self.get(plan_id) is None:
            raise WriteError("该督查方案不存在或已删除。")
        return plan

    def _record_count(self, plan_id: str) -> int:
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM inspections WHERE inspection_plan_id = ? AND deleted = 0",
                [plan_id],
            ).fetchone()[0]
        )


def write_scope(repo: Repository, plan_id: str, draft: PlanDraft) -> bool:
    """The plan's scope becomes the draft's measures and departments; True when it changed."""
    wanted = [("measure", m) for m in dict.fromkeys(draft.measure_ids)] + [
        ("department", d) for d in dict.fromkeys(draft.department_ids)
    ]
    existing: set[tuple[str, str]] = set()
    changed = False
    for row_id, measure_id, department_id in repo.db.execute(
        "SELECT id, measure_id, department_id FROM inspection_plan_scope"
        " WHERE inspection_plan_id = ? AND deleted = 0",
        [plan_id],
    ).fetchall():
        key = ("measure", measure_id) if measure_id else ("department", department_id)
        if key in existing or key not in wanted:
            repo.delete("inspection_plan_scope", row_id)
            changed = True
        else:
            existing.add(key)
    for kind, target in wanted:
        if (kind, target) not in existing:
            repo.insert(
                "inspection_plan_scope",
                {
                    "inspection_plan_id": plan_id,
                    "measure_id": target if kind == "measure" else None,
                    "department_id": target if kind == "department" else None,
                },
            )
            changed = True
    return changed


def upsert_feedback(
    repo: Repository, plan_id: str, department_id: str, on: date, note: str
) -> tuple[str, bool | None]:
    """The one feedback row of a department: (its id, None when added / whether it changed)."""
    values = {"fed_back_on": on.isoformat(), "note": note.strip()}
    row = repo.db.execute(
        "SELECT id FROM inspection_feedback WHERE inspection_plan_id = ?"
        " AND department_id = ? AND deleted = 0 ORDER BY rowid LIMIT 1",
        [plan_id, department_id],
    ).fetchone()
    if row:
        return row[0], bool(repo.update("inspection_feedback", row[0], values))
    row_id = repo.insert(
        "inspection_feedback",
        {"inspection_plan_id": plan_id, "department_id": department_id, **values},
    )
    return row_id, None


def plan_values(draft: PlanDraft) -> dict[str, Any]:
    return {
        "name": draft.name.strip(),
        "mode": InspectionKind(draft.mode).value,
        "starts_on": draft.starts_on.isoformat() if draft.starts_on else None,
        "ends_on": draft.ends_on.isoformat() if draft.ends_on else None,
        "methods": _json(draft.methods),
        "sites": _json(draft.sites),
        "inspectors": _json(draft.inspectors),
    }


def _json(items: Sequence[str]) -> str:
    return json.dumps(
        list(dict.fromkeys(item.strip() for item in items if item.strip())), ensure_ascii=False
    )


def _json_list(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
