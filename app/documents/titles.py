"""Where a long 公文 title breaks into lines (GB/T 9704: several lines laid out as a trapezoid or a
diamond, never splitting a word). Shared by the renderers so that DOCX and PDF break alike.

An author's "\\n" in the title is kept as a break. Otherwise the title is split only at places that
are word boundaries in titles — after 关于, around 的 / 和 / 与 / 及, after a body's name (…政府,
…办公室, …局), before the kind of document (通报, 通知, …) and after a few words titles end
phrases with (工作, 情况, 问题, …) — choosing the split whose lines are most even (the trapezoid);
three lines are balanced around a longer middle line (the diamond). Where no boundary fits, the
title is split evenly between Chinese characters but never inside a Latin word or a number.
"""

from __future__ import annotations

import itertools

_AFTER = (
    "关于",
    "的",
    "和",
    "与",
    "及",
    "、",
    "，",
    "人民政府",
    "政府",
    "办公室",
    "办公厅",
    "委员会",
    "工作",
    "情况",
    "问题",
    "检查",
    "督查",
    "活动",
    "行动",
    "建设",
    "管理",
    "服务",
    "环境",
    "项目",
    "方案",
    "规定",
    "措施",
    "意见",
)
_BEFORE = (
    "的",
    "和",
    "与",
    "及",
    "关于",
    "通报",
    "通知",
    "意见",
    "决定",
    "报告",
    "请示",
    "批复",
    "纪要",
    "实施方案",
    "工作方案",
    "办法",
)
_NEVER_SPLIT_OPENING = "（《“〔【"
_NEVER_START = "，。、；：？！）》”〕】"


def title_lines(title: str, max_chars: int) -> list[str]:
    """The lines of ``title``, none longer than ``max_chars`` where a split allows it."""
    lines: list[str] = []
    for part in title.split("\n"):
        part = part.strip()
        if part:
            lines.extend(_split(part, max_chars))
    return lines or [""]


def break_candidates(text: str) -> list[int]:
    """Positions (1..len-1) where a title may break: word boundaries by the lists above."""
    positions: set[int] = set()
    for word in _AFTER:
        start = text.find(word)
        while start != -1:
            positions.add(start + len(word))
            start = text.find(word, start + 1)
    for word in _BEFORE:
        start = text.find(word)
        while start != -1:
            positions.add(start)
            start = text.find(word, start + 1)
    return sorted(p for p in positions if 0 < p < len(text) and _allowed(text, p))


def _allowed(text: str, position: int) -> bool:
    before, after = text[position - 1], text[position]
    if before in _NEVER_SPLIT_OPENING or after in _NEVER_START:
        return False
    return not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum())


def _split(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    count = -(-len(text) // max_chars)  # fewest lines that can hold it
    candidates = break_candidates(text)
    for lines in (count, count + 1):
        best = _best_split(text, candidates, lines, max_chars)
        if best:
            return best
    fallback = [p for p in range(1, len(text)) if _allowed(text, p)]
    return _best_split(text, fallback, count, max_chars) or _hard_split(text, max_chars)


def _best_split(text: str, candidates: list[int], lines: int, max_chars: int) -> list[str] | None:
    best: tuple[float, list[str]] | None = None
    if lines - 1 > len(candidates):
        return None
    for cuts in itertools.combinations(candidates, lines - 1):
        bounds = [0, *cuts, len(text)]
        parts = [text[a:b] for a, b in itertools.pairwise(bounds)]
        lengths = [len(p) for p in parts]
        if max(lengths) > max_chars:
            continue
        score = float(max(lengths) - min(lengths))
        if lines == 3 and lengths[1] < max(lengths[0], lengths[2]):
            score += 0.5  # prefer the diamond (longest line in the middle)
        if best is None or score < best[0]:
            best = (score, parts)
    return best[1] if best else None


def _hard_split(text: str, max_chars: int) -> list[str]:
    return [text[i : i + max_chars] for i in range(0, len(text), max_chars)]
