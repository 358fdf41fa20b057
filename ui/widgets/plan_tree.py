"""Plans → areas → measures as a plain tree (树形视图)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

if TYPE_CHECKING:
    from app.domain.ledger import PlanSummary


class PlanTree(QTreeWidget):
    """``sig_measure_chosen(measure id)`` when a measure row becomes current."""

    sig_measure_chosen = Signal(str)
    COL_NO = 0
    COL_TITLE = 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["序号", "领域 / 措施"])
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.currentItemChanged.connect(self._on_current)

    def show_plans(self, plans: list[PlanSummary]) -> None:
        self.clear()
        for plan in plans:
            title = f"{plan.title}（{plan.doc_number}）" if plan.doc_number else plan.title
            plan_item = QTreeWidgetItem(["", title])
            for area in plan.areas:
                area_item = QTreeWidgetItem(
                    [_number(area.no), f"{area.title}（{len(area.measures)} 项）"]
                )
                for measure in area.measures:
                    item = QTreeWidgetItem(area_item, [_number(measure.no), measure.title])
                    item.setData(self.COL_NO, Qt.ItemDataRole.UserRole, measure.id)
                plan_item.addChild(area_item)
            self.addTopLevelItem(plan_item)
            plan_item.setExpanded(True)
        self.resizeColumnToContents(self.COL_NO)

    def _on_current(self, item: QTreeWidgetItem | None) -> None:
        measure_id = item.data(self.COL_NO, Qt.ItemDataRole.UserRole) if item else None
        if measure_id:
            self.sig_measure_chosen.emit(measure_id)


def _number(no: int | None) -> str:
    return "" if no is None else str(no)
