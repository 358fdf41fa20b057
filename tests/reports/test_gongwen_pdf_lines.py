"""The 公文 grid's line breaking (reports/pdf_text.py: GRID_RULES; reports/gongwen_pdf_lines.py):
点号 hang past the margin, closing brackets and quotes take a character down, —— and …… and a 文号
stay whole, and characters advance on the grid as Word and LibreOffice advance them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.fonts import Face, load_fonts
from reports.gongwen_pdf_lines import AUTOSPACE_EM, Styled, advances, set_lines
from reports.pdf_text import (
    CANNOT_END,
    CANNOT_START,
    CELL_RULES,
    GRID_RULES,
    PLAIN_RULES,
    break_lines,
    break_spans,
)


def _width(text: str) -> float:
    """Full-width characters 10 wide, narrow ones 5."""
    return sum(5.0 if ord(char) < 0x2000 else 10.0 for char in text)


def _grid(text: str, chars: int) -> list[str]:
    return break_lines(text, chars * 10.0, _width, rules=GRID_RULES)


def test_a_comma_at_the_margin_hangs_on_the_grid() -> None:
    # Six cells; "，" would be the 7th: it hangs instead of taking "督" down (PLAIN_RULES do).
    assert _grid("督查督查督查，整改", 6) == ["督查督查督查，", "整改"]
    assert break_lines("督查督查督查，整改", 60, _width) == ["督查督查督", "查，整改"]
    spans = break_spans("督查督查督查，整改", [10.0] * 9, 60, rules=GRID_RULES)
    assert [span.hanging for span in spans] == [True, False]


@pytest.mark.parametrize("mark", list("，。、；：？！"))
def test_every_point_mark_hangs(mark: str) -> None:
    assert _grid("督" * 6 + mark + "查", 6) == ["督" * 6 + mark, "查"]


@pytest.mark.parametrize("mark", list("）》」』】〕”’"))
def test_a_closing_bracket_or_quote_takes_a_character_down(mark: str) -> None:
    assert _grid("督" * 6 + mark + "查", 6) == ["督" * 5, "督" + mark + "查"]


def test_two_marks_do_not_hang_together() -> None:
    # "。”" would need two cells past the margin: the character before them goes down.
    assert _grid("督" * 6 + "。”查", 6) == ["督" * 5, "督。”查"]
    # "”，": the quote fits, the comma hangs.
    assert _grid("督" * 5 + "”，查", 6) == ["督" * 5 + "”，", "查"]


def test_an_opening_mark_never_ends_a_line() -> None:
    for mark in "（《「『【〔“‘":
        assert _grid("督" * 5 + mark + "查查", 6) == ["督" * 5, mark + "查查"]


def test_dash_and_ellipsis_pairs_stay_whole() -> None:
    # On the grid —— may start a line (only its second half may not); …… may not.
    assert _grid("督" * 5 + "——查", 6) == ["督" * 5, "——查"]
    assert _grid("督" * 5 + "……查", 6) == ["督" * 4, "督……查"]
    # The plain rules take the character before —— down too.
    assert break_lines("督" * 5 + "——查", 60, _width) == ["督" * 4, "督——查"]


def test_a_document_number_is_never_split() -> None:
    text = "督" * 3 + "按照滕政办发〔2021〕9号文件执行"
    for rules in (GRID_RULES, PLAIN_RULES, CELL_RULES):
        for chars in range(14, 30):
            lines = break_lines(text, chars * 10.0, _width, rules=rules)
            assert any("滕政办发〔2021〕9号" in line for line in lines), (chars, lines)
    # 〔2021〕 alone is kept whole too (the bracket pairs with the year).
    assert _grid("督" * 4 + "〔2021〕", 6) == ["督" * 4, "〔2021〕"]


def test_cells_do_not_hang() -> None:
    assert break_lines("督" * 6 + "，查", 60, _width, rules=CELL_RULES) == ["督" * 5, "督，查"]


def test_the_first_line_has_its_own_width() -> None:
    assert _grid_first("督" * 10, first=4, rest=6) == ["督" * 4, "督" * 6]


def _grid_first(text: str, *, first: int, rest: int) -> list[str]:
    return break_lines(text, rest * 10.0, _width, first_width=first * 10.0, rules=GRID_RULES)


def test_what_a_character_takes_at_the_end_of_a_line() -> None:
    # "件" is followed by "1": its advance holds the space between them (12 here), but at the
    # end of a line it takes only its own 10 — so it still fits, as in LibreOffice.
    text = "督督件1"
    steps = [10.0, 10.0, 12.0, 5.0]
    ends = [10.0, 10.0, 10.0, 5.0]
    assert [text[s.start : s.end] for s in break_spans(text, steps, 30, rules=GRID_RULES)] == [
        "督督",
        "件1",
    ]
    spans = break_spans(text, steps, 30, rules=GRID_RULES, line_end=ends)
    assert [text[s.start : s.end] for s in spans] == ["督督件", "1"]


_PIECES = st.sampled_from(
    list("督查整改落实推进通知记录部门工作")
    + list("，。、；：？！）》”（《“")
    + ["2021", "——", "……", "滕政办发〔2021〕9号"]
)


def _realistic(text: str) -> bool:
    """Text as written: it starts with a character and marks come at most two in a row."""
    marks = CANNOT_START | CANNOT_END
    return text[:1] not in CANNOT_START and not any(
        all(c in marks for c in text[i : i + 3]) for i in range(len(text) - 2)
    )


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PIECES, max_size=60).map("".join).filter(_realistic),
    st.integers(min_value=14, max_value=30),
)
def test_grid_lines_keep_every_rule_and_lose_nothing(text: str, chars: int) -> None:
    width = chars * 10.0
    lines = _grid(text, chars)
    assert "".join(lines) == text
    for number, line in enumerate(lines):
        hanging = line[-1:] in GRID_RULES.hang and _width(line) > width
        assert _width(line[:-1] if hanging else line) <= width, line
        if number > 0:
            assert line[:1] not in CANNOT_START - {"—"}, lines
            assert not (line.startswith("—") and lines[number - 1].endswith("—")), lines
        if number < len(lines) - 1:
            assert line[-1:] not in CANNOT_END, lines
    if "滕政办发〔2021〕9号" in text:
        assert sum(line.count("滕政办发〔2021〕9号") for line in lines) == text.count(
            "滕政办发〔2021〕9号"
        )


# ---- Advances on the grid (real fonts) -----------------------------------------------------------


@pytest.fixture(scope="module")
def song() -> str:
    return load_fonts([Face.SONG]).name(Face.SONG)


def test_chinese_characters_advance_one_cell(song: str) -> None:
    steps = advances("督查整改，。“”", [song] * 8, 16.0, -0.25)
    assert steps == [15.75] * 8


def test_latin_next_to_chinese_gets_a_fifth_of_an_em_and_loses_the_spacing(song: str) -> None:
    text = "于2021年7"
    steps = advances(text, [song] * len(text), 16.0, -0.25)
    digit = steps[2] + 0.25  # a digit's own width
    assert steps[0] == pytest.approx(16.0 + AUTOSPACE_EM * 16)  # 于 → 2
    assert steps[1:4] == pytest.approx([digit - 0.25] * 3)  # 2 0 2: the spacing only
    assert steps[4] == pytest.approx(digit + AUTOSPACE_EM * 16)  # 1 → 年
    assert steps[5] == pytest.approx(16.0 + AUTOSPACE_EM * 16)  # 年 → 7
    # Next to full-width punctuation: no space added, the spacing dropped.
    steps = advances("，2，", [song] * 3, 16.0, -0.25)
    assert steps[:2] == pytest.approx([16.0, digit])


def test_a_face_change_keeps_the_characters_on_their_cells(song: str) -> None:
    hei = load_fonts([Face.HEI]).name(Face.HEI)
    steps = advances("一、总体", [hei, hei, song, song], 16.0, -0.25)
    assert steps == pytest.approx([15.75] * 4)


def test_lines_hold_28_cells_and_a_hanging_mark(song: str) -> None:
    text = "督" * 28 + "，" + "查" * 5
    lines = set_lines(Styled(text, (song,) * len(text), 16.0, -0.25), 442.2)
    assert [len(line.text) for line in lines] == [29, 5]
    assert lines[0].hanging and not lines[1].hanging
    assert lines[0].xs[28] == pytest.approx(28 * 15.75)  # the comma in the 29th cell
    assert all(x == pytest.approx(n * 15.75) for n, x in enumerate(lines[0].xs))
