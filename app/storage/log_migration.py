"""Schema step ``compact_change_log``: the text change log of schema 1–5, converted in place.

Frozen with the step (app/storage/migrations.py): never change what it produces. The old log
held one row per entry (text table, row id, field, device, HLC; the value as JSON). Every entry
is carried over with its table, row, field, HLC, device and base, and every value that is not the
field's current one goes to ``history``:

- a row whose insert is in the log whole (every column of its table at one version, no base) gets
  one whole-row record at the seq of that insert's first entry, and ``field_clock`` field 0;
- every other entry keeps its own record and seq;
- ``field_clock`` gets the current version of every field that differs from its row's insert
  (or of every field, for a row without a whole insert);
- a column of a row without a whole insert that the old log never mentions (added or filled by
  an earlier step in SQL) gets an entry now: this laptop's, one tick before the row's first
  entry, with the row's value, so that a database rebuilt from the log has it too and any real
  entry wins over it.

Two passes over the old log: rows in its index order (every row's entries together; memory
stays small whatever the size of the log), then the records in seq order. Runs inside the
migration's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from app.storage.changelog import WHOLE_ROW, LogKeys, RowKey, row_key
from app.storage.hlc import hlc_to_int
from app.storage.schema import ID_COLUMN, SYNCED_TABLES

FLUSH = 20_000  # rows of output written at a time

OldEntry = tuple[str, str, str, str | None, Any, int]  # field, hlc, device, base, value, seq


def compact_text_log(db: Database, old: str) -> None:
    keys = _register_keys(db, old)
    db.execute(
        "CREATE TEMP TABLE compact_whole_rows (tbl TEXT NOT NULL, row_id TEXT NOT NULL,"
        " hlc TEXT NOT NULL, device TEXT NOT NULL, first_seq INTEGER NOT NULL,"
        " PRIMARY KEY (tbl, row_id))"
    )
    try:
        unlogged: list[tuple[int, RowKey, int, int, int]] = []
        _clocks_and_history(db, old, keys, unlogged)
        _records(db, old)
        db.conn.executemany(  # after every old record, in the order of the rows
            "INSERT INTO changes (table_key, row_key, field_key, hlc, device_key)"
            " VALUES (?, ?, ?, ?, ?)",
            unlogged,
        )
    finally:
        db.execute("DROP TABLE temp.compact_whole_rows")


def _register_keys(db: Database, old: str) -> LogKeys:
    keys = LogKeys(db)
    present = set(db.table_names())
    logged = [row[0] for row in db.execute(f"SELECT DISTINCT tbl FROM {old} ORDER BY tbl")]
    for table in [*(t for t in SYNCED_TABLES if t in present), *logged]:
        table_key = keys.table(table)
        if table in present:
            for row in db.execute(f"PRAGMA table_info({table})").fetchall():
                if row[1] != ID_COLUMN:
                    keys.field(table_key, row[1])
    for table, field in db.execute(f"SELECT DISTINCT tbl, field FROM {old} ORDER BY 1, 2"):
        keys.field(keys.table(table), field)
    meta = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    if meta is not None:
        keys.device(meta[0])
    for (device,) in db.execute(
        f"SELECT device FROM {old} GROUP BY device ORDER BY MIN(seq)"
    ).fetchall():
        keys.device(device)
    return keys


def _rows(db: Database, old: str) -> Iterator[tuple[str, str, list[OldEntry]]]:
    """(table, row id, entries by field then version) for every row in the old log."""
    cursor = db.conn.execute(
        f"SELECT tbl, row_id, field, hlc, device, base_hlc, value, seq FROM {old}"
        " ORDER BY tbl, row_id, field, hlc, device"
    )
    current: tuple[str, str] | None = None
    entries: list[OldEntry] = []
    for tbl, row_id, field, hlc, device, base, value, seq in cursor:
        if (tbl, row_id) != current:
            if current is not None:
                yield current[0], current[1], entries
            current, entries = (tbl, row_id), []
        entries.append((field, hlc, device, base, value, seq))
    if current is not None:
        yield current[0], current[1], entries


def _clocks_and_history(
    db: Database, old: str, keys: LogKeys, unlogged: list[tuple[int, RowKey, int, int, int]]
) -> None:
    conn = db.conn
    columns = {
        table: {name for _key, name in keys.columns(key)} for table, key in keys.tables.items()
    }
    clocks: list[tuple] = []
    kept: list[tuple] = []
    meta = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    own = None if meta is None else keys.devices.get(meta[0])
    whole_rows: list[tuple] = []
    latest: dict[int, int] = {}

    def flush() -> None:
        conn.executemany(
            "INSERT INTO field_clock (table_key, row_key, field_key, hlc, device_key, base_hlc)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            clocks,
        )
        conn.executemany(
            "INSERT INTO history (table_key, row_key, field_key, hlc, device_key, value)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            kept,
        )
        conn.executemany(
            "INSERT INTO temp.compact_whole_rows (tbl, row_id, hlc, device, first_seq)"
            " VALUES (?, ?, ?, ?, ?)",
            whole_rows,
        )
        clocks.clear()
        kept.clear()
        whole_rows.clear()

    for table, row_id, entries in _rows(db, old):
        table_key, key = keys.tables[table], row_key(row_id)
        # The row's whole insert: the lowest version with no base covering every column.
        inserts: dict[tuple[str, str], list[OldEntry]] = {}
        for entry in entries:
            if entry[3] is None:
                inserts.setdefault((entry[1], entry[2]), []).append(entry)
        complete = [
            version
            for version, group in inserts.items()
            if {entry[0] for entry in group} == columns[table]
        ]
        whole = min(complete) if complete else None
        if whole is not None:
            first_seq = min(entry[5] for entry in inserts[whole])
            whole_rows.append((table, row_id, whole[0], whole[1], first_seq))
            clocks.append(
                (table_key, key, WHOLE_ROW, hlc_to_int(whole[0]), keys.devices[whole[1]], None)
            )
        for index, (field, hlc, device, base, value, _seq) in enumerate(entries):
            stored = (hlc_to_int(hlc), keys.devices[device])
            if stored[0] > latest.get(stored[1], 0):
                latest[stored[1]] = stored[0]
            field_key = keys.fields[(table_key, field)]
            last_of_field = index + 1 == len(entries) or entries[index + 1][0] != field
            if not last_of_field:
                kept.append((table_key, key, field_key, *stored, _decode(value)))
            elif (hlc, device) != whole:
                clocks.append(
                    (table_key, key, field_key, *stored, None if base is None else hlc_to_int(base))
                )
        # Columns earlier steps added or filled in SQL without logging them (step 4 set a
        # rectified finding's new ``stage`` to 'closed'): logged now, by this laptop, one tick
        # before the row's first entry, so that any real entry of the row wins over them.
        if whole is None and own is not None:
            missing = columns[table] - {entry[0] for entry in entries}
            before = min(hlc_to_int(entry[1]) for entry in entries) - 1
            for field in sorted(missing):
                record = (table_key, key, keys.fields[(table_key, field)], before, own)
                clocks.append((*record, None))
                unlogged.append(record)
        if len(clocks) + len(kept) >= FLUSH:
            flush()
    flush()
    conn.executemany(
        "UPDATE log_devices SET max_hlc = ? WHERE key = ?",
        [(hlc, device) for device, hlc in latest.items()],
    )


def _records(db: Database, old: str) -> None:
    hlc = "CAST(substr({0}, 1, 13) AS INTEGER) * 100000 + CAST(substr({0}, 15, 5) AS INTEGER)"
    db.conn.create_function("compact_row_key", 1, row_key, deterministic=True)
    try:
        db.execute(
            "INSERT INTO changes (seq, table_key, row_key, field_key, hlc, device_key, base_hlc)"
            " SELECT c.seq, t.key, compact_row_key(c.row_id),"
            f" CASE WHEN w.first_seq IS NULL THEN f.key ELSE {WHOLE_ROW} END,"
            f" {hlc.format('c.hlc')}, d.key,"
            f" CASE WHEN c.base_hlc IS NULL THEN NULL ELSE {hlc.format('c.base_hlc')} END"
            f" FROM {old} c"
            " JOIN log_tables t ON t.name = c.tbl"
            " JOIN log_fields f ON f.tbl = t.key AND f.name = c.field"
            " JOIN log_devices d ON d.device = c.device"
            " LEFT JOIN temp.compact_whole_rows w ON w.tbl = c.tbl AND w.row_id = c.row_id"
            " AND w.hlc = c.hlc AND w.device = c.device AND c.base_hlc IS NULL"
            " WHERE w.first_seq IS NULL OR w.first_seq = c.seq"
            " ORDER BY c.seq"
        )
    finally:
        db.conn.create_function("compact_row_key", 1, None)


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)
