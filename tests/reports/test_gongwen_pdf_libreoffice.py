"""The 公文 PDF agrees with the DOCX as LibreOffice lays it out, page for page and line for line:
the sample bulletin, a body whose closing lines are kept with its last paragraph across a page
break, and one whose 版记 follows a blank page. LibreOffice (headless, the Windows font names
mapped to the Debian faces as in tests/reports/gongwen_pdf.py) is an independent layout engine:
the PDF's own line breaking and pagination have to come out where it puts the DOCX's lines.
Skips with the install line when LibreOffice is missing (dev.py installs it)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.documents.model import Paragraph
from app.documents.profile import DEFAULT_PROFILE
from app.documents.sample import sample_bulletin
from reports.gongwen_docx import render_docx
from reports.gongwen_pdf import render_pdf
from reports.pdf_text import HANGING
from tests.reports.gongwen_pdf import PT_PER_MM, Page, convert_to_pdf, read_pages, soffice

P = DEFAULT_PROFILE
TOP = P.margin_top_mm * PT_PER_MM
BOTTOM = (P.page_height_mm - P.margin_bottom_mm) * PT_PER_MM
FILLER = "督查组深入一线开展实地察看，逐项核对整改台账和佐证材料，现场听取基层意见建议。"


def _both(tmp: Path, name: str, document) -> tuple[list[Page], list[Page], object]:
    docx, pdf = tmp / f"{name}.docx", tmp / f"{name}.pdf"
    render_docx(document, docx)
    report = render_pdf(document, pdf)
    return read_pages(pdf), read_pages(convert_to_pdf(docx, tmp / f"lo-{name}")), report


def _texts(page: Page) -> list[str]:
    """The page's lines. LibreOffice 7.4 does not draw a 点号 hanging past the margin on the
    last line of a page (the comma is lost in its PDF, not moved): such a mark is left out."""
    lines = [line.text for line in page.lines]
    body = [i for i, line in enumerate(page.lines) if line.bottom <= BOTTOM + 1]
    if body and lines[body[-1]][-1:] in HANGING:
        lines[body[-1]] = lines[body[-1]][:-1]
    return lines


def _assert_same_pages(ours: list[Page], office: list[Page]) -> None:
    assert len(ours) == len(office), (
        [p.text()[:12] for p in ours],
        [p.text()[:12] for p in office],
    )
    for mine, theirs in zip(ours, office, strict=True):
        mine_text, their_text = "".join(_texts(mine)), "".join(_texts(theirs))
        # The same first and last characters on each page (blank pages have none) ...
        assert (mine_text[:1], mine_text[-1:]) == (their_text[:1], their_text[-1:]), mine.number
        # ... and the same lines in between.
        assert _texts(mine) == _texts(theirs), mine.number


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    soffice()
    return _both(tmp_path_factory.mktemp("gongwen-pdf-lo"), "sample", sample_bulletin())


def test_the_sample_agrees_page_for_page_and_line_for_line(sample) -> None:
    ours, office, report = sample
    assert report.pages == len(office) == 8
    _assert_same_pages(ours, office)


def test_lines_sit_where_libreoffice_puts_them(sample) -> None:
    """Left-aligned lines start at the same x, every line within a few points of the same
    baseline (the 版头's blank lines differ by up to 3.4 pt: LibreOffice gives the red rule's
    paragraph a few points more)."""
    ours, office, _ = sample
    compared = 0
    for mine, theirs in zip(ours, office, strict=True):
        for a, b in zip(mine.lines, theirs.lines, strict=True):
            assert abs(a.baseline - b.baseline) < 4, (mine.number, a.text)
            if a.text.startswith(("滕州市人民政府办公室", "2021年6月18日")) and a.size == 16:
                continue  # the closing lines: see test_gongwen_pdf (centred on the real date)
            if abs(b.x0 - P.margin_left_mm * PT_PER_MM) < 40:
                assert abs(a.x0 - b.x0) < 1, (mine.number, a.text, a.x0, b.x0)
                compared += 1
    assert compared > 80


def _with_fillers(count: int):
    document = replace(sample_bulletin(), attachments=[])
    body = list(document.body)
    for _ in range(count):
        body.insert(len(body) - 1, Paragraph(FILLER))
    return replace(document, body=body)


def test_the_closing_lines_take_the_last_paragraph_to_the_next_page_alike(tmp_path) -> None:
    soffice()
    # Five fillers: the last paragraph and the closing lines do not fit page 3 together.
    ours, office, report = _both(tmp_path, "keep", _with_fillers(5))
    assert report.pages == 4
    assert ours[3].lines[0].text.startswith("各部门要进一步提高政治站位")
    _assert_same_pages(ours, office)


def test_a_blank_page_before_the_end_block_alike(tmp_path) -> None:
    soffice()
    ours, office, report = _both(tmp_path, "blank", _with_fillers(11))
    assert report.pages == 6 and report.blank_page
    assert ours[4].lines == [] == office[4].lines
    _assert_same_pages(ours, office)
