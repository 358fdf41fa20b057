"""A record's checklist being answered: the table, the current item, adding items and templates.

Every answer is written through the record form's ``Autosaver`` (ChecklistService, one small
transaction per field): a verdict at once (keys 1–4, 0 in the table, or its buttons), the
measured value and the note after a pause in the typing or when the field is left; Enter in
either saves and moves down the checklist. What to do with evidence and findings is the form's:
this widget announces it (``sig_item_files``, ``sig_choose_item_evidence``, ``sig_raise``,
``sig_preview``, ``sig_remove_evidence``); messages for the status line are ``sig_message``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.collation import collated
from app.domain.inspection import Verdict
from app.storage import WriteError
from ui.widgets.checklist_item import ChecklistItemPanel
from ui.widgets.checklist_table import ChecklistTable
from ui.widgets.text_fields import FieldEdit

if TYPE_CHECKING:
    from app.services.checklists import Answer, ChecklistService
    from app.services.evidence import EvidenceStore
    from ui.widgets.autosave import Autosaver


class ChecklistEditor(QWidget):
    """``sig_message(text, is_error)``; ``sig_raise()`` (转为问题); ``sig_item_files(answer_id,
    paths)``; ``sig_choose_item_evidence()``; ``sig_preview(strip, evidence_id)``;
    ``sig_remove_evidence(evidence_id)``."""

    sig_message = Signal(str, bool)
    sig_raise = Signal()
    sig_item_files = Signal(str, object)
    sig_choose_item_evidence = Signal()
    sig_preview = Signal(object, str)
    sig_remove_evidence = Signal(str)

    def __init__(
        self,
        checklists: ChecklistService,
        evidence: EvidenceStore,
        saver: Autosaver,
        inspection_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._checklists = checklists
        self._evidence = evidence
        self._saver = saver
        self.inspection_id = inspection_id
        self.editable = True
        self._shown_answer: str | None = None

        self.table = ChecklistTable()
        self.table.currentCellChanged.connect(lambda *_: self._show_current())
        self.table.sig_verdict.connect(self.set_verdict)
        self.table.sig_next.connect(self.next_item)
        self.table.sig_move.connect(self._move_item)
        self.table.sig_remove.connect(self._remove_item)
        self.table.sig_files_dropped.connect(self.sig_item_files.emit)
        self.new_item = FieldEdit()
        self.new_item.setPlaceholderText("添加检查项：输入内容后按 Enter（Ctrl+N）")
        self.new_item.setMaxLength(500)
        self.new_item.sig_enter.connect(self.add_custom_item)
        self.templates = QComboBox()
        self.templates.setToolTip("把检查模板中的检查项加到清单末尾")
        self.add_template = QPushButton("添加模板项")
        self.add_template.clicked.connect(self.add_template_items)
        self.manage_templates = QPushButton("管理模板…")
        self.manage_templates.clicked.connect(self.edit_templates)
        self.fill_templates()
        adding = QHBoxLayout()
        adding.addWidget(self.new_item, 2)
        adding.addWidget(self.templates, 1)
        adding.addWidget(self.add_template)
        adding.addWidget(self.manage_templates)
        checklist = QWidget()
        left = QVBoxLayout(checklist)
        left.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        left.addWidget(self.label)
        left.addWidget(self.table, 1)
        left.addLayout(adding)

        self.panel = ChecklistItemPanel()
        self.panel.sig_verdict.connect(self._panel_verdict)
        self.panel.measured.textEdited.connect(self._measured_edited)
        self.panel.measured.editingFinished.connect(self.flush_current)
        self.panel.measured.sig_enter.connect(self._field_enter)
        self.panel.note.textEdited.connect(self._note_edited)
        self.panel.note.editingFinished.connect(self.flush_current)
        self.panel.note.sig_enter.connect(self._field_enter)
        self.panel.add_evidence.clicked.connect(self.sig_choose_item_evidence.emit)
        self.panel.raise_button.clicked.connect(self.sig_raise.emit)
        self.panel.evidence.sig_files_dropped.connect(self._panel_files)
        self.panel.evidence.sig_preview.connect(
            lambda evidence_id: self.sig_preview.emit(self.panel.evidence, evidence_id)
        )
        self.panel.evidence.sig_remove.connect(self.sig_remove_evidence.emit)
        panel_area = QScrollArea()  # a low screen scrolls the item's fields, never cuts them
        panel_area.setWidget(self.panel)
        panel_area.setWidgetResizable(True)
        panel_area.setFrameShape(QFrame.Shape.NoFrame)
        panel_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(checklist)
        splitter.addWidget(panel_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # ---- Public API -------------------------------------------------------------------------

    def reload(self) -> None:
        self.table.set_answers(self._checklists.answers(self.inspection_id))
        self._count()
        self._show_current(force=True)

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.table.read_only = not editable
        self.panel.set_read_only(not editable)
        for widget in (self.new_item, self.templates, self.add_template):
            widget.setEnabled(editable)
        self.fill_templates()

    def set_verdict(self, answer_id: str, verdict: Verdict | None) -> None:
        if not self.editable:
            return
        checklists = self._checklists
        self._saver.save_now(
            f"verdict:{answer_id}",
            lambda: self.answer_saved(checklists.set_verdict(answer_id, verdict)),
        )

    def next_item(self) -> None:
        self._saver.flush()
        if not self.table.go_next():
            self.sig_message.emit("已是最后一项。填写完毕后按 Ctrl+Enter 完成记录。", False)

    def add_custom_item(self) -> None:
        text = self.new_item.text().strip()
        if not text or not self.editable:
            return
        try:
            answer_id = self._checklists.add_custom(self.inspection_id, text)
        except WriteError as error:
            self.sig_message.emit(str(error), True)
            return
        self.new_item.clear()
        self.reload()
        self.table.select_id(answer_id)
        self.sig_message.emit(f"已添加检查项“{text}”。", False)

    def add_template_items(self) -> None:
        template_id = self.templates.currentData()
        if not template_id or not self.editable:
            return
        try:
            created = self._checklists.create_answers(
                self.inspection_id, [], template_ids=[template_id]
            )
        except WriteError as error:
            self.sig_message.emit(str(error), True)
            return
        self.reload()
        name = self.templates.currentText()
        self.sig_message.emit(
            f"已从模板“{name}”添加 {len(created)} 项。"
            if created
            else f"模板“{name}”的检查项都已在清单中。",
            False,
        )

    def edit_templates(self) -> None:
        from ui.dialogs.checklist_templates import TemplateEditor

        editor = TemplateEditor(self._checklists, parent=self)
        editor.finished.connect(lambda _result: self.fill_templates())
        editor.open()

    def fill_templates(self) -> None:
        current = self.templates.currentData()
        self.templates.clear()
        templates = collated(self._checklists.templates(), key=lambda t: t.name)
        if not templates:
            self.templates.addItem("（没有检查模板）", None)
        for template in templates:
            self.templates.addItem(f"{template.name}（{len(template.items)} 项）", template.id)
        self.templates.setCurrentIndex(max(self.templates.findData(current), 0))
        self.add_template.setEnabled(bool(templates) and self.editable)

    def flush_current(self) -> None:
        """Save what is being typed into the current item now."""
        answer = self.panel.answer()
        if answer is not None:
            self._saver.flush(f"measured:{answer.id}")
            self._saver.flush(f"note:{answer.id}")

    def answer_saved(self, answer: Answer) -> None:
        self.table.update_answer(answer)
        self._count()  # the counts follow every saved verdict
        if self.panel.answer() is not None and self.panel.answer().id == answer.id:
            self.panel.show_answer(answer, keep_typing=True)

    def show_refusal(self, answer_id: str, message: str) -> None:
        if self.panel.answer() is not None and self.panel.answer().id == answer_id:
            self.panel.show_refusal(message)

    def tab_order(self) -> list[QWidget]:
        return [
            self.table,
            self.panel.measured,
            self.panel.note,
            self.panel.add_evidence,
            self.panel.evidence,
            self.panel.raise_button,
            self.new_item,
            self.templates,
            self.add_template,
            self.manage_templates,
        ]

    # ---- Internals ----------------------------------------------------------------------------

    def _count(self) -> None:
        answers = self.table.answers()
        answered = sum(1 for a in answers if a.verdict is not None)
        findings = sum(1 for a in answers if a.finding_id)
        self.label.setText(
            f"检查清单：{len(answers)} 项，已填结论 {answered} 项，转为问题 {findings} 项"
            "　（1–4 填结论，Enter 下一项，F2 转为问题）"
        )

    def _show_current(self, *, force: bool = False) -> None:
        answer = self.table.current_answer()
        answer_id = answer.id if answer else None
        if not force and answer_id == self._shown_answer:
            return
        self.flush_current()
        self._shown_answer = answer_id
        self.panel.show_answer(answer)
        self.panel.set_read_only(not self.editable)
        self.panel.evidence.set_evidence(self._evidence.for_answer(answer.id) if answer else [])

    def _panel_verdict(self, verdict: Verdict | None) -> None:
        answer_id = self.table.current_id()
        if answer_id is not None:
            self.set_verdict(answer_id, verdict)

    def _panel_files(self, paths: list) -> None:
        answer_id = self.table.current_id()
        if answer_id is not None:
            self.sig_item_files.emit(answer_id, paths)

    def _measured_edited(self, text: str) -> None:
        answer = self.panel.answer()
        if answer is None or not self.editable:
            return
        answer_id, checklists = answer.id, self._checklists
        self._saver.schedule(
            f"measured:{answer_id}",
            lambda: self.answer_saved(checklists.set_measured(answer_id, text)),
        )

    def _note_edited(self, text: str) -> None:
        answer = self.panel.answer()
        if answer is None or not self.editable:
            return
        answer_id, checklists = answer.id, self._checklists
        self._saver.schedule(
            f"note:{answer_id}", lambda: self.answer_saved(checklists.set_note(answer_id, text))
        )

    def _field_enter(self) -> None:
        """Enter in the measured value or the note: saved, and on to the next item."""
        self.flush_current()
        self.table.setFocus()
        self.next_item()

    def _move_item(self, answer_id: str, delta: int) -> None:
        ids = [a.id for a in self.table.answers()]
        index = ids.index(answer_id) + delta
        if not 0 <= index < len(ids):
            return
        try:
            self._checklists.move(answer_id, index)
        except WriteError as error:
            self.sig_message.emit(str(error), True)
            return
        self.reload()
        self.table.select_id(answer_id)

    def _remove_item(self, answer_id: str) -> None:
        answer = self._checklists.answer(answer_id)
        reply = QMessageBox.question(
            self, "删除检查项", f"从检查清单中删除第 {answer.position} 项“{answer.text}”吗？"
        )
        if reply != QMessageBox.StandardButton.Yes:
            return
        try:
            self._checklists.remove(answer_id)
        except WriteError as error:
            self.sig_message.emit(str(error), True)
            return
        self.reload()
