"""The parser's fast paths give what the plain way would: each is checked against it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.plan_import import deadlines, departments, directory, textutil


def _lcs_table(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


_NAMES = st.text(alphabet="市局委中心和ab", max_size=14)


@given(_NAMES, _NAMES)
def test_bit_parallel_lcs(a: str, b: str) -> None:
    assert directory._lcs(a, b) == _lcs_table(a, b)


@given(st.text(alphabet="ab市，（）：；％０９\u3000\xa0﹢∶", min_size=256, max_size=600))
def test_fold_of_long_texts(text: str) -> None:
    assert textutil.fold(text) == text.translate(textutil._FOLD)


def _paren_segments_scan(norm: str) -> list[tuple[int, int]]:
    """The bracket scan alone (``_paren_segments`` skips it when all pairs are flat)."""
    segments: list[tuple[int, int]] = []
    depth = 0
    start = -1
    for match in re.finditer(r"[()\n]", norm):
        ch, index = match.group(), match.start()
        if ch == "(":
            if depth == 0:
                start = index
            depth += 1
        elif ch == ")":
            if depth:
                depth -= 1
                if depth == 0:
                    segments.append((start, index + 1))
        elif depth:
            if departments._ROLE_LABEL.search(norm, start, index):
                segments.append((start, index))
            depth = 0
    if depth and departments._ROLE_LABEL.search(norm, start):
        segments.append((start, len(norm)))
    return segments


@given(st.lists(st.sampled_from(["(", ")", "\n", "a", "牵头部门:", "市局", "、"]), max_size=30))
def test_paren_segments(parts: list[str]) -> None:
    norm = "".join(parts)
    assert departments._paren_segments(norm) == _paren_segments_scan(norm)


_PHRASES = ["每周", "按周", "长期坚持", "持续推进", "长期", "每", "持"]
_DEADLINE_TEXT = st.lists(st.sampled_from([*_PHRASES, "。", ";", "\n", " ", "a"]), max_size=30)


@given(_DEADLINE_TEXT)
def test_others_are_found_as_by_a_scan(parts: list[str]) -> None:
    norm = "".join(parts)
    expected = [m.span() for m in deadlines._OTHERS.finditer(norm)]
    assert [m.span() for m in deadlines._others(norm)] == expected


@given(_DEADLINE_TEXT, st.data())
def test_clause_around(parts: list[str], data: st.DataObject) -> None:
    norm = "".join(parts)
    start = data.draw(st.integers(0, len(norm)))
    end = data.draw(st.integers(start, len(norm)))
    ends = [m.start() for m in deadlines._CLAUSE_END.finditer(norm)]
    left = max((e + 1 for e in ends if e < start), default=0)
    after = [e for e in ends if e >= end]
    right = (after[0] + (norm[after[0]] != "\n")) if after else len(norm)
    while left < right and norm[left] in " \t":
        left += 1
    assert deadlines._Clauses(norm).around(start, end) == (left, right)
