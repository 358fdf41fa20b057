"""记录检查: an inspector writes down one inspection of a measure and the problems found.

The dialog stays open when the record is refused (the reason in red under the form), so
nothing typed is lost; it closes only once ``save`` has accepted the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.ledger import InspectionKind
from app.services.inspections import FindingDraft
from ui.widgets.dates import date_edit, to_qdate
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.inspections import Inspections

DEFAULT_RECTIFY_DAYS = 15  # a usual 整改期限: about two weeks after the check


@dataclass(frozen=True)
class InspectionInput:
    kind: InspectionKind
    checked_on: date
    inspector: str
    place: str
    summary: str
    findings: list[FindingDraft] = field(default_factory=list)


class SaveRefused(Exception):
    """Raised by a ``save`` callback: the message is shown and the dialog stays open."""


def recorder(inspections: Inspections, measure_id: str) -> Callable[[InspectionInput], None]:
    """The dialog's ``save`` for one measure: record it; a refusal keeps the dialog open."""
    from app.storage import WriteError

    def save(value: InspectionInput) -> None:
        try:
            inspections.record(
                measure_id,
                kind=value.kind,
                checked_on=value.checked_on,
                inspector=value.inspector,
                place=value.place,
                summary=value.summary,
                findings=value.findings,
            )
        except WriteError as error:
            raise SaveRefused(str(error)) from error

    return save


class InspectionDialog(QDialog):
    COL_DESCRIPTION, COL_DEPARTMENT, COL_DUE = range(3)

    def __init__(
        self,
        heading: str,
        departments: list[tuple[str, str]],
        today: date,
        save: Callable[[InspectionInput], None],
        *,
        inspector: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("记录检查")
        self._departments = departments
        self._save = save
        self._today = today

        self.kind = QComboBox()
        for kind in InspectionKind:
            self.kind.addItem(kind.label, kind.value)
        self.checked_on = date_edit(today)
        self.checked_on.setMaximumDate(to_qdate(today))
        self.inspector = QLineEdit(inspector)
        self.inspector.setPlaceholderText("必填，多人用顿号分隔")
        self.place = QLineEdit()
        self.place.setPlaceholderText("如：市政务服务中心二楼窗口")
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("检查了什么、看到的情况")
        self.summary.setTabChangesFocus(True)
        self.summary.setMaximumHeight(90)

        self.findings = QTableWidget(0, 3)
        self.findings.setHorizontalHeaderLabels(["问题描述", "责任部门", "整改期限"])
        self.findings.verticalHeader().setVisible(False)
        self.findings.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.findings.horizontalHeader()
        header.setSectionResizeMode(self.COL_DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self.findings.setColumnWidth(self.COL_DEPARTMENT, 170)
        self.findings.setColumnWidth(self.COL_DUE, 120)
        self.add_button = QPushButton("添加问题")
        self.add_button.setToolTip("Ctrl+N")
        self.add_button.clicked.connect(self.add_finding)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add_finding)
        self.remove_button = QPushButton("删除所选问题")
        self.remove_button.clicked.connect(self.remove_selected)
        finding_buttons = QHBoxLayout()
        finding_buttons.addWidget(QLabel("发现的问题（没有问题可不填）"))
        finding_buttons.addStretch(1)
        finding_buttons.addWidget(self.add_button)
        finding_buttons.addWidget(self.remove_button)

        self.error = QLabel()
        self.error.setStyleSheet("color: #d93025")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("检查方式", self.kind)
        form.addRow("检查日期", self.checked_on)
        form.addRow("检查人", self.inspector)
        form.addRow("地点", self.place)
        form.addRow("检查情况", self.summary)
        title = QLabel(heading)
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addLayout(finding_buttons)
        layout.addWidget(self.findings, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 720, 560)
        (self.place if inspector else self.inspector).setFocus()

    # ---- Public API -------------------------------------------------------------------------

    def add_finding(self, description: str = "") -> int:
        """Add an empty problem row (or one with ``description``); returns its row."""
        row = self.findings.rowCount()
        self.findings.insertRow(row)
        self.findings.setItem(row, self.COL_DESCRIPTION, QTableWidgetItem(description))
        department = QComboBox()
        department.addItem("（不指定）", None)
        for department_id, name in self._departments:
            department.addItem(name, department_id)
        if len(self._departments) == 1:
            department.setCurrentIndex(1)
        self.findings.setCellWidget(row, self.COL_DEPARTMENT, department)
        due = date_edit(self.checked_on.date().toPython() + timedelta(days=DEFAULT_RECTIFY_DAYS))
        self.findings.setCellWidget(row, self.COL_DUE, due)
        self.findings.setCurrentCell(row, self.COL_DESCRIPTION)
        if not description:
            self.findings.editItem(self.findings.item(row, self.COL_DESCRIPTION))
        return row

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.findings.selectedIndexes()}, reverse=True)
        for row in rows:
            self.findings.removeRow(row)

    def set_department(self, row: int, department_id: str | None) -> None:
        combo = self.findings.cellWidget(row, self.COL_DEPARTMENT)
        combo.setCurrentIndex(max(combo.findData(department_id), 0))

    def set_rectify_by(self, row: int, day: date) -> None:
        self.findings.cellWidget(row, self.COL_DUE).setDate(to_qdate(day))

    def value(self) -> InspectionInput:
        findings = []
        for row in range(self.findings.rowCount()):
            item = self.findings.item(row, self.COL_DESCRIPTION)
            department = self.findings.cellWidget(row, self.COL_DEPARTMENT).currentData()
            due = self.findings.cellWidget(row, self.COL_DUE).date().toPython()
            findings.append(FindingDraft(item.text() if item else "", department, due))
        return InspectionInput(
            kind=InspectionKind(self.kind.currentData()),
            checked_on=self.checked_on.date().toPython(),
            inspector=self.inspector.text(),
            place=self.place.text(),
            summary=self.summary.toPlainText(),
            findings=findings,
        )

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    # ---- Qt ---------------------------------------------------------------------------------

    def accept(self) -> None:
        # A cell still being typed into has not reached its item yet: commit it first.
        self.findings.setCurrentItem(None)
        try:
            self._save(self.value())
        except SaveRefused as refusal:
            self.error.setText(str(refusal))
            self.error.show()
            return
        super().accept()

    def keyPressEvent(self, event) -> None:
        # Enter in the problem table edits the cell; it must not save the whole dialog.
        if self.findings.hasFocus() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
