from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.domain.workdays import KNOWN_YEARS, WorkCalendar


def test_national_day_week_and_its_make_up_saturday() -> None:
    calendar = WorkCalendar()
    # 2021: 10-1..10-7 off; Sunday 9-26 and Saturday 10-9 are 调休 working days.
    assert not any(calendar.is_workday(date(2021, 10, d)) for d in range(1, 8))
    assert calendar.is_workday(date(2021, 9, 26))
    assert calendar.is_workday(date(2021, 10, 9))
    assert calendar.add_workdays(date(2021, 9, 30), 1) == date(2021, 10, 8)
    assert calendar.add_workdays(date(2021, 9, 30), 2) == date(2021, 10, 9)
    assert calendar.workdays_between(date(2021, 9, 30), date(2021, 10, 11)) == 3


def test_years_the_package_does_not_know_fall_back_to_weekends_and_are_flagged() -> None:
    calendar = WorkCalendar()
    assert 2027 not in KNOWN_YEARS
    assert not calendar.is_confirmed(2027)
    assert calendar.is_workday(date(2027, 1, 1))  # a Friday: only a weekday rule applies
    assert not calendar.is_workday(date(2027, 1, 2))
    assert calendar.unconfirmed_years([date(2026, 5, 1), date(2027, 3, 1), None]) == [2027]


def test_the_offices_entries_win_and_confirm_the_year() -> None:
    calendar = WorkCalendar(
        {
            date(2027, 1, 1): False,
            date(2027, 1, 4): False,
            date(2026, 12, 31): False,
            date(2027, 1, 9): True,
        }
    )
    assert calendar.is_confirmed(2027)
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 1, 9))  # a Saturday made a working day
    assert not calendar.is_workday(date(2026, 12, 31))
    assert calendar.add_workdays(date(2026, 12, 30), 1) == date(2027, 1, 5)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=0, max_value=30),
)
def test_adding_working_days_lands_on_a_working_day_the_right_distance_away(start, count):
    calendar = WorkCalendar()
    end = calendar.add_workdays(start, count)
    assert calendar.workdays_between(start, end) == count
    if count:
        assert calendar.is_workday(end)
