"""Typed dates: every accepted spelling reads as the date it spells, anything else is refused."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.dates import (
    MAX_YEAR,
    MIN_YEAR,
    DateTextError,
    date_text_problem,
    parse_date_text,
    read_date,
)

JULY_1 = date(2021, 7, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2021-07-01",
        "2021-7-1",
        "2021.7.1",
        "2021.07.01",
        "2021/7/1",
        "2021/07/01",
        "20210701",
        "2021年7月1日",
        "2021年07月01日",
        "2021年7月1号",
        "2021年7月1",
        " 2021 - 7 - 1 ",
        "2021 年 7 月 1 日",
        "２０２１－０７－０１",  # full-width, as a Chinese input method types it
        "２０２１年７月１日",
        "2021。7。1",  # the input method's full stop for "."
        "2021、7、1",
        "2021-07-01 00:00:00",  # a spreadsheet cell's text
        "2021/7/1 9:30",
        "\u30002021-07-01\u3000",  # ideographic spaces around it
    ],
)
def test_every_accepted_spelling_reads_as_the_date(text: str) -> None:
    assert read_date(text) == JULY_1
    assert parse_date_text(text) == JULY_1
    assert date_text_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "请填写日期"),
        ("   ", "请填写日期"),
        ("2021-07", "不是日期"),
        ("2021-07-0", "不是有效的日期"),
        ("7-1", "不是日期"),
        ("21-7-1", "不是日期"),
        ("2021-7/1", "不是日期"),  # two different separators: a typo, not a date
        ("2021--07-01", "不是日期"),
        ("2021-07-01x", "不是日期"),
        ("202107011", "不是日期"),
        ("2021071", "不是日期"),
        ("7月底", "不是日期"),
        ("下周一", "不是日期"),
        ("2021年7月", "不是日期"),
        ("2021-13-01", "月份应在 1 到 12 之间"),
        ("2021-00-10", "月份应在 1 到 12 之间"),
        ("2021-02-29", "2021年2月只有 28 天"),
        ("2021-06-31", "2021年6月只有 30 天"),
        ("20210230", "2021年2月只有 28 天"),
        ("0221-07-01", "年份不对"),
        ("1021-07-01", "年份不对"),
        ("٢٠٢١-٠٧-٠١", "不是日期"),  # Arabic-Indic digits are not what anyone here types
    ],
)
def test_anything_else_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(DateTextError, match=reason):
        read_date(text)
    assert parse_date_text(text) is None
    assert reason in (date_text_problem(text) or "")


def test_a_leap_day_is_a_date() -> None:
    assert read_date("2024-02-29") == date(2024, 2, 29)
    assert read_date("2000.2.29") == date(2000, 2, 29)
    assert parse_date_text("1900-02-29") is None  # 1900 was not a leap year


def test_the_reason_quotes_what_was_typed() -> None:
    assert date_text_problem(" 2021-7-32 ") == "“2021-7-32”不是有效的日期：2021年7月只有 31 天。"


# ---- Properties ----------------------------------------------------------------------------

DATES = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31))


def _spellings(day: date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    return [
        day.isoformat(),
        f"{y}-{m}-{d}",
        f"{y}.{m}.{d}",
        f"{y}/{m}/{d}",
        f"{y}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        unicodedata.normalize("NFKC", day.isoformat()).translate(
            {ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}  # full-width forms
        ),
    ]


@given(DATES)
def test_every_spelling_of_any_date_reads_back_as_it(day: date) -> None:
    for text in _spellings(day):
        assert parse_date_text(text) == day, text


@given(st.text())
def test_any_text_is_a_date_or_a_reason_never_an_exception(text: str) -> None:
    day = parse_date_text(text)
    problem = date_text_problem(text)
    assert (day is None) == (problem is not None)
    if day is not None:
        # A date comes only from digits that are in the text: its year, month and day.
        digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text))
        assert digits.startswith(str(day.year))
        assert str(day.month) in digits[4:] and str(day.day) in digits[4:]


NOT_IN_A_DATE = st.characters(
    blacklist_categories=("Nd", "No", "Zs", "Cc", "Cs"),
    blacklist_characters="-/.年月日号:。、—–−－／．",
)


@given(DATES, st.data())
def test_a_stray_character_in_a_date_is_never_read_past(day: date, data) -> None:
    text = data.draw(st.sampled_from(_spellings(day)))
    position = data.draw(st.integers(min_value=0, max_value=len(text)))
    stray = data.draw(NOT_IN_A_DATE)
    garbled = text[:position] + stray + text[position:]
    if unicodedata.normalize("NFKC", garbled) == unicodedata.normalize("NFKC", text):
        return  # the character folds away (e.g. a zero-width one NFKC drops)
    assert parse_date_text(garbled) is None, garbled


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=30))
def test_text_without_digits_is_never_a_date(text: str) -> None:
    if not re.search(r"[0-9]", unicodedata.normalize("NFKC", text)):
        assert parse_date_text(text) is None
