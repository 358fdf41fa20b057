"""The draft editor: the document as text in the templates' markup (app/documents/markup_text.py)
on the left, its pages as they will print on the right, redrawn a moment after each change.

The text is read as the user types (on the UI thread: a parse is ~1 ms); the pages are drawn
by reports/gongwen_pdf.py on a worker thread, the newest edit winning. A text that cannot be
read, or a document that breaks a GB/T 9704 rule, is named under the editor in Chinese and the
last good pages stay. Ctrl+S saves (``save(document, code)``: the page's, through
``Bulletins.update``); closing with unsaved text asks first. Undo/redo are the editor's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.documents.markup import ATTACHMENT, FIELDS
from app.documents.markup_text import from_markup, hidden_parts, to_markup
from app.documents.model import GongwenDocument
from app.documents.templates import TemplateError
from app.documents.validation import DocumentInvalid
from app.documents.validation import problems as problems_of
from ui.tasks import run_in_background
from ui.widgets.pdf_pages import PdfPreview
from ui.widgets.questions import ask_to_save

PREVIEW_DELAY_MS = 600
HELP = (
    "一行一段；【标题】【主送】【抄送】等为公文各项；# 一级标题，## 二级标题（“。”后接正文），"
    "### 三级，#### 四级；以 | 开头的连续行是表格；【附件】标题 之后是附件内容。"
    "要以 # 或 | 开头的普通段落，在行首加 \\。"
)


STALE = "（右边的版面是上次正确时的样子）"
_FIELD_LIKE = re.compile(r"^[ \t\u3000]*【([^】\n]{1,12})】", re.M)


def _unknown_fields(text: str) -> str:
    """A note for lines that start like a field whose name is not one (read as body text)."""
    names = [*FIELDS, ATTACHMENT]
    lines = []
    for match in _FIELD_LIKE.finditer(text):
        if match.group(1) not in names:
            line = text.count("\n", 0, match.start()) + 1
            lines.append(f"第 {line} 行的“【{match.group(1)}】”")
    if not lines:
        return ""
    known = "、".join(f"【{name}】" for name in names)
    return (
        "、".join(lines[:3])
        + ("等" if len(lines) > 3 else "")
        + f"不是公文的项目，按正文处理。公文的项目有：{known}。"
    )


class BulletinEditor(QDialog):
    def __init__(
        self,
        document: GongwenDocument,
        code: str,
        title: str,
        save: Callable[[GongwenDocument, str], None],
        render: Callable[[GongwenDocument], bytes],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"编辑草稿 — {title}")
        self._base = document
        self._save = save
        self._render = render
        self._generation = 0
        self._current: tuple[GongwenDocument, str] | None = (document, code)
        self.saved = False

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("markup")
        font = QFont(self.editor.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.editor.setFont(font)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.setPlainText(to_markup(document, code))
        self.editor.document().setModified(False)
        self.help = QLabel(HELP)
        self.help.setWordWrap(True)
        self.help.setObjectName("hint")
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hidden = hidden_parts(document)
        self.kept = QLabel(
            "文本中不显示、保存时保持不变：" + "、".join(hidden) + "。" if hidden else ""
        )
        self.kept.setWordWrap(True)
        self.kept.setVisible(bool(hidden))
        self.notes = QLabel()
        self.notes.setObjectName("notes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #8a5a00")
        self.preview = PdfPreview()
        self.preview.show_message("正在排版……")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.help)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.kept)
        left_layout.addWidget(self.notes)
        left_layout.addWidget(self.problem)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([560, 520])
        splitter.setChildrenCollapsible(False)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "保存（Ctrl+S）", QDialogButtonBox.ButtonRole.ApplyRole
        )
        self.save_button.clicked.connect(self.save)
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.editor.textChanged.connect(self._timer.start)
        self.editor.document().modificationChanged.connect(self._follow_modified)
        self._follow_modified(False)
        self.resize(1180, 720)
        self.refresh()

    # ---- Reading and drawing ----------------------------------------------------------------

    def read(self) -> tuple[GongwenDocument, str] | None:
        """The document the text describes now, or None (the problem is shown)."""
        text = self.editor.toPlainText()
        self.notes.setText(_unknown_fields(text))
        try:
            marked = from_markup(text, self._base)
        except TemplateError as problem:
            where = f"第 {problem.line} 行：" if problem.line else ""
            self.problem.setText(where + problem.reason + STALE)
            return None
        problems = problems_of(marked.document)
        if problems:
            self.problem.setText(
                "不符合公文格式：" + "；".join(p.message for p in problems) + STALE
            )
            return None
        self.problem.clear()
        return marked.document, marked.code

    def refresh(self) -> None:
        """Read the text and draw its pages (off the UI thread; the newest edit wins)."""
        self._timer.stop()
        current = self.read()
        if current is None:
            return
        self._current = current
        self._generation += 1
        generation = self._generation
        document = current[0]
        run_in_background(
            lambda: self._render(document),
            lambda data: self._drawn(generation, data),
            lambda error: self._failed(generation, error),
            owner=self.preview,
        )

    def _drawn(self, generation: int, data: bytes) -> None:
        if generation == self._generation:
            self.preview.show_pdf(data)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(error, DocumentInvalid):
            self.problem.setText("不符合公文格式：" + "；".join(p.message for p in error.problems))
        else:
            self.problem.setText(f"无法排版预览：{error}")

    # ---- Saving ---------------------------------------------------------------------------------

    def save(self) -> bool:
        current = self.read()
        if current is None:
            QMessageBox.warning(self, "不能保存", self.problem.text() + "\n\n请改正后再保存。")
            return False
        try:
            self._save(*current)
        except Exception as problem:  # a refusal of the service (BulletinError) or a write error
            QMessageBox.warning(self, "不能保存", str(problem))
            return False
        self._base = current[0]
        self.saved = True
        self.editor.document().setModified(False)
        return True

    def _follow_modified(self, modified: bool) -> None:
        self.save_button.setEnabled(modified)
        title = self.windowTitle().removesuffix(" *")
        self.setWindowTitle(title + (" *" if modified else ""))

    def reject(self) -> None:
        if self.editor.document().isModified():
            answer = ask_to_save(self, "草稿有未保存的修改。保存吗？")
            if answer is None or (answer and not self.save()):
                return
        super().reject()
