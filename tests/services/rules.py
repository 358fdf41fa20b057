"""The ledger's written rules, restated plainly for tests to check the code against.

Nothing here calls the code under test: working days come from the State Council's published
schedules typed in below (and the office's own entries passed in), statuses and lights from the
rules as README and app/services/status.py's docstring state them:

- a milestone is done at the as-of date when it was completed on or before it; completed after
  its due date it is 逾期完成; an open dated milestone past its due date is 逾期 (red);
- an open dated milestone due within N working days (as-of day included) is yellow;
- a measure is done when all its milestones are (逾期完成 if any was late), a measure without
  milestones when its own completion date has come; otherwise 逾期 if any milestone is overdue,
  推进中 once a live progress report up to the as-of date says 推进中 or 已完成 (or a milestone
  is done), else 未开始; its light is the worst of its open milestones'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.ledger import FindingState, Light, Status

FIRST_DAY, LAST_DAY = date(2020, 12, 1), date(2022, 2, 28)  # the range the table covers


def _days(year: int, month: int, first: int, last: int) -> set[date]:
    return {date(year, month, day) for day in range(first, last + 1)}


# 国务院办公厅关于2021年、2022年部分节假日安排的通知 (the days off, and the 调休 working weekends).
DAYS_OFF = (
    _days(2021, 1, 1, 3)
    | _days(2021, 2, 11, 17)
    | _days(2021, 4, 3, 5)
    | _days(2021, 5, 1, 5)
    | _days(2021, 6, 12, 14)
    | _days(2021, 9, 19, 21)
    | _days(2021, 10, 1, 7)
    | _days(2022, 1, 1, 3)
    | {date(2022, 1, 31)}
    | _days(2022, 2, 1, 6)
)
WORKING_WEEKENDS = {
    date(2021, 2, 7),
    date(2021, 2, 20),
    date(2021, 4, 25),
    date(2021, 5, 8),
    date(2021, 9, 18),
    date(2021, 9, 26),
    date(2021, 10, 9),
    date(2022, 1, 29),
    date(2022, 1, 30),
}
# Days next to a holiday or a 调休 weekend: where working-day arithmetic goes wrong first.
AWKWARD_DAYS = sorted(
    {
        day + timedelta(days=shift)
        for day in DAYS_OFF | WORKING_WEEKENDS
        for shift in (-1, 0, 1)
        if FIRST_DAY <= day + timedelta(days=shift) <= LAST_DAY
    }
)


class Workdays:
    """Working days by the published schedule; ``office`` entries (day → working?) win."""

    def __init__(self, office: Mapping[date, bool] | None = None) -> None:
        self.office = dict(office or {})

    def working(self, day: date) -> bool:
        assert FIRST_DAY <= day <= LAST_DAY, f"{day} is outside the schedule typed in here"
        if day in self.office:
            return self.office[day]
        if day in DAYS_OFF:
            return False
        return day in WORKING_WEEKENDS or day.weekday() < 5

    def count_after(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        return sum(
            self.working(start + timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )

    def within(self, as_of: date, due: date, n: int) -> bool:
        """``due`` falls within N working days of ``as_of`` (the as-of day itself included)."""
        return as_of <= due and self.count_after(as_of, due) <= n

    def edges(self, due: date, n: int) -> list[date]:
        """As-of dates where the yellow limit falls on ``due`` or one working day either side:
        every day with N-1, N or N+1 working days between it and ``due``."""
        wanted = {n - 1, n, n + 1}
        return [
            due - timedelta(days=back)
            for back in range(0, 3 * n + 30)
            if due - timedelta(days=back) >= FIRST_DAY
            and self.count_after(due - timedelta(days=back), due) in wanted
        ]


@dataclass(frozen=True)
class Milestone:
    due: date | None
    kind: str  # date / recurring / ongoing / period
    completed_on: date | None


@dataclass(frozen=True)
class Report:
    state: str  # not_started / in_progress / done
    reported_on: date
    milestone: int | None  # index into the measure's milestones; None: the whole measure
    live: bool = True  # False: superseded by a correction (tombstoned)


def milestone_expectation(
    m: Milestone, as_of: date, n: int, days: Workdays, started: bool
) -> tuple[Status, Light]:
    if m.completed_on is not None and m.completed_on <= as_of:
        late = m.due is not None and m.completed_on > m.due
        return (Status.LATE_DONE if late else Status.DONE), Light.GREEN
    if m.kind == "date" and m.due is not None and m.due < as_of:
        return Status.OVERDUE, Light.RED
    status = Status.IN_PROGRESS if started else Status.NOT_STARTED
    if m.kind == "date" and m.due is not None and days.within(as_of, m.due, n):
        return status, Light.YELLOW
    return status, Light.GREEN


def counts_as_started(report: Report, as_of: date) -> bool:
    return report.live and report.reported_on <= as_of and report.state != "not_started"


def measure_expectation(
    milestones: list[Milestone],
    measure_done: date | None,
    reports: Iterable[Report],
    as_of: date,
    n: int,
    days: Workdays,
) -> tuple[Status, Light]:
    started = any(counts_as_started(r, as_of) for r in reports)
    open_ = [m for m in milestones if m.completed_on is None or m.completed_on > as_of]
    overdue = any(m.kind == "date" and m.due is not None and m.due < as_of for m in open_)
    soon = any(
        m.kind == "date" and m.due is not None and days.within(as_of, m.due, n) for m in open_
    )
    light = Light.RED if overdue else Light.YELLOW if soon else Light.GREEN
    if milestones and not open_:
        late = any(m.due is not None and m.completed_on > m.due for m in milestones)  # type: ignore[operator]
        return (Status.LATE_DONE if late else Status.DONE), light
    if not milestones and measure_done is not None and measure_done <= as_of:
        return Status.DONE, light
    if overdue:
        return Status.OVERDUE, light
    if started or len(open_) < len(milestones):
        return Status.IN_PROGRESS, light
    return Status.NOT_STARTED, light


def finding_expectation(
    found_on: date, rectify_by: date | None, rectified_on: date | None, as_of: date
) -> FindingState | None:
    """None: not found yet at ``as_of``. Open from the day found until the day rectified;
    past its 整改期限 (the day after it) 逾期未整改."""
    if as_of < found_on:
        return None
    if rectified_on is not None and rectified_on <= as_of:
        return FindingState.RECTIFIED
    if rectify_by is not None and as_of > rectify_by:
        return FindingState.OVERDUE
    return FindingState.OPEN
