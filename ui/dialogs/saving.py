"""A dialog that saves through a service and stays open, with the reason, when it is refused.

Nothing typed is lost to a refusal: ``accept`` first refuses any date field whose text is not a
date (ui/widgets/dates.py), then calls ``save``; a ``WriteError`` from the service is shown in
red under the form and the dialog stays open. It closes only once ``save`` returned.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from app.storage import WriteError
from ui.widgets.dates import ERROR_COLOUR, date_problems


class SavingDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        """Write what the form says; raise WriteError (a Chinese reason) to refuse."""
        raise NotImplementedError

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def accept(self) -> None:
        problems = date_problems(self)
        if problems:
            edit, problem = problems[0]
            edit.setFocus()
            self.show_error(f"日期有误：{problem}")
            return
        try:
            self.save()
        except WriteError as error:
            self.show_error(str(error))
            return
        super().accept()
