"""交办事项: a task from no document (a leader's instruction, a hotline complaint), by hand.

It becomes a measure of the 交办事项 plan (app/services/assigned.py) with its departments,
deadlines and targets, so the ledger, lights, 催办提醒 and inspections treat it like any other.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.ledger import Comparator, Role
from app.services.assigned import DEFAULT_SOURCE, AssignedDraft, TargetDraft
from ui.dialogs.saving import SavingDialog
from ui.widgets.dates import DateEdit, date_edit, to_qdate
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.assigned import AssignedTasks

SOURCES = (DEFAULT_SOURCE, "领导批示", "12345热线", "群众来信", "媒体曝光", "会议议定")
COMPARATORS = (
    (Comparator.AT_LEAST, "不低于"),
    (Comparator.AT_MOST, "不高于"),
    (Comparator.EQUAL, "达到"),
    (Comparator.ABOVE, "高于"),
    (Comparator.BELOW, "低于"),
)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(30)
    return table


class AssignedTaskDialog(SavingDialog):
    def __init__(
        self,
        tasks: AssignedTasks,
        departments: list[tuple[str, str]],
        *,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("新建交办事项", parent)
        self._tasks = tasks
        self._departments = departments
        self._today = today
        self.saved_id: str | None = None

        self.title = QLineEdit()
        self.title.setPlaceholderText("如：解决市民反映的不动产登记排队时间长问题")
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.addItems(SOURCES)
        self.assigned_by = QLineEdit()
        self.assigned_by.setPlaceholderText("如：张市长（可不填）")
        self.assigned_on = date_edit(today)
        self.assigned_on.setMaximumDate(to_qdate(today))
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("交办内容、批示原文（可不填，默认同标题）")
        self.text.setMaximumHeight(80)

        self.department_table = _table(["部门", "职责"])
        self.department_table.setColumnWidth(1, 90)
        self.add_department_button = QPushButton("添加部门")
        self.add_department_button.clicked.connect(lambda: self.add_department())
        self.deadline_table = _table(["完成期限"])
        self.add_deadline_button = QPushButton("添加期限")
        self.add_deadline_button.clicked.connect(lambda: self.add_deadline())
        self.target_table = _table(["指标", "要求", "数值", "单位"])
        for column, width in ((1, 80), (2, 90), (3, 70)):
            self.target_table.setColumnWidth(column, width)
        self.add_target_button = QPushButton("添加目标")
        self.add_target_button.clicked.connect(lambda: self.add_target())
        self.remove_button = QPushButton("删除所选行")
        self.remove_button.clicked.connect(self._remove_selected)

        form = QFormLayout()
        form.addRow("标题", self.title)
        source_row = QHBoxLayout()
        source_row.addWidget(self.source, 1)
        source_row.addWidget(QLabel("交办人"))
        source_row.addWidget(self.assigned_by, 1)
        source_row.addWidget(QLabel("交办日期"))
        source_row.addWidget(self.assigned_on)
        form.addRow("来源", source_row)
        form.addRow("内容", self.text)
        tables = QHBoxLayout()
        for label, table, button in (
            ("责任部门（须有牵头）", self.department_table, self.add_department_button),
            ("完成期限", self.deadline_table, self.add_deadline_button),
            ("目标值（可不填）", self.target_table, self.add_target_button),
        ):
            column = QVBoxLayout()
            column.addWidget(QLabel(label))
            column.addWidget(table, 1)
            column.addWidget(button)
            tables.addLayout(column, 1 if table is self.deadline_table else 2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(tables, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.add_department(role=Role.LEAD)
        self.add_deadline()
        fit_to_screen(self, 960, 560)
        self.title.setFocus()

    # ---- Public API -------------------------------------------------------------------------

    def add_department(
        self, department_id: str | None = None, role: Role = Role.RESPONSIBLE
    ) -> int:
        row = self.department_table.rowCount()
        self.department_table.insertRow(row)
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for value, name in self._departments:
            combo.addItem(name, value)
        combo.setCurrentIndex(combo.findData(department_id) if department_id else -1)
        roles = QComboBox()
        for value in (Role.LEAD, Role.RESPONSIBLE, Role.COOPERATING):
            roles.addItem(value.label, value.value)
        roles.setCurrentIndex(roles.findData(Role(role).value))
        self.department_table.setCellWidget(row, 0, combo)
        self.department_table.setCellWidget(row, 1, roles)
        return row

    def add_deadline(self, day: date | None = None) -> int:
        row = self.deadline_table.rowCount()
        self.deadline_table.insertRow(row)
        self.deadline_table.setCellWidget(
            row, 0, date_edit(day or self._today + timedelta(days=30))
        )
        return row

    def add_target(
        self,
        metric: str = "",
        op: Comparator = Comparator.AT_LEAST,
        value: float = 0,
        unit: str = "",
    ) -> int:
        row = self.target_table.rowCount()
        self.target_table.insertRow(row)
        self.target_table.setCellWidget(row, 0, QLineEdit(metric))
        ops = QComboBox()
        for comparator, label in COMPARATORS:
            ops.addItem(label, comparator.value)
        ops.setCurrentIndex(ops.findData(Comparator(op).value))
        self.target_table.setCellWidget(row, 1, ops)
        number = QDoubleSpinBox()
        number.setRange(-1e9, 1e9)
        number.setDecimals(2)
        number.setValue(value)
        self.target_table.setCellWidget(row, 2, number)
        self.target_table.setCellWidget(row, 3, QLineEdit(unit))
        return row

    def set_department(self, row: int, department_id: str, role: Role) -> None:
        combo: QComboBox = self.department_table.cellWidget(row, 0)
        combo.setCurrentIndex(combo.findData(department_id))
        roles: QComboBox = self.department_table.cellWidget(row, 1)
        roles.setCurrentIndex(roles.findData(Role(role).value))

    def draft(self) -> AssignedDraft:
        departments = []
        for row in range(self.department_table.rowCount()):
            combo: QComboBox = self.department_table.cellWidget(row, 0)
            roles: QComboBox = self.department_table.cellWidget(row, 1)
            department_id = self._department_of(combo)
            if department_id is not None:
                departments.append((department_id, Role(roles.currentData())))
        deadlines = []
        for row in range(self.deadline_table.rowCount()):
            edit: DateEdit = self.deadline_table.cellWidget(row, 0)
            deadlines.append(edit.value())
        targets = []
        for row in range(self.target_table.rowCount()):
            metric: QLineEdit = self.target_table.cellWidget(row, 0)
            if not metric.text().strip():
                continue
            ops: QComboBox = self.target_table.cellWidget(row, 1)
            number: QDoubleSpinBox = self.target_table.cellWidget(row, 2)
            unit: QLineEdit = self.target_table.cellWidget(row, 3)
            targets.append(
                TargetDraft(
                    metric.text(), Comparator(ops.currentData()), number.value(), unit.text()
                )
            )
        return AssignedDraft(
            title=self.title.text(),
            assigned_on=self.assigned_on.value(),
            departments=tuple(departments),
            source=self.source.currentText(),
            assigned_by=self.assigned_by.text(),
            text=self.text.toPlainText(),
            deadlines=tuple(deadlines),
            targets=tuple(targets),
        )

    def save(self) -> None:
        from app.storage import WriteError

        for row in range(self.department_table.rowCount()):
            combo: QComboBox = self.department_table.cellWidget(row, 0)
            if combo.currentText().strip() and self._department_of(combo) is None:
                raise WriteError(
                    f"第 {row + 1} 个部门“{combo.currentText().strip()}”不在部门名录中，"
                    "请从下拉列表中选择已有的部门。"
                )
        self.saved_id = self._tasks.create(self.draft(), today=self._today)

    # ---- Internals ----------------------------------------------------------------------------

    @staticmethod
    def _department_of(combo: QComboBox) -> str | None:
        """The chosen department, only when the text is exactly one of the list's names."""
        index = combo.findText(combo.currentText().strip())
        return combo.itemData(index) if index >= 0 else None

    def _remove_selected(self) -> None:
        for table in (self.department_table, self.deadline_table, self.target_table):
            rows = sorted({index.row() for index in table.selectedIndexes()}, reverse=True)
            for row in rows:
                table.removeRow(row)
