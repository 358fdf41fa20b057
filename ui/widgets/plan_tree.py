"""Plans → areas → measures as a tree (树形视图), with what the table tells about each row.

A measure row shows its 序号 (1.1), title, light and status at the as-of date; an area row (and a
plan row) shows how many of its measures are red and yellow. An area's measure rows are made
when it is first expanded: a 100,000-measure ledger would otherwise build every row up front.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from app.domain.ledger import Light
from ui.models.ledger_table import LIGHT_COLOURS

if TYPE_CHECKING:
    from app.domain.ledger import AreaSummary, PlanSummary


class PlanTree(QTreeWidget):
    """``sig_measure_chosen(measure id)`` when a measure row becomes current."""

    sig_measure_chosen = Signal(str)
    COL_NO, COL_TITLE, COL_LIGHT, COL_STATUS = range(4)
    HEADERS = ("序号", "领域 / 措施", "亮灯", "状态")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(list(self.HEADERS))
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self._dots: dict[Light, QIcon] = {}
        self._pending: dict[int, AreaSummary] = {}  # area item id → its rows, not made yet
        self._area_of: dict[str, QTreeWidgetItem] = {}  # measure id → its area's item
        self._kept: tuple[str | None, set[str]] = (None, set())  # current, expanded while loading
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(self.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        # Fixed widths from the font (not ResizeToContents: that measures every row each time).
        for column, sample in (
            (self.COL_NO, "10.10"),
            (self.COL_LIGHT, "红 999　黄 999"),
            (self.COL_STATUS, "逾期完成"),
        ):
            text = max(sample, self.HEADERS[column], key=metrics.horizontalAdvance)
            # 序号: a measure sits two levels deep (plan, area) under its branch decoration.
            extra = 3 * self.indentation() + 16 if column == self.COL_NO else 40  # / the dot
            header.resizeSection(column, metrics.horizontalAdvance(text) + extra)
        self.currentItemChanged.connect(self._on_current)
        self.itemExpanded.connect(self._fill)

    # ---- Public API -------------------------------------------------------------------------

    def show_plans(self, plans: list[PlanSummary], as_of: date | None = None) -> None:
        """Rebuild the tree; the measure that was current stays current if it is still shown."""
        current, expanded = self._state()
        self._kept = (None, set())
        self.blockSignals(True)
        self.clear()
        self._pending.clear()
        self._area_of.clear()
        self.setEnabled(True)
        for plan in plans:
            title = f"{plan.title}（{plan.doc_number}）" if plan.doc_number else plan.title
            plan_item = QTreeWidgetItem(["", title])
            self._show_counts(plan_item, plan.count(Light.RED), plan.count(Light.YELLOW), as_of)
            for area in plan.areas:
                plan_item.addChild(self._area_item(area, as_of))
            self.addTopLevelItem(plan_item)
            plan_item.setExpanded(True)
            for row in range(plan_item.childCount()):
                area_item = plan_item.child(row)
                if area_item.data(self.COL_TITLE, Qt.ItemDataRole.UserRole) in expanded:
                    area_item.setExpanded(True)
                    self._fill(area_item)
        self.blockSignals(False)
        if current is not None:
            self.select_measure(current)

    def show_loading(self) -> None:
        self.show_message("正在加载…")

    def show_message(self, text: str) -> None:
        """One grey line instead of the plans (while loading, or why there is nothing)."""
        self._kept = self._state()  # what to restore when the plans come
        self.blockSignals(True)
        self.clear()
        self._pending.clear()
        self._area_of.clear()
        self.addTopLevelItem(QTreeWidgetItem(["", text]))
        self.setEnabled(False)
        self.blockSignals(False)

    def is_loading(self) -> bool:
        return not self.isEnabled()

    def current_measure(self) -> str | None:
        item = self.currentItem()
        return item.data(self.COL_NO, Qt.ItemDataRole.UserRole) if item is not None else None

    def select_measure(self, measure_id: str) -> bool:
        area = self._area_of.get(measure_id)
        if area is None:
            return False
        self._fill(area)
        for row in range(area.childCount()):
            item = area.child(row)
            if item.data(self.COL_NO, Qt.ItemDataRole.UserRole) == measure_id:
                self.setCurrentItem(item)
                return True
        return False

    # ---- Internals ----------------------------------------------------------------------------

    def _area_item(self, area: AreaSummary, as_of: date | None) -> QTreeWidgetItem:
        area_item = QTreeWidgetItem([_number(area.no), f"{area.title}（{len(area.measures)} 项）"])
        area_item.setData(self.COL_TITLE, Qt.ItemDataRole.UserRole, area.id)
        self._show_counts(area_item, area.count(Light.RED), area.count(Light.YELLOW), as_of)
        if area.measures:
            area_item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self._pending[id(area_item)] = area
            for measure in area.measures:
                self._area_of[measure.id] = area_item
        return area_item

    def _fill(self, area_item: QTreeWidgetItem) -> None:
        """Make an area's measure rows (once, when it is expanded or a measure is selected)."""
        area = self._pending.pop(id(area_item), None)
        if area is None:
            return
        blocked = self.blockSignals(True)
        for measure in area.measures:
            number = f"{area.no}.{measure.no}" if area.no is not None else _number(measure.no)
            item = QTreeWidgetItem(area_item, [number, measure.title])
            item.setData(self.COL_NO, Qt.ItemDataRole.UserRole, measure.id)
            item.setToolTip(self.COL_TITLE, measure.title)
            if measure.light is not None:
                item.setText(self.COL_LIGHT, measure.light.label)
                item.setIcon(self.COL_LIGHT, self._dot(measure.light))
            if measure.status is not None:
                item.setText(self.COL_STATUS, measure.status.label)
        self.blockSignals(blocked)

    def _show_counts(
        self, item: QTreeWidgetItem, red: int, yellow: int, as_of: date | None
    ) -> None:
        if as_of is None:
            return
        item.setText(self.COL_LIGHT, f"红 {red}　黄 {yellow}")
        worst = Light.RED if red else Light.YELLOW if yellow else Light.GREEN
        item.setIcon(self.COL_LIGHT, self._dot(worst))
        item.setToolTip(
            self.COL_LIGHT, f"截至 {as_of.isoformat()}：红灯 {red} 项，黄灯 {yellow} 项"
        )

    def _state(self) -> tuple[str | None, set[str]]:
        if not self.isEnabled():  # a message is shown: keep what was kept before it
            return self._kept
        return self.current_measure(), self._expanded_areas()

    def _expanded_areas(self) -> set[str]:
        expanded = set()
        for top in range(self.topLevelItemCount()):
            plan_item = self.topLevelItem(top)
            for row in range(plan_item.childCount()):
                area_item = plan_item.child(row)
                if area_item.isExpanded():
                    expanded.add(area_item.data(self.COL_TITLE, Qt.ItemDataRole.UserRole))
        return expanded

    def _dot(self, light: Light) -> QIcon:
        if light not in self._dots:
            dot = QPixmap(10, 10)
            dot.fill(LIGHT_COLOURS[light])
            self._dots[light] = QIcon(dot)
        return self._dots[light]

    def _on_current(self, item: QTreeWidgetItem | None) -> None:
        measure_id = item.data(self.COL_NO, Qt.ItemDataRole.UserRole) if item else None
        if measure_id:
            self.sig_measure_chosen.emit(measure_id)


def _number(no: int | None) -> str:
    return "" if no is None else str(no)
