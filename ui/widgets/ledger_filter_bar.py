"""The ledger's filters: plan, area, department and role, status, light, due month, text, date."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from app.domain.ledger import Light, Role, Status
from app.services.status import DEFAULT_SOON_DAYS, LedgerFilter
from ui.widgets.dates import date_edit
from ui.widgets.find_combo import make_findable

if TYPE_CHECKING:
    from app.services.ledger import LedgerQueries

ALL = "全部"


class LedgerFilterBar(QWidget):
    """``sig_changed`` fires whenever the filter or the as-of date changes (typing: debounced)."""

    sig_changed = Signal()

    def __init__(self, ledger: LedgerQueries, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ledger = ledger
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.sig_changed)

        self.plan = QComboBox()
        self.area = QComboBox()
        self.department = QComboBox()
        make_findable(self.department)  # type any part of one of ~60 names
        self.role = QComboBox()
        for text, value in (
            (ALL, None),
            ("牵头", Role.LEAD),
            ("责任", Role.RESPONSIBLE),
            ("配合", Role.COOPERATING),
        ):
            self.role.addItem(text, value)
        self.status = QComboBox()
        self.status.addItem(ALL, None)
        for status in Status:
            self.status.addItem(status.label, status)
        self.light = QComboBox()
        self.light.addItem(ALL, None)
        for light in (Light.RED, Light.YELLOW, Light.GREEN):
            self.light.addItem(light.label, light)
        self.due_month = QComboBox()
        self.overdue_only = QCheckBox("仅看逾期")
        self.open_findings = QCheckBox("有未整改问题")
        self.open_findings.setToolTip("只看明察暗访发现的问题尚未整改完成的措施")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索措施标题和全文")
        self.search.setClearButtonEnabled(True)
        self.as_of = date_edit(date.today())
        self.as_of.setToolTip("台账按这一天计算状态和亮灯；默认今天，与明察暗访页的“截至”日期同步")
        self.soon_days = QSpinBox()
        self.soon_days.setRange(0, 60)
        self.soon_days.setValue(DEFAULT_SOON_DAYS)
        self.soon_days.setSuffix(" 个工作日")
        self.soon_days.setToolTip("在这么多个工作日内到期的措施亮黄灯")
        # Long plan titles and area and department names must not widen the window: each list
        # shows a few characters and its popup the whole text.
        for combo in (self.plan, self.area, self.department, self.due_month):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.reset_button = QToolButton()
        self.reset_button.setText("清除筛选")
        self.reset_button.clicked.connect(self.reset)

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 0)
        cells = [
            ("方案", self.plan),
            ("领域", self.area),
            ("部门", self.department),
            ("角色", self.role),
            ("状态", self.status),
            ("亮灯", self.light),
            ("到期月份", self.due_month),
            ("截至", self.as_of),
            ("黄灯提前", self.soon_days),
        ]
        for index, (label, widget) in enumerate(cells):
            row, column = divmod(index, 5)
            grid.addWidget(QLabel(label), row, column * 2)
            grid.addWidget(widget, row, column * 2 + 1)
        grid.addWidget(self.search, 2, 0, 1, 6)
        grid.addWidget(self.overdue_only, 2, 6)
        grid.addWidget(self.open_findings, 2, 7)
        grid.addWidget(self.reset_button, 2, 9)
        for column in range(1, 10, 2):
            grid.setColumnStretch(column, 1)

        self.reload_choices()
        for combo in (self.area, self.role, self.status, self.light, self.due_month):
            combo.currentIndexChanged.connect(self.sig_changed)
        self.plan.currentIndexChanged.connect(self._plan_changed)
        self.department.currentIndexChanged.connect(self.sig_changed)
        self.overdue_only.toggled.connect(self.sig_changed)
        self.open_findings.toggled.connect(self.sig_changed)
        self.as_of.dateChanged.connect(self.sig_changed)
        self.soon_days.valueChanged.connect(self.sig_changed)
        self.search.textChanged.connect(self._debounce.start)

    # ---- Public API -------------------------------------------------------------------------

    def current(self) -> LedgerFilter:
        # Qt hands StrEnum item data back as plain str: convert back here.
        department = self.department.currentData()
        status = self.status.currentData()
        light = self.light.currentData()
        return LedgerFilter(
            plan_id=self.plan.currentData(),
            area_id=self.area.currentData(),
            department_id=department,
            role=self.role.currentData() if department else None,
            statuses=frozenset({Status(status)}) if status else frozenset(),
            lights=frozenset({Light(light)}) if light else frozenset(),
            due_month=self.due_month.currentData(),
            overdue_only=self.overdue_only.isChecked(),
            open_findings=self.open_findings.isChecked(),
            text=self.search.text(),
        )

    def as_of_date(self) -> date:
        return self.as_of.value()

    def soon(self) -> int:
        return self.soon_days.value()

    def set_department(self, department_id: str | None) -> None:
        index = self.department.findData(department_id)
        self.department.setCurrentIndex(max(index, 0))

    def reset(self) -> None:
        self.blockSignals(True)
        for combo in (
            self.plan,
            self.area,
            self.department,
            self.role,
            self.status,
            self.light,
            self.due_month,
        ):
            combo.setCurrentIndex(0)
        self.overdue_only.setChecked(False)
        self.open_findings.setChecked(False)
        self.search.clear()
        self.blockSignals(False)
        self.sig_changed.emit()

    def reload_choices(self) -> None:
        """Refill the lists (after an import or a department merge), keeping the selections."""
        self.blockSignals(True)
        _refill(self.plan, self._ledger.plan_choices())
        _refill(self.area, self._ledger.area_choices(self.plan.currentData()))
        _refill(self.department, self._ledger.department_choices())
        _refill(
            self.due_month, [(m, f"{m[:4]}年{int(m[5:])}月") for m in self._ledger.due_months()]
        )
        self.blockSignals(False)

    def hideEvent(self, event: QHideEvent) -> None:
        self._debounce.stop()  # nothing fires for a page that is gone
        super().hideEvent(event)

    # ---- Internals ----------------------------------------------------------------------------

    def _plan_changed(self) -> None:
        self.area.blockSignals(True)
        _refill(self.area, self._ledger.area_choices(self.plan.currentData()))
        self.area.blockSignals(False)
        self.sig_changed.emit()


def _refill(combo: QComboBox, choices: list[tuple[str, str]]) -> None:
    current = combo.currentData()
    combo.clear()
    combo.addItem(ALL, None)
    for value, text in choices:
        combo.addItem(text, value)
    index = combo.findData(current)
    combo.setCurrentIndex(index if index >= 0 else 0)
