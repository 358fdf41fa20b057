"""Validating returned sheets completely before anything is written."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.dates import read_date
from app.limits import MAX_LISTED_ERRORS, MAX_SHEET_FILE_BYTES, LimitExceeded, read_bytes_limited
from app.services.progress.catalog import _Catalog
from app.services.progress.model import (
    STATE_VALUES,
    FileOutcome,
    FileStatus,
    ImportIssue,
    ProgressError,
    RoundInfo,
    SheetItem,
)
from reports.progress_sheet import (
    COL_ACTUAL,
    COL_COMPLETED,
    COL_ID,
    COL_NEXT,
    COL_PHONE,
    COL_PROBLEMS,
    COL_PROGRESS,
    COL_REPORTER,
    COL_STATE,
    DEPARTMENT_COLUMNS,
    FORMULA_NOT_SAVED,
    META_SHEET,
    ROWS_SHEET,
    STATE_NOT_STARTED,
    V1_HEADERS,
    ItemKind,
    SheetContent,
    SheetEntry,
    SheetFormatError,
    parse_item_code,
    read_sheet,
)

if TYPE_CHECKING:
    from app.services.progress.service import ProgressService


@dataclass
class _Answer:
    item: SheetItem
    state: str | None
    completed_on: date | None
    actual: float | None
    progress: str
    problems: str
    next_steps: str
    reporter: str
    phone: str


@dataclass
class _ValidFile:
    outcome: FileOutcome
    sha: str
    round: RoundInfo
    department_id: str
    department_name: str
    department_names: list[str]  # current name first, then aliases
    answers: list[_Answer]
    reporter: str
    phone: str
    unreported: list[SheetItem]  # rows left blank: 未填报


class _Checker:
    """Validates files one by one, counting every issue and keeping each file's first
    ``MAX_LISTED_ERRORS`` (a sheet of 500,000 bad rows must not become 500,000 messages)."""

    def __init__(self, service: ProgressService, received_on: date, chosen: RoundInfo | None):
        self.service = service
        self.received_on = received_on
        self.chosen = chosen
        self.issues: list[ImportIssue] = []
        self.listed: Counter[str] = Counter()  # per file name
        self.unlisted: Counter[str] = Counter()  # per file name: counted, not kept
        self._catalogs: dict[str, _Catalog] = {}

    @property
    def count(self) -> int:
        return len(self.issues) + self.unlisted.total()

    def issue(
        self, path: Path, sheet: str | None, row: int | None, column: str | None, reason: str
    ) -> None:
        if self.listed[path.name] < MAX_LISTED_ERRORS:
            self.listed[path.name] += 1
            self.issues.append(ImportIssue(path.name, sheet, row, column, reason))
        else:
            self.unlisted[path.name] += 1

    def check(self, path: Path) -> tuple[FileOutcome, _ValidFile | None]:
        outcome = FileOutcome(path, FileStatus.INVALID)
        before = self.count
        try:
            data = read_bytes_limited(path, MAX_SHEET_FILE_BYTES, "进展填报表", name="")
        except LimitExceeded as error:
            self.issue(path, None, None, None, error.message)
            return outcome, None
        except OSError as error:
            self.issue(path, None, None, None, f"无法读取文件：{error.strerror or error}")
            return outcome, None
        sha = hashlib.sha256(data).hexdigest()
        if self.service._applied_file(sha):
            outcome.status = FileStatus.ALREADY
            outcome.note = "该文件已导入过，未作改动。"
            return outcome, None
        try:
            content = read_sheet(data)
        except SheetFormatError as error:
            self.issue(path, error.sheet, error.row, error.column, error.message)
            return outcome, None
        meta = content.meta
        outcome.round_name, outcome.department_name = meta.round_name, meta.department_name
        info = self._round(meta.round_id)
        if info is None:
            self.issue(
                path,
                META_SHEET,
                None,
                "round_id",
                f"文件所属的调度轮次“{meta.round_name}”不在本台账中（可能来自其他台账或已删除）。",
            )
        elif self.chosen is not None and info.id != self.chosen.id:
            self.issue(
                path,
                META_SHEET,
                None,
                "round_id",
                f"文件属于调度轮次“{info.name}”，不是本次导入的“{self.chosen.name}”。",
            )
        elif meta.plan_id and meta.plan_id != info.plan_id:
            self.issue(path, META_SHEET, None, "plan_id", "文件的方案与该调度轮次的方案不一致。")
        department = self.service._department(meta.department_id)
        if department is None or department.current_id is None:
            self.issue(
                path,
                META_SHEET,
                None,
                "department_id",
                f"填报部门“{meta.department_name}”不在本台账的部门名录中（可能来自其他台账）。"
                if department is None
                else f"填报部门“{department.name}”已被删除（未并入其他部门），这份填报表无法导入；"
                "请核对部门名录，需要时为现有部门重新导出填报表。",
            )
        if info is None or department is None or self.count > before:
            return outcome, None
        name, aliases, current = department.name, department.aliases, department.current_id
        outcome.round_name, outcome.department_name = info.name, name
        if current != meta.department_id:
            outcome.note = f"填报部门“{name}”已并入“{department.current_name}”，按其现有事项导入。"
        catalog = self._catalog(info)
        if catalog is None:
            self.issue(
                path,
                META_SHEET,
                None,
                "plan_id",
                f"调度轮次“{info.name}”的方案已被删除，这份填报表无法导入；"
                "请为台账中现有的方案新建调度轮次并重新导出填报表。",
            )
            return outcome, None
        items = catalog.items(current)  # a merged department answers for the merged one's items
        exported = self.service._exported_items(info.id, meta.department_id)
        contact = self._contact(path, content)
        answers, unreported = self._rows(path, content, items, name, info, contact, exported)
        if self.count > before:
            return outcome, None
        outcome.status = FileStatus.HELD  # valid; applied only if the whole batch is
        if contact is None:  # format version 1: on every row
            contact = (
                _most_common(a.reporter for a in answers),
                _most_common(a.phone for a in answers),
            )
        return outcome, _ValidFile(
            outcome=outcome,
            sha=sha,
            round=info,
            department_id=meta.department_id,
            department_name=name,
            department_names=[name, *aliases],
            answers=answers,
            reporter=contact[0],
            phone=contact[1],
            unreported=unreported,
        )

    def _round(self, round_id: str) -> RoundInfo | None:
        try:
            return self.service.get_round(round_id)
        except ProgressError:
            return None

    def _catalog(self, info: RoundInfo) -> _Catalog | None:
        """None when the round's plan is gone."""
        if info.id not in self._catalogs:
            try:
                self._catalogs[info.id] = self.service._catalog(info)
            except ProgressError:
                return None
        return self._catalogs[info.id]

    def _contact(self, path: Path, content: SheetContent) -> tuple[str, str] | None:
        """填报人 and 联系电话 from the head (format 2); None when each row has its own (1).
        A missing one is reported naming its cell, once all rows were checked (see _rows)."""
        if content.contact_per_row:
            return None
        values = []
        for label in (COL_REPORTER, COL_PHONE):
            head = content.head[label]
            values.append("" if head.formula else _text(head.value))
        return values[0], values[1]

    def _head_problems(self, path: Path, content: SheetContent) -> None:
        for label, what in ((COL_REPORTER, "填报人姓名"), (COL_PHONE, "联系电话")):
            head = content.head[label]
            if head.formula:
                self.issue(path, ROWS_SHEET, head.row, label, FORMULA_NOT_SAVED)
            elif not _text(head.value):
                self.issue(
                    path,
                    ROWS_SHEET,
                    head.row,
                    label,
                    f"{label}未填写：请在第 {head.row} 行“{label}”右侧的 {head.cell} 单元格"
                    f"填写{what}（每份表填写一次）。",
                )

    def _rows(
        self,
        path: Path,
        content: SheetContent,
        items: Sequence[SheetItem],
        department: str,
        info: RoundInfo,
        contact: tuple[str, str] | None,
        exported: int | None = None,
    ) -> tuple[list[_Answer], list[SheetItem]]:
        """The answers of the filled rows, and the items whose rows were left blank.

        ``exported``: how many items the sheet had when exported. Items the department took
        on since (a merge, a milestone added to the plan) were never asked: they are missing
        only when the sheet has fewer rows than it was exported with."""
        by_code = {item.code: item for item in items}
        seen: dict[str, int] = {}
        answers: list[_Answer] = []
        blank: list[SheetItem] = []
        columns = V1_HEADERS  # every column either format has; absent ones read as None
        for entry in content.entries:
            # A formula without a saved result is reported as such, not as "not filled in".
            for column in columns:
                if column in entry.formulas:
                    self.issue(path, ROWS_SHEET, entry.row, column, FORMULA_NOT_SAVED)

            def problem(
                column: str, reason: str, row: int = entry.row, unsaved=entry.formulas
            ) -> None:
                if column not in unsaved:
                    self.issue(path, ROWS_SHEET, row, column, reason)

            code = _text(entry.get(COL_ID))
            if not code:
                problem(COL_ID, "编号为空：编号被删除或改动，无法识别这一行。")
            elif parse_item_code(code) is None:
                problem(COL_ID, f"编号“{code}”格式不正确，可能被改动过，请勿修改编号列。")
            elif code in seen:
                problem(COL_ID, f"编号重复（与第 {seen[code]} 行相同），请勿复制行。")
            elif code not in by_code:
                seen[code] = entry.row
                problem(
                    COL_ID,
                    f"编号“{code}”不是{department}在“{info.name}”中的填报事项"
                    "（可能被改动过，或是从其他部门的表格复制来的）。",
                )
            else:
                seen[code] = entry.row
                if _left_blank(entry):
                    blank.append(by_code[code])
                    continue
                answer = self._answer(by_code[code], entry, problem, contact)
                if answer is not None:
                    answers.append(answer)
        missing = [item for item in items if item.code not in seen]
        answered = sum(code in by_code for code in seen)
        if missing and exported is not None:
            if answered >= exported:
                missing = []
            elif len(missing) > exported - answered:  # which of them were asked is unknown
                self.issue(
                    path,
                    ROWS_SHEET,
                    None,
                    COL_ID,
                    f"缺少事项：导出时本表有 {exported} 项，现只有 {answered} 项，"
                    "有行被删除或编号被改动；请在导出的原表上填写后重新导入。",
                )
                missing = []
        for item in missing:
            summary = item.description.split("\n")[0][:30]
            self.issue(
                path,
                ROWS_SHEET,
                None,
                COL_ID,
                f"缺少事项：序号 {item.number} 的{item.kind.label}“{summary}”"
                f"（编号 {item.code}），该行被删除或编号被改动。",
            )
        if blank and len(blank) == answered:
            # Most often the untouched sheet sent back, or the wrong file: the department stays
            # 未报回 (on the list to chase) instead of 已报回 with nothing in it.
            self.issue(
                path,
                ROWS_SHEET,
                None,
                None,
                ("表中唯一的一项" if len(blank) == 1 else f"全部 {len(blank)} 项均")
                + "未填写，可能报回的是未填写的原表。"
                "请该部门填写后重新报送；本轮确实没有进展的事项，可在完成状态中选择“未开始”。",
            )
        elif contact is not None:
            self._head_problems(path, content)
        blank_codes = {item.code for item in blank}
        return answers, [item for item in items if item.code in blank_codes]

    def _answer(
        self,
        item: SheetItem,
        entry: SheetEntry,
        problem: Callable[[str, str], None],
        contact: tuple[str, str] | None,
    ) -> _Answer | None:
        """A filled row, checked in full (``contact``: the head's 填报人/联系电话; None when
        each row has its own, format version 1)."""
        found: list[str] = []

        def bad(column: str, reason: str) -> None:
            found.append(column)
            problem(column, reason)

        progress = _text(entry.get(COL_PROGRESS))
        if contact is None:
            reporter, phone = _text(entry.get(COL_REPORTER)), _text(entry.get(COL_PHONE))
        else:
            reporter, phone = contact
        state: str | None = None
        completed_on: date | None = None
        actual: float | None = None
        if item.kind is ItemKind.TARGET:
            raw = entry.get(COL_ACTUAL)
            if _text(raw) == "":
                bad(COL_ACTUAL, "指标行须填写实际值（数字，如 92 或 92%）。")
            else:
                try:
                    actual = parse_number(raw, item.unit)
                except ValueError as error:
                    bad(COL_ACTUAL, str(error))
        else:
            label = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(entry.get(COL_STATE))))
            if not label:
                bad(COL_STATE, "完成状态未填写，请选择未开始、推进中或已完成。")
            elif label not in STATE_VALUES:
                bad(COL_STATE, f"完成状态“{label}”无效，只能是未开始、推进中或已完成。")
            else:
                state = STATE_VALUES[label]
            if not progress and label != STATE_NOT_STARTED:
                bad(COL_PROGRESS, "进展情况未填写（完成状态为“未开始”的可不填）。")
            raw = entry.get(COL_COMPLETED)
            day: date | None = None
            if _text(raw):
                try:
                    day = parse_date(raw)
                except ValueError as error:
                    bad(COL_COMPLETED, str(error))
            if day is not None and day > self.received_on:
                bad(
                    COL_COMPLETED,
                    f"实际完成日期 {day.isoformat()} 晚于报送日期"
                    f" {self.received_on.isoformat()}，请核实。",
                )
            if state == "done":
                if day is None and not _text(raw):
                    bad(COL_COMPLETED, "完成状态为“已完成”，须填写实际完成日期。")
                completed_on = day
        if contact is None:  # format version 1 asked on every row; version 2 in the head
            if not reporter:
                bad(COL_REPORTER, "填报人未填写（此版本的填报表每行必填）。")
            if not phone:
                bad(COL_PHONE, "联系电话未填写（此版本的填报表每行必填）。")
        if found:
            return None
        return _Answer(
            item=item,
            state=state,
            completed_on=completed_on,
            actual=actual,
            progress=progress,
            problems=_text(entry.get(COL_PROBLEMS)),
            next_steps=_text(entry.get(COL_NEXT)),
            reporter=reporter,
            phone=phone,
        )


# ---- Cell values -------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (20000, 80000)  # 1954 … 2119: plausible Excel date serials


def parse_date(value: Any) -> date:
    """A completion date as a department may enter it: an Excel date, or text such as
    2021-07-30, 2021/7/30, 2021.7.30, 2021年7月30日. Raises ValueError (Chinese)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = str(value)
    return read_date(text)  # the app's one reading of typed dates (a DateTextError is a ValueError)


def parse_number(value: Any, unit: str = "") -> float:
    """A target's actual value: 92, "92", "92%", "92％", "1.3万", or with the target's unit
    ("25家" when the unit is 家). Raises ValueError (Chinese)."""
    if isinstance(value, bool | date):
        raise ValueError(f"实际值“{_text(value)}”不是数字，请填写如 92 或 92%。")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("实际值不是有效数字。")
        return float(value)
    text = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", str(value)))
    unit = unicodedata.normalize("NFKC", unit).strip()
    if unit and text.endswith(unit):
        text = text[: -len(unit)]
    factor = 1.0
    if text.endswith("%"):
        text = text[:-1]
    elif text.endswith("万"):
        text, factor = text[:-1], 10000.0
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"实际值“{_text(value)}”不是数字，请填写如 92 或 92%。")
    return float(text) * factor


def _text(value: Any) -> str:
    """A cell as text: phone numbers typed into number cells lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# ---- Small helpers -----------------------------------------------------------------------------


def _left_blank(entry: SheetEntry) -> bool:
    """None of the department's cells filled (填报人/联系电话 of a version 1 row do not count:
    they were often copied down the whole column)."""
    return not any(
        column in entry.formulas or _text(entry.get(column)) for column in DEPARTMENT_COLUMNS
    )


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(value for value in values if value)
    return counts.most_common(1)[0][0] if counts else ""
