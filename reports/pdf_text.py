"""Chinese text in reportlab documents: line breaking by the Chinese rules, page numbers, A4 frames.

reportlab's ``wordWrap='CJK'`` keeps a Japanese list of characters that may not start a line: it
lacks ，；：？！》” and more, so a line may start with a comma (/work/shared/guides/gbt9704.md,
"Line breaking"). ``break_spans`` / ``break_lines`` break text themselves, by ``LineRules``
(GB/T 15834; W3C clreq):

- a closing mark (，。、；：？！）》”…) is glued to the character before it and an opening mark
  (（《“) to the one after it, so when the pair does not fit it moves to the next line together
  (the "pull a character down" rule of print) — or, for the marks in ``LineRules.hang``, the
  mark alone hangs past the end of the line (``GRID_RULES``: the 公文 grid, see below);
- a run of Latin letters and digits (2021-07-01, 0.5, SHA-256) is kept whole unless it is wider
  than a line; —— and …… are never split, …… never starts a line (``PLAIN_RULES``: nor ——);
- a 文号 (滕政办发〔2021〕9号: the 机关代字, the year in 〔〕, the number and 号) stays on one line.

``CJKParagraph`` is a flowable that breaks its text so for the width it is given (a table cell, a
frame) and hands the lines to reportlab's ``Paragraph`` one per line (the plain record PDF). The
公文 PDF (reports/gongwen_pdf_lines.py) places the characters of each line on the 28-character
grid itself and breaks with ``GRID_RULES``, which hang 点号 (，。、；：？！) and pull a character
down with a closing bracket or quotation mark, as LibreOffice (checked) and Word and WPS (by
default) do with the DOCX: the two files then break lines, and pages, alike.

No Qt here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

# A line never starts with these (GB/T 15834; W3C clreq), nor with the second half of —— or …….
CANNOT_START = frozenset("，。、；：？！）》」』】〕〉〗〙〛”’…—·～％‰℃,.;:?!)]}%")
# A line never ends with these.
CANNOT_END = frozenset("（《「『【〔〈〖〘〚“‘([{")
# The 点号 that may hang past the end of a line on the 公文 grid.
HANGING = frozenset("，。、；：？！")
# A 文号: up to six characters of 机关代字 before the year in 〔〕, then the number and 号.
DOCUMENT_NUMBER = re.compile(r"[\u3400-\u9fff]{0,6}〔\d{4}〕\d+号")
# Units never split (besides the 文号): runs of dashes or ellipses.
_DASHES = re.compile(r"—+|…+|‥+|―+")
# reportlab's Paragraph breaks a line only when it is wider than the space by more than 1e-6 pt;
# sums of the same glyph widths differ from its own by far less than this.
_FUZZ = 1e-7
# A space where a line may break (not the ideographic space 　, which is a blank character that
# holds its place: indents and gaps written with it stay as written), a run of dashes or
# ellipses, a run of narrow characters (Latin letters, digits, ASCII punctuation) kept together,
# or any other single character.
_TOKEN = re.compile(r"(?P<space>[^\S\u3000]+)|—+|…+|‥+|―+|[^\s\u2000-\U0010ffff]+|.", re.DOTALL)

Measure = Callable[[str], float]


@dataclass(frozen=True)
class LineRules:
    """What may start and end a line, what may hang past its end, what is never split."""

    cannot_start: frozenset[str] = CANNOT_START
    cannot_end: frozenset[str] = CANNOT_END
    # Closing marks that may hang past the end of a line (one per line) instead of taking the
    # character before them down to the next line.
    hang: frozenset[str] = frozenset()
    keep_whole: tuple[re.Pattern[str], ...] = field(default=(DOCUMENT_NUMBER,))
    # Wider than the line by at most this much still fits (sums of glyph widths in points).
    fuzz: float = _FUZZ


# The plain record PDF: nothing hangs; a closing mark or —— takes the character before it down.
PLAIN_RULES = LineRules()
# The 公文 grid: 点号 hang, —— may start a line (only its second half may not), as in the
# DOCX's layout in Word, WPS and LibreOffice. 0.05 pt: the type width in twips rounds up so.
GRID_RULES = LineRules(cannot_start=CANNOT_START - {"—"}, hang=HANGING, fuzz=0.05)
# Table cells on the 公文 grid: as GRID_RULES, but nothing hangs (there is no margin to hang
# into, only the cell's padding: Word and LibreOffice take a character down there too).
CELL_RULES = LineRules(cannot_start=CANNOT_START - {"—"}, fuzz=0.05)


@dataclass(frozen=True)
class LineSpan:
    """One line: ``text[start:end]``; ``hanging`` when its last character hangs past the end."""

    start: int
    end: int
    hanging: bool = False


def break_lines(
    text: str,
    width: float,
    measure: Measure,
    *,
    first_width: float | None = None,
    rules: LineRules = PLAIN_RULES,
) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (as ``measure`` counts; the first line
    ``first_width`` when given), by the Chinese rules. A newline in the text starts a new line;
    an empty text is one empty line."""
    lines: list[str] = []
    for number, paragraph in enumerate(text.split("\n")):
        advances = [measure(char) for char in paragraph]
        first = first_width if number == 0 and first_width is not None else width
        spans = break_spans(paragraph, advances, width, first_width=first, rules=rules)
        lines.extend(paragraph[span.start : span.end] for span in spans)
    return lines


def break_spans(
    text: str,
    advances: Sequence[float],
    width: float,
    *,
    first_width: float | None = None,
    rules: LineRules = PLAIN_RULES,
    line_end: Sequence[float] | None = None,
) -> list[LineSpan]:
    """The lines of one paragraph (no newlines) as spans of ``text``. ``advances[i]`` is how far
    character ``i`` moves the pen (its width plus any spacing after it); ``line_end[i]`` how
    much of the line it takes when it is the line's last character (default: its advance; less
    where the advance holds a space that only separates it from the next character). A line
    holds what adds up to at most its width, plus one hanging mark. Spaces where a line breaks
    belong to no line."""
    ends = advances if line_end is None else line_end
    limits = (width if first_width is None else first_width) + rules.fuzz, width + rules.fuzz
    spans: list[LineSpan] = []
    start = end = -1  # the open line: text[start:end]; -1 = none yet
    used = 0.0

    def close(hanging: bool = False) -> None:
        nonlocal start, end, used
        spans.append(LineSpan(start, end, hanging))
        start = end = -1
        used = 0.0

    def ending(last: int) -> float:
        return ends[last] - advances[last]

    for atom_start, atom_end in _atoms(text, rules):
        limit = limits[1] if spans else limits[0]
        atom_width = sum(advances[atom_start:atom_end])
        if start >= 0:
            gap = sum(advances[end:atom_start])  # the spaces between
            if used + gap + atom_width + ending(atom_end - 1) <= limit:
                end, used = atom_end, used + gap + atom_width
                continue
            last = text[atom_end - 1]
            core = used + gap + atom_width - advances[atom_end - 1]
            if (
                atom_end - atom_start > 1
                and last in rules.hang
                and core + ending(atom_end - 2) <= limit
            ):
                end = atom_end
                close(hanging=True)
                continue
            close()
            limit = limits[1]
        if atom_width + ending(atom_end - 1) > limit:  # wider than a line: cut where it must
            for piece_start, piece_end in _cut(text, advances, atom_start, atom_end, limit, rules):
                if start >= 0:
                    close()
                start, end = piece_start, piece_end
                used = sum(advances[piece_start:piece_end])
        else:
            start, end, used = atom_start, atom_end, atom_width
    if start >= 0 or not spans:
        if start < 0:
            start = end = 0
        close()
    return spans


def _tokens(text: str, rules: LineRules) -> list[tuple[int, int, bool]]:
    """(start, end, is_space) of the units of ``text``; a 文号 is one unit."""
    kept: list[tuple[int, int]] = []
    for pattern in rules.keep_whole:
        kept.extend(match.span() for match in pattern.finditer(text) if match.end() > match.start())
    kept.sort()
    tokens: list[tuple[int, int, bool]] = []
    at = 0
    for keep_start, keep_end in kept:
        if keep_start < at:
            continue
        tokens.extend(_plain_tokens(text, at, keep_start))
        tokens.append((keep_start, keep_end, False))
        at = keep_end
    tokens.extend(_plain_tokens(text, at, len(text)))
    return tokens


def _plain_tokens(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    return [
        (match.start(), match.end(), match.group("space") is not None)
        for match in _TOKEN.finditer(text, start, end)
    ]


def _atoms(text: str, rules: LineRules) -> list[tuple[int, int]]:
    """Spans that are never split across lines; only breakable spaces lie between them."""
    atoms: list[tuple[int, int]] = []
    opening = -1  # where pending opening marks start
    for start, end, is_space in _tokens(text, rules):
        if is_space:
            continue  # "（ 督" stays with what follows, "abc ，" with what precedes
        first = text[start]
        if first in rules.cannot_start and atoms and opening < 0:
            atoms[-1] = (atoms[-1][0], end)
        elif end - start == 1 and first in rules.cannot_end:
            if opening < 0:
                opening = start
        else:
            atoms.append((start if opening < 0 else opening, end))
            opening = -1
    if opening >= 0:
        atoms.append((opening, len(text.rstrip())))
    return atoms


def _cut(
    text: str,
    advances: Sequence[float],
    start: int,
    end: int,
    limit: float,
    rules: LineRules,
) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    piece, used = start, 0.0
    for index in range(start, end):
        if index > piece and used + advances[index] > limit:
            # Never leave a closing mark at the start of the next piece.
            if text[index] in rules.cannot_start and index - 1 > piece:
                pieces.append((piece, index - 1))
                piece = index - 1
                used = advances[index - 1]
            else:
                pieces.append((piece, index))
                piece, used = index, 0.0
        used += advances[index]
    pieces.append((piece, end))
    return [(a, b) for a, b in pieces if b > a]


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
