"""A kill during the very first open of a new database must not make it "another program's".

sqlite-utils creates and commits its ``_sqlite_migrations`` table before the first migration
runs; a kill in between used to leave a file that every later open refused as another
program's SQLite database (the matrix row "import-plan into a new database" kills there too).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.storage import NotALedgerError, Storage
from app.storage.migrations import LEDGER_MIGRATIONS
from tests.kill.harness import launch
from tests.kill.test_kill_matrix import ROWS

NEW_DATABASE = next(row for row in ROWS if row.name == "import-plan into a new database")


def test_killed_before_the_first_migration_commits_it_opens_as_a_new_ledger(
    tmp_path: Path,
) -> None:
    db = tmp_path / "ledger.sqlite"
    killed = launch(
        NEW_DATABASE, tmp_path, {"kill": {"sql": 'INSERT INTO "_sqlite_migrations"', "nth": 1}}
    )
    assert killed.returncode == -9
    with closing(sqlite3.connect(db)) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
    assert "_sqlite_migrations" in tables and "plans" not in tables  # what the kill left

    storage = Storage.open(db)
    try:
        assert storage.schema_version == LEDGER_MIGRATIONS.latest
    finally:
        storage.close()


def test_a_database_with_only_another_programs_migrations_is_still_refused(
    tmp_path: Path,
) -> None:
    db = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(db)) as connection:
        connection.execute(
            "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT,"
            " name TEXT, applied_at TEXT)"
        )
        connection.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('someone-else', 'm001', '2024-01-01')"
        )
        connection.commit()
    with pytest.raises(NotALedgerError):
        Storage.open(db)
