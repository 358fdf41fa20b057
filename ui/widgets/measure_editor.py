"""Edits one parsed measure before it is saved: title, departments, deadlines, targets."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.ledger import MilestoneKind, Role
from app.plan_import import Deadline, DepartmentRef, ParsedMeasure, Target, parse_deadline

NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")
OPS = (">=", "<=", "=", ">", "<")
INVALID = QBrush(QColor("#f8d0d0"))


def split_names(text: str) -> list[str]:
    return [name for name in NAME_SEPARATORS.split(text.strip()) if name]


class MeasureEditor(QWidget):
    """Changes are written into the ParsedMeasure as they are made; ``sig_edited`` follows."""

    sig_edited = Signal()

    DEADLINE_RAW, DEADLINE_DUE, DEADLINE_KIND = range(3)
    TARGET_RAW, TARGET_METRIC, TARGET_OP, TARGET_VALUE, TARGET_UNIT = range(5)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._measure: ParsedMeasure | None = None
        self._year: int | None = None
        self._loading = False

        self.title_edit = QLineEdit()
        self.role_edits = {role: QLineEdit() for role in Role}
        for role, edit in self.role_edits.items():
            edit.setPlaceholderText("多个部门用顿号“、”分隔")
            edit.editingFinished.connect(lambda role=role: self._departments_edited(role))
        self.title_edit.editingFinished.connect(self._title_edited)

        self.deadlines = self._table(["时限原文", "完成日期", "类型"])
        self.deadlines.itemChanged.connect(self._deadlines_edited)
        self.targets = self._table(["目标原文", "指标", "比较", "数值", "单位"])
        self.targets.itemChanged.connect(self._targets_edited)

        add_deadline = QPushButton("添加时限")
        add_deadline.clicked.connect(self._add_deadline)
        remove_deadline = QPushButton("删除时限")
        remove_deadline.clicked.connect(lambda: self._remove_row(self.deadlines))
        add_target = QPushButton("添加目标")
        add_target.clicked.connect(self._add_target)
        remove_target = QPushButton("删除目标")
        remove_target.clicked.connect(lambda: self._remove_row(self.targets))

        form = QFormLayout()
        form.addRow("措施标题", self.title_edit)
        form.addRow("牵头部门", self.role_edits[Role.LEAD])
        form.addRow("责任部门", self.role_edits[Role.RESPONSIBLE])
        form.addRow("配合部门", self.role_edits[Role.COOPERATING])
        buttons = QHBoxLayout()
        for button in (add_deadline, remove_deadline, add_target, remove_target):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.deadlines, 1)
        layout.addWidget(self.targets, 1)
        layout.addLayout(buttons)
        self.set_measure(None)

    # ---- Public API -------------------------------------------------------------------------

    def set_measure(self, measure: ParsedMeasure | None, year: int | None = None) -> None:
        self._measure = measure
        self._year = year
        self._loading = True
        try:
            self.setEnabled(measure is not None)
            self.title_edit.setText(measure.title if measure else "")
            for role, edit in self.role_edits.items():
                edit.setText("、".join(measure.names(role.value)) if measure else "")
            self.deadlines.setRowCount(0)
            self.targets.setRowCount(0)
            for deadline in measure.deadlines if measure else []:
                self._append_deadline_row(deadline)
            for target in measure.targets if measure else []:
                self._append_target_row(target)
        finally:
            self._loading = False
        self._validate()

    def problems(self) -> list[str]:
        """Cells that cannot be saved as typed (shown red)."""
        found = []
        for row in range(self.deadlines.rowCount()):
            due = self.deadlines.item(row, self.DEADLINE_DUE).text().strip()
            if due and _parse_date(due) is None:
                found.append(f"完成日期“{due}”的格式应为 2021-06-30")
        for row in range(self.targets.rowCount()):
            op = self.targets.item(row, self.TARGET_OP).text().strip()
            value = self.targets.item(row, self.TARGET_VALUE).text().strip()
            if op not in OPS:
                found.append(f"比较符“{op}”应为 {' '.join(OPS)} 之一")
            if _parse_float(value) is None:
                found.append(f"数值“{value}”不是数字")
        return found

    # ---- Internals ----------------------------------------------------------------------------

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        return table

    def _append_deadline_row(self, deadline: Deadline) -> None:
        row = self.deadlines.rowCount()
        self.deadlines.insertRow(row)
        raw = QTableWidgetItem(deadline.raw)
        raw.setData(Qt.ItemDataRole.UserRole, deadline)
        self.deadlines.setItem(row, self.DEADLINE_RAW, raw)
        self.deadlines.setItem(
            row,
            self.DEADLINE_DUE,
            QTableWidgetItem(deadline.due.isoformat() if deadline.due else ""),
        )
        kind = QTableWidgetItem(MilestoneKind(deadline.kind).label)
        kind.setFlags(kind.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.deadlines.setItem(row, self.DEADLINE_KIND, kind)

    def _append_target_row(self, target: Target) -> None:
        row = self.targets.rowCount()
        self.targets.insertRow(row)
        values = [target.raw, target.metric, target.op, _format_number(target.value), target.unit]
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == self.TARGET_RAW:
                item.setData(Qt.ItemDataRole.UserRole, target)
            self.targets.setItem(row, column, item)

    def _title_edited(self) -> None:
        if self._measure is not None and self.title_edit.text().strip() != self._measure.title:
            self._measure.title = self.title_edit.text().strip()
            self.sig_edited.emit()

    def _departments_edited(self, role: Role) -> None:
        measure = self._measure
        if measure is None:
            return
        names = split_names(self.role_edits[role].text())
        if names == measure.names(role.value):
            return
        kept = {ref.name: ref for ref in measure.departments if ref.role == role.value}
        others = [ref for ref in measure.departments if ref.role != role.value]
        measure.departments = others + [
            kept.get(name) or DepartmentRef(name=name, role=role.value) for name in names
        ]
        self.sig_edited.emit()

    def _deadlines_edited(self) -> None:
        if self._loading or self._measure is None:
            return
        deadlines = []
        for row in range(self.deadlines.rowCount()):
            raw_item = self.deadlines.item(row, self.DEADLINE_RAW)
            due_item = self.deadlines.item(row, self.DEADLINE_DUE)
            if raw_item is None or due_item is None:
                continue
            original: Deadline | None = raw_item.data(Qt.ItemDataRole.UserRole)
            raw = raw_item.text().strip()
            due = _parse_date(due_item.text().strip())
            if original is None or raw != original.raw:
                # A newly typed phrase: let the parser read it ("9月底前" → 9-30).
                guessed = parse_deadline(raw, self._year) if raw else None
                if guessed is not None and not due_item.text().strip():
                    due = guessed.due
                    self._set_text(due_item, due.isoformat() if due else "")
                kind = guessed.kind if guessed else "date"
                original = Deadline(raw, due, kind)
                raw_item.setData(Qt.ItemDataRole.UserRole, original)
            deadlines.append(
                Deadline(
                    raw,
                    due,
                    original.kind,
                    original.span,
                    original.source,
                    original.recurrence,
                    original.months,
                )
            )
        self._measure.deadlines = deadlines
        self._validate()
        self.sig_edited.emit()

    def _targets_edited(self) -> None:
        if self._loading or self._measure is None:
            return
        targets = []
        for row in range(self.targets.rowCount()):
            cells = [self.targets.item(row, column) for column in range(5)]
            if any(cell is None for cell in cells):
                continue
            raw, metric, op, value, unit = (cell.text().strip() for cell in cells)
            number = _parse_float(value)
            if op in OPS and number is not None:
                original: Target | None = cells[0].data(Qt.ItemDataRole.UserRole)
                span = original.span if original else None
                targets.append(Target(raw, metric, op, number, unit, span))  # type: ignore[arg-type]
        self._measure.targets = targets
        self._validate()
        self.sig_edited.emit()

    def _add_deadline(self) -> None:
        if self._measure is None:
            return
        self._loading = True
        self._append_deadline_row(Deadline("", None, "date"))
        self._loading = False
        self.deadlines.editItem(self.deadlines.item(self.deadlines.rowCount() - 1, 0))

    def _add_target(self) -> None:
        if self._measure is None:
            return
        self._loading = True
        self._append_target_row(Target("", "", ">=", 0.0, ""))
        self._loading = False
        self._targets_edited()
        self.targets.editItem(self.targets.item(self.targets.rowCount() - 1, 0))

    def _remove_row(self, table: QTableWidget) -> None:
        rows = sorted({index.row() for index in table.selectedIndexes()}, reverse=True)
        for row in rows:
            table.removeRow(row)
        if rows:
            (self._deadlines_edited if table is self.deadlines else self._targets_edited)()

    def _validate(self) -> None:
        self._loading, was_loading = True, self._loading
        for row in range(self.deadlines.rowCount()):
            item = self.deadlines.item(row, self.DEADLINE_DUE)
            bad = bool(item.text().strip()) and _parse_date(item.text().strip()) is None
            item.setBackground(INVALID if bad else QBrush())
        for row in range(self.targets.rowCount()):
            op = self.targets.item(row, self.TARGET_OP)
            value = self.targets.item(row, self.TARGET_VALUE)
            op.setBackground(INVALID if op.text().strip() not in OPS else QBrush())
            bad_value = _parse_float(value.text().strip()) is None
            value.setBackground(INVALID if bad_value else QBrush())
        self._loading = was_loading

    def _set_text(self, item: QTableWidgetItem, text: str) -> None:
        self._loading, was_loading = True, self._loading
        item.setText(text)
        self._loading = was_loading


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
