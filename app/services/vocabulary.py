"""The editable lists of 明察暗访: 检查方式 (method), 问题类别 (category), 常用地点 (site).

Rows seeded by the migration have fixed ids (the same on every laptop); the office adds, renames,
reorders and removes entries. Findings and 红黑榜 rules store a category by its name, so renaming
a category renames it there too, in the same transaction; removing one leaves existing findings
as they are (it can no longer be chosen).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository

LISTS = {"method": "检查方式", "category": "问题类别", "site": "常用地点"}
MAX_ENTRY_CHARS = 60


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    position: int


class VocabularyLists:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db

    def entries(self, list_name: str) -> list[Entry]:
        self._check_list(list_name)
        return [
            Entry(*row)
            for row in self.db.execute(
                "SELECT id, name, position FROM vocabulary WHERE list = ? AND deleted = 0"
                " ORDER BY position, name",
                [list_name],
            )
        ]

    def names(self, list_name: str) -> list[str]:
        return [entry.name for entry in self.entries(list_name)]

    def add(self, list_name: str, name: str) -> str:
        cleaned = self._clean(list_name, name)
        if cleaned in self.names(list_name):
            raise WriteError(f"{LISTS[list_name]}中已有“{cleaned}”。")
        position = max((entry.position for entry in self.entries(list_name)), default=0) + 1
        return self.repo.insert(
            "vocabulary", {"list": list_name, "name": cleaned, "position": position}
        )

    def rename(self, entry_id: str, name: str) -> None:
        entry = self._entry(entry_id)
        list_name = entry["list"]
        cleaned = self._clean(list_name, name)
        if cleaned == entry["name"]:
            return
        if cleaned in self.names(list_name):
            raise WriteError(f"{LISTS[list_name]}中已有“{cleaned}”。")
        with self.repo.transaction():
            self.repo.update("vocabulary", entry_id, {"name": cleaned})
            if list_name == "category":
                for (finding_id,) in self.db.execute(
                    "SELECT id FROM findings WHERE category = ? AND deleted = 0",
                    [entry["name"]],
                ).fetchall():
                    self.repo.update("findings", finding_id, {"category": cleaned})
                for (rule_id,) in self.db.execute(
                    "SELECT id FROM score_rules WHERE kind = 'category' AND key = ?"
                    " AND deleted = 0",
                    [entry["name"]],
                ).fetchall():
                    self.repo.update("score_rules", rule_id, {"key": cleaned})

    def move(self, entry_id: str, position: int) -> None:
        """Put the entry at ``position`` (1-based) of its list."""
        entry = self._entry(entry_id)
        order = [e.id for e in self.entries(entry["list"]) if e.id != entry_id]
        order.insert(max(0, min(position - 1, len(order))), entry_id)
        with self.repo.transaction():
            for number, row_id in enumerate(order, start=1):
                self.repo.update("vocabulary", row_id, {"position": number})

    def remove(self, entry_id: str) -> None:
        self._entry(entry_id)
        self.repo.delete("vocabulary", entry_id)

    def _entry(self, entry_id: str) -> dict:
        entry = self.repo.get("vocabulary", entry_id)
        if entry is None or entry["deleted"]:
            raise WriteError("该项不存在或已删除。")
        return entry

    def _clean(self, list_name: str, name: str) -> str:
        self._check_list(list_name)
        cleaned = name.strip()
        if not cleaned:
            raise WriteError("名称不能为空。")
        if len(cleaned) > MAX_ENTRY_CHARS:
            raise WriteError(f"名称太长（最多 {MAX_ENTRY_CHARS} 字）。")
        return cleaned

    @staticmethod
    def _check_list(list_name: str) -> None:
        if list_name not in LISTS:
            raise WriteError(f"没有名为 {list_name} 的列表。")
