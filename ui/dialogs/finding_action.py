"""One move of a finding's 整改 workflow: 开始整改, 录入整改情况, 复查, 撤销销号.

The service (app/services/findings.py: Findings) checks the move and its date; a refusal keeps
the dialog open with the reason. 复查 asks for the result, none chosen beforehand: 通过 closes
the finding (销号), 未通过 sends it back to 整改中 (退回重改).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import FindingAction
from ui.dialogs.saving import SavingDialog
from ui.widgets.dates import date_edit, to_qdate
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.findings import FindingDetail, Findings

TITLES = {
    FindingAction.START: "开始整改",
    FindingAction.REPORT: "录入整改情况",
    FindingAction.RECHECK_PASS: "复查",
    FindingAction.RECHECK_FAIL: "复查",
    FindingAction.REOPEN: "撤销销号",
}
DATE_LABELS = {
    FindingAction.START: "开始整改日期",
    FindingAction.REPORT: "报送日期",
    FindingAction.RECHECK_PASS: "复查日期",
    FindingAction.RECHECK_FAIL: "复查日期",
    FindingAction.REOPEN: "撤销日期",
}
NOTE_LABELS = {
    FindingAction.START: "说明",
    FindingAction.RECHECK_PASS: "复查意见",
    FindingAction.RECHECK_FAIL: "复查意见",
    FindingAction.REOPEN: "撤销原因",
}


class FindingActionDialog(SavingDialog):
    def __init__(
        self,
        action: FindingAction,
        finding: FindingDetail,
        findings: Findings,
        *,
        today: date,
        inspector: str = "",
        parent: QWidget | None = None,
    ) -> None:
        """``action``: the move (RECHECK_PASS or RECHECK_FAIL: a 复查, result chosen here);
        ``today``: the latest date allowed; ``inspector``: the 复查人 shown first."""
        super().__init__(TITLES[action], parent)
        self.action = action
        self._finding = finding
        self._findings = findings
        self._today = today
        self.on = date_edit(today)
        self.on.setMaximumWidth(self.on.sizeHint().width())
        self.on.setMaximumDate(to_qdate(today))
        self.rectification = QPlainTextEdit()
        self.rectification.setTabChangesFocus(True)
        self.rectification.setPlaceholderText("责任部门这次报送的整改措施和结果")
        # A new report starts empty; the earlier ones (kept in the history) are shown read-only.
        self.previous = QPlainTextEdit()
        self.previous.setReadOnly(True)
        self.previous.setTabChangesFocus(True)
        self.previous.setMaximumHeight(90)
        self.previous.setPlainText(
            "\n".join(f"{day.isoformat()} 报送：{text}" for day, text in finding.reports)
        )
        self.previous.setVisible(bool(finding.reports))
        self.passed = QRadioButton("通过，销号")
        self.failed = QRadioButton("未通过，退回重改")
        self.results = QButtonGroup(self)
        self.results.addButton(self.passed)
        self.results.addButton(self.failed)
        # No result is chosen for the user: one click must not close a problem (save() asks).
        self.inspector = QLineEdit(inspector)
        self.inspector.setPlaceholderText("必填")
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(80)

        heading = QLabel(f"问题：{finding.description}（{finding.stage.label}）")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: bold")
        form = QFormLayout()
        form.addRow(DATE_LABELS[action], self.on)
        if action is FindingAction.REPORT:
            if finding.reports:
                form.addRow("此前报送", self.previous)
            form.addRow("本次整改情况", self.rectification)
        if self.is_recheck:
            results = QHBoxLayout()
            results.addWidget(self.passed)
            results.addWidget(self.failed)
            results.addStretch(1)
            form.addRow("复查结果", results)
            form.addRow("复查人", self.inspector)
        if action in NOTE_LABELS:
            form.addRow(NOTE_LABELS[action], self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 520, 360 if action is FindingAction.REPORT else 280)
        if action is FindingAction.REPORT:
            self.rectification.setFocus()
        elif self.is_recheck and not inspector:
            self.inspector.setFocus()
        else:
            self.on.setFocus()

    @property
    def is_recheck(self) -> bool:
        return self.action in (FindingAction.RECHECK_PASS, FindingAction.RECHECK_FAIL)

    def save(self) -> None:
        findings, finding_id, on = self._findings, self._finding.id, self.on.value()
        today = self._today
        note = self.note.toPlainText()
        if self.action is FindingAction.START:
            findings.start(finding_id, on, note=note, today=today)
        elif self.action is FindingAction.REPORT:
            findings.report(finding_id, self.rectification.toPlainText(), on, today=today)
        elif self.is_recheck:
            from app.storage import WriteError

            if not (self.passed.isChecked() or self.failed.isChecked()):
                raise WriteError("请选择复查结果：通过（销号）或未通过（退回重改）。")
            if not self.inspector.text().strip():
                raise WriteError("请填写复查人。")
            findings.recheck(
                finding_id,
                on,
                passed=self.passed.isChecked(),
                inspector=self.inspector.text(),
                note=note,
                today=today,
            )
        else:
            findings.reopen(finding_id, on, note=note, today=today)
