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

from .lines import column_role, header_roles
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


# ---- A table copied one cell a line ---------------------------------------------------------
# A table copied from a web page into Notepad (or pasted into Word as text) comes one cell a
# paragraph: "序号", "事项", "责任单位", "牵头单位", then "1", "地区生产总值增长6.5%以上。",
# "区发改局", … Such a run is rebuilt into tab-separated rows. The header is a run of short
# lines that are column names (序号 among them, a task column and a department or time column);
# each row starts at the next number (1, 2, 3 …); the lines between two numbers are the row's
# cells after 序号, and lines beyond them are the next row's cells before 序号 (a 分类 merged
# down, given once).

_MAX_HEADER_CELL = 12


def _header_run(lines: list[str], start: int) -> tuple[list[int], list[str]] | None:
    """The header cells (line indices, roles) starting at ``lines[start]``, or None."""
    indices: list[int] = []
    at = start
    while at < len(lines) and len(indices) < 12:
        text = lines[at].strip()
        if not text:
            at += 1
            continue
        compact = fold(text).replace(" ", "")
        if len(compact) > _MAX_HEADER_CELL or "\t" in text:
            break
        if not column_role(compact) and not _AREA_HEADER.search(compact):
            break  # not a column name
        indices.append(at)
        at += 1
    names = [fold(lines[i]).replace(" ", "").strip() for i in indices]
    # The run may go on into the first row's cells before 序号 (a 分类 "发展目标" reads like a
    # column name): the header is the shortest start of the run that leaves no more lines than
    # it has columns before 序号, none of them a 序号, department or time column's name.
    for size in range(3, len(names) + 1):
        roles = header_roles(names[:size])
        if roles is None or "no" not in roles:
            continue
        rest = names[size:]
        if len(rest) <= roles.index("no") and not any(
            column_role(name) in ("no", "lead", "responsible", "cooperating", "deadline")
            for name in rest
        ):
            return indices[:size], roles
    return None


def rebuild_cell_lines(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """``text`` with its one-cell-a-line tables rebuilt into rows (see above), and the spans in
    the new text of the rows whose cells were fewer than the header's (a cell left empty in the
    copy: which one is a guess); None when the text has no such table."""
    lines = text.split("\n")
    out: list[str] = []
    doubtful_rows: list[int] = []  # indices in ``out``
    at = 0
    rebuilt = False
    while at < len(lines):
        line = lines[at]
        compact = fold(line).replace(" ", "").strip()
        found = (
            _header_run(lines, at)
            if compact and len(compact) <= _MAX_HEADER_CELL and "\t" not in line
            else None
        )
        if found is None:
            out.append(line)
            at += 1
            continue
        indices, roles = found
        table, at, doubtful = _rows_after(lines, indices, roles)
        if table is None:
            out.append(line)
            at = indices[0] + 1
            continue
        rebuilt = True
        doubtful_rows.extend(len(out) + 1 + i for i in doubtful)  # +1: the header line
        out.extend(table)
    if not rebuilt:
        return None
    spans: list[tuple[int, int]] = []
    offset = 0
    wanted = set(doubtful_rows)
    for index, line in enumerate(out):
        if index in wanted:
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return "\n".join(out), spans


def _rows_after(
    lines: list[str], indices: list[int], roles: list[str]
) -> tuple[list[str] | None, int, list[int]]:
    """The table's lines (header, then rows), the index of the first line after the table, and
    the rows (0 = the first after the header) whose cells were fewer than the columns."""
    no = roles.index("no")
    before, after = no, len(roles) - no - 1
    header = [lines[i].strip() for i in indices]
    tokens: list[int] = []  # non-blank lines after the header, as line indices
    at = indices[-1] + 1
    rows: list[list[str]] = []
    short: list[int] = []
    pending_before: list[str] = []
    expected = None
    current: list[str] | None = None
    end = at

    def close(next_is_row: bool) -> bool:
        """Finish the current row; False when its cells do not fit (the table ended)."""
        nonlocal current, pending_before
        if current is None:
            return True
        number, cells = current[0], current[1:]
        extra: list[str] = []
        if len(cells) > after:
            if not next_is_row or len(cells) - after > before:
                return False
            cells, extra = cells[:after], cells[after:]
        if len(cells) < after:
            short.append(len(rows))
        head = pending_before + [""] * (before - len(pending_before))
        rows.append([*head, number, *cells, *[""] * (after - len(cells))])
        pending_before = extra
        current = None
        return True

    while at < len(lines):
        text = lines[at].strip()
        if not text:
            at += 1
            continue
        tokens.append(at)
        number = _PLAIN_NUMBER.fullmatch(fold(text))
        value = int(fold(text).rstrip(".、")) if number else None
        if value is not None and ((expected is None and value <= 3) or value == expected):
            if not close(True):
                break
            current = [text]
            expected = value + 1
            end = at + 1
        elif current is not None:
            current.append(text)
            if len(current) - 1 > after + before:
                current.pop()
                break  # more lines than a row holds: the table is over
            end = at + 1
        elif expected is None and len(pending_before) < before:
            pending_before.append(text)  # the first row's 分类
            end = at + 1
        else:
            break
        at += 1
    if current is not None:
        cells = current[1:]
        if len(cells) > after:  # the last row's extra lines are text after the table
            end = tokens[tokens.index(end - 1) - (len(cells) - after)] + 1
            current = current[: 1 + after]
        close(False)
    if len(rows) < 2:
        return None, indices[0] + 1, []
    grid: list[list[object]] = [header, *rows]
    table = grid_lines(grid)
    # the rebuilt lines of the rows with fewer cells than columns, found by their numbers
    numbers = [rows[i][no] for i in short]
    doubtful: list[int] = []
    for index, line in enumerate(table[1:]):
        if numbers and line.split("\t", 1)[0] == numbers[0]:
            doubtful.append(index)
            numbers.pop(0)
    return table, end, doubtful
