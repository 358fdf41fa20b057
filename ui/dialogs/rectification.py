"""确认整改 from the ledger: the 复查 that closes (销号) a reported problem, or undoes a 销号.

It is only the last step of the workflow (开始整改 → 录入整改情况 → 复查, app/services/findings.py):
the service refuses a problem still 待整改 or 整改中 with what to do, and records the 复查 with
the current user as 复查人. Problems 待复查 come first, since those are the ones that can close.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from app.domain.inspection import FindingStage
from app.domain.ledger import FindingState
from ui.dialogs.completion import DoneOrReopenDialog

if TYPE_CHECKING:
    from app.services.inspections import Finding

HINT = (
    "只有已报送整改情况（待复查）的问题可以在这里复查销号，复查人为当前用户；"
    "其他问题请先在“明察暗访 → 发现问题”中录入整改情况。"
)


class RectificationDialog(DoneOrReopenDialog):
    def __init__(
        self,
        findings: list[Finding],
        today: date,
        parent: QWidget | None = None,
        *,
        initial: date | None = None,
    ) -> None:
        ordered = sorted(findings, key=_order)
        super().__init__(
            "复查销号",
            ("问题", "复查日期", "撤销销号（重新计为未整改）"),
            [_label(finding) for finding in ordered],
            today,
            parent,
            done=[finding.state is FindingState.RECTIFIED for finding in ordered],
            initial=initial,
        )
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        self.layout().insertRow(0, hint)
        self._findings = ordered

    def chosen(self) -> tuple[str, date | None]:
        """(finding id, 复查 date — None to undo the 销号)."""
        return self._findings[self.chosen_index()].id, self.chosen_date()


def _order(finding: Finding) -> int:
    if finding.state is FindingState.RECTIFIED:
        return 2
    return 0 if finding.stage is FindingStage.AWAITING_RECHECK else 1


def _label(finding: Finding) -> str:
    text = finding.description if len(finding.description) <= 30 else finding.description[:29] + "…"
    if finding.state is FindingState.RECTIFIED and finding.rectified_on:
        return f"{text}（已于 {finding.rectified_on.isoformat()} 销号）"
    due = f"，期限 {finding.rectify_by.isoformat()}" if finding.rectify_by else ""
    if finding.stage is FindingStage.AWAITING_RECHECK:
        return f"{text}（待复查{due}）"
    return f"{text}（{finding.stage.label}，尚未报送整改情况{due}）"
