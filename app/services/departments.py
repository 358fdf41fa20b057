"""The department directory: canonical names, aliases, groups; merging and splitting them.

A plan writes one department several ways; the importer unifies only what the document itself
shows. Here the office corrects the rest: merge two names into one department, split an alias
back out into its own department, or rename. Every change goes through the repository (so it
syncs) and happens in one transaction; nothing is erased, only tombstoned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.collation import collated
from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository


class DirectoryError(WriteError):
    """A directory change that cannot be made; the message says why (Chinese)."""


@dataclass(frozen=True)
class DepartmentInfo:
    id: str
    name: str
    is_group: bool
    aliases: tuple[str, ...]
    lead: int
    responsible: int
    cooperating: int

    @property
    def measure_count(self) -> int:
        return self.lead + self.responsible + self.cooperating


class DepartmentDirectory:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository
        self.db = repository.db

    # ---- Queries ------------------------------------------------------------------------------

    def list(self) -> list[DepartmentInfo]:
        """Every live department in pinyin order, its aliases too."""
        aliases: dict[str, list[str]] = {}
        for department_id, alias in self.db.execute(
            "SELECT department_id, alias FROM department_aliases WHERE deleted = 0"
        ):
            aliases.setdefault(department_id, []).append(alias)
        counts: dict[tuple[str, str], int] = {}
        for department_id, role, count in self.db.execute(
            "SELECT s.department_id, s.role, COUNT(DISTINCT s.measure_id) FROM assignments s"
            " JOIN measures m ON m.id = s.measure_id"
            " WHERE s.deleted = 0 AND m.deleted = 0 GROUP BY s.department_id, s.role"
        ):
            counts[(department_id, role)] = count
        rows = self.db.execute(
            "SELECT id, name, is_group FROM departments WHERE deleted = 0"
        ).fetchall()
        return [
            DepartmentInfo(
                id=department_id,
                name=name,
                is_group=bool(is_group),
                aliases=tuple(collated(aliases.get(department_id, ()))),
                lead=counts.get((department_id, "lead"), 0),
                responsible=counts.get((department_id, "responsible"), 0),
                cooperating=counts.get((department_id, "cooperating"), 0),
            )
            for department_id, name, is_group in collated(rows, key=lambda row: row[1])
        ]

    def get(self, department_id: str) -> DepartmentInfo:
        for info in self.list():
            if info.id == department_id:
                return info
        raise DirectoryError("该部门不存在或已被合并。")

    def current_id(self, department_id: str) -> str | None:
        """The live department ``department_id`` stands for now: itself while live; once merged
        away, the one it was merged into (its name lives on there as the name or an alias);
        None when it was deleted outright or was never in this ledger."""
        row = self.db.execute(
            "SELECT name, deleted FROM departments WHERE id = ?", [department_id]
        ).fetchone()
        if row is None:
            return None
        name, deleted = row
        if not deleted:
            return department_id
        found = {
            found_id
            for (found_id,) in self.db.execute(
                "SELECT id FROM departments WHERE name = ? AND deleted = 0"
                " UNION SELECT a.department_id FROM department_aliases a"
                " JOIN departments d ON d.id = a.department_id"
                " WHERE a.alias = ? AND a.deleted = 0 AND d.deleted = 0",
                [name, name],
            )
        }
        return found.pop() if len(found) == 1 else None

    # ---- Changes ------------------------------------------------------------------------------

    def merge(self, keep_id: str, other_id: str) -> None:
        """Fold ``other`` into ``keep``: its measures, its name and aliases move over (so
        ``current_id(other)`` finds ``keep``, e.g. for a 调度 sheet sent to ``other``)."""
        if keep_id == other_id:
            raise DirectoryError("不能把一个部门合并到它自己。")
        keep, other = self.get(keep_id), self.get(other_id)
        with self.repo.transaction():
            existing = {
                (measure_id, role)
                for measure_id, role in self.db.execute(
                    "SELECT measure_id, role FROM assignments WHERE department_id = ?"
                    " AND deleted = 0",
                    [keep_id],
                )
            }
            for row_id, measure_id, role in self.db.execute(
                "SELECT id, measure_id, role FROM assignments WHERE department_id = ?"
                " AND deleted = 0",
                [other_id],
            ).fetchall():
                if (measure_id, role) in existing:
                    self.repo.delete("assignments", row_id)  # the same role twice: keep one
                else:
                    self.repo.update("assignments", row_id, {"department_id": keep_id})
                    existing.add((measure_id, role))
            taken = {keep.name, *keep.aliases}
            for row_id, alias in self._alias_rows(other_id):
                if alias in taken:
                    self.repo.delete("department_aliases", row_id)
                else:
                    self.repo.update("department_aliases", row_id, {"department_id": keep_id})
                    taken.add(alias)
            if other.name not in taken:
                self.repo.insert(
                    "department_aliases", {"department_id": keep_id, "alias": other.name}
                )
            self.repo.delete("departments", other_id)

    def split(self, department_id: str, alias: str) -> str:
        """Make ``alias`` a department of its own; measures that wrote that name go with it."""
        info = self.get(department_id)
        rows = [row_id for row_id, name in self._alias_rows(department_id) if name == alias]
        if not rows:
            raise DirectoryError(f"“{alias}”不是“{info.name}”的别名，无法拆分。")
        with self.repo.transaction():
            new_id = self.repo.insert(
                "departments", {"name": alias, "is_group": int(info.is_group)}
            )
            for row_id in rows:
                self.repo.delete("department_aliases", row_id)
            for (row_id,) in self.db.execute(
                "SELECT id FROM assignments WHERE department_id = ? AND raw_name = ?"
                " AND deleted = 0",
                [department_id, alias],
            ).fetchall():
                self.repo.update("assignments", row_id, {"department_id": new_id})
        return new_id

    def rename(self, department_id: str, new_name: str) -> None:
        """Give the department a new canonical name; the old one stays as an alias."""
        new_name = new_name.strip()
        info = self.get(department_id)
        if not new_name:
            raise DirectoryError("部门名称不能为空。")
        if new_name == info.name:
            return
        clash = self.db.execute(
            "SELECT 1 FROM departments WHERE name = ? AND deleted = 0 AND id != ?",
            [new_name, department_id],
        ).fetchone()
        if clash:
            raise DirectoryError(f"已有名为“{new_name}”的部门，请改用“合并”。")
        with self.repo.transaction():
            for row_id, alias in self._alias_rows(department_id):
                if alias == new_name:
                    self.repo.delete("department_aliases", row_id)
            self.repo.update("departments", department_id, {"name": new_name})
            self.repo.insert(
                "department_aliases", {"department_id": department_id, "alias": info.name}
            )

    def set_group(self, department_id: str, is_group: bool) -> None:
        """Mark a name as a generic group (各镇街, 市直相关部门) or as one department."""
        self.get(department_id)
        self.repo.update("departments", department_id, {"is_group": int(is_group)})

    # ---- Internals ----------------------------------------------------------------------------

    def _alias_rows(self, department_id: str) -> list[tuple[str, str]]:
        return self.db.execute(
            "SELECT id, alias FROM department_aliases WHERE department_id = ? AND deleted = 0",
            [department_id],
        ).fetchall()
