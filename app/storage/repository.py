"""The one write path for synced tables.

Every insert, update and tombstone-delete of a synced table goes through ``Repository``, which
appends one change-log entry per changed field in the same transaction. Changes received from
other laptops (and replays of a log) go through ``Repository.apply``, the per-field
last-writer-wins merge. SQLite itself enforces this: temporary triggers installed by
``Storage.open`` refuse writes to synced tables unless the repository has opened its write gate,
and refuse hard deletes altogether.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sqlite_utils import Database

from app.storage.changelog import (
    WHOLE_ROW,
    ChangeEntry,
    ChangeLog,
    RowKey,
    StoredVersion,
    columns_registered,
    register_columns,
    row_key,
)
from app.storage.errors import ReadOnlyDatabaseError, StorageError, WriteError, translate_write
from app.storage.hlc import HybridLogicalClock, hlc_from_int, hlc_to_int
from app.storage.schema import ID_COLUMN, SYNCED_TABLES, TOMBSTONE_COLUMN

WRITE_GATE = "temp._write_gate"

ChangeListener = Callable[[Mapping[str, frozenset[str]]], None]
"""Called after a transaction commits with {table: ids changed}."""


class RowNotFoundError(WriteError):
    pass


@dataclass
class ApplyReport:
    """What ``Repository.apply`` did with a batch of entries."""

    applied: int = 0  # entries that became the field's current value
    superseded: int = 0  # entries kept in the log but older than the current value
    duplicates: int = 0  # entries already in the log (idempotent replay)
    pending: int = 0  # entries held back: their row cannot be written yet (see apply)
    released: int = 0  # entries held back before that this apply could merge
    conflicts: int = 0  # fields changed concurrently elsewhere to another value (sync_conflicts)
    resurrected: int = 0  # deleted rows edited later elsewhere, brought back (and flagged)
    rows: dict[str, set[str]] = field(default_factory=dict)


class _TimeOrderedIds:
    """UUIDs of version 7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit counter that keeps
    ids of one millisecond in order, 62 random bits.

    Ids made one after another sort one after another, so every index on an id (each table's
    primary key, the foreign keys pointing at it, the change log's clocks) grows at its end
    instead of at random places: large imports stay fast and pages stay full. Ids are as unique
    as random ones (62 random bits per millisecond and counter, on top of the time); they tell
    when a row was made, which the change log's clocks tell anyway. Thread-safe.
    """

    def __init__(self) -> None:
        self._last = 0  # (ms << 12) | counter of the last id
        self._lock = threading.Lock()

    def make(self, count: int) -> list[tuple[str, bytes]]:
        """(text, 16 bytes) of ``count`` new ids, in increasing order."""
        with self._lock:
            stamp = max(time.time_ns() // 1_000_000 << 12, self._last + 1)
            self._last = stamp + count - 1
        randoms = os.urandom(8 * count)
        ids = []
        for offset in range(count):
            value = stamp + offset  # (ms << 12) | counter
            high = ((value >> 12) << 16) | 0x7000 | (value & 0xFFF)
            low = int.from_bytes(randoms[8 * offset : 8 * offset + 8], "big") >> 2 | 1 << 63
            raw = high.to_bytes(8, "big") + low.to_bytes(8, "big")
            h = raw.hex()
            ids.append((f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", raw))
        return ids


_IDS = _TimeOrderedIds()


def new_id() -> str:
    return _IDS.make(1)[0][0]


def new_ids(count: int) -> list[tuple[str, bytes]]:
    """``count`` new ids as (text, the 16 bytes the change log stores), in increasing order."""
    return _IDS.make(count)


PENDING_TABLE = "pending_entries"


class _HoldBack(Exception):
    """Raised inside ``apply`` to undo an attempt and hold these (table, row id) back."""

    def __init__(self, rows: set[tuple[str, str]]) -> None:
        super().__init__(f"{len(rows)} rows held back")
        self.rows = rows


def _entry_key(entry: ChangeEntry) -> tuple[str, str, str, str, str]:
    return (entry.table, entry.row_id, entry.field, entry.hlc, entry.device)


APPLY_CHUNK = 20_000  # entries ``apply`` reads at a time (a whole-row insert must be in one)


@contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """A write transaction that takes the write lock first (BEGIN IMMEDIATE); nests as savepoints.

    sqlite-utils' ``atomic()`` starts with a plain (deferred) BEGIN: in WAL mode a transaction
    that has read and then writes gets SQLITE_BUSY at once when another connection holds the
    lock, without waiting for the busy timeout. Taking the lock up front makes it wait.
    """
    connection = db.conn
    if connection.in_transaction:
        with db.atomic():
            yield
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.rollback()  # a no-op if the error already ended the transaction
        raise
    try:
        connection.execute("COMMIT")
    except BaseException:
        connection.rollback()
        raise


class Repository:
    def __init__(
        self,
        db: Database,
        device_id: str,
        clock: HybridLogicalClock,
        *,
        read_only_message: str | None = None,
    ) -> None:
        self.db = db
        self.device_id = device_id
        self.clock = clock
        self._columns: dict[str, tuple[str, ...]] = {
            table: tuple(column.name for column in db[table].columns) for table in SYNCED_TABLES
        }
        self._listeners: list[ChangeListener] = []
        self._pending: dict[str, set[str]] = {}
        self._depth = 0
        self._read_only_message = read_only_message  # set for a database opened read-only
        if read_only_message is None and not columns_registered(db, SYNCED_TABLES):
            with write_transaction(db):  # a migration added tables or columns
                register_columns(db, SYNCED_TABLES)
        self.log = ChangeLog(db)

    # ---- Public API -------------------------------------------------------------------------

    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` after each committed transaction; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        """Group writes atomically; nests (inner blocks become savepoints).

        The outer block waits for the write lock (up to the busy timeout) before anything else.
        Errors that are about the file or another program come out as StorageErrors
        (DatabaseBusyError, ReadOnlyDatabaseError, ...), which are WriteErrors too.
        """
        if self._read_only_message is not None:
            raise ReadOnlyDatabaseError(self._read_only_message)
        outer = self._depth == 0
        self._depth += 1
        try:
            with write_transaction(self.db):
                if outer:
                    self.db.execute(f"INSERT INTO {WRITE_GATE} (open) VALUES (1)")
                yield self
                if outer:
                    self.db.execute(f"DELETE FROM {WRITE_GATE}")
        except sqlite3.Error as error:
            self._rolled_back(outer)
            translated = translate_write(error, self.db)
            if translated is None:
                raise
            raise _as_write_error(translated) from error
        except BaseException:
            self._rolled_back(outer)
            raise
        finally:
            self._depth -= 1
        if outer:
            self._notify()

    def get(self, table: str, row_id: str) -> dict[str, Any] | None:
        self._check_table(table)
        return self._fetch(table, row_id)

    def insert(self, table: str, values: Mapping[str, Any], *, row_id: str | None = None) -> str:
        """Insert a row and log every column of it; returns the new row's id."""
        self._check_columns(table, values, allow_tombstone=False)
        row_id = row_id or new_id()
        columns = [ID_COLUMN, *values]
        placeholders = ", ".join("?" for _ in columns)
        with self.transaction():
            if self._fetch(table, row_id) is not None:
                raise WriteError(f"{table} 中已有编号为 {row_id} 的记录，不能重复新增。")
            self._execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                [row_id, *values.values()],
            )
            self._log_inserts(table, [row_key(row_id)])
            self._touch(table, row_id)
        return row_id

    def insert_many(self, table: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Insert many rows with the same columns; logs exactly what ``insert`` would.

        For large imports and generated ledgers: rows go in with executemany, and so do their
        whole-row insert records.
        """
        rows = list(rows)
        if not rows:
            return []
        columns = list(rows[0])
        self._check_columns(table, rows[0], allow_tombstone=False)
        made = new_ids(len(rows))
        ids = [text for text, _raw in made]
        params = []
        for row_id, row in zip(ids, rows, strict=True):
            if list(row) != columns:
                raise WriteError("批量新增的各行字段必须相同。")
            values = [row[column] for column in columns]
            self._check_values(values)
            params.append([row_id, *values])
        names = ", ".join([ID_COLUMN, *columns])
        placeholders = ", ".join("?" for _ in range(len(columns) + 1))
        with self.transaction():
            try:
                self.db.conn.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({placeholders})", params
                )
            except Exception as error:
                raise self._refused(error) from error
            self._log_inserts(table, [raw for _text, raw in made])
            self._pending.setdefault(table, set()).update(ids)
        return ids

    def update(self, table: str, row_id: str, values: Mapping[str, Any]) -> list[str]:
        """Change some fields of a live row; returns the fields that really changed."""
        self._check_columns(table, values, allow_tombstone=False)
        return self._write_fields(table, row_id, values, allow_deleted=False)

    def delete(self, table: str, row_id: str) -> bool:
        """Tombstone a row (it stays, marked deleted). Returns False if it already was."""
        self._check_table(table)
        return bool(self._write_fields(table, row_id, {TOMBSTONE_COLUMN: 1}, allow_deleted=True))

    def restore(self, table: str, row_id: str) -> bool:
        """Undo a delete. Returns False if the row was not deleted."""
        self._check_table(table)
        return bool(self._write_fields(table, row_id, {TOMBSTONE_COLUMN: 0}, allow_deleted=True))

    def decide(self, table: str, row_id: str, values: Mapping[str, Any]) -> list[str]:
        """Write a person's decision on a sync conflict: every field is logged with a new HLC
        even where the row holds that value already, so the decision travels and wins over
        both sides on every laptop (app/sync/status.py: resolve_conflict)."""
        self._check_columns(table, values, allow_tombstone=True)
        return self._write_fields(table, row_id, values, allow_deleted=True, always=True)

    def apply(self, entries: Iterable[ChangeEntry]) -> ApplyReport:
        """Merge change entries (from another laptop, or a replay) into this database.

        Per field, the entry with the highest (hlc, device) wins, so any order of delivery gives
        the same result; entries already in the log are skipped. All in one transaction.

        A row that cannot be written yet — a new row whose required fields have not arrived, or
        one pointing at a row that is not here — is held back whole: its entries wait in
        ``pending_entries`` (not in the log) and are merged by a later ``apply`` that brings
        what they need, so the order entries arrive in never matters.
        """
        incoming = list(entries)
        # Each (table, field) once, in the order they first come (the same first refusal).
        for table, field_name in dict.fromkeys(map(attrgetter("table", "field"), incoming)):
            self._check_field(table, field_name)
        with self.transaction():
            self.db.execute("PRAGMA defer_foreign_keys = ON")
            waiting = self._take_pending()
            merged = [*waiting, *incoming]
            held: set[tuple[str, str]] = set()
            while True:
                report = ApplyReport()
                try:
                    with self.transaction():  # a savepoint: undone when rows must be held
                        merge = _Merge(self, report)
                        live = (
                            [entry for entry in merged if (entry.table, entry.row_id) not in held]
                            if held
                            else merged
                        )
                        for start in range(0, len(live), APPLY_CHUNK):
                            merge.add(live[start : start + APPLY_CHUNK])
                        merge.finish()
                        blocked = merge.unwritable | self._dangling(merge.written)
                        if blocked:
                            raise _HoldBack(blocked)
                except _HoldBack as hold:
                    assert not hold.rows <= held, hold.rows  # each attempt holds more back
                    held |= hold.rows
                    continue
                break
            report.resurrected = self._resurrect(report.rows, merge.inserted_live)
            kept = (
                [entry for entry in merged if (entry.table, entry.row_id) in held] if held else []
            )
            if kept:
                self._keep_pending(kept)
            report.pending = len({_entry_key(entry) for entry in kept})
            report.released = len(waiting) - sum(
                1 for entry in waiting if (entry.table, entry.row_id) in held
            )
        return report

    def _resurrect(self, rows: dict[str, set[str]], live: dict[str, set[str]]) -> int:
        """Rows this apply left deleted although a field of theirs was changed at a later HLC
        elsewhere (an edit made without knowing of the delete): brought back, and flagged in
        sync_conflicts (field ``deleted``: kept 0, lost 1) for a person to look at. The rule
        depends only on the versions, so every laptop brings back the same rows. ``live``:
        rows known not to be deleted (inserted by this apply with ``deleted`` 0), not read."""
        count = 0
        keys = self.log.keys
        for table, ids in rows.items():
            listed = list(ids - live[table]) if table in live else list(ids)
            deleted: list[str] = []
            for start in range(0, len(listed), 500):
                part = listed[start : start + 500]
                deleted += [
                    row[0]
                    for row in self.db.execute(
                        f"SELECT {ID_COLUMN} FROM {table} WHERE {TOMBSTONE_COLUMN} = 1"
                        f" AND {ID_COLUMN} IN ({', '.join('?' for _ in part)})",
                        part,
                    )
                ]
            if not deleted:
                continue
            table_key = keys.table(table)
            tombstone = keys.field(table_key, TOMBSTONE_COLUMN)
            for row_id in deleted:
                clocks = self.log.row_clocks(table_key, row_key(row_id))
                deleted_at = clocks.get(tombstone) or clocks.get(WHOLE_ROW)
                if deleted_at is None:
                    continue
                later = any(
                    version[0] > deleted_at[0]
                    for field_key, version in clocks.items()
                    if field_key not in (tombstone, WHOLE_ROW)
                )
                if not later:
                    continue
                self._write_fields(table, row_id, {TOMBSTONE_COLUMN: 0}, allow_deleted=True)
                now = self.log.row_clocks(table_key, row_key(row_id))[tombstone]
                self.db.execute(
                    "INSERT OR IGNORE INTO sync_conflicts (tbl, row_id, field, kept_value,"
                    " kept_hlc, kept_device, lost_value, lost_hlc, lost_device)"
                    " VALUES (?, ?, ?, 0, ?, ?, 1, ?, ?)",
                    [
                        table,
                        row_id,
                        TOMBSTONE_COLUMN,
                        hlc_from_int(now[0]),
                        self.device_id,
                        hlc_from_int(deleted_at[0]),
                        keys.device_name(deleted_at[1]),
                    ],
                )
                count += 1
        return count

    def pending_count(self) -> int:
        """Entries waiting for rows they need (see ``apply``)."""
        return self.db.execute(f"SELECT COUNT(*) FROM {PENDING_TABLE}").fetchone()[0]

    def _take_pending(self) -> list[ChangeEntry]:
        rows = self.db.execute(
            f"SELECT tbl, row_id, field, value, hlc, device, base_hlc FROM {PENDING_TABLE}"
        ).fetchall()
        if rows:
            self.db.execute(f"DELETE FROM {PENDING_TABLE}")
        return [ChangeEntry(*row) for row in rows]

    def _keep_pending(self, entries: list[ChangeEntry]) -> None:
        self.db.conn.executemany(
            f"INSERT OR IGNORE INTO {PENDING_TABLE}"
            " (tbl, row_id, field, value, hlc, device, base_hlc) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(e.table, e.row_id, e.field, e.value, e.hlc, e.device, e.base_hlc) for e in entries],
        )

    def _dangling(self, written: dict[str, set[str]]) -> set[tuple[str, str]]:
        """Rows written by this apply that point at a row not in the database."""
        found: set[tuple[str, str]] = set()
        for table in written:
            for _table, rowid, _parent, _fk in self.db.execute(
                f"PRAGMA foreign_key_check({table})"
            ).fetchall():
                row = self.db.execute(
                    f"SELECT {ID_COLUMN} FROM {table} WHERE rowid = ?", [rowid]
                ).fetchone()
                if row is not None and row[0] in written[table]:
                    found.add((table, row[0]))
        return found

    # ---- Internals ----------------------------------------------------------------------------

    def _write_fields(
        self,
        table: str,
        row_id: str,
        values: Mapping[str, Any],
        *,
        allow_deleted: bool,
        always: bool = False,
    ) -> list[str]:
        if not values:
            return []
        with self.transaction():
            old = self._fetch(table, row_id)
            if old is None:
                raise RowNotFoundError(f"{table} 中没有编号为 {row_id} 的记录。")
            if old[TOMBSTONE_COLUMN] and not allow_deleted:
                raise WriteError(f"{table} 中编号为 {row_id} 的记录已删除，请先恢复再修改。")
            assignments = ", ".join(f"{column} = ?" for column in values)
            self._execute(
                f"UPDATE {table} SET {assignments} WHERE {ID_COLUMN} = ?",
                [*values.values(), row_id],
            )
            new = self._fetch(table, row_id)
            assert new is not None
            changed = [column for column in values if always or not _same(old[column], new[column])]
            if changed:
                log, keys = self.log, self.log.keys
                hlc = hlc_to_int(self.clock.now())
                device = keys.device(self.device_id)
                table_key, key = keys.table(table), row_key(row_id)
                clocks = log.row_clocks(table_key, key)
                for column in changed:
                    field_key = keys.field(table_key, column)
                    base = clocks.get(field_key) or clocks.get(WHOLE_ROW)
                    if base is not None:  # the value it replaces becomes history
                        log.keep(table_key, key, field_key, base, old[column])
                    log.set_clock(table_key, key, field_key, hlc, device, base and base[0])
                    log.append(table_key, key, field_key, hlc, device, base and base[0])
                log.saw(device, hlc)
                self._touch(table, row_id)
        return changed

    def _log_inserts(self, table: str, keys: list[RowKey]) -> None:
        hlc = hlc_to_int(self.clock.now())
        device = self.log.keys.device(self.device_id)
        self.log.log_inserts(self.log.keys.table(table), keys, hlc, device)
        self.log.saw(device, hlc)

    def _materialize(self, table: str, row_id: str, values: dict[str, Any]) -> None:
        if self._fetch(table, row_id) is None:
            columns = [ID_COLUMN, *values]
            self._execute(
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)})",
                [row_id, *values.values()],
            )
        else:
            assignments = ", ".join(f"{column} = ?" for column in values)
            self._execute(
                f"UPDATE {table} SET {assignments} WHERE {ID_COLUMN} = ?",
                [*values.values(), row_id],
            )

    def _fetch(self, table: str, row_id: str) -> dict[str, Any] | None:
        cursor = self.db.execute(f"SELECT * FROM {table} WHERE {ID_COLUMN} = ?", [row_id])
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row, strict=True))

    @staticmethod
    def _check_values(params: Iterable[Any]) -> None:
        for value in params:
            if value is not None and not isinstance(value, str | int | float):
                raise WriteError(f"不支持保存 {type(value).__name__} 类型的值：{value!r}")
            if isinstance(value, float) and not math.isfinite(value):
                raise WriteError(f"不能保存非有限数值：{value!r}")

    def _execute(self, sql: str, params: list[Any]) -> None:
        self._check_values(params)
        try:
            self.db.execute(sql, params)
        except Exception as error:  # sqlite3.IntegrityError and friends
            raise self._refused(error) from error

    def _refused(self, error: Exception) -> WriteError:
        if isinstance(error, sqlite3.Error):
            translated = translate_write(error, self.db)
            if translated is not None:
                return _as_write_error(translated)
        return WriteError(f"数据库拒绝了这次保存：{error}")

    def _touch(self, table: str, row_id: str) -> None:
        self._pending.setdefault(table, set()).add(row_id)

    def _touch_many(self, table: str, row_ids: Iterable[str]) -> None:
        self._pending.setdefault(table, set()).update(row_ids)

    def _rolled_back(self, outer: bool) -> None:
        # Keys the failed block added to the lookup tables are gone with it.
        self.log.keys.forget_uncommitted()
        if outer:
            self._pending.clear()

    def _notify(self) -> None:
        if not self._pending:
            return
        changed = {table: frozenset(ids) for table, ids in self._pending.items()}
        self._pending.clear()
        for listener in list(self._listeners):
            listener(changed)

    def _check_table(self, table: str) -> None:
        if table not in self._columns:
            raise WriteError(f"未知的数据表：{table}")

    def _check_columns(
        self, table: str, values: Mapping[str, Any], *, allow_tombstone: bool
    ) -> None:
        self._check_table(table)
        known = self._columns[table]
        for column in values:
            if column not in known or column == ID_COLUMN:
                raise WriteError(f"{table} 没有可写的字段 {column}")
            if column == TOMBSTONE_COLUMN and not allow_tombstone:
                raise WriteError("请用删除或恢复操作修改删除标记。")

    def _check_field(self, table: str, field_name: str) -> None:
        self._check_table(table)
        if field_name not in self._columns[table] or field_name == ID_COLUMN:
            raise WriteError(f"变更记录中有未知字段：{table}.{field_name}")


def _as_write_error(error: Exception) -> WriteError:
    """Busy and read-only already are WriteErrors; a full or failing disk becomes one."""
    return error if isinstance(error, WriteError) else WriteError(str(error))


_INSERT_KEY = attrgetter("table", "row_id", "hlc", "device")  # one version of one row
_PLAIN_TYPES = frozenset({str, int, type(None)})  # values _check_values always accepts


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


@dataclass(slots=True)
class _RowState:
    """What one ``apply`` knows about a row: its clocks and the values that won so far."""

    table_key: int
    key: RowKey
    clocks: dict[int, StoredVersion]
    values: dict[str, Any] = field(default_factory=dict)  # winners, written at the end
    stored: dict[str, Any] | None = None  # the row as it was before this apply (when needed)
    fetched: bool = False
    new_whole: bool = False  # its whole insert arrived in this apply and it had no clocks


class _Merge:
    """One ``Repository.apply``: per-field last-writer-wins, then the winning values written.

    The order entries arrive in does not matter: a field ends with the value of its highest
    (hlc, device), and every other entry is kept in history. A row that is new here and whose
    insert arrives whole (every column, one version, no base) is logged as one whole-row
    insert record, as the laptop that made it logged it.
    """

    def __init__(self, repo: Repository, report: ApplyReport) -> None:
        self.repo = repo
        self.report = report
        self.log = repo.log
        self.keys = repo.log.keys
        self.rows: dict[tuple[str, str], _RowState] = {}
        self.latest: dict[int, int] = {}  # device key → the latest HLC applied from it
        self.unwritable: set[tuple[str, str]] = set()  # rows the database refused
        self.written: dict[str, set[str]] = {}  # table → ids written
        self.inserted_live: dict[str, set[str]] = {}  # table → ids inserted with deleted 0
        # Log writes of ``_one`` not yet executed (``_flush``): values kept in history, field
        # clocks set, records appended, each in the order made.
        self._kept: list[tuple[int, RowKey, int, int, int, Any]] = []
        self._clocks: list[tuple[int, RowKey, int, int, int, int | None]] = []
        self._appended: list[tuple[int, RowKey, int, int, int, int | None]] = []

    def add(self, chunk: list[ChangeEntry]) -> None:
        logged = self._whole_rows(chunk)
        for entry in chunk:
            if id(entry) not in logged:
                self._one(entry)
        self._flush()

    def _flush(self) -> None:
        """Execute the log writes ``_one`` made so far (before anything reads the log)."""
        self.log.write_many(self._kept, self._clocks, self._appended)
        self._kept, self._clocks, self._appended = [], [], []

    def finish(self) -> None:
        order = {table: index for index, table in enumerate(SYNCED_TABLES)}
        inserted = self._insert_new_rows()
        for table, ids in inserted.items():
            self.written.setdefault(table, set()).update(ids)
            self.report.rows.setdefault(table, set()).update(ids)
            self.repo._touch_many(table, ids)
        rest = [key for key in self.rows if key[1] not in inserted.get(key[0], ())]
        for table, row_id in sorted(rest, key=lambda key: order[key[0]]):
            state = self.rows[(table, row_id)]
            if state.values:
                try:
                    self.repo._materialize(table, row_id, state.values)
                except StorageError:
                    raise
                except WriteError:  # NOT NULL, CHECK: what the row needs has not arrived
                    self.unwritable.add((table, row_id))
                    continue
                self.written.setdefault(table, set()).add(row_id)
                self.report.rows.setdefault(table, set()).add(row_id)
                self.repo._touch(table, row_id)
        for device, hlc in self.latest.items():
            self.log.saw(device, hlc)
            self.repo.clock.observe(hlc_from_int(hlc))

    def _insert_new_rows(self) -> dict[str, set[str]]:
        """Rows whose whole insert arrived and that are not here: one executemany per table
        and set of columns (each row on its own if the database refuses one of them).
        Returns {table: ids inserted}."""
        groups: dict[tuple[str, tuple[str, ...]], list[tuple[str, _RowState]]] = {}
        for (table, row_id), state in self.rows.items():
            if state.new_whole:
                groups.setdefault((table, tuple(state.values)), []).append((row_id, state))
        done: dict[str, set[str]] = {}
        for (table, columns), rows in groups.items():
            params = [[row_id, *state.values.values()] for row_id, state in rows]
            try:
                for values in params:
                    if not _PLAIN_TYPES.issuperset(map(type, values)):  # floats and the rest
                        self.repo._check_values(values)
            except WriteError:
                continue  # row by row below (finish): the refused ones are held back
            names = [ID_COLUMN, *columns]
            sql = (
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
            )
            # The rows have no clocks here, so they are new: tried all at once first; only if
            # that is refused are the ids already in the table looked up and left out.
            fresh = rows
            if not self._insert_all(sql, params):
                present = self._present(table, [row_id for row_id, _state in rows])
                if not present:
                    continue  # row by row below (finish): the refused ones are held back
                fresh = [(row_id, state) for row_id, state in rows if row_id not in present]
                params = [[row_id, *state.values.values()] for row_id, state in fresh]
                if not self._insert_all(sql, params):
                    continue
            done.setdefault(table, set()).update(row_id for row_id, _state in fresh)
            live = self.inserted_live.setdefault(table, set())
            for row_id, state in fresh:
                tombstone = state.values.get(TOMBSTONE_COLUMN)
                if type(tombstone) in (int, bool) and tombstone == 0:
                    live.add(row_id)
        return done

    def _insert_all(self, sql: str, params: list[list[Any]]) -> bool:
        """executemany in a savepoint; False (and nothing inserted) if a row is refused."""
        db = self.repo.db
        db.execute("SAVEPOINT merge_insert")
        try:
            db.conn.executemany(sql, params)
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK TO merge_insert")
            db.execute("RELEASE merge_insert")
            return False
        db.execute("RELEASE merge_insert")
        return True

    def _present(self, table: str, ids: list[str]) -> set[str]:
        present: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            present.update(
                row[0]
                for row in self.repo.db.execute(
                    f"SELECT {ID_COLUMN} FROM {table} WHERE {ID_COLUMN} IN"
                    f" ({', '.join('?' for _ in part)})",
                    part,
                )
            )
        return present

    def _state(self, table: str, row_id: str) -> _RowState:
        state = self.rows.get((table, row_id))
        if state is None:
            table_key, key = self.keys.table(table), row_key(row_id)
            state = _RowState(table_key, key, self.log.row_clocks(table_key, key))
            self.rows[(table, row_id)] = state
        return state

    def _whole_rows(self, chunk: list[ChangeEntry]) -> set[int]:
        """Log complete inserts of rows without any version here as whole-row records."""
        groups: dict[tuple[str, str, str, str], dict[str, ChangeEntry]] = {}
        version_of = _INSERT_KEY
        for entry in chunk:
            if entry.base_hlc is None:
                key = version_of(entry)
                fields = groups.get(key)
                if fields is None:
                    groups[key] = {entry.field: entry}
                elif entry.field not in fields:  # the first of duplicates stands for the field
                    fields[entry.field] = entry
        width = {table: len(columns) - 1 for table, columns in self.repo._columns.items()}
        complete = {
            key: fields
            for key, fields in groups.items()
            if len(fields) == width[key[0]]  # every column but the id
        }
        # The rows in the order they came (dict keys), so new rows are inserted in that order.
        self._load_states(dict.fromkeys(key[:2] for key in complete))
        logged: set[int] = set()
        records: list[tuple[int, RowKey, int, int, int]] = []
        rows, device_key, latest = self.rows, self.keys.device, self.latest
        applied = 0
        for (table, row_id, hlc_text, device_id), fields in complete.items():
            state = rows[(table, row_id)]
            if state.clocks:
                continue  # known here: merged field by field
            hlc, device = hlc_to_int(hlc_text), device_key(device_id)
            records.append((state.table_key, state.key, WHOLE_ROW, hlc, device))
            state.clocks[WHOLE_ROW] = (hlc, device)
            state.new_whole = True
            state.values = {name: entry.value for name, entry in fields.items()}  # it had none
            logged.update(map(id, fields.values()))
            applied += len(fields)
            if hlc > latest.get(device, 0):  # what _seen does
                latest[device] = hlc
        self.report.applied += applied
        self.log.log_records(records)
        return logged

    def _load_states(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Read the clocks of many rows at once (the rows of a chunk of inserts)."""
        by_table: dict[str, list[str]] = {}
        for table, row_id in pairs:
            if (table, row_id) not in self.rows:
                by_table.setdefault(table, []).append(row_id)
        for table, row_ids in by_table.items():
            table_key = self.keys.table(table)
            keys = {row_id: row_key(row_id) for row_id in row_ids}
            clocks = self.log.clocks_of(table_key, list(keys.values()))
            for row_id, key in keys.items():
                self.rows[(table, row_id)] = _RowState(table_key, key, clocks.get(key, {}))

    def _one(self, entry: ChangeEntry) -> None:
        log, keys, report = self.log, self.keys, self.report
        state = self._state(entry.table, entry.row_id)
        table_key, key = state.table_key, state.key
        field_key = keys.field(table_key, entry.field)
        hlc, device = hlc_to_int(entry.hlc), keys.device(entry.device)
        base = None if entry.base_hlc is None else hlc_to_int(entry.base_hlc)
        current = state.clocks.get(field_key) or state.clocks.get(WHOLE_ROW)
        if current == (hlc, device):
            report.duplicates += 1
            return
        if current is not None:
            current_device = keys.device_name(current[1])
            if (hlc, entry.device) < (current[0], current_device):
                self._flush()
                if log.in_history(table_key, key, field_key, hlc, device):
                    report.duplicates += 1
                    return
                self._conflict(
                    entry, state, field_key, current, current_device, incoming_wins=False
                )
                self._kept.append((table_key, key, field_key, hlc, device, entry.value))
                self._appended.append((table_key, key, field_key, hlc, device, base))
                report.superseded += 1
                self._seen(device, hlc, entry.hlc)
                return
            self._conflict(entry, state, field_key, current, current_device, incoming_wins=True)
            # The new winner: the value it replaces becomes history.
            value = self._current_value(entry, state)
            self._kept.append((table_key, key, field_key, current[0], current[1], value))
        self._clocks.append((table_key, key, field_key, hlc, device, base))
        self._appended.append((table_key, key, field_key, hlc, device, base))
        state.clocks[field_key] = (hlc, device)
        state.values[entry.field] = entry.value
        report.applied += 1
        self._seen(device, hlc, entry.hlc)

    def _conflict(
        self,
        entry: ChangeEntry,
        state: _RowState,
        field_key: int,
        current: StoredVersion,
        current_device: str,
        *,
        incoming_wins: bool,
    ) -> None:
        """Record a conflict when two laptops changed the field without seeing each other's
        version (neither is based on the other) to different values. Both values stay in the
        log either way; this is the list a person reviews."""
        if current_device == entry.device:
            return  # one laptop's own versions follow one another
        if entry.base_hlc is not None and hlc_to_int(entry.base_hlc) == current[0]:
            return  # the incoming edit was made on top of the current value
        clock_field = field_key if field_key in state.clocks else WHOLE_ROW
        self._flush()  # the clock may have been set by this merge
        if self.log.clock_base(state.table_key, state.key, clock_field) == hlc_to_int(entry.hlc):
            return  # the current value was made on top of the incoming one
        current_value = self._current_value(entry, state)
        if _same(current_value, entry.value):
            return
        ours = (current_value, hlc_from_int(current[0]), current_device)
        theirs = (entry.value, entry.hlc, entry.device)
        kept, lost = (theirs, ours) if incoming_wins else (ours, theirs)
        cursor = self.repo.db.execute(
            "INSERT OR IGNORE INTO sync_conflicts (tbl, row_id, field, kept_value, kept_hlc,"
            " kept_device, lost_value, lost_hlc, lost_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [entry.table, entry.row_id, entry.field, *kept, *lost],
        )
        self.report.conflicts += cursor.rowcount

    def _current_value(self, entry: ChangeEntry, state: _RowState) -> Any:
        if entry.field in state.values:
            return state.values[entry.field]
        if not state.fetched:
            state.stored = self.repo._fetch(entry.table, entry.row_id)
            state.fetched = True
        return None if state.stored is None else state.stored[entry.field]

    def _seen(self, device: int, hlc: int, hlc_text: str) -> None:
        # The clock observes the latest of each device once, at the end (finish).
        if hlc > self.latest.get(device, 0):
            self.latest[device] = hlc
