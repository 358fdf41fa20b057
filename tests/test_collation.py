"""Pinyin order (app/domain/collation.py) and display text (app/domain/text.py)."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.collation import collated, sort_key
from app.domain.text import deadline_text

# ---- Pinyin order -----------------------------------------------------------------------------


def test_departments_read_as_a_chinese_directory() -> None:
    # Code-point order would be 人民银行…, 北辛街道, 市交通运输局 (人 U+4EBA < 北 U+5317).
    names = ["市交通运输局", "人民银行滕州市支行", "北辛街道", "市公安局", "滨湖镇"]
    assert collated(names) == [
        "北辛街道",  # bei
        "滨湖镇",  # bin
        "人民银行滕州市支行",  # ren
        "市公安局",  # shi gong
        "市交通运输局",  # shi jiao
    ]


@pytest.mark.parametrize(
    ("before", "after", "why"),
    [
        ("市银行业协会", "市银杏路街道", "银行 reads yin hang (before 银杏 yin xing)"),
        ("市行政审批服务局", "市银行业协会", "行政 reads xing zheng: x before y"),
        ("重庆路街道", "楚庄街道", "重庆 reads chong qing, before chu (not zhong)"),
        ("长清区", "城关街道", "长清 reads chang qing, before cheng (pypinyin says zhang)"),
        ("人民银行滕州市支行", "人民银行滕州市中心支行", "支行 reads zhi hang"),
        ("单县", "上海", "单县 reads shan xian (the place), before shang"),
        ("市长热线", "市政府办公室", "市长 reads shi zhang, before shi zheng"),
        ("石油公司", "市场监管局", "same letters, tone 2 (石) before tone 4 (市)"),
    ],
)
def test_phrases_are_read_as_words(before: str, after: str, why: str) -> None:
    assert sort_key(before) < sort_key(after), why


def test_digits_by_value_latin_before_chinese_full_width_like_ascii() -> None:
    names = ["第10组", "第2组", "ＡＢ公司", "ab公司", "Zeta", "阿城镇", "10号楼", "9号楼"]
    assert collated(names) == [
        "9号楼",
        "10号楼",
        "ＡＢ公司",  # ties with ab公司 on the letters; code point decides: B < b
        "ab公司",
        "Zeta",
        "阿城镇",  # a
        "第2组",  # di 2 before di 10
        "第10组",
    ]


def test_prefix_first_and_spaces_ignored() -> None:
    assert collated(["市公安局交警大队", "市公安局"]) == ["市公安局", "市公安局交警大队"]
    assert sort_key("市 公安局") < sort_key("市交通局")  # the space is not a character to sort


def test_collated_keeps_items_and_takes_a_key() -> None:
    pairs = [("id-3", "市交通运输局"), ("id-1", "人民银行滕州市支行"), ("id-2", "北辛街道")]
    assert [i for i, _ in collated(pairs, key=lambda pair: pair[1])] == ["id-2", "id-1", "id-3"]


@given(st.lists(st.text(max_size=8), max_size=12))
def test_the_order_is_total_and_does_not_depend_on_input_order(names: list[str]) -> None:
    ordered = collated(names)  # never raises, whatever the characters
    shuffled = names[:]
    random.Random(len(names)).shuffle(shuffled)
    assert collated(shuffled) == ordered
    for first, second in itertools.pairwise(ordered):
        assert sort_key(first) <= sort_key(second)
        # Only equal strings tie: no two different names are ever "the same" to the sort.
        assert (sort_key(first) == sort_key(second)) == (first == second)


# ---- Deadline phrases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (" 6月底前", "6月底前"),
        ("６月底前", "6月底前"),
        ("10 月底前", "10月底前"),
        ("2021 年底前", "2021年底前"),
        ("\u3000９月底前\n", "9月底前"),
        ("每季度（第１个月）", "每季度（第1个月）"),  # Chinese brackets stay full width
        ("6月底前", "6月底前"),
        ("", ""),
    ],
)
def test_deadline_phrases_are_shown_normalised(raw: str, shown: str) -> None:
    assert deadline_text(raw) == shown
