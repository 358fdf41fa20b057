"""部门名录: review the department names the plans used; merge, split, rename, mark groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.storage import WriteError
from ui.widgets.sorting import CollatedItem

if TYPE_CHECKING:
    from app.services.departments import DepartmentDirectory, DepartmentInfo


class DepartmentsDialog(QDialog):
    COL_NAME, COL_ALIASES, COL_KIND, COL_LEAD, COL_RESPONSIBLE, COL_COOPERATING = range(6)

    def __init__(self, directory: DepartmentDirectory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("部门名录")
        self.resize(900, 600)
        self._directory = directory
        self._infos: list[DepartmentInfo] = []

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("按名称或别名筛选")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["名称", "别名", "类型", "牵头", "责任", "配合"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.COL_NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_ALIASES, QHeaderView.ResizeMode.Stretch)
        # Opens A→Z by name (pinyin), and the header's arrow says so.
        header.setSortIndicator(self.COL_NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.merge_button = QPushButton("合并(&M)…")
        self.merge_button.setToolTip("选中两个名称，把它们合并为同一个部门")
        self.merge_button.clicked.connect(self.merge_selected)
        self.split_button = QPushButton("拆分别名(&S)…")
        self.split_button.setToolTip("把一个别名拆出来，作为单独的部门")
        self.split_button.clicked.connect(self.split_selected)
        self.rename_button = QPushButton("改名(&R)…")
        self.rename_button.clicked.connect(self.rename_selected)
        self.group_button = QPushButton("标为泛指(&G)")
        self.group_button.setToolTip("“各镇街”“市直相关部门”等泛指多个单位的名称")
        self.group_button.clicked.connect(self.toggle_group)
        buttons = QHBoxLayout()
        for button in (self.merge_button, self.split_button, self.rename_button, self.group_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.summary = QLabel()

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(close)
        self.refresh()

    # ---- Public API -------------------------------------------------------------------------

    def refresh(self) -> None:
        self._infos = self._directory.list()
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self._infos))
        for row, info in enumerate(self._infos):
            values = [
                info.name,
                "、".join(info.aliases),
                "泛指" if info.is_group else "部门",
                info.lead,
                info.responsible,
                info.cooperating,
            ]
            for column, value in enumerate(values):
                item = CollatedItem(value)
                if column == self.COL_NAME:
                    item.setData(Qt.ItemDataRole.UserRole, info.id)
                self.table.setItem(row, column, item)
        self.table.setSortingEnabled(True)
        self.summary.setText(f"共 {len(self._infos)} 个名称。")
        self._apply_filter(self.filter.text())
        self._update_buttons()

    def select_names(self, *names: str) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            if self.table.item(row, self.COL_NAME).text() in names:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def selected(self) -> list[DepartmentInfo]:
        ids = {
            self.table.item(index.row(), self.COL_NAME).data(Qt.ItemDataRole.UserRole)
            for index in self.table.selectionModel().selectedRows()
        }
        return [info for info in self._infos if info.id in ids]

    def merge_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 2:
            QMessageBox.information(self, "合并", "请先选中要合并的两个名称（按住 Ctrl 单击）。")
            return
        names = [info.name for info in chosen]
        keep_name, ok = QInputDialog.getItem(
            self, "合并", "合并后保留哪个名称？另一个将作为别名保留。", names, 0, False
        )
        if not ok:
            return
        keep = chosen[names.index(keep_name)]
        other = chosen[1 - names.index(keep_name)]
        self._run(lambda: self._directory.merge(keep.id, other.id))

    def split_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1 or not chosen[0].aliases:
            QMessageBox.information(self, "拆分", "请选中一个有别名的部门。")
            return
        alias, ok = QInputDialog.getItem(
            self, "拆分别名", "把哪个别名拆为单独的部门？", list(chosen[0].aliases), 0, False
        )
        if ok:
            self._run(lambda: self._directory.split(chosen[0].id, alias))

    def rename_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        name, ok = QInputDialog.getText(
            self, "改名", "新的规范名称（原名称将作为别名保留）：", text=chosen[0].name
        )
        if ok:
            self._run(lambda: self._directory.rename(chosen[0].id, name))

    def toggle_group(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            info = chosen[0]
            self._run(lambda: self._directory.set_group(info.id, not info.is_group))

    # ---- Internals ----------------------------------------------------------------------------

    def _run(self, change) -> None:
        try:
            change()
        except WriteError as error:
            QMessageBox.warning(self, "无法修改", str(error))
        self.refresh()

    def _apply_filter(self, text: str) -> None:
        text = text.strip()
        for row in range(self.table.rowCount()):
            name = self.table.item(row, self.COL_NAME).text()
            aliases = self.table.item(row, self.COL_ALIASES).text()
            self.table.setRowHidden(row, bool(text) and text not in name and text not in aliases)

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.merge_button.setEnabled(len(chosen) == 2)
        self.split_button.setEnabled(len(chosen) == 1 and bool(chosen[0].aliases))
        self.rename_button.setEnabled(len(chosen) == 1)
        self.group_button.setEnabled(len(chosen) == 1)
        if len(chosen) == 1:
            self.group_button.setText("取消泛指(&G)" if chosen[0].is_group else "标为泛指(&G)")
