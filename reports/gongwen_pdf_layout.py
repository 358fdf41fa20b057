"""The pages of a 公文 PDF: every line, rule and image placed, by GB/T 9704 and the office profile.

``lay_out(document, profile, fonts)`` returns ``Layout``: pages of drawing operations (text at a
baseline with its character spacing, rules, images) that reports/gongwen_pdf.py draws with
reportlab. The layout follows the DOCX renderer (reports/gongwen_docx.py) step by step — the same
blank lines, indents, keep-together rules and table rows — with the heights LibreOffice gives
them, so that the PDF and the DOCX as Word/WPS/LibreOffice lay it out agree page for page. The
page flow is reports/gongwen_flow.py's ``Flow`` (here exact; it keeps the DOCX's measure of doubt)
and the 版记's page is ``place_end_block``'s decision, the one the DOCX renderer makes.

Coordinates are points from the top-left corner of the page (reportlab's origin is bottom-left:
the drawing code turns them over).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.documents.model import (
    Attachment,
    Block,
    Figure,
    GongwenDocument,
    Heading,
    HeadingCounter,
    Paragraph,
    Table,
    attachment_label,
    attachment_note_lines,
    copy_to_line,
    format_date,
    print_line_date,
)
from app.documents.profile import OfficeProfile
from app.documents.titles import title_lines
from reports.fonts import glyph_extent
from reports.gongwen_end_block import (
    EndBlockPlacement,
    end_block_height_pt,
    place_end_block,
    rule_eighths,
)
from reports.gongwen_flow import Flow, text_doubt_lines
from reports.gongwen_pdf_lines import Line, Styled, em_width, one_line, set_lines
from reports.gongwen_pdf_ops import ImageOp, Layout, LineOp, PageLayout, TextOp
from reports.gongwen_pdf_tables import lay_table

MM = 72 / 25.4
# Where a line's glyphs sit in its box: the ideographic em box is centred in the line, its
# baseline 0.88 em below the em box's top.
EM_ASCENT = 0.88
EM_DESCENT = 0.12
# Roles of text, as fields of app/documents/profile.py: Fonts.
ROLES = (
    "issuer",
    "title",
    "body",
    "heading1",
    "heading2",
    "heading3",
    "heading4",
    "label",
    "signer_names",
    "page_number",
)


def lay_out(
    document: GongwenDocument,
    profile: OfficeProfile,
    fonts: Mapping[str, str],
    latin: str | None = None,
) -> Layout:
    """``fonts`` maps each of ``ROLES`` to a registered font; ``latin`` draws Latin letters and
    digits when the profile names a Latin face."""
    return _Layout(document, profile, fonts, latin).run()


class _Layout:
    def __init__(
        self,
        document: GongwenDocument,
        profile: OfficeProfile,
        fonts: Mapping[str, str],
        latin: str | None,
    ) -> None:
        self.doc = document
        self.p = profile
        self.fonts = dict(fonts)
        self.latin = latin
        self.flow = Flow(profile.type_height_pt)
        self.pages: list[PageLayout] = []
        self.top = profile.margin_top_mm * MM
        self.width = profile.type_width_pt
        self.pitch = profile.line_pitch_pt
        self.size = profile.body_size_pt
        self.spacing = profile.char_spacing_pt
        self.cell = profile.cell_pt
        self.used: dict[str, dict[str, None]] = {}
        self._after_table = False  # the last block was a table

    # ---- Pages and lines ----------------------------------------------------------------

    def run(self) -> Layout:
        self.page()
        self._head()
        self._title(self.doc.title)
        self._recipients()
        counter = HeadingCounter()
        closing_chain = self._closing_chain_lines()
        for index, block in enumerate(self.doc.body):
            last = index == len(self.doc.body) - 1
            self._block(block, counter, keep_last=closing_chain if last else 0)
        self._closing()
        for index, attachment in enumerate(self.doc.attachments, 1):
            self._attachment(index, attachment)
        placement = self._end_block()
        self._page_numbers()
        used = {role: "".join(chars) for role, chars in self.used.items()}
        return Layout(self.pages, placement, len(self.pages), used)

    def page(self) -> PageLayout:
        while len(self.pages) < self.flow.page:
            self.pages.append(PageLayout())
        return self.pages[self.flow.page - 1]

    @property
    def left(self) -> float:
        """The type area's left edge on the current page."""
        return self.left_of(self.flow.page)

    def left_of(self, number: int) -> float:
        """The type area's left edge on page ``number`` (mirrored margins swap even pages)."""
        mirrored = self.p.mirror_margins and number % 2 == 0
        return (self.p.margin_right_mm if mirrored else self.p.margin_left_mm) * MM

    @property
    def bottom(self) -> float:
        return self.top + self.p.type_height_pt

    def grid_line(self) -> float:
        """One line of the grid: the flow moves on (to a new page if this one is full); returns
        the line's top."""
        self.flow.lines(1, self.pitch)
        self.page()
        return self.top + self.flow.used_pt - self.pitch

    def blank_lines(self, count: int) -> None:
        for _ in range(count):
            self.grid_line()

    def baseline(self, top: float, size: float, height: float | None = None) -> float:
        box = self.pitch if height is None else height
        return top + (box - size) / 2 + EM_ASCENT * size

    def draw(self, line: Line, x: float, baseline: float, color: str | None = None) -> None:
        page = self.page()
        for dx, text, font in line.segments():
            page.ops.append(TextOp(x + dx, baseline, text, font, line.size, line.spacing, color))

    def styled(self, runs: list[tuple[str, str]], size: float, spacing: float) -> Styled:
        """Text in (text, role) runs; Latin letters and digits in the Latin face if there is one."""
        pieces = []
        for text, role in runs:
            font = self.fonts[role]
            if self.latin is None:
                pieces.append((text, font))
                self._note(role, text)
                continue
            for char in text:
                latin = char.isascii() and bool(char.strip())
                pieces.append((char, self.latin if latin else font))
                self._note("latin" if latin else role, char)
        return Styled.of(pieces, size, spacing)

    def _note(self, role: str, text: str) -> None:
        """Remember what each role draws (every styled text is drawn), for the preflight."""
        chars = self.used.setdefault(role, {})
        for char in text:
            if not char.isspace():
                chars.setdefault(char)

    def body_styled(self, runs: list[tuple[str, str]]) -> Styled:
        return self.styled(runs, self.size, self.spacing)

    def paragraph(
        self,
        styled: Styled,
        *,
        first: float = 0.0,
        left: float = 0.0,
        right: float = 0.0,
        align: str = "left",
        keep_last: int = 0,
    ) -> int:
        """A paragraph on the grid: ``first`` / ``left`` / ``right`` are indents in points (the
        first line's and the others'). ``keep_last``: so many lines that follow must stay on the
        page of the paragraph (keep with next): as in LibreOffice's layout of the DOCX, the
        whole paragraph moves to the next page when it and they do not fit (only its last line
        when they could never share a page). Returns the number of lines."""
        lines = []
        for number, part in enumerate(styled.parts()):
            start = first if number == 0 else left  # after a forced break: the left indent
            lines += set_lines(
                part, self.width - left - right, first_width=self.width - start - right
            )
        if keep_last:
            self._keep_with_next(len(lines) + keep_last)
        for index, line in enumerate(lines):
            if index == len(lines) - 1 and keep_last:
                self._keep_with_next(1 + keep_last)
            top = self.grid_line()
            indent = first if index == 0 else left
            if align == "center":
                x = self.left + (self.width - line.width) / 2
            elif align == "right":
                x = self.left + self.width - right - line.width
            else:
                x = self.left + indent
            self.draw(line, x, self.baseline(top, styled.size))
        return len(lines)

    def _keep_with_next(self, lines: int) -> None:
        """Start a new page unless ``lines`` grid lines fit on this one (when they fit a page)."""
        if lines > self.p.lines_per_page:
            return
        if self.flow.used_pt > 0 and self.flow.room_pt + 0.01 < lines * self.pitch:
            self.flow.new_page()
            self.page()

    def text_doubt(self, text: str) -> None:
        """The DOCX's estimate of this paragraph may be off: the flow keeps that doubt so that
        the 版记 decision is the DOCX's."""
        self.flow.doubt_pt += text_doubt_lines(text, self.p.chars_per_line) * self.pitch

    # ---- 版头 -----------------------------------------------------------------------------

    def _head(self) -> None:
        doc, p = self.doc, self.p
        used = 0.0
        for text, role in (
            (doc.copy_number, "body"),
            (doc.classification, "label"),
            (doc.urgency, "label"),
        ):
            if text:
                line = one_line(self.body_styled([(text, role)]))
                self.draw(line, self.left, self.baseline(self.top + used, self.size))
                used += self.pitch
        mark = doc.issuer_mark.strip()
        size = p.issuer_size_pt
        natural = len(mark) * size
        scale = min(100, int(self.width / natural * 100)) if natural else 100
        line_pt = size * 1.2
        before = max(0.0, p.issuer_top_mm * MM - used - 0.15 * size)
        if mark:
            font = self.fonts["issuer"]
            line = one_line(self.styled([(mark, "issuer")], size, 0.0))
            _low, high = glyph_extent(font, mark)
            # GB/T 9704 places the mark by its top edge: 35 mm below the type area's top.
            baseline = self.top + p.issuer_top_mm * MM + high * size
            width = line.width * scale / 100
            x = self.left + (self.width - width) / 2
            page = self.page()
            for dx, text, seg_font in line.segments():
                page.ops.append(
                    TextOp(x + dx * scale / 100, baseline, text, seg_font, size, 0.0, p.red, scale)
                )
        # The flow moves on as the DOCX's does (the mark's line, then the grid).
        self.flow.space(used + before + line_pt)
        self.blank_lines(2)
        number_baseline = self._number_line()
        number_font = self.fonts["body"]
        low = glyph_extent(number_font, doc.number)[0] if doc.number.strip() else -EM_DESCENT
        rule_y = number_baseline - low * self.size + p.red_rule_gap_mm * MM
        self.page().ops.append(
            LineOp(self.left, rule_y, self.left + self.width, rule_y, p.red_rule_width_pt, p.red)
        )
        gap = p.red_rule_gap_mm * MM - 0.44 * p.body_size_pt
        self.flow.space(max(gap, 0.0) + 1)

    def _number_line(self) -> float:
        doc, p = self.doc, self.p
        top = self.grid_line()
        baseline = self.baseline(top, self.size)
        if not doc.signers:
            line = one_line(self.body_styled([(doc.number, "body")]))
            self.draw(line, self.left + (self.width - line.width) / 2, baseline)
            return baseline
        # 上行文: the 发文字号 left 1 字 in, "签发人：" and the names right 1 字 in.
        one = p.chars_pt(1)
        number = one_line(self.body_styled([(doc.number, "body")]))
        self.draw(number, self.left + one, baseline)
        signers = one_line(
            self.body_styled([("签发人：", "body"), ("\u3000".join(doc.signers), "signer_names")])
        )
        self.draw(signers, self.left + self.width - one - signers.width, baseline)
        return baseline

    # ---- 主体 -----------------------------------------------------------------------------

    def _title(self, title: str) -> None:
        self.blank_lines(2)
        self._title_lines(title)

    def _title_lines(self, title: str) -> None:
        size = self.p.title_size_pt
        max_chars = int(self.width // size)
        lines = title_lines(title, max_chars)
        self._keep_with_next(len(lines) + 1)
        for text in lines:
            top = self.grid_line()
            line = one_line(self.styled([(text, "title")], size, 0.0))
            self.draw(line, self.left + (self.width - line.width) / 2, self.baseline(top, size))

    def _recipients(self) -> None:
        text = self.doc.recipients.strip()
        if not text:
            return
        self.blank_lines(1)
        self.paragraph(self.body_styled([(text, "body")]))
        self.text_doubt(text)

    def _block(self, block: Block, counter: HeadingCounter, *, keep_last: int = 0) -> None:
        indent = self.p.chars_pt(2)
        if isinstance(block, Paragraph):
            styled = self.body_styled([(block.text, "body")])
            self.paragraph(styled, first=indent, keep_last=keep_last)
            self.text_doubt(block.text)
        elif isinstance(block, Heading):
            number = counter.number(block)
            role = f"heading{block.level}"
            runs = [(number + block.text, role)]
            if block.body:
                runs.append((block.body, "body"))
            self.paragraph(self.body_styled(runs), first=indent, keep_last=keep_last)
            self.text_doubt(number + block.text + block.body)
        elif isinstance(block, Table):
            if self._after_table:
                self.blank_lines(1)  # the DOCX separates adjacent tables so
            lay_table(self, block)
        elif isinstance(block, Figure):
            self._figure(block, keep_last=keep_last)
        self._after_table = isinstance(block, Table)

    def _figure(self, figure: Figure, *, keep_last: int = 0) -> None:
        from PIL import Image

        width = self.width * figure.width
        with Image.open(figure.path) as image:
            ratio = image.height / image.width
        height = min(width * ratio, self.p.type_height_pt - 2 * self.pitch)
        width = height / ratio
        block = height + 4
        # Kept with its caption, and (the body's last block) with the closing lines.
        need = block + self.pitch * ((1 if figure.caption else 0) or keep_last)
        if self.flow.used_pt > 0 and self.flow.room_pt + 0.01 < need:
            self.flow.new_page()
        self.flow.block(block, doubt_pt=self.pitch)
        top = self.top + self.flow.used_pt - block
        self.page().ops.append(
            ImageOp(figure.path, self.left + (self.width - width) / 2, top, width, height)
        )
        if figure.caption:
            self.paragraph(
                self.body_styled([(figure.caption, "body")]), align="center", keep_last=keep_last
            )
            self.text_doubt(figure.caption)

    def _closing_chain_lines(self) -> int:
        """How many lines after the body's last line the DOCX keeps with it (附件说明, the
        blank lines, 署名, 成文日期 and the 附注's first line), when the body ends with text."""
        if not self.doc.body or isinstance(self.doc.body[-1], Table):
            return 0
        notes = attachment_note_lines(self.doc)
        chain = (1 + len(notes) if notes else 0) + 1 + 2
        if self.doc.note.strip():
            chain += 1
        return chain

    def _closing(self) -> None:
        """附件说明, 署名, 成文日期, 附注 (as the DOCX: kept on the page of the last body line)."""
        doc, p = self.doc, self.p
        notes = attachment_note_lines(doc)
        if notes:
            self.blank_lines(1)
            for index, text in enumerate(notes):
                if index == 0:
                    left, first = p.chars_pt(5), p.chars_pt(2)  # "附件：" hangs
                    if len(notes) > 1:
                        left = p.chars_pt(7)  # "附件：1." hangs
                else:
                    left, first = p.chars_pt(7), p.chars_pt(5)  # "2." under "1."
                self.paragraph(self.body_styled([(text, "body")]), first=first, left=left)
                self.text_doubt(text)
        self.blank_lines(1)
        signature = doc.signature.strip()
        date_text = format_date(doc.date)
        sig_line = one_line(self.body_styled([(signature, "body")]))
        date_line = one_line(self.body_styled([(date_text, "body")]))
        sig_w, date_w = sig_line.width / self.cell, date_line.width / self.cell
        if doc.seal:
            # The date 4 字 from the right; the signature centred above the date.
            date_right = 4.0
            sig_right = max(0.0, date_right + (date_w - sig_w) / 2)
        else:
            # The signature 2 字 from the right; the date starts 2 字 right of its start.
            date_right = max(2.0, sig_w - date_w)
            sig_right = date_right + date_w + 2 - sig_w
        for line, right in ((sig_line, sig_right), (date_line, date_right)):
            top = self.grid_line()
            x = self.left + self.width - p.chars_pt(right) - line.width
            self.draw(line, x, self.baseline(top, self.size))
        if doc.note.strip():
            note = doc.note.strip()
            self.paragraph(self.body_styled([(note, "body")]), first=p.chars_pt(2))
            self.text_doubt(note)

    def _attachment(self, index: int, attachment: Attachment) -> None:
        label = attachment_label(index, len(self.doc.attachments))
        self.flow.page_break()
        self._after_table = False
        top = self.grid_line()
        line = one_line(self.body_styled([(label, "label")]))
        self.draw(line, self.left, self.baseline(top, self.size))
        self.blank_lines(1)
        self._title_lines(attachment.title)
        self.blank_lines(1)
        counter = HeadingCounter()
        for block in attachment.blocks:
            self._block(block, counter)

    # ---- 版记 -----------------------------------------------------------------------------

    def _end_block(self) -> EndBlockPlacement:
        doc, p = self.doc, self.p
        copy_line = copy_to_line(doc.copy_to)
        placement = place_end_block(self.flow, end_block_height_pt(copy_line, p), p)
        if not placement.same_page:
            if placement.blank_page:
                self.flow.new_page()
                self.page().numbered = False
            self.flow.new_page()
            self.page().numbered = placement.numbered
            if p.no_body_mark:
                self.paragraph(self.body_styled([(p.no_body_mark, "body")]), first=p.chars_pt(2))
        size = p.end_block_size_pt
        one = size  # 1 字 of 4号
        thick = rule_eighths(p.thick_rule_mm) / 8
        thin = rule_eighths(p.thin_rule_mm) / 8
        copy_lines = []
        if copy_line:
            styled = self.styled([(copy_line, "body")], size, 0.0)
            copy_lines = set_lines(
                styled, self.width - 2 * one - 3 * one, first_width=self.width - 2 * one
            )
        rows = len(copy_lines) + 1
        height = rows * self.pitch + 2 * thick + (thin if copy_lines else 0.0)
        y = self.bottom - height
        page = self.page()
        left, right = self.left, self.left + self.width
        page.ops.append(LineOp(left, y + thick / 2, right, y + thick / 2, thick))
        y += thick
        for index, line in enumerate(copy_lines):
            indent = one if index == 0 else 4 * one
            if index < len(copy_lines) - 1:
                line = _justified(line, self.width - indent - one)
            self.draw(line, left + indent, self.baseline(y, size))
            y += self.pitch
        if copy_lines:
            page.ops.append(LineOp(left, y + thin / 2, right, y + thin / 2, thin))
            y += thin
        printer = one_line(self.styled([(doc.printer.strip(), "body")], size, 0.0))
        printed = one_line(self.styled([(print_line_date(doc), "body")], size, 0.0))
        baseline = self.baseline(y, size)
        self.draw(printer, left + one, baseline)
        self.draw(printed, right - one - printed.width, baseline)
        y += self.pitch
        page.ops.append(LineOp(left, y + thick / 2, right, y + thick / 2, thick))
        return placement

    # ---- Page numbers ---------------------------------------------------------------------

    def _page_numbers(self) -> None:
        p = self.p
        size = p.page_number_size_pt
        font = self.fonts["page_number"]
        low, high = glyph_extent(font, "—")
        # The 一字线's middle 7 mm below the type area.
        baseline = self.bottom + p.page_number_gap_mm * MM + (low + high) / 2 * size
        indent = size * p.page_number_indent_chars
        for number, page in enumerate(self.pages, 1):
            if not page.numbered:
                continue
            text = f"— {number} —" if p.page_number_dashes else str(number)
            line = one_line(self.styled([(text, "page_number")], size, 0.0))
            left = self.left_of(number)
            if p.page_number_placement == "center":
                x = left + (self.width - line.width) / 2
            elif number % 2:
                x = left + self.width - indent - line.width
            else:
                x = left + indent
            for dx, part, seg_font in line.segments():
                page.ops.append(TextOp(x + dx, baseline, part, seg_font, size, line.spacing))


def _justified(line: Line, width: float) -> Line:
    """``line`` spread to ``width`` (the 抄送's wrapped lines are justified)."""
    gaps = len(line.text) - 1
    if gaps <= 0 or line.width >= width:
        return line
    extra = (width - line.width) / gaps
    xs = tuple(x + index * extra for index, x in enumerate(line.xs))
    last = len(line.text) - 1
    ink = xs[last] + em_width(line.fonts[last], line.text[last]) * line.size
    return Line(line.text, line.fonts, xs, ink, line.hanging, line.size, line.spacing + extra)
