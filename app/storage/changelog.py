"""The per-field change log: what every write appends and what sync will exchange.

One entry per changed field: table, row id, field, new value (JSON), HLC timestamp, device id and
the HLC of the field's previous version (``base_hlc``). For any field, the entry with the highest
``(hlc, device)`` holds the current value; every other entry is history (and, after sync, the
losing side of a conflict).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from app.storage.schema import CHANGES_TABLE

Version = tuple[str, str]  # (hlc, device)


@dataclass(frozen=True)
class ChangeEntry:
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


def encode_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def decode_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def field_version(db: Database, table: str, row_id: str, field: str) -> Version | None:
    """The (hlc, device) of the field's current value, or None if it was never written."""
    row = db.execute(
        f"SELECT hlc, device FROM {CHANGES_TABLE} WHERE tbl = ? AND row_id = ? AND field = ?"
        " ORDER BY hlc DESC, device DESC LIMIT 1",
        [table, row_id, field],
    ).fetchone()
    return (row[0], row[1]) if row else None


def has_entry(db: Database, entry: ChangeEntry) -> bool:
    return (
        db.execute(
            f"SELECT 1 FROM {CHANGES_TABLE}"
            " WHERE tbl = ? AND row_id = ? AND field = ? AND hlc = ? AND device = ?",
            [entry.table, entry.row_id, entry.field, entry.hlc, entry.device],
        ).fetchone()
        is not None
    )


def append_entry(db: Database, entry: ChangeEntry) -> None:
    db.execute(
        f"INSERT INTO {CHANGES_TABLE} (tbl, row_id, field, value, hlc, device, base_hlc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            entry.table,
            entry.row_id,
            entry.field,
            encode_value(entry.value),
            entry.hlc,
            entry.device,
            entry.base_hlc,
        ],
    )


def read_changes(db: Database, after_seq: int = 0) -> Iterator[ChangeEntry]:
    """Entries in the order they were appended locally."""
    cursor = db.execute(
        f"SELECT tbl, row_id, field, value, hlc, device, base_hlc FROM {CHANGES_TABLE}"
        " WHERE seq > ? ORDER BY seq",
        [after_seq],
    )
    for tbl, row_id, field, value, hlc, device, base_hlc in cursor:
        yield ChangeEntry(tbl, row_id, field, decode_value(value), hlc, device, base_hlc)


def latest_hlc(db: Database) -> str | None:
    row = db.execute(f"SELECT MAX(hlc) FROM {CHANGES_TABLE}").fetchone()
    return row[0] if row else None
