"""Sync work that runs off the UI thread, each on its own read-write connection.

SQLite connections belong to one thread, so the GUI's worker opens the database again
(``Storage.open``), does the work there and closes it; what changed comes back as
``{table: ids}`` (collected from that connection's repository) for the window to refresh its
pages, and the UI connection's clock is moved past what arrived (``catch_up_clock``) so that an
edit made next on the UI thread comes after it. Also here: ``export_copy``, a copy of this
laptop's database for a colleague to merge (SQLite's backup API, never the live file's bytes).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.files import write_free, write_new
from app.progress import Progress
from app.storage import Storage
from app.storage.changelog import latest_hlc
from app.sync.dbfile import MergeReport, merge_database_file
from app.sync.engine import SyncReport, sync
from app.sync.share import FolderShare
from app.sync.status import record_run, run_of


@dataclass
class Outcome:
    report: Any  # SyncReport or MergeReport
    changed: dict[str, set[str]] = field(default_factory=dict)


def _collect(storage: Storage, changed: dict[str, set[str]]):
    def listener(committed: Mapping[str, frozenset[str]]) -> None:
        for table, ids in committed.items():
            changed.setdefault(table, set()).update(ids)

    return storage.repository.subscribe(listener)


def run_sync(db_path: Path, share_root: Path, progress: Progress | None = None) -> Outcome:
    """One sync of the database at ``db_path`` through the folder ``share_root``. A failure
    that stops the sync (the share unreachable, a newer format) is recorded in the history,
    then raised."""
    storage = Storage.open(db_path)
    outcome = Outcome(SyncReport())
    unsubscribe = _collect(storage, outcome.changed)
    try:
        try:
            outcome.report = sync(storage, FolderShare(share_root), progress=progress)
        except Exception as error:
            record_run(storage, run_of(None, str(share_root), failure=str(error)))
            raise
    finally:
        unsubscribe()
        storage.close()
    return outcome


def run_merge(db_path: Path, other: Path) -> Outcome:
    """Merge a colleague's database file (app/sync/dbfile.py) on a connection of its own."""
    storage = Storage.open(db_path)
    outcome = Outcome(MergeReport())
    unsubscribe = _collect(storage, outcome.changed)
    try:
        outcome.report = merge_database_file(storage, other)
    finally:
        unsubscribe()
        storage.close()
    return outcome


def catch_up_clock(storage: Storage) -> None:
    """After another connection applied changes: this connection's clock goes past them."""
    latest = latest_hlc(storage.db)
    if latest is not None:
        storage.repository.clock.observe(latest)


def copy_name(db_path: Path, today: date | None = None) -> tuple[str, str]:
    """(stem, suffix) of the copy: "台账（副本 2026-12-01）", ".sqlite"."""
    day = (today or date.today()).isoformat()
    return f"{db_path.stem}（副本 {day}）", db_path.suffix or ".sqlite"


def export_copy(db_path: Path, folder: Path, progress: Progress | None = None) -> Path:
    """Write a copy of the database at ``db_path`` into ``folder`` under a free name (never
    replacing a file) and its evidence and documents' files beside it; returns the
    copy's path. The copy is made with SQLite's backup API from a connection of its own (a
    consistent snapshot while the app goes on), first to a local temporary file, then written
    into ``folder`` under a temporary name and renamed (app/files.py). It carries no device id
    and no record of batches sent: opened as someone's own database it is a new laptop; merged
    (从数据库文件合并…, merge-db) it gives all of this laptop's changes."""
    with tempfile.TemporaryDirectory(prefix="ducha-copy-") as scratch:
        snapshot = Path(scratch) / "copy.sqlite"
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        target = sqlite3.connect(snapshot)
        try:

            def step(_status: int, remaining: int, total: int) -> None:
                if progress is not None and total:
                    progress(total - remaining, total)

            source.backup(target, pages=1024, progress=step)
            target.execute("DELETE FROM meta WHERE key IN ('device_id', 'sync_history')")
            target.execute("DELETE FROM sync_sent")
            target.commit()
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            source.close()
        stem, suffix = copy_name(db_path)
        folder.mkdir(parents=True, exist_ok=True)

        def write(handle: Any) -> None:
            with snapshot.open("rb") as stream:
                shutil.copyfileobj(stream, handle, 1 << 20)

        copy = write_free(folder, stem, suffix, write)
    _copy_evidence(db_path, copy)
    return copy


def _copy_evidence(db_path: Path, copy: Path) -> None:
    """Evidence files (``<db>.evidence``) and issued documents' files (``<db>.documents``),
    content-addressed, beside the copy, where merge-db looks for them (app/sync/dbfile.py)."""
    from app.services.bulletins.frozen import FrozenFiles
    from app.services.evidence import EvidenceStore

    for root_for in (EvidenceStore.root_for, FrozenFiles.root_for):
        ours = root_for(db_path) / "sha256"
        if not ours.is_dir():
            continue
        theirs = root_for(copy) / "sha256"
        for blob in ours.glob("*/*"):
            if blob.is_file() and not blob.name.startswith("."):
                (theirs / blob.parent.name).mkdir(parents=True, exist_ok=True)
                data = blob.read_bytes()
                write_new(
                    theirs / blob.parent.name / blob.name, lambda handle, d=data: handle.write(d)
                )
