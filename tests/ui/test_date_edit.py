"""The one date editor, used the way people use it: select all, type, Tab, pick from a calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLineEdit, QToolButton, QVBoxLayout, QWidget

from ui.dialogs.completion import CompletionDialog
from ui.dialogs.target_actual import TargetActualDialog
from ui.widgets.dates import DateEdit, date_edit, date_problems

CTRL = Qt.KeyboardModifier.ControlModifier
START = date(2025, 5, 20)


@pytest.fixture
def edit(qtbot) -> Iterator[DateEdit]:
    """A date field and a text field after it, in a shown window."""
    form = QWidget()
    layout = QVBoxLayout(form)
    edit = date_edit(START)
    layout.addWidget(edit)
    layout.addWidget(QLineEdit())
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    yield edit  # (the generator keeps the window alive)


def _retype(qtbot, widget: QWidget, text: str) -> None:
    """Click into the field, select everything, type over it."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.keyClick(widget, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(widget, text)


@pytest.mark.parametrize(
    "typed", ["2021-07-01", "2021-7-1", "2021.7.1", "2021/7/1", "20210701", "2021.07.01"]
)
def test_select_all_and_type_a_whole_date(qtbot, edit: DateEdit, typed: str) -> None:
    _retype(qtbot, edit, typed)
    assert edit.date() == QDate(2021, 7, 1)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "2021-07-01"  # shown the one way once typing is done
    assert edit.shown_problem() is None


def test_a_date_typed_the_chinese_way(qtbot, edit: DateEdit) -> None:
    # QTest cannot type CJK characters: insert() is what an input method ends with.
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    edit.insert("2021年7月1日")
    assert edit.date() == QDate(2021, 7, 1)


def test_the_date_follows_the_typing_and_tells_once(qtbot, edit: DateEdit) -> None:
    with qtbot.waitSignals([edit.dateChanged, edit.sig_date_edited], timeout=1000):
        _retype(qtbot, edit, "20210701")
    changes: list[QDate] = []
    edit.dateChanged.connect(changes.append)
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # tidying the text is not a change
    assert changes == []


def test_text_that_is_not_a_date_is_shown_as_such_and_never_replaced(qtbot, edit) -> None:
    _retype(qtbot, edit, "2021-02-30")
    assert edit.date() == QDate(2025, 5, 20)  # the last good date, not a guess
    assert edit.shown_problem() is None  # no red while still typing
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.text() == "2021-02-30"  # left as typed
    assert "2021年2月只有 28 天" in edit.shown_problem()
    assert "2021年2月只有 28 天" in edit.toolTip()
    assert "border" in edit.styleSheet()
    # Fixing it clears the red at once.
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_End)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, "28")
    assert edit.date() == QDate(2021, 2, 28)
    assert edit.shown_problem() is None and edit.styleSheet() == ""


def test_a_form_finds_its_fields_that_are_not_dates(qtbot) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    good, bad, off = DateEdit(START, form), DateEdit(START, form), DateEdit(START, form)
    bad.setText("2021-7")
    off.setText("nonsense")
    off.setEnabled(False)  # e.g. 撤销完成 ticked: its date does not count
    assert [(edit, "不是日期" in why) for edit, why in date_problems(form)] == [(bad, True)]
    assert good.problem() is None


def test_a_date_past_the_maximum_is_refused_not_clamped(qtbot, edit: DateEdit) -> None:
    edit.setMaximumDate(QDate(2025, 6, 1))
    _retype(qtbot, edit, "2025-06-15")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "2025-06-15" and edit.date() == QDate(2025, 5, 20)
    assert "不能晚于 2025-06-01" in edit.shown_problem()


def test_emptied_field_asks_for_a_date(qtbot, edit: DateEdit) -> None:
    _retype(qtbot, edit, "")
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert "请填写日期" in edit.shown_problem()


def test_up_and_down_step_a_day_page_keys_a_month(qtbot, edit: DateEdit) -> None:
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert edit.date() == QDate(2025, 5, 21)
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert edit.date() == QDate(2025, 5, 19)
    edit.setDate(QDate(2025, 1, 31))
    qtbot.keyClick(edit, Qt.Key.Key_PageUp)
    assert edit.date() == QDate(2025, 2, 28)  # the month's last day, not 3 March


def test_the_calendar_opens_from_its_button_and_picks_a_day(qtbot, edit: DateEdit) -> None:
    [button] = [b for b in edit.findChildren(QToolButton) if b.isVisible()]
    assert button.focusPolicy() == Qt.FocusPolicy.NoFocus  # Tab never stops on it
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    calendar = edit.calendar()
    assert calendar is not None and calendar.isVisible()
    assert calendar.selectedDate() == QDate(2025, 5, 20)
    calendar.setSelectedDate(QDate(2025, 5, 3))
    with qtbot.waitSignal(edit.sig_date_edited, timeout=1000):
        qtbot.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Return)
    assert edit.date() == QDate(2025, 5, 3) and edit.text() == "2025-05-03"
    assert not calendar.isVisible()


def test_alt_down_opens_the_calendar_and_escape_closes_it(qtbot, edit: DateEdit) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = edit.calendar()
    assert calendar is not None and calendar.isVisible()
    qtbot.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Escape)
    assert not calendar.isVisible() and edit.date() == QDate(2025, 5, 20)


def test_the_factory_keeps_what_callers_of_qdateedit_use(qtbot) -> None:
    edit = date_edit(date(2021, 7, 1))
    qtbot.addWidget(edit)
    assert isinstance(edit, QLineEdit) and edit.date().toPython() == date(2021, 7, 1)
    seen: list[QDate] = []
    edit.dateChanged.connect(seen.append)
    edit.setDate(QDate(2021, 7, 2))
    edit.setDate(date(2021, 7, 2))
    assert seen == [QDate(2021, 7, 2)]
    edit.setMaximumDate(QDate(2021, 7, 1))  # a programmatic limit clamps, as QDateEdit did
    assert edit.date() == QDate(2021, 7, 1) and edit.maximumDate() == QDate(2021, 7, 1)
    edit.setToolTip("报回表的收到日期")
    assert "报回表的收到日期" in edit.toolTip()


# ---- In the dialogs (the record form's dates: tests/ui/test_record_form.py) ---------------------


def _shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def test_a_completion_date_that_is_not_one_is_refused(qtbot) -> None:
    items = [("milestones", "m1", "6月底前", None)]
    dialog = _shown(qtbot, CompletionDialog(items, date(2021, 9, 30)))
    _retype(qtbot, dialog.on_date, "2021-09-31")
    dialog.accept()
    assert dialog.result() == 0 and "完成日期" in dialog.error_text()
    qtbot.keyClick(dialog.on_date, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.on_date, "0")
    assert dialog.error_text() == ""
    dialog.accept()
    assert dialog.result() == 1 and dialog.chosen() == ("milestones", "m1", date(2021, 9, 30))


def test_a_target_value_date_that_is_not_one_is_refused(qtbot) -> None:
    dialog = _shown(qtbot, TargetActualDialog([], date(2021, 9, 30)))
    _retype(qtbot, dialog.measured_on, "end of 9")
    dialog.accept()
    assert dialog.result() == 0 and "不是日期" in dialog.error_text()
    _retype(qtbot, dialog.measured_on, "2021/9/29")
    assert dialog.error_text() == ""
    dialog.accept()
    assert dialog.result() == 1 and dialog.chosen()[2] == date(2021, 9, 29)
