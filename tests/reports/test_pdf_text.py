"""Chinese line breaking: no line starts with a closing mark or ends with an opening one."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from reports.fonts import Face, load_fonts
from reports.pdf_text import CANNOT_END, CANNOT_START, CJKParagraph, break_lines
from tests.reports.pdfcheck import bad_line_starts, lines


def _width(text: str) -> float:
    """Full-width characters 10 wide, narrow ones 5."""
    return sum(5.0 if ord(char) < 0x2000 else 10.0 for char in text)


def test_a_comma_that_does_not_fit_takes_the_character_before_it_along() -> None:
    # 6 characters fit; the 7th is "，": it may not start line 2, so "查，" moves down together.
    assert break_lines("督查督查督查，整改", 60, _width) == ["督查督查督", "查，整改"]


def test_an_opening_mark_never_ends_a_line() -> None:
    assert break_lines("督查督查督“整改”", 60, _width) == ["督查督查督", "“整改”"]


def test_numbers_and_latin_words_stay_whole_and_spaces_break() -> None:
    assert break_lines("完成率2021-07-01 SHA-256", 60, _width) == [
        "完成率",
        "2021-07-01",
        "SHA-256",
    ]


def test_ellipsis_and_dash_pairs_are_not_split() -> None:
    # "督……" and "改——" are units of three: neither pair is split nor starts a line.
    assert break_lines("督查督查督……整改——落实", 60, _width) == ["督查督查", "督……整", "改——落实"]


def test_newlines_and_ideographic_spaces_are_kept() -> None:
    assert break_lines("　　第一段\n第二段", 100, _width) == ["　　第一段", "第二段"]


def test_a_word_wider_than_the_line_is_cut() -> None:
    assert break_lines("x" * 30, 60, _width) == ["x" * 12, "x" * 12, "x" * 6]


_PIECES = st.sampled_from(
    list("督查整改落实推进通知记录部门工作")
    + list("，。、；：？！）》”（《“")
    + ["2021", "0.5", " "]
)


def _realistic(text: str) -> bool:
    """Text as written: it starts with a character, and marks come at most two in a row
    (。” or ）。), so every unglued unit fits a line of six characters."""
    marks = CANNOT_START | CANNOT_END
    stripped = text.strip()
    return (
        stripped[:1] not in CANNOT_START
        and "   " not in text
        and not any(all(c in marks for c in text[i : i + 3]) for i in range(len(text) - 2))
    )


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PIECES, max_size=80).map("".join).filter(_realistic),
    st.integers(min_value=6, max_value=30),
)
def test_no_line_starts_with_a_closing_mark_and_nothing_is_lost(text, chars) -> None:
    width = chars * 10.0
    result = break_lines(text, width, _width)
    assert "".join(result).replace(" ", "") == text.replace(" ", "")
    for number, line in enumerate(result):
        assert _width(line) <= width
        if number > 0:
            assert line[:1] not in CANNOT_START
        if number < len(result) - 1:
            assert line[-1:] not in CANNOT_END


# ---- In a real PDF ------------------------------------------------------------------------------

TEXT = "督查组在暗访中发现，窗口工作人员要求提供已经取消的材料；群众往返两次才办成。" * 6


def _pdf(path: Path, flowable_of) -> Path:
    fonts = load_fonts([Face.SONG])
    style = ParagraphStyle("t", fontName=fonts.name(Face.SONG), fontSize=10.5, leading=16)
    document = SimpleDocTemplate(str(path), initialFontName=fonts.name(Face.SONG))
    # Many widths, so that punctuation meets the right margin somewhere.
    story = []
    for shift in range(30):
        story.append(flowable_of("督" * shift + TEXT, style))
    document.build(story)
    return path


def test_the_line_check_catches_reportlabs_own_cjk_wrapping(tmp_path: Path) -> None:
    """The check is not vacuous: reportlab's wordWrap='CJK' does start lines with ，and ；."""
    plain = _pdf(
        tmp_path / "reportlab.pdf",
        lambda text, style: Paragraph(text, ParagraphStyle("c", parent=style, wordWrap="CJK")),
    )
    assert bad_line_starts(plain)


def test_cjk_paragraphs_start_no_line_with_a_closing_mark(tmp_path: Path) -> None:
    ours = _pdf(tmp_path / "ours.pdf", CJKParagraph)
    assert len(lines(ours)) > 100
    assert bad_line_starts(ours) == []
