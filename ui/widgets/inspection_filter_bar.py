"""The 明察暗访 page's filters: plan, mode, department, category, stage, overdue, dates, text.

One ``FindingFilter`` (app/services/finding_list.py) narrows both lists: the findings, and the
records that hold a matching finding (app/services/record_list.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from app.domain.inspection import FindingStage
from app.domain.ledger import InspectionKind
from app.services.finding_list import FindingFilter
from ui.widgets.dates import date_edit
from ui.widgets.find_combo import make_findable

ALL = "全部"


class InspectionFilterBar(QWidget):
    """``sig_changed`` fires whenever the filter or the as-of date changes (typing: debounced)."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.sig_changed)

        self.plan = QComboBox()
        self.kind = QComboBox()
        self.kind.addItem(ALL, None)
        for kind in InspectionKind:
            self.kind.addItem(kind.label, kind.value)
        self.department = QComboBox()
        make_findable(self.department)  # type any part of one of ~60 names
        self.category = QComboBox()
        self.stage = QComboBox()
        self.stage.addItem(ALL, None)
        self.stage.addItem("未销号", "open")
        for stage in FindingStage:
            self.stage.addItem(stage.label, stage.value)
        self.overdue_only = QCheckBox("仅看逾期")
        self.overdue_only.setToolTip("只看截至日期时整改期限已过、仍未销号的问题（及其检查记录）")
        self.dated = QCheckBox("检查日期")
        self.dated.setToolTip("只看这段时间内检查、发现的记录和问题")
        today = date.today()
        self.found_from = date_edit(today - timedelta(days=90))
        self.found_to = date_edit(today)
        self.as_of = date_edit(today)
        self.as_of.setToolTip("是否逾期按这一天计算；默认今天，与台账的“截至”日期同步")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索问题描述、整改情况、检查情况、检查人")
        self.search.setClearButtonEnabled(True)
        for combo in (self.plan, self.department, self.category):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.reset_button = QToolButton()
        self.reset_button.setText("清除筛选")
        self.reset_button.clicked.connect(self.reset)

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 0)
        for index, (label, widget) in enumerate(
            [
                ("方案", self.plan),
                ("方式", self.kind),
                ("部门", self.department),
                ("类别", self.category),
                ("状态", self.stage),
            ]
        ):
            grid.addWidget(QLabel(label), 0, index * 2)
            grid.addWidget(widget, 0, index * 2 + 1)
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        dates.addWidget(self.dated)
        dates.addWidget(self.found_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.found_to)
        dates.addSpacing(12)
        dates.addWidget(QLabel("截至"))
        dates.addWidget(self.as_of)
        dates.addSpacing(12)
        dates.addWidget(self.overdue_only)
        dates.addSpacing(12)
        dates.addWidget(self.search, 1)
        dates.addWidget(self.reset_button)
        grid.addLayout(dates, 1, 0, 1, 10)
        for column in range(1, 10, 2):
            grid.setColumnStretch(column, 1)
        self._dates_enabled()

        for combo in (self.plan, self.kind, self.department, self.category, self.stage):
            combo.currentIndexChanged.connect(self.sig_changed)
        self.overdue_only.toggled.connect(self.sig_changed)
        self.dated.toggled.connect(self._dates_enabled)
        self.dated.toggled.connect(self.sig_changed)
        for edit in (self.found_from, self.found_to):
            edit.dateChanged.connect(self._date_changed)
        self.as_of.dateChanged.connect(self.sig_changed)
        self.search.textChanged.connect(self._debounce.start)

    # ---- Public API -------------------------------------------------------------------------

    def current(self) -> FindingFilter:
        # Qt hands StrEnum item data back as plain str: convert back here.
        kind = self.kind.currentData()
        stage = self.stage.currentData()
        if stage == "open":
            stages = frozenset(s for s in FindingStage if s is not FindingStage.CLOSED)
        else:
            stages = frozenset({FindingStage(stage)}) if stage else frozenset()
        dated = self.dated.isChecked()
        return FindingFilter(
            inspection_plan_id=self.plan.currentData(),
            kind=InspectionKind(kind) if kind else None,
            department_id=self.department.currentData(),
            category=self.category.currentData(),
            stages=stages,
            overdue_only=self.overdue_only.isChecked(),
            found_from=self.found_from.value() if dated else None,
            found_to=self.found_to.value() if dated else None,
            text=self.search.text(),
        )

    def as_of_date(self) -> date:
        return self.as_of.value()

    def is_filtering(self) -> bool:
        return self.current() != FindingFilter()

    def set_plan(self, plan_id: str | None) -> None:
        self.plan.setCurrentIndex(max(self.plan.findData(plan_id), 0))

    def reset(self) -> None:
        self.blockSignals(True)
        for combo in (self.plan, self.kind, self.department, self.category, self.stage):
            combo.setCurrentIndex(0)
        self.overdue_only.setChecked(False)
        self.dated.setChecked(False)
        self.search.clear()
        self.blockSignals(False)
        self.sig_changed.emit()

    def reload_choices(
        self,
        plans: list[tuple[str, str]],
        departments: list[tuple[str, str]],
        categories: list[str],
    ) -> None:
        """Refill the lists (plans the current user may see, departments, 问题类别), keeping
        the selections that are still there."""
        self.blockSignals(True)
        _refill(self.plan, plans)
        _refill(self.department, departments)
        _refill(self.category, [(name, name) for name in categories])
        self.blockSignals(False)

    def hideEvent(self, event: QHideEvent) -> None:
        self._debounce.stop()  # nothing fires for a page that is gone
        super().hideEvent(event)

    # ---- Internals ----------------------------------------------------------------------------

    def _dates_enabled(self) -> None:
        for edit in (self.found_from, self.found_to):
            edit.setEnabled(self.dated.isChecked())

    def _date_changed(self) -> None:
        if self.dated.isChecked():
            self.sig_changed.emit()


def _refill(combo: QComboBox, choices: list[tuple[str, str]]) -> None:
    current = combo.currentData()
    combo.clear()
    combo.addItem(ALL, None)
    for value, text in choices:
        combo.addItem(text, value)
    index = combo.findData(current)
    combo.setCurrentIndex(index if index >= 0 else 0)
