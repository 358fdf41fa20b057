"""Chinese text in reportlab documents: line breaking by the Chinese rules, page numbers, A4 frames.

reportlab's ``wordWrap='CJK'`` keeps a Japanese list of characters that may not start a line: it
lacks ，；：？！》” and more, so a line may start with a comma (/work/shared/guides/gbt9704.md,
"Line breaking"). ``break_lines`` breaks text itself: a closing mark (，。、；：？！）》”…) is glued
to the character before it and an opening mark (（《“) to the one after it, so when the pair does
not fit it moves to the next line together (the "pull a character down" rule of print); a run of
Latin letters and digits (2021-07-01, 0.5, SHA-256) is kept whole unless it is wider than a line;
—— and …… are never split. ``CJKParagraph`` is a flowable that breaks its text so for the width it
is given (a table cell, a frame) and hands the lines to reportlab's ``Paragraph`` one per line.

No Qt here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

# A line never starts with these (GB/T 15834; W3C clreq), nor with the second half of —— or …….
CANNOT_START = frozenset("，。、；：？！）》」』】〕〉〗〙〛”’…—·～％‰℃,.;:?!)]}%")
# A line never ends with these.
CANNOT_END = frozenset("（《「『【〔〈〖〘〚“‘([{")
# reportlab's Paragraph breaks a line only when it is wider than the space by more than 1e-6 pt;
# sums of the same glyph widths differ from its own by far less than this.
_FUZZ = 1e-7
# A space where a line may break (not the ideographic space 　, which is a blank character that
# holds its place: indents and gaps written with it stay as written), a run of narrow characters
# (Latin letters, digits, ASCII punctuation) kept together, or any other single character.
_TOKEN = re.compile(r"[^\S\u3000]+|[^\s\u2000-\U0010ffff]+|.", re.DOTALL)

Measure = Callable[[str], float]


def break_lines(text: str, width: float, measure: Measure) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (as ``measure`` counts), by the
    Chinese rules. A newline in the text starts a new line; an empty text is one empty line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_break(paragraph, width, measure))
    return lines


def _atoms(text: str) -> list[str]:
    """Units that are never split across lines ("" stands for a space between them)."""
    atoms: list[str] = []
    opening = ""
    for token in _TOKEN.findall(text):
        if token.isspace() and token != "\u3000":
            if opening:  # "（ 督": the mark still goes with what follows it
                opening += " "
                continue
            if atoms and atoms[-1] != "":
                atoms.append("")
            continue
        if token[0] in CANNOT_START and atoms and not opening:
            if atoms[-1] == "":  # "abc ，": keep the space, but not at the start of a line
                atoms.pop()
                atoms[-1] += " "
            atoms[-1] += token
        elif len(token) == 1 and token in CANNOT_END:
            opening += token
        else:
            atoms.append(opening + token)
            opening = ""
    if opening:
        atoms.append(opening)
    while atoms and atoms[-1] == "":
        atoms.pop()
    return atoms


def _break(text: str, width: float, measure: Measure) -> list[str]:
    limit = width + _FUZZ
    lines: list[str] = []
    line, used, space = "", 0.0, False
    space_width = measure(" ")
    for atom in _atoms(text):
        if atom == "":
            space = bool(line)
            continue
        atom_width = measure(atom)
        gap = space_width if space else 0.0
        if line and used + gap + atom_width > limit:
            lines.append(line)
            line, used, gap = "", 0.0, 0.0
        if not line and atom_width > limit:  # wider than a whole line: cut it where it must
            for piece in _cut(atom, limit, measure):
                if line:
                    lines.append(line)
                line, used = piece, measure(piece)
        else:
            line += (" " if gap else "") + atom
            used += gap + atom_width
        space = False
    lines.append(line)
    return lines


def _cut(atom: str, limit: float, measure: Measure) -> list[str]:
    pieces, piece = [], ""
    for char in atom:
        if piece and measure(piece + char) > limit:
            # Never leave a closing mark at the start of the next piece.
            if char in CANNOT_START:
                pieces.append(piece[:-1])
                piece = piece[-1]
            else:
                pieces.append(piece)
                piece = ""
        piece += char
    pieces.append(piece)
    return [p for p in pieces if p]


def text_width(font: str, size: float) -> Measure:
    return lambda text: stringWidth(text, font, size)


class CJKParagraph(Flowable):
    """A paragraph of plain text (no markup), broken by ``break_lines`` for the width it gets."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = text
        self.style = style
        # CJK mode keeps every space as written (the normal mode collapses runs of 　); the
        # lines given to it already fit, so it breaks none of them again.
        self._style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self._para: Paragraph | None = None
        self._for_width: float | None = None
        self._broken: list[str] = []

    def _lines(self, width: float) -> list[str]:
        if self._for_width != width:
            measure = text_width(self.style.fontName, self.style.fontSize)
            self._broken = break_lines(self.text, width, measure)
            self._for_width = width
            self._para = None
        return self._broken

    def _paragraph(self, width: float) -> Paragraph:
        lines = self._lines(width)
        if self._para is None:
            # &#12288;: Paragraph strips the text's leading blanks, the ideographic space too,
            # before it reads entities — an indent written with 　　 stays.
            markup = "<br/>".join(
                escape(line).replace("\u3000", "&#12288;") if line else "&nbsp;" for line in lines
            )
            self._para = Paragraph(markup, self._style)
        return self._para

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        para = self._paragraph(availWidth)
        self.width, self.height = para.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Split between lines, keeping the lines as broken (reportlab's own split would
        break the rest again by its rules). The lines are those of the last ``wrap``: a table
        splitting a row passes the column's width here, not the cell's (without padding)."""
        lines = self._lines(availWidth if self._for_width is None else self._for_width)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        head = CJKParagraph("\n".join(lines[:fit]), self.style)
        tail = CJKParagraph("\n".join(lines[fit:]), self.style)
        head.spaceAfter = 0
        tail.spaceBefore = 0
        return [head, tail]

    def draw(self) -> None:
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)

    def __repr__(self) -> str:
        return f"CJKParagraph({self.text[:30]!r})"


def numbered_canvas(font: str, size: float, left_text: str = "") -> type[Canvas]:
    """A canvas class that prints "第 N 页 共 M 页" at the foot of every page (and ``left_text``
    at the left), once the number of pages is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            # Never the non-embedded Helvetica (reportlab's default), even for an empty page.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or font
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setFont(font, size)
            self.drawCentredString(
                width / 2, 12 * 2.8346, f"第 {self._pageNumber} 页 共 {total} 页"
            )
            if left_text:
                self.drawString(20 * 2.8346, 12 * 2.8346, left_text)
            self.restoreState()

    return NumberedCanvas
