"""Edit one of the 明察暗访 lists: 问题类别, 检查方式 or 常用地点 (app/services/vocabulary.py).

Each button is one change, saved at once. Renaming a 问题类别 renames it on the findings and 红黑榜
rules that use it; removing one leaves existing findings as they are (it can no longer be chosen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.vocabulary import LISTS
from app.storage import WriteError
from ui.widgets.dates import ERROR_COLOUR
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.vocabulary import VocabularyLists

NOTES = {
    "category": "发现问题时从这个列表中选择类别；改名后，已有问题和计分规则中的类别随之改名。",
    "method": "制定督查方案、记录检查时从这个列表中选择检查方式。",
    "site": "记录检查时可从这个列表中选择地点。",
}


class VocabularyDialog(QDialog):
    def __init__(
        self, vocabulary: VocabularyLists, list_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(LISTS[list_name])
        self._vocabulary = vocabulary
        self.list_name = list_name
        self.items = QListWidget()
        self.add_button = QPushButton("添加…")
        self.rename_button = QPushButton("改名…")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.remove_button = QPushButton("删除")
        self.add_button.clicked.connect(lambda: self.add())
        self.rename_button.clicked.connect(lambda: self.rename())
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.remove_button.clicked.connect(lambda: self.remove())
        side = QVBoxLayout()
        for button in (
            self.add_button,
            self.rename_button,
            self.up_button,
            self.down_button,
            self.remove_button,
        ):
            side.addWidget(button)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.items, 1)
        body.addLayout(side)
        note = QLabel(NOTES.get(list_name, ""))
        note.setWordWrap(True)
        note.setStyleSheet("color: gray")
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.error.setWordWrap(True)
        self.error.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.items.currentRowChanged.connect(lambda _row: self._update_buttons())
        fit_to_screen(self, 420, 420)
        self.reload()

    # ---- Public API -------------------------------------------------------------------------

    def names(self) -> list[str]:
        return [self.items.item(row).text() for row in range(self.items.count())]

    def select(self, name: str) -> None:
        self.items.setCurrentRow(self.names().index(name))

    def reload(self, select: str | None = None) -> None:
        current = select or (self.items.currentItem().text() if self.items.currentItem() else None)
        self.items.clear()
        for entry in self._vocabulary.entries(self.list_name):
            item = QListWidgetItem(entry.name)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.items.addItem(item)
        if current in self.names():
            self.select(current)
        self._update_buttons()

    def ask_name(self, title: str, text: str = "") -> str | None:
        name, ok = QInputDialog.getText(self, title, f"{LISTS[self.list_name]}名称：", text=text)
        return name if ok else None

    def confirm_remove(self, name: str) -> bool:
        answer = QMessageBox.question(
            self,
            "删除",
            f"从{LISTS[self.list_name]}中删除“{name}”？已记录的内容不受影响，只是以后不能再选它。",
        )
        return answer == QMessageBox.StandardButton.Yes

    def add(self, name: str | None = None) -> None:
        name = name if name is not None else self.ask_name("添加")
        if name is None:
            return
        if self._run(lambda: self._vocabulary.add(self.list_name, name)):
            self.reload(select=name.strip())

    def rename(self, name: str | None = None) -> None:
        item = self.items.currentItem()
        if item is None:
            return
        name = name if name is not None else self.ask_name("改名", item.text())
        if name is None:
            return
        entry_id = item.data(Qt.ItemDataRole.UserRole)
        if self._run(lambda: self._vocabulary.rename(entry_id, name)):
            self.reload(select=name.strip())

    def move(self, step: int) -> None:
        row = self.items.currentRow()
        if row < 0 or not 0 <= row + step < self.items.count():
            return
        item = self.items.item(row)
        entry_id, name = item.data(Qt.ItemDataRole.UserRole), item.text()
        if self._run(lambda: self._vocabulary.move(entry_id, row + step + 1)):
            self.reload(select=name)

    def remove(self, *, confirmed: bool | None = None) -> None:
        item = self.items.currentItem()
        if item is None:
            return
        if not (confirmed if confirmed is not None else self.confirm_remove(item.text())):
            return
        entry_id = item.data(Qt.ItemDataRole.UserRole)
        if self._run(lambda: self._vocabulary.remove(entry_id)):
            self.reload()

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    # ---- Internals ----------------------------------------------------------------------------

    def _run(self, change) -> bool:
        try:
            change()
        except WriteError as error:
            self.error.setText(str(error))
            self.error.show()
            return False
        self.error.hide()
        return True

    def _update_buttons(self) -> None:
        row = self.items.currentRow()
        for button in (self.rename_button, self.remove_button):
            button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.items.count() - 1)
