"""Laptops (database files in their own folders) sync through a shared folder.

Each laptop edits, deletes and records through the services; syncs run in different orders; once
everyone has synced twice, every laptop has the same rows and the same log, conflicts are listed,
and nothing on the share was ever replaced.
"""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

import main
from app.domain.inspection import UserRole
from app.domain.ledger import InspectionKind
from app.plan_import import parse_text
from app.services.context import Services
from app.services.findings import FindingDraft
from app.storage import Storage
from app.storage.changelog import read_changes
from app.storage.export import export_tables
from app.sync import FolderShare, ShareFormatError, sync
from app.sync.engine import log_digests
from tests.fixtures.make_schema_v4 import PLAN


def _log(storage: Storage) -> list[tuple]:
    return sorted(
        (e.table, e.row_id, e.field, repr(e.value), e.hlc, e.device, e.base_hlc or "")
        for e in read_changes(storage.db)
    )


class Laptop:
    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.storage = Storage.open(folder / "台账.sqlite")
        self.services = Services.for_storage(self.storage)
        self.services.identity.set("张三", UserRole.SUPERVISOR)
        self.repo = self.storage.repository
        self.db = self.storage.db

    def sync(self, share: Path):
        return sync(self.storage, FolderShare(share))

    def one(self, sql: str, params=()) -> str:
        return self.db.execute(sql, params).fetchone()[0]


def _share_files(share: Path) -> dict[str, bytes]:
    return {str(p.relative_to(share)): p.read_bytes() for p in share.rglob("*") if p.is_file()}


def _settle(laptops: list[Laptop], share: Path, rounds: int = 5) -> None:
    """Sync everyone in turn until a whole round sends and applies nothing."""
    for _round in range(rounds):
        reports = [laptop.sync(share) for laptop in laptops]
        assert not any(r.problems for r in reports), [r.problems for r in reports]
        if not any(r.sent or r.applied for r in reports):
            return
    raise AssertionError(f"not quiet after {rounds} rounds")


def _converged(laptops: list[Laptop]) -> None:
    tables = [export_tables(laptop.storage) for laptop in laptops]
    logs = [_log(laptop.storage) for laptop in laptops]
    assert all(t == tables[0] for t in tables[1:])
    assert all(log == logs[0] for log in logs[1:])
    assert all(laptop.repo.pending_count() == 0 for laptop in laptops)
    digests = [log_digests(laptop.storage) for laptop in laptops]
    assert digests[0] and all(d == digests[0] for d in digests[1:])


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "共享"
    folder.mkdir()
    return folder


def test_two_laptops_edit_the_same_ledger_and_end_identical(tmp_path: Path, share: Path) -> None:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    first = a.sync(share)
    assert first.sent == 1 and first.sent_entries > 0 and not first.problems
    received = b.sync(share)
    assert received.applied == 1 and not received.problems
    assert export_tables(b.storage) == export_tables(a.storage)

    plan = a.one("SELECT id FROM plans")
    area = a.one("SELECT id FROM areas ORDER BY position LIMIT 1")
    measure = a.one("SELECT id FROM measures ORDER BY position LIMIT 1")
    # The same field on both (a conflict), different fields of one row, delete vs edit.
    a.repo.update("plans", plan, {"title": "标题（甲）"})
    b.repo.update("plans", plan, {"title": "标题（乙）", "issuer": "滕州市人民政府"})
    a.repo.delete("areas", area)
    time.sleep(0.01)  # b's edit comes later than a's delete (by the clock)
    b.repo.update("areas", area, {"title": "企业开办（乙改）"})
    b.services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 7, 5),
        inspector="李四",
        findings=[FindingDraft("窗口未公示办理时限")],
        today=date(2021, 7, 5),
    )
    before = _share_files(share)
    reports = [b.sync(share), a.sync(share), b.sync(share)]
    assert not any(r.problems for r in reports)
    assert reports[1].conflicts == 1 and reports[2].conflicts == 1  # each side lists it once
    # b edited the area after a deleted it, not knowing: each brings it back (and flags it),
    # which is one more write on each side to send.
    assert reports[1].resurrected == 1 and reports[2].resurrected == 1
    _settle([a, b], share)
    _converged([a, b])
    row = export_tables(a.storage)["plans"][plan]
    assert row["issuer"] == "滕州市人民政府"
    area_row = export_tables(a.storage)["areas"][area]
    assert area_row["deleted"] is False and area_row["title"] == "企业开办（乙改）"
    # The higher HLC won; the conflict lists both values, the same on both laptops.
    for laptop in (a, b):
        conflict = laptop.db.execute(
            "SELECT kept_value, lost_value FROM sync_conflicts WHERE field = 'title'"
        )
        assert conflict.fetchall() == [
            (row["title"], ({"标题（甲）", "标题（乙）"} - {row["title"]}).pop())
        ]
    # Nothing on the share was replaced or removed; files are compressed journal batches.
    after = _share_files(share)
    assert all(after[name] == data for name, data in before.items())
    batches = [name for name in after if name.startswith("journal/")]
    assert batches and all(name.endswith(".jsonl.gz") for name in batches)
    assert json.loads(gzip.decompress(after[batches[0]]).splitlines()[0])["format"]
    # Another round finds nothing new.
    again = a.sync(share)
    assert (again.sent, again.applied, again.problems) == (0, 0, [])


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_three_laptops_end_identical_whatever_the_order_of_syncs(
    tmp_path: Path, share: Path, order
) -> None:
    laptops = [Laptop(tmp_path / name) for name in "abc"]
    laptops[0].services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    laptops[0].sync(share)
    for laptop in laptops[1:]:
        laptop.sync(share)
    plan = laptops[0].one("SELECT id FROM plans")
    milestones = [
        row[0] for row in laptops[0].db.execute("SELECT id FROM milestones ORDER BY rowid")
    ]
    for index, laptop in enumerate(laptops):
        laptop.repo.update("plans", plan, {"title": f"标题{index}"})
        laptop.repo.update("milestones", milestones[index], {"completed_on": "2021-06-30"})
        laptop.repo.insert("departments", {"name": f"新部门{index}", "is_group": 0})
    for _round in range(2):
        for index in order:
            report = laptops[index].sync(share)
            assert not report.problems, report.problems
    _converged(laptops)
    titles = {laptop.one("SELECT title FROM plans") for laptop in laptops}
    assert len(titles) == 1
    names = {row[0] for row in laptops[0].db.execute("SELECT name FROM departments")}
    assert {"新部门0", "新部门1", "新部门2"} <= names


def test_faults_on_the_share_are_reported_and_heal(tmp_path: Path, share: Path) -> None:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    a.sync(share)
    plan = a.one("SELECT id FROM plans")
    a.repo.update("plans", plan, {"title": "第二批"})
    a.sync(share)
    folder = share / "journal" / a.storage.device_id
    first, _second = sorted(folder.iterdir())
    # A stale listing (the first batch not visible yet): a gap, nothing of the second applied.
    hidden = tmp_path / first.name
    shutil.move(first, hidden)
    report = b.sync(share)
    assert report.applied == 0 and report.skipped == 1
    assert "缺少该设备第 1 至 1 批" in report.problems[0]["reason"]
    # The first arrives torn (half copied): damaged, reported, nothing applied.
    first.write_bytes(hidden.read_bytes()[: len(hidden.read_bytes()) // 2])
    report = b.sync(share)
    assert report.applied == 0 and "不完整或已损坏" in report.problems[0]["reason"]
    assert b.db.execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 0
    # A whole copy beside it under another retry name, and a conflict copy: applied once.
    (folder / first.name.replace(".jsonl.gz", "-r1.jsonl.gz")).write_bytes(hidden.read_bytes())
    (folder / (first.stem + " (conflicted copy).gz")).write_bytes(hidden.read_bytes())
    report = b.sync(share)
    assert report.applied == 2 and not report.problems
    assert any("conflicted copy" in name for name in report.ignored_files)
    assert b.one("SELECT title FROM plans") == "第二批"
    _converged([a, b])


def test_a_batch_written_before_a_crash_is_not_written_twice(tmp_path: Path, share: Path) -> None:
    a = Laptop(tmp_path / "a")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    a.sync(share)
    # The app died after writing the file, before recording it.
    a.db.execute("DELETE FROM sync_sent")
    a.db.conn.commit()
    plan = a.one("SELECT id FROM plans")
    a.repo.update("plans", plan, {"title": "改后"})
    report = a.sync(share)
    assert report.sent == 1 and not report.problems
    names = sorted(p.name for p in (share / "journal" / a.storage.device_id).iterdir())
    assert [name[:8] for name in names] == ["00000001", "00000002"]
    b = Laptop(tmp_path / "b")
    assert b.sync(share).applied == 2
    _converged([a, b])


def test_a_share_or_batch_from_a_newer_version_is_refused_and_kept(
    tmp_path: Path, share: Path
) -> None:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    a.sync(share)
    # A batch written by a newer schema: kept on the share, not applied, reported.
    folder = share / "journal" / a.storage.device_id
    (batch,) = folder.iterdir()
    lines = gzip.decompress(batch.read_bytes()).decode().splitlines()
    header = json.loads(lines[0])
    header["schema"] += 1
    body = ("\n".join([json.dumps(header, sort_keys=True), *lines[1:]]) + "\n").encode()
    from app.sync.journal import file_name

    newer = share / "newer"
    newer.mkdir()
    (newer / "journal" / a.storage.device_id).mkdir(parents=True)
    shutil.copy(share / "FORMAT.json", newer / "FORMAT.json")
    name = file_name(1, batch.name[9:28], body)
    (newer / "journal" / a.storage.device_id / name).write_bytes(gzip.compress(body))
    report = b.sync(newer)
    assert report.applied == 0 and "更新版本" in report.problems[0]["reason"]
    assert (newer / "journal" / a.storage.device_id / name).exists()
    # A share made by a newer format: refused with a clear message, nothing written.
    (share / "FORMAT.json").unlink()
    (share / "FORMAT.json").write_text(json.dumps({"format": "ducha-sync-share", "version": 9}))
    before = _share_files(share)
    with pytest.raises(ShareFormatError, match="请先把本程序升级"):
        b.sync(share)
    assert _share_files(share) == before


def test_the_sync_command_prints_a_json_summary(tmp_path: Path, share: Path, capsys) -> None:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    a.storage.close()
    b.storage.close()
    db_a, db_b = tmp_path / "a" / "台账.sqlite", tmp_path / "b" / "台账.sqlite"
    assert main.main(["sync", "--db", str(db_a), "--share", str(share)]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert sent["sent"] == 1 and sent["problems"] == []
    assert main.main(["sync", "--db", str(db_b), "--share", str(share), "--digest"]) == 0
    received = json.loads(capsys.readouterr().out)
    assert received["applied"] == 1 and received["entries_applied"] > 0
    assert main.main(["sync", "--db", str(db_a), "--share", str(share), "--digest"]) == 0
    assert json.loads(capsys.readouterr().out)["digests"] == received["digests"]
    # Something that cannot be applied: a non-zero exit code and the reason.
    (folder,) = (share / "journal").iterdir()
    (batch,) = folder.iterdir()
    batch.write_bytes(b"\x1f\x8b broken")
    db_c = tmp_path / "c.sqlite"
    assert main.main(["sync", "--db", str(db_c), "--share", str(share)]) != 0
    out = json.loads(capsys.readouterr().out)
    assert out["problems"] and out["applied"] == 0
    assert main.main(["sync", "--db", str(db_c), "--share", str(tmp_path / "nowhere")]) != 0
    assert "不存在" in capsys.readouterr().err


def test_a_deleted_row_edited_later_elsewhere_comes_back_flagged(tmp_path: Path, share: Path):
    a, b, c = (Laptop(tmp_path / name) for name in "abc")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    for laptop in (a, b, c):
        laptop.sync(share)
    measure = a.one("SELECT id FROM measures ORDER BY position LIMIT 1")
    other = a.one("SELECT id FROM measures ORDER BY position LIMIT 1 OFFSET 1")
    a.repo.delete("measures", measure)  # a deletes; b, not knowing, edits it afterwards
    a.repo.delete("measures", other)  # and this one nobody edits: it stays deleted
    time.sleep(0.01)
    b.repo.update("measures", measure, {"title": "压缩企业开办时间（乙补充）"})
    _settle([c, a, b], share)
    _converged([a, b, c])
    rows = export_tables(a.storage)["measures"]
    assert rows[measure]["deleted"] is False and rows[measure]["title"].endswith("（乙补充）")
    assert rows[other]["deleted"] is True
    for laptop in (a, b, c):
        flags = laptop.db.execute(
            "SELECT row_id, kept_value, lost_value FROM sync_conflicts WHERE field = 'deleted'"
        ).fetchall()
        assert flags == [(measure, 0, 1)], flags


def test_a_sync_that_dies_midway_keeps_whole_batches_and_goes_on_next_time(
    tmp_path: Path, share: Path, monkeypatch
) -> None:
    import app.sync.engine as engine
    from app.storage.repository import Repository

    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    sync(a.storage, FolderShare(share), batch_entries=50)
    batches = len(list((share / "journal" / a.storage.device_id).iterdir()))
    assert batches >= 3
    monkeypatch.setattr(engine, "COMMIT_ENTRIES", 1)  # a commit after every batch
    calls = {"n": 0}
    real_apply = Repository.apply

    def dying_apply(self, entries):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the laptop's lid was closed")
        return real_apply(self, entries)

    monkeypatch.setattr(Repository, "apply", dying_apply)
    with pytest.raises(RuntimeError):
        b.sync(share)
    assert b.db.execute("SELECT COUNT(*) FROM sync_applied").fetchone()[0] == 2
    monkeypatch.setattr(Repository, "apply", real_apply)
    report = b.sync(share)
    assert report.applied == batches - 2 and not report.problems
    _converged([a, b])


def test_changes_from_a_laptop_whose_clock_is_years_ahead_are_merged_and_flagged(
    tmp_path: Path, share: Path
) -> None:
    from app.storage.hlc import HybridLogicalClock

    a = Laptop(tmp_path / "a")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    a.sync(share)
    a.storage.close()
    two_years = 2 * 365 * 24 * 3600 * 1000
    ahead = Storage.open(
        tmp_path / "a" / "台账.sqlite",
        clock=HybridLogicalClock(wall=lambda: time.time_ns() // 1_000_000 + two_years),
    )
    plan = ahead.db.execute("SELECT id FROM plans").fetchone()[0]
    ahead.repository.update("plans", plan, {"title": "时钟快了两年"})
    sync(ahead, FolderShare(share))
    b = Laptop(tmp_path / "b")
    report = b.sync(share)
    assert not report.problems and report.far_future == 1
    assert "时钟可能不准" in report.warnings[0]["reason"]
    assert b.one("SELECT title FROM plans") == "时钟快了两年"
    # This laptop's own clock was not dragged two years ahead.
    assert b.repo.clock.last < ahead.repository.clock.last
    ahead.close()


def test_evidence_files_travel_by_hash_and_may_arrive_after_their_rows(
    tmp_path: Path, share: Path
) -> None:
    from app.services.evidence import EvidenceStore
    from tests.services.photos import jpeg

    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    measure = a.one("SELECT id FROM measures ORDER BY position LIMIT 1")
    record = a.services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 7, 15),
        inspector="张三",
        today=date(2021, 7, 15),
    )
    store_a = EvidenceStore.for_storage(a.storage)
    photo = jpeg(tmp_path / "IMG_0001.JPG")
    evidence = store_a.add(photo, inspection_id=record).evidence
    sha = a.one("SELECT sha256 FROM evidence")
    sent = a.sync(share)
    assert sent.blobs_sent == 1
    on_share = share / "blobs" / "sha256" / sha[:2] / sha
    assert on_share.read_bytes() == photo.read_bytes()
    # The photo's copy to the share has not arrived yet (a stale listing): the row comes
    # first, its file is reported missing, and a later sync fetches it.
    hidden = tmp_path / "hidden-blob"
    shutil.move(on_share, hidden)
    first = b.sync(share)
    assert first.blobs_missing == 1 and first.blobs_received == 0 and not first.problems
    store_b = EvidenceStore.for_storage(b.storage)
    assert not store_b.blob_path(sha).exists()
    # A damaged copy is never put in place.
    on_share.write_bytes(photo.read_bytes()[:-10] + b"0123456789")
    damaged = b.sync(share)
    assert damaged.blobs_received == 0 and "已损坏" in damaged.warnings[0]["reason"]
    assert not store_b.blob_path(sha).exists()
    # The whole file (a retry by its sender after the bad copy was cleared away).
    on_share.unlink()
    shutil.move(hidden, on_share)
    second = b.sync(share)
    assert second.blobs_received == 1 and second.blobs_missing == 0
    assert store_b.blob_path(sha).read_bytes() == photo.read_bytes()
    assert store_b.verify(evidence.id)
    # Nothing is sent twice.
    assert a.sync(share).blobs_sent == 0 and b.sync(share).blobs_sent == 0


def test_a_colleagues_database_file_is_merged_without_touching_it(tmp_path: Path, capsys) -> None:
    import hashlib

    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    b.repo.insert("departments", {"name": "市统计局", "is_group": 0})
    a.storage.close()
    other = tmp_path / "a" / "台账.sqlite"
    fingerprint = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in other.parent.iterdir()
    }
    b.storage.close()
    ours = tmp_path / "b" / "台账.sqlite"
    assert main.main(["merge-db", "--db", str(ours), str(other)]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["applied"] == merged["entries"] > 0 and merged["pending"] == 0
    # Again: nothing new. The colleague's folder is as it was (no -shm, no journal, same bytes).
    assert main.main(["merge-db", "--db", str(ours), str(other)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["applied"] == 0 and again["duplicates"] == again["entries"]
    assert {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in other.parent.iterdir()
    } == fingerprint
    theirs, mine = Storage.open(other), Storage.open(ours)
    assert export_tables(mine)["plans"] == export_tables(theirs)["plans"]
    assert "市统计局" in {row["name"] for row in export_tables(mine)["departments"].values()}
    theirs.close()
    mine.close()
    # Not a ledger: refused with a clear message, nothing changed.
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    assert main.main(["merge-db", "--db", str(ours), str(junk)]) != 0
    assert capsys.readouterr().err


@pytest.mark.parametrize("damage", ["bit-flip", "empty", "truncated-gzip"])
def test_a_damaged_batch_file_is_refused_and_a_rewrite_heals_it(
    tmp_path: Path, share: Path, damage: str
) -> None:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    a.sync(share)
    (batch,) = (share / "journal" / a.storage.device_id).iterdir()
    good = batch.read_bytes()
    if damage == "bit-flip":
        middle = len(good) // 2
        bad = good[:middle] + bytes([good[middle] ^ 0x10]) + good[middle + 1 :]
    elif damage == "empty":
        bad = b""
    else:
        bad = good[:-8]
    batch.write_bytes(bad)
    report = b.sync(share)
    assert report.applied == 0 and report.problems
    assert b.db.execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 0
    # The sender sees its own batch is not the size it wrote and writes it again (-r1).
    healed = a.sync(share)
    assert not healed.problems
    names = sorted(p.name for p in batch.parent.iterdir())
    if damage == "bit-flip":
        # Same size: not noticed by the sender (it does not re-read its batches). Reported on
        # every receiver until someone merges the sender's database file (merge-db).
        assert names == [batch.name]
        assert b.sync(share).problems
        return
    assert len(names) == 2 and any(name.endswith("-r1.jsonl.gz") for name in names)
    assert "重新写入" in healed.warnings[0]["reason"]
    report = b.sync(share)
    assert report.applied == 1 and not report.problems
    _converged([a, b])
    assert not a.sync(share).warnings  # healed once


def test_renames_refused_always_are_reported_and_a_later_sync_sends(
    tmp_path: Path, share: Path
) -> None:
    class Refusing(FolderShare):
        refuse = True

        def write_new(self, path: str, data: bytes) -> None:
            if self.refuse and path.startswith("journal/"):
                raise PermissionError(32, "the file is being used by another process")
            super().write_new(path, data)

    a = Laptop(tmp_path / "a")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    folder = Refusing(share, retry_delay_s=0)
    report = sync(a.storage, folder)
    assert report.sent == 0 and "写入共享文件夹失败" in report.problems[0]["reason"]
    assert a.db.execute("SELECT COUNT(*) FROM sync_sent").fetchone()[0] == 0
    folder.refuse = False
    assert sync(a.storage, folder).sent == 1


def test_a_laptop_offline_for_months_sends_thousands_of_edits_in_several_batches(
    tmp_path: Path, share: Path
) -> None:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    a.sync(share)
    b.sync(share)
    measures = [row[0] for row in b.db.execute("SELECT id FROM measures")]
    with b.repo.transaction():
        for n in range(3000):
            b.repo.update("measures", measures[n % len(measures)], {"title": f"第{n}次修改"})
    report = sync(b.storage, FolderShare(share), batch_entries=1000)
    assert report.sent >= 3 and report.sent_entries == 3000
    received = a.sync(share)
    assert received.applied == report.sent and received.entries_applied == 3000
    _converged([a, b])


def _issue_a_bulletin(laptop: Laptop) -> str:
    """张三 (审核人) drafts, submits and issues a 督办通知 on ``laptop``: its Word and PDF are
    frozen in ``<db>.documents/``."""
    from app.services.bulletins import BulletinKind, DraftRequest

    services = laptop.services
    measure = laptop.one("SELECT id FROM measures ORDER BY position LIMIT 1")
    inspection = services.inspections.record(
        measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 7, 5),
        inspector="张三",
        findings=[FindingDraft("窗口无人值守")],  # the lead department is the one to rectify
    )
    assert inspection
    department = laptop.one(
        "SELECT d.name FROM findings f JOIN departments d ON d.id = f.department_id LIMIT 1"
    )
    draft = services.bulletin_drafting.draft(
        DraftRequest(BulletinKind.NOTICE, date(2021, 7, 31), department_name=department)
    )
    bulletin_id = services.bulletins.create(draft, today=date(2021, 8, 1))
    services.bulletins.submit(bulletin_id, today=date(2021, 8, 1))
    services.bulletins.issue(bulletin_id, today=date(2021, 8, 2))
    assert services.bulletins.verify(bulletin_id) == []
    return bulletin_id


def test_an_issued_documents_frozen_files_travel_with_it(tmp_path: Path, share: Path) -> None:
    """The 已签发 document's Word and PDF reach the other laptop by hash, so its copy can be
    saved and verified there (not 文件缺失)."""
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    bulletin_id = _issue_a_bulletin(a)
    sent = a.sync(share)
    assert sent.blobs_sent >= 2 and not sent.problems
    received = b.sync(share)
    assert received.blobs_received >= 2 and not received.problems
    issued = b.services.bulletins.get(bulletin_id)
    assert issued.number and b.services.bulletins.verify(bulletin_id) == []
    copy = b.services.bulletins.save_copy(bulletin_id, "pdf", tmp_path / "通报.pdf")
    assert copy.read_bytes() == a.services.bulletins.get(bulletin_id).file("pdf").path.read_bytes()


def test_merge_db_brings_the_issued_documents_files_and_refuses_what_is_no_ledger(
    tmp_path: Path, capsys
) -> None:
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    a.services.plans.import_plan(parse_text(PLAN, "方案.txt"))
    bulletin_id = _issue_a_bulletin(a)
    a.storage.close()
    b.storage.close()
    ours, other = tmp_path / "b" / "台账.sqlite", tmp_path / "a" / "台账.sqlite"
    assert main.main(["merge-db", "--db", str(ours), str(other)]) == 0
    assert json.loads(capsys.readouterr().out)["blobs_received"] >= 2
    mine = Services.for_storage(Storage.open(ours))
    assert mine.bulletins.verify(bulletin_id) == []
    before = _log(mine.storage)
    mine.close()
    # A zip, a photo, anything not SQLite: refused by its first bytes, nothing changed.
    junk = tmp_path / "照片.sqlite"
    junk.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 5000)
    assert main.main(["merge-db", "--db", str(ours), str(junk)]) != 0
    assert "不是督查台账的数据库文件" in capsys.readouterr().err
    mine = Storage.open(ours)
    assert _log(mine) == before
    mine.close()


def test_text_with_unicode_line_separators_arrives_unchanged(tmp_path: Path, share: Path) -> None:
    """U+2028, U+2029 and U+0085 (text pasted from web pages and Word) are not escaped in the
    journal's JSON lines; they must not be taken for the end of a line."""
    a, b = Laptop(tmp_path / "a"), Laptop(tmp_path / "b")
    title = "第一段\u2028第二段\u2029第三段\x85完"
    plan = a.repo.insert("plans", {"title": title, "issuer": "演示市人民政府"})
    a.repo.update("plans", plan, {"doc_number": "演示发\u2028〔2021〕1号"})
    _settle([a, b], share)
    row = b.repo.get("plans", plan)
    assert (row["title"], row["doc_number"]) == (title, "演示发\u2028〔2021〕1号")
    _converged([a, b])
