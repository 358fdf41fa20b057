"""督查方案 (检查批次): create or edit a plan — name, mode, period, methods, targets, people.

Methods come from the editable 检查方式 list; one the office has not used before is added to the
list here ("添加检查方式…"), so the next plan can choose it. Target measures are chosen from the
ledger (MeasurePickerDialog; each added measure ticks its lead department), target departments
ticked in a list that filters as one types.
``InspectionPlans`` (app/services/inspection_plans.py) checks everything; a refusal keeps the
dialog open with the reason.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.ledger import InspectionKind
from app.services.inspection_plans import PlanDraft
from app.storage import WriteError
from ui.dialogs.measure_picker import MeasurePickerDialog
from ui.dialogs.saving import SavingDialog
from ui.widgets.dates import date_edit
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.inspection_plans import InspectionPlan, InspectionPlans
    from app.services.status import LedgerStatus
    from app.services.vocabulary import VocabularyLists

_ID = Qt.ItemDataRole.UserRole


def split_names(text: str) -> tuple[str, ...]:
    """Names as typed (张三、李四 / 张三，李四 / 张三 李四), each once, in order."""
    for separator in (",", "，", ";", "；", "/", " ", "\u3000"):
        text = text.replace(separator, "、")
    return tuple(dict.fromkeys(part.strip() for part in text.split("、") if part.strip()))


class PlanDialog(SavingDialog):
    def __init__(
        self,
        plans: InspectionPlans,
        vocabulary: VocabularyLists,
        status: LedgerStatus,
        departments: list[tuple[str, str]],
        measure_labels: dict[str, str],
        *,
        plan: InspectionPlan | None = None,
        inspector: str = "",
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``departments``: (id, name) of every department, in pinyin order;
        ``measure_labels``: labels of the plan's target measures (editing);
        ``inspector``: the first 督查人员 of a new plan (the current user)."""
        super().__init__("修改督查方案" if plan else "新建督查方案", parent)
        self._plans = plans
        self._vocabulary = vocabulary
        self._status = status
        self.plan = plan
        self.saved_id: str | None = plan.id if plan else None
        today = today or date.today()

        self.name = QLineEdit(plan.name if plan else "")
        self.name.setPlaceholderText("如：2021年9月政务服务暗访")
        self.open_mode = QRadioButton(InspectionKind.OPEN.label)
        self.covert_mode = QRadioButton(InspectionKind.COVERT.label)
        modes = QButtonGroup(self)
        modes.addButton(self.open_mode)
        modes.addButton(self.covert_mode)
        covert = plan is not None and plan.mode is InspectionKind.COVERT
        (self.covert_mode if covert else self.open_mode).setChecked(True)
        self.mode_hint = QLabel()
        self.mode_hint.setWordWrap(True)
        self.mode_hint.setStyleSheet("color: gray")
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.open_mode)
        mode_row.addWidget(self.covert_mode)
        mode_row.addStretch(1)
        if plan is not None and plan.record_count:
            for button in (self.open_mode, self.covert_mode):
                button.setEnabled(False)
            self.mode_hint.setText("方案已有检查记录，方式不能再改。")

        self.has_period = QCheckBox("设定期间")
        self.has_period.setChecked(plan is None or bool(plan.starts_on or plan.ends_on))
        start = plan.starts_on if plan and plan.starts_on else today
        self.starts_on = date_edit(start)
        end = plan.ends_on if plan and plan.ends_on else start + timedelta(days=30)
        self.ends_on = date_edit(end)
        period = QHBoxLayout()
        period.addWidget(self.has_period)
        period.addWidget(self.starts_on)
        period.addWidget(QLabel("至"))
        period.addWidget(self.ends_on)
        period.addStretch(1)
        self.has_period.toggled.connect(self._period_enabled)
        self._period_enabled()

        names = plan.inspectors if plan else ((inspector,) if inspector else ())
        self.inspectors = QLineEdit("、".join(names))
        self.inspectors.setPlaceholderText("如：张三、李四（暗访方案必填）")

        self.methods = QListWidget()
        chosen_methods = set(plan.methods) if plan else set()
        for name in vocabulary.names("method"):
            self._add_method_item(name, name in chosen_methods)
        for name in sorted(chosen_methods - set(vocabulary.names("method"))):
            self._add_method_item(name, True)  # no longer in the list: kept until unticked
        self.methods.setMaximumHeight(150)
        self.add_method_button = QPushButton("添加检查方式…")
        self.add_method_button.setToolTip(
            "在检查方式列表中增加一种（如“暗访问卷”），以后的方案也能选"
        )
        self.add_method_button.clicked.connect(self.add_method)

        self.sites = QPlainTextEdit("\n".join(plan.sites) if plan else "")
        self.sites.setPlaceholderText("每行一个，如：市政务服务中心 综合窗口")
        self.sites.setTabChangesFocus(True)
        self.sites.setMaximumHeight(90)

        self.measures = QListWidget()
        for measure_id in plan.measure_ids if plan else ():
            self._add_measure_item(measure_id, measure_labels.get(measure_id, "（已删除的措施）"))
        self.add_measures_button = QPushButton("添加措施…")
        self.add_measures_button.clicked.connect(self.choose_measures)
        self.remove_measure_button = QPushButton("移除所选")
        self.remove_measure_button.clicked.connect(self._remove_measures)

        self.department_search = QLineEdit()
        self.department_search.setPlaceholderText("输入部门名称筛选")
        self.department_search.setClearButtonEnabled(True)
        self.department_search.textChanged.connect(self._filter_departments)
        self.departments = QListWidget()
        chosen_departments = set(plan.department_ids) if plan else set()
        for department_id, name in departments:
            item = QListWidgetItem(name)
            item.setData(_ID, department_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = department_id in chosen_departments
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.departments.addItem(item)

        form = QFormLayout()
        form.addRow("方案名称", self.name)
        form.addRow("方式", mode_row)
        form.addRow("", self.mode_hint)
        form.addRow("期间", period)
        form.addRow("督查人员", self.inspectors)
        method_box = QVBoxLayout()
        method_box.addWidget(self.methods)
        method_box.addWidget(self.add_method_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("检查方式", method_box)
        form.addRow("检查地点", self.sites)
        measure_buttons = QHBoxLayout()
        measure_buttons.addWidget(self.add_measures_button)
        measure_buttons.addWidget(self.remove_measure_button)
        measure_buttons.addStretch(1)
        targets = QVBoxLayout()
        targets.addWidget(QLabel("督查措施"))
        targets.addWidget(self.measures, 1)
        targets.addLayout(measure_buttons)
        self.departments_label = QLabel()
        targets.addWidget(self.departments_label)
        targets.addWidget(self.department_search)
        targets.addWidget(self.departments, 1)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(targets, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.covert_mode.toggled.connect(self._mode_changed)
        self._mode_changed()
        self.departments.itemChanged.connect(lambda _item: self._count_departments())
        self._count_departments()
        fit_to_screen(self, 940, 600)
        self.name.setFocus()

    # ---- Public API -------------------------------------------------------------------------

    def draft(self) -> PlanDraft:
        dated = self.has_period.isChecked()
        return PlanDraft(
            name=self.name.text(),
            mode=InspectionKind.COVERT if self.covert_mode.isChecked() else InspectionKind.OPEN,
            starts_on=self.starts_on.value() if dated else None,
            ends_on=self.ends_on.value() if dated else None,
            methods=tuple(self.chosen_methods()),
            sites=tuple(
                line.strip() for line in self.sites.toPlainText().splitlines() if line.strip()
            ),
            inspectors=split_names(self.inspectors.text()),
            measure_ids=tuple(
                self.measures.item(row).data(_ID) for row in range(self.measures.count())
            ),
            department_ids=tuple(self.chosen_departments()),
        )

    def chosen_methods(self) -> list[str]:
        return [
            self.methods.item(row).text()
            for row in range(self.methods.count())
            if self.methods.item(row).checkState() == Qt.CheckState.Checked
        ]

    def chosen_departments(self) -> list[str]:
        return [
            self.departments.item(row).data(_ID)
            for row in range(self.departments.count())
            if self.departments.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_method(self, name: str, checked: bool = True) -> None:
        for row in range(self.methods.count()):
            item = self.methods.item(row)
            if item.text() == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(name)

    def set_department(self, department_id: str, checked: bool = True) -> None:
        for row in range(self.departments.count()):
            item = self.departments.item(row)
            if item.data(_ID) == department_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(department_id)

    def add_measures(self, picked: list[tuple[str, str]]) -> None:
        present = {self.measures.item(row).data(_ID) for row in range(self.measures.count())}
        for measure_id, label in picked:
            if measure_id not in present:
                self._add_measure_item(measure_id, label)
                present.add(measure_id)
                lead = self._plans.lead_department(measure_id)  # its lead is inspected too
                if lead is not None:
                    with contextlib.suppress(KeyError):  # a department no longer listed
                        self.set_department(lead)

    def choose_measures(self) -> None:
        picker = MeasurePickerDialog(self._status, self, title="选择督查措施")
        if picker.exec():
            self.add_measures(picker.chosen())
        picker.deleteLater()

    def ask_method_name(self) -> str | None:
        name, ok = QInputDialog.getText(self, "添加检查方式", "检查方式名称（如：暗访问卷）：")
        return name if ok else None

    def add_method(self) -> None:
        """A user-defined 检查方式: added to the list (for every plan) and ticked here."""
        name = self.ask_method_name()
        if name is None or not name.strip():
            return
        try:
            self._vocabulary.add("method", name)
        except WriteError as error:
            self.show_error(str(error))
            return
        self.show_error("")
        self._add_method_item(name.strip(), True)

    def save(self) -> None:
        draft = self.draft()
        if self.plan is None:
            self.saved_id = self._plans.create(draft)
        else:
            self._plans.update(self.plan.id, draft)

    # ---- Internals ----------------------------------------------------------------------------

    def _add_method_item(self, name: str, checked: bool) -> None:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.methods.addItem(item)

    def _add_measure_item(self, measure_id: str, label: str) -> None:
        item = QListWidgetItem(label)
        item.setData(_ID, measure_id)
        item.setToolTip(label)
        self.measures.addItem(item)

    def _remove_measures(self) -> None:
        for item in self.measures.selectedItems():
            self.measures.takeItem(self.measures.row(item))

    def _filter_departments(self, text: str) -> None:
        needle = text.strip()
        for row in range(self.departments.count()):
            item = self.departments.item(row)
            item.setHidden(bool(needle) and needle not in item.text())

    def _count_departments(self) -> None:
        count = len(self.chosen_departments())
        self.departments_label.setText(f"督查部门（勾选；已选 {count} 个）")

    def _period_enabled(self) -> None:
        for edit in (self.starts_on, self.ends_on):
            edit.setEnabled(self.has_period.isChecked())

    def _mode_changed(self) -> None:
        if self.plan is not None and self.plan.record_count:
            return
        self.mode_hint.setText(
            "暗访方案及其记录保密：通报印发前，只有督查人员、记录人和审核人能看到。"
            if self.covert_mode.isChecked()
            else "明察：公开检查，所有用户都能看到方案和记录。"
        )
