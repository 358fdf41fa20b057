"""The detail pane: one measure's text, departments, milestones, targets, progress, inspections."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.domain.inspection import RecordState
from app.domain.ledger import FindingState, Light

if TYPE_CHECKING:
    from app.services.inspections import InspectionEntry
    from app.services.ledger import MeasureDetail

LIGHT_HTML = {Light.RED: "#d93025", Light.YELLOW: "#e6a700", Light.GREEN: "#1e8e3e"}
FINDING_COLOURS = {
    FindingState.OPEN: "#e6a700",
    FindingState.OVERDUE: "#d93025",
    FindingState.RECTIFIED: "#1e8e3e",
}
_NOWRAP = "style='white-space:nowrap'"  # dates and short labels never break across lines
REPORT_STATES = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成"}
INSPECTION_LINK = "inspection"  # inspection:<id> opens the record form


class MeasureDetailPane(QWidget):
    """``sig_record_actual(detail)`` / ``sig_mark_done(detail)`` / ``sig_record_inspection``
    / ``sig_rectify``: the user wants to enter a target's actual value / to mark a milestone
    done or reopen it / to record an inspection / to confirm a finding rectified.
    ``sig_open_inspection(inspection_id)``: the user wants to see (or go on with) a record."""

    sig_record_actual = Signal(object)
    sig_mark_done = Signal(object)
    sig_record_inspection = Signal(object)
    sig_rectify = Signal(object)
    sig_open_inspection = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._detail: MeasureDetail | None = None
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.record_button = QPushButton("录入目标实际值…")
        self.record_button.clicked.connect(lambda: self.sig_record_actual.emit(self._detail))
        self.done_button = QPushButton("标记完成…")
        self.done_button.setToolTip("督查室确认某个时限节点已完成（或撤销）")
        self.done_button.clicked.connect(lambda: self.sig_mark_done.emit(self._detail))
        self.inspect_button = QPushButton("记录检查…")
        self.inspect_button.setToolTip("记录一次明察暗访及发现的问题")
        self.inspect_button.clicked.connect(lambda: self.sig_record_inspection.emit(self._detail))
        self.rectify_button = QPushButton("复查销号…")
        self.rectify_button.setToolTip("确认检查发现的问题已整改（或撤销确认）")
        self.rectify_button.clicked.connect(lambda: self.sig_rectify.emit(self._detail))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.inspect_button)
        buttons.addWidget(self.rectify_button)
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        layout.addLayout(buttons)
        self.show_detail(None)

    # ---- Public API -------------------------------------------------------------------------

    def show_detail(self, detail: MeasureDetail | None, *, reason: str = "") -> None:
        """Show ``detail``; None clears the pane, saying why (``reason``) when given."""
        self._detail = detail
        self.record_button.setVisible(bool(detail and detail.targets))
        self.done_button.setVisible(detail is not None)
        if detail is not None and _all_done(detail):  # nothing left to mark: only to undo
            self.done_button.setText("撤销完成…")
            self.done_button.setToolTip("这项措施的时限节点均已完成；如有误，可撤销某个节点的完成")
        else:
            self.done_button.setText("标记完成…")
            self.done_button.setToolTip("督查室确认某个时限节点已完成（或撤销）")
        self.inspect_button.setVisible(detail is not None)
        self.rectify_button.setVisible(bool(detail and any(i.findings for i in detail.inspections)))
        if detail is None:
            why = f"<p>{escape(reason)}</p>" if reason else ""
            self.browser.setHtml(
                f"{why}<p style='color:gray'>在左侧选择一项措施，这里显示它的详细情况。</p>"
            )
            return
        self.browser.setHtml(render_detail(detail))

    def detail(self) -> MeasureDetail | None:
        """The measure shown, or None."""
        return self._detail

    def text(self) -> str:
        return self.browser.toPlainText()

    def _link(self, url: QUrl) -> None:
        if url.scheme() == INSPECTION_LINK:
            self.sig_open_inspection.emit(url.path())


def render_detail(detail: MeasureDetail) -> str:
    as_of = f"截至 {detail.as_of.isoformat()}" if detail.as_of else ""
    heading = "　".join(part for part in (detail.area_title, as_of) if part)
    parts = [
        f"<h3>{escape(detail.number)} {escape(detail.title)}</h3>",
        f"<p style='color:gray'>{escape(heading)}</p>",
        f"<p>{escape(detail.text)}</p>",
        "<h4>责任分工</h4>",
    ]
    if detail.departments:
        by_role: dict[str, list[str]] = {}
        for role, name in detail.departments:
            by_role.setdefault(role.label, []).append(name)
        parts.append(
            "".join(
                f"<p><b>{escape(label)}部门：</b>{escape('、'.join(names))}</p>"
                for label, names in by_role.items()
            )
        )
    else:
        parts.append("<p style='color:gray'>未写明责任部门</p>")
    parts.append("<h4>时限节点</h4>")
    if detail.milestones:
        rows = "".join(
            "<tr>"
            f"<td>{escape(m.raw)}</td>"
            f"<td {_NOWRAP}>{m.due.isoformat() if m.due else _kind(m.kind)}</td>"
            f"<td {_NOWRAP}>{_completed(m.completed_on, detail.as_of)}</td>"
            f"<td {_NOWRAP}>{escape(m.status.label)}</td>"
            f"<td style='color:{LIGHT_HTML[m.light]}'>●&nbsp;{escape(m.light.label)}</td>"
            "</tr>"
            for m in detail.milestones
        )
        parts.append(_table(["时限", "完成期限", "完成日期", "状态", "亮灯"], rows))
    else:
        parts.append("<p style='color:gray'>没有明确时限</p>")
    if detail.targets:
        parts.append("<h4>目标值</h4>")
        rows = "".join(
            "<tr>"
            f"<td>{escape(t.raw)}</td>"
            f"<td>{_history(t)}</td>"
            f"<td>{'' if t.met is None else ('达标' if t.met else '未达标')}</td>"
            "</tr>"
            for t in detail.targets
        )
        parts.append(_table(["目标", "实际值（最新在前）", "是否达标"], rows))
    parts.append("<h4>进展记录</h4>")
    if detail.reports:
        for report in detail.reports:
            state = REPORT_STATES.get(report.state or "", "")
            later = detail.as_of is not None and report.reported_on > detail.as_of
            style = " style='color:gray'" if later else ""
            parts.append(
                f"<p{style}><b>{report.reported_on.isoformat()} {escape(report.department)}</b>"
                + ("（晚于截至日）" if later else "")
                + f"（{escape(report.round_name)}，{escape(state)}）<br>{escape(report.progress)}"
                + (f"<br><i>存在问题：</i>{escape(report.problems)}" if report.problems else "")
                + (f"<br><i>下步打算：</i>{escape(report.next_steps)}" if report.next_steps else "")
                + "</p>"
            )
    else:
        parts.append("<p style='color:gray'>尚无部门报送的进展</p>")
    parts.append("<h4>明察暗访</h4>")
    if detail.inspections:
        parts.extend(_inspection(entry) for entry in detail.inspections)
    else:
        parts.append("<p style='color:gray'>尚无检查记录</p>")
    return "".join(parts)


def _inspection(entry: InspectionEntry) -> str:
    where = f"，{escape(entry.place)}" if entry.place else ""
    draft = entry.state is RecordState.DRAFT
    link = (
        f" <a href='{INSPECTION_LINK}:{escape(entry.id)}'>{'继续填写' if draft else '查看记录'}</a>"
    )
    html = (
        f"<p><b>{entry.checked_on.isoformat()} {escape(entry.kind.label)}</b>"
        + ("<span style='color:#b06000'>（草稿）</span>" if draft else "")
        + f"（检查人：{escape(entry.inspector) or '未填'}{where}）{link}"
        + (f"<br>{escape(entry.summary)}" if entry.summary else "")
        + "</p>"
    )
    if not entry.findings:
        return html + "<p style='color:gray'>未发现问题</p>"
    rows = "".join(
        "<tr>"
        f"<td>{escape(f.description)}</td>"
        f"<td>{escape(f.department) or '—'}</td>"
        f"<td {_NOWRAP}>{f.rectify_by.isoformat() if f.rectify_by else '—'}</td>"
        f"<td style='color:{FINDING_COLOURS[f.state]}; white-space:nowrap'>{escape(f.state.label)}"
        + (f"（{f.rectified_on.isoformat()}）" if f.state is FindingState.RECTIFIED else "")
        + "</td></tr>"
        for f in entry.findings
    )
    return html + _table(["发现问题", "责任部门", "整改期限", "整改情况"], rows)


def _all_done(detail: MeasureDetail) -> bool:
    """Every milestone completed by the as-of day (a measure without any: not known here)."""
    as_of = detail.as_of
    return bool(detail.milestones) and all(
        m.completed_on is not None and (as_of is None or m.completed_on <= as_of)
        for m in detail.milestones
    )


def _completed(day: date | None, as_of: date | None) -> str:
    if day is None:
        return ""
    if as_of is not None and day > as_of:  # done, but not yet on the as-of day: not counted
        return f"<span style='color:gray'>{day.isoformat()}（晚于截至日）</span>"
    return day.isoformat()


def _history(target) -> str:
    if not target.history:
        return "未报"
    return "<br>".join(
        f"{_number(a.value)}{escape(target.unit)}（{a.measured_on.isoformat()}，{escape(a.source)}）"
        for a in target.history
    )


def _table(headers: list[str], rows: str) -> str:
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in headers)
    return f"<table cellspacing='0' cellpadding='4' border='1'><tr>{head}</tr>{rows}</table>"


def _kind(kind: str) -> str:
    return {"recurring": "周期性", "ongoing": "长期", "period": "期限"}.get(kind, "")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
