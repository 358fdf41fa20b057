"""Paragraphs rebuilt from a PDF's page layout (the positions of its characters).

A PDF has no paragraphs, only characters drawn at positions. A published 公文 PDF (Word, WPS or
LibreOffice; 28 characters a line, 22 lines a page) wraps every paragraph at the right margin,
numbers its pages "— 12 —" and ends with a 版记 (抄送, 印发) between rules. Reading it line by
line makes any line of running text that happens to start with "3." or "（二）" look like a new
item; so the lines are put back into paragraphs first:

1. Characters become lines (by their vertical centre), lines carry their font, size and extent.
2. Page numbers, running headers and footers (the same text at the same height on many pages)
   and the 版记 are dropped.
3. The type area is learned from the lines themselves: the left edge most lines start at, the
   right edge full lines reach (per odd/even page: double-sided layouts mirror their margins).
4. A line joins the paragraph above it unless that paragraph ended: the line above ends short
   of the right edge (or, in a document whose paragraphs are not indented, ends a sentence), the
   line is indented (a first line, a centred title, a right-aligned signature), its size
   differs, or a gap stands between them. In a document whose paragraphs are not indented, a
   line starting with the next number of a numbering (3. after 2.) starts a paragraph too.

The result is one paragraph per line of text (what the parser reads), each with where it came
from, and notes about joins the reader could not be sure of: in an indented document, a line
starting with the next number of a numbering that was joined to the paragraph above (its line
above was full and it was not indented).

``rebuild(pages)`` works on plain data (``PdfPage``), so it can be tested and fuzzed without a
PDF; ``read_pages`` reads the pages' characters with pdfplumber.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from .lines import DEPTH, item_number
from .model import LaidParagraph

# A character: (text, x0, x1, top, bottom, size, font). Plain tuples: a page has ~600.
Char = tuple[str, float, float, float, float, float, str]


@dataclass(slots=True)
class PdfPage:
    """One page's characters and horizontal rules (y of each rule, from the top)."""

    number: int  # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    rules: list[float] = field(default_factory=list)


@dataclass(slots=True)
class Line:
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    text: str
    index: int = 0  # position on its page (0 = top line)


@dataclass(slots=True)
class LayoutNote:
    """A doubt about the rebuilt structure; ``span`` is in the rebuilt text."""

    code: str
    message: str
    span: tuple[int, int]


@dataclass(slots=True)
class Rebuilt:
    text: str
    paragraphs: list[LaidParagraph]
    notes: list[LayoutNote]
    dropped: list[str]  # lines dropped as page furniture (page numbers, headers, the 版记)
    pages_without_text: list[int]


# ---- Characters into lines -----------------------------------------------------------------------


def _lines_of(page: PdfPage) -> list[Line]:
    chars = [c for c in page.chars if (c[0] and not c[0].isspace()) or c[0] == " "]
    if not chars:
        return []
    chars.sort(key=lambda c: (c[3] + c[4]) / 2)
    rows: list[list[Char]] = []
    centre = -1e9
    tolerance = 0.0
    for char in chars:
        middle = (char[3] + char[4]) / 2
        if rows and abs(middle - centre) <= tolerance:
            rows[-1].append(char)
            continue
        rows.append([char])
        centre = middle
        tolerance = max(1.0, 0.4 * char[5])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda c: c[1])
        text, kept = _row_text(row)
        if not text.strip():
            continue
        sizes = Counter(round(c[5] * 2) / 2 for c in kept)
        size = sizes.most_common(1)[0][0]
        visible = [c for c in kept if not c[0].isspace()]
        lines.append(
            Line(
                page.number,
                visible[0][1],
                visible[-1][2],
                min(c[3] for c in visible),
                max(c[4] for c in visible),
                size,
                visible[0][6],
                text.strip(),
            )
        )
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    for index, line in enumerate(lines):
        line.index = index
    return lines


def _row_text(row: list[Char]) -> tuple[str, list[Char]]:
    """The text of one line: characters left to right, a space where a wide gap stands, a
    character drawn twice at one place (fake bold) once."""
    pieces: list[str] = []
    kept: list[Char] = []
    previous: Char | None = None
    for char in row:
        if previous is not None:
            if char[0] == previous[0] and abs(char[1] - previous[1]) < 0.3 * char[5]:
                continue  # overprinted
            gap = char[1] - previous[2]
            if gap > 0.6 * max(char[5], previous[5]) and not (
                char[0].isspace() or previous[0].isspace()
            ):
                pieces.append(" ")
        pieces.append(char[0])
        kept.append(char)
        previous = char
    return "".join(pieces), kept


# ---- Page furniture ------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"[-—–－―‒─_·•\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*(?:/|共)\s*\d{1,4}\s*页?)?[-—–－―‒─_·•\s]*"
)
_COPY_LINE = re.compile(r"^(?:抄\s*送|主\s*送|分\s*送|报\s*送)\s*[:：]")
_PRINT_LINE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发\s*$")
_DIGITS = re.compile(r"\d+")


_BARE_NUMBER = re.compile(r"\d{1,4}")


def _is_page_number(line: Line, height: float = 0.0) -> bool:
    """ "— 12 —", "- 12 -", "第 12 页", "12/70"; a bare "12" only in the page's top or bottom
    band (``height``: the page's; 0: anywhere) and only when it is this page's number or a few
    less (pages before the numbering starts)."""
    text = line.text
    if not _PAGE_NUMBER.fullmatch(text) or not any(ch.isdigit() for ch in text):
        return False
    if not _BARE_NUMBER.fullmatch(text):
        return True
    in_band = height <= 0 or line.top < 0.1 * height or line.bottom > 0.88 * height
    return in_band and 0 <= line.page - int(text) <= 5


def _furniture(pages: list[list[Line]], heights: list[float]) -> set[int]:
    """ids of the lines that are page furniture: page numbers, running headers and footers."""
    drop: set[int] = set()
    repeated: Counter[tuple[int, str]] = Counter()
    for lines, height in zip(pages, heights, strict=True):
        for line in lines:
            if (line.index <= 1 or line.index >= len(lines) - 2) and _is_page_number(line, height):
                drop.add(id(line))
        if lines:  # the first and last line of a page may be a running header or footer
            for line in {id(lines[0]): lines[0], id(lines[-1]): lines[-1]}.values():
                repeated[(round(line.top / 4), _DIGITS.sub("#", line.text))] += 1
    needed = max(3, len(pages) // 3)
    running = {key for key, count in repeated.items() if count >= needed}
    if running:
        for lines in pages:
            for line in (lines[0], lines[-1]) if lines else ():
                if (round(line.top / 4), _DIGITS.sub("#", line.text)) in running:
                    drop.add(id(line))
    return drop


def _end_block(lines: list[Line], rules: list[float]) -> set[int]:
    """ids of the 版记's lines on a page: from a 抄送 line to the 印发 line below it, when they
    are the last text of the page (page numbers aside)."""
    body = [ln for ln in lines if not _is_page_number(ln)]
    printed = next(
        (i for i in range(len(body) - 1, -1, -1) if _PRINT_LINE.search(body[i].text)), -1
    )
    if printed < 0 or printed < len(body) - 1:
        return set()
    start = printed
    for index in range(printed - 1, max(-1, printed - 8), -1):
        if _COPY_LINE.match(body[index].text):
            start = index
            break
    if start == printed and rules:
        # no 抄送: the 印发 line alone, when a rule stands just above it
        above = [y for y in rules if y <= body[printed].top]
        if not above or body[printed].top - max(above) > 3 * body[printed].size:
            return {id(body[printed])}
    return {id(line) for line in body[start : printed + 1]}


# ---- The type area -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Area:
    left: float
    right: float


def _mode(values: Iterable[float], tolerance: float) -> float | None:
    """The value most others lie within ``tolerance`` of (the densest spot)."""
    ordered = sorted(values)
    if not ordered:
        return None
    best, best_count = ordered[0], 0
    low = 0
    for high, value in enumerate(ordered):
        while value - ordered[low] > tolerance:
            low += 1
        if high - low + 1 > best_count:
            best_count = high - low + 1
            best = ordered[(low + high) // 2]
    return best


def _leftmost(values: Iterable[float], tolerance: float, needed: int) -> float | None:
    """The leftmost spot at least ``needed`` values lie within ``tolerance`` of."""
    ordered = sorted(values)
    high = 0
    for low, value in enumerate(ordered):
        while high < len(ordered) and ordered[high] - value <= tolerance:
            high += 1
        if high - low >= needed:
            return ordered[(low + high - 1) // 2]
    return ordered[0] if ordered else None


def _areas(lines: list[Line], size: float, widths: dict[int, float]) -> dict[int, _Area]:
    """The type area of odd and even pages (key: page number % 2).

    The left edge is the leftmost place a fair share of lines start at (most lines are a
    paragraph's later lines, which start there; first lines are indented). The right edge is
    where the lines starting at the left edge most often end (full lines), or in a short
    document the furthest any line reaches."""
    every = [ln for ln in lines if abs(ln.size - size) <= 0.15 * size] or lines
    overall = _area_of(every, size, max(widths.values()))
    areas: dict[int, _Area] = {}
    for parity in (0, 1):
        own = [ln for ln in every if ln.page % 2 == parity]
        area = _area_of(own, size, widths[parity]) if len(own) >= 8 else None
        # Mirrored margins move the type area by a few millimetres; a page whose lines all
        # start indented (short paragraphs) would seem to move it by characters: not trusted.
        if (
            area is None
            or abs(area.left - overall.left) > size
            or abs(area.right - overall.right) > size
        ):
            area = overall
        areas[parity] = area
    return areas


def _area_of(chosen: list[Line], size: float, width: float) -> _Area:
    needed = 1 if len(chosen) < 20 else max(2, len(chosen) // 20)
    left = _leftmost((ln.x0 for ln in chosen), 0.3 * size, needed)
    assert left is not None
    if len(chosen) < 20:  # too few lines to tell: margins about as wide on both sides
        return _Area(left, max(max(ln.x1 for ln in chosen), width - left))
    starting = [ln.x1 for ln in chosen if abs(ln.x0 - left) <= 0.3 * size]
    right = _mode(starting or [ln.x1 for ln in chosen], 0.5 * size)
    assert right is not None
    return _Area(left, right)


# ---- Lines into paragraphs -----------------------------------------------------------------------

_SENTENCE_END = "。！？；!?;"
_ITEM_START = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,3}[、．.](?!\d))"
)


def _pitch(lines: list[Line], size: float) -> float:
    steps = [
        b.top - a.top
        for a, b in pairwise(lines)
        if a.page == b.page and abs(a.size - size) < 0.1 and abs(b.size - size) < 0.1
    ]
    steps = [s for s in steps if s > 0.5 * size]
    found = _mode(steps, 0.1 * size)
    return found if found is not None else 1.8 * size


def rebuild(pages: Sequence[PdfPage]) -> Rebuilt:
    """The pages' text, one paragraph a line, with page furniture dropped (see module doc)."""
    per_page = [_lines_of(page) for page in pages]
    empty = [page.number for page, lines in zip(pages, per_page, strict=True) if not lines]
    drop = _furniture(per_page, [page.height for page in pages])
    for page, lines in zip(pages, per_page, strict=True):
        drop |= _end_block([ln for ln in lines if id(ln) not in drop], page.rules)
    dropped = [ln.text for lines in per_page for ln in lines if id(ln) in drop]
    lines = [ln for page_lines in per_page for ln in page_lines if id(ln) not in drop]
    if not lines:
        return Rebuilt("", [], [], dropped, empty)
    sizes = Counter(round(ln.size * 2) / 2 for ln in lines for _ in range(len(ln.text)))
    size = sizes.most_common(1)[0][0]
    widths = {page.number % 2: page.width for page in pages}
    widths = {0: widths.get(0, widths.get(1, 0.0)), 1: widths.get(1, widths.get(0, 0.0))}
    areas = _areas(lines, size, widths)
    pitch = _pitch(lines, size)

    def area(line: Line) -> _Area:
        return areas.get(line.page % 2) or next(iter(areas.values()))

    def indented(line: Line) -> bool:
        return line.x0 - area(line).left >= 1.2 * line.size

    def shortfall(line: Line) -> float:
        """How far the line ends short of the right edge, in characters of its size."""
        return (area(line).right - line.x1) / line.size

    def centred(line: Line) -> bool:
        own = area(line)
        return (
            line.x0 - own.left > 1.5 * line.size
            and abs((line.x0 - own.left) - (own.right - line.x1)) < 1.5 * line.size
        )

    # Whether paragraphs are indented: look at lines that surely start a paragraph (after a
    # line that ends well short of the right edge) and are not centred.
    starts = [
        b
        for a, b in pairwise(lines)
        if shortfall(a) >= 3 and not centred(b) and abs(b.size - size) < 0.15 * size
    ]
    indenting = bool(starts) and sum(indented(b) for b in starts) >= 0.5 * len(starts)

    pieces: list[str] = []
    paragraphs: list[LaidParagraph] = []
    notes: list[LayoutNote] = []
    length = 0
    current: LaidParagraph | None = None
    previous: Line | None = None
    numbering = _Numbering()
    for line in lines:
        text = line.text
        if previous is not None and not (
            _starts_paragraph(previous, line, indenting, indented(line), shortfall(previous), pitch)
            or (not indenting and numbering.follows(text))
        ):
            if numbering.follows(text):  # it would have been the next item
                marker = _ITEM_START.match(text)
                end = marker.end() if marker else min(len(text), 4)
                notes.append(
                    LayoutNote(
                        "pdf_line_joined",
                        f"原文第 {line.page} 页有一行以“{text[:end]}”开头，上一行排满且这一行"
                        "没有缩进，已接在上一段之后；如果它是新的一条，请对照原文核对",
                        (length, length + end),
                    )
                )
            if previous.text[-1:].isascii() and previous.text[-1:].isalpha() and text[:1].isascii():
                text = " " + text
            pieces.append(text)
            length += len(text)
            assert current is not None
            current.end = length
            current.lines += 1
            previous = line
            continue
        if pieces:
            pieces.append("\n")
            length += 1
        numbering.seen(text)
        current = LaidParagraph(
            length,
            length + len(text),
            line.page,
            line.font,
            line.size,
            indented(line),
            centred(line),
            1,
        )
        paragraphs.append(current)
        pieces.append(text)
        length += len(text)
        previous = line
    return Rebuilt("".join(pieces), paragraphs, notes, dropped, empty)


class _Numbering:
    """The last item number of each numbering style seen at a paragraph start (an item of an
    outer style forgets the inner ones): whether a line starts with the next number."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def follows(self, text: str) -> bool:
        found = item_number(text)
        if found is None:
            return False
        style, number = found
        return number == self.last.get(style, 0) + 1

    def seen(self, text: str) -> None:
        found = item_number(text)
        if found is None:
            return
        style, number = found
        depth = DEPTH[style]
        self.last = {s: n for s, n in self.last.items() if DEPTH[s] < depth}
        self.last[style] = number


def _starts_paragraph(
    previous: Line,
    line: Line,
    indenting: bool,
    is_indented: bool,
    short: float,
    pitch: float,
) -> bool:
    if abs(line.size - previous.size) > 0.15 * previous.size:
        return True  # a title, a 版记 line, a table in a smaller size
    if line.page == previous.page and line.top - previous.top > 1.6 * pitch:
        return True  # space between paragraphs
    if is_indented:
        return True  # a first line, or a centred or right-aligned line
    if short >= 3:
        return True
    ends = previous.text[-1:] in _SENTENCE_END or previous.text.endswith(("。）", "。)"))
    if not indenting:
        return short >= 1.5 or ends
    return short >= 1.5 and ends


# ---- Reading a PDF -------------------------------------------------------------------------------


_NOT_TEXT = ("", "\ufeff", "\r", "\n", "\x0b", "\x0c", "\x00")


def pdf_page(page: object, number: int) -> PdfPage:
    """A pdfplumber page's characters and horizontal rules as a ``PdfPage``."""
    chars: list[Char] = []
    for char in page.chars:  # type: ignore[attr-defined]
        if not char.get("upright", True) or char["text"] in _NOT_TEXT:
            continue
        chars.append(
            (
                char["text"],
                float(char["x0"]),
                float(char["x1"]),
                float(char["top"]),
                float(char["bottom"]),
                float(char["size"]),
                str(char.get("fontname", "")),
            )
        )
    rules: list[float] = []
    width = float(page.width)  # type: ignore[attr-defined]
    for edge in page.lines:  # type: ignore[attr-defined]
        if abs(edge["top"] - edge["bottom"]) < 2 and edge["x1"] - edge["x0"] > 0.5 * width:
            rules.append(float(edge["top"]))
    for rect in page.rects:  # type: ignore[attr-defined]
        if rect["height"] < 3 and rect["width"] > 0.5 * width:
            rules.append(float(rect["top"]))
    return PdfPage(number, width, float(page.height), chars, sorted(rules))  # type: ignore[attr-defined]


def read_pages(data: bytes, on_page: Callable[[int, list[PdfPage]], None]) -> list[PdfPage]:
    """Every page of the PDF ``data`` (its page count already checked against the limits) as a
    ``PdfPage``; ``on_page(index, pages so far)`` before each (it may raise to stop). A page
    pdfplumber cannot read comes back empty (and is reported as a page without text)."""
    import pdfplumber

    pages: list[PdfPage] = []
    with pdfplumber.open(io.BytesIO(data), password="") as pdf:
        for index, page in enumerate(pdf.pages):
            on_page(index, pages)
            try:
                pages.append(pdf_page(page, index + 1))
            except Exception:  # a damaged content stream on one page
                pages.append(PdfPage(index + 1, float(page.width), float(page.height)))
            page.close()  # pdfplumber caches each page's objects: free them as we go
    return pages
