"""工作台账 page: the plans in the database as a tree (area → measure), or an empty state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.paths import SAMPLE_PLAN
from ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from app.services.ledger import LedgerQueries
    from ui.changes import ChangeNotifier

LEDGER_TABLES = frozenset({"plans", "areas", "measures"})


class LedgerPage(QWidget):
    """``sig_import_requested(path or None)``: the user asked to import a plan (None: choose)."""

    COL_NO = 0
    COL_TITLE = 1

    sig_import_requested = Signal(object)

    def __init__(
        self, ledger: LedgerQueries, notifier: ChangeNotifier, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ledger = ledger
        self.empty_state = EmptyState(
            "台账中还没有实施方案",
            "工作台账按“领域 → 措施”列出市政府实施方案中的每一项任务，"
            "以及牵头部门、责任部门、完成时限和目标值。\n"
            "导入一份实施方案（.txt、.docx 或 .pdf）后，这里将显示全部措施。"
            "第一次使用时，可以先载入随程序附带的示例方案看一看。",
        )
        self.import_button = self.empty_state.add_button("导入实施方案…")
        self.import_button.clicked.connect(lambda: self.sig_import_requested.emit(None))
        self.sample_button = self.empty_state.add_button("载入示例方案（滕政发〔2021〕9号）")
        self.sample_button.clicked.connect(lambda: self.sig_import_requested.emit(SAMPLE_PLAN))
        self.sample_button.setEnabled(SAMPLE_PLAN.exists())
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["序号", "领域 / 措施"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self._stack = QStackedWidget()
        self._stack.addWidget(self.empty_state)
        self._stack.addWidget(self.tree)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        notifier.sig_changed.connect(self._on_changed)
        self.refresh()

    # ---- Public API -------------------------------------------------------------------------

    def is_showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state

    def refresh(self) -> None:
        plans = self._ledger.plan_tree()
        self.tree.clear()
        for plan in plans:
            plan_item = QTreeWidgetItem(
                ["", f"{plan.title}（{plan.doc_number}）" if plan.doc_number else plan.title]
            )
            for area in plan.areas:
                area_item = QTreeWidgetItem(
                    [_number(area.no), f"{area.title}（{len(area.measures)} 项）"]
                )
                for measure in area.measures:
                    QTreeWidgetItem(area_item, [_number(measure.no), measure.title])
                plan_item.addChild(area_item)
            self.tree.addTopLevelItem(plan_item)
            plan_item.setExpanded(True)
        self.tree.resizeColumnToContents(self.COL_NO)
        self._stack.setCurrentWidget(self.tree if plans else self.empty_state)

    # ---- Internals ----------------------------------------------------------------------------

    def _on_changed(self, changed: Mapping[str, frozenset[str]]) -> None:
        if LEDGER_TABLES & changed.keys():
            self.refresh()


def _number(no: int | None) -> str:
    return "" if no is None else str(no)
