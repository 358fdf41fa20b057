"""The editor's text of a 公文 (app/documents/markup_text.py): every document the markup can
hold reads back unchanged, markup-like paragraphs are escaped, what it cannot hold is kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.documents.markup import build_document
from app.documents.markup_text import from_markup, hidden_parts, to_markup
from app.documents.model import Attachment, Figure, GongwenDocument, Heading, Paragraph, Table
from app.documents.sample import sample_bulletin
from app.documents.templates import Piece, TemplateError

DAY = date(2021, 9, 3)
CJK = "督查情况通报各单位要按期完成整改任务市政府办公室年月日一二三四五六七八九十"
# Text as the markup keeps it: no line breaks, no surrounding space; anything else may appear
# inside (including the markup's own signs, which the writer must escape).
INNER = st.text(alphabet=CJK + "，。、；：“”（）#|【】\\ 0123456789abc", min_size=1, max_size=30)
PLAIN = INNER.map(lambda t: t.strip(" ")).filter(bool)
NAME = st.text(alphabet=CJK, min_size=1, max_size=8)


def _base() -> GongwenDocument:
    return GongwenDocument(
        issuer_mark="", number="", title="t", recipients="", body=[], signature="", date=DAY
    )


@st.composite
def headings(draw) -> Heading:
    level = draw(st.integers(1, 4))
    text = draw(st.text(alphabet=CJK, min_size=1, max_size=20))
    if level == 1 or not draw(st.booleans()):
        return Heading(level, text)
    body = draw(PLAIN.filter(lambda t: t.strip(" \u3000")))
    return Heading(level, text + "。", body=body.strip(" \u3000"))


@st.composite
def tables(draw) -> Table:
    columns = draw(st.integers(1, 4))
    cell = st.text(alphabet=CJK + "0123456789（）、", min_size=0, max_size=8)
    header = [draw(NAME) for _ in range(columns)]
    rows = draw(st.lists(st.lists(cell, min_size=columns, max_size=columns), max_size=4))
    widths = draw(
        st.one_of(st.none(), st.lists(st.integers(1, 20), min_size=columns, max_size=columns))
    )
    align = None
    if widths is not None or draw(st.booleans()):
        align = draw(
            st.lists(
                st.sampled_from(["left", "center", "right"]), min_size=columns, max_size=columns
            )
        )
    return Table(
        header=[header],
        rows=rows,
        widths=[float(w) for w in widths] if widths else None,
        width_unit="chars" if widths and max(widths) > 1 else "fraction",
        align=align,
        text_size="4号",
    )


BLOCKS = st.lists(
    st.one_of(
        headings(),
        tables(),
        PLAIN.map(lambda t: Paragraph(t.strip(" \u3000"))).filter(lambda p: p.text),
    ),
    max_size=8,
)


@st.composite
def documents(draw) -> tuple[GongwenDocument, str]:
    optional = st.one_of(st.just(""), st.text(alphabet=CJK + "：（）", min_size=1, max_size=15))
    document = GongwenDocument(
        issuer_mark=draw(optional),
        number="",
        title=draw(st.text(alphabet=CJK, min_size=1, max_size=30)),
        recipients=draw(optional),
        body=draw(BLOCKS),
        signature=draw(optional),
        date=DAY,
        seal=draw(st.booleans()),
        signers=draw(st.lists(NAME, max_size=2)),
        classification=draw(optional),
        urgency=draw(optional),
        attachments=[
            Attachment(title, blocks)
            for title, blocks in draw(st.lists(st.tuples(NAME, BLOCKS), max_size=2))
        ],
        note=draw(optional),
        copy_to=draw(st.lists(NAME, max_size=3)),
        printer=draw(optional),
    )
    code = draw(st.one_of(st.just(""), NAME))
    return document, code


@settings(max_examples=150, deadline=None)
@given(documents())
def test_every_document_the_markup_can_hold_reads_back_unchanged(case) -> None:
    document, code = case
    text = to_markup(document, code)
    marked = from_markup(text, document)
    assert marked.code == code
    assert marked.document == document


def test_the_sample_bulletin_reads_back_unchanged_and_is_plain_to_read() -> None:
    document = sample_bulletin()
    text = to_markup(document, "滕政办督")
    assert text.startswith("【发文机关标志】")
    assert "\n# " in text and "【抄送】" in text
    back = from_markup(text, document).document
    assert back == document


def test_a_paragraph_that_looks_like_markup_stays_a_paragraph() -> None:
    body = [Paragraph("#1 号窗口"), Paragraph("【标题】不是标题"), Paragraph("| 不是表格 |")]
    document = replace(_base(), body=body)
    text = to_markup(document)
    assert "\\#1 号窗口" in text and "\\【标题】不是标题" in text
    assert from_markup(text, document).document.body == body


def test_an_edit_is_read_and_the_number_and_date_are_kept() -> None:
    document = replace(sample_bulletin(), number="滕政办督〔2021〕3号", print_date=date(2021, 9, 5))
    text = to_markup(document).replace("【标题】", "【标题】（更正）", 1)
    back = from_markup(text, document).document
    assert back.title.startswith("（更正）")
    assert (back.number, back.date, back.print_date) == (
        document.number,
        document.date,
        document.print_date,
    )


def test_figures_and_fixed_numbers_the_text_does_not_show_are_kept() -> None:
    figure = Figure("/tmp/photo.jpg", caption="现场照片")
    body = [Heading(1, "总体情况", number="二、"), Paragraph("甲"), figure, Paragraph("乙")]
    document = replace(_base(), body=body)
    assert hidden_parts(document) == ["1 幅插图", "指定的小标题序号"]
    text = to_markup(document).replace("乙", "丙")
    back = from_markup(text, document).document
    assert back.body == [
        Heading(1, "总体情况", number="二、"),
        Paragraph("甲"),
        figure,
        Paragraph("丙"),
    ]


def test_text_the_parser_cannot_read_names_its_line() -> None:
    with pytest.raises(TemplateError, match="第 3 行") as raised:
        from_markup("【标题】关于的通报\n\n##### 太深\n", _base())
    assert "四级" in str(raised.value)


def test_without_a_title_the_text_is_refused() -> None:
    with pytest.raises(TemplateError, match="标题"):
        from_markup("只有正文\n", _base())


def test_the_escape_is_only_read_in_the_template_not_in_values() -> None:
    pieces = [
        Piece("", True, 1),
        Piece("\\# 数据里的文字", False, 1),
        Piece("\n【标题】t\n", True, 1),
    ]
    marked = build_document(pieces, day=DAY)
    assert marked.document.body == [Paragraph("\\# 数据里的文字")]
