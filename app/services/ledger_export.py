"""The 工作台账 Excel export: the whole ledger as of a date (reports/ledger_workbook.py).

``LedgerExport.build`` gathers one ``LedgerDocument`` in a fixed number of queries, whatever the
size of the ledger: the status query of ``LedgerStatus`` (status, light, next due date), then one
query each for the holiday table (unless a calendar is given), plans, areas, milestones,
assignments, the latest progress reports, and targets with their latest values.

Rules:
- Everything is as of ``as_of``: progress reports and target values dated after it are ignored,
  and so are completions after it (as in ``LedgerStatus``).
- 最新进展 / 存在问题: for each department that reported on a measure, its reports of the latest
  day on or before ``as_of`` (one per milestone, identical texts merged), departments in the
  order the plan names them (lead departments first).
- 目标/实际: a target's latest value on or before ``as_of``; 达标 when it satisfies the target's
  comparator (``target_met``), 未报 when no value was reported.
- 部门: departments that lead or are responsible for a measure; cooperating departments are not
  counted. Overdue is the measure's status (逾期) at ``as_of``. Sorted by overdue count, then
  the number of measures, then name.
- 督查发现问题: findings of 明察暗访 still open at ``as_of`` (found on or before it, not
  rectified by it), with their department and 整改期限; 已逾期 past that deadline.
- ``plan_id=None`` exports every live plan, each under its own plan row; an empty database (or an
  unknown plan) raises ``LedgerExportError`` with a Chinese message.
- With a ``filter`` (the ledger page's ``LedgerFilter``) and the page's sort, exactly the rows the
  table shows are exported, in its order: when every area's rows stay together (the plan's own
  order, or 序号) they are grouped under their plan and area rows as usual, empty areas left out;
  otherwise (sorted by 亮灯, 状态, …) the 工作台账 sheet lists them in the table's order without
  group rows (``LedgerDocument.listing``). The title says 筛选结果 and the information row
  names the filter (``describe_filter``) and the sort; the 统计 and 部门 sheets count the
  exported measures only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.collation import sort_key
from app.domain.ledger import Light, Role, Status
from app.domain.text import deadline_text
from app.domain.workdays import WorkCalendar
from app.files import explain_write_error, replace_file, safe_name, write_new
from app.services.calendar import HolidayTable
from app.services.inspections import VISIBLE_OPEN_FINDING_SQL
from app.services.overdue import OVERDUE_FINDING_SQL
from app.services.status import (
    DEFAULT_SOON_DAYS,
    LedgerFilter,
    LedgerStatus,
    MeasureRow,
    milestone_state,
)
from app.services.visibility import viewer_of
from app.storage import WriteError
from reports.ledger_workbook import (
    AreaGroup,
    Deadline,
    DepartmentLine,
    LedgerDocument,
    LedgerRow,
    OpenFinding,
    PlanBlock,
    ProgressNote,
    TargetCheck,
    date_text,
    file_stem,
    ledger_file_stem,
    write_ledger_workbook,
)

if TYPE_CHECKING:
    from app.storage import Repository

_EPSILON = 1e-9
_ROLE_ORDER = "CASE s.role WHEN 'lead' THEN 0 WHEN 'responsible' THEN 1 ELSE 2 END"
_TRIM = "。；;，, \n\t"


class LedgerExportError(WriteError):
    """The ledger cannot be exported; the message says why (Chinese)."""


class LedgerFileExists(LedgerExportError):
    """The target file exists and replacing it was not asked for; nothing was written."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"“{path}”已存在，没有导出（不覆盖已有文件），请换一个文件名。")
        self.path = path


# The ledger table's sort keys (app/services/status.py: SORT_COLUMNS) in words.
SORT_NAMES = {
    "area": "领域",
    "no": "序号",
    "title": "措施",
    "lead": "牵头部门",
    "status": "状态",
    "light": "亮灯",
    "next_due": "完成期限",
}
PLAN_ORDER = "position"


def is_filtering(filter: LedgerFilter) -> bool:
    """Whether ``filter`` leaves any measure out (blank search text and a role without a
    department do not)."""
    plain = replace(
        filter, text=filter.text.strip(), role=filter.role if filter.department_id else None
    )
    return plain != LedgerFilter()


def sort_text(sort: str, descending: bool) -> str:
    """ "按亮灯降序", or "" for the plan's own order."""
    name = SORT_NAMES.get(sort)
    if name is None:
        return ""
    return f"按{name}{'降序' if descending else '升序'}"


def xlsx_path(path: str | Path) -> Path:
    """``path`` with ".xlsx" appended unless it already ends so."""
    target = Path(path)
    return target if target.suffix.lower() == ".xlsx" else target.with_name(target.name + ".xlsx")


def target_met(op: str | None, goal: float | None, actual: float | None) -> bool | None:
    """Whether ``actual`` satisfies "op goal"; None when there is nothing to compare."""
    if op is None or goal is None or actual is None:
        return None
    if op == ">=":
        return actual >= goal - _EPSILON
    if op == "<=":
        return actual <= goal + _EPSILON
    if op == "=":
        return abs(actual - goal) <= _EPSILON * max(1.0, abs(goal))
    if op == ">":
        return actual > goal + _EPSILON
    if op == "<":
        return actual < goal - _EPSILON
    return None


def measure_number(area_no: int | None, no: int | None) -> str:
    """序号 "1.5"; just "5" for a measure outside any numbered area."""
    if no is None:
        return ""
    return f"{area_no}.{no}" if area_no is not None else str(no)


@dataclass(frozen=True)
class _Assignment:
    measure_id: str
    department_id: str
    name: str
    role: str


@dataclass
class _Department:
    name: str
    lead: set[str] = field(default_factory=set)
    responsible: set[str] = field(default_factory=set)


class LedgerExport:
    def __init__(self, repository: Repository, calendar: WorkCalendar | None = None) -> None:
        self.repo = repository
        self.db = repository.db
        self.calendar = calendar

    # ---- Public -------------------------------------------------------------------------------

    def build(
        self,
        plan_id: str | None,
        as_of: date,
        soon_days: int = DEFAULT_SOON_DAYS,
        *,
        generated_on: date | None = None,
        filter: LedgerFilter | None = None,
        sort: str = PLAN_ORDER,
        descending: bool = False,
    ) -> LedgerDocument:
        """The ledger of one plan (or of every plan, for None) as of ``as_of``; with ``filter``
        only its measures, in the order of ``sort`` (a ledger table sort key)."""
        if filter is not None:
            plan_id = filter.plan_id
        plans = self._plans(plan_id)
        calendar = self.calendar or HolidayTable(self.repo).calendar()
        status = LedgerStatus(self.db, calendar)
        params: dict[str, Any] = {"plan_id": plan_id, "as_of": as_of.isoformat()}
        query = status.query(
            filter or LedgerFilter(plan_id=plan_id),
            as_of=as_of,
            soon_days=soon_days,
            sort=sort if filter is not None else PLAN_ORDER,
            descending=descending and filter is not None,
        )
        measures = [row for row in status.rows(query) if row.plan_id in plans]
        if filter is not None and not measures:
            raise LedgerExportError(
                "当前筛选条件下没有措施，没有导出。请放宽筛选条件，或选择导出全部措施。"
            )
        deadlines = self._deadlines(params, as_of)
        assignments = self._assignments(params)
        progress = self._progress(params, assignments)
        targets = self._targets(params)
        findings = self._findings(params, as_of)
        numbers = {row.id: measure_number(row.area_no, row.no) for row in measures}

        table = [  # in the query's order: the table's, for a filtered export
            LedgerRow(
                number=numbers[row.id],
                title=row.title,
                lead=row.lead,
                responsible=row.responsible,
                status=row.status.label,
                light=row.light.value,
                next_due=row.next_due,
                deadlines=deadlines.get(row.id, ()),
                progress=progress.get(row.id, ()),
                targets=targets.get(row.id, ()),
                findings=findings.get(row.id, ()),
            )
            for row in measures
        ]
        keys = [(row.plan_id, row.area_id or "") for row in measures]  # (plan, area id)
        rows: dict[tuple[str, str], list[LedgerRow]] = defaultdict(list)
        for key, item in zip(keys, table, strict=True):
            rows[key].append(item)
        listing: list[LedgerRow] | None = None
        if filter is None:
            blocks = self._blocks(plans, params, rows)
        elif _runs_together(keys) and _runs_together([plan for plan, _area in keys]):
            blocks = self._table_blocks(plans, params, keys, rows)
        else:  # sorted across areas: listed in the table's order, counted by area
            blocks, listing = self._blocks(plans, params, rows, keep_empty=False), table
        if filter is not None:
            plans = {key: plans[key] for key in dict.fromkeys(plan for plan, _area in keys)}

        filtered = "筛选结果，" if filter is not None else ""
        if len(plans) == 1:
            (title, _doc_number), *_ = plans.values()
            heading = f"{title} 工作台账（{filtered}截至{date_text(as_of)}）"
        else:
            heading = f"督查工作台账（{filtered}截至{date_text(as_of)}）"
        return LedgerDocument(
            title=heading,
            as_of=as_of,
            generated_on=generated_on or date.today(),
            plans=blocks,
            departments=self._departments(assignments, measures, numbers),
            soon_days=soon_days,
            scope=(self.describe_filter(filter) or "全部") if filter is not None else "",
            order=sort_text(sort, descending) if filter is not None else "",
            listing=listing,
        )

    def describe_filter(self, filter: LedgerFilter) -> str:
        """The filter in words, as the filter bar shows it: "领域：一、开办企业；亮灯：红灯"
        ("" when it leaves nothing out)."""
        if not is_filtering(filter):
            return ""
        parts = []
        if filter.plan_id:
            parts.append(f"方案：{self._name('plans', 'title', filter.plan_id)}")
        if filter.area_id:
            row = self.db.execute(
                "SELECT no, title FROM areas WHERE id = ?", [filter.area_id]
            ).fetchone()
            heading = AreaGroup(row[0], row[1] or "").heading if row else "（已删除的领域）"
            parts.append(f"领域：{heading}")
        if filter.department_id:
            name = self._name("departments", "name", filter.department_id)
            role = f"（{Role(filter.role).label}）" if filter.role else ""
            parts.append(f"部门：{name}{role}")
        if filter.statuses:
            labels = "、".join(Status(item).label for item in sorted(filter.statuses))
            parts.append(f"状态：{labels}")
        if filter.lights:
            order = [Light.RED, Light.YELLOW, Light.GREEN]
            chosen = sorted((Light(item) for item in filter.lights), key=order.index)
            parts.append(f"亮灯：{'、'.join(light.label for light in chosen)}")
        if filter.due_month:
            year, month = filter.due_month.split("-")
            parts.append(f"到期月份：{year}年{int(month)}月")
        if filter.overdue_only:
            parts.append("仅看逾期")
        if filter.open_findings:
            parts.append("有未整改问题")
        if filter.text.strip():
            parts.append(f"搜索：“{filter.text.strip()}”")
        return "；".join(parts)

    @staticmethod
    def default_file_name(as_of: date, *, filtered: bool = False) -> str:
        """What the save dialog proposes: "工作台账（截至2021-07-01）.xlsx", or with
        "筛选结果，" for a filtered export."""
        return safe_name(ledger_file_stem(as_of, filtered=filtered), ".xlsx")

    def export(
        self,
        path: str | Path,
        plan_id: str | None,
        as_of: date,
        soon_days: int = DEFAULT_SOON_DAYS,
        *,
        overwrite: bool = False,
        filter: LedgerFilter | None = None,
        sort: str = PLAN_ORDER,
        descending: bool = False,
    ) -> Path:
        """Build the document and write it to ``path`` (".xlsx" added when missing).

        An existing file is replaced only with ``overwrite`` (the user agreed), and then only
        once the new workbook is fully written; otherwise ``LedgerFileExists`` is raised, before
        the ledger is even read. ``filter``, ``sort``, ``descending``: see ``build``."""
        return self.export_document(
            path,
            plan_id,
            as_of,
            soon_days,
            overwrite=overwrite,
            filter=filter,
            sort=sort,
            descending=descending,
        )[0]

    def export_document(
        self,
        path: str | Path,
        plan_id: str | None,
        as_of: date,
        soon_days: int = DEFAULT_SOON_DAYS,
        *,
        overwrite: bool = False,
        filter: LedgerFilter | None = None,
        sort: str = PLAN_ORDER,
        descending: bool = False,
    ) -> tuple[Path, LedgerDocument]:
        """``export``, also returning the document written (what it holds, for a message)."""
        target = xlsx_path(path)
        if not overwrite and target.exists():
            raise LedgerFileExists(target)
        doc = self.build(plan_id, as_of, soon_days, filter=filter, sort=sort, descending=descending)
        return self.write(doc, target, overwrite=overwrite), doc

    def write(self, doc: LedgerDocument, path: str | Path, *, overwrite: bool = False) -> Path:
        target = xlsx_path(path)
        writer = partial(write_ledger_workbook, doc)
        try:
            if overwrite:
                replace_file(target, writer)
            else:
                write_new(target, writer)
        except FileExistsError as error:
            raise LedgerFileExists(target) from error
        except OSError as error:
            raise LedgerExportError(f"无法写入“{target}”：{explain_write_error(error)}") from error
        return target

    @staticmethod
    def file_name(doc: LedgerDocument) -> str:
        """A file name for the document that every disk accepts."""
        return safe_name(file_stem(doc), ".xlsx")

    # ---- Grouping -----------------------------------------------------------------------------

    def _blocks(
        self,
        plans: dict[str, tuple[str, str | None]],
        params: dict[str, Any],
        rows: dict[tuple[str, str], list[LedgerRow]],
        *,
        keep_empty: bool = True,
    ) -> list[PlanBlock]:
        """Plans → areas (in the plan's order) → rows; ``rows`` is emptied."""
        areas: dict[str, list[AreaGroup]] = defaultdict(list)
        for area_id, area_plan, no, title in self.db.execute(
            "SELECT id, plan_id, no, title FROM areas WHERE deleted = 0"
            " AND (:plan_id IS NULL OR plan_id = :plan_id) ORDER BY position, no",
            params,
        ):
            grouped = rows.pop((area_plan, area_id), [])
            if grouped or keep_empty:
                areas[area_plan].append(AreaGroup(no, title, grouped))
        # Measures without a live area of their plan: one unnumbered group at the plan's end.
        loose: dict[str, list[LedgerRow]] = defaultdict(list)
        for (row_plan, _area_id), leftover in rows.items():
            loose[row_plan].extend(leftover)
        rows.clear()
        blocks = []
        for key, (title, doc_number) in plans.items():
            groups = list(areas.get(key, []))
            if loose.get(key):
                groups.append(AreaGroup(None, "", loose[key]))
            if groups or keep_empty:
                blocks.append(PlanBlock(title, doc_number, groups))
        return blocks

    def _table_blocks(
        self,
        plans: dict[str, tuple[str, str | None]],
        params: dict[str, Any],
        keys: list[tuple[str, str]],
        rows: dict[tuple[str, str], list[LedgerRow]],
    ) -> list[PlanBlock]:
        """Plans and areas in the order their rows come in the table (each plan's and each
        area's rows are together there); areas without rows are left out."""
        areas = {
            area_id: (no, title or "")
            for area_id, no, title in self.db.execute(
                "SELECT id, no, title FROM areas WHERE deleted = 0"
                " AND (:plan_id IS NULL OR plan_id = :plan_id)",
                params,
            )
        }
        groups: dict[str, list[AreaGroup]] = {}
        for plan_key, area_key in dict.fromkeys(keys):
            no, title = areas.get(area_key, (None, ""))
            groups.setdefault(plan_key, []).append(AreaGroup(no, title, rows[plan_key, area_key]))
        return [PlanBlock(*plans[key], area_groups) for key, area_groups in groups.items()]

    def _name(self, table: str, column: str, row_id: str) -> str:
        row = self.db.execute(f"SELECT {column} FROM {table} WHERE id = ?", [row_id]).fetchone()
        return str(row[0]) if row else "（已删除）"

    # ---- Queries ------------------------------------------------------------------------------

    def _plans(self, plan_id: str | None) -> dict[str, tuple[str, str | None]]:
        plans = {
            row_id: (title, doc_number)
            for row_id, title, doc_number in self.db.execute(
                "SELECT id, title, doc_number FROM plans WHERE deleted = 0"
                " AND (:plan_id IS NULL OR id = :plan_id) ORDER BY issued_on, title",
                {"plan_id": plan_id},
            )
        }
        if not plans:
            if plan_id is not None:
                raise LedgerExportError("所选方案不存在或已删除，无法导出工作台账。")
            raise LedgerExportError("台账中还没有方案，请先导入方案再导出工作台账。")
        return plans

    def _deadlines(self, params: dict[str, Any], as_of: date) -> dict[str, list[Deadline]]:
        result: dict[str, list[Deadline]] = defaultdict(list)
        for measure_id, raw, due, kind, completed in self.db.execute(
            "SELECT x.measure_id, x.raw, x.due, x.kind, x.completed_on FROM milestones x"
            " JOIN measures m ON m.id = x.measure_id WHERE x.deleted = 0 AND m.deleted = 0"
            " AND (:plan_id IS NULL OR m.plan_id = :plan_id)"
            " ORDER BY x.measure_id, x.due IS NULL, x.due, x.rowid",
            params,
        ):
            due_day = date.fromisoformat(due) if due else None
            done_day = date.fromisoformat(completed) if completed else None
            state, _light = milestone_state(due_day, kind, done_day, as_of, as_of)
            shown = state if state in (Status.DONE, Status.LATE_DONE, Status.OVERDUE) else None
            result[measure_id].append(
                Deadline(deadline_text(raw), due_day, shown.label if shown else "")
            )
        return result

    def _assignments(self, params: dict[str, Any]) -> list[_Assignment]:
        """Every live assignment of the exported measures, in the plan's order."""
        return [
            _Assignment(*row)
            for row in self.db.execute(
                "SELECT s.measure_id, s.department_id, d.name, s.role FROM assignments s"
                " JOIN departments d ON d.id = s.department_id"
                " JOIN measures m ON m.id = s.measure_id"
                " WHERE s.deleted = 0 AND m.deleted = 0"
                " AND (:plan_id IS NULL OR m.plan_id = :plan_id)"
                " ORDER BY s.measure_id, " + _ROLE_ORDER + ", s.position, s.rowid",
                params,
            )
        ]

    def _progress(
        self, params: dict[str, Any], assignments: list[_Assignment]
    ) -> dict[str, list[ProgressNote]]:
        """measure id → each department's reports of its latest day, in the order the plan
        names the departments (lead first); departments it does not name come last."""
        rank: dict[tuple[str, str], int] = {}
        for item in assignments:
            rank.setdefault((item.measure_id, item.department_id), len(rank))
        merged: dict[str, dict[str, tuple[str, date, list[str], list[str]]]] = defaultdict(dict)
        for measure_id, department_id, name, reported_on, progress, problems in self.db.execute(
            "SELECT measure_id, department_id, name, reported_on, progress, problems FROM ("
            " SELECT r.measure_id, r.department_id, d.name, r.reported_on, r.progress,"
            " r.problems, r.rowid AS seq,"
            " MAX(r.reported_on) OVER (PARTITION BY r.measure_id, r.department_id) AS latest"
            " FROM progress_reports r JOIN measures m ON m.id = r.measure_id"
            " JOIN departments d ON d.id = r.department_id"
            " WHERE r.deleted = 0 AND m.deleted = 0 AND r.reported_on <= :as_of"
            " AND (:plan_id IS NULL OR m.plan_id = :plan_id))"
            " WHERE reported_on = latest ORDER BY measure_id, name, seq",
            params,
        ):
            _name, _day, texts, issues = merged[measure_id].setdefault(
                department_id, (name, date.fromisoformat(reported_on), [], [])
            )
            for collected, text in ((texts, progress), (issues, problems)):
                cleaned = (text or "").strip().rstrip(_TRIM)
                if cleaned and cleaned not in collected:
                    collected.append(cleaned)
        result: dict[str, list[ProgressNote]] = {}
        for measure_id, departments in merged.items():
            ordered = sorted(
                departments.items(),
                key=lambda item: rank.get((measure_id, item[0]), len(rank)),
            )
            result[measure_id] = [
                ProgressNote(name, day, "；".join(texts), "；".join(issues))
                for _department_id, (name, day, texts, issues) in ordered
                if texts or issues
            ]
        return result

    def _findings(self, params: dict[str, Any], as_of: date) -> dict[str, list[OpenFinding]]:
        """measure id → its findings still open at ``as_of``, oldest first."""
        result: dict[str, list[OpenFinding]] = defaultdict(list)
        for measure_id, description, department, rectify_by, overdue in self.db.execute(
            "SELECT f.measure_id, f.description, COALESCE(d.name, ''), f.rectify_by,"
            f" {OVERDUE_FINDING_SQL} FROM findings f JOIN measures m ON m.id = f.measure_id"
            " LEFT JOIN departments d ON d.id = f.department_id"
            f" WHERE {VISIBLE_OPEN_FINDING_SQL} AND m.deleted = 0"  # 暗访 confidentiality
            " AND (:plan_id IS NULL OR m.plan_id = :plan_id) ORDER BY f.found_on, f.rowid",
            {**params, **viewer_of(self.db).params()},
        ):
            due = date.fromisoformat(rectify_by) if rectify_by else None
            result[measure_id].append(
                OpenFinding(description, department, due, bool(overdue))  # app/services/overdue.py
            )
        return result

    def _targets(self, params: dict[str, Any]) -> dict[str, list[TargetCheck]]:
        result: dict[str, list[TargetCheck]] = defaultdict(list)
        for measure_id, raw, metric, op, value, unit, actual, measured_on in self.db.execute(
            "SELECT t.measure_id, t.raw, t.metric, t.op, t.value, t.unit, a.value, a.measured_on"
            " FROM targets t JOIN measures m ON m.id = t.measure_id"
            " LEFT JOIN (SELECT target_id, value, measured_on, ROW_NUMBER() OVER ("
            "   PARTITION BY target_id ORDER BY measured_on DESC, rowid DESC) AS n"
            "   FROM target_actuals WHERE deleted = 0 AND measured_on <= :as_of) a"
            " ON a.target_id = t.id AND a.n = 1"
            " WHERE t.deleted = 0 AND m.deleted = 0 AND (:plan_id IS NULL OR m.plan_id = :plan_id)"
            " ORDER BY t.measure_id, t.span_start IS NULL, t.span_start, t.rowid",
            params,
        ):
            result[measure_id].append(
                TargetCheck(
                    raw=raw,
                    op=op,
                    value=value,
                    unit=unit or "",
                    label=(metric or "").strip(),
                    actual=actual,
                    measured_on=date.fromisoformat(measured_on) if measured_on else None,
                    met=target_met(op, value, actual),
                )
            )
        return result

    @staticmethod
    def _departments(
        assignments: list[_Assignment], measures: list[MeasureRow], numbers: dict[str, str]
    ) -> list[DepartmentLine]:
        departments: dict[str, _Department] = {}
        for item in assignments:
            if item.role not in ("lead", "responsible"):
                continue
            entry = departments.setdefault(item.department_id, _Department(item.name))
            (entry.lead if item.role == "lead" else entry.responsible).add(item.measure_id)
        states = {row.id: row.status for row in measures}
        order = {row.id: index for index, row in enumerate(measures)}
        lines = []
        for entry in departments.values():
            mine = sorted((entry.lead | entry.responsible) & states.keys(), key=order.__getitem__)
            overdue = [key for key in mine if states[key] is Status.OVERDUE]
            lines.append(
                DepartmentLine(
                    name=entry.name,
                    lead=len(entry.lead & states.keys()),
                    responsible=len(entry.responsible & states.keys()),
                    total=len(mine),
                    done=sum(states[key] in (Status.DONE, Status.LATE_DONE) for key in mine),
                    overdue=len(overdue),
                    overdue_numbers=[numbers[key] for key in overdue if numbers[key]],
                )
            )
        lines.sort(key=lambda line: (-line.overdue, -line.total, sort_key(line.name)))
        return lines


def _runs_together(keys: list[Any]) -> bool:
    """Whether equal keys stand next to each other (each key forms one run)."""
    seen: set[Any] = set()
    previous = object()
    for key in keys:
        if key != previous:
            if key in seen:
                return False
            seen.add(key)
            previous = key
    return True
