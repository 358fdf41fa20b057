"""How far down the pages a DOCX's content reaches, estimated on the document grid.

Word, WPS and LibreOffice lay a .docx out themselves; the renderer only needs to know, before
writing the 版记, whether the content ends on a page that can still hold it (and, printing
double-sided, whether that page is even). Body text sits on the 22 × 28 grid, so its lines are
counted exactly for Chinese text; Latin letters and digits, tables and figures are estimates. The
flow keeps a measure of that uncertainty (``doubt_pt``), and the renderer only puts the 版记 on the
same page when the room left is larger than the doubt: otherwise it starts a new (even) page,
which is right whatever the real layout is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from reports.docx_xml import is_ambiguous

# A line never starts with these (the layout engines hang them on the line before).
CLOSING = frozenset("，。、；：？！）》」』】〕〉”’…—%,.;:?!)]")
# A line never ends with these (they move to the next line).
OPENING = frozenset("（《「『【〔〈“‘([")
LATIN_EM = 0.55  # a Latin letter or digit, in em (0.5 in 仿宋_GB2312; wider in stand-ins)
# A table row's height may differ from the estimate by this share (cell padding, line heights).
ROW_DOUBT = 0.05


def char_em(char: str) -> float:
    if is_ambiguous(char) or unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    return LATIN_EM


def _tokens(text: str) -> list[str]:
    """Break units: each Chinese character alone, a run of Latin letters/digits as one word."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if char.isascii() and (char.isalnum() or char in ".%-/"):
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(char)
    if word:
        tokens.append(word)
    return tokens


def count_lines(
    text: str,
    width_pt: float,
    *,
    size_pt: float,
    spacing_pt: float = 0.0,
    first_indent_pt: float = 0.0,
) -> int:
    """Lines ``text`` takes in a column ``width_pt`` wide (greedy, with the kinsoku rules the
    layout engines apply: closing punctuation hangs, opening punctuation moves down)."""
    lines = 0
    for paragraph in text.split("\n"):
        lines += _count_paragraph_lines(paragraph, width_pt, size_pt, spacing_pt, first_indent_pt)
    return max(lines, 1)


def _count_paragraph_lines(
    text: str, width_pt: float, size_pt: float, spacing_pt: float, first_indent_pt: float
) -> int:
    lines = 1
    used = first_indent_pt
    tolerance = 0.01
    for token in _tokens(text):
        advance = sum(char_em(c) * size_pt + spacing_pt for c in token)
        if used + advance <= width_pt + tolerance or used == 0:
            used += advance
            continue
        if token in CLOSING:
            used += advance  # hangs past the margin
            continue
        lines += 1
        used = advance
    return lines


def text_doubt_lines(text: str, chars_per_line: int) -> float:
    """How many lines a paragraph's estimate may be off by: Latin letters and digits are the
    uncertain part of a line's width (their advances differ between faces and applications)."""
    latin = sum(1 for c in text if c.isascii() and c.isalnum())
    if latin == 0:
        return 0.0
    return min(1.0, latin * LATIN_EM * 0.3 / chars_per_line + 0.25)


@dataclass
class Flow:
    """Content placed page by page, in points of the type area's height."""

    page_height_pt: float
    page: int = 1
    used_pt: float = 0.0
    doubt_pt: float = 0.0  # how far the real layout may be from ``used_pt``
    content_on_page: bool = False
    # True once the content before a forced page break may have ended on another page than
    # estimated: from then on ``page`` may be off by one.
    page_uncertain: bool = False

    def lines(self, count: int, pitch_pt: float, *, doubt_lines: float = 0.0) -> None:
        """``count`` lines of ``pitch_pt`` that may split between pages anywhere."""
        for _ in range(count):
            if self.used_pt + pitch_pt > self.page_height_pt + 0.01:
                self.new_page()
            self.used_pt += pitch_pt
        self.doubt_pt += doubt_lines * pitch_pt
        self.content_on_page = True

    def block(self, height_pt: float, *, doubt_pt: float = 0.0) -> None:
        """Something that does not split (a table row, a figure)."""
        if self.used_pt + height_pt > self.page_height_pt + 0.01 and self.used_pt > 0:
            self.new_page()
        self.used_pt += height_pt
        self.doubt_pt += doubt_pt
        self.content_on_page = True

    def page_break(self) -> None:
        """A forced page break (an attachment starts): the next page starts at its top whatever
        the doubt, so the doubt starts afresh — but the page number is only sure when the
        content before the break certainly ended on this page."""
        if not (self.doubt_pt < self.room_pt and self.doubt_pt < self.used_pt):
            self.page_uncertain = True
        self.doubt_pt = 0.0
        self.new_page()

    def space(self, height_pt: float) -> None:
        self.used_pt = min(self.used_pt + height_pt, self.page_height_pt)

    def new_page(self) -> None:
        self.page += 1
        self.used_pt = 0.0
        self.content_on_page = False

    @property
    def room_pt(self) -> float:
        return self.page_height_pt - self.used_pt
