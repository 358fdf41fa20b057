from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app import paths
from app.storage import NotALedgerError, Storage, StorageError
from app.storage.schema import SYNCED_TABLES


def test_a_new_database_uses_wal_and_foreign_keys(storage: Storage) -> None:
    assert storage.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert storage.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_device_id_is_minted_once_and_kept(db_path: Path) -> None:
    first = Storage.open(db_path)
    device = first.device_id
    first.close()
    again = Storage.open(db_path)
    assert again.device_id == device
    assert len(device) == 32
    again.close()
    other = Storage.open(db_path.with_name("other.sqlite"))
    assert other.device_id != device
    other.close()


def test_every_synced_table_has_a_text_uuid_key_and_a_tombstone(storage: Storage) -> None:
    for table in SYNCED_TABLES:
        columns = {c.name: c for c in storage.db[table].columns}
        assert storage.db[table].pks == ["id"], table
        assert columns["id"].type == "TEXT", table
        assert columns["deleted"].notnull and columns["deleted"].default_value == "0", table


def test_synced_tables_list_matches_the_schema(storage: Storage) -> None:
    with_tombstones = {
        name for name in storage.db.table_names() if "deleted" in storage.db[name].columns_dict
    }
    assert with_tombstones == set(SYNCED_TABLES)


def test_foreign_keys_are_enforced(storage: Storage) -> None:
    from app.storage import WriteError

    with pytest.raises(WriteError):
        storage.repository.insert("areas", {"plan_id": "no-such-plan", "title": "x"})
    assert storage.db["areas"].count == 0
    assert storage.db["changes"].count == 0


def test_the_default_database_lives_in_the_user_data_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert paths.default_db_path() == tmp_path / "DuchaTaizhang" / "ledger.sqlite"
    storage = Storage.open(paths.default_db_path(), create_folder=True)  # only when asked
    assert paths.default_db_path().exists()
    storage.close()


def test_a_text_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(NotALedgerError, match="不是 SQLite 数据库"):
        Storage.open(path)
    assert path.read_text(encoding="utf-8") == "这不是数据库"


def test_a_corrupt_database_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    with pytest.raises(NotALedgerError, match="已损坏"):
        Storage.open(path)


def test_another_programs_sqlite_database_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotALedgerError, match="其他程序"):
        Storage.open(path)
    assert path.read_bytes() == before


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="文件夹"):
        Storage.open(tmp_path)
