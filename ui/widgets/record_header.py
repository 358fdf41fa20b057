"""The header of an inspection record: plan, 明察/暗访, method, date, inspectors, place, the
inspected department and what was seen.

The header only shows and announces: ``sig_field_edited(name)`` while a text field is typed in
(the form saves it after a pause), ``sig_field_done(name)`` when a field is left or a choice is
made (the form saves it now). ``value(name)`` is what the field holds, in the form
``Inspections.set_field`` takes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

from app.domain.ledger import InspectionKind
from app.services.inspection_plans import InspectionPlan, plan_first, record_defaults
from ui.widgets.dates import DateEdit, date_edit, to_qdate
from ui.widgets.text_fields import PlainTextField

NO_PLAN = "（不属于督查方案）"
NO_METHOD = "（未填写）"
NO_DEPARTMENT = "（未指定）"
TEXT_FIELDS = ("inspector", "place", "summary")


class RecordHeader(QWidget):
    sig_field_edited = Signal(str)
    sig_field_done = Signal(str)

    def __init__(
        self,
        *,
        plans: list[InspectionPlan],
        methods: list[str],
        sites: list[str],
        departments: list[tuple[str, str]],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._loading = False
        self._plans = {plan.id: plan for plan in plans}
        self._methods = list(methods)
        self._sites = list(sites)
        self._departments = [department_id for department_id, _name in departments]
        self.plan = QComboBox()
        self.plan.addItem(NO_PLAN, None)
        for plan in plans:
            self.plan.addItem(f"{plan.name}（{plan.mode.label}）", plan.id)
        self.kind = QComboBox()
        for kind in InspectionKind:
            self.kind.addItem(kind.label, kind.value)
        self.method = QComboBox()
        self.method.addItem(NO_METHOD, "")
        for name in methods:
            self.method.addItem(name, name)  # ordered by the record's plan in load()
        self.checked_on: DateEdit = date_edit(today)
        self.checked_on.setMaximumDate(to_qdate(today))
        self.checked_on.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.inspector = QLineEdit()
        self.inspector.setPlaceholderText("必填，多人用顿号分隔")
        self.inspector.setMaxLength(200)
        self.place = QComboBox()
        self.place.setEditable(True)
        self.place.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.place.addItems(sites)
        self.place.lineEdit().setPlaceholderText("如：市政务服务中心 综合窗口")
        self.place.lineEdit().setMaxLength(200)
        self.department = QComboBox()
        self.department.addItem(NO_DEPARTMENT, None)
        for department_id, name in departments:
            self.department.addItem(name, department_id)
        self.summary = PlainTextField()
        self.summary.setPlaceholderText("检查了什么、看到的总体情况")
        self.summary.setFixedHeight(52)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        rows = (
            (("督查方案", self.plan, 3), ("明察/暗访", self.kind, 1), ("检查方式", self.method, 1)),
            (
                ("检查日期", self.checked_on, 1),
                ("检查人", self.inspector, 3),
                ("受检部门", self.department, 1),
            ),
        )
        for row, fields in enumerate(rows):
            column = 0
            for label, widget, span in fields:
                grid.addWidget(self._label(label, widget), row, column)
                grid.addWidget(widget, row, column + 1, 1, span)
                column += 1 + span
        grid.addWidget(self._label("检查地点", self.place), 2, 0)
        grid.addWidget(self.place, 2, 1, 1, 7)
        grid.addWidget(self._label("检查情况", self.summary), 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.summary, 3, 1, 1, 7)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        grid.setColumnStretch(7, 1)

        self.plan.currentIndexChanged.connect(lambda: self._chosen("inspection_plan_id"))
        self.kind.currentIndexChanged.connect(lambda: self._chosen("kind"))
        self.method.currentIndexChanged.connect(lambda: self._chosen("method"))
        self.department.currentIndexChanged.connect(lambda: self._chosen("department_id"))
        # activated: every pick from the list, also of the item that is current already (the
        # only site, while the edit text is empty), which currentIndexChanged does not announce.
        # The place is a text field to the form: a pick is an edit, saved at once.
        self.place.activated.connect(lambda: self._picked("place"))
        self.checked_on.dateChanged.connect(lambda: self._edited("checked_on"))
        self.checked_on.editingFinished.connect(lambda: self._done("checked_on"))
        self.inspector.textEdited.connect(lambda: self._edited("inspector"))
        self.inspector.editingFinished.connect(lambda: self._done("inspector"))
        self.place.lineEdit().textEdited.connect(lambda: self._edited("place"))
        self.place.lineEdit().editingFinished.connect(lambda: self._done("place"))
        self.summary.textChanged.connect(lambda: self._edited("summary"))
        self.summary.sig_left.connect(lambda: self._done("summary"))

    # ---- Public API -------------------------------------------------------------------------

    def load(self, record: dict[str, Any], department_name: str = "") -> None:
        """Show the stored record (without announcing any edit)."""
        self._loading = True
        try:
            plan_index = self.plan.findData(record["inspection_plan_id"])
            self.plan.setCurrentIndex(max(plan_index, 0))
            self.kind.setCurrentIndex(max(self.kind.findData(record["kind"]), 0))
            method = record["method"] or ""
            if method and self.method.findData(method) < 0:
                self.method.addItem(method, method)  # no longer in the list: still shown
            self.method.setCurrentIndex(max(self.method.findData(method), 0))
            self.checked_on.setDate(date.fromisoformat(record["checked_on"]))
            self.inspector.setText(record["inspector"])
            self.place.setEditText(record["place"])
            department = record["department_id"]
            if department and self.department.findData(department) < 0:
                self.department.addItem(department_name or "（其他部门）", department)
            self.department.setCurrentIndex(max(self.department.findData(department), 0))
            self.summary.setPlainText(record["summary"])
            self._follow_plan()
        finally:
            self._loading = False

    def value(self, name: str) -> Any:
        if name == "inspection_plan_id":
            return self.plan.currentData()
        if name == "kind":
            return InspectionKind(self.kind.currentData())
        if name == "method":
            return self.method.currentData() or ""
        if name == "checked_on":
            return self.checked_on.value()
        if name == "inspector":
            return self.inspector.text()
        if name == "place":
            return self.place.currentText()
        if name == "department_id":
            return self.department.currentData()
        if name == "summary":
            return self.summary.toPlainText()
        raise KeyError(name)

    def set_kind(self, kind: str) -> None:
        """Show the mode the record took from its plan (not an edit)."""
        self._loading = True
        try:
            self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        finally:
            self._loading = False

    def fields(self) -> list[QWidget]:
        """The fields in their Tab order."""
        return [
            self.plan,
            self.kind,
            self.method,
            self.checked_on,
            self.inspector,
            self.department,
            self.place,
            self.summary,
        ]

    def set_read_only(self, read_only: bool) -> None:
        for widget in (self.plan, self.method, self.department):
            widget.setEnabled(not read_only)
        self.kind.setEnabled(not read_only and self.plan.currentData() is None)
        self.checked_on.setReadOnly(read_only)
        self.inspector.setReadOnly(read_only)
        self.place.setEnabled(not read_only)
        self.summary.setReadOnly(read_only)

    # ---- Internals ----------------------------------------------------------------------------

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _follow_plan(self) -> None:
        """A record of a plan has the plan's mode, and the plan's methods and sites come first
        in their lists (what is chosen stays chosen)."""
        plan = self._plans.get(self.plan.currentData())
        self.kind.setEnabled(plan is None)
        self.kind.setToolTip("随督查方案" if plan else "")
        if plan is not None:
            self.kind.setCurrentIndex(max(self.kind.findData(plan.mode.value), 0))
        method = self.method.currentData() or ""
        self.method.clear()
        self.method.addItem(NO_METHOD, "")
        ordered = plan_first(plan.methods if plan else (), self._methods)
        if method and method not in ordered:
            ordered.append(method)  # no longer in the list: still shown
        for name in ordered:
            self.method.addItem(name, name)
        planned = len([m for m in (plan.methods if plan else ()) if m in self._methods])
        if 0 < planned < len(ordered):
            self.method.insertSeparator(planned + 1)  # the plan's methods, then the others
        self.method.setCurrentIndex(max(self.method.findData(method), 0))
        place = self.place.currentText()
        self.place.clear()
        self.place.addItems(plan_first(plan.sites if plan else (), self._sites))
        self.place.setEditText(place)

    def _apply_plan_defaults(self) -> list[str]:
        """A plan just chosen: the fields still empty take its defaults; the fields changed."""
        plan = self._plans.get(self.plan.currentData())
        if plan is None:
            return []
        defaults = record_defaults(plan, self._departments, self._methods)
        changed = []
        if not self.method.currentData() and defaults.method:
            self.method.setCurrentIndex(self.method.findData(defaults.method))
            changed.append("method")
        if not self.place.currentText().strip() and defaults.place:
            self.place.setEditText(defaults.place)
            changed.append("place")
        index = self.department.findData(defaults.department_id)
        if self.department.currentData() is None and defaults.department_id and index >= 0:
            self.department.setCurrentIndex(index)
            changed.append("department_id")
        return changed

    def _chosen(self, name: str) -> None:
        if self._loading:
            return
        filled: list[str] = []
        if name == "inspection_plan_id":
            self._loading = True
            try:
                self._follow_plan()
                filled = self._apply_plan_defaults()
            finally:
                self._loading = False
        self.sig_field_done.emit(name)
        for field in filled:
            if field in TEXT_FIELDS:
                self.sig_field_edited.emit(field)
            self.sig_field_done.emit(field)

    def _picked(self, name: str) -> None:
        self._edited(name)
        self._done(name)

    def _edited(self, name: str) -> None:
        if not self._loading:
            self.sig_field_edited.emit(name)

    def _done(self, name: str) -> None:
        if not self._loading:
            self.sig_field_done.emit(name)
