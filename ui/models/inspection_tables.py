"""The 明察暗访 lists as lazy tables: findings (问题) and inspection records (检查记录).

Rows are the cursors of ``FindingList.query`` and ``RecordList.query`` (app/services/), streamed
by ``LazyTableModel`` and painted by ui/widgets/text_table.py. An overdue 整改 shows in red (its
整改期限 and 状态 cells, tinted, in red text); a 销号 finding's 状态 is tinted green.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtGui import QBrush, QColor

from app.domain.inspection import FindingStage, RecordState, Severity
from app.domain.ledger import InspectionKind
from app.services.finding_list import FindingRow
from app.services.record_list import RecordRow, measure_number
from ui.models.lazy_table import BACKGROUND, FOREGROUND, LazyTableModel, Looks

OVERDUE_COLOUR = QColor("#d93025")
_OVERDUE_TEXT = QBrush(OVERDUE_COLOUR)
_OVERDUE_TINT = QBrush(QColor("#fde7e5"))
_CLOSED_TINT = QBrush(QColor("#eaf6ec"))
_COVERT_TINT = QBrush(QColor("#ecebf7"))

_KINDS = {kind.value: kind.label for kind in InspectionKind}
_STAGES = {stage.value: stage.label for stage in FindingStage}
_SEVERITIES = {severity.value: severity.label for severity in Severity}
_STATES = {state.value: state.label for state in RecordState}


class FindingTableModel(LazyTableModel):
    (
        COL_FOUND,
        COL_DESCRIPTION,
        COL_CATEGORY,
        COL_SEVERITY,
        COL_DEPARTMENT,
        COL_DUE,
        COL_STAGE,
        COL_KIND,
        COL_MEASURE,
    ) = range(9)
    HEADERS = (
        "发现日期",
        "问题",
        "类别",
        "严重程度",
        "责任部门",
        "整改期限",
        "状态",
        "方式",
        "措施",
    )
    SORT_KEYS = ("found", None, None, "severity", "department", "due", "stage", None, None)
    DEFAULT_SORT = ("found", True)  # newest first
    LONG_COLUMNS = (COL_DESCRIPTION, COL_DEPARTMENT, COL_MEASURE)
    UNIQUE_COLUMNS = frozenset({COL_DESCRIPTION, COL_MEASURE})
    # Shown only when chosen from the header's menu: the finding pane shows them all.
    OPTIONAL_COLUMNS = (COL_CATEGORY, COL_KIND, COL_MEASURE)

    def row(self, row: int) -> FindingRow | None:
        values = self.values(row)
        return FindingRow.from_sql(values) if values is not None else None

    def is_overdue(self, row: int) -> bool:
        values = self.values(row)
        return bool(values and values[_F_OVERDUE])

    def present(self, values: tuple[Any, ...]) -> tuple[tuple[str, ...], Hashable]:
        overdue = bool(values[_F_OVERDUE])
        stage = values[_F_STAGE]
        stage_text = _STAGES.get(stage, stage)
        if overdue:
            stage_text += "（逾期）"
        return (
            (
                values[_F_FOUND],
                values[_F_DESCRIPTION],
                values[_F_CATEGORY],
                _SEVERITIES.get(values[_F_SEVERITY], values[_F_SEVERITY]),
                values[_F_DEPARTMENT] or "—",
                values[_F_DUE] or "—",
                stage_text,
                _KINDS.get(values[_F_KIND], ""),
                values[_F_MEASURE] or "",
            ),
            (overdue, stage == FindingStage.CLOSED),
        )

    def looks(self, kind: Hashable) -> tuple[Looks, ...]:
        overdue, closed = kind  # type: ignore[misc]
        looks: list[Looks] = []
        for column in range(len(self.HEADERS)):
            marked = overdue and column in (self.COL_DUE, self.COL_STAGE)
            tint = _OVERDUE_TINT if marked else None
            if closed and column == self.COL_STAGE:
                tint = _CLOSED_TINT
            looks.append(((FOREGROUND, _OVERDUE_TEXT if marked else None), (BACKGROUND, tint)))
        return tuple(looks)


_F = {name: position for position, name in enumerate(FindingRow.__dataclass_fields__)}
_F_KIND, _F_MEASURE, _F_DEPARTMENT = _F["kind"], _F["measure_title"], _F["department"]
_F_DESCRIPTION, _F_CATEGORY, _F_SEVERITY = _F["description"], _F["category"], _F["severity"]
_F_FOUND, _F_DUE, _F_STAGE, _F_OVERDUE = (
    _F["found_on"],
    _F["rectify_by"],
    _F["stage"],
    _F["overdue"],
)


class RecordTableModel(LazyTableModel):
    (
        COL_CHECKED,
        COL_KIND,
        COL_PLAN,
        COL_MEASURE,
        COL_DEPARTMENT,
        COL_INSPECTOR,
        COL_FINDINGS,
        COL_STATE,
    ) = range(8)
    HEADERS = ("检查日期", "方式", "督查方案", "措施", "受检部门", "检查人", "发现问题", "记录")
    SORT_KEYS = ("checked", None, "plan", "measure", "department", "inspector", "open", None)
    DEFAULT_SORT = ("checked", True)
    LONG_COLUMNS = (COL_PLAN, COL_MEASURE, COL_INSPECTOR)
    UNIQUE_COLUMNS = frozenset({COL_MEASURE})
    OPTIONAL_COLUMNS = ()

    def row(self, row: int) -> RecordRow | None:
        values = self.values(row)
        return RecordRow.from_sql(values) if values is not None else None

    def present(self, values: tuple[Any, ...]) -> tuple[tuple[str, ...], Hashable]:
        findings, open_findings, overdue = values[_R_FINDINGS:]
        if not findings:
            counted = "无"
        elif open_findings:
            counted = f"{findings} 个（未销号 {open_findings}）"
        else:
            counted = f"{findings} 个（已销号）"
        number = measure_number(values[_R_AREA_NO], values[_R_MEASURE_NO])
        return (
            (
                values[_R_CHECKED],
                _KINDS.get(values[_R_KIND], ""),
                values[_R_PLAN] or "（未列入方案）",
                f"{number} {values[_R_TITLE] or ''}".strip(),
                values[_R_DEPARTMENT] or "—",
                values[_R_INSPECTOR] or "",
                counted,
                _STATES.get(values[_R_STATE], ""),
            ),
            (values[_R_KIND] == InspectionKind.COVERT, bool(overdue)),
        )

    def looks(self, kind: Hashable) -> tuple[Looks, ...]:
        covert, overdue = kind  # type: ignore[misc]
        looks: list[Looks] = []
        for column in range(len(self.HEADERS)):
            marked = overdue and column == self.COL_FINDINGS
            tint = _COVERT_TINT if covert and column == self.COL_KIND else None
            looks.append(((FOREGROUND, _OVERDUE_TEXT if marked else None), (BACKGROUND, tint)))
        return tuple(looks)


_R = {name: position for position, name in enumerate(RecordRow.COLUMNS)}
_R_KIND, _R_CHECKED, _R_PLAN = _R["kind"], _R["checked_on"], _R["plan_name"]
_R_AREA_NO, _R_MEASURE_NO, _R_TITLE = _R["area_no"], _R["measure_no"], _R["measure_title"]
_R_DEPARTMENT, _R_INSPECTOR, _R_STATE = _R["department"], _R["inspector"], _R["state"]
_R_FINDINGS = _R["findings"]
