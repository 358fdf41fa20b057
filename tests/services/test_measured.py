"""A measured value against a checklist item's target: reading, converting, comparing."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.inspection import Verdict
from app.services.measured import (
    WORKDAY_HOURS,
    MeasuredValueError,
    check_measured,
    convert,
    describe_target,
    format_number,
    measured_in,
    meets,
    parse_measured,
)


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("6小时", "小时", 6.0),
        ("6 个小时", "小时", 6.0),
        ("４小时", "工作日", 0.5),  # full-width digits; a working day is 8 hours
        ("240分钟", "工作日", 0.5),
        ("1小时30分", "小时", 1.5),
        ("1小时30分钟", "分钟", 90.0),
        ("90秒", "分钟", 1.5),
        ("半个工作日", "工作日", 0.5),
        ("0.5", "工作日", 0.5),  # no unit: the target's
        ("2天", "日", 2.0),
        ("2日", "天", 2.0),
        ("3天半", "小时", 84.0),
        ("两次", "次", 2.0),
        ("十五分钟", "分钟", 15.0),
        ("92.5%", "%", 92.5),
        ("92.5％", "%", 92.5),
        ("1.5万元", "元", 15000.0),
        ("2个", "次", 2.0),  # counts compare with counts
        ("-3%", "%", -3.0),
    ],
)
def test_measured_values_in_the_targets_unit(typed: str, unit: str, value: float) -> None:
    assert measured_in(typed, unit) == pytest.approx(value)


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("2工作日", "日"),  # working days and calendar days depend on the calendar
        ("3天", "工作日"),
        ("5%", "百分点"),
        ("3小时", "%"),
        ("20元", "次"),
    ],
)
def test_units_that_do_not_convert_are_refused(typed: str, unit: str) -> None:
    with pytest.raises(MeasuredValueError, match=f"请按“{unit}”填写"):
        measured_in(typed, unit)


@pytest.mark.parametrize("typed", ["", "  ", "很快", "约3小时", "3小时左右", "1e5", "3 4", "3..5"])
def test_text_that_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(MeasuredValueError) as raised:
        parse_measured(typed)
    assert "填写" in str(raised.value)


def test_the_brief_example_half_a_working_day() -> None:
    """0.5个工作日完成审批: 4 hours meet it, 6 hours do not."""
    on_time = check_measured("<=", 0.5, "工作日", "4小时")
    assert on_time.met and on_time.verdict is Verdict.PASS
    assert on_time.summary == "实测 4小时（合 0.5工作日），目标 ≤ 0.5工作日：达标"
    late = check_measured("<=", 0.5, "工作日", "6小时")
    assert not late.met and late.verdict is Verdict.FAIL and late.value == 0.75
    assert late.summary == "实测 6小时（合 0.75工作日），目标 ≤ 0.5工作日：未达标"
    assert check_measured(">=", 92, "%", "92%").summary == "实测 92%，目标 ≥ 92%：达标"


def test_describing_a_target() -> None:
    assert describe_target("<=", 0.5, "工作日", "审批用时") == "审批用时（工作日）≤ 0.5"
    assert describe_target(">=", 80.0, "%") == "≥ 80%"
    assert describe_target("=", 0.0, "元", "收取费用") == "收取费用（元）= 0"
    assert format_number(0.1 + 0.2) == "0.3" and format_number(12000.0) == "12000"


_finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(_finite)
def test_a_value_equal_to_the_target_meets_at_least_at_most_and_equal(target: float) -> None:
    assert meets(">=", target, target)
    assert meets("<=", target, target)
    assert meets("=", target, target)
    assert not meets(">", target, target)
    assert not meets("<", target, target)


@given(_finite, st.floats(min_value=1e-6, max_value=1e3))
def test_just_beyond_the_boundary_misses(target: float, step: float) -> None:
    above = target + max(step, abs(target) * 1e-6)
    below = target - max(step, abs(target) * 1e-6)
    assume(above != target and below != target)
    assert meets(">=", target, above) and not meets(">=", target, below)
    assert meets("<=", target, below) and not meets("<=", target, above)
    assert meets(">", target, above) and not meets(">", target, target)
    assert meets("<", target, below) and not meets("<", target, target)
    assert not meets("=", target, above) and not meets("=", target, below)


@given(st.integers(min_value=0, max_value=10_000))
def test_minutes_hours_and_working_days_agree_at_the_boundary(minutes: int) -> None:
    """N minutes against a target of the same time in working days: exactly on the boundary."""
    target_days = minutes / 60 / WORKDAY_HOURS
    assert check_measured("<=", target_days, "工作日", f"{minutes}分钟").met
    assert check_measured(">=", target_days, "工作日", f"{minutes}分钟").met
    assert not check_measured("<=", target_days, "工作日", f"{minutes + 1}分钟").met
    assert check_measured(">=", target_days, "工作日", f"{minutes + 1}分钟").met
    if minutes:
        assert not check_measured(">=", target_days, "工作日", f"{minutes - 1}分钟").met


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_add_up(hours: int, minutes: int) -> None:
    assert measured_in(f"{hours}小时{minutes}分钟", "分钟") == pytest.approx(hours * 60 + minutes)


@given(
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_percentages_against_a_floor(target, measured) -> None:
    check = check_measured(">=", float(target), "%", f"{measured}%")
    assert check.met is (measured >= target)


@given(
    st.sampled_from(["分钟", "小时", "工作日", "日", "天", "元", "万元", "%", "个", "次"]), _finite
)
def test_converting_to_its_own_unit_changes_nothing(unit: str, value: float) -> None:
    assert convert(value, unit, unit) == value


@given(st.text(max_size=20))
def test_any_text_either_reads_or_is_refused_with_a_message(text: str) -> None:
    try:
        pairs = parse_measured(text)
    except MeasuredValueError as error:
        assert str(error)
    else:
        assert pairs and all(isinstance(value, float) for value, _unit in pairs)
