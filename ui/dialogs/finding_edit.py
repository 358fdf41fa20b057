"""修改问题: a finding's description, category, severity, responsible department, 整改期限.

The 整改期限 is a date or N working days after the finding's date (holidays and 调休 counted by
the office's calendar; the date it comes to is shown as N changes). ``Findings.edit`` checks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import Severity
from app.services.findings import MAX_RECTIFY_WORKDAYS, FindingDraft
from ui.dialogs.saving import SavingDialog
from ui.widgets.dates import date_edit
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.services.findings import FindingDetail, Findings

DEFAULT_WORKDAYS = 10


class FindingEditDialog(SavingDialog):
    def __init__(
        self,
        findings: Findings,
        finding: FindingDetail,
        categories: list[str],
        calendar: WorkCalendar,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("修改问题", parent)
        self._findings = findings
        self._finding = finding
        self._calendar = calendar
        self.description = QPlainTextEdit(finding.description)
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(90)
        self.category = QComboBox()
        names = list(categories)
        if finding.category not in names:
            names.append(finding.category)  # removed from the list since: kept as it is
        self.category.addItems(names)
        self.category.setCurrentText(finding.category)
        self.severity = QComboBox()
        for level in Severity:
            self.severity.addItem(level.label, level.value)
        self.severity.setCurrentIndex(self.severity.findData(finding.severity.value))
        self.department = QComboBox()
        for department_id, name in findings.departments(finding.measure_id):
            self.department.addItem(name, department_id)
        index = self.department.findData(finding.department_id)
        if index < 0 and finding.department_id:
            self.department.addItem(finding.department, finding.department_id)
            index = self.department.count() - 1
        self.department.setCurrentIndex(max(index, 0))

        self.by_date = QRadioButton("日期")
        self.by_workdays = QRadioButton("发现后")
        group = QButtonGroup(self)
        group.addButton(self.by_date)
        group.addButton(self.by_workdays)
        self.rectify_by = date_edit(finding.rectify_by or finding.found_on)
        self.workdays = QSpinBox()
        self.workdays.setRange(1, MAX_RECTIFY_WORKDAYS)
        self.workdays.setValue(finding.rectify_workdays or DEFAULT_WORKDAYS)
        self.workdays.setSuffix(" 个工作日")
        self.computed = QLabel()
        (self.by_workdays if finding.rectify_workdays else self.by_date).setChecked(True)
        deadline_row = QWidget()
        deadline = QHBoxLayout(deadline_row)
        deadline.setContentsMargins(0, 0, 0, 0)
        deadline.addWidget(self.by_date)
        deadline.addWidget(self.rectify_by)
        deadline.addSpacing(12)
        deadline.addWidget(self.by_workdays)
        deadline.addWidget(self.workdays)
        deadline.addWidget(self.computed)
        deadline.addStretch(1)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow("问题描述", self.description)
        form.addRow("类别", self.category)
        form.addRow("严重程度", self.severity)
        form.addRow("责任部门", self.department)
        form.addRow("整改期限", deadline_row)
        found = QLabel(f"发现日期：{finding.found_on.isoformat()}（{finding.stage.label}）")
        found.setStyleSheet("color: gray")
        layout = QVBoxLayout(self)
        layout.addWidget(found)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for signal in (self.by_date.toggled, self.workdays.valueChanged):
            signal.connect(self._update_deadline)
        self._update_deadline()
        fit_to_screen(self, 640, 340)

    def draft(self) -> FindingDraft:
        workdays = self.by_workdays.isChecked()
        return FindingDraft(
            description=self.description.toPlainText(),
            department_id=self.department.currentData(),
            rectify_by=None if workdays else self.rectify_by.value(),
            category=self.category.currentText(),
            severity=Severity(self.severity.currentData()),
            rectify_workdays=self.workdays.value() if workdays else None,
        )

    def computed_due(self):
        return self._calendar.add_workdays(self._finding.found_on, self.workdays.value())

    def save(self) -> None:
        self._findings.edit(self._finding.id, self.draft())

    def _update_deadline(self) -> None:
        workdays = self.by_workdays.isChecked()
        self.rectify_by.setEnabled(not workdays)
        self.workdays.setEnabled(workdays)
        self.computed.setText(f"即 {self.computed_due().isoformat()}" if workdays else "")
