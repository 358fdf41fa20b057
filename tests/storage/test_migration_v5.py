"""Schema step 5 (bulletins) on a database written by the v4 release (tests/fixtures/
schema_v4_workspace.sqlite, made by make_schema_v4_workspace.py before step 5 existed): the
upgrade (through every later step) backs up first, keeps every row and change of the 明察暗访
workspace, and gives the schema of a new database. Step 6's compaction of the change log is
tested on schema_v4.sqlite (tests/storage/test_log_migration.py)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from app.services.bulletins import BulletinDrafting, BulletinKind, Bulletins, DraftRequest
from app.storage import Storage
from app.storage.changelog import entry_count
from app.storage.export import export_tables
from app.storage.migrations import LEDGER_MIGRATIONS
from app.storage.schema import SYNCED_TABLES
from tests.storage.test_migrations import FIXTURES, _schema

V5_TABLES = ("bulletin_templates", "bulletins", "bulletin_files")


def _open_fixture(tmp_path: Path) -> Storage:
    path = tmp_path / "v4.sqlite"
    shutil.copy(FIXTURES / "schema_v4_workspace.sqlite", path)
    return Storage.open(path)


def test_the_v4_fixture_is_what_the_v4_release_wrote() -> None:
    with closing(sqlite3.connect(FIXTURES / "schema_v4_workspace.sqlite")) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (4,)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert not tables & set(V5_TABLES)


def test_the_v4_fixture_upgrades_to_bulletins_and_keeps_its_rows(tmp_path: Path) -> None:
    before = sqlite_rows(FIXTURES / "schema_v4_workspace.sqlite")
    storage = _open_fixture(tmp_path)
    assert storage.schema_version == LEDGER_MIGRATIONS.latest >= 5
    assert list(tmp_path.glob("v4.v4-backup-*.sqlite")), "upgrading must back up first"
    assert storage.device_id == "fixture-schema-v4-device-0000004"
    tables = export_tables(storage)
    for table, rows in before.items():
        assert {row_id: _plain(row) for row_id, row in tables[table].items()} == rows, table
    assert all(tables[table] == {} for table in V5_TABLES)
    # every change kept (step 6 may add the entries step 4 did not log: its ``stage`` column)
    assert entry_count(storage.db) >= before_changes(FIXTURES / "schema_v4_workspace.sqlite")
    fresh = Storage.open(tmp_path / "fresh.sqlite")
    assert _schema(storage.db) == _schema(fresh.db)
    fresh.close()
    storage.close()


def test_an_upgraded_ledger_drafts_and_stores_a_bulletin(tmp_path: Path) -> None:
    storage = _open_fixture(tmp_path)  # its user is 张三, a supervisor
    drafting = BulletinDrafting(storage.repository)
    draft = drafting.draft(
        DraftRequest(BulletinKind.INSPECTION, date(2021, 9, 30), starts_on=date(2021, 9, 1))
    )
    text = [
        getattr(block, "text", "") + getattr(block, "body", "") for block in draft.document.body
    ]
    assert any("台账更新不及时" in part for part in text)  # the open finding of the 明察 record
    bulletins = Bulletins.for_storage(storage)
    bulletin_id = bulletins.create(draft, today=date(2021, 10, 8))
    bulletins.submit(bulletin_id, today=date(2021, 10, 8))
    issued = bulletins.issue(bulletin_id, on=date(2021, 10, 8), today=date(2021, 10, 8))
    assert issued.bulletin.number == "滕政办督〔2021〕1号"
    assert len(issued.disclosed) == 1  # the 暗访 record of the fixture's plan
    storage.close()


def sqlite_rows(path: Path) -> dict[str, dict[str, dict]]:
    result: dict[str, dict[str, dict]] = {}
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        for table in SYNCED_TABLES:
            if table in V5_TABLES:
                continue
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            result[table] = {row["id"]: _plain(dict(row)) for row in rows}
    return result


def before_changes(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]


def _plain(row: dict) -> dict:
    return {
        key: (bool(value) if key == "deleted" else value)
        for key, value in row.items()
        if key != "id"
    }
