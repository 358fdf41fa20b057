"""What opening and writing the database says when the file is busy, read-only or missing.

Read-only files and folders are made with ``tests/storage_conditions.py`` (immutable flag as
root, permission bits otherwise), a busy database by another process holding the write lock.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.storage import (
    DatabaseBusyError,
    MissingDatabaseError,
    MissingFolderError,
    NotALedgerError,
    ReadOnlyDatabaseError,
    Storage,
    StorageError,
    UpgradeNeededError,
    WriteError,
)
from tests.conftest import add_sample_plan
from tests.storage_conditions import InProcessReadOnly, write_lock_held_by_another_process

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _digest(folder: Path) -> dict[str, str]:
    """Every file in the folder and its content: proves nothing was written or created.

    A reader of a WAL database may leave its (empty) -wal and -shm index beside it; they hold
    no data, so only an empty -wal is accepted and the -shm is ignored.
    """
    digest = {}
    for path in sorted(folder.iterdir()):
        if path.name.endswith("-shm"):
            continue
        if path.name.endswith("-wal"):
            assert path.stat().st_size == 0, f"{path.name} holds changes"
            continue
        digest[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def _ledger(path: Path) -> Path:
    storage = Storage.open(path)
    add_sample_plan(storage)
    storage.close()
    return path


def _measure_count(storage: Storage) -> int:
    return storage.db.execute("SELECT COUNT(*) FROM measures").fetchone()[0]


# ---- Busy: another program holds the write lock ---------------------------------------------


def test_a_write_while_another_process_holds_the_lock_says_busy_and_changes_nothing(
    db_path: Path,
) -> None:
    _ledger(db_path)
    storage = Storage.open(db_path, busy_timeout=0.2)
    try:
        with (
            write_lock_held_by_another_process(db_path),
            pytest.raises(DatabaseBusyError) as caught,
        ):
            storage.repository.insert("plans", {"title": "另一个方案"})
        message = str(caught.value)
        assert "数据库正被另一个程序使用" in message and "请稍后重试" in message
        assert str(db_path) in message
        # The GUI's save handlers catch WriteError; the CLI catches StorageError.
        assert isinstance(caught.value, WriteError) and isinstance(caught.value, StorageError)
        assert storage.db.execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 1
        # Nothing is left half-open: the next write works.
        storage.repository.insert("plans", {"title": "另一个方案"})
    finally:
        storage.close()


def test_a_write_after_a_read_waits_for_the_lock_instead_of_failing_at_once(
    db_path: Path,
) -> None:
    """In WAL mode a transaction that reads first and then writes gets SQLITE_BUSY at once,
    without waiting; writes start with BEGIN IMMEDIATE so that the busy timeout applies."""
    _ledger(db_path)
    storage = Storage.open(db_path, busy_timeout=60)
    try:
        measure = storage.db.execute("SELECT id FROM measures LIMIT 1").fetchone()[0]
        with write_lock_held_by_another_process(db_path, release_after=0.5):
            changed = storage.repository.update("measures", measure, {"title": "改过的标题"})
        assert changed == ["title"]
        assert storage.repository.get("measures", measure)["title"] == "改过的标题"
    finally:
        storage.close()


def test_opening_a_new_database_while_it_is_locked_says_busy(db_path: Path) -> None:
    """The first open writes (WAL mode, migrations, the device id): it waits, then says so."""
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("PRAGMA journal_mode = wal")
    with (
        write_lock_held_by_another_process(db_path),
        pytest.raises(DatabaseBusyError, match="数据库正被另一个程序使用"),
    ):
        Storage.open(db_path, busy_timeout=0.2)
    storage = Storage.open(db_path)  # and works once the lock is gone
    assert len(storage.device_id) == 32
    storage.close()


# ---- Read-only file and folder --------------------------------------------------------------


def test_a_read_only_file_is_refused_for_writing_but_opens_read_only(
    db_path: Path, read_only: InProcessReadOnly
) -> None:
    _ledger(db_path)
    read_only.lock(db_path)
    before = _digest(db_path.parent)

    with pytest.raises(ReadOnlyDatabaseError) as caught:
        Storage.open(db_path)
    message = str(caught.value)
    assert "只读" in message and str(db_path) in message
    assert "已损坏" not in message and "备份" not in message

    storage = Storage.open(db_path, read_only=True)
    try:
        assert storage.read_only
        assert _measure_count(storage) == 6
        with pytest.raises(ReadOnlyDatabaseError, match="只读"):
            storage.repository.insert("plans", {"title": "不该保存"})
    finally:
        storage.close()
    assert _digest(db_path.parent) == before


def test_a_database_in_a_read_only_folder_is_not_called_damaged(
    tmp_path: Path, read_only: InProcessReadOnly
) -> None:
    folder = tmp_path / "光盘"
    folder.mkdir()
    path = _ledger(folder / "ledger.sqlite")
    read_only.lock(folder)
    before = _digest(folder)

    with pytest.raises(ReadOnlyDatabaseError) as caught:
        Storage.open(path)
    message = str(caught.value)
    assert "文件夹" in message and str(folder) in message and "只读" in message
    assert "已损坏" not in message and "从备份恢复" not in message

    # A WAL database needs its -shm file; in a read-only folder it is read as immutable.
    storage = Storage.open(path, read_only=True)
    try:
        assert _measure_count(storage) == 6
        assert storage.db.execute("SELECT title FROM plans").fetchone()[0].startswith("滕州市")
    finally:
        storage.close()
    assert _digest(folder) == before


def test_unsaved_wal_changes_in_a_read_only_folder_are_not_shown_stale(
    tmp_path: Path, read_only: InProcessReadOnly
) -> None:
    """Reading such a database as immutable would silently drop what is still in its -wal."""
    source = tmp_path / "source.sqlite"
    storage = Storage.open(source)
    storage.db.execute("PRAGMA wal_autocheckpoint = 0")
    add_sample_plan(storage)
    folder = tmp_path / "copy"
    folder.mkdir()
    # A copy taken while the writer is still open: the plan is only in the -wal file.
    shutil.copyfile(source, folder / "ledger.sqlite")
    shutil.copyfile(source.with_name("source.sqlite-wal"), folder / "ledger.sqlite-wal")
    storage.close()
    assert (folder / "ledger.sqlite-wal").stat().st_size > 0
    read_only.lock(folder)

    with pytest.raises(ReadOnlyDatabaseError) as caught:
        Storage.open(folder / "ledger.sqlite", read_only=True)
    message = str(caught.value)
    assert "ledger.sqlite-wal" in message and "复制到" in message


def test_a_read_only_open_never_migrates_or_writes(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURES / "schema_v1.sqlite", old)
    before = _digest(tmp_path)
    with pytest.raises(UpgradeNeededError) as caught:
        Storage.open(old, read_only=True)
    message = str(caught.value)
    assert "升级" in message and "可写" in message and str(old) in message
    assert isinstance(caught.value, ReadOnlyDatabaseError)
    assert _digest(tmp_path) == before  # no migration, no backup, no device id


def test_an_unreadable_file_gets_a_message_not_a_traceback(
    db_path: Path, read_only: InProcessReadOnly
) -> None:
    _ledger(db_path)
    if read_only.immutable:
        pytest.skip("as root every file is readable; only writing can be denied")
    db_path.chmod(0o000)
    try:
        with pytest.raises(StorageError, match="没有权限读取"):
            Storage.open(db_path, read_only=True)
    finally:
        db_path.chmod(0o644)


# ---- Missing file or folder -----------------------------------------------------------------


def test_opening_an_existing_ledger_never_creates_one(tmp_path: Path) -> None:
    path = tmp_path / "ledgr.sqlite"  # a typo
    for read_only in (False, True):
        with pytest.raises(MissingDatabaseError) as caught:
            Storage.open(path, create=False, read_only=read_only)
        assert str(path) in str(caught.value) and "找不到" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_is_not_an_existing_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.touch()
    with pytest.raises(MissingDatabaseError, match="空文件"):
        Storage.open(path, create=False)
    assert path.stat().st_size == 0


def test_a_missing_folder_is_refused_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "督查室" / "台账"
    for options in ({}, {"create": False}, {"read_only": True}):
        with pytest.raises(MissingFolderError) as caught:
            Storage.open(folder / "ledger.sqlite", **options)
        assert str(folder) in str(caught.value) and "不存在" in str(caught.value)
        assert isinstance(caught.value, MissingDatabaseError)
    assert list(tmp_path.iterdir()) == []


def test_the_folder_is_created_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "DuchaTaizhang" / "ledger.sqlite"
    storage = Storage.open(path, create_folder=True)
    assert storage.created and path.exists()
    storage.close()
    again = Storage.open(path)
    assert not again.created
    again.close()


def test_a_new_file_in_a_read_only_folder_is_refused(
    tmp_path: Path, read_only: InProcessReadOnly
) -> None:
    folder = tmp_path / "只读"
    folder.mkdir()
    read_only.lock(folder)
    with pytest.raises(ReadOnlyDatabaseError, match="文件夹") as caught:
        Storage.open(folder / "ledger.sqlite")
    assert str(folder) in str(caught.value)
    assert list(folder.iterdir()) == []


def test_a_corrupt_file_is_still_called_damaged(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    for read_only in (False, True):
        with pytest.raises(NotALedgerError, match="已损坏"):
            Storage.open(path, read_only=read_only)
