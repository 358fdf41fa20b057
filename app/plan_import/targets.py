"""Quantified targets (指标) in a measure's text.

    达到92％以上          -> ">=", 92, "%"
    压减至1个小时以内     -> "<=", 1, "小时"
    1.2万人               -> "=", 12000, "人"
    不低于80%             -> ">=", 80, "%"
    控制在3.5%以内        -> "<=", 3.5, "%"
    压缩至4个工作日       -> "<=", 4, "工作日"   (service-time promises are targets)

Money amounts and physical quantities (万元, 千瓦, 平方米) are thresholds of eligibility far
more often than targets, so they are not collected. Ranges (2-4户, 6%-10%) are skipped.
"""

from __future__ import annotations

import re

from .model import Target, TargetOp
from .textutil import fold

_PRE_OPS: dict[str, TargetOp] = {
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "至少": ">=",
    "达到": ">=",
    "达": ">=",
    "提高到": ">=",
    "提高至": ">=",
    "提升到": ">=",
    "提升至": ">=",
    "增加到": ">=",
    "增加至": ">=",
    "不高于": "<=",
    "不超过": "<=",
    "不多于": "<=",
    "不大于": "<=",
    "最多": "<=",
    "控制在": "<=",
    "压减至": "<=",
    "压减到": "<=",
    "压减为": "<=",
    "压缩至": "<=",
    "压缩到": "<=",
    "压缩为": "<=",
    "缩短至": "<=",
    "缩短到": "<=",
    "缩短为": "<=",
    "减少到": "<=",
    "减少至": "<=",
    "降至": "<=",
    "降低到": "<=",
    "降低至": "<=",
    "超过": ">",
    "高于": ">",
    "多于": ">",
    "低于": "<",
    "少于": "<",
    "保持在": "=",
    "实现": "=",
    "新增": "=",
    "增长": "=",
    "提高": "=",
    "完成": "=",
}
_POST_OPS: dict[str, TargetOp] = {
    "及以上": ">=",
    "以上": ">=",
    "及以下": "<=",
    "以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "内": "<=",
}
_UNITS = (
    "%",
    "‰",
    "个百分点",
    "百分点",
    "个工作日",
    "工作日",
    "个小时",
    "小时",
    "分钟",
    "个月",
    "人次",
    "人",
    "家",
    "件",
    "项",
    "户",
    "名",
    "场",
    "次",
    "日",
    "天",
    "类",
    "批",
    "所",
    "座",
    "套",
    "篇",
    "个",
)
_TIME_UNITS = {"工作日", "小时", "分钟", "日", "天", "个月"}
_UNIT_NAMES = {"个工作日": "工作日", "个小时": "小时", "个百分点": "百分点"}

_PRE = "|".join(sorted(_PRE_OPS, key=len, reverse=True))
_POST = "|".join(sorted(_POST_OPS, key=len, reverse=True))
_UNIT = "|".join(re.escape(u) for u in _UNITS)

_TARGET = re.compile(
    r"(?P<num>\d\d*(?:\.\d+)?)[ \t]*(?P<mult>万|亿)?[ \t]*"  # \d first: a fast scan
    r"(?=[%‰个百工小分人家件项户名场次日天类批所座套篇])"  # a cheap first-character gate
    rf"(?P<unit>{_UNIT})"
    r"(?![\-~—–至到][ \t]*\d)"
    rf"(?P<post>{_POST})?"
)
# The verb before a number is found looking back from it (a pattern starting with the number
# scans fast; one starting with an optional verb would not).
_PRE_BEFORE = re.compile(rf"(?:{_PRE})[ \t]*$")
_MAX_PRE = max(len(p) for p in _PRE_OPS) + 2
# A service time followed by these is a "within" promise: 0.5个工作日完成审批, 1个工作日内办结.
_WITHIN_VERBS = ("完成", "办结", "办完", "审核完毕", "作出", "办理完毕")
_NUMBER_BEFORE = frozenset("0123456789.-~—–")
_SKIP_BEFORE = ("由", "从", "第", "提前", "“", '"', "前")
_METRIC_STOP = "，,;；。:：、()（）\n"
_METRIC_STOP_RE = re.compile("[" + re.escape(_METRIC_STOP) + "]")
_METRIC_TRIM = re.compile(
    r"^(?:\d{4}年)?(?:\d{1,2}月(?:底|份|末|上旬|中旬|下旬)?(?:前|之前)?)?"
    r"(?:将|把|使|确保|力争|努力|并|且|全面|进一步)*"
)


def _metric(norm: str, raw: str, start: int, reversed_norm: str) -> str:
    """The words naming the target before it, back to the previous stop (``reversed_norm`` is
    ``norm[::-1]``, where that stop is the first one found searching forwards)."""
    stop = _METRIC_STOP_RE.search(reversed_norm, len(norm) - start)
    left = len(norm) - stop.start() if stop else 0
    metric = raw[left:start]
    left += len(metric) - len(metric.lstrip())
    metric = metric.strip()
    # fold(metric): folding keeps blanks blank and the rest not, so the same slice of ``norm``
    trim = _METRIC_TRIM.match(norm[left : left + len(metric)])
    if trim and trim.end():
        metric = metric[trim.end() :]
    return metric.strip()


def _metric_after(norm: str, raw: str, end: int) -> str:
    """When nothing names the target before it (0.5个工作日完成预审): the words after it."""
    right = end
    while right < len(norm) and right - end < 20 and norm[right] not in _METRIC_STOP:
        right += 1
    return raw[end:right].strip()


def find_targets(text: str, *, norm: str | None = None) -> list[Target]:
    """All quantified targets in ``text`` in reading order; spans are offsets into ``text``.

    ``norm`` may pass ``fold(text)`` if the caller has it.
    """
    if norm is None:
        norm = fold(text)
    found: list[Target] = []
    reversed_norm = ""
    for m in _TARGET.finditer(norm):
        num_start = m.start("num")
        if num_start and norm[num_start - 1] in _NUMBER_BEFORE:
            continue  # the tail of a longer number, or of a range
        pre_match = _PRE_BEFORE.search(norm, max(0, num_start - _MAX_PRE), num_start)
        pre = pre_match.group().rstrip(" \t") if pre_match else None
        before = norm[max(0, num_start - 2) : num_start].rstrip()
        if pre is None and before.endswith(_SKIP_BEFORE):
            continue
        if num_start > 0 and norm[num_start - 1] in "第年月":
            continue
        number, mult, written_unit, post = m.group("num", "mult", "unit", "post")
        end = m.end()
        value = float(number)
        if mult == "万":
            value *= 10_000
        elif mult == "亿":
            value *= 100_000_000
        unit = _UNIT_NAMES.get(written_unit, written_unit)
        op: TargetOp = "="
        if post:
            op = _POST_OPS[post]
        elif pre:
            op = _PRE_OPS[pre]
        if unit in _TIME_UNITS and not post:
            after = norm[end : end + 6]
            if after.startswith(_WITHIN_VERBS) and op == "=":
                op = "<="
        start = pre_match.start() if pre_match else num_start
        if not reversed_norm:
            reversed_norm = norm[::-1]
        metric = _metric(norm, text, start, reversed_norm) or _metric_after(norm, text, end)
        found.append(Target(text[start:end], metric, op, round(value, 6), unit, (start, end)))
    return found


def parse_target(phrase: str) -> Target | None:
    """The first target in ``phrase`` ("达到92％以上" -> op ">=", value 92.0, unit "%"), or None."""
    found = find_targets(phrase)
    return found[0] if found else None
