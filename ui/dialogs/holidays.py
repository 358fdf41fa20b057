"""节假日安排: the office's own holiday schedule, for years chinese-calendar does not know.

The State Council publishes the next year's 放假 and 调休上班 days around November; until the
package knows that year the office enters them here. A year counts as confirmed once the
package knows it or the office has entered at least one 放假 day for it; the dialog warns about
this year and next year while they are not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGroupBox,
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

from app.domain.workdays import KNOWN_YEARS, WorkCalendar
from app.storage import WriteError
from ui.widgets.dates import date_edit, to_qdate

if TYPE_CHECKING:
    from app.services.calendar import HolidayTable

KIND_LABELS = {"holiday": "放假", "workday": "调休上班"}
KIND_COLOURS = {"holiday": ("#9c1c1c", "#fbe3e3"), "workday": ("#1d4a8f", "#dfe9fb")}
WEEKDAYS = "一二三四五六日"
MAX_RANGE_DAYS = 31
WARNING_STYLE = (
    "QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e8c96a;"
    " border-radius: 4px; padding: 6px; }"
)


def unconfirmed_warning(years: list[int]) -> str:
    if not years:
        return ""
    names = "、".join(f"{year}年" for year in years)
    return f"{names}的法定节假日安排尚未录入，工作日暂按周末计算。国务院每年11月前后公布次年安排。"


class HolidaysDialog(QDialog):
    COL_DAY, COL_WEEKDAY, COL_KIND, COL_NOTE = range(4)

    def __init__(
        self,
        table: HolidayTable,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("节假日安排")
        self.resize(760, 620)
        self._table = table
        self._clock = clock
        self._entries: list[tuple[str, date, str, str]] = []
        self._calendar = WorkCalendar()
        self._range_days = 0  # end − start, kept when the start date moves

        intro = QLabel(
            f"系统内置的节假日数据只到 {KNOWN_YEARS.stop - 1} 年。之后年份的放假和调休上班日，"
            "请按国务院办公厅的通知在此录入；计算工作日时以此为准。"
        )
        intro.setWordWrap(True)
        self.confirmed_label = QLabel()
        self.confirmed_label.setWordWrap(True)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)

        self.entries_table = QTableWidget(0, 4)
        self.entries_table.setHorizontalHeaderLabels(["日期", "星期", "类型", "说明"])
        self.entries_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.entries_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.entries_table.verticalHeader().setVisible(False)
        header = self.entries_table.horizontalHeader()
        header.setMinimumSectionSize(64)
        for column in (self.COL_DAY, self.COL_WEEKDAY, self.COL_KIND):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_NOTE, QHeaderView.ResizeMode.Stretch)
        self.entries_table.itemSelectionChanged.connect(self._on_selection)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.entries_table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)  # not while typing a note
        delete.activated.connect(self.remove_selected)

        # The add / change form.
        start = self._suggested_day()
        self.start_edit = date_edit(start)
        self.end_edit = date_edit(start)
        self.start_edit.dateChanged.connect(self._on_start_changed)
        self.end_edit.dateChanged.connect(self._on_end_changed)
        self.kind_combo = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("例如 春节")
        self.note_edit.returnPressed.connect(self.add)
        self.add_button = QPushButton("添加(&A)")
        self.add_button.clicked.connect(self.add)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        row = QHBoxLayout()
        row.addWidget(QLabel("日期"))
        row.addWidget(self.start_edit)
        row.addWidget(QLabel("至"))
        row.addWidget(self.end_edit)
        row.addSpacing(8)
        row.addWidget(QLabel("类型"))
        row.addWidget(self.kind_combo)
        row.addSpacing(8)
        row.addWidget(QLabel("说明"))
        row.addWidget(self.note_edit, 1)
        row.addWidget(self.add_button)
        form_box = QGroupBox("添加或修改（已录入的日期会被覆盖）")
        form_layout = QVBoxLayout(form_box)
        form_layout.addLayout(row)
        form_layout.addWidget(self.hint)

        self.remove_button = QPushButton("删除所选(&D)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.status = QLabel()
        self.close_button = QPushButton("关闭")
        self.close_button.clicked.connect(self.reject)
        for button in (self.add_button, self.remove_button, self.close_button):
            button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.confirmed_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.entries_table, 1)
        layout.addWidget(form_box)
        layout.addLayout(bottom)
        self.refresh()

    # ---- Public API -------------------------------------------------------------------------

    def refresh(self) -> None:
        self._entries = self._table.entries()
        self._calendar = self._table.calendar()
        self.entries_table.setRowCount(len(self._entries))
        for row, (_id, day, kind, note) in enumerate(self._entries):
            values = [day.isoformat(), f"周{WEEKDAYS[day.weekday()]}", KIND_LABELS[kind], note]
            for column, value in enumerate(values):
                self.entries_table.setItem(row, column, QTableWidgetItem(value))
            foreground, background = KIND_COLOURS[kind]
            kind_item = self.entries_table.item(row, self.COL_KIND)
            kind_item.setForeground(QBrush(QColor(foreground)))
            kind_item.setBackground(QBrush(QColor(background)))
        self._show_years()
        self._on_selection()
        self._show_hint()

    def confirmed_years_text(self) -> str:
        return self.confirmed_label.text()

    def warning_text(self) -> str:
        return "" if self.warning_label.isHidden() else self.warning_label.text()

    def unconfirmed_years(self) -> list[int]:
        """This year and next year, where neither the package nor the office knows them."""
        year = self._clock().year
        return [y for y in (year, year + 1) if not self._calendar.is_confirmed(y)]

    def listed(self) -> list[tuple[date, str, str]]:
        """(day, type label, note) as the table shows them."""
        return [
            (
                date.fromisoformat(self.entries_table.item(row, self.COL_DAY).text()),
                self.entries_table.item(row, self.COL_KIND).text(),
                self.entries_table.item(row, self.COL_NOTE).text(),
            )
            for row in range(self.entries_table.rowCount())
        ]

    def set_form(self, start: date, kind: str, note: str = "", end: date | None = None) -> None:
        self.start_edit.setDate(to_qdate(start))
        self.end_edit.setDate(to_qdate(end or start))
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.note_edit.setText(note)

    def add(self) -> None:
        """Enter the form's days (start to end) with its type and note."""
        start, end = self._range()
        kind = self.kind_combo.currentData()
        note = self.note_edit.text().strip()
        days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
        if len(days) > MAX_RANGE_DAYS:
            QMessageBox.information(
                self, "日期范围过长", f"一次最多录入 {MAX_RANGE_DAYS} 天，请缩小日期范围。"
            )
            return
        try:
            with self._table.repo.transaction():  # a range goes in whole or not at all
                for day in days:
                    self._table.set_day(day, kind, note)
        except WriteError as error:
            QMessageBox.warning(self, "无法保存", str(error))
            return
        self.refresh()
        what = f"{start.isoformat()}" + (f" 至 {end.isoformat()}" if end > start else "")
        self.status.setText(f"已录入 {what}：{KIND_LABELS[kind]}" + (f"（{note}）" if note else ""))
        self.select_days(*days)

    def select_days(self, *days: date) -> None:
        wanted = {day.isoformat() for day in days}
        self.entries_table.blockSignals(True)  # one update at the end, not one per row
        self.entries_table.clearSelection()
        mode = self.entries_table.selectionMode()
        self.entries_table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.entries_table.rowCount()):
            if self.entries_table.item(row, self.COL_DAY).text() in wanted:
                self.entries_table.selectRow(row)
        self.entries_table.setSelectionMode(mode)
        self.entries_table.blockSignals(False)
        self._on_selection()

    def selected_days(self) -> list[date]:
        return sorted(
            date.fromisoformat(self.entries_table.item(index.row(), self.COL_DAY).text())
            for index in self.entries_table.selectionModel().selectedRows()
        )

    def remove_selected(self) -> None:
        days = self.selected_days()
        if not days:
            return
        try:
            with self._table.repo.transaction():
                for day in days:
                    self._table.remove_day(day)
        except WriteError as error:
            QMessageBox.warning(self, "无法删除", str(error))
            return
        self.refresh()
        self.status.setText(
            f"已删除 {len(days)} 天："
            + "、".join(day.isoformat() for day in days[:5])
            + ("等" if len(days) > 5 else "")
        )

    # ---- Internals ----------------------------------------------------------------------------

    def _suggested_day(self) -> date:
        """1 January of the first year after the package's range that is not past."""
        year = max(self._clock().year + 1, KNOWN_YEARS.stop)
        return date(year, 1, 1)

    def _range(self) -> tuple[date, date]:
        start = self.start_edit.date().toPython()
        end = self.end_edit.date().toPython()
        return start, max(start, end)

    def _show_years(self) -> None:
        office = sorted(
            {day.year for _id, day, kind, _note in self._entries if kind == "holiday"}
            - set(KNOWN_YEARS)
        )
        text = f"已确认节假日安排的年份：{KNOWN_YEARS.start}–{KNOWN_YEARS.stop - 1}年（系统内置）"
        if office:
            text += "，" + "、".join(f"{year}年" for year in office) + "（本单位录入）"
        self.confirmed_label.setText(text + "。")
        warning = unconfirmed_warning(self.unconfirmed_years())
        self.warning_label.setText(warning)
        self.warning_label.setVisible(bool(warning))

    def _on_selection(self) -> None:
        days = self.selected_days()
        self.remove_button.setEnabled(bool(days))
        if len(days) == 1:
            entry = next(e for e in self._entries if e[1] == days[0])
            self.set_form(entry[1], entry[2], entry[3])

    def _on_start_changed(self) -> None:
        start = self.start_edit.date().toPython()
        self.end_edit.blockSignals(True)
        self.end_edit.setDate(to_qdate(start + timedelta(days=self._range_days)))
        self.end_edit.blockSignals(False)
        self._show_hint()

    def _on_end_changed(self) -> None:
        start, end = self._range()
        if end != self.end_edit.date().toPython():  # before the start: follow it
            self.end_edit.setDate(to_qdate(start))
            return
        self._range_days = (end - start).days
        self._show_hint()

    def _show_hint(self) -> None:
        start, end = self._range()
        count = (end - start).days + 1
        self.add_button.setText(f"添加 {count} 天(&A)" if count > 1 else "添加(&A)")
        if count > 1:
            self.hint.setText(
                f"将录入 {start.isoformat()} 至 {end.isoformat()} 共 {count} 天，类型和说明相同。"
            )
            return
        state = "工作日" if self._calendar.is_workday(start) else "休息日"
        text = f"{start.isoformat()} 是星期{WEEKDAYS[start.weekday()]}，目前按{state}计算。"
        existing = next((e for e in self._entries if e[1] == start), None)
        if existing is not None:
            note = f"：{existing[3]}" if existing[3] else ""
            text += f"已录入为“{KIND_LABELS[existing[2]]}{note}”，添加将覆盖。"
        self.hint.setText(text)
