"""ProgressService: rounds, sheets out, sheets in, replies."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.collation import collated
from app.domain.ledger import Role
from app.files import WrittenFiles
from app.services.departments import DepartmentDirectory
from app.services.progress.catalog import _Catalog
from app.services.progress.checks import _Checker, _ValidFile
from app.services.progress.model import (
    Addressees,
    FileStatus,
    ImportReport,
    MissingReport,
    ProgressError,
    ReplyStatus,
    RoundInfo,
    SheetItem,
    _round,
    _source_label,
)
from app.services.progress.sheets_out import (
    PlannedSheet,
    SheetExport,
    export_sheets,
    plan_names,
)
from reports.progress_sheet import ItemKind, item_code

if TYPE_CHECKING:
    from app.progress import Progress
    from app.storage import Repository


class ProgressService:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db
        # Sheets this service wrote (in this run): only those may be replaced by a re-export.
        self.written = WrittenFiles()

    # ---- Rounds -------------------------------------------------------------------------------

    def create_round(
        self, name: str, plan_id: str, reply_due: date | None, created_on: date
    ) -> str:
        name = name.strip()
        if not name:
            raise ProgressError("调度轮次名称不能为空。")
        if self.find_round(name) is not None:
            raise ProgressError(f"已有名为“{name}”的调度轮次，请换一个名称。")
        if not self._live("plans", plan_id):
            raise ProgressError("所选方案不存在或已删除。")
        if reply_due is not None and reply_due < created_on:
            raise ProgressError("回复截止日期不能早于创建日期。")
        return self.repo.insert(
            "rounds",
            {
                "plan_id": plan_id,
                "name": name,
                "reply_due": reply_due.isoformat() if reply_due else None,
                "created_on": created_on.isoformat(),
            },
        )

    def find_round(self, name: str) -> RoundInfo | None:
        row = self.db.execute(
            "SELECT id, name, plan_id, reply_due, created_on FROM rounds"
            " WHERE name = ? AND deleted = 0 LIMIT 1",
            [name.strip()],
        ).fetchone()
        return _round(row) if row else None

    def get_round(self, round_id: str) -> RoundInfo:
        row = self.db.execute(
            "SELECT id, name, plan_id, reply_due, created_on FROM rounds"
            " WHERE id = ? AND deleted = 0",
            [round_id],
        ).fetchone()
        if row is None:
            raise ProgressError("该调度轮次不存在或已删除。")
        return _round(row)

    def rounds(self) -> list[RoundInfo]:
        """Live rounds, newest first."""
        return [
            _round(row)
            for row in self.db.execute(
                "SELECT id, name, plan_id, reply_due, created_on FROM rounds WHERE deleted = 0"
                " ORDER BY created_on DESC, name"
            )
        ]

    # ---- Sheets out ---------------------------------------------------------------------------

    def sheet_items(self, round_id: str, department_id: str) -> list[SheetItem]:
        """The department's rows in this round, in document order."""
        return self._catalog(self.get_round(round_id)).items(department_id)

    def addressees(self, round_id: str) -> Addressees:
        return self._catalog(self.get_round(round_id)).addressees()

    def planned_sheets(
        self, round_id: str, out_dir: str | Path, *, departments: Collection[str] | None = None
    ) -> list[PlannedSheet]:
        """The file each sheet would get in ``out_dir`` now; ``kept`` ones show that a file of
        the usual name is already there (the dialog asks before exporting next to it)."""
        info = self.get_round(round_id)
        addressees = [
            addressee
            for addressee in self._catalog(info).addressees().departments
            if departments is None or addressee.id in departments
        ]
        return plan_names(info.name, addressees, Path(out_dir), self.written)

    def export_sheets(
        self,
        round_id: str,
        out_dir: str | Path,
        exported_on: date,
        *,
        departments: Collection[str] | None = None,
    ) -> SheetExport:
        """Write one sheet per addressed department (all, or those in ``departments``) into
        ``out_dir`` and record each in round_sheets: all of them or, on any failure, none.
        Never replaces a file this service did not write (see sheets_out.py)."""
        return export_sheets(self, lambda: round_id, out_dir, exported_on, departments)

    def create_round_and_export(
        self,
        name: str,
        plan_id: str,
        reply_due: date | None,
        created_on: date,
        out_dir: str | Path,
        exported_on: date,
    ) -> SheetExport:
        """``create_round`` and ``export_sheets`` in one transaction: if any sheet cannot be
        written, the round is not saved either."""
        return export_sheets(
            self,
            lambda: self.create_round(name, plan_id, reply_due, created_on),
            out_dir,
            exported_on,
            None,
        )

    # ---- Sheets back --------------------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[str | Path],
        *,
        received_on: date,
        round_id: str | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Validate every file, then apply all of them in one transaction, or none.

        ``progress(done, total)`` counts files checked; a ``Cancelled`` it raises (at the latest
        just before the transaction) passes through with nothing written."""
        chosen = self.get_round(round_id) if round_id is not None else None
        report = ImportReport()
        checker = _Checker(self, received_on, chosen)
        valid: list[_ValidFile] = []
        seen_sha: dict[str, str] = {}
        seen_reply: dict[tuple[str, str], str] = {}
        paths = [Path(raw_path) for raw_path in paths]
        for index, path in enumerate(paths):
            if progress is not None:
                progress(index, len(paths))
            outcome, checked = checker.check(path)
            report.files.append(outcome)
            if checked is None:
                continue
            if checked.sha in seen_sha:
                outcome.status = FileStatus.ALREADY
                outcome.note = f"与同批的“{seen_sha[checked.sha]}”内容相同，已跳过。"
                continue
            seen_sha[checked.sha] = path.name
            key = (checked.round.id, checked.department_id)
            if key in seen_reply:
                checker.issue(
                    path,
                    None,
                    None,
                    None,
                    f"与同批的“{seen_reply[key]}”同属{checked.department_name}"
                    f"在“{checked.round.name}”中的报送，请只选择最新的一份。",
                )
                outcome.status = FileStatus.INVALID
                continue
            seen_reply[key] = path.name
            valid.append(checked)
        report.errors, report.unlisted = checker.issues, dict(checker.unlisted)
        if progress is not None:
            progress(len(paths), len(paths))  # the last moment to cancel
        if not report.ok:  # valid files stay HELD
            return report
        with self.repo.transaction():
            for checked in valid:
                self._apply(checked, received_on)
        return report

    def replies(self, round_id: str) -> list[ReplyStatus]:
        """Per department sent a sheet (pinyin order): when its first file came, late or
        missing, and the items it left blank (未填报) in what it sent."""
        info = self.get_round(round_id)
        received = {
            department_id: (first, count)
            for department_id, first, count in self.db.execute(
                "SELECT department_id, MIN(received_on), COUNT(*) FROM progress_files"
                " WHERE round_id = ? AND deleted = 0 GROUP BY department_id",
                [round_id],
            )
        }
        sheets = self.db.execute(
            "SELECT s.department_id, d.name, s.exported_on, s.item_count FROM round_sheets s"
            " JOIN departments d ON d.id = s.department_id"
            " WHERE s.round_id = ? AND s.deleted = 0",
            [round_id],
        ).fetchall()
        blank = self._unreported(info, [row[0] for row in sheets if row[0] in received])
        result = []
        for department_id, name, exported_on, item_count in sheets:
            first, count = received.get(department_id, (None, 0))
            received_on = date.fromisoformat(first) if first else None
            result.append(
                ReplyStatus(
                    department_id=department_id,
                    department_name=name,
                    exported_on=date.fromisoformat(exported_on),
                    item_count=item_count,
                    received_on=received_on,
                    files=count,
                    late=bool(received_on and info.reply_due and received_on > info.reply_due),
                    unreported=tuple(blank.get(department_id, ())),
                )
            )
        return collated(result, key=lambda reply: reply.department_name)

    def missing_report(self, round_id: str) -> MissingReport:
        """The round's 催报清单: missing and late files, and the items left blank (未填报)."""
        return MissingReport(self.get_round(round_id), self.replies(round_id))

    # ---- Internals ----------------------------------------------------------------------------

    def _apply(self, checked: _ValidFile, received_on: date) -> None:
        outcome, info = checked.outcome, checked.round
        others = self._other_repliers(info.id, checked.department_id)
        labels = [  # the sources its earlier actual values were recorded under
            _source_label(info.name, name)
            for name in checked.department_names
            if name == checked.department_name or name not in others
        ]
        earlier = self.db.execute(
            "SELECT COUNT(*) FROM progress_files WHERE round_id = ? AND department_id = ?"
            " AND deleted = 0",
            [info.id, checked.department_id],
        ).fetchone()[0]
        outcome.status = FileStatus.CORRECTED if earlier else FileStatus.IMPORTED
        outcome.unreported = list(checked.unreported)
        if earlier:
            # A later file replaces what the earlier ones said about each row it fills in; a
            # row it leaves blank keeps its earlier report (a 补报 of the rows left blank before
            # need not repeat the others).
            answered = {answer.item.code for answer in checked.answers}
            kept: set[str] = set()
            for report_id, code in self._reports(info.id, checked.department_id):
                if code in answered:
                    self.repo.delete("progress_reports", report_id)
                else:
                    kept.add(code)
            for actual_id, code in self._actuals(info.plan_id, labels):
                if code in answered:
                    self.repo.delete("target_actuals", actual_id)
                else:
                    kept.add(code)
            outcome.kept = sum(1 for item in checked.unreported if item.code in kept)
            outcome.unreported = [item for item in checked.unreported if item.code not in kept]
        day = received_on.isoformat()
        file_id = self.repo.insert(
            "progress_files",
            {
                "round_id": info.id,
                "department_id": checked.department_id,
                "file_name": checked.outcome.file,
                "sha256": checked.sha,
                "received_on": day,
                "reporter": checked.reporter or None,
                "phone": checked.phone or None,
            },
        )
        for answer in checked.answers:
            item = answer.item
            if item.kind is ItemKind.TARGET:
                assert answer.actual is not None and item.target_id is not None
                self.repo.insert(
                    "target_actuals",
                    {
                        "target_id": item.target_id,
                        "value": answer.actual,
                        "measured_on": day,
                        "source": labels[0],
                        "report_id": None,
                    },
                )
                outcome.actuals += 1
                continue
            self.repo.insert(
                "progress_reports",
                {
                    "round_id": info.id,
                    "file_id": file_id,
                    "measure_id": item.measure_id,
                    "milestone_id": item.milestone_id,
                    "department_id": checked.department_id,
                    "role": item.role.value,
                    "reported_on": day,
                    "state": answer.state,
                    "completed_on": answer.completed_on.isoformat()
                    if answer.completed_on
                    else None,
                    "progress": answer.progress,
                    "problems": answer.problems,
                    "next_steps": answer.next_steps,
                    "reporter": answer.reporter,
                    "phone": answer.phone,
                },
            )
            outcome.reports += 1
            if answer.completed_on is not None and self._completes(item):
                table, row_id = (
                    ("milestones", item.milestone_id)
                    if item.milestone_id
                    else ("measures", item.measure_id)
                )
                current = self.repo.get(table, row_id)
                if current is not None and not current["completed_on"]:
                    self.repo.update(
                        table, row_id, {"completed_on": answer.completed_on.isoformat()}
                    )
                    outcome.completions += 1

    def _other_repliers(self, round_id: str, department_id: str) -> set[str]:
        """Names of the other departments with files of their own in this round: after a merge
        one's name is the other's alias, and their replies must stay apart."""
        return {
            name
            for (name,) in self.db.execute(
                "SELECT DISTINCT d.name FROM progress_files f"
                " JOIN departments d ON d.id = f.department_id"
                " WHERE f.round_id = ? AND f.department_id != ? AND f.deleted = 0",
                [round_id, department_id],
            )
        }

    def _reports(self, round_id: str, department_id: str) -> list[tuple[str, str]]:
        """(id, item code) of the department's live progress reports in the round."""
        return [
            (report_id, item_code(ItemKind.MILESTONE, milestone_id))
            if milestone_id
            else (report_id, item_code(ItemKind.MEASURE, measure_id))
            for report_id, measure_id, milestone_id in self.db.execute(
                "SELECT id, measure_id, milestone_id FROM progress_reports"
                " WHERE round_id = ? AND department_id = ? AND deleted = 0",
                [round_id, department_id],
            )
        ]

    def _actuals(self, plan_id: str | None, labels: list[str]) -> list[tuple[str, str]]:
        """(id, item code) of the live target values recorded under any of ``labels``."""
        marks = ", ".join("?" for _ in labels)
        return [
            (actual_id, item_code(ItemKind.TARGET, target_id))
            for actual_id, target_id in self.db.execute(
                "SELECT a.id, a.target_id FROM target_actuals a"
                " JOIN targets t ON t.id = a.target_id JOIN measures m ON m.id = t.measure_id"
                f" WHERE a.deleted = 0 AND m.plan_id = ? AND a.source IN ({marks})",
                [plan_id, *labels],
            )
        ]

    def _unreported(self, info: RoundInfo, departments: list[str]) -> dict[str, list[SheetItem]]:
        """Per department (of those that replied): its items no live report or value covers."""
        if not departments:
            return {}
        try:
            catalog = self._catalog(info)
        except ProgressError:  # the plan is gone: nothing to list
            return {}
        result: dict[str, list[SheetItem]] = {}
        for department_id in departments:
            found = self._department(department_id)
            if found is None or found.current_id is None:
                continue
            labels = [_source_label(info.name, name) for name in (found.name, *found.aliases)]
            reported = {code for _, code in self._reports(info.id, department_id)}
            reported |= {code for _, code in self._actuals(info.plan_id, labels)}
            # A department merged after export answers for the items of the one it joined;
            # what that one reported itself counts too.
            if found.current_id != department_id:
                reported |= {code for _, code in self._reports(info.id, found.current_id)}
            items = catalog.items(found.current_id)
            missing = [i for i in items if i.code not in reported]
            if missing:
                result[department_id] = missing
        return result

    def _completes(self, item: SheetItem) -> bool:
        """A lead's word completes an item; so does anyone's when the measure has no lead."""
        if item.role is Role.LEAD:
            return True
        return not self.db.execute(
            "SELECT 1 FROM assignments s JOIN departments d ON d.id = s.department_id"
            " WHERE s.measure_id = ? AND s.role = 'lead' AND s.deleted = 0 AND d.deleted = 0"
            " LIMIT 1",
            [item.measure_id],
        ).fetchone()

    def _catalog(self, info: RoundInfo) -> _Catalog:
        if not info.plan_id or not self._live("plans", info.plan_id):
            raise ProgressError(f"调度轮次“{info.name}”没有关联有效的方案。")
        return _Catalog.load(self.db, info.plan_id)

    def _plan_title(self, plan_id: str) -> str:
        row = self.db.execute("SELECT title FROM plans WHERE id = ?", [plan_id]).fetchone()
        return row[0] if row else ""

    def _live(self, table: str, row_id: str) -> bool:
        return bool(
            self.db.execute(
                f"SELECT 1 FROM {table} WHERE id = ? AND deleted = 0", [row_id]
            ).fetchone()
        )

    def _applied_file(self, sha: str) -> bool:
        return bool(
            self.db.execute(
                "SELECT 1 FROM progress_files WHERE sha256 = ? AND deleted = 0 LIMIT 1", [sha]
            ).fetchone()
        )

    def _department(self, department_id: str) -> Reporter | None:
        """Who a sheet was sent to, and which live department answers for it now (None: not in
        this ledger at all)."""
        row = self.db.execute(
            "SELECT name FROM departments WHERE id = ?", [department_id]
        ).fetchone()
        if row is None:
            return None
        aliases = [  # older names keep matching its sources
            alias
            for (alias,) in self.db.execute(
                "SELECT alias FROM department_aliases WHERE department_id = ? AND deleted = 0",
                [department_id],
            )
        ]
        current = DepartmentDirectory(self.repo).current_id(department_id)
        current_name = (
            self.db.execute("SELECT name FROM departments WHERE id = ?", [current]).fetchone()[0]
            if current
            else None
        )
        return Reporter(row[0], aliases, current, current_name)

    def _exported_items(self, round_id: str, department_id: str) -> int | None:
        """How many items the department's sheet had when last exported (None: no record)."""
        row = self.db.execute(
            "SELECT item_count FROM round_sheets WHERE round_id = ? AND department_id = ?"
            " AND deleted = 0",
            [round_id, department_id],
        ).fetchone()
        return row[0] if row else None


@dataclass(frozen=True)
class Reporter:
    """The department a sheet was sent to (``name``, ``aliases``) and the live department that
    answers for it now: itself, the one it was merged into, or None when it was deleted."""

    name: str
    aliases: list[str]
    current_id: str | None
    current_name: str | None
