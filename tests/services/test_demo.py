"""The demo ledger: whole or not at all, back in WAL mode afterwards, the same for any chunk size.

Kills are tested in tests/kill; these are the other ways a build can end or be disturbed.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import main
from app.services import demo
from app.services.demo import build_demo
from app.storage import Repository, Storage, WriteError
from app.storage.export import export_tables
from tests.conftest import add_sample_plan
from tests.kill.harness import State


def _journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]


def _live(storage: Storage, table: str) -> int:
    return storage.db.execute(f"SELECT COUNT(*) FROM {table} WHERE deleted = 0").fetchone()[0]


def test_the_demo_command_builds_the_whole_ledger_and_leaves_wal_on(db_path: Path) -> None:
    assert main.main(["demo", "--db", str(db_path), "--measures", "120", "--seed", "4"]) == 0
    assert _journal_mode(db_path) == "wal"
    assert not db_path.with_name(db_path.name + "-journal").exists()
    storage = Storage.open(db_path)
    try:
        assert (_live(storage, "plans"), _live(storage, "areas")) == (1, 3)
        assert _live(storage, "measures") == 120
        assert _live(storage, "milestones") >= 120
    finally:
        storage.close()


def test_an_error_part_way_leaves_the_database_as_it_was(
    storage: Storage, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_sample_plan(storage)
    before = (export_tables(storage), storage.db["changes"].count)
    monkeypatch.setattr(demo, "CHUNK", 10)
    insert_many = Repository.insert_many
    calls = {"milestones": 0}

    def failing(self: Repository, table: str, rows):
        if table == "milestones":
            calls["milestones"] += 1
            if calls["milestones"] == 3:  # the third chunk's milestones
                raise WriteError("磁盘已满")
        return insert_many(self, table, rows)

    monkeypatch.setattr(Repository, "insert_many", failing)
    with pytest.raises(WriteError):
        build_demo(storage.repository, measures=45)
    assert (export_tables(storage), storage.db["changes"].count) == before
    assert _journal_mode(db_path) == "wal"


def test_with_another_connection_open_it_stays_in_wal_and_is_still_whole(
    storage: Storage, db_path: Path
) -> None:
    with closing(sqlite3.connect(db_path)) as other:  # e.g. the desktop app on the same file
        other.execute("SELECT COUNT(*) FROM plans").fetchone()
        build_demo(storage.repository, measures=60)
        assert other.execute("SELECT COUNT(*) FROM measures").fetchone()[0] == 60
    assert _journal_mode(db_path) == "wal"


def test_the_content_does_not_depend_on_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    def built(chunk: int) -> dict:
        monkeypatch.setattr(demo, "CHUNK", chunk)
        storage = Storage.open_memory()
        build_demo(storage.repository, measures=130, seed=9)
        return State(export_tables(storage), storage.db["changes"].count).normalized()

    assert built(7) == built(5_000)
