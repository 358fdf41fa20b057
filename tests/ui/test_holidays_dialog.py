"""节假日安排 dialog: entering a year chinese-calendar does not know yet (2027)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.domain.workdays import KNOWN_YEARS
from app.services.calendar import HolidayTable
from app.services.context import Services
from ui.dialogs.holidays import HolidaysDialog

TODAY = date(2026, 11, 24)  # 2026 is the package's last year, 2027 not yet known
WARNING_2027 = (
    "2027年的法定节假日安排尚未录入，工作日暂按周末计算。国务院每年11月前后公布次年安排。"
)


@pytest.fixture
def table(services: Services) -> HolidayTable:
    return HolidayTable(services.repository)


@pytest.fixture
def dialog(qtbot, table: HolidayTable) -> HolidaysDialog:
    widget = HolidaysDialog(table, clock=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_next_year_is_flagged_until_the_office_enters_its_holidays(
    dialog: HolidaysDialog, table: HolidayTable
) -> None:
    assert 2026 in KNOWN_YEARS and 2027 not in KNOWN_YEARS
    assert dialog.listed() == []
    assert dialog.warning_text() == WARNING_2027
    assert dialog.confirmed_years_text() == (
        f"已确认节假日安排的年份：{KNOWN_YEARS.start}–2026年（系统内置）。"
    )
    assert dialog.start_edit.date().toPython() == date(2027, 1, 1)  # suggested

    # A 调休 working Saturday alone does not confirm the year.
    dialog.set_form(date(2027, 2, 20), "workday", "春节调休上班")
    dialog.add_button.click()
    assert dialog.listed() == [(date(2027, 2, 20), "调休上班", "春节调休上班")]
    assert table.calendar().is_workday(date(2027, 2, 20))
    assert dialog.warning_text() == WARNING_2027

    # A holiday does.
    dialog.set_form(date(2027, 1, 1), "holiday")
    dialog.note_edit.setText("元旦")
    assert "目前按工作日计算" in dialog.hint.text()  # a Friday
    dialog.add_button.click()
    assert dialog.listed() == [
        (date(2027, 1, 1), "放假", "元旦"),
        (date(2027, 2, 20), "调休上班", "春节调休上班"),
    ]
    assert not table.calendar().is_workday(date(2027, 1, 1))
    assert dialog.warning_text() == "" and dialog.warning_label.isHidden()
    assert "2027年（本单位录入）" in dialog.confirmed_years_text()
    assert dialog.entries_table.item(0, dialog.COL_WEEKDAY).text() == "周五"

    # Removing the only holiday brings the warning back; the workday stays.
    dialog.select_days(date(2027, 1, 1))
    assert dialog.remove_button.isEnabled()
    dialog.remove_button.click()
    assert dialog.listed() == [(date(2027, 2, 20), "调休上班", "春节调休上班")]
    assert [entry[1] for entry in table.entries()] == [date(2027, 2, 20)]
    assert table.calendar().is_workday(date(2027, 1, 1))
    assert dialog.warning_text() == WARNING_2027


def test_a_range_is_entered_day_by_day_and_an_entered_day_can_be_changed(
    qtbot, dialog: HolidaysDialog, table: HolidayTable
) -> None:
    dialog.set_form(date(2027, 2, 6), "holiday", "春节", end=date(2027, 2, 12))
    assert dialog.add_button.text() == "添加 7 天(&A)"
    dialog.add_button.click()
    spring = [(date(2027, 2, day), "放假", "春节") for day in range(6, 13)]
    assert dialog.listed() == spring
    assert len(dialog.selected_days()) == 7

    # Moving the start keeps the length of the range.
    dialog.start_edit.setDate(dialog.start_edit.date().addDays(1))
    assert dialog.end_edit.date().toPython() == date(2027, 2, 13)

    # Selecting one day puts it in the form; Enter in the note saves the change in place.
    dialog.select_days(date(2027, 2, 12))
    assert dialog.start_edit.date().toPython() == date(2027, 2, 12)
    assert dialog.end_edit.date().toPython() == date(2027, 2, 12)
    assert "已录入为“放假：春节”" in dialog.hint.text()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("workday"))
    dialog.note_edit.setText("春节调休上班")
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return)
    assert dialog.listed()[-1] == (date(2027, 2, 12), "调休上班", "春节调休上班")
    assert len(table.entries()) == 7

    # Delete while typing in the note edits the note, not the list.
    dialog.select_days(date(2027, 2, 6))
    dialog.note_edit.setFocus()
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Delete)
    assert len(dialog.listed()) == 7
    dialog.entries_table.setFocus()
    qtbot.keyClick(dialog.entries_table, Qt.Key.Key_Delete)
    assert dialog.listed()[0][0] == date(2027, 2, 7)
    assert len(table.entries()) == 6
