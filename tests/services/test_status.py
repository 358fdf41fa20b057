from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.ledger import Light, Status
from app.domain.workdays import WorkCalendar
from app.services.status import LedgerFilter, LedgerStatus
from app.storage import Storage


class Ledger:
    """A tiny ledger built through the repository, one measure at a time."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.repo = storage.repository
        self.plan = self.repo.insert("plans", {"title": "测试方案"})
        self.area = self.repo.insert("areas", {"plan_id": self.plan, "no": 1, "title": "领域"})
        self.departments: dict[str, str] = {}
        self.count = 0

    def department(self, name: str) -> str:
        if name not in self.departments:
            self.departments[name] = self.repo.insert("departments", {"name": name})
        return self.departments[name]

    def measure(self, *milestones, title="措施", text="", lead="市财政局", done=None) -> str:
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
        for due, kind, completed in milestones:
            self.repo.insert(
                "milestones",
                {
                    "measure_id": measure,
                    "raw": "x",
                    "due": due and due.isoformat(),
                    "kind": kind,
                    "completed_on": completed and completed.isoformat(),
                },
            )
        return measure

    def status(self, as_of: date, soon_days: int = 5, **filters):
        rows = LedgerStatus(self.storage.db).measures(
            LedgerFilter(**filters), as_of=as_of, soon_days=soon_days
        )
        return {row.id: (row.status, row.light) for row in rows}


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
    sooner = ledger.measure((date(2021, 8, 31), "date", None))
    none = ledger.measure((None, "ongoing", None))
    status = LedgerStatus(ledger.storage.db)
    query = status.query(as_of=date(2021, 7, 1), sort="next_due")
    assert [row.id for row in status.rows(query)] == [sooner, later, none]


def _reference(milestones, measure_done, as_of: date, soon: date) -> tuple[Status, Light]:
    """The rules of issue 4, written plainly, to check the SQL against."""
    open_ = [(d, k) for d, k, c in milestones if c is None or c > as_of]
    overdue = any(k == "date" and d is not None and d < as_of for d, k in open_)
    soon_ = any(k == "date" and d is not None and as_of <= d <= soon for d, k in open_)
    light = Light.RED if overdue else Light.YELLOW if soon_ else Light.GREEN
    if milestones and not open_:
        late = any(d is not None and c > d for d, _k, c in milestones)
        return (Status.LATE_DONE if late else Status.DONE), light
    if not milestones and measure_done is not None and measure_done <= as_of:
        return Status.DONE, light
    if overdue:
        return Status.OVERDUE, light
    if len(open_) < len(milestones):
        return Status.IN_PROGRESS, light
    return Status.NOT_STARTED, light


day = st.dates(min_value=date(2021, 1, 1), max_value=date(2021, 12, 31))
milestone = st.tuples(
    st.one_of(st.none(), day),
    st.sampled_from(["date", "date", "recurring", "ongoing"]),
    st.one_of(st.none(), day),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(milestone, max_size=3), st.one_of(st.none(), day)),
        min_size=1,
        max_size=6,
    ),
    day,
    st.integers(0, 10),
)
def test_sql_status_matches_the_written_rules(measures, as_of, soon_days) -> None:
    storage = Storage.open_memory()
    ledger = Ledger(storage)
    ids = []
    for milestones, done in measures:
        fixed = [(d if k == "date" else None, k, c) for d, k, c in milestones]
        ids.append((ledger.measure(*fixed, done=done), fixed, done))
    soon = WorkCalendar().add_workdays(as_of, soon_days)
    got = ledger.status(as_of, soon_days=soon_days)
    for measure_id, fixed, done in ids:
        assert got[measure_id] == _reference(fixed, done, as_of, soon)


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
