"""The per-field change log: what every write appends and what sync will exchange.

An *entry* (``ChangeEntry``, the exchange format) is one field written once: table, row id,
field, new value, HLC timestamp, device id and the HLC of the field's previous version
(``base_hlc``). For any field, the entry with the highest ``(hlc, device)`` holds the current
value; every other entry is history (and, after sync, the losing side of a conflict).

How it is stored (schema step ``compact_change_log``; docs/sync-format.md has the full model):

- ``log_tables``, ``log_fields``, ``log_devices``: small lookup tables giving every synced
  table, column and device an integer key (keys are local to this database: two laptops may
  number the same device differently, so only names and device ids ever leave it);
- ``changes``: the append-only log, one record per write of a row, in local order (``seq``).
  ``field_key`` 0 is a whole-row insert, standing for one entry per column of the table;
- ``field_clock`` (WITHOUT ROWID): the current version (hlc, device) of every logged field —
  what last-writer-wins compares. ``field_key`` 0 is the version of the row's insert, which
  every column without a record of its own still has;
- ``history`` (WITHOUT ROWID): the value of every superseded entry. The value of a current
  entry is not stored twice: it is the row's column.

Row ids are stored as ``row_key``: the 16 bytes of a UUID written in its canonical form (what
``uuid.uuid4``/``uuid5`` give), the text itself for any other id ("insp-1" from a records
file, an upper-case UUID). HLCs are 64-bit integers (app/storage/hlc.py: ``hlc_to_int``).

The queries, and the index each uses: the current version of a field (``field_version``,
last-writer-wins): the primary key of field_clock; whether an entry is already logged
(``has_entry``, idempotent apply): field_clock, then the primary key of history; the entries
after a sequence number (``read_changes``, export): the rowid of changes; the latest HLC at open
(``latest_hlc``): ``log_devices.max_hlc``. Nothing else is indexed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlite_utils import Database

from app.storage.hlc import hlc_from_int, hlc_to_int
from app.storage.schema import CHANGES_TABLE, ID_COLUMN

Version = tuple[str, str]  # (hlc, device)
RowKey = bytes | str
WHOLE_ROW = 0  # field_key of an insert: every column of the row
READ_BATCH = 2_000  # changes records read at a time by read_changes

CLOCK_TABLE = "field_clock"
HISTORY_TABLE = "history"


class ChangeEntry(NamedTuple):
    """Immutable and hashable. A named tuple rather than a frozen dataclass: a sync builds one
    per entry it receives, and a tuple is made in under half the time."""

    table: str
    row_id: str
    field: str
    value: Any
    hlc: str
    device: str
    base_hlc: str | None = None

    @property
    def version(self) -> Version:
        return (self.hlc, self.device)

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "row_id": self.row_id,
            "field": self.field,
            "value": self.value,
            "hlc": self.hlc,
            "device": self.device,
            "base_hlc": self.base_hlc,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChangeEntry:
        return cls(
            table=data["table"],
            row_id=data["row_id"],
            field=data["field"],
            value=data["value"],
            hlc=data["hlc"],
            device=data["device"],
            base_hlc=data.get("base_hlc"),
        )


# ---- Row keys ----------------------------------------------------------------------------------


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def row_key(row_id: str) -> RowKey:
    """How a row id is stored in the log: a UUID's 16 bytes, any other id as its text."""
    if _CANONICAL_UUID.fullmatch(row_id):  # what str(uuid.UUID(...)) gives: the common case
        return bytes.fromhex(row_id.replace("-", ""))
    if len(row_id) == 36:
        try:
            parsed = uuid.UUID(row_id)
        except ValueError:
            return row_id
        if str(parsed) == row_id:  # only the canonical form: the text must come back as it was
            return parsed.bytes
    return row_id


def row_id_of(key: RowKey) -> str:
    return str(uuid.UUID(bytes=key)) if isinstance(key, bytes) else key


def row_id_sql(column: str) -> str:
    """SQL giving the row id (text) of a stored ``row_key`` column."""
    h = f"hex({column})"
    return (
        f"CASE WHEN typeof({column}) = 'blob' THEN lower(substr({h}, 1, 8) || '-' ||"
        f" substr({h}, 9, 4) || '-' || substr({h}, 13, 4) || '-' || substr({h}, 17, 4) || '-' ||"
        f" substr({h}, 21, 12)) ELSE {column} END"
    )


# ---- Keys of tables, fields and devices ----------------------------------------------------------


class LogKeys:
    """The integer keys of tables, fields and devices, read once and kept.

    Keys are only ever added. A key added by a transaction that then rolls back must be
    forgotten (``forget_uncommitted``), or a later write would use a key that is not there.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._load()

    def _load(self) -> None:
        self.tables: dict[str, int] = dict(self.db.execute("SELECT name, key FROM log_tables"))
        self.table_names: dict[int, str] = {key: name for name, key in self.tables.items()}
        self.fields: dict[tuple[int, str], int] = {}
        self.field_names: dict[tuple[int, int], str] = {}
        for table_key, key, name in self.db.execute("SELECT tbl, key, name FROM log_fields"):
            self.fields[(table_key, name)] = key
            self.field_names[(table_key, key)] = name
        self.devices: dict[str, int] = dict(self.db.execute("SELECT device, key FROM log_devices"))
        self.device_names: dict[int, str] = {key: name for name, key in self.devices.items()}
        self._columns: dict[int, tuple[tuple[int, str], ...]] = {}

    def forget_uncommitted(self) -> None:
        self._load()

    def table(self, name: str) -> int:
        key = self.tables.get(name)
        if key is None:
            self.db.execute("INSERT OR IGNORE INTO log_tables (name) VALUES (?)", [name])
            key = self.db.execute("SELECT key FROM log_tables WHERE name = ?", [name]).fetchone()[0]
            self.tables[name] = key
            self.table_names[key] = name
        return key

    def field(self, table_key: int, name: str) -> int:
        key = self.fields.get((table_key, name))
        if key is None:
            self.db.execute(
                "INSERT OR IGNORE INTO log_fields (tbl, key, name) SELECT ?,"
                " COALESCE(MAX(key), 0) + 1, ? FROM log_fields WHERE tbl = ?",
                [table_key, name, table_key],
            )
            key = self.db.execute(
                "SELECT key FROM log_fields WHERE tbl = ? AND name = ?", [table_key, name]
            ).fetchone()[0]
            self.fields[(table_key, name)] = key
            self.field_names[(table_key, key)] = name
            self._columns.pop(table_key, None)
        return key

    def device(self, device: str) -> int:
        key = self.devices.get(device)
        if key is None:
            self.db.execute("INSERT OR IGNORE INTO log_devices (device) VALUES (?)", [device])
            key = self.db.execute(
                "SELECT key FROM log_devices WHERE device = ?", [device]
            ).fetchone()[0]
            self.devices[device] = key
            self.device_names[key] = device
        return key

    def device_name(self, key: int) -> str:
        name = self.device_names.get(key)
        if name is None:  # added by another connection since we read the keys
            self._load()
            name = self.device_names[key]
        return name

    def field_name(self, table_key: int, key: int) -> str:
        name = self.field_names.get((table_key, key))
        if name is None:
            self._load()
            name = self.field_names[(table_key, key)]
        return name

    def columns(self, table_key: int) -> tuple[tuple[int, str], ...]:
        """(field key, name) of every column of the table but its id, in the table's order:
        the entries a whole-row insert stands for."""
        cached = self._columns.get(table_key)
        if cached is None:
            table = self.table_names[table_key]
            names = [row[1] for row in self.db.execute(f"PRAGMA table_info({table})")]
            cached = tuple(
                (self.fields[(table_key, name)], name)
                for name in names
                if name != ID_COLUMN and (table_key, name) in self.fields
            )
            self._columns[table_key] = cached
        return cached


def register_columns(db: Database, tables: Iterable[str]) -> None:
    """Give every column of ``tables`` a key (after a migration added tables or columns)."""
    keys = LogKeys(db)
    for table in tables:
        table_key = keys.table(table)
        for row in db.execute(f"PRAGMA table_info({table})").fetchall():
            if row[1] != ID_COLUMN:
                keys.field(table_key, row[1])


def columns_registered(db: Database, tables: Iterable[str]) -> bool:
    keys = LogKeys(db)
    for table in tables:
        table_key = keys.tables.get(table)
        if table_key is None:
            return False
        for row in db.execute(f"PRAGMA table_info({table})").fetchall():
            if row[1] != ID_COLUMN and (table_key, row[1]) not in keys.fields:
                return False
    return True


# ---- The log of one database ---------------------------------------------------------------------

StoredVersion = tuple[int, int]  # (hlc as an integer, device key)


class ChangeLog:
    """Reading and appending the compact change log of one database.

    The repository (app/storage/repository.py) is the only writer and keeps the invariants:
    every logged field has exactly one current version (in field_clock, or implied by the
    row's insert); every other logged entry has its value in history; the current value is the
    row's column.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.keys = LogKeys(db)

    # ---- Versions ----

    def row_clocks(self, table_key: int, key: RowKey) -> dict[int, StoredVersion]:
        """{field key: (hlc, device key)} of a row; key 0 is its insert's version."""
        return {
            field: (hlc, device)
            for field, hlc, device in self.db.execute(
                f"SELECT field_key, hlc, device_key FROM {CLOCK_TABLE}"
                " WHERE table_key = ? AND row_key = ?",
                [table_key, key],
            )
        }

    def version(self, stored: StoredVersion) -> Version:
        return (hlc_from_int(stored[0]), self.keys.device_name(stored[1]))

    def in_history(
        self, table_key: int, key: RowKey, field_key: int, hlc: int, device: int
    ) -> bool:
        return (
            self.db.execute(
                f"SELECT 1 FROM {HISTORY_TABLE} WHERE table_key = ? AND row_key = ?"
                " AND field_key = ? AND hlc = ? AND device_key = ?",
                [table_key, key, field_key, hlc, device],
            ).fetchone()
            is not None
        )

    # ---- Appending (called by the repository inside its transaction) ----

    _APPEND = (
        f"INSERT INTO {CHANGES_TABLE}"
        " (table_key, row_key, field_key, hlc, device_key, base_hlc) VALUES (?, ?, ?, ?, ?, ?)"
    )
    _SET_CLOCK = (
        f"INSERT INTO {CLOCK_TABLE} (table_key, row_key, field_key, hlc, device_key, base_hlc)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (table_key, row_key, field_key)"
        " DO UPDATE SET hlc = excluded.hlc, device_key = excluded.device_key,"
        " base_hlc = excluded.base_hlc"
    )
    _KEEP = (
        f"INSERT INTO {HISTORY_TABLE} (table_key, row_key, field_key, hlc, device_key, value)"
        " VALUES (?, ?, ?, ?, ?, ?)"
    )

    def append(
        self,
        table_key: int,
        key: RowKey,
        field_key: int,
        hlc: int,
        device: int,
        base_hlc: int | None,
    ) -> None:
        self.db.execute(self._APPEND, [table_key, key, field_key, hlc, device, base_hlc])

    def set_clock(
        self,
        table_key: int,
        key: RowKey,
        field_key: int,
        hlc: int,
        device: int,
        base_hlc: int | None = None,
    ) -> None:
        self.db.execute(self._SET_CLOCK, [table_key, key, field_key, hlc, device, base_hlc])

    def clock_base(self, table_key: int, key: RowKey, field_key: int) -> int | None:
        """The base HLC of the field's current version (None for an insert's)."""
        row = self.db.execute(
            f"SELECT base_hlc FROM {CLOCK_TABLE} WHERE table_key = ? AND row_key = ?"
            " AND field_key = ?",
            [table_key, key, field_key],
        ).fetchone()
        return None if row is None else row[0]

    def keep(
        self, table_key: int, key: RowKey, field_key: int, stored: StoredVersion, value: Any
    ) -> None:
        """Keep the value of a superseded entry."""
        self.db.execute(self._KEEP, [table_key, key, field_key, stored[0], stored[1], value])

    def write_many(
        self,
        kept: Sequence[tuple[int, RowKey, int, int, int, Any]],
        clocks: Sequence[tuple[int, RowKey, int, int, int, int | None]],
        appended: Sequence[tuple[int, RowKey, int, int, int, int | None]],
    ) -> None:
        """``keep``, ``set_clock`` and ``append`` of many entries, each list in its order:
        (table key, row key, field key, hlc, device key, value or base hlc) tuples."""
        connection = self.db.conn
        if kept:
            connection.executemany(self._KEEP, kept)
        if clocks:
            connection.executemany(self._SET_CLOCK, clocks)
        if appended:
            connection.executemany(self._APPEND, appended)

    def log_inserts(self, table_key: int, keys: Sequence[RowKey], hlc: int, device: int) -> None:
        """Whole-row insert records for new rows (every column at one version)."""
        params = [(table_key, key, WHOLE_ROW, hlc, device) for key in keys]
        self.db.conn.executemany(
            f"INSERT INTO {CHANGES_TABLE} (table_key, row_key, field_key, hlc, device_key)"
            " VALUES (?, ?, ?, ?, ?)",
            params,
        )
        self.db.conn.executemany(
            f"INSERT INTO {CLOCK_TABLE} (table_key, row_key, field_key, hlc, device_key)"
            " VALUES (?, ?, ?, ?, ?)",
            params,
        )

    def log_records(self, records: Sequence[tuple[int, RowKey, int, int, int]]) -> None:
        """(table key, row key, field key, hlc, device key) records with no base, appended
        and set as the fields' clocks (fields without a clock yet)."""
        self.db.conn.executemany(
            f"INSERT INTO {CHANGES_TABLE} (table_key, row_key, field_key, hlc, device_key)"
            " VALUES (?, ?, ?, ?, ?)",
            records,
        )
        self.db.conn.executemany(
            f"INSERT INTO {CLOCK_TABLE} (table_key, row_key, field_key, hlc, device_key)"
            " VALUES (?, ?, ?, ?, ?)",
            records,
        )

    def clocks_of(
        self, table_key: int, keys: Sequence[RowKey]
    ) -> dict[RowKey, dict[int, StoredVersion]]:
        """``row_clocks`` of many rows of one table."""
        found: dict[RowKey, dict[int, StoredVersion]] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            for key, field_key, hlc, device in self.db.execute(
                f"SELECT row_key, field_key, hlc, device_key FROM {CLOCK_TABLE}"
                f" WHERE table_key = ? AND row_key IN ({', '.join('?' for _ in part)})",
                [table_key, *part],
            ):
                found.setdefault(key, {})[field_key] = (hlc, device)
        return found

    def saw(self, device: int, hlc: int) -> None:
        """Remember the latest HLC logged for a device (``latest_hlc`` reads it at open)."""
        self.db.execute(
            "UPDATE log_devices SET max_hlc = ? WHERE key = ? AND max_hlc < ?", [hlc, device, hlc]
        )

    # ---- Reading ----

    def read(self, after_seq: int = 0) -> Iterator[tuple[int, ChangeEntry]]:
        """(seq, entry) in the order they were appended locally; a whole-row insert gives one
        entry per column, in the table's column order."""
        last = after_seq
        while True:
            records = self.db.execute(
                f"SELECT seq, table_key, row_key, field_key, hlc, device_key, base_hlc"
                f" FROM {CHANGES_TABLE} WHERE seq > ? ORDER BY seq LIMIT {READ_BATCH}",
                [last],
            ).fetchall()
            if not records:
                return
            last = records[-1][0]
            rows, clocks = self._rows_and_clocks(records)
            for seq, table_key, key, field_key, hlc, device, base in records:
                table = self.keys.table_names.get(table_key) or self._table_name(table_key)
                row_id = row_id_of(key)
                device_name = self.keys.device_name(device)
                base_text = None if base is None else hlc_from_int(base)
                hlc_text = hlc_from_int(hlc)
                row = rows.get((table_key, key))
                row_clock = clocks.get((table_key, key), {})
                if field_key == WHOLE_ROW:
                    fields = self.keys.columns(table_key)
                else:
                    fields = ((field_key, self.keys.field_name(table_key, field_key)),)
                for fk, name in fields:
                    current = row_clock.get(fk) or row_clock.get(WHOLE_ROW)
                    if current == (hlc, device) and row is not None:
                        value = row[name]
                    else:
                        value = self._kept(table_key, key, fk, hlc, device)
                    yield (
                        seq,
                        ChangeEntry(table, row_id, name, value, hlc_text, device_name, base_text),
                    )

    def _table_name(self, table_key: int) -> str:
        self.keys.forget_uncommitted()
        return self.keys.table_names[table_key]

    def _rows_and_clocks(
        self, records: list[tuple]
    ) -> tuple[dict[tuple[int, RowKey], dict[str, Any]], dict[tuple[int, RowKey], dict]]:
        wanted: dict[int, set[RowKey]] = {}
        for _seq, table_key, key, *_rest in records:
            wanted.setdefault(table_key, set()).add(key)
        rows: dict[tuple[int, RowKey], dict[str, Any]] = {}
        clocks: dict[tuple[int, RowKey], dict[int, StoredVersion]] = {}
        for table_key, keys in wanted.items():
            table = self.keys.table_names.get(table_key) or self._table_name(table_key)
            by_id = {row_id_of(key): key for key in keys}
            ids = list(by_id)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                cursor = self.db.execute(
                    f"SELECT * FROM {table} WHERE {ID_COLUMN} IN ({marks})", chunk
                )
                names = [d[0] for d in cursor.description]
                for values in cursor:
                    row = dict(zip(names, values, strict=True))
                    rows[(table_key, by_id[row[ID_COLUMN]])] = row
                keys_chunk = [by_id[row_id] for row_id in chunk]
                for key, field_key, hlc, device in self.db.execute(
                    f"SELECT row_key, field_key, hlc, device_key FROM {CLOCK_TABLE}"
                    f" WHERE table_key = ? AND row_key IN ({marks})",
                    [table_key, *keys_chunk],
                ):
                    clocks.setdefault((table_key, key), {})[field_key] = (hlc, device)
        return rows, clocks

    def _kept(self, table_key: int, key: RowKey, field_key: int, hlc: int, device: int) -> Any:
        row = self.db.execute(
            f"SELECT value FROM {HISTORY_TABLE} WHERE table_key = ? AND row_key = ?"
            " AND field_key = ? AND hlc = ? AND device_key = ?",
            [table_key, key, field_key, hlc, device],
        ).fetchone()
        if row is None:
            raise LookupError(
                f"change log damaged: no value for {self.keys.table_names[table_key]}"
                f" {row_id_of(key)} field {field_key} at {hlc_from_int(hlc)}"
            )
        return row[0]

    def entry_count(self) -> int:
        """How many entries the log holds (a whole-row insert counts one per column)."""
        total = 0
        for table_key, whole, count in self.db.execute(
            f"SELECT table_key, field_key = {WHOLE_ROW}, COUNT(*) FROM {CHANGES_TABLE}"
            " GROUP BY 1, 2"
        ):
            total += count * len(self.keys.columns(table_key)) if whole else count
        return total

    def row_entry_count(self, table: str, row_ids: Iterable[str]) -> int:
        """How many entries the log holds for these rows of ``table``."""
        table_key = self.keys.tables.get(table)
        if table_key is None:
            return 0
        columns = len(self.keys.columns(table_key))
        total = 0
        for row_id in row_ids:
            key = row_key(row_id)
            clocks = self.row_clocks(table_key, key)
            insert = clocks.get(WHOLE_ROW)
            total += (columns if insert else 0) + sum(1 for f in clocks if f != WHOLE_ROW)
            for hlc, device in self.db.execute(
                f"SELECT hlc, device_key FROM {HISTORY_TABLE} WHERE table_key = ? AND row_key = ?",
                [table_key, key],
            ):
                total += (hlc, device) != insert
        return total


# ---- The functions the rest of the app uses ------------------------------------------------------


def field_version(db: Database, table: str, row_id: str, field: str) -> Version | None:
    """The (hlc, device) of the field's current value, or None if it was never written."""
    log = ChangeLog(db)
    table_key = log.keys.tables.get(table)
    field_key = log.keys.fields.get((table_key, field)) if table_key is not None else None
    if field_key is None:
        return None
    clocks = log.row_clocks(table_key, row_key(row_id))
    current = clocks.get(field_key) or clocks.get(WHOLE_ROW)
    return None if current is None else log.version(current)


def has_entry(db: Database, entry: ChangeEntry) -> bool:
    log = ChangeLog(db)
    table_key = log.keys.tables.get(entry.table)
    field_key = log.keys.fields.get((table_key, entry.field)) if table_key is not None else None
    device = log.keys.devices.get(entry.device)
    if field_key is None or device is None:
        return False
    key = row_key(entry.row_id)
    clocks = log.row_clocks(table_key, key)
    current = clocks.get(field_key) or clocks.get(WHOLE_ROW)
    hlc = hlc_to_int(entry.hlc)
    if current == (hlc, device):
        return True
    return log.in_history(table_key, key, field_key, hlc, device)


def read_changes(db: Database, after_seq: int = 0) -> Iterator[ChangeEntry]:
    """Entries in the order they were appended locally (after the record ``after_seq``)."""
    for _seq, entry in ChangeLog(db).read(after_seq):
        yield entry


def read_changes_with_seq(db: Database, after_seq: int = 0) -> Iterator[tuple[int, ChangeEntry]]:
    """(seq, entry): the entries of one record share its seq; resume after the last one seen."""
    return ChangeLog(db).read(after_seq)


def last_seq(db: Database) -> int:
    return db.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {CHANGES_TABLE}").fetchone()[0]


def entry_count(db: Database) -> int:
    return ChangeLog(db).entry_count()


def latest_hlc(db: Database) -> str | None:
    row = db.execute("SELECT MAX(max_hlc) FROM log_devices").fetchone()
    return hlc_from_int(row[0]) if row and row[0] else None


def created_on_device_sql(alias: str, table: str, device_param: str) -> str:
    """SQL true when the row ``alias`` of ``table`` was inserted by the device ``device_param``
    (a named parameter, e.g. ``:viewer_device``): its whole-row insert record is that device's.
    ``table`` must be a name from SYNCED_TABLES (it is put into the SQL as is)."""
    return (
        f"{alias}.{ID_COLUMN} IN (SELECT {row_id_sql('vc.row_key')} FROM {CLOCK_TABLE} vc"
        " JOIN log_devices vd ON vd.key = vc.device_key"
        f" WHERE vc.table_key = (SELECT key FROM log_tables WHERE name = '{table}')"
        f" AND vc.field_key = {WHOLE_ROW} AND vd.device = {device_param})"
    )


def edited_since_insert(db: Database, table: str, row_id: str) -> bool:
    """Whether the log holds any entry for the row beyond its whole-row insert."""
    log = ChangeLog(db)
    table_key = log.keys.tables.get(table)
    if table_key is None:
        return False
    key = row_key(row_id)
    found = db.execute(
        f"SELECT 1 FROM {CLOCK_TABLE} WHERE table_key = ? AND row_key = ? AND field_key <> 0"
        f" UNION ALL SELECT 1 FROM {HISTORY_TABLE} WHERE table_key = ? AND row_key = ? LIMIT 1",
        [table_key, key, table_key, key],
    ).fetchone()
    return found is not None
