"""The demo's 明察暗访: counts for a seed, the same content for the same seed, and rows in the
shapes the services write (every stage reached by legal moves, 销号 on its passing 复查)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import main
from app.domain.inspection import FindingAction, FindingStage, UserRole, next_stage
from app.services.context import Services
from app.services.demo import build_demo
from app.services.demo_inspections import DEMO_END
from app.services.finding_list import FindingFilter
from app.services.record_print import RecordPrint
from app.storage import Storage
from app.storage.export import export_tables
from tests.kill.harness import State

TABLES = (
    "inspection_plans",
    "inspection_plan_scope",
    "inspection_feedback",
    "inspections",
    "checklist_answers",
    "findings",
    "finding_events",
    "rechecks",
)


@pytest.fixture(scope="module")
def demo() -> Storage:
    storage = Storage.open_memory()
    build_demo(storage.repository, measures=600, seed=7)
    return storage


def _counts(storage: Storage, sql: str) -> dict:
    return dict(storage.db.execute(sql).fetchall())


def test_counts_per_table_and_stage_for_a_seed(demo: Storage) -> None:
    assert {t: demo.db[t].count for t in TABLES} == {
        "inspection_plans": 2,
        "inspection_plan_scope": 49,
        "inspection_feedback": 49,
        "inspections": 124,
        "checklist_answers": 458,
        "findings": 187,  # about 3 per 10 measures
        "finding_events": 407,
        "rechecks": 135,
    }
    assert _counts(demo, "SELECT stage, COUNT(*) FROM findings GROUP BY stage") == {
        "pending": 29,
        "rectifying": 37,
        "awaiting_recheck": 23,
        "closed": 98,
    }
    assert _counts(demo, "SELECT action, COUNT(*) FROM finding_events GROUP BY action") == {
        "start": 108,
        "report": 158,
        "recheck_pass": 104,
        "recheck_fail": 31,
        "reopen": 6,
    }
    assert demo.db.execute(
        "SELECT kind, COUNT(*), SUM(disclosed_on IS NOT NULL) FROM inspections GROUP BY kind"
        " ORDER BY kind"
    ).fetchall() == [("covert", 59, 24), ("open", 65, 0)]
    assert _counts(demo, "SELECT source, COUNT(*) FROM checklist_answers GROUP BY source") == {
        "custom": 254,
        "deadline": 164,
        "target": 40,
    }


def test_the_same_seed_gives_the_same_content_and_another_seed_another() -> None:
    def built(seed: int) -> dict:
        storage = Storage.open_memory()
        build_demo(storage.repository, measures=150, seed=seed)
        return State(export_tables(storage), storage.db["changes"].count).normalized()

    first = built(4)
    assert first == built(4)
    assert first["tables"]["findings"] != built(5)["tables"]["findings"]


def test_every_finding_got_where_it_is_by_legal_moves(demo: Storage) -> None:
    db = demo.db
    events: dict[str, list] = {}
    for finding_id, day, stage, action in db.execute(
        "SELECT finding_id, happened_on, stage, action FROM finding_events ORDER BY happened_on,"
        " rowid"
    ):
        events.setdefault(finding_id, []).append((day, FindingStage(stage), FindingAction(action)))
    rechecks: dict[str, list] = {}
    for finding_id, day, result in db.execute(
        "SELECT finding_id, checked_on, result FROM rechecks ORDER BY checked_on, rowid"
    ):
        rechecks.setdefault(finding_id, []).append((day, result))
    rows = db.execute(
        "SELECT f.id, f.found_on, f.stage, f.rectified_on, f.reported_on, f.rectification,"
        " i.checked_on FROM findings f JOIN inspections i ON i.id = f.inspection_id"
    ).fetchall()
    for finding_id, found_on, stage, rectified_on, reported_on, rectification, checked in rows:
        assert found_on == checked
        current, last_day = FindingStage.PENDING, found_on
        passes, fails = [], []
        for day, new_stage, action in events.get(finding_id, []):
            assert next_stage(current, action) is new_stage, (finding_id, current, action)
            assert last_day <= day <= DEMO_END.isoformat()
            current, last_day = new_stage, day
            if action is FindingAction.RECHECK_PASS:
                passes.append(day)
            if action is FindingAction.RECHECK_FAIL:
                fails.append(day)
            if action is FindingAction.REOPEN:
                passes.append(None)
        assert current.value == stage
        # One 复查 row for each 复查 move, on its day with its result.
        moves = [(d, "pass") for d in passes if d] + [(d, "fail") for d in fails]
        assert sorted(rechecks.get(finding_id, [])) == sorted(moves)
        if stage == "closed":  # 销号 on the day of the passing 复查 that closed it
            assert rectified_on == passes[-1] is not None
        else:
            assert rectified_on is None
        reports = [d for d, _s, a in events.get(finding_id, []) if a is FindingAction.REPORT]
        assert reported_on == (reports[-1] if reports else None)
        assert bool(rectification) == bool(reports)


def test_records_follow_their_plans_and_findings_their_items(demo: Storage) -> None:
    db = demo.db
    bad = db.execute(
        "SELECT COUNT(*) FROM inspections i JOIN inspection_plans p ON p.id = i.inspection_plan_id"
        " WHERE i.kind <> p.mode OR i.checked_on < p.starts_on OR i.checked_on > p.ends_on"
        " OR i.department_id IS NULL OR (i.disclosed_on IS NOT NULL AND i.kind = 'open')"
        " OR i.disclosed_on < i.checked_on"
    ).fetchone()[0]
    assert bad == 0
    weekends = db.execute(
        "SELECT COUNT(*) FROM inspections WHERE strftime('%w', checked_on) IN ('0', '6')"
    ).fetchone()[0]
    assert weekends == 0
    # Each finding was raised from one 不符合 item of its own record.
    assert (
        db.execute(
            "SELECT COUNT(*) FROM findings f WHERE (SELECT COUNT(*) FROM checklist_answers a"
            " WHERE a.finding_id = f.id AND a.inspection_id = f.inspection_id"
            " AND a.verdict = 'fail') <> 1"
        ).fetchone()[0]
        == 0
    )
    # Items point at their measure's milestones and targets.
    assert (
        db.execute(
            "SELECT COUNT(*) FROM checklist_answers a JOIN inspections i ON i.id = a.inspection_id"
            " WHERE (a.source = 'deadline' AND NOT EXISTS (SELECT 1 FROM milestones m"
            " WHERE m.id = a.ref_id AND m.measure_id = i.measure_id))"
            " OR (a.source = 'target' AND NOT EXISTS (SELECT 1 FROM targets t"
            " WHERE t.id = a.ref_id AND t.measure_id = i.measure_id))"
        ).fetchone()[0]
        == 0
    )
    # A finding's department is one of its measure's; working-day deadlines counted with the
    # office's calendar.
    assert (
        db.execute(
            "SELECT COUNT(*) FROM findings f WHERE NOT EXISTS (SELECT 1 FROM assignments s"
            " WHERE s.measure_id = f.measure_id AND s.department_id = f.department_id)"
        ).fetchone()[0]
        == 0
    )
    services = Services.for_storage(demo)
    calendar = services.holidays.calendar()
    for found, workdays, due in db.execute(
        "SELECT found_on, rectify_workdays, rectify_by FROM findings"
        " WHERE rectify_workdays IS NOT NULL LIMIT 50"
    ):
        assert calendar.add_workdays(date.fromisoformat(found), workdays).isoformat() == due


def test_the_services_work_on_the_demo_rows(demo: Storage, tmp_path: Path) -> None:
    services = Services.for_storage(demo)
    services.identity.set("督查科长", UserRole.SUPERVISOR)
    try:
        total = demo.db["findings"].count
        query = services.finding_list.query(FindingFilter(), as_of=DEMO_END)
        assert len(list(services.finding_list.rows(query))) == total
        ranking = services.scores.ranking(date(2021, 7, 1), date(2022, 12, 31))
        assert sum(row.findings for row in ranking.rows) == total
        # The next legal move of a finding waiting for its 复查 is accepted by the workflow.
        (waiting,) = demo.db.execute(
            "SELECT id FROM findings WHERE stage = 'awaiting_recheck' LIMIT 1"
        ).fetchone()
        detail = services.findings.get(waiting)
        assert detail is not None and FindingAction.RECHECK_PASS in detail.actions
        services.findings.recheck(waiting, DEMO_END, passed=True, inspector="复查人")
        assert services.findings.get(waiting).stage is FindingStage.CLOSED
        # A record prints.
        (record,) = demo.db.execute(
            "SELECT inspection_id FROM findings GROUP BY inspection_id ORDER BY COUNT(*) DESC"
            " LIMIT 1"
        ).fetchone()
        sheet = RecordPrint(demo.repository).record_sheet(record, today=DEMO_END)
        assert sheet.findings and sheet.items
    finally:
        services.identity.set("", UserRole.INSPECTOR)


def test_about_three_findings_per_ten_measures_or_as_many_as_asked() -> None:
    storage = Storage.open_memory()
    build_demo(storage.repository, measures=2000, seed=2)
    assert 540 <= storage.db["findings"].count <= 660
    more = Storage.open_memory()
    build_demo(more.repository, measures=200, seed=2, findings=3000)
    assert 2700 <= more.db["findings"].count <= 3300
    stages = Counter(stage for (stage,) in more.db.execute("SELECT stage FROM findings"))
    assert set(stages) == {"pending", "rectifying", "awaiting_recheck", "closed"}
    none = Storage.open_memory()
    build_demo(none.repository, measures=50, findings=0)
    assert (none.db["inspections"].count, none.db["findings"].count) == (0, 0)


def test_the_demo_command_reports_what_it_built(db_path: Path, capsys) -> None:
    args = ["demo", "--db", str(db_path), "--measures", "300", "--seed", "3", "--findings", "400"]
    assert main.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    storage = Storage.open(db_path)
    try:
        assert report["findings"] == storage.db["findings"].count
        assert report["inspections"] == storage.db["inspections"].count
        assert report["inspection_plans"] == storage.db["inspection_plans"].count == 2
    finally:
        storage.close()
    assert 350 <= report["findings"] <= 450
    bad = ["demo", "--db", str(db_path), "--measures", "10", "--findings", "501"]
    assert main.main(bad) == 2
    assert "--findings 应在 0 到 50 × 措施数（500）之间" in capsys.readouterr().err
