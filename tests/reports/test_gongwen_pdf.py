"""The 公文 PDF (reports/gongwen_pdf.py) read back as a viewer shows it: fonts embedded, A4, the
22 × 28 grid with every character on its cell, the line-break rules on the rendered lines, the 版头
geometry, headings' faces, tables, the closing lines, page numbers, the 版记 and its page."""

from __future__ import annotations

import io
import itertools
import unicodedata
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest

from app.documents.model import Figure, Heading, Paragraph, Table
from app.documents.profile import DEFAULT_PROFILE
from app.documents.sample import sample_bulletin
from app.documents.titles import title_lines
from app.documents.validation import DocumentInvalid
from reports.fonts import glyph_extent
from reports.gongwen_docx import _Builder
from reports.gongwen_pdf import load_profile_fonts, pdf_bytes, render_pdf
from reports.pdf_text import CANNOT_END, HANGING
from tests.reports.gongwen_pdf import PT_PER_MM, Page, read_pages
from tests.reports.pdfcheck import A4, fonts, page_sizes

P = DEFAULT_PROFILE
LEFT = P.margin_left_mm * PT_PER_MM
RIGHT = (P.page_width_mm - P.margin_right_mm) * PT_PER_MM
TOP = P.margin_top_mm * PT_PER_MM
BOTTOM = (P.page_height_mm - P.margin_bottom_mm) * PT_PER_MM
CELL = P.cell_pt  # 15.75 pt
# No line may start with these (GB/T 15834, clreq; the checklist's list), nor end with CANNOT_END.
NEVER_START = "，。、；：？！）》」』】〕”’…"


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") or char in "“”‘’—…"


def _body_lines(page: Page):
    return [line for line in page.lines if line.top >= TOP - 6 and line.bottom <= BOTTOM + 1]


def _page_number_line(page: Page):
    below = [line for line in page.lines if line.top > BOTTOM + 1]
    return below[0] if below else None


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("gongwen-pdf") / "通报.pdf"
    report = render_pdf(sample_bulletin(), path)
    return path, report


@pytest.fixture(scope="module")
def pages(sample) -> list[Page]:
    return read_pages(sample[0])


def _cut_at_gaps(chars: list[dict]) -> list[list[dict]]:
    """Characters of one baseline cut where a gap shows a new table cell (more than 5 pt)."""
    pieces: list[list[dict]] = [[]]
    for char in chars:
        if pieces[-1] and char["x0"] - pieces[-1][-1]["x1"] > 5:
            pieces.append([])
        pieces[-1].append(char)
    return [piece for piece in pieces if piece]


def drawn_lines(path: Path) -> list[tuple[int, str, float, float]]:
    """(page, text, x0, x1) of every line as drawn: each table cell's lines separately."""
    result = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: dict[float, list[dict]] = {}
            for char in page.chars:
                if char["text"].strip():
                    rows.setdefault(round(char["matrix"][5], 1), []).append(char)
            for _, chars in sorted(rows.items(), reverse=True):
                chars.sort(key=lambda c: c["x0"])
                for piece in _cut_at_gaps(chars):
                    text = "".join(c["text"] for c in piece)
                    result.append((number, text, piece[0]["x0"], piece[-1]["x1"]))
    return result


# ---- The file ------------------------------------------------------------------------------------


def test_every_font_is_embedded_and_none_is_stsong(sample) -> None:
    path, report = sample
    used = fonts(path)
    assert used and all(used.values()), used
    assert not any("STSong" in name or "Helvetica" in name for name in used), used
    # The faces of every role are there: 小标宋/仿宋 stand-ins, 黑体, 楷体 (by their own names).
    assert len(report.fonts) == 5


def test_pages_are_a4(sample, pages) -> None:
    sizes = page_sizes(sample[0])
    assert len(sizes) == len(pages) == 8
    assert all(abs(w - A4[0]) < 0.1 and abs(h - A4[1]) < 0.1 for w, h in sizes)


def test_the_same_document_gives_the_same_bytes() -> None:
    """An issued PDF's SHA-256 is stored: rendering again must reproduce it."""
    assert pdf_bytes(sample_bulletin()) == pdf_bytes(sample_bulletin())


# ---- The grid ------------------------------------------------------------------------------------


def test_a_full_body_page_has_22_lines_of_28_characters(pages) -> None:
    lines = _body_lines(pages[1])  # page 2: body text only
    assert len(lines) == 22, [line.text for line in lines]
    pitches = [b.baseline - a.baseline for a, b in itertools.pairwise(lines)]
    assert all(abs(pitch - P.line_pitch_pt) < 0.01 for pitch in pitches), pitches
    full = 0
    for line, following in itertools.pairwise(lines):
        continued = abs(following.x0 - LEFT) < 0.5  # the next line goes on with this paragraph
        if not (continued and all(map(_wide, line.text))):
            continue
        text = line.text
        if line.x1 > RIGHT + 1:
            assert text[-1] in HANGING  # a 点号 hanging past the margin
            text = text[:-1]
        start = round((line.x0 - LEFT) / CELL)
        if start + len(text) < P.chars_per_line:
            # Shorter only where a closing mark took a character down with it.
            assert following.text[1] in "）》」』】〕”’", (text, following.text)
        else:
            assert start + len(text) == P.chars_per_line, text
            full += 1
    assert full >= 5


def test_every_chinese_character_sits_on_its_cell(pages) -> None:
    """On body lines, character n of a line of Chinese text starts at cell n of the grid,
    exactly (the PDF places each character itself)."""
    checked = 0
    for page in pages[:3]:
        for line in _body_lines(page):
            if line.size != P.body_size_pt or not all(map(_wide, line.text)):
                continue
            if abs((line.x0 - LEFT) / CELL - round((line.x0 - LEFT) / CELL)) > 0.01:
                continue  # centred or right-aligned lines (the 发文字号, the signature)
            start = round((line.x0 - LEFT) / CELL)
            for n, x in enumerate(line.xs):
                assert abs(x - (LEFT + (start + n) * CELL)) < 0.05, (line.text, n, x)
            checked += 1
    assert checked > 25


def test_no_line_breaks_a_rule_anywhere(sample) -> None:
    lines = drawn_lines(sample[0])
    assert len(lines) > 300
    _assert_line_rules(lines)


def _assert_line_rules(lines) -> None:
    body = [line for line in lines if not line[1].startswith("—")]  # page numbers "— 3 —"
    for (_, text, _, _), (_, following, _, _) in itertools.pairwise(body):
        assert text[0] not in NEVER_START, text
        assert text[-1] not in CANNOT_END, text
        assert not (text.endswith("—") and following.startswith("—")), (text, following)
        if "〔" in text:
            assert "〕" in text[text.index("〔") :], text  # 〔2021〕 is never split


def test_line_rules_hold_where_marks_meet_the_margin(tmp_path: Path) -> None:
    """Every mark at every position of the line: the rules hold on the rendered PDF, 点号
    hang, brackets and quotes take a character down, 文号 stay whole."""
    text = (
        "督查，整改。落实、推进；通知：记录？部门！工作，“整改”（落实）《通报》〔2021〕——……"
        "滕政办发〔2021〕9号，"
    ) * 2
    body = [Paragraph("督" * shift + text) for shift in range(28)]
    path = tmp_path / "marks.pdf"
    render_pdf(replace(sample_bulletin(), body=body, attachments=[]), path)
    lines = drawn_lines(path)
    _assert_line_rules(lines)
    texts = [line[1] for line in lines]
    assert sum(line.count("滕政办发〔2021〕9号") for line in texts) == 56  # each on one line
    hanging = [line for line in lines if line[3] > RIGHT + 1]
    assert all(line[1][-1] in HANGING for line in hanging)
    assert {line[1][-1] for line in hanging} == set(HANGING)  # each 点号 hung somewhere
    # Where a closing bracket or quote met the margin, a character went down with it: lines
    # of the body that end a cell or more short of the margin, continued by "X”" or "X）".
    body_lines = [line for line in lines if line[1].startswith("督") or line[2] < LEFT + 1]
    pulled = [
        (line, following)
        for line, following in itertools.pairwise(body_lines)
        if abs(following[2] - LEFT) < 0.5
        and line[3] < RIGHT - CELL
        and following[1][1:2] in "”）》〕"
    ]
    assert pulled


# ---- 版头, 主体 ------------------------------------------------------------------------------


def test_head_geometry(sample, pages) -> None:
    first = pages[0]
    mark = next(line for line in first.lines if line.text == "滕州市人民政府办公室")
    number = next(line for line in first.lines if "〔2021〕" in line.text)
    title = [line for line in first.lines if abs(line.size - P.title_size_pt) < 0.1]
    # The mark: red, centred, its top edge 35 mm below the top of the type area.
    font = load_profile_fonts(P).roles["issuer"]
    _low, high = glyph_extent(font, mark.text)
    assert abs(mark.baseline - high * mark.size - (TOP + 35 * PT_PER_MM)) < 0.05
    assert abs((mark.x0 + mark.x1) / 2 - (LEFT + RIGHT) / 2) < 0.5
    with pdfplumber.open(sample[0]) as pdf:
        colours = {
            tuple(c["non_stroking_color"]) for c in pdf.pages[0].chars if c["size"] == mark.size
        }
        red = [
            edge
            for edge in pdf.pages[0].edges
            if tuple(edge["stroking_color"]) == (1, 0, 0) and edge["orientation"] == "h"
        ]
    assert colours == {(1, 0, 0)}
    # The 发文字号 centred two lines below; the red rule as wide as the type area, 4 mm below
    # the 发文字号's glyphs.
    assert abs((number.x0 + number.x1) / 2 - (LEFT + RIGHT) / 2) < 0.5
    assert number.top > mark.bottom + 2 * 28
    [rule] = red
    assert abs(rule["x0"] - LEFT) < 0.1 and abs(rule["x1"] - RIGHT) < 0.1
    low, _high = glyph_extent(load_profile_fonts(P).roles["body"], number.text)
    assert abs(rule["top"] - (number.baseline - low * P.body_size_pt) - 4 * PT_PER_MM) < 0.8
    # The title: 2号, centred, broken as titles.py breaks it, two lines below the rule.
    assert [line.text for line in title] == title_lines(sample_bulletin().title, 20)
    assert all(abs((line.x0 + line.x1) / 2 - (LEFT + RIGHT) / 2) < 0.5 for line in title)
    assert 2 * P.line_pitch_pt < title[0].top - rule["top"] < 3 * P.line_pitch_pt
    recipients = next(line for line in first.lines if line.text.endswith("："))
    assert abs(recipients.x0 - LEFT) < 0.01  # flush left


def test_headings_use_the_faces_of_their_level(pages) -> None:
    faces = load_profile_fonts(P).fontset
    hei = faces.named(P.fonts.heading1).family.replace(" ", "")
    kai = faces.named(P.fonts.heading2).family.replace(" ", "")
    lines = [line for page in pages[:3] for line in page.lines]
    level1 = next(line for line in lines if line.text.startswith("一、"))
    level2 = next(line for line in lines if line.text.startswith("（一）"))
    level3 = next(line for line in lines if line.text.startswith("1."))
    assert any(hei.lower() in f.lower() for f in level1.fonts), level1.fonts
    assert any("kai" in f.lower() for f in level2.fonts) or kai in str(level2.fonts)
    assert not any(hei.lower() in f.lower() for f in level3.fonts)
    for line in (level1, level2, level3):
        assert abs(line.x0 - (LEFT + 2 * CELL)) < 0.01  # indented 2 字


def test_attachment_note_signature_date_and_note(pages) -> None:
    page = pages[2]
    note1 = next(line for line in page.lines if line.text.startswith("附件："))
    note2 = next(line for line in page.lines if line.text.startswith("2."))
    assert abs(note1.x0 - (LEFT + 2 * CELL)) < 0.01
    # The later names aligned under the first: "明" after "1." and "优" after "2." (0.25 pt
    # apart: the "：" before "1." has no spacing, as where any script changes).
    assert abs(note1.xs[note1.text.index("明")] - note2.xs[note2.text.index("优")]) < 0.3
    signature = next(line for line in page.lines if line.text == "滕州市人民政府办公室")
    date = next(line for line in page.lines if line.text == "2021年6月18日")
    # With a seal: the date 4 字 from the right, the signature centred above it.
    assert abs(date.x1 - (RIGHT - 4 * CELL)) < 0.5
    assert abs((signature.x0 + signature.x1) / 2 - (date.x0 + date.x1) / 2) < 0.5
    assert date.baseline - signature.baseline == pytest.approx(P.line_pitch_pt, abs=0.01)
    note = next(line for line in page.lines if line.text == "（此件公开发布）")
    assert abs(note.x0 - (LEFT + 2 * CELL)) < 0.01
    assert note.baseline - date.baseline == pytest.approx(P.line_pitch_pt, abs=0.01)


def test_without_a_seal_the_signature_is_2_chars_in_and_the_date_2_chars_right(tmp_path) -> None:
    path = tmp_path / "no-seal.pdf"
    render_pdf(replace(sample_bulletin(), seal=False, attachments=[]), path)
    lines = [line for page in read_pages(path)[1:] for line in page.lines]
    signature = next(line for line in lines if line.text == "滕州市人民政府办公室")
    date = next(line for line in lines if line.text == "2021年6月18日")
    assert abs(signature.x1 - (RIGHT - 2 * CELL)) < 0.5
    assert abs(date.x0 - (signature.x0 + 2 * CELL)) < 0.5


def test_tables_repeat_their_header_rows_on_every_page(pages) -> None:
    table_pages = [p for p in pages if any("整改时限" in line.text for line in p.lines)]
    assert len(table_pages) == 4  # 40 rows of 4号 text
    for page in table_pages:
        header = next(line for line in page.lines if "整改时限" in line.text)
        assert header.text.replace(" ", "") == "序号责任单位问题描述整改时限"
        assert header.size == P.table_small_size_pt
        if page is not table_pages[0]:
            assert header is _body_lines(page)[0]
    assert _body_lines(table_pages[0])[0].text == "附件1"
    label = _body_lines(table_pages[0])[0]
    assert abs(label.x0 - LEFT) < 0.01 and label.baseline - TOP < P.line_pitch_pt


def test_page_numbers_odd_right_even_left_7mm_below_the_type_area(pages) -> None:
    font = load_profile_fonts(P).roles["page_number"]
    low, high = glyph_extent(font, "—")
    size = P.page_number_size_pt
    for page in pages:
        line = _page_number_line(page)
        assert line is not None, page.number
        assert line.text.replace(" ", "") == f"—{page.number}—"
        dash_middle = line.baseline - (low + high) / 2 * size
        assert abs(dash_middle - (BOTTOM + 7 * PT_PER_MM)) < 0.05
        if page.number % 2:
            assert abs(line.x1 - (RIGHT - size)) < 0.5, (page.number, line.x1)
        else:
            assert abs(line.x0 - (LEFT + size)) < 0.5, (page.number, line.x0)


# ---- 版记 and its page -------------------------------------------------------------------------


def _assert_end_block_at_foot(path: Path, page_index: int) -> None:
    page = read_pages(path)[page_index]
    body = _body_lines(page)
    printed = body[-1]
    assert printed.text == "滕州市人民政府办公室2021年6月18日印发"
    assert abs(printed.x0 - (LEFT + 14)) < 0.5 and abs(printed.x1 - (RIGHT - 14)) < 0.5
    copy_to = next(line for line in body if line.text.startswith("抄送："))
    assert abs(copy_to.x0 - (LEFT + 14)) < 0.5
    with pdfplumber.open(path) as pdf:
        edges = [
            e
            for e in pdf.pages[page_index].edges
            if e["orientation"] == "h" and e["top"] > copy_to.top - 30
        ]
    widths = [round(e["linewidth"], 2) for e in sorted(edges, key=lambda e: e["top"])]
    assert widths == [1.0, 0.75, 1.0]  # thick, thin, thick (0.35 mm and 0.25 mm)
    last = max(edges, key=lambda e: e["top"])
    assert abs(last["top"] - BOTTOM) < 0.6  # the 版记 ends at the foot of the type area
    assert all(abs(e["x0"] - LEFT) < 0.1 and abs(e["x1"] - RIGHT) < 0.1 for e in edges)


def test_the_end_block_shares_the_last_even_page(sample, pages) -> None:
    path, report = sample
    assert report.pages == 8 and report.end_block_page == 8 and not report.blank_page
    _assert_end_block_at_foot(path, 7)
    assert any(line.text == "附件2" for line in pages[-1].lines)
    assert "此页无正文" not in pages[-1].text()


def test_an_odd_last_page_puts_the_end_block_on_the_next_even_page(tmp_path) -> None:
    path = tmp_path / "odd.pdf"
    report = render_pdf(replace(sample_bulletin(), attachments=[]), path)
    pages = read_pages(path)
    assert report.pages == len(pages) == 4 and report.end_block_page == 4
    _assert_end_block_at_foot(path, 3)
    assert _body_lines(pages[3])[0].text == "（此页无正文）"
    assert "（此件公开发布）" in pages[2].text()
    assert _page_number_line(pages[3]).text.replace(" ", "") == "—4—"


FILLER = "督查组深入一线开展实地察看，逐项核对整改台账和佐证材料，现场听取基层意见建议。"


def _with_fillers(count: int):
    document = replace(sample_bulletin(), attachments=[])
    body = list(document.body)
    for _ in range(count):
        body.insert(len(body) - 1, Paragraph(FILLER))
    return replace(document, body=body)


def test_a_full_even_last_page_is_followed_by_a_blank_page_without_numbers(tmp_path) -> None:
    count = next(n for n in range(20) if render_pdf(_with_fillers(n), io.BytesIO()).blank_page)
    path = tmp_path / "even.pdf"
    report = render_pdf(_with_fillers(count), path)
    pages = read_pages(path)
    assert report.pages == len(pages) == 6 and report.blank_page
    assert pages[4].lines == []  # the blank page: no text, no number
    _assert_end_block_at_foot(path, 5)
    assert _page_number_line(pages[5]) is None
    assert _body_lines(pages[5])[0].text == "（此页无正文）"
    assert _page_number_line(pages[3]).text.replace(" ", "") == "—4—"


def test_single_sided_the_end_block_is_on_the_last_page_whatever_its_parity(tmp_path) -> None:
    path = tmp_path / "single.pdf"
    document = replace(sample_bulletin(), attachments=[sample_bulletin().attachments[0]])
    report = render_pdf(document, path, P.with_changes(double_sided=False))
    assert report.pages % 2 == 1 and report.end_block_page == report.pages
    _assert_end_block_at_foot(path, report.pages - 1)


def test_the_pdf_and_the_docx_decide_the_end_block_page_alike() -> None:
    """One decision (gongwen_end_block.place_end_block) on the same flow: for documents whose
    content ends anywhere on pages 3 to 6, both renderers put the 版记 on the same kind of page."""
    seen = set()
    for count in range(0, 40, 2):
        document = _with_fillers(count)
        builder = _Builder(document, P)
        builder.build()
        docx = (builder.end_block.same_page, builder.end_block.blank_page_expected)
        report = render_pdf(document, io.BytesIO())
        pdf_same = report.end_block_page == builder.flow.page and not report.blank_page
        assert docx == (pdf_same, report.blank_page), count
        content_page = report.end_block_page - (0 if pdf_same else 1 + report.blank_page)
        assert builder.flow.page == content_page, count
        seen.add(docx)
    assert len(seen) == 3  # same page, next page, after a blank page


# ---- Other documents and profiles --------------------------------------------------------------


def test_figures_body_tables_headings_and_a_three_line_title(tmp_path) -> None:
    from PIL import Image

    image = tmp_path / "现场.png"
    Image.new("RGB", (300, 200), "skyblue").save(image)
    sample = sample_bulletin()
    body = [
        *sample.body[:3],
        Figure(str(image), caption="图1 督查现场", width=0.5),
        Table(header=[["序号", "事项"]], rows=[[str(i), "按期完成整改"] for i in range(30)]),
        Heading(1, "其他事项"),
        *sample.body[3:],
    ]
    document = replace(
        sample,
        title="关于进一步加强全市政务服务窗口作风建设和优化营商环境专项督查暨明察暗访发现问题整改落实情况的通报",
        body=body,
        signers=["张三", "李四"],
        copy_number="000001",
        urgency="特急",
    )
    path = tmp_path / "more.pdf"
    report = render_pdf(document, path)
    pages = read_pages(path)
    assert report.pages == len(pages)
    with pdfplumber.open(path) as pdf:
        assert sum(len(page.images) for page in pdf.pages) == 1
    first = [line.text for line in pages[0].lines]
    assert first[:2] == ["000001", "特急"]
    title = [line.text for line in pages[0].lines if abs(line.size - P.title_size_pt) < 0.1]
    assert len(title) == 3 and title == title_lines(document.title, 20)
    number = next(line for line in pages[0].lines if "〔2021〕" in line.text)
    assert number.text.startswith("滕政办督〔2021〕9号") and "签发人：张三" in number.text
    assert abs(number.x0 - (LEFT + CELL)) < 0.01 and abs(number.x1 - (RIGHT - CELL)) < 0.5
    texts = "\n".join(page.text() for page in pages)
    assert "图1督查现场" in texts.replace(" ", "") and "二、其他事项" in texts


def test_an_office_profile_changes_the_layout(tmp_path) -> None:
    profile = P.with_changes(
        line_pitch_override_pt=29.2, page_number_placement="center", margin_left_mm=30
    )
    path = tmp_path / "office.pdf"
    render_pdf(sample_bulletin(), path, profile)
    pages = read_pages(path)
    lines = _body_lines(pages[1])
    assert lines[1].baseline - lines[0].baseline == pytest.approx(29.2, abs=0.01)
    assert abs(lines[0].x0 - 30 * PT_PER_MM) < 0.01
    number = _page_number_line(pages[1])
    middle = (30 * PT_PER_MM + (P.page_width_mm - P.margin_right_mm) * PT_PER_MM) / 2
    assert abs((number.x0 + number.x1) / 2 - middle) < 0.5


def test_never_writes_over_an_existing_file(tmp_path) -> None:
    path = tmp_path / "通报.pdf"
    path.write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        render_pdf(sample_bulletin(), path)
    assert path.read_bytes() == b"mine"


def test_writes_into_a_stream() -> None:
    buffer = io.BytesIO()
    report = render_pdf(sample_bulletin(), buffer)
    assert report.path is None and buffer.getvalue().startswith(b"%PDF")


def test_an_invalid_document_is_refused_before_anything_is_written(tmp_path) -> None:
    path = tmp_path / "bad.pdf"
    with pytest.raises(DocumentInvalid):
        render_pdf(replace(sample_bulletin(), recipients="各部门"), path)
    assert not path.exists()


def test_a_draft_without_number_renders(tmp_path) -> None:
    path = tmp_path / "draft.pdf"
    report = render_pdf(replace(sample_bulletin(), number=""), path)
    assert report.pages == 8
    assert not any("〔" in line.text for line in read_pages(path)[0].lines)


def test_a_newline_in_a_paragraph_is_a_forced_line_break(tmp_path) -> None:
    path = tmp_path / "newline.pdf"
    body = [Paragraph("第一行\n第二行从左边开始"), *sample_bulletin().body]
    render_pdf(replace(sample_bulletin(), body=body, attachments=[]), path)
    lines = read_pages(path)[0].lines
    first = next(i for i, line in enumerate(lines) if line.text == "第一行")
    assert abs(lines[first].x0 - (LEFT + 2 * CELL)) < 0.01
    assert lines[first + 1].text == "第二行从左边开始" and abs(lines[first + 1].x0 - LEFT) < 0.01


def test_the_shared_gbt9704_checker_passes_the_sample(sample) -> None:
    """../shared/tools/check_gongwen.py on the sample: every checkpoint (its one false positive,
    the page number's leading 一字线 read as a line-start fault, is allowed only for lines that
    are exactly page numbers: tests/services/bulletins/checker.py)."""
    from tests.services.bulletins.checker import failed_pdf_checkpoints

    path, _ = sample
    failed, summary = failed_pdf_checkpoints(path)
    assert failed == [], summary
