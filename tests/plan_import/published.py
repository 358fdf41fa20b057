"""The sample plan as offices receive it: a published 公文 PDF (GB/T 9704 layout).

``sample_gongwen()`` turns the sample's text into a ``GongwenDocument`` (app/documents): the
通知 with its 版头, 主送, body, signature, date and 附注; the 方案 and its 配套措施 as the two
附件; the 版记. Headings keep the numbers written in the sample (including the heading that lost
its numeral, as in the original). Two producers then typeset it:

* ``libreoffice_pdf``: reports/gongwen_docx.py renders the .docx (仿宋 3号, 28×22 grid,
  "— N —" page numbers), LibreOffice converts it to PDF (tests/reports/gongwen_pdf.py);
* ``reportlab_pdf``: reportlab's own CJK wrapping (``Paragraph`` with ``wordWrap='CJK'``) on
  the same 版心, with the page numbers in the footer and the 版记 between rules on the last page,
  left-aligned (ragged right) where Word and LibreOffice justify.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from app.documents.model import Attachment, GongwenDocument, Heading, Paragraph
from app.documents.profile import DEFAULT_PROFILE

_CN_HEADING = re.compile(r"^([一二三四五六七八九十]+、)(.*)$")
_PCN_HEADING = re.compile(r"^(（[一二三四五六七八九十]+）)(.*)$")


def _paragraphs(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def _blocks(lines: list[str]) -> list[Paragraph | Heading]:
    blocks: list[Paragraph | Heading] = []
    for line in _paragraphs(lines):
        cn = _CN_HEADING.match(line)
        pcn = _PCN_HEADING.match(line)
        if cn and len(line) <= 30 and "。" not in line:
            blocks.append(Heading(1, cn.group(2).strip(), number=cn.group(1)))
        elif pcn:
            rest = pcn.group(2)
            stop = rest.find("。")
            head, body = (rest[: stop + 1], rest[stop + 1 :]) if stop >= 0 else (rest, "")
            blocks.append(Heading(2, head, body=body, number=pcn.group(1)))
        elif len(line) <= 12 and "。" not in line and not line[0].isdigit():
            blocks.append(Heading(1, line, number=""))  # the heading that lost its numeral
        else:
            blocks.append(Paragraph(line))
    return blocks


def sample_gongwen(text: str) -> GongwenDocument:
    """The sample (resources/plans/tengzhou-2021-9.txt) as a 公文."""
    lines = text.split("\n")
    content = _paragraphs(lines)
    assert content[0] == "滕政发〔2021〕9号" and content[1] == "滕州市人民政府", content[:2]
    title, recipients, body = content[2], content[3], content[4]
    plan_title_at = next(i for i, line in enumerate(lines) if line.strip() == "落实方案")
    plan_title = lines[plan_title_at - 2].strip() + lines[plan_title_at].strip()
    attachment_at = next(i for i, line in enumerate(lines) if line.strip() == "附件")
    measures_title = lines[attachment_at + 2].strip()
    plan_lines = [
        line
        for line in lines[plan_title_at + 1 : attachment_at]
        if not line.strip().startswith("附件：")
    ]
    end = next(i for i, line in enumerate(lines) if line.strip() == "（此页无正文）")
    measure_lines = lines[attachment_at + 3 : end]
    copy_line = next(line for line in lines[end:] if line.startswith("抄"))
    copy_to = copy_line.split("：", 1)[1].rstrip("。").split("，")
    return GongwenDocument(
        issuer_mark="滕州市人民政府文件",
        number="滕政发〔2021〕9号",
        title=title,
        recipients=recipients,
        body=[Paragraph(body)],
        signature="滕州市人民政府",
        date=date(2021, 6, 18),
        note="（此件公开发布）",
        attachments=[
            Attachment(plan_title, _blocks(plan_lines)),
            Attachment(measures_title, _blocks(measure_lines)),
        ],
        copy_to=copy_to,
        printer="滕州市人民政府办公室",
    )


# LibreOffice 7.4 leaves out of its PDF (and its drawing) the punctuation mark that hangs past
# the right margin when runs carry the −0.25 pt character spacing the standard profile needs for
# 28 characters in a 156 mm line (about 70 marks in the sample, "：" of "牵头部门：" among them):
# the characters are not in the file at all, no reader could bring them back. A type area 1 mm
# wider keeps 28 characters a line with −0.15 pt, which LibreOffice draws whole.
LIBREOFFICE_PROFILE = replace(DEFAULT_PROFILE, margin_left_mm=27.5, margin_right_mm=25.5)


def libreoffice_pdf(document: GongwenDocument, work: Path) -> Path:
    """The document rendered as .docx by reports/gongwen_docx.py and converted by LibreOffice
    (skips the test when LibreOffice is missing, with the install line)."""
    from reports.gongwen_docx import render_docx
    from tests.reports.gongwen_pdf import convert_to_pdf

    work.mkdir(parents=True, exist_ok=True)
    docx_path = work / "published.docx"
    if not docx_path.exists():
        render_docx(document, docx_path, LIBREOFFICE_PROFILE)
    return convert_to_pdf(docx_path, work)


# ---- reportlab --------------------------------------------------------------------------------

MM = 72 / 25.4
BODY_PT = 16.0  # 3号
PITCH = 28.95  # 579 twips: 22 lines in the 225 mm 版心
LEFT, RIGHT, TOP, BOTTOM = 28 * MM, 26 * MM, 37 * MM, 35 * MM


def _fonts() -> tuple[str, str]:
    """(body face, heading face) registered with reportlab: Debian's Song and Hei faces."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from .makedocs import cjk_font

    faces = [
        ("PubSong", "/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # covers • and ﹢ too
        ("PubHei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ]
    registered: list[str] = []
    for name, path, index in faces:
        if name in pdfmetrics.getRegisteredFontNames():
            registered.append(name)
            continue
        if not Path(path).exists():
            fallback = cjk_font()
            if fallback is None:
                raise FileNotFoundError("no CJK TrueType font installed")
            path, index = fallback
        if index is None:
            pdfmetrics.registerFont(TTFont(name, path))
        else:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        registered.append(name)
    return registered[0], registered[1]


def reportlab_pdf(document: GongwenDocument, path: Path) -> Path:
    """The document typeset by reportlab's own CJK paragraph wrapping (not justified)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer
    from reportlab.platypus import Paragraph as Para

    from app.documents.model import attachment_label, attachment_note_lines, format_date

    song, hei = _fonts()
    body = ParagraphStyle(
        "body",
        fontName=song,
        fontSize=BODY_PT,
        leading=PITCH,
        firstLineIndent=2 * BODY_PT,
        alignment=TA_LEFT,
        wordWrap="CJK",
    )
    heading = ParagraphStyle("heading", parent=body, fontName=hei)
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    title = ParagraphStyle(
        "title", parent=plain, fontSize=22, leading=2 * PITCH, alignment=TA_CENTER
    )
    mark = ParagraphStyle("mark", parent=title, fontSize=30, leading=2 * PITCH)
    centre = ParagraphStyle("centre", parent=plain, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT, rightIndent=4 * BODY_PT)

    def para(text: str, style: ParagraphStyle) -> Para:
        return Para(escape(text), style)

    def blocks(items: list) -> list:
        story: list = []
        for block in items:
            if isinstance(block, Heading):
                number = block.number or ""
                if block.level == 1:
                    story.append(para(number + block.text, heading))
                else:
                    story.append(para(number + block.text + block.body, body))
            else:
                story.append(para(block.text, body))
        return story

    story: list = [
        para(document.issuer_mark, mark),
        para(document.number, centre),
        Spacer(1, PITCH),
        para(document.title, title),
        para(document.recipients, plain),
        *blocks(document.body),
        Spacer(1, PITCH),
    ]
    notes = attachment_note_lines(document)
    for index, line in enumerate(notes):
        style = ParagraphStyle(f"note{index}", parent=body, leftIndent=0)
        story.append(para(line if index == 0 else "\u3000\u3000\u3000" + line, style))
    story += [
        Spacer(1, 2 * PITCH),
        para(document.signature, right),
        para(format_date(document.date), right),
        para(document.note, body),
    ]
    for index, attachment in enumerate(document.attachments, start=1):
        story += [
            PageBreak(),
            para(
                attachment_label(index, len(document.attachments)),
                ParagraphStyle(f"label{index}", parent=plain, fontName=hei),
            ),
            para(attachment.title, title),
            *blocks(attachment.blocks),
        ]

    copy_to = "抄送：" + "，".join(document.copy_to) + "。"
    printed = f"{document.printer}{'　' * 6}{format_date(document.printed_on)}印发"
    template = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=document.title,
    )
    # The 版记 needs three lines at the foot of the last page: leave them free.
    story.append(Spacer(1, 3 * PITCH))
    template.build(story, canvasmaker=_canvas_class(song, copy_to, printed))
    return path


def _canvas_class(font: str, copy_to: str, printed: str) -> type:
    """A canvas that draws "— N —" on every page and the 版记 (抄送 and 印发 between rules) at
    the foot of the last one: pages are kept until ``save``, when their count is known."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    class PublishedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number)
                if number == len(self._pages):
                    self._end_block()
                super().showPage()
            super().save()

        def _footer(self, number: int) -> None:
            self.setFont(font, 14)
            text = f"— {number} —"
            y = BOTTOM - 7 * MM - 14
            if number % 2:
                self.drawRightString(A4[0] - RIGHT - 14, y, text)
            else:
                self.drawString(LEFT + 14, y, text)

        def _end_block(self) -> None:
            width = A4[0] - LEFT - RIGHT
            base = BOTTOM + 4
            self.setFont(font, 14)
            self.setLineWidth(0.35)
            self.line(LEFT, base, LEFT + width, base)
            self.drawString(LEFT + 14, base + 10, printed)
            self.setLineWidth(0.25)
            self.line(LEFT, base + PITCH, LEFT + width, base + PITCH)
            self.drawString(LEFT + 14, base + PITCH + 10, copy_to)
            self.setLineWidth(0.35)
            self.line(LEFT, base + 2 * PITCH, LEFT + width, base + 2 * PITCH)

    return PublishedCanvas
