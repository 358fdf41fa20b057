"""Tables of a 公文 PDF, laid out as the DOCX's are (reports/gongwen_tables.py): the same column
widths, cell margins, line heights and borders, header rows repeated at the top of every page,
rows kept whole (a row taller than a page is split between lines), 3号 or 4号 text, 黑体 header.
Row heights are what LibreOffice gives the DOCX's rows (lines × line height + cell padding +
border), so a table breaks between the same rows in both files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.documents.model import Table
from reports.gongwen_flow import ROW_DOUBT
from reports.gongwen_pdf_lines import Line, set_lines
from reports.gongwen_pdf_ops import LineOp
from reports.gongwen_tables import (
    BORDER_EIGHTHS,
    CELL_PAD_TWIPS,
    CELL_SIDE_TWIPS,
    column_widths_twips,
)
from reports.pdf_text import CELL_RULES

if TYPE_CHECKING:
    from reports.gongwen_pdf_layout import _Layout

SIDE = CELL_SIDE_TWIPS / 20
PAD = CELL_PAD_TWIPS / 20
BORDER = BORDER_EIGHTHS / 8


class _Row:
    def __init__(self, cells: list[list[Line]], aligns: list[str], line_pt: float) -> None:
        self.cells = cells
        self.aligns = aligns
        self.line_pt = line_pt

    @property
    def lines(self) -> int:
        return max((len(cell) for cell in self.cells), default=1) or 1

    def height(self, lines: int | None = None) -> float:
        return (self.lines if lines is None else lines) * self.line_pt + 2 * PAD + BORDER

    def part(self, start: int, end: int) -> _Row:
        return _Row([cell[start:end] for cell in self.cells], self.aligns, self.line_pt)


def lay_table(layout: _Layout, table: Table) -> None:
    p = layout.p
    size = p.table_small_size_pt if table.text_size == "4号" else p.body_size_pt
    line_pt = round(size * 1.5 * 20) / 20 if table.text_size == "4号" else layout.pitch
    widths = [w / 20 for w in column_widths_twips(table, round(layout.width * 20), size)]
    if table.caption:
        caption = layout.body_styled([(table.caption, "label")])
        layout.paragraph(caption, align="center", keep_last=1)
        layout.text_doubt(table.caption)

    def row(cells: list[str], header: bool) -> _Row:
        role = "heading1" if header else "body"
        lines, aligns = [], []
        for index, width in enumerate(widths):
            text = cells[index] if index < len(cells) else ""
            styled = layout.styled([(text, role)], size, 0.0)
            lines.append(set_lines(styled, width - 2 * SIDE, rules=CELL_RULES) if text else [])
            if header:
                aligns.append("center")
            elif table.align and index < len(table.align):
                aligns.append(table.align[index])
            else:
                aligns.append("left")
        return _Row(lines, aligns, line_pt)

    header = [row(cells, True) for cells in table.header]
    body = [row(cells, False) for cells in table.rows]
    header_height = sum(r.height() for r in header)
    flow = layout.flow
    full = p.type_height_pt

    def fits(height: float) -> bool:
        return flow.used_pt + height <= full + 0.01

    def place(r: _Row, doubt: float = 0.0) -> None:
        height = r.height()
        top = layout.top + flow.used_pt
        flow.block(height, doubt_pt=doubt)
        _draw_row(layout, r, widths, top, height, size)

    def new_page() -> None:
        flow.new_page()
        layout.page()
        for r in header:
            place(r)

    first = body[0].height() if body else 0.0
    if flow.used_pt > 0 and not fits(header_height + first):
        flow.new_page()
        layout.page()
    for r in header:
        place(r)
    for index, r in enumerate(body):
        doubt = 0.0 if index == 0 else ROW_DOUBT * r.height()
        if not fits(r.height()) and flow.used_pt > header_height + 0.01:
            new_page()
        if fits(r.height()):
            place(r, doubt)
            continue
        # Taller than a page: split between lines, going on under the header on the next page.
        start = 0
        while start < r.lines:
            room = int((full - flow.used_pt - 2 * PAD - BORDER + 0.01) // line_pt)
            end = min(r.lines, start + max(room, 1))
            place(r.part(start, end), doubt if start == 0 else 0.0)
            start = end
            if start < r.lines:
                new_page()
    flow.doubt_pt += line_pt  # the DOCX's estimate of the table's end


def _draw_row(
    layout: _Layout, row: _Row, widths: list[float], top: float, height: float, size: float
) -> None:
    page = layout.page()
    total = sum(widths)
    x0 = layout.left + (layout.width - total) / 2
    bottom = top + height
    page.ops.append(LineOp(x0, top, x0 + total, top, BORDER))
    page.ops.append(LineOp(x0, bottom, x0 + total, bottom, BORDER))
    x = x0
    for index, width in enumerate(widths):
        page.ops.append(LineOp(x, top, x, bottom, BORDER))
        lines = row.cells[index]
        block = len(lines) * row.line_pt
        line_top = top + (height - block) / 2
        for line in lines:
            align = row.aligns[index]
            inner = width - 2 * SIDE
            if align == "center":
                dx = (inner - line.width) / 2
            elif align == "right":
                dx = inner - line.width
            else:
                dx = 0.0
            layout.draw(line, x + SIDE + dx, layout.baseline(line_top, size, row.line_pt))
            line_top += row.line_pt
        x += width
    page.ops.append(LineOp(x, top, x, bottom, BORDER))
