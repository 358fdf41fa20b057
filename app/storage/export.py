"""The whole database as plain JSON-ready data (``main.py export``; later sync checks use it)."""

from __future__ import annotations

from typing import Any

from app import __version__
from app.storage.database import Storage
from app.storage.schema import ID_COLUMN, SYNCED_TABLES, TOMBSTONE_COLUMN

EXPORT_FORMAT = "ducha-taizhang/export"
EXPORT_FORMAT_VERSION = 1


def export_tables(storage: Storage) -> dict[str, dict[str, dict[str, Any]]]:
    """Every synced table, rows keyed by id; tombstoned rows carry ``"deleted": true``."""
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for table in SYNCED_TABLES:
        rows: dict[str, dict[str, Any]] = {}
        for row in storage.db[table].rows_where(order_by=ID_COLUMN):
            row_id = row.pop(ID_COLUMN)
            row[TOMBSTONE_COLUMN] = bool(row[TOMBSTONE_COLUMN])
            rows[row_id] = row
        tables[table] = rows
    return tables


def export_database(storage: Storage) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "app_version": __version__,
        "schema_version": storage.schema_version,
        "device_id": storage.device_id,
        "change_count": storage.db["changes"].count,
        "tables": export_tables(storage),
    }
