from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.ledger import Light, Status
from app.domain.workdays import WorkCalendar
from app.services.context import Services
from app.services.status import LedgerFilter, LedgerStatus
from app.storage import Storage
from tests.services import rules


class Ledger:
    """A tiny ledger built through the repository, one measure at a time."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.repo = storage.repository
        self.services = Services.for_storage(storage)  # the calendar includes office holidays
        self.plan = self.repo.insert("plans", {"title": "测试方案"})
        self.area = self.repo.insert("areas", {"plan_id": self.plan, "no": 1, "title": "领域"})
        self.departments: dict[str, str] = {}
        self.count = 0
        self._round: str | None = None

    def department(self, name: str) -> str:
        if name not in self.departments:
            self.departments[name] = self.repo.insert("departments", {"name": name})
        return self.departments[name]

    def measure(self, *milestones, title="措施", text="", lead="市财政局", done=None) -> str:
        """``milestones``: (due, kind, completed_on) or (due, kind, completed_on, raw)."""
        self.count += 1
        measure = self.repo.insert(
            "measures",
            {
                "plan_id": self.plan,
                "area_id": self.area,
                "no": self.count,
                "title": title,
                "text": text or title,
                "position": self.count,
                "completed_on": done and done.isoformat(),
            },
        )
        self.repo.insert(
            "assignments",
            {"measure_id": measure, "department_id": self.department(lead), "role": "lead"},
        )
        for due, kind, completed, *raw in milestones:
            self.repo.insert(
                "milestones",
                {
                    "measure_id": measure,
                    "raw": raw[0] if raw else "x",
                    "due": due and due.isoformat(),
                    "kind": kind,
                    "completed_on": completed and completed.isoformat(),
                },
            )
        return measure

    def milestone_ids(self, measure: str) -> list[str]:
        """In the order they were added."""
        return [
            row[0]
            for row in self.storage.db.execute(
                "SELECT id FROM milestones WHERE measure_id = ? ORDER BY rowid", [measure]
            )
        ]

    def report(
        self, measure: str, state: str, on: date, milestone: str | None = None, *, live=True
    ) -> str:
        """A department's progress report, as an imported sheet writes it; ``live=False``:
        superseded by a correction (tombstoned, as the importer does)."""
        if self._round is None:
            self._round = self.repo.insert(
                "rounds", {"plan_id": self.plan, "name": "调度", "created_on": "2020-12-01"}
            )
        report = self.repo.insert(
            "progress_reports",
            {
                "round_id": self._round,
                "measure_id": measure,
                "milestone_id": milestone,
                "department_id": self.department("市财政局"),
                "role": "lead",
                "reported_on": on.isoformat(),
                "state": state,
                "progress": "进展",
            },
        )
        if not live:
            self.repo.delete("progress_reports", report)
        return report

    def office_day(self, day: date, working: bool) -> None:
        self.services.holidays.set_day(day, "workday" if working else "holiday")
        self.services.refresh_calendar()

    def status(self, as_of: date, soon_days: int = 5, **filters):
        rows = self.services.status.measures(
            LedgerFilter(**filters), as_of=as_of, soon_days=soon_days
        )
        return {row.id: (row.status, row.light) for row in rows}

    def pane(self, measure: str, as_of: date, soon_days: int = 5):
        """milestone id → (status, light) as the detail pane gets them."""
        detail = self.services.details.measure(measure, as_of=as_of, soon_days=soon_days)
        assert detail is not None
        return {m.id: (m.status, m.light) for m in detail.milestones}


@pytest.fixture
def ledger(storage: Storage) -> Ledger:
    return Ledger(storage)


def test_the_national_day_week_counts_as_no_working_days(ledger: Ledger) -> None:
    after_holiday = ledger.measure((date(2021, 10, 8), "date", None))
    # 2021-09-29 (Wed): the working days after it are 9-30 and then 10-8 (10-1..10-7 off).
    assert ledger.status(date(2021, 9, 29), soon_days=2)[after_holiday][1] is Light.YELLOW
    assert ledger.status(date(2021, 9, 29), soon_days=1)[after_holiday][1] is Light.GREEN


def test_the_make_up_saturday_is_a_working_day(ledger: Ledger) -> None:
    on_saturday = ledger.measure((date(2021, 10, 9), "date", None))
    on_monday = ledger.measure((date(2021, 10, 11), "date", None))
    lights = ledger.status(date(2021, 10, 8), soon_days=1)
    assert lights[on_saturday][1] is Light.YELLOW  # Saturday 10-9 is the next working day
    assert lights[on_monday][1] is Light.GREEN


def test_overdue_then_late_completion(ledger: Ledger) -> None:
    late = ledger.measure((date(2021, 9, 30), "date", date(2021, 10, 5)))
    assert ledger.status(date(2021, 10, 3))[late] == (Status.OVERDUE, Light.RED)
    assert ledger.status(date(2021, 10, 6))[late] == (Status.LATE_DONE, Light.GREEN)
    assert ledger.status(date(2021, 9, 30))[late] == (Status.NOT_STARTED, Light.YELLOW)


def test_recurring_and_ongoing_milestones_never_go_red_by_calendar(ledger: Ledger) -> None:
    measure = ledger.measure((None, "recurring", None), (None, "ongoing", None))
    assert ledger.status(date(2030, 1, 1))[measure] == (Status.NOT_STARTED, Light.GREEN)
    # Not even when one carries a date (a recurring "每年2月底前" with this year's occurrence).
    dated = ledger.measure((date(2021, 2, 28), "recurring", None))
    for as_of in (date(2021, 2, 26), date(2021, 3, 1)):
        assert ledger.status(as_of)[dated] == (Status.NOT_STARTED, Light.GREEN)
        assert list(ledger.pane(dated, as_of).values()) == [(Status.NOT_STARTED, Light.GREEN)]


def test_a_measure_is_done_when_all_its_milestones_are(ledger: Ledger) -> None:
    two = ledger.measure(
        (date(2021, 6, 30), "date", date(2021, 6, 20)), (date(2021, 9, 30), "date", None)
    )
    assert ledger.status(date(2021, 7, 1))[two] == (Status.IN_PROGRESS, Light.GREEN)
    milestone = ledger.storage.db.execute(
        "SELECT id FROM milestones WHERE measure_id = ? AND completed_on IS NULL", [two]
    ).fetchone()[0]
    ledger.repo.update("milestones", milestone, {"completed_on": "2021-09-28"})
    assert ledger.status(date(2021, 10, 1))[two] == (Status.DONE, Light.GREEN)


def test_a_measure_without_milestones_is_done_by_its_own_date(ledger: Ledger) -> None:
    plain = ledger.measure(done=date(2021, 7, 15))
    assert ledger.status(date(2021, 7, 1))[plain] == (Status.NOT_STARTED, Light.GREEN)
    assert ledger.status(date(2021, 7, 15))[plain] == (Status.DONE, Light.GREEN)


def test_a_progress_report_means_work_has_started(ledger: Ledger) -> None:
    measure = ledger.measure((date(2021, 12, 31), "date", None))
    repo = ledger.repo
    round_id = repo.insert(
        "rounds", {"plan_id": ledger.plan, "name": "7月调度", "created_on": "2021-07-01"}
    )
    repo.insert(
        "progress_reports",
        {
            "round_id": round_id,
            "measure_id": measure,
            "department_id": ledger.department("市财政局"),
            "reported_on": "2021-07-10",
            "state": "in_progress",
            "progress": "已启动",
        },
    )
    assert ledger.status(date(2021, 7, 9))[measure][0] is Status.NOT_STARTED
    assert ledger.status(date(2021, 7, 10))[measure][0] is Status.IN_PROGRESS


def test_filters(ledger: Ledger) -> None:
    june = ledger.measure((date(2021, 6, 30), "date", None), title="优化纳税服务", lead="市税务局")
    july = ledger.measure((date(2021, 7, 31), "date", None), title="推进100%_覆盖")
    done = ledger.measure((date(2021, 6, 15), "date", date(2021, 6, 1)))
    as_of = date(2021, 7, 1)
    assert set(ledger.status(as_of, overdue_only=True)) == {june}
    assert set(ledger.status(as_of, lights=frozenset({Light.RED}))) == {june}
    assert set(ledger.status(as_of, statuses=frozenset({Status.DONE}))) == {done}
    assert set(ledger.status(as_of, due_month="2021-07")) == {july}
    assert set(ledger.status(as_of, text="纳税")) == {june}
    assert set(ledger.status(as_of, text="100%_")) == {july}
    assert set(ledger.status(as_of, text="0%x")) == set()
    tax = ledger.departments["市税务局"]
    assert set(ledger.status(as_of, department_id=tax, role="lead")) == {june}
    assert set(ledger.status(as_of, department_id=tax, role="responsible")) == set()


def test_sorting_by_next_due(ledger: Ledger) -> None:
    later = ledger.measure((date(2021, 12, 31), "date", None))
    # Its first milestone is done: its next due date is the open one.
    sooner = ledger.measure(
        (date(2021, 6, 30), "date", date(2021, 6, 20)), (date(2021, 8, 31), "date", None)
    )
    none = ledger.measure((None, "ongoing", None))
    status = LedgerStatus(ledger.storage.db)
    query = status.query(as_of=date(2021, 7, 1), sort="next_due")
    rows = list(status.rows(query))
    assert [row.id for row in rows] == [sooner, later, none]
    assert [row.next_due for row in rows] == [date(2021, 8, 31), date(2021, 12, 31), None]


def test_sorting_by_light_puts_red_first(ledger: Ledger) -> None:
    green = ledger.measure((date(2021, 12, 31), "date", None))
    yellow = ledger.measure((date(2021, 7, 2), "date", None))
    red = ledger.measure((date(2021, 6, 30), "date", None))
    status = ledger.services.status
    for descending, expected in ((False, [red, yellow, green]), (True, [green, yellow, red])):
        query = status.query(as_of=date(2021, 7, 1), sort="light", descending=descending)
        assert [row.id for row in status.rows(query)] == expected


# ---- The edges, one by one ------------------------------------------------------------------


def test_yellow_while_at_most_n_working_days_are_left(ledger: Ledger) -> None:
    # Friday 2021-07-23, N = 5: the working days left are 7-26 … 7-30 for a deadline on the
    # Friday 7-30, on the weekend after it, or on Sunday 8-1; a Monday 8-2 deadline has six.
    friday = ledger.measure((date(2021, 7, 30), "date", None))
    saturday = ledger.measure((date(2021, 7, 31), "date", None))
    sunday = ledger.measure((date(2021, 8, 1), "date", None))
    monday = ledger.measure((date(2021, 8, 2), "date", None))
    as_of = date(2021, 7, 23)
    lights = {measure: light for measure, (_s, light) in ledger.status(as_of).items()}
    assert lights == {
        friday: Light.YELLOW,
        saturday: Light.YELLOW,
        sunday: Light.YELLOW,
        monday: Light.GREEN,
    }
    for measure, light in lights.items():
        assert list(ledger.pane(measure, as_of).values()) == [(Status.NOT_STARTED, light)]
    # The reminders say the same: what is yellow is listed, with the working days left.
    [reminder] = ledger.services.reminders.collect(as_of=as_of, soon_days=5)
    assert {item.measure_id: item.working_days for item in reminder.items} == {
        friday: 5,
        saturday: 5,
        sunday: 5,
    }
    # One working day later the Monday deadline turns yellow too.
    assert ledger.status(date(2021, 7, 26))[monday][1] is Light.YELLOW


def test_the_yellow_limit_skips_holidays_and_counts_office_days(ledger: Ledger) -> None:
    # Thursday 2021-07-29, N = 1: a Monday 8-2 deadline has two working days left (7-30, 8-2).
    monday = ledger.measure((date(2021, 8, 2), "date", None))
    as_of = date(2021, 7, 29)
    assert ledger.status(as_of, soon_days=1)[monday][1] is Light.GREEN
    ledger.office_day(date(2021, 7, 30), working=False)  # the office gives Friday off
    assert ledger.status(as_of, soon_days=1)[monday][1] is Light.YELLOW
    assert [light for _s, light in ledger.pane(monday, as_of, 1).values()] == [Light.YELLOW]
    ledger.office_day(date(2021, 7, 31), working=True)  # … and makes Saturday a working day
    assert ledger.status(as_of, soon_days=1)[monday][1] is Light.GREEN


def test_due_today_is_yellow_and_overdue_the_day_after(ledger: Ledger) -> None:
    measure = ledger.measure((date(2021, 7, 30), "date", None))
    for soon_days in (0, 5):
        on_the_day = (Status.NOT_STARTED, Light.YELLOW)
        assert ledger.status(date(2021, 7, 30), soon_days)[measure] == on_the_day
        assert list(ledger.pane(measure, date(2021, 7, 30), soon_days).values()) == [on_the_day]
        after = (Status.OVERDUE, Light.RED)
        assert ledger.status(date(2021, 7, 31), soon_days)[measure] == after
        assert list(ledger.pane(measure, date(2021, 7, 31), soon_days).values()) == [after]
    assert ledger.status(date(2021, 7, 29), soon_days=0)[measure][1] is Light.GREEN
    status = ledger.services.status
    assert status.overdue_milestones(as_of=date(2021, 7, 30)) == {}
    assert list(status.overdue_milestones(as_of=date(2021, 7, 31))) == [measure]


def test_completed_on_the_due_day_is_on_time_and_counts_from_that_day(ledger: Ledger) -> None:
    on_time = ledger.measure((date(2021, 7, 30), "date", date(2021, 7, 30)))
    late = ledger.measure((date(2021, 7, 30), "date", date(2021, 7, 31)))
    for as_of, expected in (
        (date(2021, 7, 29), {on_time: Status.NOT_STARTED, late: Status.NOT_STARTED}),
        (date(2021, 7, 30), {on_time: Status.DONE, late: Status.NOT_STARTED}),
        (date(2021, 7, 31), {on_time: Status.DONE, late: Status.LATE_DONE}),
    ):
        assert {m: s for m, (s, _light) in ledger.status(as_of).items()} == expected
        for measure, status in expected.items():
            assert [s for s, _light in ledger.pane(measure, as_of).values()] == [status]


def test_which_reports_mean_work_has_started(ledger: Ledger) -> None:
    first_due, second_due = date(2021, 11, 30), date(2021, 12, 31)
    as_of = date(2021, 8, 10)
    superseded = ledger.measure((first_due, "date", None))
    ledger.report(superseded, "in_progress", date(2021, 8, 1), live=False)
    not_started = ledger.measure((first_due, "date", None))
    ledger.report(not_started, "not_started", date(2021, 8, 1))
    done_by_a_partner = ledger.measure((first_due, "date", None))  # 已完成 that completes nothing
    ledger.report(done_by_a_partner, "done", date(2021, 8, 1))
    one_milestone = ledger.measure((first_due, "date", None), (second_due, "date", None))
    reported, other = ledger.milestone_ids(one_milestone)
    ledger.report(one_milestone, "in_progress", date(2021, 8, 1), reported)
    whole = ledger.measure((first_due, "date", None), (second_due, "date", None))  # no milestone
    ledger.report(whole, "in_progress", date(2021, 8, 1))
    statuses = {m: s for m, (s, _light) in ledger.status(as_of).items()}
    assert statuses == {
        superseded: Status.NOT_STARTED,
        not_started: Status.NOT_STARTED,
        done_by_a_partner: Status.IN_PROGRESS,
        one_milestone: Status.IN_PROGRESS,
        whole: Status.IN_PROGRESS,
    }
    pane = {m: [s for s, _light in ledger.pane(m, as_of).values()] for m in statuses}
    assert pane == {
        superseded: [Status.NOT_STARTED],
        not_started: [Status.NOT_STARTED],
        done_by_a_partner: [Status.IN_PROGRESS],
        one_milestone: [Status.IN_PROGRESS, Status.NOT_STARTED],  # only the one reported on
        whole: [Status.IN_PROGRESS, Status.IN_PROGRESS],
    }
    assert ledger.pane(one_milestone, as_of)[other][0] is Status.NOT_STARTED


def test_due_month_covers_the_month_and_nothing_of_the_next(ledger: Ledger) -> None:
    first_of_june = ledger.measure((date(2021, 6, 1), "date", None))
    end_of_june = ledger.measure((date(2021, 6, 30), "date", None))
    first_of_july = ledger.measure((date(2021, 7, 1), "date", None))
    end_of_year = ledger.measure((date(2021, 12, 31), "date", None))
    new_year = ledger.measure((date(2022, 1, 1), "date", None))
    removed = ledger.measure((date(2021, 8, 15), "date", None))
    ledger.repo.delete("milestones", ledger.milestone_ids(removed)[0])
    as_of = date(2021, 5, 1)
    assert set(ledger.status(as_of, due_month="2021-06")) == {first_of_june, end_of_june}
    assert set(ledger.status(as_of, due_month="2021-07")) == {first_of_july}
    assert set(ledger.status(as_of, due_month="2021-12")) == {end_of_year}
    assert set(ledger.status(as_of, due_month="2022-01")) == {new_year}
    assert set(ledger.status(as_of, due_month="2021-08")) == set()
    assert ledger.services.ledger.due_months() == ["2021-06", "2021-07", "2021-12", "2022-01"]


def test_removed_rows_count_for_nothing(ledger: Ledger) -> None:
    repo, db = ledger.repo, ledger.storage.db
    measure = ledger.measure((date(2021, 7, 1), "date", None), (date(2021, 9, 30), "date", None))
    overdue, _later = ledger.milestone_ids(measure)
    repo.delete("milestones", overdue)
    assert ledger.status(date(2021, 8, 1))[measure] == (Status.NOT_STARTED, Light.GREEN)
    assert len(ledger.pane(measure, date(2021, 8, 1))) == 1
    # The lead named by the plan was replaced: only the live assignment counts.
    [old] = db.execute("SELECT id FROM assignments WHERE measure_id = ?", [measure]).fetchall()
    repo.delete("assignments", old[0])
    repo.insert(
        "assignments",
        {"measure_id": measure, "department_id": ledger.department("市税务局"), "role": "lead"},
    )
    [row] = ledger.services.status.measures(as_of=date(2021, 8, 1))
    assert row.lead == "市税务局"
    finance = ledger.department("市财政局")
    assert ledger.status(date(2021, 8, 1), department_id=finance) == {}
    gone = ledger.measure(title="已删除的措施")
    repo.delete("measures", gone)
    assert set(ledger.status(date(2021, 8, 1))) == {measure}


def test_the_detail_lists_live_departments_and_targets_only(ledger: Ledger) -> None:
    repo = ledger.repo
    measure = ledger.measure(lead="市财政局")
    dropped = repo.insert(
        "assignments",
        {"measure_id": measure, "department_id": ledger.department("市税务局"), "role": "lead"},
    )
    kept = repo.insert(
        "targets", {"measure_id": measure, "raw": "达到90%", "op": ">=", "value": 90}
    )
    gone = repo.insert(
        "targets", {"measure_id": measure, "raw": "达到80%", "op": ">=", "value": 80}
    )
    repo.delete("assignments", dropped)
    repo.delete("targets", gone)
    detail = ledger.services.details.measure(measure, as_of=date(2021, 7, 1))
    assert detail is not None
    assert [name for _role, name in detail.departments] == ["市财政局"]
    assert [t.id for t in detail.targets] == [kept]


def test_the_department_overview_counts_leads_and_overdue_at_the_due_day(ledger: Ledger) -> None:
    due = date(2021, 7, 30)
    ledger.measure((due, "date", None), lead="市财政局")
    shared = ledger.measure((date(2021, 12, 31), "date", None), lead="市税务局")
    ledger.repo.insert(
        "assignments",
        {
            "measure_id": shared,
            "department_id": ledger.department("市财政局"),
            "role": "responsible",
        },
    )
    for as_of, overdue in ((due, 0), (due + timedelta(days=1), 1)):
        rows = {d.name: d for d in ledger.services.details.departments(as_of=as_of)}
        finance = rows["市财政局"]
        assert (finance.lead, finance.shared, finance.overdue) == (1, 1, overdue), as_of
        assert (rows["市税务局"].lead, rows["市税务局"].shared) == (1, 0)


# ---- The property: SQL, detail pane and the written rules agree at every edge ---------------

_day = st.dates(min_value=date(2021, 1, 1), max_value=date(2022, 1, 20))
_due = st.one_of(
    _day,
    st.sampled_from(rules.AWKWARD_DAYS).filter(lambda d: d <= date(2022, 1, 20)),
    st.sampled_from([date(2021, 6, 30), date(2021, 7, 1), date(2021, 12, 31), date(2022, 1, 1)]),
)
_milestone = st.builds(
    lambda due, kind, completion: rules.Milestone(
        due if kind == "date" else None,
        kind,
        None if completion is None else completion(due),
    ),
    _due,
    st.sampled_from(["date", "date", "date", "recurring", "ongoing"]),
    st.one_of(  # not completed, completed a day either side of the due date, or any day
        st.none(),
        st.sampled_from([-1, 0, 1]).map(lambda shift: lambda due: due + timedelta(days=shift)),
        _day.map(lambda day: lambda _due: day),
    ),
)
_measure = st.tuples(
    st.lists(_milestone, max_size=3),
    st.one_of(st.none(), _day),  # the measure's own completion date
    st.lists(  # progress reports: state, day, milestone index (or None), still live
        st.tuples(
            st.sampled_from(["not_started", "in_progress", "done"]),
            _day,
            st.one_of(st.none(), st.integers(0, 2)),
            st.booleans(),
        ),
        max_size=2,
    ),
)


def _edges(measures, office, soon_days: int) -> list[date]:
    """The as-of dates that matter: each date a day either side, and where the yellow limit
    falls on a due date or one working day either side of it."""
    days = rules.Workdays(office)
    edges = set()
    for milestones, done, reports in measures:
        for m in milestones:
            for day in (m.due, m.completed_on):
                if day is not None:
                    edges.update(day + timedelta(days=shift) for shift in (-1, 0, 1))
            if m.due is not None:
                edges.update(days.edges(m.due, soon_days))
        for day in [done, *(report[1] for report in reports)]:
            if day is not None:
                edges.update(day + timedelta(days=shift) for shift in (-1, 0, 1))
    return sorted(day for day in edges if rules.FIRST_DAY <= day <= date(2022, 1, 31))


@settings(max_examples=250, deadline=None)
@given(
    st.lists(_measure, min_size=1, max_size=5),
    st.integers(0, 10),
    st.dictionaries(st.sampled_from(rules.AWKWARD_DAYS[:-20]), st.booleans(), max_size=2),
    st.data(),
)
def test_sql_and_detail_match_the_written_rules(measures, soon_days, office, data) -> None:
    edges = _edges(measures, office, soon_days)
    at_an_edge = st.sampled_from(edges) if edges else _day
    as_of = data.draw(st.one_of(at_an_edge, at_an_edge, at_an_edge, _day), label="as_of")
    days = rules.Workdays(office)
    ledger = Ledger(Storage.open_memory())
    for day, working in office.items():
        ledger.office_day(day, working)
    built = []
    for milestones, done, drawn_reports in measures:
        measure = ledger.measure(*[(m.due, m.kind, m.completed_on) for m in milestones], done=done)
        ids = ledger.milestone_ids(measure)
        reports = []
        for state, on, index, live in drawn_reports:
            index = index if index is not None and index < len(ids) else None
            ledger.report(measure, state, on, None if index is None else ids[index], live=live)
            reports.append(rules.Report(state, on, index, live))
        built.append((measure, milestones, done, reports, ids))

    got = ledger.status(as_of, soon_days=soon_days)
    for measure, milestones, done, reports, ids in built:
        expected = rules.measure_expectation(milestones, done, reports, as_of, soon_days, days)
        assert got[measure] == expected, (as_of, soon_days, milestones, done, reports)
        pane = ledger.pane(measure, as_of, soon_days)
        for index, (milestone, milestone_id) in enumerate(zip(milestones, ids, strict=True)):
            started = any(
                rules.counts_as_started(r, as_of) and r.milestone in (None, index) for r in reports
            )
            assert pane[milestone_id] == rules.milestone_expectation(
                milestone, as_of, soon_days, days, started
            ), (as_of, soon_days, milestone, reports)

    # The filters agree with the same rules.
    overdue = {
        measure
        for measure, milestones, *_rest in built
        if any(
            m.kind == "date"
            and m.due < as_of
            and (m.completed_on is None or m.completed_on > as_of)
            for m in milestones
        )
    }
    assert set(ledger.status(as_of, soon_days, overdue_only=True)) == overdue
    month = data.draw(
        st.sampled_from(
            sorted({(m.due.year, m.due.month) for _id, ms, *_ in built for m in ms if m.due})
        )
        if any(m.due for _id, ms, *_ in built for m in ms)
        else st.just((2021, 6)),
        label="due month",
    )
    in_month = {
        measure
        for measure, milestones, *_rest in built
        if any(m.due and (m.due.year, m.due.month) == month for m in milestones)
    }
    due_month = f"{month[0]:04d}-{month[1]:02d}"
    assert set(ledger.status(as_of, soon_days, due_month=due_month)) == in_month


def test_the_typed_in_schedule_is_the_one_the_app_uses() -> None:
    """The rules' own holiday table agrees with the app's calendar, day by day."""
    calendar = WorkCalendar()
    days = rules.Workdays()
    day = rules.FIRST_DAY
    while day <= rules.LAST_DAY:
        assert calendar.is_workday(day) == days.working(day), day
        day += timedelta(days=1)


def test_status_cli_reports_unconfirmed_years(tmp_path) -> None:
    import main

    storage = Storage.open(tmp_path / "l.sqlite")
    Ledger(storage).measure((date(2027, 3, 31), "date", None))
    storage.close()
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        assert (
            main.main(["status", "--db", str(tmp_path / "l.sqlite"), "--as-of", "2026-12-01"]) == 0
        )
    dump = json.loads(out.getvalue())
    assert dump["unconfirmed_years"] == [2027]
    assert dump["measures"][0]["status"] == "未开始"
    assert dump["measures"][0]["next_due"] == "2027-03-31"
    assert date.fromisoformat(dump["as_of"]) + timedelta(days=0) == date(2026, 12, 1)


def test_recording_a_value_for_a_missing_target_is_refused(storage: Storage) -> None:
    from app.services.targets import TargetActuals
    from app.storage import WriteError

    with pytest.raises(WriteError, match="不存在"):
        TargetActuals(storage.repository).record("nope", 1.0, date(2021, 7, 1))
    assert storage.db["target_actuals"].count == 0
