"""Text fields for forms walked with the keyboard.

``FieldEdit``: a line edit whose plain Enter is ``sig_enter`` (the record form moves down its
checklist) while Ctrl+Enter goes on to the window (完成, 保存). ``PlainTextField``: a multi-line
field that Tab leaves, that passes Ctrl+Enter on to the window, and says when it is left
(``sig_left``: the form saves it then).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def is_ctrl_enter(event: QKeyEvent) -> bool:
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return event.key() in ENTER_KEYS and modifiers == Qt.KeyboardModifier.ControlModifier


class FieldEdit(QLineEdit):
    sig_enter = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in ENTER_KEYS and modifiers == Qt.KeyboardModifier.NoModifier:
            self.sig_enter.emit()
            event.accept()
            return
        if event.key() in ENTER_KEYS:
            event.ignore()  # Ctrl+Enter and the like: the window's
            return
        super().keyPressEvent(event)


class PlainTextField(QPlainTextEdit):
    sig_left = Signal()

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if is_ctrl_enter(event):
            event.ignore()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.sig_left.emit()
