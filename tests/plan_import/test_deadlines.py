"""Deadline normalization (the year defaults to the document's year)."""

from __future__ import annotations

from datetime import date

import pytest

from app.plan_import import find_deadlines, parse_deadline

YEAR = 2021


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("6月底前", date(2021, 6, 30)),
        ("６月底前", date(2021, 6, 30)),
        ("6月底", date(2021, 6, 30)),
        ("6月份", date(2021, 6, 30)),
        ("六月底前", date(2021, 6, 30)),
        ("2月底前", date(2021, 2, 28)),
        ("6月上旬", date(2021, 6, 10)),
        ("6月中旬", date(2021, 6, 20)),
        ("6月下旬", date(2021, 6, 30)),
        ("9月中旬前", date(2021, 9, 20)),
        ("年底前", date(2021, 12, 31)),
        ("年内", date(2021, 12, 31)),
        ("全年", date(2021, 12, 31)),
        ("12月底前", date(2021, 12, 31)),
        ("12 月底前", date(2021, 12, 31)),
        ("十二月底前", date(2021, 12, 31)),
        ("2022年6月底前", date(2022, 6, 30)),
        ("２０２２年６月底前", date(2022, 6, 30)),
        ("2019年上半年", date(2019, 6, 30)),
        ("2019年下半年", date(2019, 12, 31)),
        ("2021年底", date(2021, 12, 31)),
        ("2022年第三季度", date(2022, 9, 30)),
        ("三季度末", date(2021, 9, 30)),
        ("上半年", date(2021, 6, 30)),
        ("到2025年", date(2025, 12, 31)),
        ("6月30日前", date(2021, 6, 30)),
        ("2021年10月15日前", date(2021, 10, 15)),
        ("明年底前", date(2022, 12, 31)),
        ("今年底前", date(2021, 12, 31)),
        ("明年6月底前", date(2022, 6, 30)),
        ("明年上半年", date(2022, 6, 30)),
    ],
)
def test_date_deadlines(phrase: str, due: date) -> None:
    deadline = parse_deadline(phrase, YEAR)
    assert deadline is not None
    assert (deadline.kind, deadline.due) == ("date", due)
    assert deadline.raw == phrase


@pytest.mark.parametrize(
    ("phrase", "recurrence"),
    [("每季度", "quarter"), ("每年2月底前", "year"), ("每月", "month"), ("按月", "month")],
)
def test_recurring(phrase: str, recurrence: str) -> None:
    deadline = parse_deadline(phrase, YEAR)
    assert deadline is not None
    assert (deadline.kind, deadline.due, deadline.recurrence) == ("recurring", None, recurrence)
    assert deadline.raw == phrase  # 每年2月底前 is one recurring deadline, not a date too


@pytest.mark.parametrize(
    "phrase", ["（长期坚持）", "持续推进。", "完成时限：长期坚持", "，持续推进；"]
)
def test_ongoing(phrase: str) -> None:
    (deadline,) = find_deadlines(phrase, YEAR)
    assert (deadline.kind, deadline.due) == ("ongoing", None)


def test_ongoing_words_inside_a_sentence_are_not_deadlines() -> None:
    assert find_deadlines("持续推进政务服务中心综合窗口设置", YEAR) == []


@pytest.mark.parametrize(("phrase", "months"), [("3年内", 36), ("5年内", 60), ("三年内", 36)])
def test_periods_are_not_this_years_deadline(phrase: str, months: int) -> None:
    (deadline,) = find_deadlines(f"{phrase}实现上市挂牌企业5家以上", YEAR)
    assert (deadline.kind, deadline.due, deadline.months) == ("period", None, months)


@pytest.mark.parametrize(
    "text",
    [
        "0.5个工作日完成审批",
        "1个工作日内办结",
        "压缩至4个工作日",
        "24小时内审核完毕",
        "在3个月内提交",
    ],
)
def test_service_times_are_not_deadlines(text: str) -> None:
    assert find_deadlines(text, YEAR) == []


@pytest.mark.parametrize(
    "text",
    ["2021年度企业薪酬调查", "在2020年基础上", "年度力争增长10%", "6个月以上", "年均停电时间"],
)
def test_not_deadlines(text: str) -> None:
    assert find_deadlines(text, YEAR) == []


def test_several_deadlines_each_with_its_clause() -> None:
    text = "6月底，完成事项落地；9月底，实现全市推广。"
    first, second = find_deadlines(text, YEAR)
    assert (first.due, second.due) == (date(2021, 6, 30), date(2021, 9, 30))
    assert first.span and text[first.span[0] : first.span[1]] == "6月底，完成事项落地；"
    assert second.span and text[second.span[0] : second.span[1]] == "9月底，实现全市推广。"
    assert first.source and text[first.source[0] : first.source[1]] == "6月底"


def test_month_list() -> None:
    found = find_deadlines("分别于6月、8月、9月分三批完成申报", YEAR)
    assert [d.due for d in found] == [date(2021, 6, 30), date(2021, 8, 31), date(2021, 9, 30)]


def test_past_accomplishments_are_not_deadlines() -> None:
    assert find_deadlines("6月份已经完成安排部署工作", YEAR) == []


def test_unknown_year_and_invalid_month_leave_due_unset() -> None:
    (deadline,) = find_deadlines("6月底前完成", None)
    assert (deadline.kind, deadline.due) == ("date", None)
    (deadline,) = find_deadlines("13月底前完成", YEAR)
    assert (deadline.kind, deadline.due) == ("date", None)
