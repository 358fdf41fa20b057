"""An editable combo box to find one of many names by typing any part of it.

The completer matches anywhere in the name (typing 自然资源 offers 市自然资源和规划局), ignoring
case. When typing ends (Enter, or focus leaving the box) the text is resolved: a name typed in
full, or the one name containing it, becomes the current item; otherwise the box shows the
current item again. So the box never shows text that is not the active choice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter


def make_findable(combo: QComboBox) -> None:
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(combo.model(), combo)
    completer.setCompletionColumn(combo.modelColumn())
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    completer.activated[str].connect(lambda text: _choose(combo, text))
    line_edit = combo.lineEdit()
    line_edit.editingFinished.connect(lambda: _choose(combo, line_edit.text()))


def _choose(combo: QComboBox, text: str) -> None:
    """Make the item named ``text`` (or the only one containing it) current, else show the
    current item's text again."""
    typed = text.strip()
    index = combo.findText(typed, Qt.MatchFlag.MatchFixedString) if typed else -1
    if index < 0 and typed:
        containing = [
            row
            for row in range(combo.count())
            if typed.casefold() in combo.itemText(row).casefold()
        ]
        if len(containing) == 1:
            index = containing[0]
    if index >= 0 and index != combo.currentIndex():
        combo.setCurrentIndex(index)
    else:
        current = combo.currentIndex()
        combo.setEditText(combo.itemText(current) if current >= 0 else "")
