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
from app.limits import MAX_MERGE_DB_BYTES
from app.storage import Storage, StorageError
from app.storage.changelog import read_changes
from app.sync.blobs import file_kinds


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
    _check_file(other)
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
    report.blobs_received = _copy_blobs(storage, other)
    return report


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_file(other: Path) -> None:
    """Refused before a byte is copied: not a file, too big for a ledger, or not SQLite."""
    try:
        size = other.stat().st_size
        with other.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        from app.storage.errors import user_message

        raise StorageError(f"无法读取“{other}”：{user_message(error, other)}") from error
    if size > MAX_MERGE_DB_BYTES:
        raise StorageError(
            f"“{other.name}”有 {size / 1024**3:.1f} GB，超过台账数据库的上限"
            f" {MAX_MERGE_DB_BYTES / 1024**3:.0f} GB，不像督查台账的数据库，没有合并。"
        )
    if head != SQLITE_HEADER:
        raise StorageError(
            f"“{other.name}”不是督查台账的数据库文件（不是 SQLite 数据库），没有合并。"
            "请选择同事电脑上的 .sqlite 台账文件。"
        )


def _copy_blobs(storage: Storage, other: Path) -> int:
    """Evidence files (``<file>.evidence``) and issued documents' files (``<file>.documents``)
    beside the colleague's file that rows here refer to and this laptop lacks."""
    copied = 0
    for kind in file_kinds(storage):  # the same kinds of file a sync carries (blobs.py)
        their_root = kind.root_for(other)
        if their_root.is_dir():
            copied += _copy_kind(storage, kind.query, kind.local, their_root)
    return copied


def _copy_kind(storage: Storage, query: str, local, their_root: Path) -> int:
    copied = 0
    for (sha,) in storage.db.execute(query).fetchall():
        target = local(sha)
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
