"""督查方案 / 检查批次: the plans the current user may see, one plan in full, and its records."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.ledger import InspectionKind
from ui.models.inspection_tables import RecordTableModel
from ui.widgets.inspection_tables import make_record_table

if TYPE_CHECKING:
    from app.services.inspection_plans import InspectionPlan

_NOWRAP = "style='white-space:nowrap'"


def period_text(plan: InspectionPlan) -> str:
    if plan.starts_on and plan.ends_on:
        return f"{plan.starts_on.isoformat()} 至 {plan.ends_on.isoformat()}"
    if plan.starts_on:
        return f"{plan.starts_on.isoformat()} 起"
    if plan.ends_on:
        return f"至 {plan.ends_on.isoformat()}"
    return "未定"


class PlansView(QWidget):
    """Signals carry a plan id (``sig_new_plan`` none; ``sig_open_record`` a record id)."""

    sig_plan_chosen = Signal(object)  # str, or None when no plan is selected
    sig_new_plan = Signal()
    sig_edit_plan = Signal(str)
    sig_conclude = Signal(str)
    sig_new_record = Signal(str)
    sig_open_record = Signal(str)

    COL_NAME, COL_MODE, COL_PERIOD, COL_RECORDS, COL_CONCLUDED = range(5)
    HEADERS = ("方案名称", "方式", "期间", "记录", "督查结论")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plans: list[InspectionPlan] = []
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.COL_NAME, QHeaderView.ResizeMode.Stretch)
        for column in (self.COL_MODE, self.COL_PERIOD, self.COL_RECORDS, self.COL_CONCLUDED):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(lambda *_args: self._chosen())
        self.table.cellDoubleClicked.connect(lambda *_args: self._edit())

        self.new_button = QPushButton("新建方案…")
        self.new_button.setToolTip("新建督查方案（检查批次）：方式、期间、检查方式、督查对象和人员")
        self.new_button.clicked.connect(self.sig_new_plan)
        self.edit_button = QPushButton("修改…")
        self.edit_button.clicked.connect(self._edit)
        self.conclude_button = QPushButton("督查结论与反馈…")
        self.conclude_button.setToolTip("填写督查结论，登记向各受检部门反馈的日期")
        self.conclude_button.clicked.connect(self._conclude)
        self.record_button = QPushButton("新建检查记录…")
        self.record_button.setToolTip("按这个方案记录一次检查（方式随方案）")
        self.record_button.clicked.connect(self._new_record)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.conclude_button)
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        self.empty_label = QLabel(
            "还没有督查方案。点“新建方案…”制定一次明察或暗访：检查哪些措施和部门、"
            "用什么方式、由谁去；暗访方案只有其督查人员和审核人能看到。"
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: gray")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty_label)
        left_layout.addLayout(buttons)

        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.records_model = RecordTableModel(self)
        self.records = make_record_table(self.records_model)
        self.records.setColumnHidden(RecordTableModel.COL_PLAN, True)
        self.records.doubleClicked.connect(self._open_record)
        self.records_label = QLabel("本方案的检查记录（双击打开）")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 3)
        right_layout.addWidget(self.records_label)
        right_layout.addWidget(self.records, 2)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 720])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._update_buttons()

    # ---- Public API -------------------------------------------------------------------------

    def show_plans(self, plans: list[InspectionPlan]) -> None:
        """Fill the list, keeping the selected plan selected when it is still there."""
        current = self.current_plan_id()
        self._plans = list(plans)
        self.table.blockSignals(True)
        self.table.setRowCount(len(plans))
        for row, plan in enumerate(plans):
            concluded = plan.concluded_on.isoformat() if plan.concluded_on else "未作结论"
            for column, text in enumerate(
                (plan.name, plan.mode.label, period_text(plan), str(plan.record_count), concluded)
            ):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, plan.id)
                if column == self.COL_NAME:
                    item.setToolTip(plan.name)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.empty_label.setVisible(not plans)
        ids = [plan.id for plan in plans]
        if current in ids:
            self.table.selectRow(ids.index(current))
        elif plans:
            self.table.selectRow(0)
        self._chosen()

    def plan_names(self) -> list[str]:
        return [plan.name for plan in self._plans]

    def current_plan_id(self) -> str | None:
        plan = self.current_plan()
        return plan.id if plan else None

    def current_plan(self) -> InspectionPlan | None:
        row = self.table.currentRow()
        return self._plans[row] if 0 <= row < len(self._plans) else None

    def select_plan(self, plan_id: str) -> bool:
        for row, plan in enumerate(self._plans):
            if plan.id == plan_id:
                self.table.selectRow(row)
                return True
        return False

    def show_plan(
        self, plan: InspectionPlan | None, measures: list[str], departments: dict[str, str]
    ) -> None:
        """The plan in full (``measures``: its target measures' labels; ``departments``: id →
        name of every department)."""
        if plan is None:
            self.detail.setHtml("<p style='color:gray'>在左侧选择一个督查方案。</p>")
            return
        self.detail.setHtml(render_plan(plan, measures, departments))

    def detail_text(self) -> str:
        return self.detail.toPlainText()

    # ---- Internals ----------------------------------------------------------------------------

    def _chosen(self) -> None:
        self._update_buttons()
        self.sig_plan_chosen.emit(self.current_plan_id())

    def _update_buttons(self) -> None:
        chosen = self.current_plan() is not None
        for button in (self.edit_button, self.conclude_button, self.record_button):
            button.setEnabled(chosen)

    def _edit(self) -> None:
        plan_id = self.current_plan_id()
        if plan_id:
            self.sig_edit_plan.emit(plan_id)

    def _conclude(self) -> None:
        plan_id = self.current_plan_id()
        if plan_id:
            self.sig_conclude.emit(plan_id)

    def _new_record(self) -> None:
        plan_id = self.current_plan_id()
        if plan_id:
            self.sig_new_record.emit(plan_id)

    def _open_record(self, index) -> None:
        record_id = self.records_model.id_at(index.row())
        if record_id:
            self.sig_open_record.emit(record_id)


def render_plan(plan: InspectionPlan, measures: list[str], departments: dict[str, str]) -> str:
    def listed(items) -> str:
        return escape("、".join(items)) if items else "<span style='color:gray'>未填写</span>"

    mode = plan.mode.label
    if plan.mode is InspectionKind.COVERT:
        mode += "（保密：仅督查人员和审核人可见，记录通报后公开）"
    rows = [
        ("方式", escape(mode)),
        ("期间", escape(period_text(plan))),
        ("检查方式", listed(plan.methods)),
        ("检查地点", listed(plan.sites)),
        ("督查人员", listed(plan.inspectors)),
        ("督查部门", listed([departments.get(d, "（已删除）") for d in plan.department_ids])),
        ("检查记录", f"{plan.record_count} 条"),
    ]
    parts = [
        f"<h3>{escape(plan.name)}</h3>",
        "<table cellspacing='0' cellpadding='3'>"
        + "".join(
            f"<tr><td {_NOWRAP}><b>{label}</b></td><td>{value}</td></tr>" for label, value in rows
        )
        + "</table>",
        "<h4>督查措施</h4>",
    ]
    if measures:
        parts.append("".join(f"<p style='margin:0'>{escape(m)}</p>" for m in measures))
    else:
        parts.append("<p style='color:gray'>未指定措施</p>")
    parts.append("<h4>督查结论</h4>")
    if plan.concluded_on:
        parts.append(f"<p>{escape(plan.conclusion)}（{plan.concluded_on.isoformat()}）</p>")
        if plan.feedback:
            parts.append(
                "<table cellspacing='0' cellpadding='4' border='1'><tr>"
                "<th align='left'>反馈部门</th><th align='left'>反馈日期</th>"
                "<th align='left'>说明</th></tr>"
                + "".join(
                    f"<tr><td>{escape(f.department)}</td><td {_NOWRAP}>"
                    f"{f.fed_back_on.isoformat()}</td><td>{escape(f.note)}</td></tr>"
                    for f in plan.feedback
                )
                + "</table>"
            )
        else:
            parts.append("<p style='color:#b06d00'>尚未向受检部门反馈</p>")
    else:
        parts.append("<p style='color:gray'>尚未作出督查结论</p>")
    return "".join(parts)
