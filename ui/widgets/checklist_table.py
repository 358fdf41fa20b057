"""The checklist of a record as a table the inspector walks down with the keyboard.

One row per item: its number, where it came from, the item, the verdict, the measured value,
whether it meets the target (with a mark when the verdict says otherwise), how much evidence it
has and whether it became a finding. Keys (while the table has focus): 1–4 give the verdict
(符合 / 基本符合 / 不符合 / 不适用), 0 clears it, Enter moves to the next item, Ctrl+↑/↓ move the
item, Delete takes it off. Files dropped on a row are evidence of that item.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.domain.inspection import Verdict
from app.services.checklists import Answer
from ui.widgets.evidence_strip import dropped_files

VERDICT_KEYS = {
    Qt.Key.Key_1: Verdict.PASS,
    Qt.Key.Key_2: Verdict.PARTIAL,
    Qt.Key.Key_3: Verdict.FAIL,
    Qt.Key.Key_4: Verdict.NOT_APPLICABLE,
}
VERDICT_ORDER = (Verdict.PASS, Verdict.PARTIAL, Verdict.FAIL, Verdict.NOT_APPLICABLE)
VERDICT_COLOURS = {
    Verdict.PASS: "#1e8e3e",
    Verdict.PARTIAL: "#b06000",
    Verdict.FAIL: "#d93025",
    Verdict.NOT_APPLICABLE: "#5f6368",
}
DISAGREE_MARK = "⚠"
DISAGREE_TIP = "结论与实测值不一致：实测{met}，结论却是“{verdict}”。请核对。"
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ChecklistTable(QTableWidget):
    """``sig_verdict(answer_id, verdict or None)``, ``sig_next()`` (Enter),
    ``sig_move(answer_id, delta)``, ``sig_remove(answer_id)``, ``sig_files_dropped(answer_id,
    paths)``."""

    COL_NO, COL_SOURCE, COL_TEXT, COL_VERDICT, COL_MEASURED, COL_CHECK = range(6)
    COL_EVIDENCE, COL_FINDING = 6, 7
    HEADERS = ("序号", "来源", "检查项", "结论", "实测值", "达标", "证据", "问题")

    sig_verdict = Signal(str, object)
    sig_next = Signal()
    sig_move = Signal(str, int)
    sig_remove = Signal(str)
    sig_files_dropped = Signal(str, object)

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self._answers: list[Answer] = []
        self.read_only = False
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(26)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table: to the item's fields
        self.setWordWrap(False)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        header = self.horizontalHeader()
        header.setSectionResizeMode(self.COL_TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (self.COL_NO, 40),
            (self.COL_SOURCE, 64),
            (self.COL_VERDICT, 72),
            (self.COL_MEASURED, 90),
            (self.COL_CHECK, 52),
            (self.COL_EVIDENCE, 40),
            (self.COL_FINDING, 56),
        ):
            self.setColumnWidth(column, width)
        self.setToolTip(
            "1 符合　2 基本符合　3 不符合　4 不适用　0 清除结论\n"
            "Enter 下一项　F2 转为问题　Ctrl+↑/↓ 调整顺序　Delete 删除检查项\n"
            "把照片或文件拖到某一行上，即作为该项的证据"
        )

    # ---- Public API -------------------------------------------------------------------------

    def set_answers(self, answers: list[Answer]) -> None:
        """Show ``answers``, keeping the current item (by id) when it is still there."""
        current = self.current_id()
        self._answers = list(answers)
        self.setRowCount(len(answers))
        for row, answer in enumerate(answers):
            self._fill(row, answer)
        ids = [a.id for a in answers]
        if current in ids:
            self.setCurrentCell(ids.index(current), self.COL_TEXT)
        elif answers and self.currentRow() < 0:
            self.setCurrentCell(0, self.COL_TEXT)

    def update_answer(self, answer: Answer) -> None:
        for row, known in enumerate(self._answers):
            if known.id == answer.id:
                self._answers[row] = answer
                self._fill(row, answer)
                return

    def answers(self) -> list[Answer]:
        return list(self._answers)

    def current_answer(self) -> Answer | None:
        row = self.currentRow()
        return self._answers[row] if 0 <= row < len(self._answers) else None

    def current_id(self) -> str | None:
        answer = self.current_answer()
        return answer.id if answer else None

    def select_id(self, answer_id: str) -> None:
        for row, answer in enumerate(self._answers):
            if answer.id == answer_id:
                self.setCurrentCell(row, self.COL_TEXT)
                return

    def go_next(self) -> bool:
        """Move to the next item; False on the last one."""
        row = self.currentRow()
        if row + 1 < self.rowCount():
            self.setCurrentCell(row + 1, self.COL_TEXT)
            return True
        return False

    def row_text(self, row: int) -> list[str]:
        return [self.item(row, column).text() for column in range(self.columnCount())]

    # ---- Qt -----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        answer = self.current_answer()
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        if key in _ENTER and plain:
            self.sig_next.emit()
            return
        if answer is not None and not self.read_only:
            if plain and key in VERDICT_KEYS:
                self.sig_verdict.emit(answer.id, VERDICT_KEYS[key])
                return
            if plain and key == Qt.Key.Key_0:
                self.sig_verdict.emit(answer.id, None)
                return
            if plain and key == Qt.Key.Key_Delete:
                self.sig_remove.emit(answer.id)
                return
            if modifiers == Qt.KeyboardModifier.ControlModifier and key in (
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
            ):
                self.sig_move.emit(answer.id, -1 if key == Qt.Key.Key_Up else 1)
                return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()) and not self.read_only:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        row = self.rowAt(event.position().toPoint().y())
        if dropped_files(event.mimeData()) and row >= 0 and not self.read_only:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        row = self.rowAt(event.position().toPoint().y())
        if not paths or self.read_only or not 0 <= row < len(self._answers):
            event.ignore()
            return
        event.acceptProposedAction()
        self.setCurrentCell(row, self.COL_TEXT)
        self.sig_files_dropped.emit(self._answers[row].id, [Path(p) for p in paths])

    # ---- Internals ----------------------------------------------------------------------------

    def _fill(self, row: int, answer: Answer) -> None:
        check = answer.check
        verdict = answer.verdict
        cells = {
            self.COL_NO: str(row + 1),
            self.COL_SOURCE: answer.source.label,
            self.COL_TEXT: answer.text,
            self.COL_VERDICT: verdict.label if verdict else "",
            self.COL_MEASURED: answer.measured_text,
            self.COL_CHECK: "" if check is None else ("达标" if check.met else "未达标"),
            self.COL_EVIDENCE: str(answer.evidence_count) if answer.evidence_count else "",
            self.COL_FINDING: "已转问题" if answer.finding_id else "",
        }
        if answer.disagrees:
            cells[self.COL_CHECK] = f"{DISAGREE_MARK}{cells[self.COL_CHECK]}"
        for column, text in cells.items():
            item = self.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.setItem(row, column, item)
            item.setText(text)
        tip = answer.text + (f"\n标准：{answer.expected}" if answer.expected else "")
        self.item(row, self.COL_TEXT).setToolTip(tip)
        self.item(row, self.COL_VERDICT).setForeground(
            QBrush(QColor(VERDICT_COLOURS[verdict])) if verdict else QBrush()
        )
        check_item = self.item(row, self.COL_CHECK)
        if check is not None:
            colour = "#d93025" if (answer.disagrees or not check.met) else "#1e8e3e"
            check_item.setForeground(QBrush(QColor(colour)))
            check_item.setToolTip(
                DISAGREE_TIP.format(
                    met="达标" if check.met else "未达标", verdict=verdict.label if verdict else ""
                )
                if answer.disagrees
                else check.summary
            )
        else:
            check_item.setForeground(QBrush())
            check_item.setToolTip("")
