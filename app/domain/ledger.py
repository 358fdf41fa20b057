"""The ledger's nouns: a plan's areas and measures, departments and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    LEAD = "lead"
    RESPONSIBLE = "responsible"
    COOPERATING = "cooperating"

    @property
    def label(self) -> str:
        return {"lead": "牵头", "responsible": "责任", "cooperating": "配合"}[self.value]


class MilestoneKind(StrEnum):
    DATE = "date"  # a single due date ("6月底前")
    RECURRING = "recurring"  # "每季度", "每年2月底前"
    ONGOING = "ongoing"  # "长期坚持", "持续推进"
    PERIOD = "period"  # "3年内"

    @property
    def label(self) -> str:
        return {"date": "限期", "recurring": "周期性", "ongoing": "长期", "period": "期限"}[
            self.value
        ]


class Comparator(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    EQUAL = "="
    ABOVE = ">"
    BELOW = "<"


@dataclass(frozen=True)
class MeasureSummary:
    id: str
    no: int | None
    title: str
    # Where it stands at an as-of date, when the tree was built with one.
    light: Light | None = None
    status: Status | None = None


@dataclass(frozen=True)
class AreaSummary:
    id: str
    no: int | None
    title: str
    measures: list[MeasureSummary] = field(default_factory=list)

    def count(self, light: Light) -> int:
        """How many of its measures show ``light`` (0 when the tree has no as-of date)."""
        return sum(measure.light is light for measure in self.measures)


@dataclass(frozen=True)
class PlanSummary:
    id: str
    title: str
    doc_number: str | None
    areas: list[AreaSummary] = field(default_factory=list)

    @property
    def measure_count(self) -> int:
        return sum(len(area.measures) for area in self.areas)

    def count(self, light: Light) -> int:
        return sum(area.count(light) for area in self.areas)


class Status(StrEnum):
    """Progress of a milestone or a measure at an as-of date."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"
    LATE_DONE = "late_done"

    @property
    def label(self) -> str:
        return {
            "not_started": "未开始",
            "in_progress": "推进中",
            "done": "已完成",
            "overdue": "逾期",
            "late_done": "逾期完成",
        }[self.value]


class Light(StrEnum):
    GREEN = "green"  # on track
    YELLOW = "yellow"  # a milestone falls due within N working days
    RED = "red"  # overdue

    @property
    def label(self) -> str:
        return {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}[self.value]


class InspectionKind(StrEnum):
    OPEN = "open"  # 明查: announced
    COVERT = "covert"  # 暗访: unannounced

    @property
    def label(self) -> str:
        return {"open": "明查", "covert": "暗访"}[self.value]


class FindingState(StrEnum):
    """A problem found by an inspection, at an as-of date."""

    OPEN = "open"  # 整改中: not rectified, deadline not passed (or none set)
    OVERDUE = "overdue"  # 逾期未整改
    RECTIFIED = "rectified"  # 已整改

    @property
    def label(self) -> str:
        return {"open": "整改中", "overdue": "逾期未整改", "rectified": "已整改"}[self.value]
