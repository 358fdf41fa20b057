"""Property: whatever the real services write, the change log alone rebuilds the database.

A random sequence of what users do — plan import and re-import, completing and reopening
milestones, 调度 import of a returned sheet, 明察/暗访 records with findings, the 整改 workflow
(start, report, recheck, confirm, reopen), a records file, vocabulary, holidays (which move
finding deadlines), department renames, delete and restore — runs on one laptop. Its log, applied
to an empty database in local order, in a random order and in random pieces, must give the same
database and the same log, and after every action every entry logged before must read back
unchanged (the log only grows). A service that wrote one field without logging it (say a milestone's
completion date) or a merge that ignored a version makes this fail.
"""

from __future__ import annotations

import contextlib
import json
import random as random_module
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.inspection import UserRole
from app.domain.ledger import InspectionKind
from app.plan_import import parse_text
from app.services.completion import Completion
from app.services.context import Services
from app.services.findings import FindingDraft
from app.services.records_import import RecordsImport
from app.services.records_json import RecordsFileError
from app.storage import Storage, WriteError
from app.storage.changelog import ChangeEntry, read_changes
from app.storage.export import export_tables
from tests.fixtures.make_schema_v4 import PLAN, REVISION, _records
from tests.services.progress.support import _export, _fill

DAY = date(2021, 7, 5)


@cache
def _parsed(revised: bool):
    return parse_text(REVISION if revised else PLAN, "方案（修订）.txt" if revised else "方案.txt")


@dataclass(frozen=True)
class Op:
    kind: str
    pick: int = 0
    day: int = 0
    text: str = ""


OPS = [
    "import",
    "revise",
    "complete",
    "reopen_milestone",
    "record",
    "start",
    "report",
    "recheck",
    "confirm",
    "reopen_finding",
    "edit_finding",
    "holiday",
    "rename_department",
    "rename_category",
    "delete_restore",
    "delete",
    "records_file",
    "progress",
]

ops = st.builds(
    Op,
    kind=st.sampled_from(OPS),
    pick=st.integers(0, 30),
    day=st.integers(0, 60),
    text=st.text(alphabet="整改落实到位甲乙丙 ab1", min_size=1, max_size=6),
)


def _ids(db, sql: str) -> list[str]:
    return [row[0] for row in db.execute(sql).fetchall()]


def _pick(items: list[str], op: Op) -> str | None:
    return items[op.pick % len(items)] if items else None


def _run(services: Services, op: Op, workdir: Path) -> None:
    db, repo = services.storage.db, services.storage.repository
    day = DAY + timedelta(days=op.day)
    measures = _ids(db, "SELECT id FROM measures WHERE deleted = 0 ORDER BY position, rowid")
    findings = _ids(db, "SELECT id FROM findings WHERE deleted = 0 ORDER BY rowid")
    finding = _pick(findings, op)
    kind = op.kind
    if kind == "import":
        services.plans.import_plan(_parsed(False))
    elif kind == "revise":
        services.plans.import_plan(_parsed(True))
    elif kind in ("complete", "reopen_milestone"):
        milestone = _pick(
            _ids(db, "SELECT id FROM milestones WHERE deleted = 0 ORDER BY rowid"), op
        )
        if milestone is not None:
            completion = Completion(repo)
            if kind == "complete":
                completion.complete("milestones", milestone, day)
            else:
                completion.reopen("milestones", milestone)
    elif kind == "record" and measures:
        services.inspections.record(
            _pick(measures, op),
            kind=InspectionKind.COVERT if op.pick % 2 else InspectionKind.OPEN,
            checked_on=day,
            inspector="张三",
            place="市政务服务中心",
            summary=op.text,
            findings=[FindingDraft(f"问题{op.text}", rectify_by=day + timedelta(days=10))],
            today=day,
        )
    elif kind == "start" and finding:
        services.findings.start(finding, day, note=op.text, today=day)
    elif kind == "report" and finding:
        services.findings.report(finding, op.text, day, today=day)
    elif kind == "recheck" and finding:
        services.findings.recheck(finding, day, passed=op.pick % 2 == 0, note=op.text, today=day)
    elif kind == "confirm" and finding:
        services.findings.confirm_rectified(finding, day, today=day)
    elif kind == "reopen_finding" and finding:
        services.findings.reopen(finding, day, note=op.text, today=day)
    elif kind == "edit_finding" and finding:
        services.findings.edit(
            finding, FindingDraft(f"改：{op.text}", rectify_workdays=op.day % 9 + 1)
        )
    elif kind == "holiday":
        services.holidays.set_day(DAY + timedelta(days=op.day % 20), "holiday", op.text)
    elif kind == "rename_department":
        department = _pick(_ids(db, "SELECT id FROM departments WHERE deleted = 0"), op)
        if department:
            services.departments.rename(department, f"市{op.text}局")
    elif kind == "rename_category":
        entry = _pick(_ids(db, "SELECT id FROM vocabulary WHERE list = 'category'"), op)
        services.vocabulary.rename(entry, f"类{op.text}")
    elif kind in ("delete_restore", "delete"):
        area = _pick(_ids(db, "SELECT id FROM areas WHERE deleted = 0 ORDER BY rowid"), op)
        if area:
            repo.delete("areas", area)
            if kind == "delete_restore":
                repo.restore("areas", area)
    elif kind == "records_file" and measures:
        RecordsImport(repo, services.inspections.calendar).import_bytes(
            json.dumps(_records(_pick(measures, op)), ensure_ascii=False).encode(),
            today=date(2021, 12, 31),
        )
    elif kind == "progress":
        plan = _pick(_ids(db, "SELECT id FROM plans WHERE deleted = 0 AND kind = 'plan'"), op)
        lead = db.execute(
            "SELECT 1 FROM departments WHERE name = '市行政审批服务局' AND deleted = 0"
        ).fetchone()
        if plan is None or lead is None or db.execute("SELECT 1 FROM rounds").fetchone():
            return  # one 调度 round per example: a sheet round-trip through Excel is slow
        progress = services.progress
        round_id = progress.create_round("2021年7月调度", plan, date(2021, 8, 5), date(2021, 7, 20))
        out = workdir / "sheets"
        out.mkdir(exist_ok=True)
        sheets = _export(progress, round_id, out, "市行政审批服务局")
        filled = _fill(sheets["市行政审批服务局"], state="已完成", done_on="2021-07-30")
        progress.import_files([filled], received_on=date(2021, 8, 3))


def _log(storage: Storage) -> list[tuple]:
    return sorted(
        (e.table, e.row_id, e.field, repr(e.value), e.hlc, e.device, e.base_hlc or "")
        for e in read_changes(storage.db)
    )


def _source(operations: list[Op], workdir: Path) -> Storage:
    storage = Storage.open_memory()
    services = Services.for_storage(storage)
    services.identity.set("张三", UserRole.SUPERVISOR)
    logged: Counter[tuple] = Counter()
    for op in operations:
        # A refused action (a finding not in a stage that allows it, ...) must leave no trace.
        with contextlib.suppress(WriteError, RecordsFileError):
            _run(services, op, workdir)
        # The log only grows: an entry once logged reads back the same ever after. (A write
        # that skipped logging a field would change what the row's insert entry says.)
        now = Counter(_log(storage))
        assert not logged - now, (op, list(logged - now)[:3])
        logged = now
    return storage


def _rebuilt(entries: list[ChangeEntry], pieces: list[int]) -> Storage:
    replica = Storage.open_memory()
    start = 0
    for end in [*pieces, len(entries)]:
        replica.repository.apply(entries[start:end])
        start = end
    return replica


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(ops, min_size=1, max_size=25).map(lambda items: [Op("import"), *items]),
    st.randoms(use_true_random=False),
)
def test_the_services_writes_are_rebuilt_from_the_log(operations, random) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = _source(operations, Path(tmp))
    entries = list(read_changes(source.db))
    expected, expected_log = export_tables(source), _log(source)

    in_order = _rebuilt(entries, [])
    assert export_tables(in_order) == expected
    assert _log(in_order) == expected_log

    shuffled = list(entries)
    random.shuffle(shuffled)
    pieces = sorted(random.sample(range(len(shuffled)), min(4, len(shuffled))))
    scattered = _rebuilt(shuffled, pieces)
    assert export_tables(scattered) == expected
    assert _log(scattered) == expected_log

    # Everything again, in yet another order: nothing changes (idempotent).
    random.shuffle(shuffled)
    report = scattered.repository.apply(shuffled)
    assert report.applied == 0 and report.duplicates == len(entries)
    assert export_tables(scattered) == expected


def test_a_long_scripted_day_is_rebuilt_from_the_log(tmp_path: Path) -> None:
    """Every kind of action at least once, in an order where each one has something to act on."""
    script = [
        Op(kind, pick=index, day=index, text=f"第{index}步") for index, kind in enumerate(OPS)
    ]
    script += [Op(kind, pick=3, day=30, text="再来") for kind in ("record", *OPS[5:11])]
    source = _source(script, tmp_path)
    logged_tables = {e.table for e in read_changes(source.db)}
    assert {
        "plans",
        "measures",
        "milestones",
        "rounds",
        "progress_reports",
        "inspections",
        "findings",
        "finding_events",
        "holidays",
        "vocabulary",
    } <= logged_tables
    entries = list(read_changes(source.db))
    random_module.Random(12).shuffle(entries)
    replica = _rebuilt(entries, [len(entries) // 3, len(entries) // 2])
    assert export_tables(replica) == export_tables(source)
    assert _log(replica) == _log(source)
