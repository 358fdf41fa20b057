"""明察暗访 records in the ledger: recording, rectifying, the open-findings filter, the detail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.ledger import FindingState, InspectionKind
from app.services.context import Services
from app.services.inspections import FindingDraft, finding_state
from app.services.status import LedgerFilter
from app.storage import Storage, WriteError
from app.storage.changelog import read_changes
from tests.services import rules
from tests.services.test_status import Ledger
from tests.services.workspace import close_finding

TODAY = date(2021, 9, 30)


@pytest.fixture
def ledger(storage: Storage) -> Ledger:
    return Ledger(storage)


@pytest.fixture
def services(storage: Storage) -> Services:
    return Services.for_storage(storage)


def _open_ids(services: Services, as_of: date) -> set[str]:
    rows = services.status.measures(LedgerFilter(open_findings=True), as_of=as_of)
    return {row.id for row in rows}


def test_a_finding_is_open_from_its_inspection_until_rectified(
    ledger: Ledger, services: Services
) -> None:
    checked = ledger.measure(title="受检措施", lead="市财政局")
    ledger.measure(title="未受检措施")
    lead = ledger.department("市财政局")
    inspection = services.inspections.record(
        checked,
        kind=InspectionKind.COVERT,
        checked_on=date(2021, 8, 10),
        inspector="张三",
        place="市政务服务中心",
        summary="窗口办理时间过长",
        findings=[FindingDraft("群众排队超过一小时", lead, date(2021, 8, 31))],
        today=TODAY,
    )
    assert _open_ids(services, date(2021, 8, 9)) == set()  # not found yet
    assert _open_ids(services, date(2021, 8, 10)) == {checked}

    [entry] = services.inspections.for_measure(checked, as_of=date(2021, 9, 1))
    assert entry.id == inspection and entry.kind is InspectionKind.COVERT
    [finding] = entry.findings
    assert finding.department == "市财政局" and finding.state is FindingState.OVERDUE

    close_finding(services, finding.id, date(2021, 9, 15), today=TODAY)
    assert _open_ids(services, date(2021, 9, 14)) == {checked}  # as-of before rectification
    assert _open_ids(services, date(2021, 9, 15)) == set()
    assert services.inspections.open_count(as_of=date(2021, 9, 15)) == 0

    services.inspections.reopen(finding.id)
    assert _open_ids(services, date(2021, 9, 30)) == {checked}
    assert services.inspections.open_count(as_of=date(2021, 9, 30)) == 1


def test_the_filter_combines_with_the_others(ledger: Ledger, services: Services) -> None:
    overdue = ledger.measure((date(2021, 6, 30), "date", None))
    on_time = ledger.measure((date(2021, 12, 31), "date", None))
    for measure in (overdue, on_time):
        services.inspections.record(
            measure,
            kind=InspectionKind.OPEN,
            checked_on=date(2021, 9, 1),
            inspector="李四",
            findings=[FindingDraft("台账资料不全")],
            today=TODAY,
        )
    rows = services.status.measures(
        LedgerFilter(open_findings=True, overdue_only=True), as_of=TODAY
    )
    assert [row.id for row in rows] == [overdue]


def test_an_inspection_without_findings_leaves_nothing_open(
    ledger: Ledger, services: Services
) -> None:
    measure = ledger.measure()
    services.inspections.record(
        measure, kind=InspectionKind.OPEN, checked_on=TODAY, inspector="王五", today=TODAY
    )
    assert _open_ids(services, TODAY) == set()
    detail = services.details.measure(measure, as_of=TODAY)
    assert detail is not None and [i.inspector for i in detail.inspections] == ["王五"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"checked_on": date(2021, 10, 1)}, "检查日期不能晚于今天"),
        ({"inspector": "  "}, "请填写检查人"),
        ({"findings": [FindingDraft("问题一"), FindingDraft(" ")]}, "第 2 个问题没有填写问题描述"),
        ({"findings": [FindingDraft("问题", None, date(2021, 8, 1))]}, "整改期限早于检查日期"),
        ({"findings": [FindingDraft("问题", "not-a-department")]}, "不是这项措施的责任部门"),
        ({"measure_id": "no-such-measure"}, "该措施不存在"),
    ],
)
def test_a_refused_record_writes_nothing(
    ledger: Ledger, services: Services, changes: dict, message: str
) -> None:
    measure = ledger.measure()
    arguments = {
        "measure_id": measure,
        "kind": InspectionKind.OPEN,
        "checked_on": date(2021, 9, 1),
        "inspector": "张三",
        "findings": [FindingDraft("问题")],
        "today": TODAY,
    } | changes
    before = services.storage.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    with pytest.raises(WriteError, match=message):
        services.inspections.record(arguments.pop("measure_id"), **arguments)
    db = services.storage.db
    assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == before
    assert db.execute("SELECT COUNT(*) FROM inspections").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0


def test_rectification_dates_are_checked(ledger: Ledger, services: Services) -> None:
    measure = ledger.measure()
    services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 9, 1),
        inspector="张三",
        findings=[FindingDraft("问题")],
        today=TODAY,
    )
    [finding] = services.inspections.for_measure(measure, as_of=TODAY)[0].findings
    with pytest.raises(WriteError, match="不能早于发现问题的日期"):
        close_finding(services, finding.id, date(2021, 8, 31), today=TODAY)
    with pytest.raises(WriteError, match="不能晚于今天"):
        close_finding(services, finding.id, date(2021, 10, 1), today=TODAY)
    with pytest.raises(WriteError, match="该问题不存在"):
        close_finding(services, "missing", TODAY, today=TODAY)
    assert _open_ids(services, TODAY) == {measure}


def test_records_are_logged_for_sync(ledger: Ledger, services: Services) -> None:
    measure = ledger.measure()
    services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=TODAY,
        inspector="张三",
        findings=[FindingDraft("问题一"), FindingDraft("问题二")],
        today=TODAY,
    )
    logged = {entry.table for entry in read_changes(services.storage.db)}
    assert {"inspections", "findings"} <= logged


def test_same_day_dates_are_accepted(ledger: Ledger, services: Services) -> None:
    """An inspection today, a 整改期限 on the inspection day, rectified the day it was found
    or today: all allowed."""
    measure = ledger.measure()
    services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=TODAY,
        inspector="张三",
        findings=[FindingDraft("问题一", None, TODAY), FindingDraft("问题二")],
        today=TODAY,
    )
    first, second = services.inspections.for_measure(measure, as_of=TODAY)[0].findings
    close_finding(services, first.id, TODAY, today=TODAY)  # found today, rectified today
    close_finding(services, second.id, TODAY, today=TODAY)
    assert {
        f.state for f in services.inspections.for_measure(measure, as_of=TODAY)[0].findings
    } == {FindingState.RECTIFIED}


def test_removed_records_count_for_nothing(ledger: Ledger, services: Services) -> None:
    repo = services.repository
    measure = ledger.measure(lead="市财政局")
    tax = ledger.department("市税务局")
    assignment = repo.insert(
        "assignments", {"measure_id": measure, "department_id": tax, "role": "responsible"}
    )
    assert [name for _id, name in services.inspections.departments(measure)] == [
        "市财政局",
        "市税务局",
    ]
    repo.delete("assignments", assignment)  # 市税务局 no longer has a part in the measure
    assert [name for _id, name in services.inspections.departments(measure)] == ["市财政局"]
    with pytest.raises(WriteError, match="不是这项措施的责任部门"):
        services.inspections.record(
            measure,
            kind=InspectionKind.OPEN,
            checked_on=TODAY,
            inspector="张三",
            findings=[FindingDraft("问题", tax)],
            today=TODAY,
        )
    kept = services.inspections.record(
        measure, kind=InspectionKind.OPEN, checked_on=TODAY, inspector="张三", today=TODAY
    )
    removed = services.inspections.record(
        measure,
        kind=InspectionKind.COVERT,
        checked_on=TODAY,
        inspector="李四",
        findings=[FindingDraft("问题")],
        today=TODAY,
    )
    assert services.inspections.last_inspector() == "李四"
    with repo.transaction():  # as a sync from another laptop would remove them
        for (finding,) in services.storage.db.execute(
            "SELECT id FROM findings WHERE inspection_id = ?", [removed]
        ).fetchall():
            repo.delete("findings", finding)
        repo.delete("inspections", removed)
    assert services.inspections.last_inspector() == "张三"
    assert _open_ids(services, TODAY) == set()
    assert services.inspections.open_count(as_of=TODAY) == 0
    assert [e.id for e in services.inspections.for_measure(measure, as_of=TODAY)] == [kept]
    other = ledger.measure()
    repo.delete("measures", other)
    with pytest.raises(WriteError, match="该措施不存在或已删除"):
        services.inspections.record(
            other, kind=InspectionKind.OPEN, checked_on=TODAY, inspector="张三", today=TODAY
        )


def test_a_removed_finding_of_a_live_inspection_is_not_shown(
    ledger: Ledger, services: Services
) -> None:
    measure = ledger.measure()
    services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=TODAY,
        inspector="张三",
        findings=[FindingDraft("留下的问题"), FindingDraft("删去的问题")],
        today=TODAY,
    )
    _kept, gone = services.inspections.for_measure(measure, as_of=TODAY)[0].findings
    services.repository.delete("findings", gone.id)
    [entry] = services.inspections.for_measure(measure, as_of=TODAY)
    assert [f.description for f in entry.findings] == ["留下的问题"]
    assert services.inspections.open_count(as_of=TODAY) == 1


@pytest.mark.parametrize(
    ("rectify_by", "rectified_on", "state"),
    [
        (None, None, FindingState.OPEN),
        (date(2021, 9, 30), None, FindingState.OPEN),  # due today: not yet overdue
        (date(2021, 9, 29), None, FindingState.OVERDUE),
        (date(2021, 9, 29), date(2021, 9, 30), FindingState.RECTIFIED),
        (date(2021, 9, 29), date(2021, 10, 1), FindingState.OVERDUE),  # rectified later
    ],
)
def test_finding_states(rectify_by, rectified_on, state) -> None:
    assert finding_state(rectify_by, rectified_on, date(2021, 9, 30)) is state


def test_status_cli_counts_open_findings(tmp_path) -> None:
    import io
    import json
    from contextlib import redirect_stdout

    import main

    path = tmp_path / "l.sqlite"
    storage = Storage.open(path)
    ledger = Ledger(storage)
    inspected, other = ledger.measure(), ledger.measure()
    Services.for_storage(storage).inspections.record(
        inspected,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 9, 1),
        inspector="张三",
        findings=[FindingDraft("问题一"), FindingDraft("问题二")],
        today=TODAY,
    )
    storage.close()

    def open_findings(as_of: str) -> dict[str, int]:
        out = io.StringIO()
        with redirect_stdout(out):
            assert main.main(["status", "--db", str(path), "--as-of", as_of]) == 0
        return {m["id"]: m["open_findings"] for m in json.loads(out.getvalue())["measures"]}

    assert open_findings("2021-08-31") == {inspected: 0, other: 0}
    assert open_findings("2021-09-01") == {inspected: 2, other: 0}


_day = st.dates(min_value=date(2021, 1, 1), max_value=date(2021, 12, 31))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(  # per measure: its findings as (found_on, rectify_by, rectified after N days)
        st.lists(
            st.tuples(_day, st.one_of(st.none(), _day), st.one_of(st.none(), st.integers(0, 60))),
            max_size=3,
        ),
        min_size=1,
        max_size=5,
    ),
    st.data(),
)
def test_the_sql_filter_and_the_detail_agree_with_the_written_rule(measures, data) -> None:
    # The as-of date is mostly one of the dates that matter, or a day either side of one.
    edges = [
        day + timedelta(days=shift)
        for findings in measures
        for found_on, rectify_by, after in findings
        for day in (found_on, rectify_by, after is not None and found_on + timedelta(days=after))
        if day
        for shift in (-1, 0, 1)
    ]
    at_an_edge = st.sampled_from(edges) if edges else _day
    as_of = data.draw(st.one_of(at_an_edge, at_an_edge, at_an_edge, _day), label="as_of")
    storage = Storage.open_memory()
    ledger = Ledger(storage)
    services = Services.for_storage(storage)
    expected_open = set()
    open_findings = 0
    for findings in measures:
        measure = ledger.measure()
        expected_states = []
        for found_on, rectify_by, after in findings:
            rectify_by = max(rectify_by, found_on) if rectify_by else None
            inspection = services.inspections.record(
                measure,
                kind=InspectionKind.OPEN,
                checked_on=found_on,
                inspector="张三",
                findings=[FindingDraft("问题", None, rectify_by)],
                today=date(2022, 12, 31),
            )
            rectified_on = found_on + timedelta(days=after) if after is not None else None
            if rectified_on is not None:
                [finding] = storage.db.execute(
                    "SELECT id FROM findings WHERE inspection_id = ?", [inspection]
                ).fetchall()
                close_finding(services, finding[0], rectified_on, today=date(2022, 12, 31))
            state = rules.finding_expectation(found_on, rectify_by, rectified_on, as_of)
            if state is not None:
                expected_states.append((found_on, state))
            if state in (FindingState.OPEN, FindingState.OVERDUE):
                expected_open.add(measure)
                open_findings += 1
        shown = [
            (e.checked_on, f.state)
            for e in services.inspections.for_measure(measure, as_of=as_of)
            for f in e.findings
        ]
        assert sorted(shown) == sorted(expected_states), as_of
    assert _open_ids(services, as_of) == expected_open
    assert services.inspections.open_count(as_of=as_of) == open_findings
