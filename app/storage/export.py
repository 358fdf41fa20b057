"""The whole database as plain JSON-ready data (``main.py export``; later sync checks use it).

``export_database`` is what a user exports (the ``export`` command, the desktop app's 导出): it
leaves out the 暗访 records the current user may not see, with everything hanging off them
(findings, checklist answers, 复查, evidence, the plan), and does not count their change-log
entries either — the rule is app/services/visibility.py. ``export_tables`` without ``hidden`` is
the raw content of every synced table, for storage-level comparisons (replay, migration tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app import __version__
from app.storage.changelog import ChangeLog
from app.storage.database import Storage
from app.storage.schema import ID_COLUMN, SYNCED_TABLES, TOMBSTONE_COLUMN

if TYPE_CHECKING:
    from app.services.visibility import Viewer

EXPORT_FORMAT = "ducha-taizhang/export"
EXPORT_FORMAT_VERSION = 1


def export_tables(
    storage: Storage, *, hidden: Mapping[str, frozenset[str]] | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every synced table, rows keyed by id; tombstoned rows carry ``"deleted": true``.

    Rows whose ids are in ``hidden[table]`` are left out."""
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for table in SYNCED_TABLES:
        skip = (hidden or {}).get(table, frozenset())
        rows: dict[str, dict[str, Any]] = {}
        for row in storage.db[table].rows_where(order_by=ID_COLUMN):
            row_id = row.pop(ID_COLUMN)
            if row_id in skip:
                continue
            row[TOMBSTONE_COLUMN] = bool(row[TOMBSTONE_COLUMN])
            rows[row_id] = row
        tables[table] = rows
    return tables


def export_database(storage: Storage, *, viewer: Viewer | None = None) -> dict[str, Any]:
    """The database as the viewer (default: the current user) may see it."""
    # The confidentiality rule belongs to the services layer; it is imported here so that every
    # export — CLI and desktop — applies it.
    from app.services.visibility import hidden_rows, viewer_of

    viewer = viewer or viewer_of(storage.db)
    hidden = hidden_rows(storage.db, viewer)
    log = ChangeLog(storage.db)
    change_count = log.entry_count()
    for table, row_ids in hidden.items():
        change_count -= log.row_entry_count(table, row_ids)
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "app_version": __version__,
        "schema_version": storage.schema_version,
        "device_id": storage.device_id,
        "viewer": {"name": viewer.name, "role": viewer.role.value},
        "change_count": change_count,
        "tables": export_tables(storage, hidden=hidden),
    }
