"""The 版记 of a 公文 DOCX: 抄送 and 印发机关/印发日期 between rules, at the foot of the last page.

It is a floating table placed so that its bottom is the bottom of the type area (``w:tblpPr``,
a distance below the top margin computed from its rows), so it sits at the foot whatever the
page above it holds: the table's top and bottom borders are the thick rules (0.35 mm), the
border between its rows the thin one (0.25 mm), and it spans the type area. Found while checking
in LibreOffice: paragraph frames (``w:framePr``) lose their position when the framed paragraphs
have different borders; a floating table as wide as the text area and anchored to the margin is
laid inline (anchored to the page it floats); and a section starting on an even page gets a
taller text area there, so "bottom of the margin" is not the type area's bottom. A floating
table needs a paragraph after it to anchor to: a 1 pt one follows.

Which page: ``place_end_block`` decides, for this renderer and the PDF's (reports/gongwen_pdf.py)
alike, so that the two files put the 版记 on the same page. The page flow
(reports/gongwen_flow.py) says where the content ends and how sure it is (the PDF lays its pages
out exactly but keeps the same measure of doubt, so it decides as the DOCX does). The 版记 shares
that page only when the room left exceeds the 版记 (``end_block_height_pt``), the estimate's
doubt and two lines, and (printing double-sided) the page is surely even. Otherwise a new section
starts on the next even page (``w:type evenPage``: Word and LibreOffice insert the blank page
themselves, so the 版记 is on an even page however the content really ends), or on the next
page when printing single-sided. That page starts with the profile's "（此页无正文）" mark and
has no page number when a blank page is expected before it (GB/T 9704: neither the blank page
nor the 版记 page is numbered then).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn

from app.documents.model import copy_to_line, print_line_date
from reports.docx_xml import ParagraphStyle, RunStyle, add_run, el, mm_twips, new_paragraph, twips
from reports.gongwen_flow import Flow, count_lines

if TYPE_CHECKING:
    from app.documents.profile import OfficeProfile
    from reports.gongwen_docx import _Builder

MM_PT = 72 / 25.4
SAME_PAGE_SLACK_LINES = 2


def rule_eighths(mm: float) -> int:
    """A rule of ``mm`` as a border width in eighths of a point (0.35 mm → 8, 0.25 mm → 6)."""
    return max(2, round(mm * MM_PT * 8))


@dataclass(frozen=True)
class EndBlockPlacement:
    """Where the 版记 goes, decided from the page flow when the content has been laid out."""

    same_page: bool  # at the foot of the page the content ends on
    # Printing double-sided, the content ends on an even page that cannot hold the 版记: a blank
    # page follows, then the 版记's page; neither carries a page number (GB/T 9704).
    blank_page: bool

    @property
    def numbered(self) -> bool:
        """Whether the 版记's page carries a page number."""
        return not self.blank_page


def end_block_height_pt(copy_line: str, profile: OfficeProfile) -> float:
    """The 版记's height: rows of exact line spacing plus the rules (each adds its width)."""
    size = profile.end_block_size_pt
    lines = 1
    rules = rule_eighths(profile.thick_rule_mm) * 2
    if copy_line:
        inner = profile.type_width_pt - 2 * size - 3 * size
        lines += count_lines(copy_line, inner, size_pt=size, first_indent_pt=-3 * size)
        rules += rule_eighths(profile.thin_rule_mm)
    return lines * profile.line_pitch_pt + rules / 8


def place_end_block(flow: Flow, height_pt: float, profile: OfficeProfile) -> EndBlockPlacement:
    """The one decision both renderers make: the 版记 shares the last page when that page surely
    has room for it (with the flow's doubt and two lines to spare) and, printing double-sided,
    is surely even; otherwise it goes on the next (even) page."""
    needed = height_pt + flow.doubt_pt + SAME_PAGE_SLACK_LINES * profile.line_pitch_pt
    even_ok = not profile.double_sided or (flow.page % 2 == 0 and not flow.page_uncertain)
    same_page = even_ok and flow.room_pt >= needed
    blank_page = not same_page and profile.double_sided and flow.page % 2 == 0
    return EndBlockPlacement(same_page, blank_page)


class EndBlockWriter:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        profile = builder.p
        self.size = profile.end_block_size_pt
        self.run = RunStyle(profile.fonts.body, self.size, profile.fonts.latin)
        self.width = twips(profile.type_width_pt)
        self.one = twips(self.size)  # 1 字 of 4号
        self.copy_line = copy_to_line(builder.doc.copy_to)
        self.same_page = False
        self.blank_page_expected = False

    def height_pt(self) -> float:
        return end_block_height_pt(self.copy_line, self.b.p)

    def write(self) -> None:
        b, p = self.b, self.b.p
        placement = place_end_block(b.flow, self.height_pt(), p)
        self.same_page = placement.same_page
        if not self.same_page:
            self.blank_page_expected = placement.blank_page
            self._new_section(numbered=placement.numbered)
            if p.no_body_mark:
                mark = b._paragraph(b._grid_style(first_line_twips=b.indent2))
                add_run(mark, p.no_body_mark, b.body_run)
        b._append(self._table())
        tail = b._paragraph(ParagraphStyle(line_twips=20, snap_to_grid=False))
        add_run(tail, "", RunStyle(p.fonts.body, 1))

    def _table(self):
        p, doc = self.b.p, self.b.doc
        half = self.width // 2
        table = el("w:tbl")
        properties = el("w:tblPr")
        # Horizontally from the page edge (LibreOffice lays a floating table inline when it is
        # as wide as the text area and anchored to the margin); vertically a distance from the
        # top margin, not "bottom of the margin": LibreOffice gives a section that starts on an
        # even page a taller text area (its footer spacing is lost), and a vertAnchor="page"
        # position makes it lay the table inline.
        horizontal = (
            {"horzAnchor": "margin", "tblpXSpec": "center"}
            if p.mirror_margins
            else {"horzAnchor": "page", "tblpX": mm_twips(p.margin_left_mm)}
        )
        type_bottom = mm_twips(p.page_height_mm - p.margin_bottom_mm)
        properties.append(
            el(
                "w:tblpPr",
                leftFromText=0,
                rightFromText=0,
                topFromText=0,
                bottomFromText=0,
                vertAnchor="margin",
                tblpY=type_bottom - mm_twips(p.margin_top_mm) - twips(self.height_pt()),
                **horizontal,
            )
        )
        properties.append(el("w:tblW", w=half * 2, type="dxa"))
        borders = el("w:tblBorders")
        thick, thin = rule_eighths(p.thick_rule_mm), rule_eighths(p.thin_rule_mm)
        borders.append(el("w:top", val="single", sz=thick, space=0, color="000000"))
        borders.append(el("w:left", val="nil"))
        borders.append(el("w:bottom", val="single", sz=thick, space=0, color="000000"))
        borders.append(el("w:right", val="nil"))
        borders.append(el("w:insideH", val="single", sz=thin, space=0, color="000000"))
        borders.append(el("w:insideV", val="nil"))
        properties.append(borders)
        properties.append(el("w:tblLayout", type="fixed"))
        margins = el("w:tblCellMar")
        for side in ("top", "left", "bottom", "right"):
            margins.append(el(f"w:{side}", w=0, type="dxa"))
        properties.append(margins)
        table.append(properties)
        grid = el("w:tblGrid")
        grid.append(el("w:gridCol", w=half))
        grid.append(el("w:gridCol", w=half))
        table.append(grid)
        if self.copy_line:
            hang = twips(self.size * 3)  # wrapped names line up after "抄送："
            style = ParagraphStyle(
                align="both",
                line_twips=p.line_pitch_twips,
                snap_to_grid=False,
                left_twips=self.one + hang,
                right_twips=self.one,
                first_line_twips=-hang,
            )
            table.append(self._row([(self.copy_line, style, half * 2)]))
        left = ParagraphStyle(
            align="left", line_twips=p.line_pitch_twips, snap_to_grid=False, left_twips=self.one
        )
        right = ParagraphStyle(
            align="right", line_twips=p.line_pitch_twips, snap_to_grid=False, right_twips=self.one
        )
        table.append(
            self._row([(doc.printer.strip(), left, half), (print_line_date(doc), right, half)])
        )
        return table

    def _row(self, cells):
        row = el("w:tr")
        row_properties = el("w:trPr")
        row_properties.append(el("w:cantSplit"))
        row.append(row_properties)
        for text, style, width in cells:
            cell = el("w:tc")
            cell_properties = el("w:tcPr")
            cell_properties.append(el("w:tcW", w=width, type="dxa"))
            if len(cells) == 1:
                cell_properties.append(el("w:gridSpan", val=2))
            cell_properties.append(el("w:vAlign", val="center"))
            cell.append(cell_properties)
            paragraph = new_paragraph(style)
            add_run(paragraph, text, self.run)
            cell.append(paragraph)
            row.append(cell)
        return row

    def _new_section(self, *, numbered: bool) -> None:
        """End the current section; the 版记's starts on the next even (or next) page."""
        b = self.b
        final = b.body.find(qn("w:sectPr"))
        ending = copy.deepcopy(final)
        last = final.getprevious()
        if last is None or last.tag != qn("w:p"):
            # After a table: a paragraph of 1 pt to carry the section's end.
            last = b._paragraph(ParagraphStyle(line_twips=20, snap_to_grid=False))
        last.find(qn("w:pPr")).append(ending)
        section = b.word.sections[-1]
        section.start_type = WD_SECTION.EVEN_PAGE if b.p.double_sided else WD_SECTION.NEW_PAGE
        if not numbered:
            for name in ("w:footerReference", "w:headerReference"):
                for reference in final.findall(qn(name)):
                    final.remove(reference)
            b._write_footers(section, numbered=numbered)
