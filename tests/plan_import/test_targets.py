"""Quantified targets."""

from __future__ import annotations

import pytest

from app.plan_import import find_targets, parse_target


@pytest.mark.parametrize(
    ("phrase", "op", "value", "unit"),
    [
        ("达到92％以上", ">=", 92.0, "%"),
        ("达到 92％以上", ">=", 92.0, "%"),
        ("压减至1个小时以内", "<=", 1.0, "小时"),
        ("压减至１个小时以内", "<=", 1.0, "小时"),
        ("1.2万人", "=", 12000.0, "人"),
        ("不低于80%", ">=", 80.0, "%"),
        ("控制在3.5%以内", "<=", 3.5, "%"),
        ("压缩至4个工作日", "<=", 4.0, "工作日"),
        ("0.5个工作日完成审批", "<=", 0.5, "工作日"),
        ("1个工作日内办结", "<=", 1.0, "工作日"),
        ("不超过11个工作日", "<=", 11.0, "工作日"),
        ("1.3 万人次以上", ">=", 13000.0, "人次"),
        ("增长10%以上", ">=", 10.0, "%"),
        ("超过50家", ">", 50.0, "家"),
        ("低于5%", "<", 5.0, "%"),
        ("实现100%", "=", 100.0, "%"),
        ("提高3个百分点", "=", 3.0, "百分点"),
    ],
)
def test_targets(phrase: str, op: str, value: float, unit: str) -> None:
    target = parse_target(phrase)
    assert target is not None
    assert (target.op, target.value, target.unit) == (op, value, unit)


def test_metric_phrase() -> None:
    text = (
        "７月底前，全市配网不停电作业化率达到 92％以上，"
        "全市城市用户年均停电时间压减至１个小时以内。"
    )
    first, second = find_targets(text)
    assert first.metric == "全市配网不停电作业化率"
    assert second.metric == "全市城市用户年均停电时间"
    assert first.raw == "达到 92％以上"
    assert first.span and text[first.span[0] : first.span[1]] == first.raw
    (employment, rate) = find_targets(
        "8月底前实现城镇新增就业1.2万人，全市城镇登记失业率控制在3.5%以内。"
    )
    assert employment.metric == "实现城镇新增就业"
    assert (rate.metric, rate.op) == ("全市城镇登记失业率", "<=")


@pytest.mark.parametrize(
    "text",
    [
        "6月底前完成",
        "2021年6月18日",
        "100万元以下",
        "160千瓦及以下",
        "选取2-4户企业",
        "6%-10%的扣除",
        "12345热线",
        "第2批",
        "打造“15分钟便民服务圈”",
        "由45天压缩为20天",
    ],
)
def test_not_targets(text: str) -> None:
    found = find_targets(text)
    if text == "由45天压缩为20天":
        assert [(t.op, t.value, t.unit) for t in found] == [("<=", 20.0, "天")]
    else:
        assert found == []
