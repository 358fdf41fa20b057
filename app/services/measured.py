"""A measured value (实测值) checked against a checklist item's target: pure functions.

    parse_measured("1小时30分钟")              -> [(1.0, "小时"), (30.0, "分钟")]
    measured_in("6小时", "工作日")             -> 0.75        (a working day is 8 hours)
    check_measured("<=", 0.5, "工作日", "6小时") -> MeasuredCheck(value=0.75, met=False, ...)

Units convert only where the conversion is fixed: seconds, minutes, hours and working days (8
hours, the statutory working day); seconds, minutes, hours and calendar days (日 = 天 = 24
hours); 元 and 万元; counts of things (个, 次, 份, 家 …) with each other. Working days and calendar
days do not convert (that depends on the calendar): the inspector is asked to write the value in
the target's unit instead. A number without a unit is in the target's unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.domain.inspection import Verdict
from app.plan_import.textutil import cn_to_int, fold

WORKDAY_HOURS = 8.0  # 《国务院关于职工工作时间的规定》: 8 hours a day
_EPSILON = 1e-9

OP_SYMBOLS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
OP_WORDS = {">=": "不低于", "<=": "不超过", "=": "等于", ">": "高于", "<": "低于"}

# How units are written -> the name used to compare them.
_ALIASES = {
    "个工作日": "工作日",
    "工作日": "工作日",
    "个小时": "小时",
    "小时": "小时",
    "钟头": "小时",
    "h": "小时",
    "分钟": "分钟",
    "分": "分钟",
    "秒钟": "秒",
    "秒": "秒",
    "s": "秒",
    "min": "分钟",
    "天": "日",
    "日": "日",
    "个月": "个月",
    "月": "个月",
    "个百分点": "百分点",
    "百分点": "百分点",
    "%": "%",
    "‰": "‰",
    "元": "元",
    "块": "元",
    "万元": "万元",
}
# Groups of units with fixed factors to a common base.
# Counts of things (个, 家, 次, 份 …) compare with each other: "2个环节" against "不超过1个".
COUNT_UNITS = ("个", "人", "家", "件", "项", "户", "名", "场", "次", "类", "批", "所", "座", "套")
COUNT_UNITS += ("篇", "份", "道", "人次")
_GROUPS: tuple[dict[str, float], ...] = (
    {"秒": 1 / 3600, "分钟": 1 / 60, "小时": 1.0, "工作日": WORKDAY_HOURS},
    {"秒": 1 / 3600, "分钟": 1 / 60, "小时": 1.0, "日": 24.0},
    {"元": 1.0, "万元": 10_000.0},
    dict.fromkeys(COUNT_UNITS, 1.0),
)
_UNIT_WORDS = sorted(_ALIASES, key=len, reverse=True)
_COUNT_UNIT = "人次|[个人家件项户名场次类批所座套篇份道]"
_PAIR = re.compile(
    r"\s*(?P<num>[+-]?\d+(?:\.\d+)?|[+-]?\.\d+|[一二两三四五六七八九十百]+|半)\s*(?P<wan>万)?"
    r"\s*(?P<unit>" + "|".join(re.escape(u) for u in _UNIT_WORDS) + rf"|{_COUNT_UNIT})?"
    r"(?P<half>半)?\s*",
    re.IGNORECASE,
)


class MeasuredValueError(ValueError):
    """A measured value that cannot be read or compared; the message says what to type."""


@dataclass(frozen=True)
class MeasuredCheck:
    """``value`` is the measured value in the target's unit; ``met`` whether it meets the target."""

    value: float
    met: bool
    summary: str

    @property
    def verdict(self) -> Verdict:
        """The verdict the number suggests (the inspector may still choose 基本符合)."""
        return Verdict.PASS if self.met else Verdict.FAIL


def canonical_unit(unit: str) -> str:
    unit = fold(unit).strip()
    return _ALIASES.get(unit.lower(), _ALIASES.get(unit, unit))


def format_number(value: float) -> str:
    """0.5 -> "0.5", 11.0 -> "11", 0.75000000001 -> "0.75"."""
    if math.isfinite(value) and abs(value - round(value)) < _EPSILON * max(1.0, abs(value)):
        return str(round(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def describe_target(op: str, value: float, unit: str, quantity: str = "") -> str:
    """ "审批用时（工作日）≤ 0.5"; without a quantity: "≤ 0.5工作日"."""
    number = format_number(value)
    if quantity:
        label = f"{quantity}（{unit}）" if unit else quantity
        return f"{label}{OP_SYMBOLS.get(op, op)} {number}"
    return f"{OP_SYMBOLS.get(op, op)} {number}{unit}"


def parse_measured(text: str) -> list[tuple[float, str | None]]:
    """The number(s) typed, with their units (None: no unit written).

    "92.5%" -> [(92.5, "%")], "1小时30分" -> [(1.0, "小时"), (30.0, "分钟")],
    "0.5" -> [(0.5, None)], "半个工作日" -> [(0.5, "工作日")]. Raises MeasuredValueError."""
    folded = fold(text).strip()
    if not folded:
        raise MeasuredValueError("请填写实测值。")
    pairs: list[tuple[float, str | None]] = []
    at = 0
    while at < len(folded):
        m = _PAIR.match(folded, at)
        if m is None or m.end() == at or (not m.group("num")):
            raise _not_a_number(text)
        number = m.group("num")
        if number == "半":
            value = 0.5
        elif number[-1].isdigit():
            value = float(number)
        else:
            count = cn_to_int(number)
            if count is None:
                raise _not_a_number(text)
            value = float(count)
        if m.group("wan"):
            value *= 10_000
        if m.group("half"):
            value += 0.5
        unit = m.group("unit")
        pairs.append((value, canonical_unit(unit) if unit else None))
        at = m.end()
    if len(pairs) > 1 and any(unit is None for _value, unit in pairs):
        raise _not_a_number(text)
    if not all(math.isfinite(value) for value, _unit in pairs):
        raise _not_a_number(text)
    return pairs


def convert(value: float, unit: str, to_unit: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to_unit``; None when they do not convert."""
    source, target = canonical_unit(unit), canonical_unit(to_unit)
    if source == target:
        return value
    for group in _GROUPS:
        if source in group and target in group:
            return value * group[source] / group[target]
    return None


def measured_in(text: str, unit: str) -> float:
    """The measured value typed in ``text``, in the target's ``unit`` (summing 1小时30分)."""
    total = 0.0
    for value, written in parse_measured(text):
        if written is None or not unit:
            total += value
            continue
        converted = convert(value, written, unit)
        if converted is None:
            raise MeasuredValueError(
                f"实测值的单位“{written}”不能换算为目标的单位“{unit}”，请按“{unit}”填写。"
            )
        total += converted
    return total


def meets(op: str, target: float, value: float) -> bool:
    """Whether ``value`` satisfies "op target" (with a tolerance for rounding)."""
    tolerance = _EPSILON * max(1.0, abs(target))
    if op == ">=":
        return value >= target - tolerance
    if op == "<=":
        return value <= target + tolerance
    if op == "=":
        return abs(value - target) <= tolerance
    if op == ">":
        return value > target + tolerance
    if op == "<":
        return value < target - tolerance
    raise ValueError(f"unknown comparator {op!r}")


def in_unit(typed: str, unit: str) -> bool:
    """Whether ``typed`` is one number written in ``unit`` (or without a unit): then showing it
    converted ("1个工作日（合 1工作日）") says nothing new."""
    try:
        pairs = parse_measured(typed)
    except MeasuredValueError:
        return False
    return len(pairs) == 1 and pairs[0][1] in (None, canonical_unit(unit))


def check_measured(op: str, target: float, unit: str, text: str) -> MeasuredCheck:
    """Read ``text`` as a value in ``unit`` and check it against "op target"."""
    return check_value(op, target, unit, measured_in(text, unit), text)


def check_value(op: str, target: float, unit: str, value: float, typed: str = "") -> MeasuredCheck:
    """``value`` (in ``unit``) against "op target"; ``typed`` is how it was written, if known."""
    met = meets(op, target, value)
    shown = format_number(value) + unit
    typed = fold(typed).strip()
    if typed and typed.replace(" ", "") not in (format_number(value), shown):
        shown = typed if in_unit(typed, unit) else f"{typed}（合 {shown}）"
    goal = describe_target(op, target, unit)
    return MeasuredCheck(value, met, f"实测 {shown}，目标 {goal}：{'达标' if met else '未达标'}")


def _not_a_number(text: str) -> MeasuredValueError:
    return MeasuredValueError(
        f"“{text.strip()}”不是可比较的数值，请填写数字，可带单位（如 6小时、92.5%、1小时30分）。"
    )
