"""Task tables (任务分工表) read cell by cell, from a .docx table or an .xlsx sheet, into the lines
the parser reads: a header line and one line per task, cells joined by tabs, with the areas as
heading lines of their own ("一、政务服务"). The parser then reads them like any table pasted as
text (lines.py: _mark_tables), so a table gives the same JSON as a prose plan.

The reader gives the table as a grid: every cell of the table's grid with its text; a cell
merged down repeats its text in every row it covers, one merged across is ``MERGED_LEFT`` after
its first. What that grid can hold:

* rows before the header (the title, the date) and rows that are one cell across the table (an
  area: "一、政务服务") become lines of their own;
* the header row is recognised by its words (序号/任务/措施/牵头/责任/配合/时限/完成时间, see
  lines._COLUMN_ROLES); a header of two rows (责任单位 over 牵头单位 | 配合单位) is read as one;
* an area column (重点领域, 类别 …, or a first task column whose cells are merged down) becomes a
  heading line whenever its value changes;
* a continuation row (its 序号 empty or the same merged 序号, or without a 序号 column the same
  merged task) is joined to the task above: its new text appended, its departments added;
* a cell merged across columns is given once, then ``MERGED_LEFT`` for each position it also
  covers: it counts for the first column only (牵头单位 and 责任单位 merged are one lead).
"""

from __future__ import annotations

import itertools
import re

from .lines import header_roles
from .textutil import fold, int_to_cn

_AREA_HEADER = re.compile(r"领域|类别|板块|分类|方面|专项|篇章")
# A heading already numbered: 一、 （一） 第一部分
_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|第)"
)
_PLAIN_NUMBER = re.compile(r"\d{1,4}[.、]?")
_DEPARTMENT_ROLES = frozenset({"lead", "responsible", "cooperating"})


class _MergedLeft:
    def __repr__(self) -> str:
        return "MERGED_LEFT"


# A grid position covered by the cell to its left (a cell merged across columns).
MERGED_LEFT: object = _MergedLeft()


def _clean(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    # a cell's own line breaks and tabs would cut the row: one line, tabs as spaces
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(part.strip() for part in text.split("\n")).strip()


def _distinct(row: list[str]) -> list[str]:
    seen: list[str] = []
    for cell in row:
        if cell and cell not in seen:
            seen.append(cell)
    return seen


def _roles(row: list[str]) -> list[str] | None:
    if sum(1 for cell in row if cell) < 2:
        return None
    return header_roles([cell.replace("\t", " ") for cell in row])


def grid_lines(grid: list[list[object]]) -> list[str]:
    """The lines of a task table given as a grid (see the module's docstring). A grid without a
    header row gives its rows as lines of their distinct cells joined by tabs."""
    width = max((len(row) for row in grid), default=0)
    rows: list[list[str]] = []
    covered: list[list[bool]] = []  # covered by the cell to its left (merged across)
    for source in grid:
        row: list[str] = []
        merged: list[bool] = []
        for cell in [*source, *[""] * (width - len(source))]:
            if cell is MERGED_LEFT and row:
                row.append(row[-1])
                merged.append(True)
            else:
                row.append("" if cell is MERGED_LEFT else _clean(cell))
                merged.append(False)
        rows.append(row)
        covered.append(merged)
    header_at = next((i for i, row in enumerate(rows) if _roles(row) is not None), None)
    if header_at is None:
        return ["\t".join(_distinct(row)) for row in rows if any(row)]
    lines = ["\t".join(_distinct(row)) for row in rows[:header_at] if any(row)]
    header = rows[header_at]
    roles = _roles(header)
    assert roles is not None
    body_at = header_at + 1
    if body_at < len(rows):
        second = _roles(rows[body_at])
        if second is not None:  # 责任单位 over 牵头单位 | 配合单位
            header = [b if b and b != a else a for a, b in zip(header, rows[body_at], strict=True)]
            roles = _roles(header) or roles
            body_at += 1
    header_covered = covered[header_at]
    if body_at - header_at == 2:  # merged across in both header rows
        header_covered = [
            a and b for a, b in zip(header_covered, covered[header_at + 1], strict=True)
        ]
    body = rows[body_at:]
    body_covered = covered[body_at:]
    # a header cell merged across columns (重点任务 over two columns) heads them all: their
    # cells are joined into its first column's
    owner: list[int] = []
    for c in range(width):
        owner.append(owner[c - 1] if c and header_covered[c] else c)
    area_column = _area_column(header, roles, body)
    if area_column is not None and (
        owner.count(area_column) > 1
        or not any(roles[c] == "task" and owner[c] != area_column for c in range(width))
    ):
        area_column = None  # it heads more than itself, or it is the only task column
    members = {
        c: [m for m in range(width) if owner[m] == c and m != area_column]
        for c in range(width)
        if owner[c] == c and c != area_column
    }
    columns = [
        c
        for c, group in members.items()
        if any(header[m] or any(r[m] for r in body) for m in group)
    ]
    lines.append("\t".join(header[c] for c in columns))
    no_column = next((c for c in columns if roles[c] == "no"), None)
    task_column = next(c for c in columns if roles[c] == "task")

    area = ""
    areas = 0
    task: list[str] | None = None  # the row being built, by column
    previous: list[str] | None = None  # the grid row above, as read

    def flush() -> None:
        nonlocal task
        if task is not None:
            lines.append("\t".join(task[c] for c in columns))
        task = None

    for row, row_covered in zip(body, body_covered, strict=True):
        if not any(row):
            continue
        cells = _distinct(row)
        filled = sum(1 for cell in row if cell)
        if len(cells) == 1 and (
            filled > 1  # one cell merged across the table
            or _NUMBERED.match(cells[0])
            or (not row[task_column] and not _PLAIN_NUMBER.fullmatch(fold(cells[0])))
        ):
            # an area heading (or closing words)
            flush()
            lines.append(cells[0])
            previous = None
            continue
        if area_column is not None and row[area_column] and row[area_column] != area:
            flush()
            area = row[area_column]
            areas += 1
            lines.append(area if _NUMBERED.match(area) else f"{int_to_cn(areas)}、{area}")
            previous = None
        values = [
            _join([row[m] for m in members[c] if not row_covered[m]], roles[c])
            if c in members
            else ""
            for c in range(width)
        ]
        if (
            task is not None
            and previous is not None
            and _continues(row, previous, no_column, task_column)
        ):
            for c in columns:
                value = values[c]
                if not value or value == previous[c]:
                    continue  # nothing new, or the same cell merged down
                if roles[c] in _DEPARTMENT_ROLES:
                    known = set(task[c].split("、"))
                    value = "、".join(n for n in value.split("、") if n not in known)
                task[c] = _join([task[c], value], roles[c])
        else:
            flush()
            task = list(values)
        previous = row
    flush()
    return lines


def _join(parts: list[str], role: str) -> str:
    """Cell texts that make one: departments by 、, a task's sentences as they run, others by ；."""
    parts = [p for p in parts if p]
    if role in _DEPARTMENT_ROLES:
        return "、".join(parts)
    if role != "task":
        return "；".join(parts)
    out = ""
    for part in parts:
        if out and out[-1] not in "。；;，,：:！？!?":
            out += "，"
        out += part
    return out


def _continues(row: list[str], above: list[str], no_column: int | None, task_column: int) -> bool:
    """Whether ``row`` goes on with the task of the row ``above``."""
    if no_column is not None:
        number = row[no_column]
        return not number or number == above[no_column]
    return not row[task_column] or row[task_column] == above[task_column]


def _area_column(header: list[str], roles: list[str], body: list[list[str]]) -> int | None:
    """The column naming each row's area: headed 重点领域/类别 …, or, when two columns read as
    tasks, the first of them if its cells are merged down (the same text in rows one after
    another)."""
    tasks = [c for c, role in enumerate(roles) if role == "task"]
    for c, cell in enumerate(header):
        if _AREA_HEADER.search(fold(cell)) and c != (tasks[-1] if tasks else -1):
            return c
    if len(tasks) >= 2:
        first = tasks[0]
        values = [row[first] for row in body if row[first]]
        repeats = sum(1 for a, b in itertools.pairwise(values) if a == b)
        if repeats and len(set(values)) < len(values):
            return first
    return None
