"""Local SQLite storage: schema migrations, the single write path and its change log."""

from app.storage.database import (
    NewerSchemaError,
    NotALedgerError,
    Storage,
    StorageError,
)
from app.storage.repository import Repository, RowNotFoundError, WriteError

__all__ = [
    "NewerSchemaError",
    "NotALedgerError",
    "Repository",
    "RowNotFoundError",
    "Storage",
    "StorageError",
    "WriteError",
]
