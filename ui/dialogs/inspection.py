"""记录检查: an inspector writes down one inspection of a measure and the problems found.

The dialog stays open when the record is refused (the reason in red under the form), so
nothing typed is lost; it closes only once ``save`` has accepted the record. While a reason is
shown, every edit checks the form again (``check``), so the reason goes as soon as it is fixed.
A problem's 整改期限 follows the inspection date (DEFAULT_RECTIFY_DAYS later) until it is set
by hand.
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
from ui.widgets.dates import ERROR_COLOUR, DateEdit, date_edit, to_qdate
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.inspections import Inspections

DEFAULT_RECTIFY_DAYS = 15  # a usual 整改期限: about two weeks after the check
_FOLLOWS = "follows_check_date"  # property of a 整改期限 editor not yet set by hand


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


def checker(inspections: Inspections, measure_id: str) -> Callable[[InspectionInput], None]:
    """The dialog's ``check`` for one measure: raises SaveRefused when ``save`` would refuse."""
    from app.storage import WriteError

    def check(value: InspectionInput) -> None:
        try:
            inspections.check(
                measure_id,
                checked_on=value.checked_on,
                inspector=value.inspector,
                findings=value.findings,
            )
        except WriteError as error:
            raise SaveRefused(str(error)) from error

    return check


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
        initial: date | None = None,
        check: Callable[[InspectionInput], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``today`` is the latest inspection date allowed; ``initial`` the date shown first
        (the ledger's as-of day when it looks back). ``check`` raises SaveRefused like ``save``
        would, without saving; without it only the dates are checked again while typing."""
        super().__init__(parent)
        self.setWindowTitle("记录检查")
        self._departments = departments
        self._save = save
        self._check = check
        self._today = today

        self.kind = QComboBox()
        for kind in InspectionKind:
            self.kind.addItem(kind.label, kind.value)
        self.checked_on = date_edit(min(initial or today, today))
        self.checked_on.setMaximumDate(to_qdate(today))
        self.checked_on.dateChanged.connect(self._move_rectify_dates)
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
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.error.setWordWrap(True)
        self.error.hide()
        self._error_checkable = False  # whether the reason shown can be checked again
        self._adding = False  # a problem row is half built
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
        self.kind.currentIndexChanged.connect(self._recheck)
        self.checked_on.textChanged.connect(self._recheck)
        for edit in (self.inspector, self.place):
            edit.textChanged.connect(self._recheck)
        self.summary.textChanged.connect(self._recheck)
        self.findings.itemChanged.connect(self._recheck)
        self.findings.model().rowsRemoved.connect(self._recheck)

    # ---- Public API -------------------------------------------------------------------------

    def add_finding(self, description: str = "") -> int:
        """Add an empty problem row (or one with ``description``); returns its row."""
        row = self.findings.rowCount()
        self._adding = True
        self.findings.insertRow(row)
        self.findings.setItem(row, self.COL_DESCRIPTION, QTableWidgetItem(description))
        department = QComboBox()
        department.addItem("（不指定）", None)
        for department_id, name in self._departments:
            department.addItem(name, department_id)
        if len(self._departments) == 1:
            department.setCurrentIndex(1)
        department.currentIndexChanged.connect(self._recheck)
        self.findings.setCellWidget(row, self.COL_DEPARTMENT, department)
        due = date_edit(self.checked_on.value() + timedelta(days=DEFAULT_RECTIFY_DAYS))
        due.setProperty(_FOLLOWS, True)
        # Typed into (even half-way) or picked: the user's date, the check date no longer moves it.
        due.textEdited.connect(lambda _text, due=due: due.setProperty(_FOLLOWS, False))
        due.sig_date_edited.connect(lambda _day, due=due: due.setProperty(_FOLLOWS, False))
        due.textChanged.connect(self._recheck)
        self.findings.setCellWidget(row, self.COL_DUE, due)
        self._adding = False
        self._recheck()
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
        """Set a problem's 整改期限 as the user would: it stops following the inspection date."""
        due = self.rectify_by_edit(row)
        due.setProperty(_FOLLOWS, False)
        due.setDate(to_qdate(day))

    def rectify_by_edit(self, row: int) -> DateEdit:
        return self.findings.cellWidget(row, self.COL_DUE)

    def value(self) -> InspectionInput:
        findings = []
        for row in range(self.findings.rowCount()):
            item = self.findings.item(row, self.COL_DESCRIPTION)
            department = self.findings.cellWidget(row, self.COL_DEPARTMENT).currentData()
            due = self.rectify_by_edit(row).value()
            findings.append(FindingDraft(item.text() if item else "", department, due))
        return InspectionInput(
            kind=InspectionKind(self.kind.currentData()),
            checked_on=self.checked_on.value(),
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
        bad_date = self._bad_date()
        if bad_date is not None:
            edit, problem = bad_date
            edit.setFocus()
            self._error_checkable = True
        else:
            try:
                self._save(self.value())
            except SaveRefused as refusal:
                problem = str(refusal)
                self._error_checkable = self._check is not None
            else:
                super().accept()
                return
        self.error.setText(problem)
        self.error.show()

    # ---- Internals ----------------------------------------------------------------------------

    def _date_problem(self) -> str | None:
        """A date field whose text is not a date: refused here, never saved as another date."""
        found = self._bad_date()
        return found[1] if found else None

    def _bad_date(self) -> tuple[DateEdit, str] | None:
        problem = self.checked_on.validate()
        if problem is not None:
            return self.checked_on, f"检查日期：{problem}"
        for row in range(self.findings.rowCount()):
            edit = self.rectify_by_edit(row)
            problem = edit.validate()
            if problem is not None:
                return edit, f"第 {row + 1} 个问题的整改期限：{problem}"
        return None

    def _recheck(self) -> None:
        """While a reason is shown: check again, and drop it (or say the next one) once fixed."""
        if self.error.isHidden() or self._adding:
            return
        problem = self._date_problem()
        if problem is None and self._check is not None:
            try:
                self._check(self.value())
            except SaveRefused as refusal:
                problem = str(refusal)
        elif problem is None and not self._error_checkable:
            return  # a refusal only ``save`` can judge stays until the next save
        self.error.setText(problem or "")
        self.error.setVisible(problem is not None)

    def _move_rectify_dates(self, checked_on) -> None:
        due = checked_on.toPython() + timedelta(days=DEFAULT_RECTIFY_DAYS)
        for row in range(self.findings.rowCount()):
            edit = self.rectify_by_edit(row)
            if edit.property(_FOLLOWS):
                edit.setDate(due)

    def keyPressEvent(self, event) -> None:
        # Enter in the problem table edits the cell; it must not save the whole dialog.
        if self.findings.hasFocus() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
