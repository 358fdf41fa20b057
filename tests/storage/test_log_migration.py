"""The step that compacts the change log (compact_change_log) on databases written by releases.

Each fixture holds the change log in its old shape (one text row per field). After the upgrade,
the log must give back every old entry exactly (table, row, field, value, HLC, device, base), every
field's current version must be the one the old log said, and the database must be rebuildable
from its log alone.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from app.storage import Storage
from app.storage.changelog import entry_count, field_version, latest_hlc, read_changes
from app.storage.export import export_tables

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# schema_v4_workspace.sqlite: the 明察暗访 workspace of v4 (checklists, a finding through 复查)
RELEASES = [
    "schema_v1.sqlite",
    "schema_v3.sqlite",
    "schema_v4.sqlite",
    "schema_v4_workspace.sqlite",
]

Entry = tuple[str, str, str, str, str, str, str]


def _old_log(path: Path) -> list[Entry]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT tbl, row_id, field, value, hlc, device, base_hlc FROM changes ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    return [
        (tbl, row_id, field, repr(None if value is None else json.loads(value)), hlc, device,
         base or "")
        for tbl, row_id, field, value, hlc, device, base in rows
    ]  # fmt: skip


def _new_log(storage: Storage) -> list[Entry]:
    return [
        (e.table, e.row_id, e.field, repr(e.value), e.hlc, e.device, e.base_hlc or "")
        for e in read_changes(storage.db)
    ]


def _writes(entries: list[Entry]) -> list[tuple[str, str]]:
    """The (hlc, device) of each write, in log order."""
    writes: list[tuple[str, str]] = []
    for *_rest, hlc, device, _base in entries:
        if not writes or writes[-1] != (hlc, device):
            writes.append((hlc, device))
    return writes


def _upgraded(tmp_path: Path, name: str) -> tuple[list[Entry], Storage]:
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    old = _old_log(path)
    return old, Storage.open(path)


@pytest.mark.parametrize("name", RELEASES)
def test_every_old_entry_comes_back_exactly(tmp_path: Path, name: str) -> None:
    old, storage = _upgraded(tmp_path, name)
    new = _new_log(storage)
    # The old entries are all there, none changed; what the later steps of the upgrade
    # added (columns a table gained since) comes on top.
    missing = Counter(old) - Counter(new)
    assert not missing, list(missing)[:5]
    assert entry_count(storage.db) == len(new)
    # The local order of the old log's writes is kept (within one write, at one HLC, a
    # whole-row insert now gives its row's entries together).
    kept = set(old)
    assert _writes(old) == _writes([e for e in new if e in kept])
    storage.close()


@pytest.mark.parametrize("name", RELEASES)
def test_the_current_version_of_every_field_is_the_old_logs(tmp_path: Path, name: str) -> None:
    old, storage = _upgraded(tmp_path, name)
    highest: dict[tuple[str, str, str], tuple[str, str]] = {}
    for table, row_id, field, _value, hlc, device, _base in old:
        key = (table, row_id, field)
        highest[key] = max(highest.get(key, ("", "")), (hlc, device))
    for (table, row_id, field), version in highest.items():
        assert field_version(storage.db, table, row_id, field) == version, (table, field)
    assert latest_hlc(storage.db) == max(hlc for *_rest, hlc, _device, _base in old)
    # The current values are the rows' columns: the old log's winning values.
    tables = export_tables(storage)
    for table, row_id, field, value, hlc, device, _base in old:
        if highest[(table, row_id, field)] == (hlc, device):
            assert repr(tables[table][row_id][field]) == value or field == "deleted", (
                table,
                row_id,
                field,
            )
    storage.close()


@pytest.mark.parametrize("name", RELEASES)
def test_an_upgraded_database_is_rebuilt_from_its_log(tmp_path: Path, name: str) -> None:
    old, storage = _upgraded(tmp_path, name)
    entries = list(read_changes(storage.db))
    replica = Storage.open(tmp_path / "replica.sqlite")
    replica.repository.apply(entries)
    source_tables, replica_tables = export_tables(storage), export_tables(replica)
    if name == "schema_v3.sqlite":
        # The released step 4 (inspection_workspace) set a rectified finding's new ``stage``
        # column to 'closed' in SQL without logging it; the compaction logs such columns (this
        # laptop's entry, before the row's first one), so the rebuilt database has it too.
        closed = [k for k, row in source_tables["findings"].items() if row["stage"] == "closed"]
        assert len(closed) == 1 and replica_tables["findings"][closed[0]]["stage"] == "closed"
        stage = [e for e in entries if e.row_id == closed[0] and e.field == "stage"]
        assert [(e.value, e.device, e.base_hlc) for e in stage] == [
            ("closed", storage.device_id, None)
        ]
        first = min(e[4] for e in old if e[1] == closed[0])  # its first entry in the old log
        assert stage[0].hlc < first
    for table in source_tables:
        logged = {e.row_id for e in entries if e.table == table}
        # Rows never written through the log (seeded lists) are the same on both sides anyway.
        assert {k: v for k, v in replica_tables[table].items() if k in logged} == {
            k: v for k, v in source_tables[table].items() if k in logged
        }, table
    assert sorted(_new_log(replica)) == sorted(_new_log(storage))
    # A second upgrade of the same file does nothing; applying the log again changes nothing.
    report = replica.repository.apply(entries)
    assert report.applied == 0 and report.duplicates == len(entries)
    replica.close()
    storage.close()


def test_the_old_log_and_its_indexes_are_gone(tmp_path: Path) -> None:
    _old, storage = _upgraded(tmp_path, "schema_v4.sqlite")
    names = {row[0] for row in storage.db.execute("SELECT name FROM sqlite_master")}
    assert "changes_text" not in names
    assert not {"changes_field_version", "changes_hlc"} & names
    columns = [row[1] for row in storage.db.execute("PRAGMA table_info(changes)")]
    assert "value" not in columns and "tbl" not in columns
    storage.close()
