"""One finding (问题) in full, with the 整改 workflow's moves that are legal from its stage.

The buttons come from ``FindingDetail.actions`` (``FINDING_TRANSITIONS`` in
app/domain/inspection.py): a move the workflow does not allow from the current stage is not
offered at all. 复查 is one button for both results (通过 → 销号, 未通过 → 退回重改).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.domain.inspection import FindingAction, FindingStage
from app.domain.ledger import FindingState
from app.services.inspections import finding_state
from app.services.overdue import reported_in_time

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.services.findings import FindingDetail
    from app.services.inspections import InspectionEntry

RED = "#d93025"
GREEN = "#1e8e3e"
AMBER = "#b06d00"
_NOWRAP = "style='white-space:nowrap'"

# One button per move; 复查 covers both of its results.
BUTTONS: tuple[tuple[str, tuple[FindingAction, ...], str], ...] = (
    ("开始整改…", (FindingAction.START,), "责任部门已着手整改"),
    ("录入整改情况…", (FindingAction.REPORT,), "录入部门报送的整改情况，问题转为待复查"),
    (
        "复查…",
        (FindingAction.RECHECK_PASS, FindingAction.RECHECK_FAIL),
        "复查整改结果：通过则销号，未通过则退回重改",
    ),
    ("撤销销号…", (FindingAction.REOPEN,), "销号有误时撤销，问题回到整改中"),
)


@dataclass(frozen=True)
class FindingContext:
    """What the pane shows around a finding: its record, measure and plan, and the as-of day."""

    record: InspectionEntry | None
    measure: str
    plan: str
    as_of: date


class FindingDetailPane(QWidget):
    """``sig_action(FindingAction, finding id)``: the user chose a move (for 复查, RECHECK_PASS
    stands for both results; the dialog asks which). ``sig_edit(finding id)``: 修改.
    ``sig_open_record(inspection id)``: show the finding's record. ``sig_notice(department
    id)``: a 整改通知 to the finding's department (offered while the finding is open)."""

    sig_action = Signal(object, str)
    sig_edit = Signal(str)
    sig_open_record = Signal(str)
    sig_notice = Signal(str)  # 整改通知 to this department (id)

    def __init__(self, calendar: WorkCalendar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calendar = calendar
        self._detail: FindingDetail | None = None
        self._context: FindingContext | None = None
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.action_buttons: dict[FindingAction, QPushButton] = {}
        self._moves: list[tuple[QPushButton, tuple[FindingAction, ...]]] = []
        buttons = QHBoxLayout()
        self.record_button = QPushButton("查看检查记录")
        self.record_button.clicked.connect(self._open_record)
        self.edit_button = QPushButton("修改…")
        self.edit_button.setToolTip("修改问题描述、类别、严重程度、责任部门和整改期限")
        self.edit_button.clicked.connect(lambda: self._emit_edit())
        self.notice_button = QPushButton("整改通知…")
        self.notice_button.setToolTip(
            "为这个问题的责任部门生成整改通知（PDF）：该部门截至当日全部未销号的问题"
        )
        self.notice_button.clicked.connect(self._emit_notice)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.notice_button)
        buttons.addStretch(1)
        for text, actions, tip in BUTTONS:
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, a=actions[0]: self._emit_action(a))
            buttons.addWidget(button)
            self._moves.append((button, actions))
            for action in actions:
                self.action_buttons[action] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self.show_finding(None)

    # ---- Public API -------------------------------------------------------------------------

    def show_finding(
        self,
        detail: FindingDetail | None,
        context: FindingContext | None = None,
        *,
        reason: str = "",
    ) -> None:
        """Show ``detail``; None clears the pane, saying why (``reason``) when given."""
        self._detail, self._context = detail, context
        allowed = set(detail.actions) if detail is not None else set()
        for button, actions in self._moves:
            button.setVisible(any(action in allowed for action in actions))
        editable = detail is not None and detail.stage is not FindingStage.CLOSED
        self.edit_button.setVisible(editable)
        self.record_button.setVisible(detail is not None)
        self.notice_button.setVisible(
            editable and detail is not None and detail.department_id is not None
        )
        if detail is None or context is None:
            why = f"<p>{escape(reason)}</p>" if reason else ""
            self.browser.setHtml(
                f"{why}<p style='color:gray'>在左侧选择一个问题，这里显示它的整改和复查情况。</p>"
            )
            return
        self.browser.setHtml(render_finding(detail, context, self.calendar))

    def detail(self) -> FindingDetail | None:
        return self._detail

    def offered(self) -> list[str]:
        """The texts of the move buttons on offer (for tests and the guide)."""
        return [button.text() for button, _actions in self._moves if not button.isHidden()]

    def button(self, text: str) -> QPushButton:
        return next(button for button, _actions in self._moves if button.text() == text)

    def text(self) -> str:
        return self.browser.toPlainText()

    # ---- Internals ----------------------------------------------------------------------------

    def _emit_action(self, action: FindingAction) -> None:
        if self._detail is not None:
            self.sig_action.emit(action, self._detail.id)

    def _emit_edit(self) -> None:
        if self._detail is not None:
            self.sig_edit.emit(self._detail.id)

    def _emit_notice(self) -> None:
        if self._detail is not None and self._detail.department_id is not None:
            self.sig_notice.emit(self._detail.department_id)

    def _open_record(self) -> None:
        if self._detail is not None:
            self.sig_open_record.emit(self._detail.inspection_id)


def due_text(detail: FindingDetail, as_of: date, calendar: WorkCalendar) -> str:
    """The 整改期限 as HTML: the date (and N working days when set so), and where it stands."""
    if detail.rectify_by is None:
        return "<span style='color:gray'>未设整改期限</span>"
    due = detail.rectify_by.isoformat()
    if detail.rectify_workdays is not None:
        due = f"{detail.rectify_workdays} 个工作日（{due}）"
    state = finding_state(
        detail.rectify_by,
        detail.rectified_on,
        as_of,
        stage=detail.stage,
        reported_on=detail.reported_on,
    )
    if state is FindingState.RECTIFIED:
        assert detail.rectified_on is not None
        late = detail.rectified_on > detail.rectify_by and not reported_in_time(
            detail.stage, detail.reported_on, detail.rectify_by
        )
        colour, note = (AMBER, "逾期销号") if late else (GREEN, "按期销号")
        return f"{escape(due)} <span style='color:{colour}'>{note}</span>"
    if detail.found_on > as_of:
        return escape(due)
    reported_on = detail.reported_on
    if (
        reported_on
        and reported_on <= as_of
        and reported_in_time(detail.stage, reported_on, detail.rectify_by)
    ):
        return (
            f"{escape(due)} <span style='color:{GREEN}'>"
            f"{reported_on.isoformat()} 按期报送整改情况，待复查</span>"
        )
    days = calendar.workdays_between(as_of, detail.rectify_by)
    if state is FindingState.OVERDUE:
        return f"<span style='color:{RED}'><b>{escape(due)}，已逾期 {-days} 个工作日</b></span>"
    left = "今日到期" if days == 0 else f"还剩 {days} 个工作日"
    return f"{escape(due)} <span style='color:{AMBER if days <= 3 else 'gray'}'>{left}</span>"


def render_finding(detail: FindingDetail, context: FindingContext, calendar: WorkCalendar) -> str:
    stage_colour = GREEN if detail.stage is FindingStage.CLOSED else "black"
    record = context.record
    if record is not None:
        checked = (
            f"{record.checked_on.isoformat()} {record.kind.label}（检查人：{record.inspector}）"
        )
    else:
        checked = detail.found_on.isoformat()
    rows = [
        ("状态", f"<b style='color:{stage_colour}'>{escape(detail.stage.label)}</b>"),
        ("整改期限", due_text(detail, context.as_of, calendar)),
        ("类别", escape(detail.category)),
        ("严重程度", escape(detail.severity.label)),
        ("责任部门", escape(detail.department) or "—"),
        ("发现", escape(checked)),
        ("督查方案", escape(context.plan) or "（未列入方案）"),
        ("措施", escape(context.measure)),
    ]
    parts = [
        f"<h3>{escape(detail.description)}</h3>",
        "<table cellspacing='0' cellpadding='3'>"
        + "".join(
            f"<tr><td {_NOWRAP}><b>{label}</b></td><td>{value}</td></tr>" for label, value in rows
        )
        + "</table>",
        "<h4>整改情况</h4>",
    ]
    if detail.reports:  # every report, oldest first, each with its date
        parts.extend(
            f"<p><span {_NOWRAP}>{day.isoformat()} 报送：</span>{escape(text)}</p>"
            for day, text in detail.reports
        )
    else:
        parts.append("<p style='color:gray'>责任部门尚未报送整改情况</p>")
    parts.append("<h4>复查</h4>")
    if detail.rechecks:
        parts.append(
            _table(
                ["日期", "复查人", "结果", "意见"],
                "".join(
                    f"<tr><td {_NOWRAP}>{r.checked_on.isoformat()}</td>"
                    f"<td>{escape(r.inspector)}</td>"
                    f"<td style='color:{GREEN if r.passed else RED}; white-space:nowrap'>"
                    f"{'通过' if r.passed else '未通过'}</td><td>{escape(r.note)}</td></tr>"
                    for r in detail.rechecks
                ),
            )
        )
    else:
        parts.append("<p style='color:gray'>尚未复查</p>")
    parts.append("<h4>处理经过</h4>")
    history = [
        f"<tr><td {_NOWRAP}>{detail.found_on.isoformat()}</td><td {_NOWRAP}>发现问题</td>"
        f"<td {_NOWRAP}>待整改</td><td></td><td></td></tr>"
    ]
    history += [
        f"<tr><td {_NOWRAP}>{e.happened_on.isoformat()}</td>"
        f"<td {_NOWRAP}>{escape(e.action.label if e.action else '')}</td>"
        f"<td {_NOWRAP}>{escape(e.stage.label)}</td><td>{escape(e.note)}</td>"
        f"<td {_NOWRAP}>{escape(e.actor)}</td></tr>"
        for e in detail.events
    ]
    parts.append(_table(["日期", "处理", "状态", "说明", "经办人"], "".join(history)))
    return "".join(parts)


def _table(headers: list[str], rows: str) -> str:
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in headers)
    return f"<table cellspacing='0' cellpadding='4' border='1'><tr>{head}</tr>{rows}</table>"
