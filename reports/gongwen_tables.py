"""Tables of a 公文 DOCX: inside the type area, widths in ``w:tblGrid`` (WPS shows no table
without them) and on every cell, fixed layout, header rows repeated on each page
(``w:tblHeader``), rows never split, 3号 or 4号 text. Also estimates the table's height for the
page flow (reports/gongwen_flow.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.oxml.ns import qn

from app.documents.model import Table
from reports.docx_xml import ParagraphStyle, RunStyle, add_run, el, new_paragraph, twips
from reports.gongwen_flow import ROW_DOUBT, count_lines

if TYPE_CHECKING:
    from reports.gongwen_docx import _Builder

CELL_SIDE_TWIPS = 57  # 1 mm either side of the text
CELL_PAD_TWIPS = 28  # 1.4 pt above and below
BORDER_EIGHTHS = 4  # 0.5 pt


def column_widths_twips(table: Table, type_width_twips: int, size_pt: float) -> list[int]:
    """Column widths that add up to at most the type width: fractions are scaled to fill it,
    characters are converted (plus the cell margins) and scaled down when too wide."""
    columns = table.column_count
    if not table.widths:
        raw = [1.0] * columns
        unit = "fraction"
    else:
        raw = [float(width) for width in table.widths]
        unit = table.width_unit
    if unit == "chars":
        wanted = [twips(width * size_pt) + 2 * CELL_SIDE_TWIPS for width in raw]
        total = sum(wanted)
        if total > type_width_twips:
            wanted = [w * type_width_twips / total for w in wanted]
        widths = [int(w) for w in wanted]
    else:
        total = sum(raw)
        widths = [int(type_width_twips * w / total) for w in raw]
    return widths


class TableWriter:
    def __init__(self, builder: _Builder, table: Table) -> None:
        self.b = builder
        self.t = table
        profile = builder.p
        self.size = (
            profile.table_small_size_pt if table.text_size == "4号" else profile.body_size_pt
        )
        self.line_twips = builder.pitch if table.text_size != "4号" else twips(self.size * 1.5)
        self.widths = column_widths_twips(table, twips(profile.type_width_pt), self.size)
        fonts = profile.fonts
        self.body_run = RunStyle(fonts.body, self.size, fonts.latin)
        self.header_run = RunStyle(fonts.heading1, self.size, fonts.latin)

    def write(self) -> None:
        b, t = self.b, self.t
        if t.caption:
            caption = b._paragraph(b._grid_style(align="center", keep_next=True))
            add_run(caption, t.caption, b.label_run)
            b._text_lines(t.caption)
        table = el("w:tbl")
        table.append(self._properties())
        grid = el("w:tblGrid")
        for width in self.widths:
            grid.append(el("w:gridCol", w=width))
        table.append(grid)
        for row in t.header:
            table.append(self._row(row, header=True))
        for row in t.rows:
            table.append(self._row(row, header=False))
        b._append(table)
        self._flow()

    def _properties(self):
        properties = el("w:tblPr")
        properties.append(el("w:tblW", w=sum(self.widths), type="dxa"))
        properties.append(el("w:jc", val="center"))
        borders = el("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(
                el(f"w:{side}", val="single", sz=BORDER_EIGHTHS, space=0, color="000000")
            )
        properties.append(borders)
        properties.append(el("w:tblLayout", type="fixed"))
        margins = el("w:tblCellMar")
        margins.append(el("w:top", w=CELL_PAD_TWIPS, type="dxa"))
        margins.append(el("w:left", w=CELL_SIDE_TWIPS, type="dxa"))
        margins.append(el("w:bottom", w=CELL_PAD_TWIPS, type="dxa"))
        margins.append(el("w:right", w=CELL_SIDE_TWIPS, type="dxa"))
        properties.append(margins)
        properties.append(
            el(
                "w:tblLook",
                val="0000",
                firstRow=0,
                lastRow=0,
                firstColumn=0,
                lastColumn=0,
                noHBand=1,
                noVBand=1,
            )
        )
        return properties

    def _row(self, cells: list[str], *, header: bool):
        row = el("w:tr")
        row_properties = el("w:trPr")
        row_properties.append(el("w:cantSplit"))
        if header:
            row_properties.append(el("w:tblHeader"))
        row.append(row_properties)
        for index, width in enumerate(self.widths):
            text = cells[index] if index < len(cells) else ""
            cell = el("w:tc")
            cell_properties = el("w:tcPr")
            cell_properties.append(el("w:tcW", w=width, type="dxa"))
            cell_properties.append(el("w:vAlign", val="center"))
            cell.append(cell_properties)
            align = "center" if header else self._align(index)
            paragraph = new_paragraph(
                ParagraphStyle(align=align, line_twips=self.line_twips, snap_to_grid=False)
            )
            add_run(paragraph, text, self.header_run if header else self.body_run)
            cell.append(paragraph)
            row.append(cell)
        return row

    def _align(self, index: int) -> str:
        if self.t.align and index < len(self.t.align):
            return self.t.align[index]
        return "left"

    # ---- Height estimate ----------------------------------------------------------------------

    def _row_height_pt(self, cells: list[str]) -> float:
        lines = 1
        for index, width in enumerate(self.widths):
            text = cells[index] if index < len(cells) else ""
            inner = (width - 2 * CELL_SIDE_TWIPS) / 20
            lines = max(lines, count_lines(text, inner, size_pt=self.size))
        return lines * self.line_twips / 20 + 2 * CELL_PAD_TWIPS / 20 + BORDER_EIGHTHS / 8

    def _flow(self) -> None:
        flow = self.b.flow
        header = sum(self._row_height_pt(row) for row in self.t.header)
        flow.block(header + self._row_height_pt(self.t.rows[0]) if self.t.rows else header)
        for row in self.t.rows[1:]:
            height = self._row_height_pt(row)
            page = flow.page
            flow.block(height, doubt_pt=ROW_DOUBT * height)
            if flow.page != page:
                flow.used_pt += header  # the repeated header rows
        flow.doubt_pt += self.line_twips / 20


def ends_with_table(body) -> bool:
    previous = body.find(qn("w:sectPr")).getprevious()
    return previous is not None and previous.tag == qn("w:tbl")
