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
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from app.storage.changelog import ChangeEntry, append_entry, field_version, has_entry
from app.storage.errors import ReadOnlyDatabaseError, WriteError, translate_write
from app.storage.hlc import HybridLogicalClock
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
    rows: dict[str, set[str]] = field(default_factory=dict)


def new_id() -> str:
    return str(uuid.uuid4())


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
            if outer:
                self._pending.clear()
            translated = translate_write(error, self.db)
            if translated is None:
                raise
            raise _as_write_error(translated) from error
        except BaseException:
            if outer:
                self._pending.clear()
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
            stored = self._fetch(table, row_id)
            assert stored is not None
            hlc = self.clock.now()
            for column in self._columns[table]:
                if column != ID_COLUMN:
                    self._log(table, row_id, column, stored[column], hlc, base_hlc=None)
            self._touch(table, row_id)
        return row_id

    def insert_many(self, table: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Insert many rows with the same columns; logs exactly what ``insert`` would.

        For large imports and generated ledgers: rows go in with executemany and their change
        entries are written by SQL (json_quote) in one statement per column.
        """
        rows = list(rows)
        if not rows:
            return []
        columns = list(rows[0])
        self._check_columns(table, rows[0], allow_tombstone=False)
        ids = [new_id() for _ in rows]
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
            hlc = self.clock.now()
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS _batch_ids (id TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM temp._batch_ids")
            self.db.conn.executemany(
                "INSERT INTO temp._batch_ids (id) VALUES (?)", [[row_id] for row_id in ids]
            )
            for column in self._columns[table]:
                if column == ID_COLUMN:
                    continue
                self.db.execute(
                    "INSERT INTO changes (tbl, row_id, field, value, hlc, device, base_hlc)"
                    f" SELECT ?, t.{ID_COLUMN}, ?, json_quote(t.{column}), ?, ?, NULL"
                    f" FROM {table} t JOIN temp._batch_ids b ON b.id = t.{ID_COLUMN}",
                    [table, column, hlc, self.device_id],
                )
            self.db.execute("DELETE FROM temp._batch_ids")
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

    def apply(self, entries: Iterable[ChangeEntry]) -> ApplyReport:
        """Merge change entries (from another laptop, or a replay) into this database.

        Per field, the entry with the highest (hlc, device) wins, so any order of delivery gives
        the same result; entries already in the log are skipped. All in one transaction.
        """
        report = ApplyReport()
        winners: dict[tuple[str, str], dict[str, Any]] = {}
        with self.transaction():
            self.db.execute("PRAGMA defer_foreign_keys = ON")
            for entry in entries:
                self._check_entry(entry)
                if has_entry(self.db, entry):
                    report.duplicates += 1
                    continue
                current = field_version(self.db, entry.table, entry.row_id, entry.field)
                append_entry(self.db, entry)
                self.clock.observe(entry.hlc)
                if current is None or entry.version > current:
                    winners.setdefault((entry.table, entry.row_id), {})[entry.field] = entry.value
                    report.applied += 1
                else:
                    report.superseded += 1
            order = {table: index for index, table in enumerate(SYNCED_TABLES)}
            for table, row_id in sorted(winners, key=lambda key: order[key[0]]):
                self._materialize(table, row_id, winners[(table, row_id)])
                report.rows.setdefault(table, set()).add(row_id)
                self._touch(table, row_id)
        return report

    # ---- Internals ----------------------------------------------------------------------------

    def _write_fields(
        self, table: str, row_id: str, values: Mapping[str, Any], *, allow_deleted: bool
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
            changed = [column for column in values if not _same(old[column], new[column])]
            if changed:
                hlc = self.clock.now()
                for column in changed:
                    base = field_version(self.db, table, row_id, column)
                    self._log(table, row_id, column, new[column], hlc, base[0] if base else None)
                self._touch(table, row_id)
        return changed

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

    def _log(
        self, table: str, row_id: str, column: str, value: Any, hlc: str, base_hlc: str | None
    ) -> None:
        append_entry(
            self.db, ChangeEntry(table, row_id, column, value, hlc, self.device_id, base_hlc)
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

    def _check_entry(self, entry: ChangeEntry) -> None:
        self._check_table(entry.table)
        if entry.field not in self._columns[entry.table] or entry.field == ID_COLUMN:
            raise WriteError(f"变更记录中有未知字段：{entry.table}.{entry.field}")


def _as_write_error(error: Exception) -> WriteError:
    """Busy and read-only already are WriteErrors; a full or failing disk becomes one."""
    return error if isinstance(error, WriteError) else WriteError(str(error))


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new
