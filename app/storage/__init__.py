"""Local SQLite storage: schema migrations, the single write path and its change log."""

from app.storage.database import Storage
from app.storage.errors import (
    DatabaseBusyError,
    MissingDatabaseError,
    MissingFolderError,
    NewerSchemaError,
    NotALedgerError,
    ReadOnlyDatabaseError,
    StorageError,
    UpgradeNeededError,
    WriteError,
)
from app.storage.repository import Repository, RowNotFoundError

__all__ = [
    "DatabaseBusyError",
    "MissingDatabaseError",
    "MissingFolderError",
    "NewerSchemaError",
    "NotALedgerError",
    "ReadOnlyDatabaseError",
    "Repository",
    "RowNotFoundError",
    "Storage",
    "StorageError",
    "UpgradeNeededError",
    "WriteError",
]
