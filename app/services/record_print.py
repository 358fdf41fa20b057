"""One record, or one department's 整改通知, to paper: gathering what is printed, writing the PDF.

``RecordPrint.record_sheet`` gathers a 检查记录 (header, checklist with verdicts and measured
values, findings, evidence with thumbnails) into the plain ``RecordSheet`` of
reports/record_pdf.py; ``RecordPrint.notice`` gathers a 整改通知 for one department (its findings
still open at a date, each with its 整改期限, and when the overdue ones must be reported). Both
read through the 暗访 rule (app/services/visibility.py): a record the current user may not see is
"不存在" here too, so it cannot be printed, and a notice lists only the findings the user may see.

For the desktop app, two ways to keep the UI thread free (``ui/tasks.py: run_in_background``):
``print_record_file`` / ``print_notice_file`` open a read-only connection of their own to the
database file, so the whole job (gathering and PDF) runs on the worker while the app's own
connection stays on the UI thread; or gather with ``RecordPrint`` where the connection is used (a
few small queries) and hand the result to ``save_record_pdf`` / ``save_notice_pdf``, which read no
database. ``RecordPrint.write_record`` / ``write_notice`` do both in one call (the command line).
Files are written through app/files.py: a new file never replaces one (``overwrite=True`` only
when a save dialog asked).

A finding's stage on the notice is its stage at the notice's date (the last ``finding_events`` row
on or before it), so a notice dated in the past reads as it would have then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from app.domain.inspection import FindingAction, FindingStage, Severity
from app.domain.ledger import InspectionKind
from app.files import explain_write_error, replace_file, write_new
from app.services.checklists import ChecklistService
from app.services.findings import lead_department
from app.services.inspections import OPEN_FINDING_SQL
from app.services.measured import describe_target, format_number, in_unit
from app.services.overdue import is_overdue
from app.services.visibility import finding_visible, inspection_visible, viewer_of
from app.storage import WriteError
from reports.fonts import FontError
from reports.record_pdf import (
    EvidenceEntry,
    NoticeFinding,
    RecordFinding,
    RecordItem,
    RecordSheet,
    RectificationNotice,
    date_text,
    write_notice_pdf,
    write_record_pdf,
)

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.services.evidence import Evidence, EvidenceStore
    from app.storage import Repository, Storage

ISSUER = "市政府办公室督查室"
# Overdue findings on a 整改通知 are to be reported within this many working days of its date.
OVERDUE_REPORT_WORKDAYS = 3
_NOT_FOUND = "该检查记录不存在或已删除。"


class PrintError(WriteError):
    """Why nothing was printed, in one Chinese sentence (the file was not written)."""


class PrintFileExists(PrintError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"“{path}”已存在，没有保存（不覆盖已有文件）。请换一个文件名或文件夹。")
        self.path = path


@dataclass(frozen=True)
class Printed:
    """A PDF written: where, how many pages, and which fonts (substitutes named)."""

    path: Path
    pages: int
    fonts: tuple[str, ...]  # one Chinese line per face: what was used
    substituted: tuple[str, ...]  # the faces that were not installed and what replaced them
    missing: str = ""  # characters the fonts have no glyph for (printed blank)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "pages": self.pages,
            "fonts": list(self.fonts),
            "substituted": list(self.substituted),
            "missing_characters": self.missing,
        }


# ---- Writing (no database: safe on a worker thread) ---------------------------------------------


def pdf_path(path: str | Path) -> Path:
    """``path`` with the .pdf suffix (added when it has another or none)."""
    target = Path(path)
    return target if target.suffix.lower() == ".pdf" else target.with_name(target.name + ".pdf")


def save_record_pdf(sheet: RecordSheet, path: str | Path, *, overwrite: bool = False) -> Printed:
    """Write the gathered record to a new PDF file (``overwrite``: replace it, atomically)."""
    return _save(partial(write_record_pdf, sheet), path, overwrite=overwrite)


def save_notice_pdf(
    notice: RectificationNotice, path: str | Path, *, overwrite: bool = False
) -> Printed:
    return _save(partial(write_notice_pdf, notice), path, overwrite=overwrite)


def _save(render: Callable[[BinaryIO], Any], path: str | Path, *, overwrite: bool) -> Printed:
    target = pdf_path(path)
    if not overwrite and target.exists():
        raise PrintFileExists(target)
    rendered: list[Any] = []

    def writer(handle: BinaryIO) -> None:
        rendered.append(render(handle))

    try:
        (replace_file if overwrite else write_new)(target, writer)
    except FileExistsError as error:
        raise PrintFileExists(target) from error
    except FontError as error:
        raise PrintError(str(error)) from error
    except OSError as error:
        raise PrintError(f"无法写入“{target}”：{explain_write_error(error)}") from error
    result = rendered[0]
    return Printed(
        target,
        result.pages,
        tuple(result.fonts.report()),
        tuple(choice.note for choice in result.fonts.substituted),
        result.missing,
    )


def print_record_file(
    db_path: str | Path,
    inspection_id: str,
    target: str | Path,
    *,
    overwrite: bool = False,
    today: date | None = None,
) -> Printed:
    """The whole job on a connection of its own (read-only): safe on a worker thread."""
    from app.storage import Storage

    storage = Storage.open(db_path, read_only=True)
    try:
        printer = RecordPrint.for_storage(storage)
        return printer.write_record(inspection_id, target, overwrite=overwrite, today=today)
    finally:
        storage.close()


def print_notice_file(
    db_path: str | Path,
    department_id: str,
    target: str | Path,
    *,
    as_of: date,
    overwrite: bool = False,
) -> Printed:
    """A 整改通知 on a connection of its own (read-only): safe on a worker thread."""
    from app.storage import Storage

    storage = Storage.open(db_path, read_only=True)
    try:
        printer = RecordPrint.for_storage(storage)
        return printer.write_notice(department_id, target, as_of=as_of, overwrite=overwrite)
    finally:
        storage.close()


# ---- Gathering ----------------------------------------------------------------------------------


class RecordPrint:
    def __init__(
        self,
        repository: Repository,
        calendar: WorkCalendar | None = None,
        evidence: EvidenceStore | None = None,
    ) -> None:
        self.repo = repository
        self.db = repository.db
        if calendar is None:
            from app.services.calendar import HolidayTable

            calendar = HolidayTable(repository).calendar()
        self.calendar = calendar
        self.evidence = evidence

    @classmethod
    def for_storage(cls, storage: Storage, calendar: WorkCalendar | None = None) -> RecordPrint:
        """With the evidence folder beside the database file (none for an in-memory one)."""
        from app.services.evidence import EvidenceStore

        store = EvidenceStore.for_storage(storage) if storage.path is not None else None
        return cls(storage.repository, calendar, store)

    # ---- The command line's one-step versions ------------------------------------------------

    def write_record(
        self,
        inspection_id: str,
        path: str | Path,
        *,
        overwrite: bool = False,
        today: date | None = None,
    ) -> Printed:
        target = pdf_path(path)
        if not overwrite and target.exists():  # before any work
            raise PrintFileExists(target)
        return save_record_pdf(
            self.record_sheet(inspection_id, today=today), target, overwrite=overwrite
        )

    def write_notice(
        self, department_id: str, path: str | Path, *, as_of: date, overwrite: bool = False
    ) -> Printed:
        target = pdf_path(path)
        if not overwrite and target.exists():
            raise PrintFileExists(target)
        return save_notice_pdf(self.notice(department_id, as_of=as_of), target, overwrite=overwrite)

    # ---- 检查记录 -----------------------------------------------------------------------------

    def find_record(self, reference: str) -> str:
        """The id of the record ``reference`` names: its full id, or the 记录编号 printed on it
        (any unique beginning of the id, hyphens and case ignored). Only records the current
        user may see are searched, so a hidden one is "不存在" and never makes a number
        ambiguous. PrintError when none or several match."""
        wanted = reference.strip().replace("-", "").lower()
        if not wanted or any(c not in "0123456789abcdef" for c in wanted):
            raise PrintError(_NOT_FOUND)
        rows = self.db.execute(
            "SELECT i.id FROM inspections i WHERE i.deleted = 0"
            " AND substr(lower(replace(i.id, '-', '')), 1, :length) = :wanted"
            f" AND {inspection_visible('i')} LIMIT 2",
            {"length": len(wanted), "wanted": wanted, **viewer_of(self.db).params()},
        ).fetchall()
        if not rows:
            raise PrintError(_NOT_FOUND)
        if len(rows) > 1:
            raise PrintError(
                f"记录编号“{reference.strip()}”对应多条检查记录，请多输入几位（如 PDF 上印的"
                " 8 位记录编号）或使用完整编号。"
            )
        return rows[0][0]

    def record_sheet(self, inspection_id: str, *, today: date | None = None) -> RecordSheet:
        """Everything printed on the record; PrintError "不存在" when the user may not see it."""
        viewer = viewer_of(self.db)
        row = self.db.execute(
            "SELECT i.id, i.kind, i.checked_on, i.inspector, i.place, i.summary, i.method,"
            " i.state, i.disclosed_on, i.measure_id, i.department_id, p.name"
            " FROM inspections i LEFT JOIN inspection_plans p ON p.id = i.inspection_plan_id"
            f" WHERE i.id = :id AND i.deleted = 0 AND {inspection_visible('i')}",
            {"id": inspection_id, **viewer.params()},
        ).fetchone()
        if row is None:
            raise PrintError(_NOT_FOUND)
        (
            record_id,
            kind,
            checked_on,
            inspector,
            place,
            summary,
            method,
            state,
            disclosed_on,
            measure_id,
            department_id,
            plan_name,
        ) = row
        findings, finding_numbers = self._record_findings(record_id)
        answers = ChecklistService(self.repo).answers(record_id)
        answer_numbers = {answer.id: number for number, answer in enumerate(answers, start=1)}
        items = tuple(
            RecordItem(
                number=number,
                text=answer.text,
                expected=answer.expected
                or (
                    describe_target(answer.op, answer.value, answer.unit)
                    if answer.op is not None and answer.value is not None
                    else ""
                ),
                verdict=answer.verdict.label if answer.verdict else "",
                measured=_measured(answer.measured_text, answer.measured, answer.unit),
                met=answer.check.met if answer.check is not None else None,
                note=answer.note,
                evidence=answer.evidence_count,
                finding=finding_numbers.get(answer.finding_id or ""),
            )
            for number, answer in enumerate(answers, start=1)
        )
        department = department_id or lead_department(self.db, measure_id)
        kind_label = InspectionKind(kind).label
        return RecordSheet(
            record_id=record_id,
            kind=kind_label,
            confidential=kind == InspectionKind.COVERT and disclosed_on is None,
            draft=state == "draft",
            plan=plan_name or "",
            checked_on=date.fromisoformat(checked_on),
            inspectors=inspector,
            place=place,
            method=f"{kind_label}（{method}）" if method else kind_label,
            department=self._department_name(department),
            measure=self._measure_text(measure_id),
            summary=summary,
            items=items,
            findings=findings,
            evidence=self._evidence(record_id, answer_numbers, finding_numbers),
            printed_on=today or date.today(),
            issuer=ISSUER,
        )

    def _record_findings(
        self, inspection_id: str
    ) -> tuple[tuple[RecordFinding, ...], dict[str, int]]:
        rows = self.db.execute(
            "SELECT f.id, f.description, f.category, f.severity, COALESCE(d.name, ''),"
            " f.rectify_by, f.rectify_workdays, f.stage, f.rectified_on"
            " FROM findings f LEFT JOIN departments d ON d.id = f.department_id"
            " WHERE f.inspection_id = ? AND f.deleted = 0 ORDER BY f.found_on, f.rowid",
            [inspection_id],
        ).fetchall()
        numbers = {row[0]: number for number, row in enumerate(rows, start=1)}
        findings = tuple(
            RecordFinding(
                number=numbers[row[0]],
                description=row[1],
                category=row[2],
                severity=Severity(row[3]).label,
                department=row[4],
                rectify=_due_text(row[5], row[6]),
                stage=FindingStage(row[7]).label,
                rectified_on=date.fromisoformat(row[8]) if row[8] else None,
            )
            for row in rows
        )
        return findings, numbers

    def _evidence(
        self, inspection_id: str, answers: dict[str, int], findings: dict[str, int]
    ) -> tuple[EvidenceEntry, ...]:
        if self.evidence is None:
            return ()
        entries = []
        for number, item in enumerate(self.evidence.for_inspection(inspection_id), start=1):
            entries.append(
                EvidenceEntry(
                    number=number,
                    name=item.original_name,
                    kind=f"{item.type_name}，{item.size_text}",
                    captured=item.captured_at.strftime("%Y-%m-%d %H:%M")
                    if item.captured_at
                    else "",
                    location=f"{item.gps_lat:.5f}, {item.gps_lon:.5f}" if item.gps else "",
                    attached_to=_attached_to(item, answers, findings),
                    flags=tuple(flag.code.label for flag in item.flags),
                    thumbnail=self._thumbnail(item),
                    note=item.note,
                )
            )
        return tuple(entries)

    def _thumbnail(self, item: Evidence) -> Path | None:
        if self.evidence is None or item.missing or not item.is_image:
            return None
        try:
            return self.evidence.thumbnail(item.id)
        except (OSError, WriteError):  # drawn on demand; without it the list still prints
            return None

    def _department_name(self, department_id: str | None) -> str:
        if not department_id:
            return ""
        row = self.db.execute(
            "SELECT name FROM departments WHERE id = ?", [department_id]
        ).fetchone()
        return row[0] if row else ""

    def _measure_text(self, measure_id: str) -> str:
        row = self.db.execute(
            "SELECT m.title, m.no, a.no, a.title, p.title FROM measures m"
            " LEFT JOIN areas a ON a.id = m.area_id LEFT JOIN plans p ON p.id = m.plan_id"
            " WHERE m.id = ?",
            [measure_id],
        ).fetchone()
        if row is None:
            return ""
        title, number, _area_no, area, plan = row
        where = "，".join(
            part for part in (plan, area, f"第 {number} 项" if number else "") if part
        )
        return f"{title}（{where}）" if where else title

    # ---- 整改通知 -----------------------------------------------------------------------------

    def department_id(self, name: str) -> str:
        """The department named (its name or an alias in the directory)."""
        cleaned = name.strip()
        ids = {
            row_id
            for (row_id,) in self.db.execute(
                "SELECT id FROM departments WHERE name = :name AND deleted = 0"
                " UNION SELECT d.id FROM department_aliases a JOIN departments d"
                " ON d.id = a.department_id WHERE a.alias = :name AND a.deleted = 0"
                " AND d.deleted = 0",
                {"name": cleaned},
            )
        }
        if not ids:
            raise PrintError(f"部门名录中没有“{cleaned}”（名称和别名都对不上），请写名录中的名称。")
        if len(ids) > 1:
            raise PrintError(f"“{cleaned}”对应名录中的多个部门，请写全称。")
        return ids.pop()

    def notice(self, department_id: str, *, as_of: date) -> RectificationNotice:
        """The department's findings open at ``as_of`` that the user may see; PrintError when
        there are none."""
        department = self.repo.get("departments", department_id)
        if department is None or department["deleted"]:
            raise PrintError("该部门不存在或已删除。")
        params = {"department": department_id, "as_of": as_of.isoformat()}
        params.update(viewer_of(self.db).params())
        rows = self.db.execute(
            "SELECT f.id, f.found_on, f.description, f.category, f.severity, f.rectify_by,"
            " f.rectify_workdays, f.stage, i.kind, i.place, i.method, m.title, i.id, f.reported_on"
            " FROM findings f JOIN inspections i ON i.id = f.inspection_id"
            " LEFT JOIN measures m ON m.id = f.measure_id"
            f" WHERE f.department_id = :department AND i.deleted = 0 AND {OPEN_FINDING_SQL}"
            f" AND {finding_visible('f')}"
            " ORDER BY f.rectify_by IS NULL, f.rectify_by, f.found_on, f.rowid",
            params,
        ).fetchall()
        history = self._history([row[0] for row in rows], as_of)
        to_do: list[NoticeFinding] = []
        awaiting: list[NoticeFinding] = []
        covert = 0
        records: dict[str, None] = {}
        for row in rows:
            finding_id, found_on, description, category, severity, due, workdays = row[:7]
            stage_now, kind, place, method, measure, record_id, reported = row[7:]
            # Without events: the stored stage; a 销号 one (legacy rows) was open at as_of.
            default = FindingStage(stage_now)
            if default is FindingStage.CLOSED:
                default = FindingStage.PENDING
            stage, last_action, note = history.get(finding_id, (default, None, ""))
            if stage is FindingStage.CLOSED:
                continue
            due_day = date.fromisoformat(due) if due else None
            waiting = stage is FindingStage.AWAITING_RECHECK
            sent_back = last_action is FindingAction.RECHECK_FAIL
            label = "退回重改" if sent_back and stage is FindingStage.RECTIFYING else stage.label
            source = InspectionKind(kind).label
            if method or place:
                source += f"（{'，'.join(part for part in (method, place) if part)}）"
            target = awaiting if waiting else to_do
            target.append(
                NoticeFinding(
                    number=len(target) + 1,
                    found_on=date.fromisoformat(found_on),
                    source=source,
                    measure=measure or "",
                    description=description,
                    category=category,
                    severity=Severity(severity).label,
                    due=due_day,
                    due_text=_due_text(due, workdays),
                    state=label,
                    overdue_days=max(1, -self.calendar.workdays_between(as_of, due_day))
                    if due_day
                    and is_overdue(
                        rectify_by=due_day,
                        rectified_on=None,
                        as_of=as_of,
                        stage=stage,
                        reported_on=date.fromisoformat(reported) if reported else None,
                    )
                    else 0,
                    recheck_note=note if sent_back else "",
                )
            )
            covert += kind == InspectionKind.COVERT
            records.setdefault(record_id)
        if not to_do and not awaiting:
            raise PrintError(
                f"{department['name']}截至{date_text(as_of)}没有未整改的问题，不需要整改通知。"
            )
        overdue = any(finding.overdue_days for finding in to_do)
        return RectificationNotice(
            department=department["name"],
            as_of=as_of,
            findings=tuple(to_do),
            awaiting=tuple(awaiting),
            report_overdue_by=self.calendar.add_workdays(as_of, OVERDUE_REPORT_WORKDAYS)
            if overdue
            else None,
            issuer=ISSUER,
            covert=covert,
            records=tuple(records),
        )

    def _history(
        self, finding_ids: list[str], as_of: date
    ) -> dict[str, tuple[FindingStage, FindingAction | None, str]]:
        """finding id → (stage, last action, its note) at ``as_of``, for findings with events.

        A finding without any events is at its stored stage (a finding from before the workflow,
        or one just found)."""
        if not finding_ids:
            return {}
        state: dict[str, tuple[FindingStage, FindingAction | None, str]] = {}
        have_events: set[str] = set()
        for start in range(0, len(finding_ids), 500):
            chunk = finding_ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for finding_id, happened_on, stage, action, note in self.db.execute(
                "SELECT finding_id, happened_on, stage, action, note FROM finding_events"
                f" WHERE finding_id IN ({marks}) AND deleted = 0 ORDER BY happened_on, rowid",
                chunk,
            ):
                have_events.add(finding_id)
                if happened_on <= as_of.isoformat():
                    try:
                        move = FindingAction(action) if action else None
                    except ValueError:
                        move = None
                    state[finding_id] = (FindingStage(stage), move, note)
        for finding_id in have_events - set(state):
            state[finding_id] = (FindingStage.PENDING, None, "")  # nothing had happened yet
        return state


# ---- Helpers ------------------------------------------------------------------------------------


def _measured(text: str, value: float | None, unit: str) -> str:
    """As typed, with the value in the item's unit when it was typed in another one
    (6小时（合 0.75工作日）)."""
    if value is None:
        return text
    shown = f"{format_number(value)}{unit}"
    if not text:
        return shown
    return text if not unit or in_unit(text, unit) else f"{text}（合 {shown}）"


def _due_text(due: str | None, workdays: int | None) -> str:
    if not due:
        return "未定"
    text = date_text(date.fromisoformat(due))
    return f"{text}（{workdays}个工作日）" if workdays else text


def _attached_to(item: Evidence, answers: dict[str, int], findings: dict[str, int]) -> str:
    parts = []
    if item.answer_id and item.answer_id in answers:
        parts.append(f"检查项 {answers[item.answer_id]}")
    if item.finding_id and item.finding_id in findings:
        finding = f"问题 {findings[item.finding_id]}"
        parts.append(f"{finding} 的复查" if item.recheck_id else finding)
    return "\n".join(parts) or "检查记录"


__all__ = [
    "ISSUER",
    "PrintError",
    "PrintFileExists",
    "Printed",
    "RecordPrint",
    "pdf_path",
    "print_notice_file",
    "print_record_file",
    "save_notice_pdf",
    "save_record_pdf",
]
