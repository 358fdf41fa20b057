"""标记完成: the office confirms a milestone (or a measure without any) done, or reopens it.

``DoneOrReopenDialog`` is the shape shared with 确认整改 (ui/dialogs/rectification.py): pick an
item, then the date it was done on — or undo that. The date may not be after ``today``; it
starts at ``initial`` (the page passes its as-of day when that is earlier than today).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from ui.widgets.dates import ERROR_COLOUR, date_edit, to_qdate

CompletionItem = tuple[str, str, str, date | None]  # (table, id, label, completed_on)


class DoneOrReopenDialog(QDialog):
    """``done``, when given, says per item whether it is done already: choosing such an item
    ticks the reopen box, since undoing is then what the user most likely wants."""

    def __init__(
        self,
        title: str,
        rows: tuple[str, str, str],  # labels of the item, the date and the reopen box
        labels: Sequence[str],
        today: date,
        parent: QWidget | None = None,
        *,
        done: Sequence[bool] | None = None,
        initial: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        item_label, date_label, reopen_text = rows
        self._done = done
        self.item = QComboBox()
        self.item.addItems(list(labels))
        self._date_label = date_label
        self.on_date = date_edit(min(initial or today, today))
        self.on_date.setMaximumDate(to_qdate(today))
        self.on_date.textChanged.connect(self._recheck)
        self.reopen = QCheckBox(reopen_text)
        self.reopen.toggled.connect(lambda on: self.on_date.setEnabled(not on))
        self.reopen.toggled.connect(self._recheck)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(item_label, self.item)
        form.addRow(date_label, self.on_date)
        form.addRow("", self.reopen)
        form.addRow(self.error)
        form.addRow(buttons)
        if done is not None:
            self.item.currentIndexChanged.connect(self._follow)
            self._follow(0)

    def accept(self) -> None:
        problem = self._problem()
        if problem is not None:  # a date that is not one is never replaced by another
            self.error.setText(problem)
            self.error.show()
            self.on_date.setFocus()
            return
        super().accept()

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def chosen_index(self) -> int:
        return self.item.currentIndex()

    def chosen_date(self) -> date | None:
        """The date it was done on; None to reopen."""
        return None if self.reopen.isChecked() else self.on_date.date().toPython()

    def _problem(self) -> str | None:
        if self.reopen.isChecked():
            return None
        problem = self.on_date.validate()
        return f"{self._date_label}：{problem}" if problem else None

    def _recheck(self) -> None:
        if not self.error.isHidden():  # the message goes as soon as the date is fixed
            problem = self._problem()
            self.error.setText(problem or "")
            self.error.setVisible(problem is not None)

    def _follow(self, index: int) -> None:
        if self._done is not None and 0 <= index < len(self._done):
            self.reopen.setChecked(self._done[index])


class CompletionDialog(DoneOrReopenDialog):
    def __init__(
        self,
        items: list[CompletionItem],
        today: date,
        parent: QWidget | None = None,
        *,
        initial: date | None = None,
    ) -> None:
        labels = [
            f"{label}（已于 {done.isoformat()} 完成）" if done else label
            for _table, _row_id, label, done in items
        ]
        rows = ("时限节点", "完成日期", "撤销完成（重新计为未完成）")
        super().__init__("标记完成", rows, labels, today, parent, initial=initial)
        self._items = items

    def chosen(self) -> tuple[str, str, date | None]:
        """(table, id, completion date — None to reopen)."""
        table, row_id, _label, _done = self._items[self.chosen_index()]
        return table, row_id, self.chosen_date()
