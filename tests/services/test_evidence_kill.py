"""Adding evidence killed mid-way (kill -9) leaves the row and its file, or no row at all.

A child process adds a photo and is stopped at a chosen point (while the file is half written,
after it is in place, after the row is inserted but not committed, after the commit) and
killed there; or it adds photo after photo and is killed at a random moment. Afterwards every
evidence row has its file with the right hash. A file without a row is garbage that
``collect_garbage`` removes; a row without its file never happens.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.ledger import InspectionKind
from app.files import TEMP_PREFIX, sha256_of
from app.services.evidence import EvidenceStore
from app.services.inspections import Inspections
from app.storage import Storage
from tests.services.photos import jpeg
from tests.services.test_status import Ledger

ROOT = Path(__file__).resolve().parents[2]

_CHILD = r"""
import os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from app.services import evidence
from app.storage import Storage, repository

db, record, stage, photos = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]


def hang(marker):
    print(marker, flush=True)
    time.sleep(600)


real_write_new = evidence.write_new
real_insert = repository.Repository.insert


class HalfWritten:
    def __init__(self, handle):
        self.handle = handle

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        os.fsync(self.handle.fileno())
        hang("writing")


def write_new(path, write):
    if stage == "writing" and "sha256" in Path(path).parts:
        return real_write_new(path, lambda handle: write(HalfWritten(handle)))
    done = real_write_new(path, write)
    if stage == "placed" and "sha256" in Path(path).parts:
        hang("placed")
    return done


def insert(self, table, values, **kwargs):
    row_id = real_insert(self, table, values, **kwargs)
    if stage == "inserted" and table == "evidence":
        hang("inserted")
    return row_id


evidence.write_new = write_new
repository.Repository.insert = insert
storage = Storage.open(db)
store = evidence.EvidenceStore.for_storage(storage)
print("ready", flush=True)
for photo in photos:
    store.add(photo, inspection_id=record)
    print("added", flush=True)
if stage == "committed":
    hang("committed")
"""


@pytest.fixture
def ledger_file(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "ledger.sqlite"
    storage = Storage.open(path)
    try:
        measure = Ledger(storage).measure(title="窗口服务")
        record = Inspections(storage.repository).record(
            measure,
            kind=InspectionKind.COVERT,
            checked_on=date(2021, 7, 15),
            inspector="张三",
            today=date(2021, 10, 31),
        )
    finally:
        storage.close()
    return path, record


def _run_until(db: Path, record: str, stage: str, photos: list[Path], marker: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(ROOT), str(db), record, stage, *map(str, photos)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        lines = [child.stdout.readline().strip()]
        while lines[-1] not in (marker, ""):
            lines.append(child.stdout.readline().strip())
        assert lines[-1] == marker, lines
    finally:
        child.kill()  # SIGKILL: no cleanup, no atexit, no rollback by Python
        child.wait(timeout=60)


def _check_invariant(db: Path) -> tuple[int, set[Path]]:
    """Every row has its file, byte-exact. Returns (rows, blob files)."""
    storage = Storage.open(db)
    try:
        store = EvidenceStore.for_storage(storage)
        rows = storage.db.execute("SELECT id, sha256 FROM evidence").fetchall()
        for _row_id, sha in rows:
            blob = store.blob_path(sha)
            assert blob.is_file(), "a row without its file"
            assert sha256_of(blob) == sha
        base = store.root / "sha256"
        blobs = {p for p in base.glob("*/*") if not p.name.startswith(TEMP_PREFIX)}
        return len(rows), blobs
    finally:
        storage.close()


def _collect(db: Path) -> int:
    storage = Storage.open(db)
    try:
        store = EvidenceStore.for_storage(storage)
        report = store.collect_garbage(
            older_than=timedelta(0), now=datetime.now() + timedelta(minutes=1)
        )
        return report.blobs + report.temporary
    finally:
        storage.close()


@pytest.mark.parametrize(
    ("stage", "rows", "garbage"),
    [
        ("writing", 0, 1),  # a half-written temporary file, never under the blob's name
        ("placed", 0, 1),  # the blob is in place, the row never came: garbage
        ("inserted", 0, 1),  # the row was inserted but not committed: rolled back
        ("committed", 1, 0),  # both
    ],
)
def test_killed_at_each_step(
    ledger_file: tuple[Path, str], tmp_path: Path, stage: str, rows: int, garbage: int
) -> None:
    db, record = ledger_file
    photo = jpeg(tmp_path / "现场.jpg", size=(1600, 1200))
    before = photo.read_bytes()
    _run_until(db, record, stage, [photo], stage)
    assert photo.read_bytes() == before  # the original is never touched
    count, blobs = _check_invariant(db)
    assert count == rows
    assert len(blobs) == (0 if stage == "writing" else 1)
    assert _collect(db) == garbage
    # Adding it again afterwards works, whatever was left.
    storage = Storage.open(db)
    try:
        store = EvidenceStore.for_storage(storage)
        added = store.add(photo, inspection_id=record)
        assert added.evidence.path.read_bytes() == before
        assert storage.db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 1
    finally:
        storage.close()
    assert _check_invariant(db)[0] == 1


def test_killed_at_random_moments(ledger_file: tuple[Path, str], tmp_path: Path) -> None:
    db, record = ledger_file
    photos = [jpeg(tmp_path / f"照片{n}.jpg", seed=n, size=(1200, 900)) for n in range(12)]
    chance = random.Random(20210715)
    for _round in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(ROOT), str(db), record, "none", *map(str, photos)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            for _ in range(chance.randrange(0, 6)):
                child.stdout.readline()  # let a few photos in first
            time.sleep(chance.uniform(0, 0.05))
        finally:
            child.kill()
            child.wait(timeout=60)
        _check_invariant(db)
    _collect(db)
    rows, blobs = _check_invariant(db)
    storage = Storage.open(db)
    try:
        referenced = {
            EvidenceStore.for_storage(storage).blob_path(sha)
            for (sha,) in storage.db.execute("SELECT sha256 FROM evidence")
        }
    finally:
        storage.close()
    assert blobs == referenced  # after collecting, only files that rows refer to
    assert rows == len(referenced)  # each photo is a different file
