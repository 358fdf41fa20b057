"""One inspection record (检查记录): what was checked, by whom, and the problems it found."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.domain.inspection import FindingStage
from app.domain.ledger import FindingState, InspectionKind

if TYPE_CHECKING:
    from app.services.inspections import InspectionEntry

_NOWRAP = "style='white-space:nowrap'"
_FINDING_LINK = "finding:"


class RecordDetailPane(QWidget):
    """``sig_edit(record id)``: 打开/修改 the record. ``sig_open_finding(finding id)``: a
    problem of the record was clicked. ``sig_print(record id)``: 打印 it (as PDF)."""

    sig_edit = Signal(str)
    sig_open_finding = Signal(str)
    sig_print = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entry: InspectionEntry | None = None
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.edit_button = QPushButton("打开记录…")
        self.edit_button.setToolTip("打开这条检查记录（修改、补充问题）")
        self.edit_button.clicked.connect(self._edit)
        self.print_button = QPushButton("打印…")
        self.print_button.setToolTip("把这条检查记录保存为 PDF（清单、问题、证据），用于打印或归档")
        self.print_button.clicked.connect(self._print)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self.show_record(None)

    def show_record(
        self,
        entry: InspectionEntry | None,
        *,
        measure: str = "",
        plan: str = "",
        reason: str = "",
    ) -> None:
        self._entry = entry
        self.edit_button.setVisible(entry is not None)
        self.print_button.setVisible(entry is not None)
        if entry is None:
            why = f"<p>{escape(reason)}</p>" if reason else ""
            self.browser.setHtml(
                f"{why}<p style='color:gray'>在左侧选择一条检查记录，这里显示它的详细情况。</p>"
            )
            return
        self.browser.setHtml(render_record(entry, measure, plan))

    def entry(self) -> InspectionEntry | None:
        return self._entry

    def text(self) -> str:
        return self.browser.toPlainText()

    def _edit(self) -> None:
        if self._entry is not None:
            self.sig_edit.emit(self._entry.id)

    def _print(self) -> None:
        if self._entry is not None:
            self.sig_print.emit(self._entry.id)

    def _link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith(_FINDING_LINK):
            self.sig_open_finding.emit(text[len(_FINDING_LINK) :])


def render_record(entry: InspectionEntry, measure: str, plan: str) -> str:
    kind = entry.kind.label
    if entry.kind is InspectionKind.COVERT:
        kind += "（保密：通报前仅方案督查人员和审核人可见）" if entry.disclosed_on is None else ""
    rows = [
        ("检查日期", entry.checked_on.isoformat()),
        ("明察/暗访", kind),
        ("督查方案", plan or "（未列入方案）"),
        ("措施", measure),
        ("受检部门", entry.department or "—"),
        ("检查方式", entry.method or "—"),  # the record form's words, one per field
        ("检查地点", entry.place or "—"),
        ("检查人", entry.inspector),
        ("记录", entry.state.label),
    ]
    if entry.disclosed_on is not None:
        rows.append(("已通报", entry.disclosed_on.isoformat()))
    parts = [
        f"<h3>{escape(entry.checked_on.isoformat())} {escape(entry.kind.label)}："
        f"{escape(measure)}</h3>",
        "<table cellspacing='0' cellpadding='3'>"
        + "".join(
            f"<tr><td {_NOWRAP}><b>{label}</b></td><td>{escape(value)}</td></tr>"
            for label, value in rows
        )
        + "</table>",
        "<h4>检查情况</h4>",
        f"<p>{escape(entry.summary)}</p>" if entry.summary else "<p style='color:gray'>未填写</p>",
        "<h4>发现的问题</h4>",
    ]
    if not entry.findings:
        parts.append("<p style='color:gray'>未发现问题</p>")
    else:
        rows_html = "".join(
            f"<tr><td><a href='{_FINDING_LINK}{f.id}'>{escape(f.description)}</a></td>"
            f"<td>{escape(f.department) or '—'}</td>"
            f"<td {_NOWRAP}>{f.rectify_by.isoformat() if f.rectify_by else '—'}</td>"
            f"<td style='color:{_colour(f)}; white-space:nowrap'>{escape(_stage(f))}</td></tr>"
            for f in entry.findings
        )
        head = "".join(
            f"<th align='left'>{h}</th>"
            for h in ("问题（点击查看）", "责任部门", "整改期限", "状态")
        )
        parts.append(
            f"<table cellspacing='0' cellpadding='4' border='1'><tr>{head}</tr>{rows_html}</table>"
        )
    return "".join(parts)


def _stage(finding) -> str:
    if finding.state is FindingState.OVERDUE and finding.stage is not FindingStage.CLOSED:
        return f"{finding.stage.label}（逾期）"
    return finding.stage.label


def _colour(finding) -> str:
    if finding.stage is FindingStage.CLOSED:
        return "#1e8e3e"
    return "#d93025" if finding.state is FindingState.OVERDUE else "black"
