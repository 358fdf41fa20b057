"""The office marks a milestone (or a measure without milestones) done, or reopens it.

Departments report completion through the 调度 sheets; the office can also confirm it itself,
e.g. after an inspection. Every change goes through the repository, so it is logged and synced.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository


class Completion:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository

    def complete(self, table: str, row_id: str, on: date) -> None:
        """``table`` is "milestones" or "measures" (for a measure without milestones)."""
        self._check(table, row_id)
        if on > date.today():
            raise WriteError("完成日期不能晚于今天。")
        self.repo.update(table, row_id, {"completed_on": on.isoformat()})

    def reopen(self, table: str, row_id: str) -> None:
        self._check(table, row_id)
        self.repo.update(table, row_id, {"completed_on": None})

    def _check(self, table: str, row_id: str) -> None:
        if table not in ("milestones", "measures"):
            raise WriteError(f"不能标记完成：{table}")
        row = self.repo.get(table, row_id)
        if row is None or row["deleted"]:
            raise WriteError("该项不存在或已删除。")
