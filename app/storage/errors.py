"""What can go wrong with the database file, as exceptions a front end can tell apart.

``translate`` turns the sqlite3 errors that say something about the file or another program
(busy, read-only, cannot open, disk full or failing, damaged) into these, with a message for the
user (Chinese, one line: what is wrong and what to do). It is applied wherever they surface:
opening, migrations, the device-id write and every repository write and commit.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class WriteError(Exception):
    """A write the repository refuses; the message is for the user (Chinese)."""


class StorageError(Exception):
    """The database cannot be opened or used; the message says why and what to do (Chinese)."""


class NewerSchemaError(StorageError):
    pass


class NotALedgerError(StorageError):
    """Not SQLite, another program's database, or damaged."""


# The next two are also WriteErrors: raised by a save, they are shown by the same handlers that
# show a refused save (the GUI's dialogs); the CLI tells them apart as StorageErrors.


class DatabaseBusyError(StorageError, WriteError):
    """Another program held the write lock for longer than the busy timeout."""


class ReadOnlyDatabaseError(StorageError, WriteError):
    """The file, or the folder it is in, cannot be written."""


class UpgradeNeededError(ReadOnlyDatabaseError):
    """A read-only open of a database that must first be migrated (which writes)."""


class MissingDatabaseError(StorageError):
    """An existing ledger was asked for and the file is not there (or is empty)."""


class MissingFolderError(MissingDatabaseError):
    """The folder the database should be in does not exist."""


def busy(path: Path | str, waited_s: float) -> DatabaseBusyError:
    return DatabaseBusyError(
        f"数据库正被另一个程序使用，请稍后重试：{path}（已等待 {waited_s:g} 秒；"
        "可能是桌面程序或另一条命令正在保存）。本次未作任何修改。"
    )


def read_only_file(path: Path | str) -> ReadOnlyDatabaseError:
    return ReadOnlyDatabaseError(
        f"数据库文件 {path} 为只读，不能保存修改。请取消该文件的“只读”属性，"
        "或请管理员给当前用户写入权限，然后重试；数据库未被改动。"
    )


def read_only_folder(path: Path) -> ReadOnlyDatabaseError:
    return ReadOnlyDatabaseError(
        f"数据库所在的文件夹 {path.parent} 为只读：保存时要在其中建立临时文件"
        f"（{path.name}-wal、{path.name}-shm），所以不能修改数据库。数据库本身完好，未被改动；"
        "请给当前用户该文件夹的写入权限，或把数据库复制到可写的文件夹后再打开。"
    )


def read_only_new(path: Path) -> ReadOnlyDatabaseError:
    return ReadOnlyDatabaseError(
        f"文件夹 {path.parent} 为只读，不能在其中新建数据库。"
        "请选择当前用户可写的文件夹，或请管理员给该文件夹写入权限。"
    )


def opened_read_only(path: Path | str) -> ReadOnlyDatabaseError:
    return ReadOnlyDatabaseError(
        f"数据库 {path} 是只读打开的（文件或其所在文件夹为只读），不能修改。"
        "请取消“只读”属性或获得写入权限后，重新启动程序再修改。"
    )


def translate(error: sqlite3.Error, path: Path | str, busy_timeout_s: float) -> StorageError | None:
    """The StorageError this sqlite3 error stands for, or None if it is not about the file."""
    name = getattr(error, "sqlite_errorname", None) or ""
    if name.startswith("SQLITE_BUSY"):
        return busy(path, busy_timeout_s)
    if name == "SQLITE_READONLY_DIRECTORY":
        return read_only_folder(Path(path))
    if name.startswith("SQLITE_READONLY"):
        return read_only_file(path)
    if name.startswith("SQLITE_CANTOPEN") or name in ("SQLITE_PERM", "SQLITE_AUTH"):
        folder = Path(path).parent
        if folder.is_dir() and not os.access(folder, os.W_OK):  # no room for -wal, -shm
            return read_only_folder(Path(path))
        return StorageError(
            f"无法打开数据库文件 {path}（{error}）。请检查文件和所在文件夹是否存在、"
            "当前用户是否有读写权限。"
        )
    if name == "SQLITE_FULL":
        return StorageError(
            f"磁盘空间不足，数据库 {path} 无法保存修改；本次修改未保存。请腾出磁盘空间后重试。"
        )
    if name.startswith("SQLITE_IOERR"):
        return StorageError(
            f"读写数据库文件 {path} 时发生磁盘错误（{error}）；本次修改未保存。"
            "请检查磁盘或存储设备后重试。"
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return damaged(path, error)
    return None


def damaged(path: Path | str, error: BaseException) -> NotALedgerError:
    return NotALedgerError(
        f"文件 {path} 已损坏或不是督查台账数据库（{error}）。"
        "请从备份恢复，或用 --db 指定另一个文件。"
    )


def translate_write(error: sqlite3.Error, db) -> StorageError | None:
    """``translate`` for an error on an open connection: its file and busy timeout."""
    try:
        timeout_ms = db.execute("PRAGMA busy_timeout").fetchone()[0]
        files = [row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"]
    except sqlite3.Error:
        timeout_ms, files = 0, []
    return translate(error, files[0] if files and files[0] else "（内存数据库）", timeout_ms / 1000)


def user_message(error: BaseException, path: Path | str | None = None) -> str:
    """What to show a user for any error: our own messages as they are; a database or file error
    from SQLite or the OS, which speak English, inside a Chinese sentence that says what to do."""
    if isinstance(error, (StorageError, WriteError)):
        return str(error)
    if isinstance(error, sqlite3.Error):
        translated = translate(error, path or "", 0)
        if isinstance(translated, DatabaseBusyError):
            return "数据库正被另一个程序使用，暂时无法读取；请稍后按 F5 刷新。"
        if translated is not None:
            return str(translated)
        return (
            f"读取数据库时出错（{error}）。请按 F5 重试；如果再次出现，请检查数据库所在的磁盘，"
            "或把这条信息告诉管理员。"
        )
    if isinstance(error, OSError):
        where = f"“{error.filename}”" if error.filename else "文件"
        detail = error.strerror or str(error)
        return (
            f"读写{where}时出错（{detail}）。请检查文件是否存在、是否被其他程序占用、"
            "磁盘是否可写，然后重试。"
        )
    return (
        f"发生了意外错误（{type(error).__name__}：{error}）。请重试；如果再次出现，"
        "请把这条信息告诉管理员。"
    )
