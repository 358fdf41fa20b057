"""The sample plan (滕政发〔2021〕9号) parsed exactly, checked against a hand-written fixture."""

from __future__ import annotations

from datetime import date

import pytest

from app.plan_import import ParsedPlan, parse_file

from .fixtures.tengzhou_expected import (
    ALIASES,
    AREAS,
    DEPT,
    FINANCE_2_GROUPS,
    GROUPS,
    MEASURES,
    TARGETS,
    TITLES,
)
from .sample import SAMPLE

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="sample plan not available")


@pytest.fixture(scope="module")
def plan() -> ParsedPlan:
    return parse_file(SAMPLE)


def _names(field: str) -> list[str]:
    return [DEPT[key] for key in field.split()]


def _deadlines(field: str) -> list[tuple[str, str | None]]:
    expected: list[tuple[str, str | None]] = []
    for token in field.split():
        if token == "R":
            expected.append(("recurring", None))
        elif token.startswith("P"):
            expected.append(("period", token[1:]))
        elif len(token) == 5:
            expected.append(("date", f"2021-{token}"))
        else:
            expected.append(("date", token))
    return expected


def test_metadata(plan: ParsedPlan) -> None:
    assert plan.title == "滕州市深入优化营商环境创新突破行动落实方案"
    assert plan.notice_title == "关于印发滕州市深入优化营商环境创新突破行动落实方案的通知"
    assert plan.doc_number == "滕政发〔2021〕9号"
    assert plan.issuer == "滕州市人民政府"
    assert plan.date == date(2021, 6, 18)


def test_areas(plan: ParsedPlan) -> None:
    assert [(a.no, a.title) for a in plan.areas] == AREAS
    assert [a.no for a in plan.areas if a.inferred] == [7]
    assert len(plan.measures) == 201
    assert sum(len(a.measures) for a in plan.areas) == 201


def test_missing_numeral_warned(plan: ParsedPlan) -> None:
    codes = [(w.code, w.area_no) for w in plan.warnings]
    assert ("section_numeral_missing", 7) in codes


@pytest.mark.parametrize("key", sorted(MEASURES))
def test_measure(plan: ParsedPlan, key: tuple[int, int]) -> None:
    area_no, measure_no = key
    area = next(a for a in plan.areas if a.no == area_no)
    measure = next(m for m in area.measures if m.no == measure_no)
    lead, responsible, cooperating, deadlines = MEASURES[key]
    assert measure.lead == _names(lead)
    assert measure.responsible == _names(responsible)
    assert measure.cooperating == _names(cooperating)
    got = [
        (d.kind, str(d.months) if d.kind == "period" else (d.due.isoformat() if d.due else None))
        for d in measure.deadlines
    ]
    assert got == _deadlines(deadlines)


def test_every_measure_checked(plan: ParsedPlan) -> None:
    assert {(a.no, m.no) for a in plan.areas for m in a.measures} == set(MEASURES)


def test_no_measure_without_department(plan: ParsedPlan) -> None:
    assert all(m.departments for m in plan.measures)
    assert not [w for w in plan.warnings if w.code == "measure_without_department"]


def test_titles(plan: ParsedPlan) -> None:
    for (area_no, measure_no), title in TITLES.items():
        area = next(a for a in plan.areas if a.no == area_no)
        assert next(m for m in area.measures if m.no == measure_no).title == title


def test_spans_point_at_measure_text(plan: ParsedPlan) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    for area in plan.areas:
        for measure in area.measures:
            start, end = measure.span
            assert text[start:end].startswith(f"{measure.no}.")
            assert text[measure.text_start : end] == measure.text
            assert measure.text.startswith(measure.title)
            for ref in measure.departments:
                assert ref.source is not None
                assert text[ref.source[0] : ref.source[1]] == ref.raw
            for deadline in measure.deadlines:
                assert deadline.source is not None
                assert text[deadline.source[0] : deadline.source[1]] == deadline.raw
                assert deadline.span is not None
                assert start <= deadline.span[0] < deadline.span[1] <= end


def test_clause_scoped_departments(plan: ParsedPlan) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    finance = next(a for a in plan.areas if a.no == 7)
    measure = next(m for m in finance.measures if m.no == 2)
    spans = list(dict.fromkeys(ref.span for ref in measure.departments))
    assert len(spans) == len(FINANCE_2_GROUPS)
    for span, expected in zip(spans, FINANCE_2_GROUPS, strict=True):
        refs = [(r.role, r.name) for r in measure.departments if r.span == span]
        assert refs == [(role, DEPT[key]) for role, key in expected]
    assert spans[0] is not None
    first = text[spans[0][0] : spans[0][1]]
    assert first.startswith("优化银行信贷便利服务") and first.endswith("优化辖区银行存贷比。")
    assert text[spans[1][0] : spans[1][1]].startswith("稳定高效运行金融信用信息基础数据库")
    # A measure with a single group: the group covers the whole measure.
    single = next(m for m in finance.measures if m.no == 1)
    assert {r.span for r in single.departments} == {None}


def test_departments_directory(plan: ParsedPlan) -> None:
    by_name = {d.name: d for d in plan.departments}
    assert set(by_name) == set(DEPT.values())
    for key, name in DEPT.items():
        assert by_name[name].is_group == (key in GROUPS), name
    for name, aliases in ALIASES.items():
        assert aliases <= set(by_name[name].aliases), name
    # 市林业发展服务中心 / 市林业事业发展中心 may be one centre: reported, not merged.
    similar = [w for w in plan.warnings if w.code == "department_similar"]
    assert any("市林业发展服务中心" in w.message for w in similar)


def test_targets(plan: ParsedPlan) -> None:
    for (area_no, measure_no), expected in TARGETS.items():
        area = next(a for a in plan.areas if a.no == area_no)
        measure = next(m for m in area.measures if m.no == measure_no)
        got = [(t.op, t.value, t.unit) for t in measure.targets]
        for item in expected:
            assert item in got, (area_no, measure_no, got)


def test_json_shape(plan: ParsedPlan) -> None:
    data = plan.to_json()
    assert data["plan"] == {
        "title": "滕州市深入优化营商环境创新突破行动落实方案",
        "doc_number": "滕政发〔2021〕9号",
        "issuer": "滕州市人民政府",
        "date": "2021-06-18",
        "notice_title": "关于印发滕州市深入优化营商环境创新突破行动落实方案的通知",
        "source_name": "tengzhou-2021-9.txt",
    }
    first = data["areas"][0]["measures"][0]
    assert first["lead"][0] == "市行政审批服务局"
    assert first["deadlines"][0]["due"] == "2021-08-31"
    assert {"raw", "due", "kind"} <= set(first["deadlines"][0])
    assert {"name", "aliases", "is_group"} <= set(data["departments"][0])
