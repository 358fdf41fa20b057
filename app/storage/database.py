"""Opening the local database: checks, backup, migrations, device id, write guard."""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from app.storage import errors
from app.storage.changelog import latest_hlc
from app.storage.errors import (
    MissingDatabaseError,
    MissingFolderError,
    NewerSchemaError,
    NotALedgerError,
    StorageError,
    UpgradeNeededError,
)
from app.storage.hlc import HybridLogicalClock
from app.storage.migrations import LEDGER_MIGRATIONS, MigrationPlan
from app.storage.repository import WRITE_GATE, Repository, write_transaction
from app.storage.schema import META_TABLE, SYNCED_TABLES

SQLITE_HEADER = b"SQLite format 3\x00"

# How long a write waits for another connection's write lock before giving up (seconds), unless
# the caller says otherwise (the CLI waits longer, the GUI's UI thread less).
DEFAULT_BUSY_TIMEOUT_S = 5.0

__all__ = [
    "MissingDatabaseError",
    "MissingFolderError",
    "NewerSchemaError",
    "NotALedgerError",
    "Storage",
    "StorageError",
    "UpgradeNeededError",
]


class Storage:
    """One open ledger database: the connection, this laptop's device id and the repository."""

    def __init__(
        self,
        db: Database,
        path: Path | None,
        device_id: str,
        repository: Repository,
        *,
        read_only: bool = False,
        created: bool = False,
    ) -> None:
        self.db = db
        self.path = path
        self.device_id = device_id
        self.repository = repository
        self.read_only = read_only  # opened read-only: every write is refused with a message
        self.created = created  # this open created the database file

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        create_folder: bool = False,
        read_only: bool = False,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S,
        migrations: MigrationPlan = LEDGER_MIGRATIONS,
        clock: HybridLogicalClock | None = None,
    ) -> Storage:
        """Open and migrate the database at ``path``; create it if missing and ``create``.

        A missing folder is created only with ``create_folder`` (the default location), never
        for a path the user typed. ``read_only`` opens without ever writing (no migration, no
        device id); a WAL database in a read-only folder is then read as immutable.

        Raises StorageError subclasses with a message for the user: not a ledger, newer schema,
        missing file or folder, read-only, busy (another program held the write lock for
        ``busy_timeout`` seconds), damaged; nothing is changed then.
        """
        path = Path(path)
        was_there = path.exists()
        existed = _check_file(path)
        if not existed:
            if read_only or not create:
                _check_folder(path, create_folder=False)
                raise _missing(path)
            _check_folder(path, create_folder=create_folder)
            if not os.access(path.parent, os.W_OK):
                raise errors.read_only_new(path)
        elif not read_only and not os.access(path, os.W_OK):
            raise errors.read_only_file(path)
        try:
            if read_only:
                connection = connect_read_only(path)
            else:
                # Opened on a worker thread and then used on the UI thread (never both at once).
                connection = sqlite3.connect(str(path), check_same_thread=False)
            db = Database(connection, execute_plugins=False)
        except sqlite3.Error as error:
            raise _translated(error, path, busy_timeout) from error
        try:
            created = not existed
            storage = cls._prepare(db, path, migrations, clock, busy_timeout, read_only, created)
        except BaseException as error:
            db.close()
            if not was_there:
                _discard_if_empty(path)
            if isinstance(error, sqlite3.Error):
                raise _translated(error, path, busy_timeout) from error
            raise
        _remember_open(path)
        return storage

    @classmethod
    def open_memory(cls, *, migrations: MigrationPlan = LEDGER_MIGRATIONS) -> Storage:
        """A throwaway in-memory ledger (tests, previews)."""
        db = Database(memory=True, execute_plugins=False)
        return cls._prepare(db, None, migrations, None, DEFAULT_BUSY_TIMEOUT_S, False, True)

    @classmethod
    def _prepare(
        cls,
        db: Database,
        path: Path | None,
        migrations: MigrationPlan,
        clock: HybridLogicalClock | None,
        busy_timeout: float,
        read_only: bool,
        created: bool,
    ) -> Storage:
        db.execute(f"PRAGMA busy_timeout = {max(0, round(busy_timeout * 1000))}")
        db.execute("PRAGMA temp_store = MEMORY")
        version = schema_version(db)
        _check_schema(db, path, version, migrations)
        if read_only:
            return cls._prepare_read_only(db, path, migrations, clock, version)
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
        repository = Repository(db, device_id, clock)
        return cls(db, path, device_id, repository, created=created)

    @classmethod
    def _prepare_read_only(
        cls,
        db: Database,
        path: Path | None,
        migrations: MigrationPlan,
        clock: HybridLogicalClock | None,
        version: int,
    ) -> Storage:
        device_id = _stored_device_id(db)
        if migrations.migrations.pending(db) or device_id is None:
            raise UpgradeNeededError(
                f"数据库 {path} 由旧版本的督查台账建立，需要先升级到本版本的格式"
                f"（数据库版本 {version}，本程序为 {migrations.latest}），而只读打开时不能升级。"
                "请让它可写（取消“只读”属性或复制到可写的文件夹），用本程序打开一次"
                "（升级前会自动备份），之后即可只读打开。"
            )
        db.execute("PRAGMA foreign_keys = ON")
        clock = clock or HybridLogicalClock(latest_hlc(db))
        message = str(errors.opened_read_only(path or "（内存数据库）"))
        repository = Repository(db, device_id, clock, read_only_message=message)
        return cls(db, path, device_id, repository, read_only=True)

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    def close(self) -> None:
        self.db.close()
        if self.path is not None and not getattr(self, "_closed", False):
            self._closed = True
            _forget_open(self.path)


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


# Database files this process has open through SQLite (realpath → how many Storages). On
# Linux and macOS, closing ANY file descriptor of a file drops every POSIX lock the process holds
# on it — SQLite's included, which it keeps track of only for its own descriptors. Reading the
# header of a database this process already has open would therefore leave the live connection
# unprotected: another program could then checkpoint and delete its -wal under it, and what was
# only in the WAL would be lost at the next crash. Such a file was checked when it was opened.
_OPEN_FILES: dict[str, int] = {}


def _key(path: Path) -> str:
    return os.path.realpath(path)


def _remember_open(path: Path) -> None:
    key = _key(path)
    _OPEN_FILES[key] = _OPEN_FILES.get(key, 0) + 1


def _forget_open(path: Path) -> None:
    key = _key(path)
    left = _OPEN_FILES.get(key, 0) - 1
    if left > 0:
        _OPEN_FILES[key] = left
    else:
        _OPEN_FILES.pop(key, None)


def is_open_here(path: str | Path) -> bool:
    """Whether this process holds the database open (then its file must not be read raw)."""
    return _key(Path(path)) in _OPEN_FILES


def _check_file(path: Path) -> bool:
    """Whether a database file is there (an empty file is not one); refuses what is not SQLite."""
    if path.is_dir():
        raise StorageError(f"{path} 是一个文件夹，请指定数据库文件的完整路径。")
    if not path.exists() or path.stat().st_size == 0:
        return False
    if is_open_here(path):
        return True  # checked when first opened; reading it raw now would drop SQLite's locks
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError as error:
        raise StorageError(
            f"没有权限读取数据库文件 {path}。请让管理员给当前用户读写该文件的权限。"
        ) from error
    except OSError as error:
        raise StorageError(f"无法读取数据库文件 {path}：{error.strerror or error}") from error
    if header != SQLITE_HEADER:
        raise NotALedgerError(
            f"文件 {path} 不是 SQLite 数据库，不能作为督查台账打开。请用 --db 指定正确的文件。"
        )
    return True


def _check_folder(path: Path, *, create_folder: bool) -> None:
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists():
        raise MissingFolderError(f"{folder} 不是文件夹，不能在其中建立数据库 {path.name}。")
    if not create_folder:
        raise MissingFolderError(
            f"文件夹 {folder} 不存在，未新建数据库。请检查路径（--db）是否拼写正确，"
            "或先建立该文件夹。"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"无法建立文件夹 {folder}：{error.strerror or error}。请检查当前用户的权限。"
        ) from error


def _missing(path: Path) -> MissingDatabaseError:
    if path.exists():
        return MissingDatabaseError(
            f"数据库文件 {path} 是空文件，还没有台账数据，未作改动。请检查路径是否正确"
            "（新建台账请用 import-plan 导入实施方案）。"
        )
    return MissingDatabaseError(
        f"找不到数据库文件 {path}，未新建。请检查路径是否拼写正确"
        "（新建台账请用 import-plan 导入实施方案）。"
    )


def _discard_if_empty(path: Path) -> None:
    """Remove the empty file a failed first open created (never a file with data)."""
    try:
        if path.stat().st_size == 0:
            path.unlink()
    except OSError:
        pass


def _recover_hot_journal(path: Path) -> None:
    """Roll back what a killed writer left in a rollback journal, before reading read-only.

    A read-only connection cannot roll a hot journal back and would read half-written pages (a
    killed ``demo`` builds in rollback-journal mode). A read-write connection rolls it back on
    its first read, and only when no live writer holds the lock, so this never undoes work in
    progress; with a live writer the read waits for it like any other reader.
    """
    journal = path.with_name(f"{path.name}-journal")
    try:
        hot = journal.stat().st_size > 0
    except OSError:
        return
    if not hot:
        return
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise errors.ReadOnlyDatabaseError(
            f"数据库 {path} 上次写入时被中断，需要恢复（在 {journal.name} 中），而文件或所在文件夹"
            "为只读，无法恢复。数据没有丢失：请把数据库连同同名的 -journal 文件复制到可写的文件夹"
            "后再打开。"
        )
    connection = sqlite3.connect(str(path), timeout=DEFAULT_BUSY_TIMEOUT_S)
    try:
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that never writes, also to a WAL database in a read-only folder."""
    path = Path(path)
    _recover_hot_journal(path)
    uri = path.absolute().as_uri()
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
    try:
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.OperationalError as error:
        connection.close()
        name = getattr(error, "sqlite_errorname", "") or ""
        if not name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
            raise
    # A WAL database needs its -shm file, which a read-only folder cannot hold: read the file
    # as immutable then, which is only right when no changes are left in its -wal file.
    wal = path.with_name(f"{path.name}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise errors.ReadOnlyDatabaseError(
            f"数据库 {path} 还有未写入主文件的修改（在 {wal.name} 中），而所在文件夹 {path.parent} "
            "为只读，无法完整读取。请把数据库连同同名的 -wal 文件复制到可写的文件夹后再打开。"
        )
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _translated(error: sqlite3.Error, path: Path, busy_timeout: float) -> StorageError:
    """What an sqlite3 error while opening means for the user; never "damaged" unless it is."""
    translated = errors.translate(error, path, busy_timeout)
    if translated is not None:
        return translated
    if isinstance(error, sqlite3.OperationalError):
        return StorageError(f"无法打开数据库 {path}：{error}。数据库未被改动。")
    return errors.damaged(path, error)


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


def _stored_device_id(db: Database) -> str | None:
    if META_TABLE not in db.table_names():
        return None
    row = db.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'device_id'").fetchone()
    return str(row[0]) if row else None


def _device_id(db: Database) -> str:
    stored = _stored_device_id(db)
    if stored is not None:
        return stored
    with write_transaction(db):
        stored = _stored_device_id(db)  # another process may have minted it meanwhile
        if stored is not None:
            return stored
        device_id = uuid.uuid4().hex
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
