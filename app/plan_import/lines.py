"""Line classifier: the first stage of the parser.

Each source line becomes a ``Line`` with a kind (item, attachment marker, closing matter, date,
document number, table header, blank, text) and, for numbered items, the numbering style and
number. Numbering styles, from the outermost level inwards: ``cn`` 一、 / ``pcn`` （一） /
``ar`` 1. 1、 / ``par`` （1） 1) / ``circ`` ① / ``row`` (a row of a task table, see below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .textutil import cn_to_int, fold

STYLES = ("cn", "pcn", "ar", "par", "circ", "row")  # "row": a row of a task table
DEPTH = {style: depth for depth, style in enumerate(STYLES)}

_CN = "一二三四五六七八九十百零〇"
_ITEM = re.compile(
    r"[ \t]*(?:"
    rf"(?P<cn>[{_CN}]{{1,4}})[ \t]*[、.](?![{_CN}][、.])"
    rf"|\([ \t]*(?P<pcn>[{_CN}]{{1,4}})[ \t]*\)"
    r"|(?P<ar>\d{1,3})[ \t]*(?:、|\.(?!\d))"
    r"|\(?[ \t]*(?P<par>\d{1,3})[ \t]*\)"
    r"|(?P<circ>[①-⑳])"
    r")[ \t]*"
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

DATE_RE = re.compile(
    r"(?P<y>\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*"
    r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*日"
)
DOCNO_RE = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*(?P<year>\d{4})\s*[〕\]］】)）]"
    r"\s*(?P<no>\d{1,4})\s*号"
)
_ATTACH = re.compile(r"附\s*件\s*[\d一二三四五六七八九十]*\s*(?::.*)?")
_CLOSING = re.compile(
    r"(?:抄\s*送|主\s*送|印\s*发|发\s*送|报\s*送)\s*:.*"
    r"|\(此页无正文\)|\(此件[^()]{0,8}\)|此件[^()]{0,6}发布"
    r"|.{0,30}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发"
)
_ORG_LINE = re.compile(
    r"[\u4e00-\u9fff〈〉()]{2,30}?(?:人民政府|政府|办公室|办公厅|委员会|委|局|厅|部|中心|管委会)(?:文件)?"
)


@dataclass(slots=True)
class Line:
    index: int
    start: int  # source offset of the first non-blank character
    end: int  # source offset after the last non-blank character
    text: str  # the line without surrounding blanks (source characters)
    norm: str  # fold(text)
    kind: str = "text"  # blank | item | attach | closing | date | docno | header | text
    style: str | None = None
    number: int | None = None
    body: int = 0  # source offset where the item's own text starts (after its number)
    cells: list[tuple[str, int, int]] | None = None  # table rows: (column role, start, end)
    guessed: bool = False  # an item number read from the numbering's order (7.12345热线…)

    @property
    def depth(self) -> int:
        return DEPTH[self.style] if self.style else -1


def item_number(text: str) -> tuple[str, int] | None:
    """(style, number) of a line that starts with an item number (一、 （二） 3. （4） ⑤), else
    None. ``text`` may be full-width: it is folded here."""
    norm = fold(text[:12])
    item = _ITEM.match(norm)
    if item is None or (item.end() >= len(norm) and len(text) <= len(norm)):
        return None
    style = item.lastgroup
    assert style is not None
    token = item.group(style)
    number = _CIRCLED.index(token) + 1 if style == "circ" else cn_to_int(token)
    return (style, number) if number else None


def is_org_line(norm: str) -> bool:
    """A line that is only an organization's name (an issuer or a signature)."""
    return bool(_ORG_LINE.fullmatch(norm.replace(" ", "")))


def classify(text: str, folded: str | None = None) -> list[Line]:
    """Split ``text`` into classified lines (offsets into ``text``); ``folded`` = fold(text)."""
    if folded is None:
        folded = fold(text)
    lines: list[Line] = []
    pos = 0
    for index, raw in enumerate(text.split("\n")):
        line_start = pos
        pos += len(raw) + 1
        stripped = raw.strip(_BLANKS)
        if not stripped:
            lines.append(Line(index, line_start, line_start, "", "", "blank"))
            continue
        start = line_start + raw.index(stripped[0])
        end = start + len(stripped)
        line = Line(index, start, end, stripped, folded[start:end])
        _classify_one(line)
        lines.append(line)
    _mark_signatures(lines)
    _digit_titles(lines)
    if "\t" in text:  # tables come as tab-separated cells
        _mark_tables(lines)
    return lines


# "7.12345热线提速行动。…", "2.5G网络建设。…": a number whose title starts with digits reads like
# a decimal (2.5万元), so such a line is an item only where the numbering expects it: the last
# 1. 2. … item before it is one less, and the line above ends a sentence or a heading.
_DIGIT_TITLE = re.compile(r"[ \t]*(?P<ar>\d{1,3})\.(?=\d)")
_PARAGRAPH_DONE = ("。", ")", "；", ";", "!", "?")


def _digit_titles(lines: list[Line]) -> None:
    last = 0  # the number of the last 1./1、 item (0 after a heading of an outer level)
    previous: Line | None = None
    for line in lines:
        if line.kind == "blank":
            continue
        if line.kind == "item":
            if line.style == "ar":
                last = line.number or 0
            elif line.style in ("cn", "pcn"):
                last = 0
        elif line.kind == "text" and line.norm[:1].isdigit():
            found = _DIGIT_TITLE.match(line.norm)
            if (
                found
                and int(found.group("ar")) == last + 1
                and (
                    previous is None
                    or (previous.kind == "item" and previous.norm.endswith(_PARAGRAPH_DONE))
                    or previous.norm.endswith(_PARAGRAPH_DONE)
                )
            ):
                line.kind = "item"
                line.style = "ar"
                line.number = last + 1
                line.body = line.start + found.end()
                line.guessed = True
                last += 1
        previous = line


_BLANKS = " \t\r\u3000\xa0\ufeff"
_HEADING_FORBIDDEN = re.compile(r"[。,;:()!?“”\"《》]")


def heading_shaped(line: Line) -> bool:
    """Short, unpunctuated text: could be a heading that lost its numeral."""
    return (
        line.kind == "text"
        and 2 <= len(line.norm) <= 30
        and not _HEADING_FORBIDDEN.search(line.norm)
        and not _ROLE_START.match(line.norm)
    )


_ROLE_START = re.compile(r"(?:牵头|责任|配合|参与|协办)(?:部门|单位)")


def _classify_one(line: Line) -> None:
    norm = line.norm
    compact = norm.replace(" ", "")
    first = compact[0]
    if first == "附" and len(compact) <= 60 and _ATTACH.fullmatch(compact):
        line.kind = "attach"
        return
    if (first in "抄主印发报(此" or "印发" in compact) and _CLOSING.fullmatch(compact):
        line.kind = "closing"
        return
    date_match = DATE_RE.search(compact) if len(compact) < 40 and "日" in compact else None
    if date_match and len(compact) - len(date_match.group(0)) <= 2 and "(" not in compact[:1]:
        line.kind = "date"
        return
    if date_match and re.fullmatch(r"\(" + re.escape(date_match.group(0)) + r"\)", compact):
        line.kind = "date"
        return
    docno = DOCNO_RE.search(norm) if len(compact) < 40 and "号" in norm else None
    if docno and len(compact) <= len(docno.group(0).replace(" ", "")) + 2:
        line.kind = "docno"
        return
    item = _ITEM.match(norm)
    if item and item.end() < len(norm):
        style = item.lastgroup  # the one numbering group that matched
        assert style is not None
        token = item.group(style)
        number = _CIRCLED.index(token) + 1 if style == "circ" else cn_to_int(token)
        if number is not None and number > 0:
            line.kind = "item"
            line.style = style
            line.number = number
            line.body = line.start + item.end()


def _mark_signatures(lines: list[Line]) -> None:
    """An organization line right above a date line is a signature: closing matter."""
    previous: Line | None = None
    for line in lines:
        if line.kind == "blank":
            continue
        if (
            line.kind == "date"
            and previous is not None
            and previous.kind == "text"
            and is_org_line(previous.norm)
        ):
            previous.kind = "closing"
        previous = line


# -- task tables (任务分工表) ------------------------------------------------------------------
# The .docx reader writes a table row as one line with its cells joined by tabs. A header row
# names the columns; the rows below it are measures.

_COLUMN_ROLES = [
    ("no", re.compile(r"^(?:序号|编号|序|号)$")),
    ("lead", re.compile(r"牵头(?!领导)|主办|主责")),
    ("responsible", re.compile(r"责任(?:单位|部门)|承办|落实(?:单位|部门)|实施(?:单位|部门)")),
    ("cooperating", re.compile(r"配合|协办|参与|协助")),
    ("deadline", re.compile(r"时限|时间|期限|节点")),
    ("skip", re.compile(r"领导|责任人|联系人|备注|进展|情况|完成情况")),
    ("task", re.compile(r"任务|措施|内容|事项|工作|目标|举措|要求|项目")),
]


def _cells(line: Line) -> list[tuple[int, int]]:
    """Source spans of the tab-separated cells of a line (stripped)."""
    spans: list[tuple[int, int]] = []
    pos = line.start
    for cell in line.text.split("\t"):
        stripped = cell.strip(_BLANKS)
        start = pos + (cell.index(stripped[0]) if stripped else 0)
        spans.append((start, start + len(stripped)))
        pos += len(cell) + 1
    return spans


def _header_roles(line: Line) -> list[str] | None:
    if "\t" not in line.text:
        return None
    return header_roles(line.norm.split("\t"))


def column_role(cell: str) -> str:
    """What a header cell names: "no", "task", "lead", "responsible", "cooperating",
    "deadline", "skip" (a column to keep but not read: 责任人, 备注), or "" (none of them)."""
    cell = fold(cell).strip().replace(" ", "")
    return next((name for name, rx in _COLUMN_ROLES if cell and rx.search(cell)), "")


def header_roles(cells: list[str]) -> list[str] | None:
    """The role of each column ("no", "task", "lead" …, "" for none) when ``cells`` are a task
    table's header row (a task column and a department or time column), else None."""
    roles = [column_role(cell) for cell in cells]
    if "task" in roles and ({"lead", "responsible", "cooperating", "deadline"} & set(roles)):
        return roles
    return None


def _mark_tables(lines: list[Line]) -> None:
    roles: list[str] | None = None
    count = 0
    for line in lines:
        if line.kind == "blank":
            continue
        header = _header_roles(line)
        if header is not None:
            roles = header
            count = 0
            line.kind = "header"
            continue
        if roles is None or "\t" not in line.text:
            continue
        spans = _cells(line)
        # a row may have fewer cells than the header: its empty last cells were trimmed
        if len(spans) > len(roles) or all(a == b for a, b in spans):
            roles = None
            continue
        count += 1
        cells = [(role, a, b) for role, (a, b) in zip(roles, spans, strict=False) if b > a]
        number_cell = next(
            (line.text[a - line.start : b - line.start] for role, a, b in cells if role == "no"), ""
        )
        number = cn_to_int(fold(number_cell).strip().rstrip(".、")) if number_cell else None
        body = next((a for role, a, _ in cells if role == "task"), None)
        if body is None:
            continue
        line.kind = "item"
        line.style = "row"
        line.number = number if number else count
        line.body = body
        line.cells = cells
