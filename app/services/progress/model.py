"""What rounds, sheet items, import reports and replies look like."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.ledger import Role
from app.limits import unlisted_errors_note
from app.storage import WriteError
from reports.progress_sheet import (
    STATE_DONE,
    STATE_IN_PROGRESS,
    STATE_NOT_STARTED,
    ItemKind,
    SheetRow,
    item_code,
)

if TYPE_CHECKING:
    pass

STATE_VALUES = {
    STATE_NOT_STARTED: "not_started",
    STATE_IN_PROGRESS: "in_progress",
    STATE_DONE: "done",
}
_CLAUSE_END = "。；;！？!?\n"


class ProgressError(WriteError):
    """A round operation that cannot be done; the message says why (Chinese)."""


# ---- Plain data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundInfo:
    id: str
    name: str
    plan_id: str | None
    reply_due: date | None
    created_on: date


@dataclass(frozen=True)
class SheetItem:
    """One row of a department's sheet, with the ledger rows it stands for."""

    kind: ItemKind
    measure_id: str
    milestone_id: str | None
    target_id: str | None
    role: Role  # the department's strongest role in the measure
    area: str
    number: str
    description: str
    deadline: str = ""
    due: date | None = None
    unit: str = ""  # targets only
    target: str = ""  # targets only: the plan's phrase, e.g. "达到92%以上"

    @property
    def ref_id(self) -> str:
        return self.milestone_id or self.target_id or self.measure_id

    @property
    def code(self) -> str:
        return item_code(self.kind, self.ref_id)

    def to_row(self) -> SheetRow:
        return SheetRow(
            kind=self.kind,
            ref_id=self.ref_id,
            area=self.area,
            number=self.number,
            description=self.description,
            role=self.role.label,
            deadline=self.deadline,
            due=self.due,
        )


@dataclass(frozen=True)
class Addressee:
    id: str
    name: str
    item_count: int


@dataclass(frozen=True)
class Addressees:
    """Who gets a sheet in a round; generic groups (各镇街, 市直相关部门) cannot, so the
    office has to reach them another way."""

    departments: list[Addressee]
    groups: list[Addressee]


@dataclass(frozen=True)
class ImportIssue:
    """One problem in one file; ``sheet``/``row``/``column`` are None where they do not apply."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = [self.file]
        if self.sheet:
            place.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            place.append(f"第 {self.row} 行")
        if self.column:
            place.append(f"“{self.column}”列")
        return f"{'，'.join(place)}：{self.reason}"


class FileStatus(StrEnum):
    IMPORTED = "imported"
    CORRECTED = "corrected"
    ALREADY = "already"
    INVALID = "invalid"
    HELD = "held"

    @property
    def label(self) -> str:
        return {
            "imported": "已导入",
            "corrected": "已导入（更正此前报送的文件）",
            "already": "已导入过",
            "invalid": "有错误，未导入",
            "held": "未导入（同批其他文件有错误）",
        }[self.value]


@dataclass
class FileOutcome:
    path: Path
    status: FileStatus
    round_name: str = ""
    department_name: str = ""
    reports: int = 0
    actuals: int = 0
    completions: int = 0
    note: str = ""
    # Rows left blank (未填报) that no earlier file of the department reported either.
    unreported: list[SheetItem] = field(default_factory=list)
    kept: int = 0  # rows left blank in a correction whose earlier report stands

    @property
    def file(self) -> str:
        return self.path.name


@dataclass
class ImportReport:
    """What an import did. ``errors`` lists each file's first ``MAX_LISTED_ERRORS`` problems (in
    file and row order); ``unlisted`` counts, per file name, the rest, which are not kept."""

    files: list[FileOutcome] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    unlisted: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def unlisted_errors(self) -> int:
        return sum(self.unlisted.values())

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.unlisted_errors

    def unlisted_note(self) -> str:
        """The line "另有 N 处错误未列出…", or "" when every error is listed."""
        return unlisted_errors_note(self.unlisted)

    @property
    def applied(self) -> bool:
        """Whether anything was written."""
        return any(f.status in (FileStatus.IMPORTED, FileStatus.CORRECTED) for f in self.files)

    def summary(self) -> str:
        if self.error_count:
            return f"发现 {self.error_count} 处错误，本批 {len(self.files)} 个文件均未导入。"
        count = Counter(f.status for f in self.files)
        text = f"导入 {count[FileStatus.IMPORTED] + count[FileStatus.CORRECTED]} 个文件"
        if count[FileStatus.CORRECTED]:
            text += f"（其中更正 {count[FileStatus.CORRECTED]} 个）"
        if count[FileStatus.ALREADY]:
            text += f"，{count[FileStatus.ALREADY]} 个文件已导入过"
        text += "。"
        unreported = sum(len(f.unreported) for f in self.files)
        if unreported:
            text += f"有 {unreported} 项未填报（留空的行），已列入本轮催报清单。"
        return text


@dataclass(frozen=True)
class ReplyStatus:
    department_id: str
    department_name: str
    exported_on: date
    item_count: int
    received_on: date | None  # the first file received
    files: int
    late: bool
    # Items of a department that replied but left their rows blank (未填报), in sheet order.
    unreported: tuple[SheetItem, ...] = ()

    @property
    def missing(self) -> bool:
        return self.received_on is None


def item_line(item: SheetItem, *, with_clause: bool = False) -> str:
    """An item as a chase list names it: "1.5 试行企业开办“掌上全程办”（7月底前）"; with the
    sentence of the text it is about after a colon when ``with_clause`` (two items of one
    measure with the same deadline)."""
    first, _, rest = item.description.partition("\n")
    summary = first.strip()
    if len(summary) > 40:
        summary = summary[:39] + "…"
    kind = ""
    if item.kind is ItemKind.TARGET:
        kind = f"（指标：{item.target}）" if item.target else "（指标）"
    deadline = f"（{item.deadline}）" if item.deadline else ""
    clause = rest.split("\n")[0].strip() if with_clause else ""
    if len(clause) > 30:
        clause = clause[:29] + "…"
    return f"{item.number} {summary}{kind}{deadline}" + (f"：{clause}" if clause else "")


def item_lines(items: Sequence[SheetItem]) -> list[str]:
    """``item_line`` for each item, the clause added where two lines would read the same."""
    plain = [item_line(item) for item in items]
    repeated = {line for line in plain if plain.count(line) > 1}
    return [
        item_line(item, with_clause=True) if line in repeated else line
        for item, line in zip(items, plain, strict=True)
    ]


@dataclass(frozen=True)
class MissingReport:
    """What a round still lacks: departments that have not replied, replies that came after the
    deadline, and the items departments left blank (未填报) in the sheets they sent back."""

    round: RoundInfo
    replies: Sequence[ReplyStatus]

    @property
    def missing(self) -> list[ReplyStatus]:
        return [reply for reply in self.replies if reply.missing]

    @property
    def late(self) -> list[ReplyStatus]:
        return [reply for reply in self.replies if reply.late]

    @property
    def unreported(self) -> list[ReplyStatus]:
        return [reply for reply in self.replies if reply.unreported]

    @property
    def complete(self) -> bool:
        return not (self.missing or self.late or self.unreported)

    def text(self) -> str:
        """The list as plain Chinese text, to paste into a message or a document."""
        info = self.round
        due = f"（报送截止 {info.reply_due.isoformat()}）" if info.reply_due else ""
        lines = [f"{info.name} 催报清单{due}"]
        if not self.replies:
            return lines[0] + "\n尚未生成填报表。"
        if self.complete:
            lines.append(f"{len(self.replies)} 个部门均已按时报回，没有未填报的事项。")
            return "\n".join(lines)
        missing = self.missing
        if missing:
            names = "、".join(reply.department_name for reply in missing)
            lines.append(f"未报回（{len(missing)} 个部门）：{names}")
        late = self.late
        if late:
            parts = []
            for reply in late:
                assert reply.received_on is not None
                days = (reply.received_on - info.reply_due).days if info.reply_due else 0
                parts.append(
                    f"{reply.department_name}（{reply.received_on.isoformat()} 报回，晚 {days} 天）"
                )
            lines.append(f"逾期报回（{len(late)} 个部门）：{'、'.join(parts)}")
        unreported = self.unreported
        if unreported:
            total = sum(len(reply.unreported) for reply in unreported)
            lines.append(f"已报回但有事项未填报（{len(unreported)} 个部门，共 {total} 项）：")
            for reply in unreported:
                lines.append(f"{reply.department_name}（{len(reply.unreported)} 项未填报）：")
                lines.extend(f"  {line}" for line in item_lines(reply.unreported))
        return "\n".join(lines)


# ---- The service -------------------------------------------------------------------------------


def _round(row: Sequence[Any]) -> RoundInfo:
    round_id, name, plan_id, reply_due, created_on = row
    return RoundInfo(
        id=round_id,
        name=name,
        plan_id=plan_id,
        reply_due=date.fromisoformat(reply_due) if reply_due else None,
        created_on=date.fromisoformat(created_on),
    )


def _source_label(round_name: str, department_name: str) -> str:
    return f"{round_name}·{department_name}"
