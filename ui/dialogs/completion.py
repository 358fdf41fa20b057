"""标记完成: the office confirms a milestone (or a measure without any) done, or reopens it."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QWidget,
)

from ui.widgets.dates import date_edit, to_qdate

CompletionItem = tuple[str, str, str, date | None]  # (table, id, label, completed_on)


class CompletionDialog(QDialog):
    def __init__(
        self, items: list[CompletionItem], today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("标记完成")
        self._items = items
        self.item = QComboBox()
        for _table, _row_id, label, done in items:
            self.item.addItem(f"{label}（已于 {done.isoformat()} 完成）" if done else label)
        self.completed_on = date_edit(today)
        self.completed_on.setMaximumDate(to_qdate(today))
        self.reopen = QCheckBox("撤销完成（重新计为未完成）")
        self.reopen.toggled.connect(lambda on: self.completed_on.setEnabled(not on))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("时限节点", self.item)
        form.addRow("完成日期", self.completed_on)
        form.addRow("", self.reopen)
        form.addRow(buttons)

    def chosen(self) -> tuple[str, str, date | None]:
        """(table, id, completion date — None to reopen)."""
        table, row_id, _label, _done = self._items[self.item.currentIndex()]
        on = None if self.reopen.isChecked() else self.completed_on.date().toPython()
        return table, row_id, on
