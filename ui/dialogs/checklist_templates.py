"""检查模板: the office's reusable checklists (窗口服务, 电话暗访, 网上办事体验 …), edited in place.

Left, the templates (新建, 删除, 添加常用模板: the starters of ChecklistService); right, the
chosen template's name, note and items in order, each with an optional target (比较, 目标值,
单位: "≤ 20 分钟"), which makes its measured value checked. Every edit is saved as soon as it is
made (a cell when it is left); a refused one says why under the table and changes nothing.
Records keep the items they were given when a template changes or goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.collation import collated
from app.services.measured import OP_SYMBOLS, format_number
from app.storage import WriteError
from ui.widgets.dates import ERROR_COLOUR
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.checklists import ChecklistService, Template

NO_TARGET = "（无）"


class TemplateEditor(QDialog):
    COL_TEXT, COL_OP, COL_VALUE, COL_UNIT = range(4)

    def __init__(self, checklists: ChecklistService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("检查模板")
        self._checklists = checklists
        self._loading = False

        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda *_: self._show_template())
        self.new_button = QPushButton("新建模板")
        self.new_button.clicked.connect(self.new_template)
        self.delete_button = QPushButton("删除模板")
        self.delete_button.clicked.connect(self.delete_template)
        self.starter_button = QPushButton("添加常用模板")
        self.starter_button.setToolTip("窗口服务（模拟办事）、电话暗访、网上办事体验")
        self.starter_button.clicked.connect(self.add_starters)
        left = QVBoxLayout()
        left.addWidget(QLabel("模板"))
        left.addWidget(self.list, 1)
        for button in (self.new_button, self.delete_button, self.starter_button):
            left.addWidget(button)

        self.name = QLineEdit()
        self.name.setMaxLength(100)
        self.name.editingFinished.connect(self._rename)
        self.note = QLineEdit()
        self.note.setPlaceholderText("何时使用这个模板")
        self.note.editingFinished.connect(self._save_note)
        self.items = QTableWidget(0, 4)
        self.items.setHorizontalHeaderLabels(["检查项", "比较", "目标值", "单位"])
        self.items.verticalHeader().setVisible(True)
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(self.COL_TEXT, QHeaderView.ResizeMode.Stretch)
        self.items.setColumnWidth(self.COL_OP, 70)
        self.items.setColumnWidth(self.COL_VALUE, 80)
        self.items.setColumnWidth(self.COL_UNIT, 70)
        self.items.itemChanged.connect(self._cell_changed)
        self.add_item_button = QPushButton("添加检查项")
        self.add_item_button.clicked.connect(self.add_item)
        self.remove_item_button = QPushButton("删除检查项")
        self.remove_item_button.clicked.connect(self.remove_item)
        self.up_button = QPushButton("上移")
        self.up_button.clicked.connect(lambda: self.move_item(-1))
        self.down_button = QPushButton("下移")
        self.down_button.clicked.connect(lambda: self.move_item(1))
        item_buttons = QHBoxLayout()
        for button in (
            self.add_item_button,
            self.remove_item_button,
            self.up_button,
            self.down_button,
        ):
            item_buttons.addWidget(button)
        item_buttons.addStretch(1)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        form = QFormLayout()
        form.addRow("模板名称", self.name)
        form.addRow("说明", self.note)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel("检查项（按顺序；填了目标的项，实测值会自动判断是否达标）"))
        right.addWidget(self.items, 1)
        right.addLayout(item_buttons)
        right.addWidget(self.error)
        close = QPushButton("关闭")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 3)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a field saves it; it never presses 新建模板
        fit_to_screen(self, 980, 560)
        self._fill()

    # ---- Public API -------------------------------------------------------------------------

    def current(self) -> Template | None:
        item = self.list.currentItem()
        if item is None:
            return None
        try:
            return self._checklists.template(item.data(Qt.ItemDataRole.UserRole))
        except WriteError:
            return None

    def select(self, template_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == template_id:
                self.list.setCurrentRow(row)
                return

    def error_text(self) -> str:
        return self.error.text()

    def new_template(self) -> str | None:
        names = {t.name for t in self._checklists.templates()}
        name, number = "新检查模板", 2
        while name in names:
            name, number = f"新检查模板{number}", number + 1
        template_id = self._run(lambda: self._checklists.create_template(name))
        if template_id:
            self._fill(template_id)
            self.name.setFocus()
            self.name.selectAll()
        return template_id

    def delete_template(self) -> None:
        template = self.current()
        if template is None:
            return
        answer = QMessageBox.question(
            self,
            "删除模板",
            f"删除检查模板“{template.name}”吗？已用它填写的检查记录不受影响。",
        )
        if answer == QMessageBox.StandardButton.Yes and self._run(
            lambda: self._checklists.delete_template(template.id) or True
        ):
            self._fill()

    def add_starters(self) -> None:
        created = self._run(self._checklists.create_starter_templates)
        if created is not None:
            self._fill(created[0] if created else None)
            self._say("已添加常用模板。" if created else "常用模板都已经有了。", error=False)

    def add_item(self, text: str = "新检查项") -> str | None:
        template = self.current()
        if template is None:
            return None
        item_id = self._run(lambda: self._checklists.add_template_item(template.id, text))
        if item_id:
            self._show_template()
            row = self.items.rowCount() - 1
            self.items.setCurrentCell(row, self.COL_TEXT)
            self.items.editItem(self.items.item(row, self.COL_TEXT))
        return item_id

    def remove_item(self) -> None:
        item_id = self._current_item_id()
        if item_id and self._run(lambda: self._checklists.remove_template_item(item_id) or True):
            self._show_template()

    def move_item(self, delta: int) -> None:
        row = self.items.currentRow()
        item_id = self._current_item_id()
        if item_id is None or not 0 <= row + delta < self.items.rowCount():
            return
        if self._run(lambda: self._checklists.move_template_item(item_id, row + delta) or True):
            self._show_template()
            self.items.setCurrentCell(row + delta, self.COL_TEXT)

    def set_target(self, row: int, op: str | None, value: str, unit: str = "") -> None:
        """Fill a row's target as the user would (the op's combo, then the cells)."""
        combo = self.items.cellWidget(row, self.COL_OP)
        self._loading = True
        try:
            combo.setCurrentIndex(max(combo.findData(op), 0))
            self.items.item(row, self.COL_VALUE).setText(value)
            self.items.item(row, self.COL_UNIT).setText(unit)
        finally:
            self._loading = False
        self._save_target(row)

    # ---- Internals ----------------------------------------------------------------------------

    def _fill(self, select: str | None = None) -> None:
        current = select or (
            self.list.currentItem().data(Qt.ItemDataRole.UserRole)
            if self.list.currentItem()
            else None
        )
        self.list.blockSignals(True)
        self.list.clear()
        for template in collated(self._checklists.templates(), key=lambda t: t.name):
            item = QListWidgetItem(f"{template.name}（{len(template.items)} 项）")
            item.setData(Qt.ItemDataRole.UserRole, template.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if current:
            self.select(current)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._show_template()

    def _show_template(self) -> None:
        template = self.current()
        has = template is not None
        if template is not None and self.list.currentItem() is not None:
            self.list.currentItem().setText(f"{template.name}（{len(template.items)} 项）")
        for widget in (
            self.name,
            self.note,
            self.items,
            self.add_item_button,
            self.remove_item_button,
            self.up_button,
            self.down_button,
            self.delete_button,
        ):
            widget.setEnabled(has)
        self._loading = True
        try:
            self.name.setText(template.name if template else "")
            self.note.setText(template.note if template else "")
            self.items.setRowCount(0)
            for item in template.items if template else ():
                row = self.items.rowCount()
                self.items.insertRow(row)
                text = QTableWidgetItem(item.text)
                text.setData(Qt.ItemDataRole.UserRole, item.id)
                self.items.setItem(row, self.COL_TEXT, text)
                combo = QComboBox()
                combo.addItem(NO_TARGET, None)
                for op, symbol in OP_SYMBOLS.items():
                    combo.addItem(symbol, op)
                combo.setCurrentIndex(max(combo.findData(item.op), 0))
                combo.currentIndexChanged.connect(lambda _i, row=row: self._save_target(row))
                self.items.setCellWidget(row, self.COL_OP, combo)
                value = "" if item.value is None else format_number(item.value)
                self.items.setItem(row, self.COL_VALUE, QTableWidgetItem(value))
                self.items.setItem(row, self.COL_UNIT, QTableWidgetItem(item.unit))
        finally:
            self._loading = False

    def _current_item_id(self) -> str | None:
        item = self.items.item(self.items.currentRow(), self.COL_TEXT)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _rename(self) -> None:
        template = self.current()
        if template is None or self._loading or self.name.text().strip() == template.name:
            return
        if self._run(lambda: self._checklists.rename_template(template.id, self.name.text()) or 1):
            self._fill(template.id)

    def _save_note(self) -> None:
        template = self.current()
        if template is None or self._loading or self.note.text().strip() == template.note:
            return
        self._run(lambda: self._checklists.set_template_note(template.id, self.note.text()) or 1)

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        row = item.row()
        if item.column() == self.COL_TEXT:
            item_id = item.data(Qt.ItemDataRole.UserRole)
            self._run(lambda: self._checklists.set_template_item_text(item_id, item.text()) or 1)
        else:
            self._save_target(row)

    def _save_target(self, row: int) -> None:
        if self._loading:
            return
        text_item = self.items.item(row, self.COL_TEXT)
        item_id = text_item.data(Qt.ItemDataRole.UserRole)
        op = self.items.cellWidget(row, self.COL_OP).currentData()
        value_text = self.items.item(row, self.COL_VALUE).text().strip()
        unit = self.items.item(row, self.COL_UNIT).text().strip()
        if op is None and not value_text:
            checklists = self._checklists
            self._run(lambda: checklists.set_template_item_target(item_id, None, None, unit) or 1)
            return
        try:
            value = float(value_text) if value_text else None
        except ValueError:
            self._say(f"第 {row + 1} 项的目标值“{value_text}”不是数字，请填写数字（如 20、0.5）。")
            return
        if op is None or value is None:
            self._say(f"第 {row + 1} 项：目标的比较方式和数值要一起填写（例如 ≤ 20），或都不填。")
            return
        self._run(lambda: self._checklists.set_template_item_target(item_id, op, value, unit) or 1)

    def _run(self, action):
        try:
            result = action()
        except WriteError as error:
            self._say(str(error))
            return None
        self._say("")
        return result

    def _say(self, text: str, *, error: bool = True) -> None:
        self.error.setText(text)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}" if error else "color: #5f6368")
