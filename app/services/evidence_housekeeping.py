"""Housekeeping of evidence files, for the desktop app to run on a worker thread after startup.

- ``collect_garbage_in_file``: ``EvidenceStore.collect_garbage`` (blobs no row refers to, files
  left by a killed import) on a connection of its own, so the UI thread's connection is never
  used from another thread; it holds the database's write lock only while removing.
- ``remove_old_viewing_copies``: 打开 puts a read-only copy of a piece of evidence under its
  original name in ``<system temp>/ducha-evidence/<hash>/`` for another program to open
  (ui/dialogs/evidence_preview.py); copies older than a day are removed, with their folders.

Both are best-effort: a file that cannot be removed now (open in a viewer on Windows) is left for
the next start. No Qt here.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from app.services.evidence import GARBAGE_AGE, EvidenceStore, GarbageReport, sweep_garbage

VIEWING_FOLDER = "ducha-evidence"  # under the system's temporary folder
VIEWING_COPY_AGE = timedelta(days=1)


def viewing_folder() -> Path:
    """Where 打开 puts the copies it hands to other programs."""
    return Path(tempfile.gettempdir()) / VIEWING_FOLDER


def collect_garbage_in_file(
    db_path: str | Path,
    *,
    root: str | Path | None = None,
    older_than: timedelta = GARBAGE_AGE,
    now: datetime | None = None,
    busy_timeout: float = 10.0,
) -> GarbageReport:
    """``collect_garbage`` for the database file ``db_path`` (its evidence folder beside it
    unless ``root`` is given), on a connection of its own: for a worker thread.

    Raises sqlite3 errors as they come (the database is busy for longer than
    ``busy_timeout``, read-only, missing); nothing is removed then."""
    path = Path(db_path)
    folder = Path(root) if root is not None else EvidenceStore.root_for(path)
    if not folder.is_dir():
        return GarbageReport()  # no evidence yet: no need to open the database at all
    connection = sqlite3.connect(
        f"{path.absolute().as_uri()}?mode=rw",
        uri=True,
        timeout=busy_timeout,
        isolation_level=None,  # transactions as written below, nothing implicit
        check_same_thread=False,
    )

    @contextlib.contextmanager
    def write_lock() -> Iterator[None]:
        connection.execute("BEGIN IMMEDIATE")  # waits for another writer up to busy_timeout
        try:
            yield
        finally:
            connection.execute("ROLLBACK")  # nothing was written: only the lock was wanted

    try:
        return sweep_garbage(folder, write_lock, connection, older_than=older_than, now=now)
    finally:
        connection.close()


def remove_old_viewing_copies(
    folder: str | Path | None = None,
    *,
    older_than: timedelta = VIEWING_COPY_AGE,
    now: float | None = None,
) -> int:
    """Remove the copies 打开 made (``folder``: ``viewing_folder()``) last written more than
    ``older_than`` ago, and the per-file folders left empty; returns how many files went.

    Only ``<folder>/<hash>/<file>`` entries are looked at, symbolic links are not followed."""
    base = Path(folder) if folder is not None else viewing_folder()
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    removed = 0
    try:
        groups = [entry for entry in os.scandir(base) if entry.is_dir(follow_symlinks=False)]
    except OSError:  # no copies were ever made
        return 0
    for group in groups:
        try:
            entries = list(os.scandir(group.path))
        except OSError:
            continue
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime > cutoff:
                    continue
                # The copies are read-only (so nobody edits them by mistake); Windows refuses
                # to delete a read-only file.
                os.chmod(entry.path, stat.S_IRUSR | stat.S_IWUSR)
                os.unlink(entry.path)
            except OSError:
                continue
            removed += 1
        with contextlib.suppress(OSError):
            os.rmdir(group.path)  # only when empty
    return removed
