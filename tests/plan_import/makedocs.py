"""Build .docx and .pdf versions of a plain-text plan for reader tests (python-docx, reportlab)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

CJK_FONTS = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
]


def cjk_font() -> tuple[str, int | None] | None:
    """A CJK TrueType font installed on this machine, or None."""
    for path, index in CJK_FONTS:
        if Path(path).exists():
            return path, index
    return None


def write_docx(text: str, path: Path, *, table_rows: list[list[str]] | None = None) -> None:
    """One paragraph per line; ``table_rows`` (if given) go in a table after the first line."""
    import docx

    document = docx.Document()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        document.add_paragraph(line)
        if index == 0 and table_rows:
            table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
            for row, values in zip(table.rows, table_rows, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
    document.save(str(path))


def _width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in text)


def write_pdf(text: str, path: Path, font: tuple[str, int | None], *, encrypt: str = "") -> None:
    """Lines wrapped to the page width (as a PDF of a Word document would be), A4 pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font_path, index = font
    if index is None:
        pdfmetrics.registerFont(TTFont("PlanCJK", font_path))
    else:
        pdfmetrics.registerFont(TTFont("PlanCJK", font_path, subfontIndex=index))
    options = {}
    if encrypt:
        from reportlab.lib.pdfencrypt import StandardEncryption

        options["encrypt"] = StandardEncryption(encrypt, canPrint=0)
    pdf = canvas.Canvas(str(path), pagesize=A4, **options)
    size = 10.5
    per_line = 44.0  # full-width characters per line
    height = A4[1]
    y = height - 60
    pdf.setFont("PlanCJK", size)
    for paragraph in text.split("\n"):
        pieces: list[str] = []
        current = ""
        for ch in paragraph:
            if _width(current + ch) > per_line:
                pieces.append(current)
                current = ""
            current += ch
        pieces.append(current)
        for piece in pieces:
            if y < 60:
                pdf.showPage()
                pdf.setFont("PlanCJK", size)
                y = height - 60
            pdf.drawString(60, y, piece)
            y -= size * 1.6
    pdf.save()


def write_image_pdf(path: Path) -> None:
    """A page with graphics only (like a scan without OCR): no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for row in range(20):
        pdf.rect(60, 700 - row * 30, 400, 12, fill=1)
    pdf.save()
