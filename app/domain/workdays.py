"""Working days in mainland China: public holidays and 调休 working weekends.

chinese-calendar knows the State Council's schedules for a fixed range of years (2004–2026 in
1.11.0) and raises for any other year. The office can enter a year's schedule itself (the State
Council publishes it around November); those entries win. For a year that neither knows, plain
weekends are used and the year is reported as unconfirmed so the UI can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from chinese_calendar.constants import holidays as _KNOWN_HOLIDAYS

KNOWN_YEARS = range(min(_KNOWN_HOLIDAYS).year, max(_KNOWN_HOLIDAYS).year + 1)


@lru_cache(maxsize=4096)
def _package_workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


class WorkCalendar:
    """``overrides`` maps a date to True (a working day) or False (a day off)."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._office_years = {day.year for day, working in self._overrides.items() if not working}

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        if day.year in KNOWN_YEARS:
            return _package_workday(day)
        return day.weekday() < 5

    def is_confirmed(self, year: int) -> bool:
        """True when the year's holidays are known (from the package or entered by the office)."""
        return year in KNOWN_YEARS or year in self._office_years

    def unconfirmed_years(self, days: Iterable[date | None]) -> list[int]:
        return sorted({d.year for d in days if d is not None and not self.is_confirmed(d.year)})

    def add_workdays(self, start: date, count: int) -> date:
        """The day ``count`` working days after ``start`` (``start`` itself when count is 0)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_workday(start + timedelta(days=offset))
        )
