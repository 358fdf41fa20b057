"""Lines of a 公文 PDF: each character's advance on the grid, line breaks, and where to draw.

The grid: 28 body characters of 3号 on a line of 156 mm, which holds because every character
advances by its width plus the profile's character spacing (16 pt − 0.25 pt = 15.75 pt: the cell),
as the DOCX's runs do in Word, WPS and LibreOffice. A PDF has no layout engine, so this module is
one: it computes each character's advance the way those applications lay the DOCX out, so the
PDF's lines hold the same characters as the DOCX's, and pages end at the same places.

- Chinese characters and full-width punctuation are one em wide: on a body line character n of a
  line starts at cell n exactly.
- Latin letters and digits are as wide as the face draws them (half an em in 仿宋) plus the
  spacing; between a Chinese character and a Latin letter or digit there is a fifth of an em
  (``AUTOSPACE_EM``: what Word's and LibreOffice's "space between Asian and Latin text" add,
  and what clreq recommends) instead of the spacing; where the script changes, the character
  before the change has no spacing (measured in LibreOffice's layout of the DOCX). Where only
  the face changes (a heading's 黑体 run, then the body's 仿宋) the spacing stays, so the
  characters stay on their cells (LibreOffice drops it there too: 0.25 pt further right).
- Line breaks are ``reports/pdf_text.py``'s with ``GRID_RULES``: a 点号 (，。、；：？！) hangs
  past the end of the line — it keeps every character of the line on its cell, where pulling a
  character down leaves a line one cell short, and it is what Word, WPS and LibreOffice do with
  the same text, so the files agree; a closing bracket or quotation mark (）》”…) takes the
  character before it down to the next line (no application hangs those; that line then ends
  one cell short, its characters still on their cells — it is not spread).

No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics

from reports.pdf_text import GRID_RULES, LineRules, break_spans

AUTOSPACE_EM = 0.2


@lru_cache(maxsize=64)
def _widths(font: str) -> tuple[dict[int, float], float]:
    face = pdfmetrics.getFont(font).face
    return face.charWidths, float(face.defaultWidth)


def em_width(font: str, char: str) -> float:
    """The advance of ``char`` in the registered font ``font``, in em."""
    widths, default = _widths(font)
    return widths.get(ord(char), default) / 1000


def _latin(char: str) -> bool:
    return ord(char) < 0x2000


def _han(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
        or 0x3040 <= code <= 0x30FF
        or 0xAC00 <= code <= 0xD7AF
    )


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def advances(text: str, fonts: list[str], size: float, spacing: float) -> list[float]:
    """How far each character of ``text`` moves the pen (``fonts[i]`` draws character i)."""
    result = []
    last = len(text) - 1
    for index, char in enumerate(text):
        width = em_width(fonts[index], char) * size
        if index == last:
            result.append(width + spacing)
            continue
        following = text[index + 1]
        if _latin(char) == _latin(following):
            result.append(width + spacing)
        elif (_han(char) and _alnum(following)) or (_alnum(char) and _han(following)):
            result.append(width + AUTOSPACE_EM * size)
        else:
            result.append(width)
    return result


@dataclass(frozen=True)
class Styled:
    """Text with a font per character (a heading's number and title in 黑体, then the body in
    仿宋), at one size and character spacing."""

    text: str
    fonts: tuple[str, ...]
    size: float
    spacing: float = 0.0

    @staticmethod
    def of(runs: list[tuple[str, str]], size: float, spacing: float = 0.0) -> Styled:
        """From (text, font) runs."""
        text = "".join(run for run, _ in runs)
        fonts = tuple(font for run, font in runs for _ in run)
        return Styled(text, fonts, size, spacing)

    def parts(self) -> list[Styled]:
        """The text split at its newlines (forced line breaks, as "\n" is in the DOCX)."""
        result, start = [], 0
        for index, char in enumerate([*self.text, "\n"]):
            if char == "\n":
                piece = Styled(self.text[start:index], self.fonts[start:index], self.size)
                result.append(replace(piece, spacing=self.spacing))
                start = index + 1
        return result


@dataclass(frozen=True)
class Line:
    """One line of a ``Styled`` text: its characters, where each starts (from the line's
    start), its width to the end of the last glyph, and whether the last character hangs."""

    text: str
    fonts: tuple[str, ...]
    xs: tuple[float, ...]
    width: float
    hanging: bool
    size: float
    spacing: float

    def segments(self) -> list[tuple[float, str, str]]:
        """(x, text, font) runs that can each be drawn with the line's character spacing."""
        result: list[tuple[float, str, str]] = []
        start = 0
        for index in range(1, len(self.text) + 1):
            if index < len(self.text):
                expected = self.xs[index - 1] + (
                    em_width(self.fonts[index - 1], self.text[index - 1]) * self.size + self.spacing
                )
                if self.fonts[index] == self.fonts[start] and abs(self.xs[index] - expected) < 1e-6:
                    continue
            part = self.text[start:index]
            if part.strip():
                result.append((self.xs[start], part, self.fonts[start]))
            start = index
        return result


def set_lines(
    styled: Styled,
    width: float,
    *,
    first_width: float | None = None,
    rules: LineRules = GRID_RULES,
) -> list[Line]:
    """``styled`` broken into lines ``width`` wide (the first ``first_width``)."""
    text = styled.text
    steps = advances(text, list(styled.fonts), styled.size, styled.spacing)
    # At the end of a line a character takes its width and spacing: no space for what follows.
    ends = [
        em_width(font, char) * styled.size + styled.spacing
        for char, font in zip(text, styled.fonts, strict=True)
    ]
    spans = break_spans(text, steps, width, first_width=first_width, rules=rules, line_end=ends)
    lines = []
    for span in spans:
        xs = []
        x = 0.0
        for index in range(span.start, span.end):
            xs.append(x)
            x += steps[index]
        ink = 0.0
        if span.end > span.start:
            last = span.end - 1
            ink = xs[-1] + em_width(styled.fonts[last], text[last]) * styled.size
        lines.append(
            Line(
                text[span.start : span.end],
                styled.fonts[span.start : span.end],
                tuple(xs),
                ink,
                span.hanging,
                styled.size,
                styled.spacing,
            )
        )
    return lines


def one_line(styled: Styled) -> Line:
    """``styled`` as a single line, however long (a signature, a date, a page number)."""
    return set_lines(styled, float("inf"))[0]
