"""确认整改: the office confirms a problem found by an inspection rectified, or undoes that."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.domain.ledger import FindingState
from ui.dialogs.completion import DoneOrReopenDialog

if TYPE_CHECKING:
    from app.services.inspections import Finding


class RectificationDialog(DoneOrReopenDialog):
    def __init__(
        self,
        findings: list[Finding],
        today: date,
        parent: QWidget | None = None,
        *,
        initial: date | None = None,
    ) -> None:
        # Open problems first: those are the ones usually being confirmed; a rectified one is
        # offered for reopening.
        ordered = sorted(findings, key=lambda f: f.state is FindingState.RECTIFIED)
        super().__init__(
            "确认整改",
            ("问题", "整改完成日期", "撤销整改确认（重新计为未整改）"),
            [_label(finding) for finding in ordered],
            today,
            parent,
            done=[finding.state is FindingState.RECTIFIED for finding in ordered],
            initial=initial,
        )
        self._findings = ordered

    def chosen(self) -> tuple[str, date | None]:
        """(finding id, rectification date — None to reopen)."""
        return self._findings[self.chosen_index()].id, self.chosen_date()


def _label(finding: Finding) -> str:
    text = finding.description if len(finding.description) <= 30 else finding.description[:29] + "…"
    if finding.state is FindingState.RECTIFIED and finding.rectified_on:
        return f"{text}（已于 {finding.rectified_on.isoformat()} 整改）"
    due = f"，期限 {finding.rectify_by.isoformat()}" if finding.rectify_by else ""
    return f"{text}（{finding.state.label}{due}）"
