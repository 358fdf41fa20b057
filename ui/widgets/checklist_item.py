"""The current checklist item, answered: verdict, measured value, note, evidence, finding.

The measured value is checked against the item's target as it is typed (app/services/
measured.py: "6小时" against ≤ 0.5 工作日 → 未达标) and a mark shows when the chosen verdict
disagrees with the number. The panel only shows and signals; the record form saves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import Verdict
from app.services.checklists import Answer
from app.services.measured import MeasuredValueError, check_measured, describe_target
from ui.widgets.checklist_table import DISAGREE_MARK, VERDICT_COLOURS, VERDICT_ORDER
from ui.widgets.dates import ERROR_COLOUR
from ui.widgets.evidence_strip import EvidenceStrip
from ui.widgets.text_fields import FieldEdit

MAX_NOTE_CHARS = 2000


class ChecklistItemPanel(QGroupBox):
    """``sig_verdict(verdict or None)`` when a verdict button is pressed."""

    sig_verdict = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("当前检查项", parent)
        self._answer: Answer | None = None
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setStyleSheet("font-weight: bold")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.expected = QLabel()
        self.expected.setWordWrap(True)
        self.expected.setStyleSheet("color: #5f6368")
        self.verdict_buttons: dict[Verdict, QPushButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        verdicts = QHBoxLayout()
        for number, verdict in enumerate(VERDICT_ORDER, start=1):
            button = QPushButton(f"{number} {verdict.label}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # keys 1–4 in the checklist
            button.setToolTip(f"在检查清单中按 {number}")
            button.clicked.connect(lambda checked, v=verdict: self._clicked(v, checked))
            self._group.addButton(button)
            self.verdict_buttons[verdict] = button
            verdicts.addWidget(button)
        verdicts.addStretch(1)
        self.measured = FieldEdit()
        self.measured.setPlaceholderText("如 6小时、1小时30分、92.5%、两次；Enter 到下一项")
        self.measured.setMaxLength(100)
        self.check = QLabel()
        self.check.setWordWrap(True)
        self.disagree = QLabel()
        self.disagree.setWordWrap(True)
        self.disagree.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold")
        self.disagree.hide()
        self.note = FieldEdit()
        self.note.setPlaceholderText("看到的情况；Enter 到下一项")
        self.note.setMaxLength(MAX_NOTE_CHARS)
        self.add_evidence = QPushButton("添加证据…（Ctrl+O）")
        self.add_evidence.setToolTip("为这一项添加照片或文件；也可以把文件拖到这里")
        self.evidence = EvidenceStrip("把照片或文件拖到这里，作为这一项的证据", tile=56)
        self.finding = QLabel()
        self.finding.setWordWrap(True)
        self.raise_button = QPushButton("转为问题…（F2）")
        self.raise_button.setToolTip("把这一项（不符合）记为发现的问题")

        form = QFormLayout()
        form.addRow("结论", verdicts)
        form.addRow("实测值", self.measured)
        form.addRow("", self.check)
        form.addRow("", self.disagree)
        form.addRow("备注", self.note)
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(QLabel("证据"))
        evidence_row.addStretch(1)
        evidence_row.addWidget(self.add_evidence)
        finding_row = QHBoxLayout()
        finding_row.addWidget(self.finding, 1)
        finding_row.addWidget(self.raise_button)
        # In a scroll area: on a 768-pixel screen a long item with its evidence is taller than the
        # pane, and nothing below the fold may be out of reach.
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.expected)
        layout.addLayout(form)
        layout.addLayout(evidence_row)
        layout.addWidget(self.evidence)
        layout.addLayout(finding_row)
        layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addWidget(self.scroll)
        self.measured.textEdited.connect(self._preview_check)
        self.show_answer(None)

    # ---- Public API -------------------------------------------------------------------------

    def answer(self) -> Answer | None:
        return self._answer

    def show_answer(self, answer: Answer | None, *, keep_typing: bool = False) -> None:
        """Show ``answer``; ``keep_typing``: leave the text fields as the user is typing them."""
        same = answer is not None and self._answer is not None and answer.id == self._answer.id
        self._answer = answer
        for widget in (self.measured, self.note, self.add_evidence, self.raise_button):
            widget.setEnabled(answer is not None)
        for button in self.verdict_buttons.values():
            button.setEnabled(answer is not None)
        if answer is None:
            self.text.setText("（没有检查项）")
            self.expected.clear()
            self.measured.clear()
            self.note.clear()
            self.check.clear()
            self.disagree.hide()
            self.finding.clear()
            return
        self.text.setText(f"{answer.position}. {answer.text}")
        expected = [f"来源：{answer.source.label}"]
        if answer.expected:
            expected.append(f"标准：{answer.expected}")
        elif answer.measurable:
            assert answer.op is not None and answer.value is not None
            expected.append(f"目标：{describe_target(answer.op, answer.value, answer.unit)}")
        self.expected.setText("　".join(expected))
        if not (keep_typing and same):
            self.measured.setText(answer.measured_text)
            self.note.setText(answer.note)
        for verdict, button in self.verdict_buttons.items():
            button.setChecked(answer.verdict is verdict)
            colour = VERDICT_COLOURS[verdict]
            button.setStyleSheet(
                f"QPushButton:checked {{ background: {colour}; color: white; font-weight: bold }}"
            )
        self._show_check(answer)
        self.finding.setText(
            "已转为问题（F2 修改）" if answer.finding_id else "结论为不符合时，按 F2 转为问题"
        )
        self.raise_button.setText("修改问题…（F2）" if answer.finding_id else "转为问题…（F2）")

    def check_text(self) -> str:
        return self.check.text()

    def disagreement(self) -> str:
        return "" if self.disagree.isHidden() else self.disagree.text()

    def show_refusal(self, message: str) -> None:
        """A measured value the service refused (not saved): said under the field."""
        self.check.setText(message)
        self.check.setStyleSheet(f"color: {ERROR_COLOUR}")

    def set_read_only(self, read_only: bool) -> None:
        for widget in (self.measured, self.note):
            widget.setReadOnly(read_only)
        for widget in (self.add_evidence, self.raise_button, *self.verdict_buttons.values()):
            widget.setEnabled(not read_only and self._answer is not None)
        self.evidence.read_only = read_only

    # ---- Internals ----------------------------------------------------------------------------

    def _clicked(self, verdict: Verdict, checked: bool) -> None:
        self.sig_verdict.emit(verdict if checked else None)

    def _show_check(self, answer: Answer) -> None:
        check = answer.check
        self.check.setStyleSheet("")
        if not answer.measurable:
            self.check.setText("这一项没有量化目标，实测值按填写的原样保存。")
            self.check.setStyleSheet("color: gray")
        elif check is None:
            assert answer.op is not None and answer.value is not None
            goal = describe_target(answer.op, answer.value, answer.unit)
            self.check.setText(f"目标 {goal}；填写实测值后自动判断是否达标。")
            self.check.setStyleSheet("color: gray")
        else:
            self.check.setText(("✓ " if check.met else "✗ ") + check.summary)
            self.check.setStyleSheet(f"color: {'#1e8e3e' if check.met else ERROR_COLOUR}")
        if answer.disagrees and check is not None and answer.verdict is not None:
            self.disagree.setText(
                f"{DISAGREE_MARK} 结论“{answer.verdict.label}”与实测值不一致"
                f"（实测{'达标' if check.met else '未达标'}），请核对。"
            )
            self.disagree.show()
        else:
            self.disagree.hide()

    def _preview_check(self, text: str) -> None:
        """As it is typed: what the value would give, before it is saved."""
        answer = self._answer
        if answer is None or not answer.measurable or not text.strip():
            return
        assert answer.op is not None and answer.value is not None
        try:
            check = check_measured(answer.op, answer.value, answer.unit, text)
        except MeasuredValueError as error:
            self.check.setText(str(error))
            self.check.setStyleSheet("color: #b06000")
            return
        self.check.setText(("✓ " if check.met else "✗ ") + check.summary)
        self.check.setStyleSheet(f"color: {'#1e8e3e' if check.met else ERROR_COLOUR}")
