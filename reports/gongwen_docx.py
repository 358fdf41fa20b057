"""A ``GongwenDocument`` as a Word file laid out by GB/T 9704-2012 (docs/gongwen.md).

``render_docx(document, target, profile)`` writes a new .docx (through app/files.py: an existing
file is never replaced) or into a binary stream. What the file guarantees, in Word, WPS and
LibreOffice alike:

- A4, margins from the profile (37/35/28/26 mm), mirrored for double-sided printing; 22 lines of
  28 characters: every body line has exact line spacing of the grid pitch (579 twips) and −0.25 pt
  character spacing, and the section has a ``type="lines"`` document grid of the same pitch (a
  ``linesAndChars`` grid with negative charSpace gives 14 characters per line in LibreOffice).
- Every run names its faces in ``w:rFonts`` (eastAsia included), no theme fonts anywhere (runs,
  styles, the theme part), runs with “ ” — … carry ``w:hint="eastAsia"``; the font table marks
  each face GB2312 so a missing one is replaced by a Chinese face.
- 版头: red 发文机关标志 35 mm below the type area's top, 发文字号 two lines below, the red rule
  4 mm below that; title two lines below the rule, centred, broken as a trapezoid
  (app/documents/titles.py); 主送 one line below.
- Headings 一、 黑体, （一） 楷体, 1. and （1） 仿宋, indented 2 字 like every body paragraph.
- Tables with ``w:tblGrid`` widths (WPS needs them), fixed layout, header rows repeated on each
  page (``w:tblHeader``), rows kept whole.
- Page numbers "— N —" in 4号宋体 from a PAGE field, odd pages right and even pages left 1 字 in,
  7 mm below the type area, odd/even footers on.
- The 版记 (抄送, 印发机关 and 印发日期 between thick and thin rules) is a frame pinned to the foot
  of the type area on the last page; printing double-sided that page is even: when the content may
  not leave room on an even page, the 版记 starts a section on the next even page (Word and
  LibreOffice insert the blank page), marked with the profile's "（此页无正文）", without page
  numbers when a blank page precedes it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import docx
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.documents.model import (
    Figure,
    GongwenDocument,
    Heading,
    HeadingCounter,
    Paragraph,
    Table,
    attachment_label,
    attachment_note_lines,
    format_date,
)
from app.documents.profile import DEFAULT_PROFILE, OfficeProfile
from app.documents.titles import title_lines
from app.documents.validation import ensure_valid
from app.files import write_new
from reports.docx_xml import (
    Border,
    ParagraphStyle,
    RunStyle,
    add_field,
    add_run,
    el,
    new_paragraph,
    replace_font_table,
    replace_theme_fonts,
    strip_theme_fonts,
    twips,
)
from reports.gongwen_end_block import EndBlockWriter
from reports.gongwen_flow import LATIN_EM, Flow, count_lines, text_doubt_lines
from reports.gongwen_tables import TableWriter, ends_with_table

MM_PT = 72 / 25.4


def render_docx(
    document: GongwenDocument,
    target: str | Path | BinaryIO,
    profile: OfficeProfile = DEFAULT_PROFILE,
) -> Path | None:
    """Write ``document`` as .docx to a new file ``target`` (``FileExistsError`` if the name is
    taken: nothing is replaced) or to a binary stream. Raises ``DocumentInvalid`` (Chinese
    messages) before writing anything when the document breaks a GB/T 9704 rule."""
    ensure_valid(document)
    word = build_docx(document, profile)
    if isinstance(target, str | Path):
        return write_new(target, word.save)
    word.save(target)
    return None


def docx_bytes(document: GongwenDocument, profile: OfficeProfile = DEFAULT_PROFILE) -> bytes:
    buffer = io.BytesIO()
    render_docx(document, buffer, profile)
    return buffer.getvalue()


def build_docx(document: GongwenDocument, profile: OfficeProfile = DEFAULT_PROFILE):
    """The python-docx ``Document`` (not validated: ``render_docx`` validates first)."""
    return _Builder(document, profile).build()


class _Builder:
    def __init__(self, document: GongwenDocument, profile: OfficeProfile) -> None:
        self.doc = document
        self.p = profile
        self.word = docx.Document()
        self.body = self.word.element.body
        self.flow = Flow(profile.type_height_pt)
        self.pitch = profile.line_pitch_twips
        self.pitch_pt = profile.line_pitch_pt
        fonts = profile.fonts
        size = profile.body_size_pt
        spacing = profile.char_spacing_twentieths
        self.body_run = RunStyle(fonts.body, size, fonts.latin, spacing_twentieths=spacing)
        self.heading_runs = {
            1: RunStyle(fonts.heading1, size, fonts.latin, spacing_twentieths=spacing),
            2: RunStyle(fonts.heading2, size, fonts.latin, spacing_twentieths=spacing),
            3: RunStyle(fonts.heading3, size, fonts.latin, spacing_twentieths=spacing),
            4: RunStyle(fonts.heading4, size, fonts.latin, spacing_twentieths=spacing),
        }
        self.label_run = RunStyle(fonts.label, size, fonts.latin, spacing_twentieths=spacing)
        self.title_run = RunStyle(fonts.title, profile.title_size_pt, fonts.latin)
        self.indent2 = twips(profile.chars_pt(2))

    # ---- Assembly -------------------------------------------------------------------------

    def build(self):
        self._set_up_package()
        self._set_up_section(self.word.sections[0])
        self._write_footers(self.word.sections[0], numbered=True)
        self._head()
        self._title()
        self._recipients()
        counter = HeadingCounter()
        for block in self.doc.body:
            self._block(block, counter)
        self._closing()
        for index, attachment in enumerate(self.doc.attachments, 1):
            self._attachment(index, attachment)
        self._end_block()
        return self.word

    def _append(self, element) -> None:
        self.body.find(qn("w:sectPr")).addprevious(element)

    def _paragraph(self, style: ParagraphStyle):
        paragraph = new_paragraph(style)
        self._append(paragraph)
        return paragraph

    def _grid_style(self, **changes) -> ParagraphStyle:
        """A body-grid paragraph: exact line spacing of the pitch."""
        return ParagraphStyle(line_twips=self.pitch, **changes)

    def _text_lines(
        self,
        text: str,
        *,
        first_pt: float = 0,
        left_pt: float = 0,
        right_pt: float = 0,
        size: float | None = None,
    ) -> None:
        size = size or self.p.body_size_pt
        width = self.p.type_width_pt - left_pt - right_pt
        lines = count_lines(
            text, width, size_pt=size, spacing_pt=self.p.char_spacing_pt, first_indent_pt=first_pt
        )
        doubt = text_doubt_lines(text, self.p.chars_per_line)
        self.flow.lines(lines, self.pitch_pt, doubt_lines=doubt)

    def _blank_lines(self, count: int, *, keep_next: bool = False) -> None:
        for _ in range(count):
            paragraph = self._paragraph(self._grid_style(keep_next=keep_next))
            add_run(paragraph, "", self.body_run)
            self.flow.lines(1, self.pitch_pt)

    # ---- 版头 -----------------------------------------------------------------------------

    def _head(self) -> None:
        doc, p = self.doc, self.p
        used_pt = 0.0
        for text, run in (
            (doc.copy_number, RunStyle(p.fonts.body, p.body_size_pt, p.fonts.latin)),
            (doc.classification, self.label_run),
            (doc.urgency, self.label_run),
        ):
            if text:
                paragraph = self._paragraph(self._grid_style(align="left"))
                add_run(paragraph, text, run)
                used_pt += self.pitch_pt
        mark = doc.issuer_mark.strip()
        size = p.issuer_size_pt
        natural = len(mark) * size
        scale = min(100, int(p.type_width_pt / natural * 100)) if natural else 100
        line_pt = size * 1.2
        # The glyphs' top edge sits about 0.15 em below the line's top in both Word and LibreOffice.
        before_pt = max(0.0, p.issuer_top_mm * MM_PT - used_pt - 0.15 * size)
        paragraph = self._paragraph(
            ParagraphStyle(
                align="center",
                line_twips=twips(line_pt),
                before_twips=twips(before_pt),
                snap_to_grid=False,
            )
        )
        add_run(
            paragraph,
            mark,
            RunStyle(p.fonts.issuer, size, p.fonts.latin, color=p.red, scale_percent=scale),
        )
        self.flow.space(used_pt + before_pt + line_pt)
        self._blank_lines(2)
        self._number_line()
        # The red rule: a paragraph of 1 pt whose top border is the rule, 4 mm below the glyphs
        # of the 发文字号 (they end about 0.44 em above the bottom of their line in LibreOffice).
        gap_pt = p.red_rule_gap_mm * MM_PT - 0.44 * p.body_size_pt
        rule = self._paragraph(
            ParagraphStyle(
                align="center",
                line_twips=20,
                before_twips=twips(max(gap_pt, 0)),
                snap_to_grid=False,
                top=Border(round(p.red_rule_width_pt * 8), p.red),
            )
        )
        add_run(rule, "", RunStyle(p.fonts.body, 1))
        self.flow.space(max(gap_pt, 0) + 1)

    def _number_line(self) -> None:
        doc, p = self.doc, self.p
        if not doc.signers:
            paragraph = self._paragraph(self._grid_style(align="center"))
            add_run(paragraph, doc.number, self.body_run)
        else:
            # 上行文: 发文字号 left 1 字 in, "签发人：" + names right 1 字 in, on one line.
            one = twips(p.chars_pt(1))
            width = twips(p.type_width_pt)
            paragraph = self._paragraph(self._grid_style(align="left", left_twips=one))
            tabs = el("w:tabs")
            tabs.append(el("w:tab", val="right", pos=width - one))
            paragraph.find(qn("w:pPr")).find(qn("w:widowControl")).addnext(tabs)
            add_run(paragraph, doc.number + "\t签发人：", self.body_run)
            names = RunStyle(
                p.fonts.signer_names,
                p.body_size_pt,
                p.fonts.latin,
                spacing_twentieths=p.char_spacing_twentieths,
            )
            add_run(paragraph, "\u3000".join(doc.signers), names)
        self.flow.lines(1, self.pitch_pt)

    # ---- 主体 -----------------------------------------------------------------------------

    def _title(self, title: str | None = None) -> None:
        self._blank_lines(2)
        self._title_lines(self.doc.title if title is None else title)

    def _title_lines(self, title: str) -> None:
        max_chars = int(self.p.type_width_pt // self.p.title_size_pt)
        lines = title_lines(title, max_chars)
        paragraph = self._paragraph(
            self._grid_style(align="center", keep_next=True, keep_lines=True)
        )
        add_run(paragraph, "\n".join(lines), self.title_run)
        self.flow.lines(len(lines), self.pitch_pt)

    def _recipients(self) -> None:
        if not self.doc.recipients.strip():
            return
        self._blank_lines(1)
        paragraph = self._paragraph(self._grid_style(align="both"))
        add_run(paragraph, self.doc.recipients.strip(), self.body_run)
        self._text_lines(self.doc.recipients.strip())

    def _block(self, block, counter: HeadingCounter) -> None:
        if isinstance(block, Paragraph):
            paragraph = self._paragraph(self._grid_style(first_line_twips=self.indent2))
            add_run(paragraph, block.text, self.body_run)
            self._text_lines(block.text, first_pt=self.p.chars_pt(2))
        elif isinstance(block, Heading):
            number = counter.number(block)
            paragraph = self._paragraph(self._grid_style(first_line_twips=self.indent2))
            add_run(paragraph, number + block.text, self.heading_runs[block.level])
            if block.body:
                add_run(paragraph, block.body, self.body_run)
            self._text_lines(number + block.text + block.body, first_pt=self.p.chars_pt(2))
        elif isinstance(block, Table):
            if ends_with_table(self.body):
                self._blank_lines(1)  # Word would join two adjacent tables
            TableWriter(self, block).write()
        elif isinstance(block, Figure):
            self._figure(block)

    def _figure(self, figure: Figure) -> None:
        from PIL import Image

        width_pt = self.p.type_width_pt * figure.width
        with Image.open(figure.path) as image:
            ratio = image.height / image.width
        height_pt = min(width_pt * ratio, self.p.type_height_pt - 2 * self.pitch_pt)
        width_pt = height_pt / ratio
        element = self._paragraph(
            ParagraphStyle(align="center", snap_to_grid=False, keep_next=bool(figure.caption))
        )
        paragraph = docx.text.paragraph.Paragraph(element, self.word._body)
        paragraph.add_run().add_picture(figure.path, width=Pt(width_pt))
        self.flow.block(height_pt + 4, doubt_pt=self.pitch_pt)
        if figure.caption:
            caption = self._paragraph(self._grid_style(align="center"))
            add_run(caption, figure.caption, self.body_run)
            self._text_lines(figure.caption)

    def _closing(self) -> None:
        """附件说明, 署名, 成文日期, 附注 — kept on the page of the last body lines."""
        doc, p = self.doc, self.p
        last = self.body.find(qn("w:sectPr")).getprevious()
        if last is not None and last.tag == qn("w:p"):
            # The signature never starts a page alone: the last body line goes with it.
            last.find(qn("w:pPr")).insert(0, el("w:keepNext"))
        notes = attachment_note_lines(doc)
        if notes:
            self._blank_lines(1, keep_next=True)
            for index, line in enumerate(notes):
                if index == 0:
                    left, first = p.chars_pt(5), -p.chars_pt(3)  # "附件：" hangs
                    if len(notes) > 1:
                        left, first = p.chars_pt(7), -p.chars_pt(5)  # "附件：1." hangs
                else:
                    left, first = p.chars_pt(7), -p.chars_pt(2)  # "2." under "1."
                paragraph = self._paragraph(
                    self._grid_style(
                        left_twips=twips(left), first_line_twips=twips(first), keep_next=True
                    )
                )
                add_run(paragraph, line, self.body_run)
                self._text_lines(line, first_pt=first, left_pt=left)
        self._blank_lines(1, keep_next=True)
        signature = doc.signature.strip()
        date_text = format_date(doc.date)
        sig_w, date_w = _width_chars(signature), _width_chars(date_text)
        if doc.seal:
            # Date 4 字 from the right; the signature centred above the date.
            date_right = 4.0
            sig_right = max(0.0, date_right + (date_w - sig_w) / 2)
        else:
            # Signature 2 字 from the right; the date starts 2 字 right of the signature's start
            # (a date longer than that keeps 2 字 and moves the signature left).
            date_right = max(2.0, sig_w - date_w)
            sig_right = date_right + date_w + 2 - sig_w
        for text, right in ((signature, sig_right), (date_text, date_right)):
            paragraph = self._paragraph(
                self._grid_style(
                    align="right",
                    right_twips=twips(p.chars_pt(right)),
                    keep_next=bool(doc.note) or text == signature,
                )
            )
            add_run(paragraph, text, self.body_run)
            self.flow.lines(1, self.pitch_pt)
        if doc.note.strip():
            paragraph = self._paragraph(self._grid_style(first_line_twips=self.indent2))
            add_run(paragraph, doc.note.strip(), self.body_run)
            self._text_lines(doc.note.strip(), first_pt=p.chars_pt(2))

    def _attachment(self, index: int, attachment) -> None:
        label = attachment_label(index, len(self.doc.attachments))
        paragraph = self._paragraph(
            self._grid_style(align="left", page_break_before=True, keep_next=True)
        )
        add_run(paragraph, label, self.label_run)
        self.flow.page_break()
        self.flow.lines(1, self.pitch_pt)
        self._blank_lines(1, keep_next=True)
        self._title_lines(attachment.title)
        self._blank_lines(1, keep_next=True)
        counter = HeadingCounter()
        for block in attachment.blocks:
            self._block(block, counter)

    # ---- 版记 -----------------------------------------------------------------------------

    def _end_block(self) -> None:
        self.end_block = EndBlockWriter(self)
        self.end_block.write()

    # ---- Page set-up ----------------------------------------------------------------------

    def _set_up_section(self, section) -> None:
        p = self.p
        section.page_width = Mm(p.page_width_mm)
        section.page_height = Mm(p.page_height_mm)
        section.top_margin = Mm(p.margin_top_mm)
        section.bottom_margin = Mm(p.margin_bottom_mm)
        section.left_margin = Mm(p.margin_left_mm)
        section.right_margin = Mm(p.margin_right_mm)
        section.gutter = 0
        section.header_distance = Mm(15)
        footer_line_pt = p.page_number_size_pt * 1.2
        # The dashes of "— N —" sit about 0.59 em below the top of the footer's line box
        # (measured in LibreOffice's output): place them page_number_gap below the type area.
        dash_pt = 0.59 * p.page_number_size_pt
        section.footer_distance = Pt(
            (p.margin_bottom_mm - p.page_number_gap_mm) * MM_PT + dash_pt - footer_line_pt
        )
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = el("w:docGrid")
            section._sectPr.append(grid)
        grid.attrib.clear()
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(self.pitch))

    def _write_footers(self, section, *, numbered: bool) -> None:
        p = self.p
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        run = RunStyle(p.fonts.page_number, p.page_number_size_pt)
        indent = twips(p.page_number_size_pt * p.page_number_indent_chars)
        line = twips(p.page_number_size_pt * 1.2)
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            container = footer._element
            for child in list(container):
                container.remove(child)
            if p.page_number_placement == "center":
                style = ParagraphStyle(align="center", line_twips=line, snap_to_grid=False)
            elif odd:
                style = ParagraphStyle(
                    align="right", right_twips=indent, line_twips=line, snap_to_grid=False
                )
            else:
                style = ParagraphStyle(
                    align="left", left_twips=indent, line_twips=line, snap_to_grid=False
                )
            paragraph = new_paragraph(style)
            container.append(paragraph)
            if numbered:
                dash = p.page_number_dashes
                add_run(paragraph, "— " if dash else "", run)
                add_field(paragraph, "PAGE", "1", run)
                add_run(paragraph, " —" if dash else "", run)
            else:
                # Not empty: LibreOffice drops an empty footer and shifts the page's text.
                add_run(paragraph, "\u00a0", run)

    def _set_up_package(self) -> None:
        p, word = self.p, self.word
        fonts = p.fonts
        word.settings.odd_and_even_pages_header_footer = True
        settings = word.settings.element
        if p.mirror_margins:
            zoom = settings.find(qn("w:zoom"))
            mirror = el("w:mirrorMargins")
            if zoom is not None:
                zoom.addnext(mirror)
            else:
                settings.insert(0, mirror)
        for name in ("w:themeFontLang",):
            found = settings.find(qn(name))
            if found is not None:
                found.set(qn("w:eastAsia"), "zh-CN")
        styles = word.styles.element
        strip_theme_fonts(styles)
        defaults = styles.find(qn("w:docDefaults"))
        run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        old = run_defaults.find(qn("w:rFonts"))
        run_defaults.replace(
            old,
            el(
                "w:rFonts",
                ascii=fonts.latin or fonts.body,
                hAnsi=fonts.latin or fonts.body,
                eastAsia=fonts.body,
                cs=fonts.latin or fonts.body,
            ),
        )
        language = run_defaults.find(qn("w:lang"))
        if language is not None:
            language.set(qn("w:eastAsia"), "zh-CN")
        paragraph_defaults = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = paragraph_defaults.find(qn("w:spacing"))
        if spacing is not None:
            paragraph_defaults.remove(spacing)
        paragraph_defaults.append(el("w:spacing", before=0, after=0))
        replace_theme_fonts(word, fonts.title, fonts.body)
        used = [
            fonts.issuer,
            fonts.title,
            fonts.body,
            fonts.heading1,
            fonts.heading2,
            fonts.heading3,
            fonts.heading4,
            fonts.label,
            fonts.signer_names,
            fonts.page_number,
        ]
        if fonts.latin:
            used.append(fonts.latin)
        replace_font_table(word, list(dict.fromkeys(used)))
        for rid, relationship in list(word.part.rels.items()):
            if relationship.reltype.endswith("/stylesWithEffects"):
                word.part.drop_rel(rid)
        word.core_properties.title = self.doc.title.replace("\n", "")
        word.core_properties.author = self.doc.signature
        word.core_properties.comments = "GB/T 9704-2012"


def _width_chars(text: str) -> float:
    """Width of ``text`` in body characters (Latin letters and digits are about half)."""
    return sum(1.0 if not (c.isascii()) else LATIN_EM for c in text)
