"""The small editor a 不符合 item becomes a finding in (F2 in the record form).

Prefilled from the item (``ChecklistService.propose_finding``): the description (the item, its
measured check, its note), the category the item suggests, the responsible department (the
measure's lead, or the inspected department when it is one of the measure's), severity 一般 and
a 整改期限 of ``DEFAULT_RECTIFY_WORKDAYS`` working days, shown as the date it comes to (holidays
and 调休 counted). Ctrl+Enter (or Enter outside the description) saves; a refusal is shown under
the form and nothing typed is lost. Files dropped on the editor are evidence of the finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import Severity, Verdict
from app.services.findings import DEFAULT_CATEGORY, MAX_RECTIFY_WORKDAYS, FindingDraft
from app.storage import WriteError
from ui.widgets.dates import ERROR_COLOUR, date_edit
from ui.widgets.evidence_strip import EvidenceStrip, dropped_files
from ui.widgets.sizing import fit_to_screen
from ui.widgets.text_fields import PlainTextField, is_ctrl_enter

if TYPE_CHECKING:
    from pathlib import Path

    from app.domain.workdays import WorkCalendar
    from app.services.context import Services
    from app.services.evidence import Evidence

DEFAULT_RECTIFY_WORKDAYS = 10  # two working weeks: the usual 整改期限 of a window problem
WORKDAYS, BY_DATE, NO_DEADLINE = "workdays", "date", "none"


class FindingEditor(QDialog):
    def __init__(
        self,
        draft: FindingDraft,
        *,
        heading: str,
        found_on: date,
        departments: list[tuple[str, str]],
        categories: list[str],
        calendar: WorkCalendar,
        save: Callable[[FindingDraft], object],
        evidence: list[Evidence] | None = None,
        on_files_dropped: Callable[[list[Path]], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("转为问题" if not heading.startswith("修改") else "修改问题")
        self._save = save
        self._found_on = found_on
        self._calendar = calendar
        self._on_files_dropped = on_files_dropped

        self.description = PlainTextField(draft.description)
        self.description.setPlaceholderText("发现的问题（必填）")
        self.description.setMinimumHeight(72)
        self.category = QComboBox()
        names = list(categories) or [DEFAULT_CATEGORY]
        if draft.category and draft.category not in names:
            names.append(draft.category)
        self.category.addItems(names)
        wanted = draft.category or DEFAULT_CATEGORY
        self.category.setCurrentIndex(max(self.category.findText(wanted), 0))
        self.severity = QComboBox()
        for severity in Severity:
            self.severity.addItem(severity.label, severity.value)
        self.severity.setCurrentIndex(max(self.severity.findData(Severity(draft.severity)), 0))
        self.department = QComboBox()
        for department_id, name in departments:
            self.department.addItem(name, department_id)
        if draft.department_id is not None:
            self.department.setCurrentIndex(max(self.department.findData(draft.department_id), 0))

        self.deadline_kind = QComboBox()
        self.deadline_kind.addItem("工作日内", WORKDAYS)
        self.deadline_kind.addItem("指定日期前", BY_DATE)
        self.deadline_kind.addItem("暂不设期限", NO_DEADLINE)
        self.workdays = QSpinBox()
        self.workdays.setRange(1, MAX_RECTIFY_WORKDAYS)
        self.workdays.setSuffix(" 个工作日")
        self.workdays.setValue(draft.rectify_workdays or DEFAULT_RECTIFY_WORKDAYS)
        self.rectify_by = date_edit(draft.rectify_by or self._due(DEFAULT_RECTIFY_WORKDAYS))
        self.rectify_by.setMinimumDate(found_on)
        if draft.rectify_by is not None and draft.rectify_workdays is None:
            self.deadline_kind.setCurrentIndex(1)
        self.due_label = QLabel()
        self.due_label.setStyleSheet("color: gray")
        deadline = QHBoxLayout()
        deadline.addWidget(self.deadline_kind)
        deadline.addWidget(self.workdays)
        deadline.addWidget(self.rectify_by)
        deadline.addStretch(1)

        self.evidence = EvidenceStrip("把照片或文件拖到这里，作为这个问题的证据")
        self.evidence.setVisible(evidence is not None or on_files_dropped is not None)
        self.evidence.sig_files_dropped.connect(self._dropped)
        if evidence is not None:
            self.evidence.set_evidence(evidence)

        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存（Ctrl+Enter）")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.accept)

        form = QFormLayout()
        form.addRow("问题描述", self.description)
        form.addRow("问题类别", self.category)
        form.addRow("严重程度", self.severity)
        form.addRow("责任部门", self.department)
        form.addRow("整改期限", deadline)
        form.addRow("", self.due_label)
        title = QLabel(heading)
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.evidence)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setAcceptDrops(on_files_dropped is not None)
        fit_to_screen(self, 640, 460)

        self.deadline_kind.currentIndexChanged.connect(self._deadline_changed)
        self.workdays.valueChanged.connect(self._show_due)
        self.rectify_by.dateChanged.connect(self._show_due)
        self.rectify_by.textChanged.connect(self._show_due)
        self._deadline_changed()
        self.description.setFocus()
        self.description.selectAll()

    # ---- Public API -------------------------------------------------------------------------

    def value(self) -> FindingDraft:
        kind = self.deadline_kind.currentData()
        return FindingDraft(
            self.description.toPlainText().strip(),
            department_id=self.department.currentData(),
            rectify_by=self.rectify_by.value() if kind == BY_DATE else None,
            category=self.category.currentText(),
            severity=Severity(self.severity.currentData()),
            rectify_workdays=self.workdays.value() if kind == WORKDAYS else None,
        )

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def set_evidence(self, evidence: list[Evidence]) -> None:
        self.evidence.show()
        self.evidence.set_evidence(evidence)

    # ---- Qt -----------------------------------------------------------------------------------

    def accept(self) -> None:
        if self.deadline_kind.currentData() == BY_DATE:
            problem = self.rectify_by.validate()
            if problem is not None:
                self._refuse(f"整改期限：{problem}")
                self.rectify_by.setFocus()
                return
        try:
            self._save(self.value())
        except WriteError as error:
            self._refuse(str(error))
            return
        super().accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if is_ctrl_enter(event):
            self.accept()
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._on_files_dropped is not None and dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if self._on_files_dropped is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self._dropped(paths)

    # ---- Internals ----------------------------------------------------------------------------

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _dropped(self, paths: list[Path]) -> None:
        if self._on_files_dropped is not None:
            self._on_files_dropped(paths)

    def _due(self, workdays: int) -> date:
        return self._calendar.add_workdays(self._found_on, workdays)

    def _deadline_changed(self) -> None:
        kind = self.deadline_kind.currentData()
        self.workdays.setVisible(kind == WORKDAYS)
        self.rectify_by.setVisible(kind == BY_DATE)
        self._show_due()

    def _show_due(self, *_args) -> None:
        kind = self.deadline_kind.currentData()
        if kind == WORKDAYS:
            due = self._due(self.workdays.value())
            self.due_label.setText(
                f"即 {due.isoformat()} 前（从检查日期 {self._found_on.isoformat()} 起按工作日计算，"
                "节假日和调休已计入）"
            )
        elif kind == BY_DATE:
            self.due_label.setText(f"检查日期为 {self._found_on.isoformat()}")
        else:
            self.due_label.setText("没有整改期限的问题不会出现在催办提醒中")
        if not self.error.isHidden():
            self.error.hide()


def editor_for_item(
    services: Services,
    answer_id: str,
    *,
    on_files_dropped: Callable[[list[Path]], None] | None = None,
    parent: QWidget | None = None,
) -> FindingEditor | str:
    """F2 on a checklist item: the editor of its finding (to change it), or a new finding
    prefilled from the item (``ChecklistService.propose_finding``) — or why it cannot be one."""
    checklists, findings = services.checklists, services.findings
    answer = checklists.answer(answer_id)
    record = findings.visible_record(answer.inspection_id)
    detail = findings.get(answer.finding_id) if answer.finding_id else None
    if detail is not None:
        draft = FindingDraft(
            detail.description,
            department_id=detail.department_id,
            rectify_by=detail.rectify_by if detail.rectify_workdays is None else None,
            category=detail.category,
            severity=detail.severity,
            rectify_workdays=detail.rectify_workdays,
        )
        heading = f"修改问题（来自第 {answer.position} 项：{answer.text}）"

        def save(value: FindingDraft) -> None:
            findings.edit(detail.id, value)

        evidence = services.evidence.for_finding(detail.id)
    else:
        if answer.verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE):
            return (
                f"第 {answer.position} 项的结论是“{answer.verdict.label}”，不能转为问题；"
                "如有问题，请先按 3 把结论改为“不符合”。"
            )
        proposal = checklists.propose_finding(answer.id)
        draft = replace(proposal, rectify_workdays=DEFAULT_RECTIFY_WORKDAYS)
        heading = f"把第 {answer.position} 项转为问题：{answer.text}"

        def save(value: FindingDraft) -> None:
            checklists.raise_finding(
                answer_id,
                description=value.description,
                department_id=value.department_id,
                category=value.category,
                severity=value.severity,
                rectify_by=value.rectify_by,
                rectify_workdays=value.rectify_workdays,
            )

        evidence = services.evidence.for_answer(answer.id)
    return FindingEditor(
        draft,
        heading=heading,
        found_on=date.fromisoformat(record["checked_on"]),
        departments=services.inspections.departments(record["measure_id"]),
        categories=services.vocabulary.names("category"),
        calendar=findings.calendar,
        save=save,
        evidence=evidence,
        on_files_dropped=on_files_dropped,
        parent=parent,
    )
