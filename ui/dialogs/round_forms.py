"""The 调度 dialog's smaller windows (new round, files already in the folder, import errors)
and shared helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.workdays import WorkCalendar
from ui.widgets.dates import date_edit, to_qdate
from ui.widgets.questions import confirm  # noqa: F401  (imported from here by rounds.py)

if TYPE_CHECKING:
    from app.services.progress import (
        ImportReport,
        ReplyStatus,
    )
    from app.services.progress.sheets_out import PlannedSheet

XLSX_FILTER = "Excel 填报表 (*.xlsx);;所有文件 (*)"
WEEKDAYS = "一二三四五六日"
DEFAULT_REPLY_WORKDAYS = 5

STATE_REPLIED = "已报回"
STATE_LATE = "逾期报回"
STATE_MISSING = "未报回"
# (text colour, background or None); explicit pairs stay readable under any palette.
REPLIED_COLOURS = ("#14602a", "#d9f2dc")
LATE_COLOURS = ("#7a3e00", "#ffe2bd")
OVERDUE_COLOURS = ("#9c1c1c", "#f8d7d7")
PENDING_COLOURS = ("#6b6b6b", None)
ERROR_COLOUR = "#b3261e"


def day_text(day: date | None, *, weekday: bool = False) -> str:
    if day is None:
        return ""
    return f"{day.isoformat()}（周{WEEKDAYS[day.weekday()]}）" if weekday else day.isoformat()


def reply_state(reply: ReplyStatus, due: date | None, today: date) -> tuple[str, tuple, int]:
    """Status text, colours, and a sort rank (the ones to chase first)."""
    if reply.missing:
        if due is not None and today > due:
            return STATE_MISSING, OVERDUE_COLOURS, 0
        return STATE_MISSING, PENDING_COLOURS, 1
    if reply.late:
        return STATE_LATE, LATE_COLOURS, 2
    return STATE_REPLIED, REPLIED_COLOURS, 3


class _SortItem(QTableWidgetItem):
    """Sorts by ``SORT_ROLE`` when set (status rank, dates), else by text."""

    SORT_ROLE = Qt.ItemDataRole.UserRole + 1

    def __lt__(self, other: QTableWidgetItem) -> bool:
        # Not super().__lt__: PySide dispatches it back here (endless recursion).
        mine, theirs = self.data(self.SORT_ROLE), other.data(self.SORT_ROLE)
        if mine is not None and theirs is not None:
            return mine < theirs
        return self.text() < other.text()


def _item(text: str, sort_key: object = None) -> QTableWidgetItem:
    item = _SortItem(text)
    if sort_key is not None:
        item.setData(_SortItem.SORT_ROLE, sort_key)
    return item


def _no_implicit_default(*buttons: QPushButton) -> None:
    """Enter must never press a button the user did not focus and activate with Space."""
    for button in buttons:
        button.setAutoDefault(False)
        button.setDefault(False)


# ---- 新建调度 -----------------------------------------------------------------------------------


class NewRoundDialog(QDialog):
    """Name, plan (a choice only when there are several) and reply deadline of a new round."""

    def __init__(
        self,
        plans: Sequence[tuple[str, str]],
        name: str,
        reply_due: date,
        today: date,
        taken: set[str],
        calendar: WorkCalendar,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("新建调度")
        self.setMinimumWidth(520)
        self._today = today
        self._taken = {n.strip() for n in taken}
        self._calendar = calendar

        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("例如 2021年7月调度")
        self.name_edit.textChanged.connect(self._validate)
        self.plan_combo = QComboBox()
        for plan_id, title in plans:
            self.plan_combo.addItem(title, plan_id)
        self.plan_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.plan_label = QLabel(plans[0][1] if plans else "")
        self.plan_label.setWordWrap(True)
        several = len(plans) > 1
        self.plan_combo.setVisible(several)
        self.plan_label.setVisible(not several)
        self.due_edit = date_edit(reply_due)
        self.due_edit.setMinimumDate(to_qdate(today))
        self.due_edit.dateChanged.connect(self._show_due_hint)
        self.due_hint = QLabel()
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_edit)
        due_row.addWidget(self.due_hint, 1)
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.problem.setWordWrap(True)

        form = QFormLayout()
        form.addRow("调度名称", self.name_edit)
        plan_field = QVBoxLayout()
        plan_field.addWidget(self.plan_combo)
        plan_field.addWidget(self.plan_label)
        form.addRow("实施方案", plan_field)
        form.addRow("报送截止", due_row)
        note = QLabel("创建后，点击“生成填报表…”为各责任部门生成进展填报表。")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("创建")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self._show_due_hint()
        self._validate()

    # ---- Public API -------------------------------------------------------------------------

    def values(self) -> tuple[str, str, date]:
        """(name, plan id, reply due)."""
        plan_id = self.plan_combo.currentData() or ""
        return self.name_edit.text().strip(), plan_id, self.due_edit.date().toPython()

    def accept(self) -> None:
        if self._problem():
            return
        super().accept()

    # ---- Internals ----------------------------------------------------------------------------

    def _problem(self) -> str:
        name = self.name_edit.text().strip()
        if not name:
            return "请填写调度名称。"
        if name in self._taken:
            return f"已有名为“{name}”的调度轮次，请换一个名称。"
        if self.plan_combo.currentData() is None:
            return "台账中还没有实施方案。"
        return ""

    def _validate(self) -> None:
        problem = self._problem()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok_button.setEnabled(not problem)

    def _show_due_hint(self) -> None:
        due = self.due_edit.date().toPython()
        workdays = self._calendar.workdays_between(self._today, due)
        text = f"星期{WEEKDAYS[due.weekday()]}，距今 {workdays} 个工作日"
        if not self._calendar.is_workday(due):
            text += "（当天不是工作日）"
        self.due_hint.setText(text)


# ---- Import errors ------------------------------------------------------------------------------


# ---- 生成填报表: files of the same names already in the folder -------------------------------


class ExistingFilesChoice(Enum):
    KEEP = "keep"  # keep them; the new sheets get new names
    OTHER_FOLDER = "other_folder"
    CANCEL = "cancel"


EXISTING_LISTED = 8  # names listed in the question; the rest are counted


class ExistingFilesBox(QMessageBox):
    """Asks what to do when the chosen folder holds files named like the new sheets: they may
    be departments' filled-in replies, so they are never overwritten."""

    def __init__(
        self,
        folder: Path,
        kept: Sequence[PlannedSheet],
        total: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            QMessageBox.Icon.Warning,
            "文件夹中已有同名文件",
            f"所选文件夹中已有 {len(kept)} 个与本轮填报表同名的文件，"
            "可能是各部门已报回的表格。这些文件不会被覆盖。",
            QMessageBox.StandardButton.NoButton,
            parent,
        )
        names = [f"• {sheet.wanted}" for sheet in kept[:EXISTING_LISTED]]
        if len(kept) > EXISTING_LISTED:
            names.append(f"…另有 {len(kept) - EXISTING_LISTED} 个")
        self.setInformativeText(
            f"文件夹：{folder}\n"
            + "\n".join(names)
            + f"\n\n可以保留这些文件，把 {len(kept)} 份新填报表另存为带“（2）”等编号的名称"
            f"（共生成 {total} 份）；也可以另选一个文件夹。"
        )
        self.keep_button = self.addButton(
            "保留原文件，新表另起名称", QMessageBox.ButtonRole.AcceptRole
        )
        self.other_button = self.addButton("另选文件夹…", QMessageBox.ButtonRole.ActionRole)
        self.cancel_button = self.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.other_button)
        self.setEscapeButton(self.cancel_button)

    def choice(self) -> ExistingFilesChoice:
        clicked = self.clickedButton()
        if clicked is self.keep_button:
            return ExistingFilesChoice.KEEP
        if clicked is self.other_button:
            return ExistingFilesChoice.OTHER_FOLDER
        return ExistingFilesChoice.CANCEL


def ask_existing_files(
    parent: QWidget, folder: Path, kept: Sequence[PlannedSheet], total: int
) -> ExistingFilesChoice:
    box = ExistingFilesBox(folder, kept, total, parent)
    box.exec()
    return box.choice()


class ImportErrorsDialog(QDialog):
    """Every issue of a refused batch, with where it is; nothing of the batch was imported."""

    COL_FILE, COL_SHEET, COL_ROW, COL_COLUMN, COL_REASON = range(5)
    HEADERS = ("文件", "工作表", "行", "列", "原因")

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("报回表有错误，未导入")
        self.resize(1000, 520)
        self.report = report
        errors = report.errors

        self.headline = QLabel(
            f"发现 {report.error_count} 处错误，本批 {len(report.files)} 个文件均未导入，"
            "台账没有任何改动。"
        )
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.headline.setWordWrap(True)
        bad = list(dict.fromkeys(issue.file for issue in errors))
        clean = [f.file for f in report.files if f.file not in bad]
        detail = f"有错误的文件：{'、'.join(bad)}。"
        if clean:
            detail += (
                f"\n其余 {len(clean)} 个文件没有发现错误，但一批文件要么全部导入、要么都不导入，"
                "所以也未导入；可以只选这些文件重新导入。"
            )
        detail += "\n请把下列问题告诉相关部门，改正后重新报送，再导入。"
        if report.unlisted_errors:
            detail += "\n" + report.unlisted_note()
        self.detail = QLabel(detail)
        self.detail.setWordWrap(True)

        self.table = QTableWidget(len(errors), len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        for row, issue in enumerate(errors):
            values = [issue.file, issue.sheet or "", "", issue.column or "", issue.reason]
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
            if issue.row is not None:
                self.table.item(row, self.COL_ROW).setData(Qt.ItemDataRole.DisplayRole, issue.row)
            self.table.item(row, self.COL_REASON).setToolTip(issue.reason)
        header = self.table.horizontalHeader()
        for column in (self.COL_FILE, self.COL_SHEET, self.COL_ROW, self.COL_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_REASON, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()

        copy = QPushButton("复制全部(&C)")
        copy.setToolTip("复制为表格文本，可粘贴到 Excel、微信或邮件中")
        copy.clicked.connect(self.copy_all)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        _no_implicit_default(copy, close)
        buttons = QHBoxLayout()
        buttons.addWidget(copy)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # ---- Public API -------------------------------------------------------------------------

    def rows(self) -> list[tuple[str, ...]]:
        return [
            tuple(self.table.item(row, column).text() for column in range(len(self.HEADERS)))
            for row in range(self.table.rowCount())
        ]

    def copy_all(self) -> None:
        lines = ["\t".join(self.HEADERS), *("\t".join(row) for row in self.rows())]
        QGuiApplication.clipboard().setText("\n".join(lines))


# ---- The rounds dialog --------------------------------------------------------------------------
