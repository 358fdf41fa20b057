"""Choose measures from the ledger: a search box over the lazy ledger table (big ledgers too)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.status import LedgerFilter
from ui.models.ledger_table import LedgerTableModel
from ui.pages.ledger_page import make_table
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.status import LedgerStatus


def measure_label(area_no: int | None, no: int | None, title: str) -> str:
    number = f"{area_no}.{no}" if area_no is not None else str(no or "")
    return f"{number} {title}".strip()


class MeasurePickerDialog(QDialog):
    def __init__(
        self,
        status: LedgerStatus,
        parent: QWidget | None = None,
        *,
        title: str = "选择措施",
        multiple: bool = True,
        as_of: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._status = status
        self._as_of = as_of or date.today()
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入措施标题或原文中的词语查找")
        self.search.setClearButtonEnabled(True)
        self.model = LedgerTableModel(self)
        self.table = make_table(self.model)
        self.table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if multiple
            else QAbstractItemView.SelectionMode.SingleSelection
        )
        self.table.doubleClicked.connect(self.accept)
        hint = QLabel(
            (
                "可按住 Ctrl 或 Shift 选择多项；双击或点“确定”加入。"
                if multiple
                else "双击或点“确定”选择。"
            )
            + f"状态和亮灯截至 {self._as_of.isoformat()}。"
        )
        hint.setStyleSheet("color: gray")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        fit_to_screen(self, 900, 560)
        self.reload()
        self.search.setFocus()

    def reload(self) -> None:
        status, text, as_of = self._status, self.search.text(), self._as_of
        self.model.set_source(
            lambda sort, descending: status.cursor(
                status.query(LedgerFilter(text=text), as_of=as_of, sort=sort, descending=descending)
            )
        )

    def select_title(self, title: str) -> bool:
        """Add the first row titled ``title`` to the selection (as a Ctrl+click would)."""
        from PySide6.QtCore import QItemSelectionModel

        while True:
            for row in range(self.model.rowCount()):
                measure = self.model.row(row)
                if measure is not None and measure.title == title:
                    self.table.selectionModel().select(
                        self.model.index(row, 0),
                        QItemSelectionModel.SelectionFlag.Select
                        | QItemSelectionModel.SelectionFlag.Rows,
                    )
                    return True
            if not self.model.canFetchMore():
                return False
            self.model.fetchMore()

    def chosen(self) -> list[tuple[str, str]]:
        """(id, "3.2 title") of the selected measures, in the table's order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        picked = []
        for row in rows:
            measure = self.model.row(row)
            if measure is not None:
                picked.append(
                    (measure.id, measure_label(measure.area_no, measure.no, measure.title))
                )
        return picked
