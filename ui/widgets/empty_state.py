"""A centred message for a page with nothing to show yet, with optional buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    def __init__(self, title: str, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("emptyStateTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A fixed width lets the wrapped label compute its height (a maximum width alone clips).
        self.message_label.setFixedWidth(520)
        self.message_label.setMinimumHeight(self.message_label.heightForWidth(520))
        self.message_label.setStyleSheet("color: palette(placeholder-text);")
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title_label)
        layout.addSpacing(8)
        layout.addWidget(self.message_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addLayout(self._buttons)
        layout.addStretch(3)

    def add_button(self, text: str) -> QPushButton:
        button = QPushButton(text)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button
