"""Opening the local database: checks, backup, migrations, device id, write guard."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from app.storage.changelog import latest_hlc
from app.storage.hlc import HybridLogicalClock
from app.storage.migrations import LEDGER_MIGRATIONS, MigrationPlan
from app.storage.repository import WRITE_GATE, Repository
from app.storage.schema import META_TABLE, SYNCED_TABLES

SQLITE_HEADER = b"SQLite format 3\x00"


class StorageError(Exception):
    """The database cannot be opened; the message says why and what to do (Chinese)."""


class NewerSchemaError(StorageError):
    pass


class NotALedgerError(StorageError):
    pass


class Storage:
    """One open ledger database: the connection, this laptop's device id and the repository."""

    def __init__(
        self, db: Database, path: Path | None, device_id: str, repository: Repository
    ) -> None:
        self.db = db
        self.path = path
        self.device_id = device_id
        self.repository = repository

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        migrations: MigrationPlan = LEDGER_MIGRATIONS,
        clock: HybridLogicalClock | None = None,
    ) -> Storage:
        """Open (creating if needed) and migrate the database at ``path``.

        Raises StorageError subclasses, with a message for the user, when the file is not a
        ledger database or was written by a newer version of the app; nothing is changed then.
        """
        path = Path(path)
        _check_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Opened on a worker thread and then used on the UI thread (never both at once).
            connection = sqlite3.connect(str(path), check_same_thread=False)
            db = Database(connection, execute_plugins=False)
        except sqlite3.Error as error:
            raise StorageError(f"无法打开数据库文件 {path}：{error}") from error
        try:
            return cls._prepare(db, path, migrations, clock)
        except sqlite3.DatabaseError as error:
            db.close()
            raise NotALedgerError(
                f"文件 {path} 已损坏或不是督查台账数据库（{error}）。"
                "请从备份恢复，或用 --db 指定另一个文件。"
            ) from error
        except BaseException:
            db.close()
            raise

    @classmethod
    def open_memory(cls, *, migrations: MigrationPlan = LEDGER_MIGRATIONS) -> Storage:
        """A throwaway in-memory ledger (tests, previews)."""
        return cls._prepare(Database(memory=True, execute_plugins=False), None, migrations, None)

    @classmethod
    def _prepare(
        cls,
        db: Database,
        path: Path | None,
        migrations: MigrationPlan,
        clock: HybridLogicalClock | None,
    ) -> Storage:
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("PRAGMA temp_store = MEMORY")
        version = schema_version(db)
        _check_schema(db, path, version, migrations)
        if path is not None:
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        if migrations.migrations.pending(db):
            if path is not None and version > 0:
                backup_database(db, path, version)
            migrations.migrations.apply(db)
        device_id = _device_id(db)
        _install_write_guard(db)
        clock = clock or HybridLogicalClock(latest_hlc(db))
        return cls(db, path, device_id, Repository(db, device_id, clock))

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    def close(self) -> None:
        self.db.close()


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def backup_database(db: Database, path: Path, version: int) -> Path:
    """Copy the whole database (WAL included) beside it before a migration touches it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.v{version}-backup-{stamp}{path.suffix}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.stem}.v{version}-backup-{stamp}-{counter}{path.suffix}")
    destination = sqlite3.connect(target)
    try:
        db.conn.backup(destination)
    finally:
        destination.close()
    return target


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise StorageError(f"{path} 是一个文件夹，请指定数据库文件的完整路径。")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotALedgerError(
            f"文件 {path} 不是 SQLite 数据库，不能作为督查台账打开。请用 --db 指定正确的文件。"
        )


def _check_schema(db: Database, path: Path | None, version: int, plan: MigrationPlan) -> None:
    where = str(path) if path else "内存数据库"
    if version > plan.latest:
        raise NewerSchemaError(
            f"{where} 由更新版本的督查台账写入（数据库版本 {version}，本程序支持到版本 "
            f"{plan.latest}）。请先升级督查台账再打开它；数据库未被改动。"
        )
    applied = {m.name for m in plan.migrations.applied(db)}
    unknown = applied - set(plan.names)
    if unknown:
        raise NewerSchemaError(
            f"{where} 含有本程序不认识的数据库升级（{', '.join(sorted(unknown))}），"
            "可能由更新版本写入。请先升级督查台账再打开它；数据库未被改动。"
        )
    if version == 0 and not applied:
        user_tables = [t for t in db.table_names() if not t.startswith("sqlite_")]
        # sqlite-utils commits its empty bookkeeping table before the first migration runs:
        # a file killed in between is still a new ledger, not another program's database.
        bookkeeping = plan.migrations.migrations_table
        if user_tables == [bookkeeping] and not db[bookkeeping].count:
            user_tables = []
        if user_tables:
            raise NotALedgerError(
                f"{where} 是其他程序的 SQLite 数据库，不是督查台账数据库；"
                "为免破坏它，未作任何改动。请用 --db 指定督查台账的数据库文件。"
            )


def _device_id(db: Database) -> str:
    row = db.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'device_id'").fetchone()
    if row:
        return str(row[0])
    device_id = uuid.uuid4().hex
    with db.atomic():
        db.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES ('device_id', ?)", [device_id])
    return device_id


def _install_write_guard(db: Database) -> None:
    """Temporary (per-connection) triggers: synced tables change only through the repository."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {WRITE_GATE.split('.')[1]} (open INTEGER)")
    outside = "写入被拒绝：同步数据表只能通过 Repository 修改（以便记录变更日志）"
    for table in SYNCED_TABLES:
        for event in ("INSERT", "UPDATE"):
            db.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS guard_{table}_{event.lower()}"
                f" BEFORE {event} ON main.{table}"
                f" WHEN NOT EXISTS (SELECT 1 FROM {WRITE_GATE})"
                f" BEGIN SELECT RAISE(ABORT, '{outside}'); END"
            )
        db.execute(
            f"CREATE TEMP TRIGGER IF NOT EXISTS guard_{table}_delete BEFORE DELETE ON main.{table}"
            f" BEGIN SELECT RAISE(ABORT, '删除被拒绝：同步数据只做删除标记，不能物理删除'); END"
        )
