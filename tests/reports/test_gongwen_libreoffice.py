"""The 公文 DOCX as LibreOffice lays it out (headless conversion to PDF, read with pdfplumber):
the 22 × 28 grid on body pages, the 版头 geometry, page numbers, repeated table headers, and the
版记 at the foot of the last (even, double-sided) page in each of the three cases the renderer
distinguishes. Skips with the install line when LibreOffice is missing (dev.py installs it)."""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from app.documents.model import Paragraph
from app.documents.profile import DEFAULT_PROFILE
from app.documents.sample import sample_bulletin
from reports.gongwen_docx import _Builder, render_docx
from tests.reports.gongwen_pdf import PT_PER_MM, Page, convert_to_pdf, read_pages, soffice

P = DEFAULT_PROFILE
LEFT = P.margin_left_mm * PT_PER_MM
RIGHT = (P.page_width_mm - P.margin_right_mm) * PT_PER_MM
TOP = P.margin_top_mm * PT_PER_MM
BOTTOM = (P.page_height_mm - P.margin_bottom_mm) * PT_PER_MM
CELL = P.cell_pt  # 15.75 pt
CLOSING = "，。、；：？！）》”’…—"


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") or char in "“”‘’—…"


def _body_lines(page: Page):
    return [line for line in page.lines if line.top >= TOP - 6 and line.bottom <= BOTTOM + 1]


def _page_number_line(page: Page):
    below = [line for line in page.lines if line.top > BOTTOM + 1]
    return below[0] if below else None


def _render(tmp: Path, name: str, document, profile=P) -> list[Page]:
    path = tmp / f"{name}.docx"
    render_docx(document, path, profile)
    return read_pages(convert_to_pdf(path, tmp / name))


@pytest.fixture(scope="module")
def sample_pages(tmp_path_factory) -> list[Page]:
    soffice()
    return _render(tmp_path_factory.mktemp("gongwen-lo"), "sample", sample_bulletin())


def test_a_full_body_page_has_22_lines_of_28_characters_on_the_grid(sample_pages) -> None:
    page = sample_pages[1]  # page 2: body text only
    lines = _body_lines(page)
    assert len(lines) == 22, [line.text for line in lines]
    # 579 twips from line to line; the baseline sits a little higher in 黑体 (another face).
    pitches = [b.baseline - a.baseline for a, b in itertools.pairwise(lines)]
    assert all(abs(pitch - P.line_pitch_pt) < 0.8 for pitch in pitches), pitches
    assert abs((lines[-1].baseline - lines[0].baseline) / 21 - P.line_pitch_pt) < 0.05
    full = [
        (index, line)
        for index, line in enumerate(lines)
        if abs(line.x0 - LEFT) < 1 and line.x1 > RIGHT - CELL / 2 and all(map(_wide, line.text))
    ]
    natural = 0
    for index, line in full:
        text = line.text
        if line.x1 > RIGHT + 1 and text[-1] in CLOSING:
            text = text[:-1]  # punctuation hanging past the margin
        if _on_cells(line):
            assert len(text) == P.chars_per_line, text
            natural += 1
        else:
            # LibreOffice's kinsoku: a closing mark may not start the next line, so one
            # character went down with it and this line was spread to the full width.
            assert len(text) == P.chars_per_line - 1, text
            assert lines[index + 1].text[1] in CLOSING, lines[index + 1].text
    assert natural >= 5, [line.text for line in lines]


def _on_cells(line) -> bool:
    """Character n of the line starts at cell n of the grid (from the line's first cell); 1 pt
    of drift is allowed: the stand-in 楷体 (AR PL KaitiM GB) draws "。" 0.7 pt wider than 1 em."""
    start = round((line.x0 - LEFT) / CELL)
    return all(
        abs(x - (LEFT + (start + n) * CELL)) < 1.0
        for n, x in enumerate(line.xs[: P.chars_per_line - start])
    )


def test_body_characters_sit_on_the_grid_cells(sample_pages) -> None:
    """In the lines of Chinese text that start at the margin or the 2-字 indent, character n
    starts at cell n of the 28-character grid (except lines spread by the kinsoku rule)."""
    checked = spread = 0
    for page in sample_pages[1:3]:
        lines = _body_lines(page)
        for index, line in enumerate(lines):
            start = round((line.x0 - LEFT) / CELL)
            if start not in (0, 2) or not all(map(_wide, line.text)):
                continue
            if _on_cells(line):
                checked += 1
            else:
                assert lines[index + 1].text[0] in CLOSING or lines[index + 1].text[1] in CLOSING
                spread += 1
    assert checked > 15 and spread < checked / 3, (checked, spread)


def test_first_page_head_geometry(sample_pages) -> None:
    first = sample_pages[0]
    mark = next(line for line in first.lines if line.text == "滕州市人民政府办公室")
    number = next(line for line in first.lines if "〔2021〕" in line.text)
    title = [line for line in first.lines if line.size > 21 and line.size < 23]
    # The mark is centred in the type area, the 发文字号 below it, the title in 2号.
    assert abs((mark.x0 + mark.x1) / 2 - (LEFT + RIGHT) / 2) < 3
    assert number.top > mark.bottom + 2 * 28
    assert abs((number.x0 + number.x1) / 2 - (LEFT + RIGHT) / 2) < 3
    assert [line.text for line in title] == ["关于全市优化营商环境", "工作明察暗访情况的通报"]
    # The red rule: as wide as the type area, about 4 mm below the 发文字号's glyphs.
    rule = [r for r in first.rules if r[2] > number.bottom and r[2] < title[0].top]
    assert rule, first.rules
    x0, x1, y, _ = rule[0]
    assert abs(x0 - LEFT) < 1.5 and abs(x1 - RIGHT) < 1.5
    glyph_bottom = number.bottom - 0.12 * P.body_size_pt  # pdfplumber's box includes the descent
    assert 2.5 * PT_PER_MM < y - glyph_bottom < 5.5 * PT_PER_MM
    recipients = next(line for line in first.lines if line.text.endswith("："))
    assert abs(recipients.x0 - LEFT) < 1  # flush left


def test_page_numbers_odd_right_even_left_below_the_type_area(sample_pages) -> None:
    for page in sample_pages:
        line = _page_number_line(page)
        assert line is not None, page.number
        assert line.text.replace(" ", "") == f"—{page.number}—"
        # The 一字线 (mid-height of the line) 7 mm below the type area (measured on the
        # rendered page: the dash's ink is 6.8 mm below).
        middle = (line.top + line.bottom) / 2
        assert 5.5 * PT_PER_MM < middle - BOTTOM < 8.5 * PT_PER_MM, (middle - BOTTOM) / PT_PER_MM
        one = P.page_number_size_pt
        if page.number % 2:
            assert abs(RIGHT - one - line.x1) < 2, (page.number, line.x1)
        else:
            assert abs(line.x0 - (LEFT + one)) < 2, (page.number, line.x0)


def test_the_problem_table_repeats_its_header_on_every_page(sample_pages) -> None:
    table_pages = [p for p in sample_pages if any("整改时限" in line.text for line in p.lines)]
    assert len(table_pages) >= 3  # 40 rows of 4号 text span pages
    for page in table_pages:
        header = next(line for line in page.lines if "整改时限" in line.text)
        assert header.text.replace(" ", "") == "序号责任单位问题描述整改时限"
        if page is not table_pages[0]:
            assert header is _body_lines(page)[0]  # the first line of the page
    assert _body_lines(table_pages[0])[0].text == "附件1"


def test_attachment_pages_start_with_the_label_top_left(sample_pages) -> None:
    starts = [
        p for p in sample_pages if _body_lines(p) and _body_lines(p)[0].text.startswith("附件")
    ]
    assert [p.lines[0].text for p in starts] == ["附件1", "附件2"]
    for page in starts:
        label = page.lines[0]
        assert abs(label.x0 - LEFT) < 1 and abs(label.top - TOP) < 8
        assert "WenQuanYiMicroHei" in label.fonts  # 黑体


def _assert_end_block_at_foot(page: Page, *, copy_to: bool = True) -> None:
    texts = [line.text for line in _body_lines(page)]
    printed = next(line for line in _body_lines(page) if line.text.endswith("印发"))
    assert printed.text.startswith("滕州市人民政府办公室")
    assert printed is _body_lines(page)[-1], texts
    if copy_to:
        assert any(text.startswith("抄送：") for text in texts)
    rules = sorted((r for r in page.rules if r[2] > printed.top - 80), key=lambda r: r[2])
    assert len(rules) >= (3 if copy_to else 2), page.rules
    last = rules[-1]
    assert abs(last[2] - BOTTOM) < 2.5, (last, BOTTOM)  # at the foot of the type area
    assert abs(last[0] - LEFT) < 1.5 and abs(last[1] - RIGHT) < 1.5  # as wide as the type area
    assert last[3] > rules[-2][3]  # thick last rule, thin between


def test_end_block_shares_the_last_even_page(sample_pages) -> None:
    last = sample_pages[-1]
    assert len(sample_pages) % 2 == 0
    _assert_end_block_at_foot(last)
    assert any(line.text == "附件2" for line in last.lines)  # it shares the page
    assert "此页无正文" not in last.text()


def test_end_block_after_an_odd_last_page_goes_on_the_next_even_page(tmp_path) -> None:
    soffice()
    document = replace(sample_bulletin(), attachments=[])
    pages = _render(tmp_path, "odd-end", document)
    assert len(pages) % 2 == 0
    last = pages[-1]
    _assert_end_block_at_foot(last)
    assert _body_lines(last)[0].text == "（此页无正文）"
    assert pages[-2].lines and "（此件公开发布）" in pages[-2].text()
    assert _page_number_line(last).text.replace(" ", "") == f"—{len(pages)}—"


def _document_ending_on_a_full_even_page():
    document = replace(sample_bulletin(), attachments=[])
    filler = "督查组深入一线开展实地察看，逐项核对整改台账和佐证材料，现场听取基层意见建议。"
    while True:
        builder = _Builder(document, P)
        builder.build()
        flow_page, room = builder.flow.page, builder.flow.room_pt
        if flow_page == 4 and room < builder.end_block.height_pt():
            return document
        body = list(document.body)
        body.insert(len(body) - 1, Paragraph(filler))
        document = replace(document, body=body)
        assert flow_page <= 4


def test_end_block_after_a_full_even_page_follows_a_blank_page_without_numbers(tmp_path) -> None:
    soffice()
    pages = _render(tmp_path, "even-end", _document_ending_on_a_full_even_page())
    assert len(pages) == 6, [p.text()[:20] for p in pages]
    blank, last = pages[-2], pages[-1]
    assert blank.lines == []  # the blank page: no text, no number
    _assert_end_block_at_foot(last)
    assert _page_number_line(last) is None
    assert _body_lines(last)[0].text == "（此页无正文）"
    assert _page_number_line(pages[3]).text.replace(" ", "") == "—4—"


def test_single_sided_end_block_is_on_the_last_page_whatever_its_parity(tmp_path) -> None:
    soffice()
    profile = P.with_changes(double_sided=False)
    document = replace(sample_bulletin(), attachments=[sample_bulletin().attachments[0]])
    pages = _render(tmp_path, "single", document, profile)
    assert len(pages) % 2 == 1  # would need a blank page if double-sided
    _assert_end_block_at_foot(pages[-1])
    assert all(page.lines for page in pages)
