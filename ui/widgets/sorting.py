"""Table cells that sort the way the services do: names in pinyin order (app/domain/collation.py),
numbers by value. Qt's own order is by code point (人 before 北 before 市), and QCollator would
be a second, different idea of the order from the one the services and exports use."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

from app.domain.collation import sort_key


class CollatedItem(QTableWidgetItem):
    """A ``QTableWidgetItem`` whose ``<`` is pinyin order for text and value order for numbers."""

    def __init__(self, value: Any = "") -> None:
        super().__init__()
        self.setData(Qt.ItemDataRole.DisplayRole, value)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        # Not super().__lt__: PySide dispatches it back here (endless recursion).
        mine = self.data(Qt.ItemDataRole.DisplayRole)
        theirs = other.data(Qt.ItemDataRole.DisplayRole)
        if isinstance(mine, int | float) and isinstance(theirs, int | float):
            return mine < theirs
        return sort_key(str(mine or "")) < sort_key(str(theirs or ""))
