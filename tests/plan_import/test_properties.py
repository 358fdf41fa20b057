"""Property tests: parse_text never fails, whatever the text, and its spans stay consistent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.plan_import import ParsedPlan, parse_text
from app.plan_import.textutil import FlatText

FRAGMENTS = [
    "一、",
    "二、",
    "十九、",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "３．",
    "（1）",
    "①",
    "附件",
    "附件：",
    "抄送：",
    "（此页无正文）",
    "滕政发〔2021〕9号",
    "2021年6月18日",
    "二〇二一年六月十八日",
    "关于印发某方案的通知",
    "（牵头部门：市财政局；责任部门：市直相关部门）",
    "(牵头单位:市发改委,配合单位:市税务局)",
    "（市发展改革委、市财政局负责）",
    "（市商务局牵头，市税务局参与）",
    "（市应急局会同市公安局负责）",
    "（X指导，Y负责）",
    "（市政府办公室〈市大数据局〉）",
    "排在第一位的部门为牵头部门，下同",
    "牵头单位：",
    "责任单位：",
    "完成时限：",
    "等相关部门和专营单位",
    "各镇街",
    "6月底前",
    "６月底前",
    "9月中旬前",
    "13月底前",
    "年底前",
    "每年2月底前",
    "每季度",
    "长期坚持",
    "持续推进",
    "3年内",
    "2019年上半年",
    "到2025年",
    "达到92％以上",
    "1.2万人",
    "压减至1个小时以内",
    "控制在3.5%以内",
    "。",
    "；",
    "：",
    "（",
    "）",
    "(",
    ")",
    "〈",
    "〉",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "\u3000",
    "\t",
    "优化金融服务",
]

plausible = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=60).map(
    "".join
)


def _check(text: str, plan: ParsedPlan) -> None:
    assert not [w for w in plan.warnings if w.code == "internal_error"], plan.warnings
    for area in plan.areas:
        assert area.measures
        for measure in area.measures:
            start, end = measure.span
            assert 0 <= start <= measure.text_start <= end <= len(text)
            assert text[measure.text_start : measure.text_start + len(measure.text)] == measure.text
            for ref in measure.departments:
                assert ref.name
                if ref.source:
                    assert start <= ref.source[0] <= ref.source[1] <= end
                if ref.span:
                    assert start <= ref.span[0] <= ref.span[1] <= end
            for deadline in measure.deadlines:
                assert deadline.kind in ("date", "recurring", "ongoing", "period")
                if deadline.source:
                    assert start <= deadline.source[0] <= deadline.source[1] <= end
            for target in measure.targets:
                assert target.op in (">=", "<=", "=", ">", "<")
    for warning in plan.warnings:
        assert warning.message
        if warning.offset is not None:
            assert 0 <= warning.offset <= len(text)
        if warning.span is not None:
            assert 0 <= warning.span[0] <= warning.span[1] <= len(text)
            assert warning.offset == warning.span[0]
        # A located warning points at a real area (and measure), one that holds its phrase.
        if warning.measure_index is not None:
            assert warning.area_index is not None
            measure = plan.areas[warning.area_index].measures[warning.measure_index]
            if warning.offset is not None:
                assert measure.span[0] <= warning.offset < measure.span[1]
        elif warning.area_index is not None:
            assert 0 <= warning.area_index < len(plan.areas)
    plan.to_json()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_fails(text: str) -> None:
    _check(text, parse_text(text))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plausible)
def test_plausible_fragments_never_fail(text: str) -> None:
    _check(text, parse_text(text))


@given(st.lists(st.text(alphabet="ab \t\r\n。（）", max_size=12), min_size=1, max_size=6))
def test_flat_text_maps_back_to_source(parts: list[str]) -> None:
    source = "".join(parts)
    bounds = []
    pos = 0
    for part in parts:
        bounds.append((pos, pos + len(part)))
        pos += len(part)
    flat = FlatText(source, ranges=bounds)
    assert len(flat.raw) == len(flat.norm)
    for index, ch in enumerate(flat.raw):
        if ch != "\n":
            assert source[flat.src(index)] == ch
    for start in range(len(flat.raw)):
        for end in range(start, len(flat.raw) + 1):
            a, b = flat.span(start, end)
            assert 0 <= a <= b <= len(source)
