"""Three laptops edit the same records at the same HLC; every delivery order gives one result.

The laptops start from one shared ledger (a plan import, a 明察 record with a finding), then each
makes the same kinds of edits through the services with a clock frozen at one wall time, so their
n-th writes carry the same HLC and only the device id can break the tie. Their batches (and the
shared one) are delivered to fresh databases and to each other in every order: all end with the
same rows and the same log, the highest device id wins each tied field, and the losing values
stay in the log.
"""

from __future__ import annotations

import itertools
import random
import time
from datetime import date
from pathlib import Path

import pytest

from app.domain.inspection import UserRole
from app.domain.ledger import InspectionKind
from app.plan_import import parse_text
from app.services.completion import Completion
from app.services.context import Services
from app.services.findings import FindingDraft
from app.storage import Storage
from app.storage.changelog import ChangeEntry, last_seq, read_changes
from app.storage.export import export_tables
from app.storage.hlc import HybridLogicalClock
from tests.fixtures.make_schema_v4 import PLAN

DEVICES = ["laptop-a", "laptop-b", "laptop-c"]  # laptop-c wins every tie


def _log(storage: Storage) -> list[tuple]:
    return sorted(
        (e.table, e.row_id, e.field, repr(e.value), e.hlc, e.device, e.base_hlc or "")
        for e in read_changes(storage.db)
    )


def _laptop(path: Path, device: str, wall_ms: int) -> Storage:
    storage = Storage.open(path)
    storage.db.execute("UPDATE meta SET value = ? WHERE key = 'device_id'", [device])
    storage.db.conn.commit()
    storage.close()
    return Storage.open(path, clock=HybridLogicalClock(wall=lambda: wall_ms))


def _shared_ledger() -> tuple[list[ChangeEntry], dict[str, str]]:
    storage = Storage.open_memory()
    services = Services.for_storage(storage)
    services.identity.set("张三", UserRole.SUPERVISOR)
    services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    db = storage.db
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    measure = one("SELECT id FROM measures ORDER BY position, rowid LIMIT 1")
    services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 7, 5),
        inspector="张三",
        findings=[FindingDraft("窗口未公示办理时限", rectify_by=date(2021, 7, 20))],
        today=date(2021, 7, 5),
    )
    ids = {
        "plan": one("SELECT id FROM plans"),
        "measure": measure,
        "milestone": one("SELECT id FROM milestones ORDER BY rowid LIMIT 1"),
        "finding": one("SELECT id FROM findings"),
        "area": one("SELECT id FROM areas ORDER BY position LIMIT 1"),
        "department": one("SELECT id FROM departments ORDER BY name LIMIT 1"),
    }
    return list(read_changes(db)), ids


def _edit(storage: Storage, index: int, ids: dict[str, str]) -> list[ChangeEntry]:
    """The same kinds of edits on each laptop (so the same clock ticks), different values."""
    services = Services.for_storage(storage)
    repo, device = storage.repository, DEVICES[index]
    before = last_seq(storage.db)
    repo.update("plans", ids["plan"], {"title": f"方案标题（{device}）"})
    Completion(repo).complete("milestones", ids["milestone"], date(2021, 6, 20 + index))
    services.findings.edit(ids["finding"], FindingDraft(f"问题描述（{device}）"))
    services.departments.rename(ids["department"], f"市部门{index}局")
    # One write each, at the same HLC: a delete, an edit of the same row, another row.
    if index == 0:
        repo.delete("areas", ids["area"])
    elif index == 1:
        repo.update("areas", ids["area"], {"title": "企业开办（改）"})
    else:
        repo.update("measures", ids["measure"], {"title": "压缩企业开办时间（改）"})
    # And a record of its own (new rows).
    services.inspections.record(
        ids["measure"],
        kind=InspectionKind.COVERT,
        checked_on=date(2021, 7, 6),
        inspector="李四",
        findings=[FindingDraft(f"暗访问题（{device}）")],
        today=date(2021, 7, 6),
    )
    return [entry for seq, entry in _entries_after(storage, before)]


def _entries_after(storage: Storage, seq: int):
    from app.storage.changelog import read_changes_with_seq

    return list(read_changes_with_seq(storage.db, seq))


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("merge")
    shared, ids = _shared_ledger()
    wall = time.time_ns() // 1_000_000 + 10_000  # past every shared HLC: one wall time for all
    laptops, batches = [], []
    for index, device in enumerate(DEVICES):
        laptop = _laptop(tmp / f"{device}.sqlite", device, wall)
        laptop.repository.apply(shared)
        batches.append(_edit(laptop, index, ids))
        laptops.append(laptop)
    yield {"shared": shared, "ids": ids, "laptops": laptops, "batches": batches}
    for laptop in laptops:
        laptop.close()


def test_the_laptops_really_wrote_at_the_same_clock(scene) -> None:
    clocks = [[entry.hlc for entry in batch] for batch in scene["batches"]]
    assert clocks[0] == clocks[1] == clocks[2]
    assert {e.device for batch in scene["batches"] for e in batch} == set(DEVICES)


def _expected(scene) -> tuple[dict, list]:
    replica = Storage.open_memory()
    for batch in [scene["shared"], *scene["batches"]]:
        replica.repository.apply(batch)
    return export_tables(replica), _log(replica)


def _lost(storage: Storage) -> set[tuple]:
    """The losing side of every conflict found: the same whatever the order of delivery."""
    return set(
        storage.db.execute(
            "SELECT tbl, row_id, field, lost_value, lost_hlc, lost_device FROM sync_conflicts"
        ).fetchall()
    )


def test_concurrent_edits_are_listed_as_conflicts_with_both_values(scene) -> None:
    replica = Storage.open_memory()
    for batch in [scene["shared"], *scene["batches"]]:
        replica.repository.apply(batch)
    rows = replica.db.execute(
        "SELECT kept_value, kept_device, lost_value, lost_device FROM sync_conflicts"
        " WHERE tbl = 'plans' AND field = 'title' ORDER BY lost_device"
    ).fetchall()
    # a then b then c: b beat a, then c beat b; every loser is listed with the value kept.
    assert rows == [
        ("方案标题（laptop-b）", "laptop-b", "方案标题（laptop-a）", "laptop-a"),
        ("方案标题（laptop-c）", "laptop-c", "方案标题（laptop-b）", "laptop-b"),
    ]
    # The delete on one laptop and the edit of the same row on another are different fields:
    # no conflict; neither is a field edited to two values.
    area = scene["ids"]["area"]
    assert not replica.db.execute(
        "SELECT 1 FROM sync_conflicts WHERE row_id = ?", [area]
    ).fetchone()


def test_the_highest_device_wins_each_tie_and_the_losers_stay_in_the_log(scene) -> None:
    tables, _log_entries = _expected(scene)
    ids = scene["ids"]
    assert tables["plans"][ids["plan"]]["title"] == "方案标题（laptop-c）"
    assert tables["milestones"][ids["milestone"]]["completed_on"] == "2021-06-22"
    assert tables["findings"][ids["finding"]]["description"] == "问题描述（laptop-c）"
    assert tables["departments"][ids["department"]]["name"] == "市部门2局"
    # Delete and edit of one row at the same clock touch different fields: both hold.
    area = tables["areas"][ids["area"]]
    assert area["deleted"] is True and area["title"] == "企业开办（改）"
    assert tables["measures"][ids["measure"]]["title"] == "压缩企业开办时间（改）"
    # Every laptop's own record arrived.
    covert = [row for row in tables["findings"].values() if row["description"].startswith("暗访")]
    assert len(covert) == 3
    replica = Storage.open_memory()
    replica.repository.apply([e for batch in [scene["shared"], *scene["batches"]] for e in batch])
    titles = {
        e.value for e in read_changes(replica.db) if e.table == "plans" and e.field == "title"
    }
    assert {f"方案标题（{device}）" for device in DEVICES} <= titles  # losers kept


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_every_delivery_order_gives_the_same_database(scene, order) -> None:
    """The shared batch and the three laptops' batches, one apply each, in every order
    (a batch whose rows need the shared one waits for it)."""
    expected_tables, expected_log = _expected(scene)
    batches = [scene["shared"], *scene["batches"]]
    replica = Storage.open_memory()
    for index in order:
        replica.repository.apply(batches[index])
    assert replica.repository.pending_count() == 0
    assert export_tables(replica) == expected_tables
    assert _log(replica) == expected_log
    reference = Storage.open_memory()
    for batch in batches:
        reference.repository.apply(batch)
    assert _lost(replica) == _lost(reference) and _lost(reference)
    # Delivered again, shuffled entry by entry: nothing changes.
    again = [e for batch in batches for e in batch]
    random.Random(sum(order)).shuffle(again)
    report = replica.repository.apply(again)
    assert report.applied == 0 and report.duplicates == len(again)
    assert export_tables(replica) == expected_tables


def test_each_laptop_ends_with_the_same_database_whatever_order_it_hears_from_the_others(
    scene, tmp_path: Path
) -> None:
    expected_tables, expected_log = _expected(scene)
    import shutil

    for index, laptop in enumerate(scene["laptops"]):
        others = [b for i, b in enumerate(scene["batches"]) if i != index]
        for order in (others, others[::-1]):
            copy = tmp_path / f"copy-{index}-{len(list(tmp_path.iterdir()))}.sqlite"
            laptop.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copy(laptop.path, copy)
            storage = Storage.open(copy)
            for batch in order:
                storage.repository.apply(batch)
            assert export_tables(storage) == expected_tables
            assert _log(storage) == expected_log
            storage.close()
