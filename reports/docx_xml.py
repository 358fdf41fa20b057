"""WordprocessingML pieces python-docx does not offer, written the way Word, WPS and LibreOffice
all read them: run and paragraph properties in schema order, east-Asian font names with the
theme attributes removed, the ``w:hint`` for East-Asian-ambiguous punctuation, fields, frames,
borders, and the clean-up of the package parts (styles, theme, font table, settings) that would
otherwise name theme or Japanese fonts.

Units: twips (1/20 pt) for lengths, eighths of a point for border widths, half points for sizes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

MM_TWIPS = 1440 / 25.4
_THEME_ATTRIBUTES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def el(tag: str, **attributes: object) -> OxmlElement:
    """``<w:tag w:key="value" …>``; a trailing underscore in a key is dropped (``val_``)."""
    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(f"w:{key.rstrip('_')}"), str(value))
    return element


def twips(points: float) -> int:
    return round(points * 20)


def mm_twips(mm: float) -> int:
    return round(mm * MM_TWIPS)


# ---- East-Asian-ambiguous characters -----------------------------------------------------------

# Characters Word draws in the Latin face unless the run says w:hint="eastAsia": the
# East-Asian-ambiguous ones (quotes, dashes, ellipsis, ·, №, ℃, arrows, circled numbers…).
_EXTRA_AMBIGUOUS = frozenset("—―…‥·‘’“”")


def is_ambiguous(char: str) -> bool:
    return char in _EXTRA_AMBIGUOUS or unicodedata.east_asian_width(char) == "A"


def needs_east_asia_hint(text: str) -> bool:
    return any(is_ambiguous(char) for char in text)


# ---- Runs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunStyle:
    font: str  # east-Asian face
    size_pt: float
    latin: str | None = None  # None: the same face
    bold: bool = False
    color: str | None = None
    spacing_twentieths: int = 0  # character spacing
    scale_percent: int = 100  # horizontal scaling (w:w)


def rfonts(east_asia: str, latin: str | None = None) -> OxmlElement:
    """rFonts naming every script's face explicitly (no *Theme attributes, which would win)."""
    latin = latin or east_asia
    return el("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin)


def run_properties(style: RunStyle, text: str = "") -> OxmlElement:
    rpr = el("w:rPr")
    fonts = rfonts(style.font, style.latin)
    if needs_east_asia_hint(text):
        fonts.set(qn("w:hint"), "eastAsia")
    rpr.append(fonts)
    if style.bold:
        rpr.append(el("w:b"))
        rpr.append(el("w:bCs"))
    if style.color:
        rpr.append(el("w:color", val=style.color))
    if style.spacing_twentieths:
        rpr.append(el("w:spacing", val=style.spacing_twentieths))
    if style.scale_percent != 100:
        rpr.append(el("w:w", val=style.scale_percent))
    half_points = round(style.size_pt * 2)
    rpr.append(el("w:sz", val=half_points))
    rpr.append(el("w:szCs", val=half_points))
    rpr.append(el("w:lang", val="en-US", eastAsia="zh-CN"))
    return rpr


def add_run(paragraph: OxmlElement, text: str, style: RunStyle) -> OxmlElement:
    """Append a run of ``text`` ("\\n" becomes a line break, "\\t" a tab)."""
    run = el("w:r")
    run.append(run_properties(style, text))
    for index, line in enumerate(text.split("\n")):
        if index:
            run.append(el("w:br"))
        for part_index, part in enumerate(line.split("\t")):
            if part_index:
                run.append(el("w:tab"))
            if part:
                t = el("w:t")
                t.text = part
                if part != part.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                run.append(t)
    paragraph.append(run)
    return run


def add_field(paragraph: OxmlElement, instruction: str, shown: str, style: RunStyle) -> None:
    """A complex field (``PAGE``…) with ``shown`` as its cached result."""

    def char(kind: str) -> None:
        run = el("w:r")
        run.append(run_properties(style))
        run.append(el("w:fldChar", fldCharType=kind))
        paragraph.append(run)

    char("begin")
    run = el("w:r")
    run.append(run_properties(style))
    code = el("w:instrText")
    code.text = f" {instruction} "
    code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(code)
    paragraph.append(run)
    char("separate")
    add_run(paragraph, shown, style)
    char("end")


# ---- Paragraphs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Border:
    width_eighths: int  # w:sz, eighths of a point
    color: str = "000000"
    space_pt: int = 0


@dataclass(frozen=True)
class Frame:
    """A paragraph frame (w:framePr) as wide as the type area, pinned to its bottom."""

    width_twips: int


@dataclass(frozen=True)
class ParagraphStyle:
    align: str = "both"  # both / left / center / right
    line_twips: int | None = None  # exact line spacing
    before_twips: int = 0
    after_twips: int = 0
    first_line_twips: int = 0  # negative: hanging
    left_twips: int = 0
    right_twips: int = 0
    keep_next: bool = False
    keep_lines: bool = False
    page_break_before: bool = False
    snap_to_grid: bool = True
    top: Border | None = None
    bottom: Border | None = None
    frame: Frame | None = None


def paragraph_properties(style: ParagraphStyle) -> OxmlElement:
    """pPr in the schema's element order (Word refuses files where it is wrong)."""
    ppr = el("w:pPr")
    if style.keep_next:
        ppr.append(el("w:keepNext"))
    if style.keep_lines:
        ppr.append(el("w:keepLines"))
    if style.page_break_before:
        ppr.append(el("w:pageBreakBefore"))
    if style.frame is not None:
        ppr.append(
            el(
                "w:framePr",
                w=style.frame.width_twips,
                hSpace=0,
                wrap="notBeside",
                vAnchor="margin",
                hAnchor="margin",
                xAlign="center",
                yAlign="bottom",
            )
        )
    ppr.append(el("w:widowControl", val=0))  # the grid: every page holds all its lines
    if style.top or style.bottom:
        borders = el("w:pBdr")
        for name, border in (("top", style.top), ("bottom", style.bottom)):
            if border is not None:
                borders.append(
                    el(
                        f"w:{name}",
                        val="single",
                        sz=border.width_eighths,
                        space=border.space_pt,
                        color=border.color,
                    )
                )
        ppr.append(borders)
    if not style.snap_to_grid:
        ppr.append(el("w:snapToGrid", val=0))
    spacing = el("w:spacing", before=style.before_twips, after=style.after_twips)
    if style.line_twips is not None:
        spacing.set(qn("w:line"), str(style.line_twips))
        spacing.set(qn("w:lineRule"), "exact")
    ppr.append(spacing)
    indent = el("w:ind", left=style.left_twips, right=style.right_twips)
    if style.first_line_twips >= 0:
        indent.set(qn("w:firstLine"), str(style.first_line_twips))
    else:
        indent.set(qn("w:hanging"), str(-style.first_line_twips))
    ppr.append(indent)
    ppr.append(el("w:jc", val=style.align))
    return ppr


def new_paragraph(style: ParagraphStyle) -> OxmlElement:
    paragraph = el("w:p")
    paragraph.append(paragraph_properties(style))
    return paragraph


# ---- Package clean-up --------------------------------------------------------------------------


def strip_theme_fonts(element: OxmlElement) -> int:
    """Remove every *Theme attribute from rFonts below ``element``; returns how many."""
    removed = 0
    for fonts in element.iter(qn("w:rFonts")):
        for name in _THEME_ATTRIBUTES:
            if fonts.get(qn(f"w:{name}")) is not None:
                del fonts.attrib[qn(f"w:{name}")]
                removed += 1
    return removed


_THEME_FONT_SCHEME = re.compile(rb"<a:fontScheme\b.*?</a:fontScheme>", re.S)


def theme_font_scheme(major: str, minor: str) -> bytes:
    """A theme font scheme naming only our faces (no per-script fonts such as ＭＳ 明朝, which WPS
    reports missing)."""

    def font(kind: str, face: str) -> str:
        return (
            f'<a:{kind}Font><a:latin typeface="{face}"/><a:ea typeface="{face}"/>'
            f'<a:cs typeface="{face}"/></a:{kind}Font>'
        )

    return (
        f'<a:fontScheme name="GB/T 9704">{font("major", major)}{font("minor", minor)}'
        "</a:fontScheme>"
    ).encode()


def replace_theme_fonts(document, major: str, minor: str) -> bool:
    """Rewrite the theme part's font scheme; False when the package has no theme."""
    part = document.part
    for relationship in part.rels.values():
        if relationship.reltype == RT.THEME:
            theme = relationship.target_part
            blob = theme.blob
            new_blob, count = _THEME_FONT_SCHEME.subn(theme_font_scheme(major, minor), blob)
            theme._blob = new_blob  # a plain Part: its bytes are what gets saved
            return count == 1
    return False


def font_table_xml(fonts: list[str]) -> bytes:
    """fontTable.xml naming the faces we use, marked GB2312 (charset 86) so that Word, WPS and
    LibreOffice pick a Chinese face when one is missing; 仿宋_GB2312 and 楷体_GB2312 carry their
    Windows names (仿宋, 楷体) as alternatives."""
    alternatives = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "华文中宋"}
    entries = []
    for name in fonts:
        alt = alternatives.get(name)
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        entries.append(
            f'<w:font w:name="{name}">{alt_xml}<w:charset w:val="86"/>'
            '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + "".join(entries)
        + "</w:fonts>"
    ).encode()


def replace_font_table(document, fonts: list[str]) -> None:
    for relationship in document.part.rels.values():
        if relationship.reltype == RT.FONT_TABLE:
            relationship.target_part._blob = font_table_xml(fonts)
            return
