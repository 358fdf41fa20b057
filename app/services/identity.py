"""Who is using this laptop: a name and a role, kept in the local ``meta`` table.

Until user accounts exist this is a per-laptop setting (never synced: ``meta`` is not a synced
table). It decides what the 暗访 confidentiality rule lets this user see (app/services/
visibility.py) and whose name new records carry (``created_by``).

A fresh install has no name and the role 督查员 (inspector), the least privileged one: it sees every
明察 record and the 暗访 records created on this laptop, nothing else (docs/inspections.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.inspection import UserRole
from app.storage import ReadOnlyDatabaseError, WriteError
from app.storage.errors import translate_write
from app.storage.repository import write_transaction
from app.storage.schema import META_TABLE

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.storage import Storage

USER_NAME_KEY = "user_name"
USER_ROLE_KEY = "user_role"
DEFAULT_ROLE = UserRole.INSPECTOR
MAX_NAME_CHARS = 40
NAME_SEPARATOR = "、"  # names are joined with it in inspections.inspector


@dataclass(frozen=True)
class CurrentUser:
    name: str  # "" until set
    role: UserRole

    @property
    def label(self) -> str:
        return f"{self.name or '（未设置姓名）'}（{self.role.label}）"


def read_current_user(db: Database) -> CurrentUser:
    return current_user_of(read_meta(db, USER_NAME_KEY, USER_ROLE_KEY))


def read_meta(db: Database, *keys: str) -> dict[str, str]:
    """Some values of the local ``meta`` table, in one query."""
    marks = ", ".join("?" for _ in keys)
    return {
        str(key): str(value)
        for key, value in db.execute(
            f"SELECT key, value FROM {META_TABLE} WHERE key IN ({marks})", list(keys)
        )
    }


def current_user_of(values: dict[str, str]) -> CurrentUser:
    try:
        role = UserRole(values.get(USER_ROLE_KEY, DEFAULT_ROLE.value))
    except ValueError:  # a value from a newer release: fall back to the least privilege
        role = DEFAULT_ROLE
    return CurrentUser(str(values.get(USER_NAME_KEY, "")), role)


def parse_role(text: str) -> UserRole:
    """A role from its code (inspector) or its Chinese label (督查员, 审核人, 办公室)."""
    cleaned = text.strip()
    for role in UserRole:
        if cleaned in (role.value, role.label, role.label.split("（")[0]):
            return role
    if cleaned in ("科长",):
        return UserRole.SUPERVISOR
    choices = "、".join(f"{role.value}（{role.label}）" for role in UserRole)
    raise WriteError(f"不认识的身份“{text}”。请选择：{choices}。")


def clean_name(name: str) -> str:
    cleaned = name.strip()
    if NAME_SEPARATOR in cleaned or "," in cleaned or "，" in cleaned:
        raise WriteError(f"姓名“{cleaned}”中不能有顿号或逗号：每次只设置一个人的姓名。")
    if len(cleaned) > MAX_NAME_CHARS:
        raise WriteError(f"姓名太长（最多 {MAX_NAME_CHARS} 个字）。")
    return cleaned


class Identity:
    """Read and set the current user of this database (this laptop)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.db = storage.db

    def current(self) -> CurrentUser:
        return read_current_user(self.db)

    def set(self, name: str | None = None, role: UserRole | str | None = None) -> CurrentUser:
        """Change the name and/or the role (None keeps it); returns the new setting."""
        if self.storage.read_only:
            raise ReadOnlyDatabaseError("数据库以只读方式打开，不能更改当前用户。")
        values: dict[str, str] = {}
        if name is not None:
            values[USER_NAME_KEY] = clean_name(name)
        if role is not None:
            values[USER_ROLE_KEY] = (
                role.value if isinstance(role, UserRole) else parse_role(role).value
            )
        try:
            with write_transaction(self.db):
                for key, value in values.items():
                    self.db.execute(
                        f"INSERT INTO {META_TABLE} (key, value) VALUES (?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [key, value],
                    )
        except sqlite3.Error as error:
            translated = translate_write(error, self.db)
            if translated is None:
                raise
            raise translated from error
        return self.current()
