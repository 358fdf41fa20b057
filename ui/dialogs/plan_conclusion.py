"""督查结论 and 反馈: what a plan concluded, and when that was fed back to each department.

《政府督查工作条例》 asks for a written conclusion fed back to every inspected unit. The
departments listed are those the plan inspected (its targets, its records' and findings'
departments); another can be added. A department fed back once stays listed (its date can be
corrected, not removed). ``InspectionPlans.conclude`` / ``feed_back`` check the dates.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from ui.dialogs.saving import SavingDialog
from ui.widgets.dates import DateEdit, date_edit, to_qdate
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.inspection_plans import InspectionPlan, InspectionPlans


class ConclusionDialog(SavingDialog):
    COL_DONE, COL_DEPARTMENT, COL_DATE, COL_NOTE = range(4)

    def __init__(
        self,
        plans: InspectionPlans,
        plan: InspectionPlan,
        inspected: list[tuple[str, str]],
        all_departments: list[tuple[str, str]],
        *,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("督查结论与反馈", parent)
        self._plans = plans
        self.plan = plan
        self._today = today
        self.conclusion = QPlainTextEdit(plan.conclusion)
        self.conclusion.setTabChangesFocus(True)
        self.conclusion.setPlaceholderText("督查发现的主要问题、总体评价和整改要求")
        self.concluded_on = date_edit(plan.concluded_on or today)
        self.concluded_on.setMaximumWidth(self.concluded_on.sizeHint().width())
        self.concluded_on.setMaximumDate(to_qdate(today))

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["已反馈", "部门", "反馈日期", "说明"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.COL_DEPARTMENT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.COL_DONE, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(self.COL_DATE, 150)
        self.table.setColumnWidth(self.COL_NOTE, 180)
        fed = {f.department_id: f for f in plan.feedback}
        for department_id, name in inspected:
            self._add_row(department_id, name)
        for department_id, feedback in fed.items():
            if self.row_of(department_id) < 0:
                self._add_row(department_id, feedback.department)
        self.others = QComboBox()
        self.others.setEditable(True)
        self.others.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for department_id, name in all_departments:
            self.others.addItem(name, department_id)
        self.others.setCurrentIndex(-1)
        self.add_button = QPushButton("添加部门")
        self.add_button.clicked.connect(self._add_other)
        others = QHBoxLayout()
        others.addWidget(QLabel("其他部门"))
        others.addWidget(self.others, 1)
        others.addWidget(self.add_button)

        heading = QLabel(f"督查方案：{plan.name}")
        heading.setStyleSheet("font-weight: bold")
        form = QFormLayout()
        form.addRow("督查结论", self.conclusion)
        form.addRow("结论日期", self.concluded_on)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(QLabel("向受检部门反馈（勾选已反馈的部门并填写日期）"))
        layout.addWidget(self.table, 1)
        layout.addLayout(others)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 720, 600)
        self.conclusion.setFocus()

    # ---- Public API -------------------------------------------------------------------------

    def row_of(self, department_id: str) -> int:
        for row in range(self.table.rowCount()):
            if self.table.item(row, self.COL_DEPARTMENT).data(Qt.ItemDataRole.UserRole) == (
                department_id
            ):
                return row
        return -1

    def mark_fed_back(self, department_id: str, on: date, note: str = "") -> None:
        row = self.row_of(department_id)
        self._done(row).setChecked(True)
        self._date(row).setDate(on)
        self._note(row).setText(note)

    def save(self) -> None:
        plan_id, today = self.plan.id, self._today
        text, on = self.conclusion.toPlainText().strip(), self.concluded_on.value()
        if text != self.plan.conclusion.strip() or on != self.plan.concluded_on:
            self._plans.conclude(plan_id, text, on, today=today)
        fed = {f.department_id: f for f in self.plan.feedback}
        for row in range(self.table.rowCount()):
            if not self._done(row).isChecked():
                continue
            department_id = self.table.item(row, self.COL_DEPARTMENT).data(Qt.ItemDataRole.UserRole)
            day, note = self._date(row).value(), self._note(row).text().strip()
            before = fed.get(department_id)
            if before is None or (before.fed_back_on, before.note) != (day, note):
                self._plans.feed_back(plan_id, department_id, day, note=note, today=today)

    # ---- Internals ----------------------------------------------------------------------------

    def _add_row(self, department_id: str, name: str) -> int:
        feedback = next((f for f in self.plan.feedback if f.department_id == department_id), None)
        row = self.table.rowCount()
        self.table.insertRow(row)
        done = QCheckBox()
        done.setChecked(feedback is not None)
        done.setEnabled(feedback is None)  # a feedback given is corrected, never taken back
        holder = QWidget()
        box = QHBoxLayout(holder)
        box.setContentsMargins(8, 0, 8, 0)
        box.addWidget(done)
        self.table.setCellWidget(row, self.COL_DONE, holder)
        item = QTableWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, department_id)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, self.COL_DEPARTMENT, item)
        day = date_edit(feedback.fed_back_on if feedback else self._today)
        day.setMaximumDate(to_qdate(self._today))
        self.table.setCellWidget(row, self.COL_DATE, day)
        self.table.setCellWidget(row, self.COL_NOTE, QLineEdit(feedback.note if feedback else ""))
        self._sync_enabled(row)
        done.toggled.connect(lambda _checked, row=row: self._sync_enabled(row))
        return row

    def _sync_enabled(self, row: int) -> None:
        checked = self._done(row).isChecked()
        self._date(row).setEnabled(checked)
        self._note(row).setEnabled(checked)

    def _done(self, row: int) -> QCheckBox:
        return self.table.cellWidget(row, self.COL_DONE).findChild(QCheckBox)

    def _date(self, row: int) -> DateEdit:
        return self.table.cellWidget(row, self.COL_DATE)

    def _note(self, row: int) -> QLineEdit:
        return self.table.cellWidget(row, self.COL_NOTE)

    def _add_other(self) -> None:
        department_id = self.others.currentData()
        if department_id is None or self.others.currentText() != self.others.itemText(
            self.others.currentIndex()
        ):
            self.show_error("请从列表中选择一个部门再添加。")
            return
        self.show_error("")
        row = self.row_of(department_id)
        if row < 0:
            row = self._add_row(department_id, self.others.currentText())
        self._done(row).setChecked(True)
        self.table.setCurrentCell(row, self.COL_DEPARTMENT)
