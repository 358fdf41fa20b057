"""Paragraphs rebuilt from a PDF's layout (app/plan_import/pdf_layout.py), on typeset pages.

``typeset`` lays paragraphs out the way a 公文 producer does: 28 characters of 16 pt a line,
22 lines a page, the first line of each paragraph indented 2 字 (or not, ``indent=False``),
"— N —" under every page. ``rebuild`` must give the paragraphs back, whatever they say.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.plan_import.pdf_layout import PdfPage, rebuild

SIZE = 16.0
LEFT = 79.4
PER_LINE = 28
LINES = 22
PITCH = 28.95
TOP = 104.9


def typeset(
    paragraphs: list[str],
    *,
    indent: bool = True,
    header: str = "",
    end_block: list[str] | None = None,
    fonts: dict[int, str] | None = None,
) -> list[PdfPage]:
    """The paragraphs on A4 pages (see the module doc); ``fonts`` gives a paragraph's face."""
    rows: list[tuple[str, int, str]] = []  # (text, indent in characters, font)
    for number, text in enumerate(paragraphs):
        first = 2 if indent else 0
        font = (fonts or {}).get(number, "ABCDEF+FangSong")
        position = 0
        width = PER_LINE - first
        while True:
            rows.append((text[position : position + width], first, font))
            position += width
            first, width = 0, PER_LINE
            if position >= len(text):
                break
    pages: list[PdfPage] = []
    for start in range(0, len(rows), LINES):
        number = len(pages) + 1
        page = PdfPage(number, 595.3, 841.9)
        for row, (text, shift, font) in enumerate(rows[start : start + LINES]):
            top = TOP + row * PITCH
            for index, ch in enumerate(text):
                x0 = LEFT + (shift + index) * SIZE
                page.chars.append((ch, x0, x0 + SIZE, top, top + SIZE, SIZE, font))
        _text_at(page, f"— {number} —", 460.0, 770.0, 14.0)
        if header:
            _text_at(page, header, 250.0, 60.0, 10.5)
        pages.append(page)
    if end_block:
        page = pages[-1]
        for row, text in enumerate(end_block):
            _text_at(page, text, LEFT + 14, 680.0 + row * 29, 14.0)
        page.rules = [670.0, 705.0, 735.0]
    return pages


def _text_at(page: PdfPage, text: str, x: float, top: float, size: float) -> None:
    for index, ch in enumerate(text):
        x0 = x + index * size
        page.chars.append((ch, x0, x0 + size, top, top + size, size, "ABCDEF+SimSun"))


def _line_texts(page: PdfPage) -> list[str]:
    rows: dict[int, list[tuple[float, str]]] = {}
    for ch, x0, _x1, top, *_ in page.chars:
        rows.setdefault(round(top), []).append((x0, ch))
    return ["".join(ch for _, ch in sorted(row)) for _, row in sorted(rows.items())]


def test_a_running_line_that_starts_like_a_heading_stays_in_its_paragraph() -> None:
    """The bug seen: a line of a measure's text that happened to start with "二、" was read as
    the next heading. In an indented layout it is joined to its paragraph (and, as "二、" would
    be the next heading after "一、", noted for the user to check)."""
    measure = (
        "1.推进改革。在全市推行改革，做到统"
        + "筹" * 8
        + "二、三类项目分类管理。（牵头部门：市财政局）"
    )
    paragraphs = ["一、开办企业", measure, "2.优化服务。（牵头部门：市税务局）"]
    pages = typeset(paragraphs)
    assert any(line.startswith("二、三类") for line in _line_texts(pages[0]))
    built = rebuild(pages)
    assert built.text.split("\n") == paragraphs
    (note,) = built.notes
    assert note.code == "pdf_line_joined" and "第 1 页" in note.message
    assert built.text[note.span[0] : note.span[1]] == "二、"


def test_a_line_that_does_not_continue_the_numbering_is_joined_quietly() -> None:
    measure = "1.推进改革。" + "改" * (PER_LINE - 2 - 7) + "5.优化服务，年底前完成。"
    pages = typeset(["一、开办企业", measure])
    assert any(line.startswith("5.优化") for line in _line_texts(pages[0]))
    built = rebuild(pages)
    assert built.text.split("\n") == ["一、开办企业", measure]
    assert built.notes == []


def test_heading_only_as_its_own_paragraph() -> None:
    paragraphs = [
        "三、获得电力",
        "（一）提升供电可靠性。全市配网不停电作业化率达到92%以上。",
        "四、纳税",
    ]
    built = rebuild(typeset(paragraphs))
    assert built.text.split("\n") == paragraphs
    assert [p.indented for p in built.paragraphs] == [True, True, True]


def test_unindented_paragraphs_end_at_a_short_line_a_sentence_end_or_the_next_number() -> None:
    paragraphs = [
        "1.推进改革。" + "改" * 40 + "。",  # its last line ends short
        "其后一段文字，" + "文" * (PER_LINE - 8) + "。",  # a full last line ending a sentence
        "2.优化服务" + "服" * 30,
        "8" * PER_LINE,  # a full last line without a full stop …
        "3.加强监管。",  # … before the next number after 2.
    ]
    built = rebuild(typeset(paragraphs, indent=False))
    assert built.text.split("\n") == paragraphs


def test_page_numbers_running_headers_and_the_end_block_are_dropped() -> None:
    paragraphs = [f"{n}.第{n}项措施。" + "措" * 60 for n in range(1, 20)]
    end_block = [
        "抄送：市委办公室，市人大常委会办公室。",
        "某市人民政府办公室    2021年6月18日印发",
    ]
    pages = typeset(paragraphs, header="某市人民政府文件", end_block=end_block)
    assert len(pages) >= 3
    built = rebuild(pages)
    assert built.text.split("\n") == paragraphs
    assert "— 1 —" in built.dropped and "某市人民政府文件" in built.dropped
    assert end_block[0] in built.dropped


def test_pages_without_text_are_reported() -> None:
    pages = typeset(["1.推进改革。（牵头部门：市财政局）"])
    pages.append(PdfPage(2, 595.3, 841.9))
    built = rebuild(pages)
    assert built.pages_without_text == [2]


_TEXT = (
    st.text(
        alphabet=st.sampled_from("改革服务推进（）一二三、，。；：1234567890.市局牵头部门"),
        min_size=1,
        max_size=120,
    )
    .map(str.strip)
    .filter(bool)
)


INTRO = "为深入贯彻落实优化营商环境的决策部署，结合我市实际，制定本方案。" * 3


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=30))
def test_rebuild_gives_back_any_indented_paragraphs(paragraphs: list[str]) -> None:
    """Whatever the paragraphs say ("3." or "二、" at the start of any line), an indented layout
    is read back paragraph by paragraph, and nothing is lost or added. (An introduction of a
    few lines, as every plan has, shows where the margins are.)"""
    paragraphs = [INTRO, *paragraphs]
    built = rebuild(typeset(paragraphs))
    assert built.text.split("\n") == paragraphs
    assert [built.text[p.start : p.end] for p in built.paragraphs] == paragraphs


@settings(max_examples=100, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=20))
def test_rebuild_keeps_every_character_of_unindented_paragraphs(paragraphs: list[str]) -> None:
    """Without indents a paragraph boundary can be missed, never a character."""
    built = rebuild(typeset(paragraphs, indent=False))
    assert built.text.replace("\n", "") == "".join(paragraphs)
