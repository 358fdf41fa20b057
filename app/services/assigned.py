"""交办事项: tasks from no document — a leader's instruction, a hotline complaint — made by hand.

They are measures of the one plan whose ``kind`` is ``assigned`` (titled 交办事项, created on first
use), under one area per source (领导批示, 12345热线, …), with ``source``, ``assigned_by`` and
``assigned_on``. Their departments, deadlines and targets are ordinary assignments, milestones and
targets, so the ledger, its status and lights, 催办提醒, inspections and exports treat them like
any other measure. Each change is one transaction through the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.domain.ledger import Comparator, Role
from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository

ASSIGNED_PLAN_TITLE = "交办事项"
DEFAULT_SOURCE = "领导交办"
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 20000
MAX_ITEMS = 100


@dataclass(frozen=True)
class TargetDraft:
    metric: str
    op: Comparator
    value: float
    unit: str = ""


@dataclass(frozen=True)
class AssignedDraft:
    """A task as the office writes it: departments as (id, role), deadlines as dates."""

    title: str
    assigned_on: date
    departments: tuple[tuple[str, Role], ...]
    source: str = DEFAULT_SOURCE  # 领导批示, 12345热线, 群众来信, …
    assigned_by: str = ""
    text: str = ""
    deadlines: tuple[date, ...] = ()
    targets: tuple[TargetDraft, ...] = ()


@dataclass(frozen=True)
class AssignedTask:
    id: str
    number: str
    title: str
    source: str
    assigned_by: str
    assigned_on: date | None


def deadline_phrase(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日前"


def target_phrase(target: TargetDraft) -> str:
    words = {">=": "不低于", "<=": "不高于", "=": "达到", ">": "高于", "<": "低于"}
    value = f"{target.value:g}"
    return f"{target.metric}{words[Comparator(target.op).value]}{value}{target.unit}"


class AssignedTasks:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db

    # ---- Writing ------------------------------------------------------------------------------

    def create(self, draft: AssignedDraft, *, today: date | None = None) -> str:
        """Add a task; returns its measure id."""
        self.check(draft, today=today)
        with self.repo.transaction():
            plan_id = self._plan()
            area_id = self._area(plan_id, draft.source.strip() or DEFAULT_SOURCE)
            number = 1 + int(
                self.db.execute(
                    "SELECT COALESCE(MAX(no), 0) FROM measures WHERE area_id = ?", [area_id]
                ).fetchone()[0]
            )
            position = 1 + int(
                self.db.execute(
                    "SELECT COALESCE(MAX(position), 0) FROM measures WHERE plan_id = ?",
                    [plan_id],
                ).fetchone()[0]
            )
            measure_id = self.repo.insert(
                "measures",
                {
                    "plan_id": plan_id,
                    "area_id": area_id,
                    "no": number,
                    "position": position,
                    **self._measure_values(draft),
                },
            )
            self._insert_children(measure_id, draft)
        return measure_id

    def update(self, measure_id: str, draft: AssignedDraft, *, today: date | None = None) -> None:
        """Change a task; its departments, deadlines and targets become the draft's."""
        self._task(measure_id)
        self.check(draft, today=today)
        with self.repo.transaction():
            values = self._measure_values(draft)
            current = self.repo.get("measures", measure_id)
            if (current["source"] or DEFAULT_SOURCE) != values["source"]:
                values["area_id"] = self._area(current["plan_id"], values["source"])
            self.repo.update("measures", measure_id, values)
            for table in ("assignments", "milestones", "targets"):
                for (row_id,) in self.db.execute(
                    f"SELECT id FROM {table} WHERE measure_id = ? AND deleted = 0", [measure_id]
                ).fetchall():
                    self.repo.delete(table, row_id)
            self._insert_children(measure_id, draft)

    def check(self, draft: AssignedDraft, *, today: date | None = None) -> None:
        title = draft.title.strip()
        if not title:
            raise WriteError("请填写交办事项的标题。")
        if len(title) > MAX_TITLE_CHARS or len(draft.text) > MAX_TEXT_CHARS:
            raise WriteError(f"标题或内容太长（标题最多 {MAX_TITLE_CHARS} 字）。")
        if draft.assigned_on > (today or date.today()):
            raise WriteError("交办日期不能晚于今天。")
        if not draft.departments:
            raise WriteError("请至少指定一个责任部门（牵头单位）。")
        if not any(Role(role) is Role.LEAD for _id, role in draft.departments):
            raise WriteError("请指定牵头单位。")
        if max(len(draft.departments), len(draft.deadlines), len(draft.targets)) > MAX_ITEMS:
            raise WriteError(f"部门、期限或目标太多（各最多 {MAX_ITEMS} 个）。")
        seen = set()
        for department_id, _role in draft.departments:
            department = self.repo.get("departments", department_id)
            if department is None or department["deleted"]:
                raise WriteError("所选部门不存在或已删除。")
            if department_id in seen:
                raise WriteError(f"部门“{department['name']}”重复了，每个部门只选一个职责。")
            seen.add(department_id)
        for due in draft.deadlines:
            if due < draft.assigned_on:
                raise WriteError(f"完成期限 {due.isoformat()} 早于交办日期。")
        for target in draft.targets:
            if not target.metric.strip():
                raise WriteError("目标请填写指标名称。")
            try:
                Comparator(target.op)
            except ValueError:
                raise WriteError(f"目标“{target.metric}”的比较方式无效。") from None

    # ---- Reading ------------------------------------------------------------------------------

    def plan_id(self) -> str | None:
        row = self.db.execute(
            "SELECT id FROM plans WHERE kind = 'assigned' AND deleted = 0 ORDER BY rowid LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def list(self) -> list[AssignedTask]:
        return [
            AssignedTask(
                row_id,
                f"{area_no}.{no}" if area_no is not None else str(no or ""),
                title,
                source or DEFAULT_SOURCE,
                assigned_by or "",
                date.fromisoformat(assigned_on) if assigned_on else None,
            )
            for row_id, area_no, no, title, source, assigned_by, assigned_on in self.db.execute(
                "SELECT m.id, a.no, m.no, m.title, m.source, m.assigned_by, m.assigned_on"
                " FROM measures m JOIN plans p ON p.id = m.plan_id AND p.kind = 'assigned'"
                " LEFT JOIN areas a ON a.id = m.area_id WHERE m.deleted = 0 AND p.deleted = 0"
                " ORDER BY m.assigned_on DESC, m.position DESC"
            )
        ]

    # ---- Internals ----------------------------------------------------------------------------

    def _task(self, measure_id: str) -> None:
        row = self.db.execute(
            "SELECT 1 FROM measures m JOIN plans p ON p.id = m.plan_id"
            " WHERE m.id = ? AND m.deleted = 0 AND p.kind = 'assigned'",
            [measure_id],
        ).fetchone()
        if row is None:
            raise WriteError("该交办事项不存在或已删除（实施方案中的措施请通过重新导入方案修改）。")

    def _plan(self) -> str:
        return self.plan_id() or self.repo.insert(
            "plans", {"title": ASSIGNED_PLAN_TITLE, "kind": "assigned"}
        )

    def _area(self, plan_id: str, source: str) -> str:
        row = self.db.execute(
            "SELECT id FROM areas WHERE plan_id = ? AND title = ? AND deleted = 0 LIMIT 1",
            [plan_id, source],
        ).fetchone()
        if row:
            return row[0]
        number = 1 + int(
            self.db.execute(
                "SELECT COALESCE(MAX(no), 0) FROM areas WHERE plan_id = ?", [plan_id]
            ).fetchone()[0]
        )
        return self.repo.insert(
            "areas", {"plan_id": plan_id, "no": number, "title": source, "position": number}
        )

    @staticmethod
    def _measure_values(draft: AssignedDraft) -> dict[str, object]:
        title = draft.title.strip()
        return {
            "title": title,
            "text": draft.text.strip() or title,
            "source": draft.source.strip() or DEFAULT_SOURCE,
            "assigned_by": draft.assigned_by.strip(),
            "assigned_on": draft.assigned_on.isoformat(),
        }

    def _insert_children(self, measure_id: str, draft: AssignedDraft) -> None:
        for position, (department_id, role) in enumerate(draft.departments):
            self.repo.insert(
                "assignments",
                {
                    "measure_id": measure_id,
                    "department_id": department_id,
                    "role": Role(role).value,
                    "position": position,
                },
            )
        for due in sorted(set(draft.deadlines)):
            self.repo.insert(
                "milestones",
                {
                    "measure_id": measure_id,
                    "raw": deadline_phrase(due),
                    "due": due.isoformat(),
                    "kind": "date",
                },
            )
        for target in draft.targets:
            self.repo.insert(
                "targets",
                {
                    "measure_id": measure_id,
                    "raw": target_phrase(target),
                    "metric": target.metric.strip(),
                    "op": Comparator(target.op).value,
                    "value": float(target.value),
                    "unit": target.unit.strip(),
                },
            )
