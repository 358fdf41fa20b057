"""The app's one date editor: type a date in full, or pick it from a calendar.

``DateEdit`` is a QLineEdit, not a QDateEdit. A QDateEdit edits a date section by section: after
select-all its typing lands in one section and the rest is "fixed up" (2021-07-01 became
2026-07-01), Tab walks its year/month/day sections before leaving, and it can only ever hold a
valid date, so a mistyped one is silently replaced. Plain text has none of those behaviours to
fight: the whole text is read by app/domain/dates.py (2021-07-01, 2021.7.1, 2021/7/1, 20210701,
2021年7月1日), Tab leaves the field in one step, and a text that is not a date stays on screen with
a red border and the reason as a tooltip — the date keeps its last good value meanwhile.

The part of QDateEdit's API the app uses is kept (``date``, ``setDate``, ``dateChanged``,
minimum/maximum), so ``date_edit(day)`` can stand in for the QDateEdit it used to return.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from functools import cache

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QLineEdit,
    QStyle,
    QStyleOptionFrame,
    QVBoxLayout,
    QWidget,
)

from app.domain.dates import EXAMPLE, is_complete_date_text, read_date

ERROR_COLOUR = "#d93025"  # a refused input: the field's border, the dialog's message
INVALID_STYLE = (
    f"QLineEdit {{ border: 1px solid {ERROR_COLOUR}; border-radius: 2px; background: #fff4f3; }}"
)


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def date_edit(day: date) -> DateEdit:
    """A date editor showing ``day`` (the factory every screen uses)."""
    return DateEdit(day)


def date_problems(parent: QWidget) -> list[tuple[DateEdit, str]]:
    """Every enabled date field under ``parent`` whose text is not an acceptable date, with why
    (each is marked red too): a dialog refuses to save while there is one."""
    found = []
    for edit in parent.findChildren(DateEdit):
        problem = edit.validate() if edit.isEnabled() else None
        if problem is not None:
            found.append((edit, problem))
    return found


class DateEdit(QLineEdit):
    """``dateChanged(QDate)``: the date changed, however (typing, the calendar, ``setDate``).
    ``sig_date_edited(QDate)``: the user changed it (typing, the calendar, Up/Down).

    A typed date takes effect (the signals fire) as soon as it cannot mean another date once
    more is typed — 2021-07-01, 20210701, 2021年7月1日 — and otherwise on Enter or leaving the
    field (2021.7.1 might be the start of 2021.7.15). ``date()`` always reads the text: the
    date it spells, or while it spells none, the last date that took effect. Up/Down step a
    day, PageUp/PageDown a month; Alt+Down or F4 opens the calendar."""

    dateChanged = Signal(QDate)
    sig_date_edited = Signal(QDate)

    def __init__(self, day: date | QDate | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._date = _py(day) if day is not None else date.today()
        self._minimum: date | None = None
        self._maximum: date | None = None
        self._shown_problem: str | None = None
        self._tip = ""
        self._popup: _CalendarPopup | None = None
        self.setPlaceholderText(f"如 {EXAMPLE}")
        self.calendar_action = QAction(_calendar_icon(), "选择日期（Alt+↓）", self)
        self.calendar_action.setToolTip("从日历中选择（Alt+↓）")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.textEdited.connect(self._typed)
        self.editingFinished.connect(self._finished)
        self.setText(self._date.isoformat())
        self._update_tip()

    # ---- QDateEdit's API, as the app uses it -------------------------------------------------

    def date(self) -> QDate:
        """The date the text spells; while it spells none, the last one it did."""
        return to_qdate(self.value())

    def setDate(self, day: QDate | date) -> None:
        self._set(self._clamp(_py(day)), edited=False)

    def minimumDate(self) -> QDate:
        return to_qdate(self._minimum or date.min)

    def maximumDate(self) -> QDate:
        return to_qdate(self._maximum or date.max)

    def setMinimumDate(self, day: QDate | date) -> None:
        self._minimum = _py(day)
        if self._maximum is not None and self._maximum < self._minimum:
            self._maximum = self._minimum
        self._set(self._clamp(self._date), edited=False)

    def setMaximumDate(self, day: QDate | date) -> None:
        self._maximum = _py(day)
        if self._minimum is not None and self._minimum > self._maximum:
            self._minimum = self._maximum
        self._set(self._clamp(self._date), edited=False)

    def setDateRange(self, minimum: QDate | date, maximum: QDate | date) -> None:
        self.setMinimumDate(minimum)
        self.setMaximumDate(maximum)

    def setToolTip(self, text: str) -> None:
        self._tip = text  # the caller's own hint; a problem is shown above it
        self._update_tip()

    # ---- Public API -------------------------------------------------------------------------

    def value(self) -> date:
        """``date()`` as a Python date."""
        return self._read(self.text())[0] or self._date

    def problem(self) -> str | None:
        """Why the text is not an acceptable date (Chinese), or None when it is one."""
        return self._read(self.text())[1]

    def validate(self) -> str | None:
        """``problem()``, also shown on the field (red border, tooltip) as leaving it would."""
        problem = self.problem()
        self._show_problem(problem)
        return problem

    def shown_problem(self) -> str | None:
        """The problem the field is showing (red border, tooltip), if any."""
        return self._shown_problem

    def show_calendar(self) -> None:
        if self._popup is None:
            self._popup = _CalendarPopup(self)
            self._popup.sig_chosen.connect(self._picked)
        self._popup.open_below(self, self.value(), self._minimum, self._maximum)

    def calendar(self) -> QCalendarWidget | None:
        """The popup's calendar once it has been opened (for tests and screenshots)."""
        return self._popup.calendar if self._popup is not None else None

    # ---- Qt ---------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        option = QStyleOptionFrame()
        self.initStyleOption(option)
        text = self.fontMetrics().horizontalAdvance("2021-07-01") + 12
        icon = self.fontMetrics().height() + 12  # the calendar button inside the field
        size = QSize(text + icon, hint.height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_LineEdit, option, size, self)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        alt = bool(modifiers & Qt.KeyboardModifier.AltModifier)
        if key == Qt.Key.Key_F4 or (alt and key == Qt.Key.Key_Down):
            self.show_calendar()
            return
        steps = {
            Qt.Key.Key_Up: (1, 0),
            Qt.Key.Key_Down: (-1, 0),
            Qt.Key.Key_PageUp: (0, 1),
            Qt.Key.Key_PageDown: (0, -1),
        }
        if key in steps and not alt:
            days, months = steps[key]
            start = self.value()
            try:
                day = _add_months(start, months) + timedelta(days=days)
            except (ValueError, OverflowError):  # past year 9999
                return
            self._set(self._clamp(day), edited=True)
            return
        super().keyPressEvent(event)

    # ---- Internals ----------------------------------------------------------------------------

    def _read(self, text: str) -> tuple[date | None, str | None]:
        try:
            day = read_date(text)
        except ValueError as error:
            return None, str(error)
        if self._minimum is not None and day < self._minimum:
            return None, f"日期不能早于 {_named(self._minimum)}。"
        if self._maximum is not None and day > self._maximum:
            return None, f"日期不能晚于 {_named(self._maximum)}。"
        return day, None

    def _typed(self, text: str) -> None:
        day, problem = self._read(text)
        if day is not None:
            self._show_problem(None)  # fixed: the red goes at once
            if is_complete_date_text(text):
                self._commit(day, edited=True)
        elif self._shown_problem is not None:
            self._show_problem(problem)  # still wrong: say what is wrong now

    def _finished(self) -> None:
        day, problem = self._read(self.text())
        self._show_problem(problem)
        if day is not None:
            if self.text() != day.isoformat():
                self.setText(day.isoformat())  # 2021.7.1 → 2021-07-01, once typing is done
            self._commit(day, edited=True)

    def _picked(self, day: date) -> None:
        self._set(day, edited=True)
        self.setFocus(Qt.FocusReason.PopupFocusReason)

    def _set(self, day: date, *, edited: bool) -> None:
        self._show_problem(None)
        if self.text() != day.isoformat():
            self.setText(day.isoformat())
        self._commit(day, edited=edited)

    def _commit(self, day: date, *, edited: bool) -> None:
        changed = day != self._date
        self._date = day
        if changed:
            self.dateChanged.emit(to_qdate(day))
        if edited and changed:
            self.sig_date_edited.emit(to_qdate(day))

    def _clamp(self, day: date) -> date:
        if self._minimum is not None and day < self._minimum:
            return self._minimum
        if self._maximum is not None and day > self._maximum:
            return self._maximum
        return day

    def _show_problem(self, problem: str | None) -> None:
        if problem == self._shown_problem:
            return
        self._shown_problem = problem
        self.setStyleSheet(INVALID_STYLE if problem else "")
        self._update_tip()

    def _update_tip(self) -> None:
        parts = [self._shown_problem or "", self._tip]
        if not self._shown_problem:
            parts.append(f"可直接输入日期，如 {EXAMPLE}、2021.7.1、20210701；Alt+↓ 打开日历")
        super().setToolTip("\n".join(part for part in parts if part))


class _CalendarPopup(QFrame):
    """The calendar under a DateEdit; a click or Enter picks the day, Esc closes it."""

    sig_chosen = Signal(object)  # a datetime.date

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget()
        self.calendar.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.clicked.connect(self._choose)
        self.calendar.activated.connect(self._choose)
        self.calendar.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.calendar)

    def open_below(
        self, owner: QWidget, day: date, minimum: date | None, maximum: date | None
    ) -> None:
        self.calendar.setDateRange(
            to_qdate(minimum or date(1900, 1, 1)), to_qdate(maximum or date(2999, 12, 31))
        )
        self.calendar.setSelectedDate(to_qdate(day))
        self.adjustSize()
        where = owner.mapToGlobal(QPoint(0, owner.height()))
        screen = owner.screen().availableGeometry()
        if where.y() + self.height() > screen.bottom():
            where.setY(owner.mapToGlobal(QPoint(0, 0)).y() - self.height())  # above instead
        where.setX(max(screen.left(), min(where.x(), screen.right() - self.width())))
        self.move(where)
        self.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.hide()
            return True
        return super().eventFilter(watched, event)

    def _choose(self, day: QDate) -> None:
        self.hide()
        self.sig_chosen.emit(day.toPython())


def _py(day: QDate | date) -> date:
    return day.toPython() if isinstance(day, QDate) else day


def _named(day: date) -> str:
    return f"今天（{day.isoformat()}）" if day == date.today() else day.isoformat()


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


@cache
def _calendar_icon() -> QIcon:
    """A small calendar page: drawn, so it looks the same on every platform."""
    icon = QIcon()
    for size in (16, 24, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        unit = size / 16
        ink = QColor("#5f6368")
        painter.setPen(QPen(ink, max(1.0, unit)))
        painter.drawRoundedRect(QRectF(2 * unit, 3 * unit, 12 * unit, 11 * unit), unit, unit)
        painter.fillRect(QRectF(2 * unit, 3 * unit, 12 * unit, 3 * unit), ink)
        for x in (5, 11):
            painter.drawLine(int(x * unit), int(1.5 * unit), int(x * unit), int(4 * unit))
        for row in range(2):
            for column in range(3):
                painter.fillRect(
                    QRectF((4.5 + 2.7 * column) * unit, (8 + 2.6 * row) * unit, 1.8 * unit, unit),
                    ink,
                )
        painter.end()
        icon.addPixmap(pixmap)
    return icon
