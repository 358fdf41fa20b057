"""录入目标实际值: one dated value for one of a measure's targets."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.services.targets import DEFAULT_SOURCE
from ui.widgets.dates import ERROR_COLOUR, date_edit

if TYPE_CHECKING:
    from app.services.ledger import TargetState


class TargetActualDialog(QDialog):
    def __init__(
        self, targets: list[TargetState], today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("录入目标实际值")
        self.target = QComboBox()
        for target in targets:
            self.target.addItem(target.raw, target.id)
        self.value = QDoubleSpinBox()
        self.value.setRange(-1e12, 1e12)
        self.value.setDecimals(2)
        self.measured_on = date_edit(today)
        self.source = QLineEdit(DEFAULT_SOURCE)
        self.source.setPlaceholderText("如：明察暗访现场核实、部门报送材料")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.error.setWordWrap(True)
        self.error.hide()
        self.measured_on.textChanged.connect(self._recheck)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("目标", self.target)
        form.addRow("实际值", self.value)
        form.addRow("日期", self.measured_on)
        form.addRow("来源", self.source)
        form.addRow(self.error)
        form.addRow(buttons)

    def accept(self) -> None:
        problem = self.measured_on.validate()
        if problem is not None:  # never saved under some other date
            self.error.setText(f"日期：{problem}")
            self.error.show()
            self.measured_on.setFocus()
            return
        super().accept()

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()

    def _recheck(self) -> None:
        if not self.error.isHidden() and self.measured_on.problem() is None:
            self.error.hide()

    def chosen(self) -> tuple[str, float, date, str]:
        return (
            self.target.currentData(),
            self.value.value(),
            self.measured_on.value(),
            self.source.text(),
        )
