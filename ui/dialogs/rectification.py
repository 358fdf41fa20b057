"""确认整改: the office confirms a problem found by an inspection rectified, or undoes that."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QWidget,
)

from app.domain.ledger import FindingState
from ui.widgets.dates import date_edit, to_qdate

if TYPE_CHECKING:
    from app.services.inspections import Finding


class RectificationDialog(QDialog):
    def __init__(self, findings: list[Finding], today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("确认整改")
        # Open problems first: those are the ones usually being confirmed.
        self._findings = sorted(findings, key=lambda f: f.state is FindingState.RECTIFIED)
        self.finding = QComboBox()
        for finding in self._findings:
            self.finding.addItem(_label(finding))
        self.rectified_on = date_edit(today)
        self.rectified_on.setMaximumDate(to_qdate(today))
        self.reopen = QCheckBox("撤销整改确认（重新计为未整改）")
        self.reopen.toggled.connect(lambda on: self.rectified_on.setEnabled(not on))
        self.finding.currentIndexChanged.connect(self._follow)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("问题", self.finding)
        form.addRow("整改完成日期", self.rectified_on)
        form.addRow("", self.reopen)
        form.addRow(buttons)
        self._follow(0)

    def chosen(self) -> tuple[str, date | None]:
        """(finding id, rectification date — None to reopen)."""
        finding = self._findings[self.finding.currentIndex()]
        on = None if self.reopen.isChecked() else self.rectified_on.date().toPython()
        return finding.id, on

    def _follow(self, index: int) -> None:
        # A rectified problem is offered for reopening; an open one for confirming.
        if 0 <= index < len(self._findings):
            self.reopen.setChecked(self._findings[index].state is FindingState.RECTIFIED)


def _label(finding: Finding) -> str:
    text = finding.description if len(finding.description) <= 30 else finding.description[:29] + "…"
    if finding.state is FindingState.RECTIFIED and finding.rectified_on:
        return f"{text}（已于 {finding.rectified_on.isoformat()} 整改）"
    due = f"，期限 {finding.rectify_by.isoformat()}" if finding.rectify_by else ""
    return f"{text}（{finding.state.label}{due}）"
