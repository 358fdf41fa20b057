"""催办提醒: what is due soon or overdue, grouped by department (data for a 督办通知)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.services.reminders import DepartmentReminder

OVERDUE_BRUSH = QBrush(QColor("#d93025"))
SOON_BRUSH = QBrush(QColor("#b06d00"))


class RemindersView(QWidget):
    """``sig_measure_chosen(measure id)`` when an item is selected."""

    sig_measure_chosen = Signal(str)
    HEADERS = ("部门 / 措施", "职责", "时限", "完成期限", "情况")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(self.HEADERS))
        # The measure takes what is left; the other columns as wide as their usual text, so that
        # 情况 is in view without scrolling (widths from the font, not from every row).
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        metrics = self.tree.fontMetrics()
        for column, sample in enumerate(
            ("", "牵头", "6月底前、6月底", "2021-06-30", "整改已逾期 999 个工作日")
        ):
            if sample:
                width = max(metrics.horizontalAdvance(sample), header.sectionSizeHint(column))
                header.resizeSection(column, width + 16)
        self.tree.currentItemChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree)

    def show_reminders(self, groups: list[DepartmentReminder]) -> None:
        self.tree.clear()
        overdue = sum(group.overdue_count for group in groups)
        total = sum(len(group.items) for group in groups)
        self.summary.setText(
            f"{len(groups)} 个部门有 {total} 个时限节点即将到期或已逾期（其中逾期 {overdue} 个）。"
            if groups
            else "没有即将到期或逾期的时限节点。"
        )
        for group in groups:
            parent = QTreeWidgetItem(
                [f"{group.department}（{len(group.items)} 项，逾期 {group.overdue_count} 项）"]
            )
            for item in group.items:
                child = QTreeWidgetItem(
                    parent,
                    [
                        f"{item.number} {item.measure_title}",
                        item.role.label,
                        item.raw,
                        item.due.isoformat(),
                        item.describe,
                    ],
                )
                child.setData(0, Qt.ItemDataRole.UserRole, item.measure_id)
                child.setToolTip(0, f"{item.number} {item.measure_title}")
                child.setForeground(4, OVERDUE_BRUSH if item.overdue else SOON_BRUSH)
            self.tree.addTopLevelItem(parent)
            parent.setExpanded(group.overdue_count > 0)

    def _on_current(self, item: QTreeWidgetItem | None) -> None:
        measure_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if measure_id:
            self.sig_measure_chosen.emit(measure_id)
