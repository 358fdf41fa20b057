"""新建通报草稿: which kind, and what it is drafted from (a 调度轮次, a department, a 督查方案 or
a period), as of which day. ``create`` drafts and stores it (the page's, through
app/services/bulletins/); a refusal (no round, nothing overdue …) is shown in the dialog, which
stays open to change the choice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.collation import collated
from app.services.bulletins import BulletinError, BulletinKind, DraftRequest
from ui.widgets.dates import DateEdit
from ui.widgets.find_combo import make_findable

ALL_PLANS = "（按统计期间，不限督查方案）"
HINTS = {
    BulletinKind.PROGRESS: "按调度轮次汇总各领域、各部门的推进情况、逾期事项和报送情况。",
    BulletinKind.INSPECTION: "汇总检查情况、发现的问题（按部门）、整改要求和问题清单附件。",
    BulletinKind.NOTICE: "给一个部门的督办通知：它的逾期任务和未整改的问题，限期报送。",
    BulletinKind.PRAISE: "按统计期间的红黑榜，表扬红榜单位。",
    BulletinKind.CRITICISM: "按统计期间的红黑榜，批评黑榜单位。",
}


def default_period(as_of: date) -> tuple[date, date]:
    """The month of ``as_of`` up to it; on the 1st, the whole month before (what a monthly
    通报 written that day covers)."""
    if as_of.day == 1:
        last = as_of - timedelta(days=1)
        return last.replace(day=1), last
    return as_of.replace(day=1), as_of


class NewBulletinDialog(QDialog):
    def __init__(
        self,
        create: Callable[[DraftRequest], str],
        *,
        rounds: list[str],
        departments: list[str],
        plans: list[str],
        as_of: date,
        kind: BulletinKind = BulletinKind.PROGRESS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("新建通报草稿")
        self._create = create
        self.created_id: str | None = None
        self.kind_box = QComboBox()
        for item in BulletinKind:
            self.kind_box.addItem(item.label)  # Qt would keep a StrEnum as a plain str
        self.kind_box.setCurrentIndex(list(BulletinKind).index(kind))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        self.as_of = DateEdit(as_of)
        self.as_of.setToolTip("草稿中的数据截至这一天；签发时成文日期为签发当天")
        self.round_box = QComboBox()
        self.round_box.addItems(rounds)  # newest first, as the service lists them
        self.department_box = QComboBox()
        self.department_box.addItems(collated(departments))
        make_findable(self.department_box)  # 税务 finds 市税务局
        self.department_box.setCurrentIndex(-1)
        self.department_box.lineEdit().setPlaceholderText("选择，或输入部门名称中的几个字")
        self.plan_box = QComboBox()
        self.plan_box.addItem(ALL_PLANS, None)
        for name in plans:
            self.plan_box.addItem(name, name)
        starts_on, ends_on = default_period(as_of)
        self.starts_on = DateEdit(starts_on)
        self.ends_on = DateEdit(ends_on)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)

        self.form = QFormLayout()
        self.form.addRow("种类：", self.kind_box)
        self.form.addRow("", self.hint)
        self.form.addRow("数据截至：", self.as_of)
        self.form.addRow("调度轮次：", self.round_box)
        self.form.addRow("督办部门：", self.department_box)
        self.form.addRow("督查方案：", self.plan_box)
        self.form.addRow("统计期间自：", self.starts_on)
        self.form.addRow("至：", self.ends_on)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("生成草稿", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.kind_box.currentIndexChanged.connect(self._follow_kind)
        self.plan_box.currentIndexChanged.connect(self._follow_kind)
        for box in (self.department_box, self.round_box):
            box.currentTextChanged.connect(lambda _text: self.problem.clear())
        for edit in (self.as_of, self.starts_on, self.ends_on):
            edit.dateChanged.connect(lambda _day: self.problem.clear())
        self._follow_kind()
        self.setMinimumWidth(460)

    def kind(self) -> BulletinKind:
        return list(BulletinKind)[max(self.kind_box.currentIndex(), 0)]

    def _follow_kind(self) -> None:
        kind = self.kind()
        self.hint.setText(HINTS[kind])
        period = kind in (BulletinKind.INSPECTION, BulletinKind.PRAISE, BulletinKind.CRITICISM)
        by_plan = kind is BulletinKind.INSPECTION and self.plan_box.currentData() is not None
        shown = {
            self.round_box: kind is BulletinKind.PROGRESS,
            self.department_box: kind is BulletinKind.NOTICE,
            self.plan_box: kind is BulletinKind.INSPECTION,
            self.starts_on: period and not by_plan,
            self.ends_on: period and not by_plan,
        }
        for widget, visible in shown.items():
            self.form.setRowVisible(widget, visible)
        self.problem.clear()

    def request(self) -> DraftRequest:
        kind = self.kind()
        period = kind in (BulletinKind.INSPECTION, BulletinKind.PRAISE, BulletinKind.CRITICISM)
        plan = self.plan_box.currentData() if kind is BulletinKind.INSPECTION else None
        return DraftRequest(
            kind=kind,
            as_of=self.as_of.value(),
            round_name=(self.round_box.currentText() or None)
            if kind is BulletinKind.PROGRESS
            else None,
            department_name=self.department_name() if kind is BulletinKind.NOTICE else None,
            plan_name=plan,
            starts_on=self.starts_on.value() if period and plan is None else None,
            ends_on=self.ends_on.value() if period and plan is None else None,
        )

    def department_name(self) -> str | None:
        """The department chosen, or the only one whose name contains what was typed."""
        typed = self.department_box.currentText().strip()
        if not typed:
            return None
        names = [self.department_box.itemText(i) for i in range(self.department_box.count())]
        if typed in names:
            return typed
        containing = [name for name in names if typed in name]
        return containing[0] if len(containing) == 1 else typed

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)

    def accept(self) -> None:
        request = self.request()
        if request.kind is BulletinKind.PROGRESS and not request.round_name:
            self.show_problem(
                "还没有调度轮次。请先在“台账 → 调度…”（Ctrl+R）中新建一轮调度、发放填报表，"
                "再起草调度情况通报。"
            )
            return
        if request.kind is BulletinKind.NOTICE and not request.department_name:
            self.show_problem("请选择要督办的部门。")
            self.department_box.setFocus()
            return
        if request.starts_on and request.ends_on and request.starts_on > request.ends_on:
            self.show_problem("统计期间的开始日期晚于结束日期，请改正。")
            return
        try:
            self.created_id = self._create(request)
        except BulletinError as problem:
            self.show_problem(str(problem))
            return
        super().accept()
