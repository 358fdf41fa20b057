"""起草模板: the office edits the template each kind of 通报 is drafted from.

The text is the template language of app/documents/templates.py ({{ 数据 }}, {% 条件/重复 %})
producing the line markup of app/documents/markup.py. 检查模板 renders it with today's data
(``BulletinDrafting.draft(request, template=…)``) without storing anything; 保存 stores it
(refused, with the line, when it has a mistake); 恢复默认 goes back to the shipped one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.documents.templates import TemplateError, parse
from app.services.bulletins import BulletinDrafting, BulletinError, BulletinKind, DraftRequest
from app.services.bulletins.templates import BulletinTemplates, TemplateProblem
from app.storage.errors import user_message
from ui.widgets.questions import ask_to_save, confirm


class BulletinTemplatesDialog(QDialog):
    def __init__(
        self,
        templates: BulletinTemplates,
        drafting: BulletinDrafting,
        kind: BulletinKind,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("起草模板")
        self._templates = templates
        self._drafting = drafting
        self._today = today
        self._kind = kind
        self.kind_box = QComboBox()
        for item in BulletinKind:
            self.kind_box.addItem(item.label)  # Qt would keep a StrEnum as a plain str
        self.kind_box.setCurrentIndex(list(BulletinKind).index(kind))
        self.source = QLabel()
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("template")
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(QLabel("种类："))
        top.addWidget(self.kind_box)
        top.addWidget(self.source, 1)
        buttons = QDialogButtonBox()
        self.check_button = buttons.addButton("检查模板", QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.setToolTip("用当前数据试生成一次，只检查，不保存")
        self.reset_button = buttons.addButton("恢复默认", QDialogButtonBox.ButtonRole.ResetRole)
        self.save_button = buttons.addButton(
            "保存（Ctrl+S）", QDialogButtonBox.ButtonRole.ApplyRole
        )
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(self.check)
        self.reset_button.clicked.connect(self.reset)
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self.kind_box.currentIndexChanged.connect(self._change_kind)
        self.editor.textChanged.connect(self._edited)
        self._load()
        self.resize(900, 640)

    def _edited(self) -> None:
        if self.editor.document().isModified():
            self.result.clear()  # what it said was about the text before this edit

    def kind(self) -> BulletinKind:
        return list(BulletinKind)[max(self.kind_box.currentIndex(), 0)]

    def _load(self) -> None:
        self._kind = self.kind()
        stored = self._templates.get(self._kind)
        self.editor.setPlainText(stored.text)
        self.editor.document().setModified(False)
        if stored.default:
            self.source.setText("（默认模板）")
        else:
            self.source.setText(f"（{stored.updated_by or '—'} {stored.updated_on} 修改）")
        self.reset_button.setEnabled(not stored.default)
        self.result.clear()

    def _change_kind(self) -> None:
        if self.editor.document().isModified() and not self._discard_ok():
            self.kind_box.blockSignals(True)
            self.kind_box.setCurrentIndex(list(BulletinKind).index(self._kind))
            self.kind_box.blockSignals(False)
            return
        self._load()

    def check(self) -> bool:
        text = self.editor.toPlainText()
        try:
            parse(text)
        except TemplateError as error:
            self._show_problem(str(TemplateProblem(self.kind(), error)))
            return False
        request = DraftRequest(self.kind(), as_of=self._today())
        try:
            draft = self._drafting.draft(request, template=text)
        except TemplateProblem as problem:
            self._show_problem(str(problem))
            return False
        except BulletinError as problem:  # the data, not the template (no round, no department…)
            self.result.setStyleSheet("")
            self.result.setText(f"模板写法正确。未能用今天的数据试生成：{problem}")
            return True
        self.result.setStyleSheet("")
        self.result.setText(
            f"模板可以使用：按今天的数据试生成“{draft.document.title}”，"
            f"正文 {len(draft.document.body)} 段，附件 {len(draft.document.attachments)} 个。"
        )
        return True

    def _show_problem(self, text: str) -> None:
        self.result.setStyleSheet("color: #b00020")
        self.result.setText(text)

    def save(self) -> bool:
        """Store the text, once it renders with today's data (a name the data does not have,
        such as {{ round.nmae }}, only shows when rendered: refused here, not at drafting)."""
        if not self.check():
            self.result.setText("没有保存：" + self.result.text())
            return False
        try:
            self._templates.save(self.kind(), self.editor.toPlainText(), today=self._today())
        except Exception as problem:  # a refusal, or the database (busy, read-only, full)
            self._show_problem(f"没有保存：{user_message(problem)}")
            return False
        self._load()
        self.result.setText("已保存。以后新建的这类草稿按此模板生成（已有草稿不变）。")
        return True

    def reset(self) -> None:
        text = f"{self.kind().label}的模板恢复为程序自带的默认模板？本单位修改的内容将不再使用。"
        if confirm(self, "恢复默认模板", text, "恢复默认"):
            try:
                self._templates.reset(self.kind())
            except Exception as problem:
                self._show_problem(f"没有恢复默认：{user_message(problem)}")
                return
            self._load()

    def _discard_ok(self) -> bool:
        text = "模板有未保存的修改，放弃这些修改吗？"
        return confirm(self, "放弃修改？", text, "放弃修改", icon=QMessageBox.Icon.Question)

    def reject(self) -> None:
        if self.editor.document().isModified():
            answer = ask_to_save(self, "模板有未保存的修改。保存吗？")
            if answer is None or (answer and not self.save()):
                return
        super().reject()
