"""A colleague's database file as the carrier: merge its change log into this database.

The file is never opened where it lies (it may be on a share or a USB stick): its bytes (and
its -wal) are copied to a temporary folder on this disk, the copy is upgraded if it comes from
an older version, and its log is merged with the same rules as a sync (``Repository.apply``).
Evidence files beside it (``<file>.evidence``) are copied in by hash. The colleague's file is
only read.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.files import write_new
from app.services.evidence import EvidenceStore
from app.storage import Storage
from app.storage.changelog import read_changes


@dataclass
class MergeReport:
    entries: int = 0  # entries in the other database's log
    applied: int = 0
    superseded: int = 0
    duplicates: int = 0
    pending: int = 0
    conflicts: int = 0
    resurrected: int = 0
    blobs_received: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def merge_database_file(storage: Storage, other: Path) -> MergeReport:
    """Merge the log of the database file ``other``; raises StorageError (not a ledger, newer
    schema, damaged) before anything here is changed."""
    report = MergeReport()
    with tempfile.TemporaryDirectory(prefix="ducha-merge-") as folder:
        copy = Path(folder) / "copy.sqlite"
        # The bytes only, with the -wal (changes not yet in the main file) and a -journal
        # (a write interrupted there, rolled back in the copy): the original is never opened.
        shutil.copyfile(other, copy)
        for suffix in ("-wal", "-journal"):
            beside = other.with_name(other.name + suffix)
            if beside.is_file():
                shutil.copyfile(beside, copy.with_name(copy.name + suffix))
        theirs = Storage.open(copy, create=False)
        try:
            entries = list(read_changes(theirs.db))
        finally:
            theirs.close()
    report.entries = len(entries)
    result = storage.repository.apply(entries)
    report.applied, report.superseded = result.applied, result.superseded
    report.duplicates, report.pending = result.duplicates, result.pending
    report.conflicts, report.resurrected = result.conflicts, result.resurrected
    report.blobs_received = _copy_blobs(storage, EvidenceStore.root_for(other))
    return report


def _copy_blobs(storage: Storage, their_root: Path) -> int:
    if storage.path is None or not their_root.is_dir():
        return 0
    ours = EvidenceStore.for_storage(storage)
    copied = 0
    for (sha,) in storage.db.execute("SELECT DISTINCT sha256 FROM evidence").fetchall():
        target = ours.blob_path(sha)
        source = their_root / "sha256" / sha[:2] / sha
        if target.exists() or not source.is_file():
            continue
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            continue  # a damaged copy there: the file stays missing here (shown as 文件缺失)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_new(target, lambda handle, data=data: handle.write(data))
        except FileExistsError:
            continue
        copied += 1
    return copied
