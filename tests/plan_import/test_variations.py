"""Small documents, one per variation of the plan family (fixtures/docs/*.txt)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.plan_import import ParsedMeasure, ParsedPlan, parse_file, parse_text

DOCS = Path(__file__).parent / "fixtures" / "docs"


def _parse(name: str) -> ParsedPlan:
    return parse_file(DOCS / name)


def _roles(measure: ParsedMeasure) -> tuple[list[str], list[str], list[str]]:
    return measure.lead, measure.responsible, measure.cooperating


def _codes(plan: ParsedPlan) -> list[str]:
    return [w.code for w in plan.warnings]


def test_unit_labels_and_cooperating() -> None:
    plan = _parse("labels_units.txt")
    first, second = plan.measures
    assert _roles(first) == (["市行政审批服务局"], ["市大数据中心"], ["市财政局", "市司法局"])
    assert _roles(second) == (["市行政审批服务局"], [], ["市政府办公室"])


def test_responsible_lists_and_verbs() -> None:
    plan = _parse("responsible_lists.txt")
    m = plan.measures
    # （X、Y负责）: the first listed leads.
    assert _roles(m[0]) == (["市发展改革委"], ["市财政局", "市税务局"], [])
    assert _roles(m[1]) == (["市大数据局"], [], [])
    # （X牵头，Y参与）
    assert _roles(m[2]) == (["人民银行某市中心支行"], [], ["市金融局", "市财政局"])
    # （X会同Y负责）
    assert _roles(m[3]) == (["市应急局"], [], ["市公安局"])
    # （X指导，Y负责）
    assert _roles(m[4]) == (["市发展改革委"], ["各县区政府"], [])
    assert next(d for d in plan.departments if d.name == "各县区政府").is_group


def test_first_listed_stated_once() -> None:
    plan = _parse("first_listed.txt")
    assert [(m.lead, m.responsible) for m in plan.measures] == [
        (["省发展改革委"], ["省财政厅"]),
        (["省商务厅"], ["省税务局"]),
        (["省商务厅"], ["省文化和旅游厅", "各市人民政府"]),
    ]
    assert "department_roles_unclear" not in _codes(plan)
    # No sections: one area numbered 1 with an empty title.
    assert [(a.no, a.title) for a in plan.areas] == [(1, "")]


def test_bare_list_without_statement_is_flagged() -> None:
    plan = _parse("bare_list_unstated.txt")
    (measure,) = plan.measures
    assert _roles(measure) == ([], ["市发展改革委", "市自然资源局"], [])
    assert "department_roles_unclear" in _codes(plan)


def test_halfwidth_brackets_and_colon_for_semicolon() -> None:
    plan = _parse("halfwidth.txt")
    first, second = plan.measures
    assert _roles(first) == (["市市场监督管理局"], ["市发展和改革局", "市司法局"], [])
    assert first.deadlines[0].due == date(2022, 9, 30)
    # "：" typed where "；" was meant.
    assert _roles(second) == (["市市场监督管理局"], ["市直各相关部门"], [])


def test_section_heading_without_numeral() -> None:
    plan = _parse("lost_numeral.txt")
    assert [(a.no, a.title, a.inferred) for a in plan.areas] == [
        (1, "开办企业", False),
        (2, "获得电力", True),
        (3, "纳税", False),
    ]
    # Numbering runs on across sections (1-2, 3-4, 5): not a numbering problem.
    assert [m.no for m in plan.measures] == [1, 2, 3, 4, 5]
    assert "measure_numbering" not in _codes(plan)
    warning = next(w for w in plan.warnings if w.code == "section_numeral_missing")
    assert "获得电力" in warning.message and warning.area_no == 2
    text = (DOCS / "lost_numeral.txt").read_text(encoding="utf-8")
    assert warning.offset == text.index("获得电力")


def test_paren_numbered_measures_and_background_sections() -> None:
    plan = _parse("paren_cn_measures.txt")
    # 总体要求 and 保障措施 are background, not measures.
    assert [(a.no, a.title) for a in plan.areas] == [(2, "重点任务")]
    assert [(m.no, m.title) for m in plan.measures] == [(1, "优化审批服务"), (2, "降低企业成本")]
    assert plan.measures[0].deadlines[0].due == date(2022, 6, 30)


def test_chinese_numbered_measures_without_sections() -> None:
    plan = _parse("cn_measures_no_sections.txt")
    assert [(a.no, a.title) for a in plan.areas] == [(1, "")]
    first, second, third = plan.measures
    assert [m.no for m in plan.measures] == [1, 2, 3]
    assert _roles(first) == (["县农业农村局"], [], [])
    assert _roles(second) == (["县自然资源局"], [], ["县林业局"])
    assert second.deadlines[0].due == date(2023, 12, 31)  # year from the title
    assert third.deadlines[0].kind == "recurring"
    assert (first.targets[0].op, first.targets[0].value) == (">=", 10.0)


def test_arabic_numbers_with_dun() -> None:
    plan = _parse("arabic_dun.txt")
    assert [m.no for m in plan.measures] == [1, 2]
    assert plan.measures[0].deadlines[0].due == date(2022, 8, 31)
    target = plan.measures[1].targets[0]
    assert (target.op, target.value, target.unit) == (">=", 15000.0, "人次")


def test_notice_wrapper_and_chinese_date() -> None:
    plan = _parse("notice_wrapper.txt")
    assert plan.title == "某市2022年营商环境攻坚行动方案"
    assert plan.notice_title == "关于印发《某市2022年营商环境攻坚行动方案》的通知"
    assert plan.doc_number == "某政办发〔2022〕12号"
    assert plan.issuer == "某市人民政府办公室"
    assert plan.date == date(2022, 3, 15)  # 二〇二二年三月十五日
    # 工作目标 and 保障措施 are not measures; the closing matter is not part of measure 3.
    assert [(a.title, [m.no for m in a.measures]) for a in plan.areas] == [
        ("优化政务服务", [1, 2]),
        ("优化法治环境", [3]),
    ]
    assert plan.measures[-1].text.endswith("（牵头部门：市司法局；责任部门：市直各有关部门）")
    assert plan.warnings == []


def test_department_forms_unified_from_the_document() -> None:
    plan = _parse("department_forms.txt")
    by_name = {d.name: d for d in plan.departments}
    # 〈…〉 alternative name, learned from the document and then used alone.
    assert by_name["市政府办公室"].aliases == ["市大数据局"]
    assert plan.measures[2].responsible == ["市政府办公室"]
    # With and without 市.
    assert by_name["市商务和投资促进局"].aliases == ["商务和投资促进局"]
    assert plan.measures[0].responsible == ["市商务和投资促进局"]
    # An abbreviation is unified, and the user is told.
    assert by_name["某市住房公积金管理中心分中心"].aliases == ["某市住房公积金中心分中心"]
    assert "department_abbreviation" in _codes(plan)
    # Trailing 等 / 等相关部门和专营单位, generic groups kept as groups.
    assert plan.measures[3].responsible == ["市发展和改革局", "相关部门和专营单位"]
    assert plan.measures[4].lead == ["市卫生健康局"]
    groups = {d.name for d in plan.departments if d.is_group}
    assert groups == {"各镇街", "市直相关部门", "相关部门和专营单位", "各有关省级人民政府"}
    # Nothing invented: every canonical name was written in the document.
    text = (DOCS / "department_forms.txt").read_text(encoding="utf-8")
    assert all(d.name in text and all(a in text for a in d.aliases) for d in plan.departments)


def test_parentheses_cover_their_own_clauses() -> None:
    plan = _parse("clauses.txt")
    text = (DOCS / "clauses.txt").read_text(encoding="utf-8")
    (measure,) = plan.measures
    spans = list(dict.fromkeys(r.span for r in measure.departments))
    assert len(spans) == 3
    covered = [text[s[0] : s[1]] for s in spans if s]
    assert covered[0].startswith("优化信贷服务") and covered[0].endswith("推广线上审批。")
    assert covered[1].startswith("完善征信系统")
    assert covered[2].startswith("搭建银企对接平台")
    second = [(r.role, r.name) for r in measure.departments if r.span == spans[1]]
    assert second == [("responsible", "人民银行某市支行"), ("cooperating", "市税务局")]
    # Each deadline belongs to its clause.
    first_due, second_due = measure.deadlines
    assert first_due.due == date(2021, 9, 30) and second_due.due == date(2021, 12, 31)
    assert first_due.span and text[first_due.span[0] : first_due.span[1]].startswith("完善征信系统")


def test_labels_on_their_own_lines() -> None:
    plan = _parse("label_lines.txt")
    first, second = plan.measures
    assert _roles(first) == (
        ["市发展和改革委员会"],
        ["市自然资源和规划局", "市住房和城乡建设局"],
        [],
    )
    assert {d.due for d in first.deadlines} == {date(2022, 6, 30)}
    assert [(d.kind, d.raw) for d in second.deadlines] == [("ongoing", "长期坚持")]


def test_doubtful_findings_are_warned() -> None:
    plan = _parse("doubtful.txt")
    codes = _codes(plan)
    assert "measure_without_department" in codes
    assert "department_unknown_form" in codes
    assert "deadline_unresolved" in codes
    assert "date_missing" in codes
    missing = next(w for w in plan.warnings if w.code == "measure_without_department")
    assert (missing.area_no, missing.measure_no) == (1, 1)


def test_deadline_before_document_date_is_warned() -> None:
    text = "某市方案\n2021年11月1日\n一、任务\n1.完成改革。3月底前完成。（牵头部门：市财政局）\n"
    plan = parse_text(text)
    assert plan.measures[0].deadlines[0].due == date(2021, 3, 31)
    assert "deadline_before_document" in _codes(plan)


def test_wrapped_lines_are_joined() -> None:
    """A PDF-style hard wrap inside a measure, even inside a department name or a date."""
    text = (
        "某市方案\n2021年6月1日\n一、任务\n"
        "1.推进改革。9月\n底前完成。（牵头部门：市行政审批\n服务局；责任部门：市财政局）\n"
        "2.加强监管。（牵头部门：市市场监督管理局）\n"
    )
    plan = parse_text(text)
    first, second = plan.measures
    assert first.lead == ["市行政审批服务局"] and first.responsible == ["市财政局"]
    assert first.deadlines[0].due == date(2021, 9, 30)
    assert first.deadlines[0].raw == "9月底前"
    source = first.deadlines[0].source
    assert source and text[source[0] : source[1]] == "9月\n底前"
    assert second.lead == ["市市场监督管理局"]


def test_empty_and_unstructured_text() -> None:
    assert parse_text("").measures == []
    plan = parse_text("这是一段没有任何结构的文字。")
    assert plan.measures == []
    assert "no_measures" in _codes(plan)


def test_nested_headings_get_unique_area_numbers() -> None:
    plan = _parse("nested_sections.txt")
    assert [(a.no, a.written_no, a.title, a.parent_title) for a in plan.areas] == [
        (1, 1, "深化审批改革", "优化政务环境"),
        (2, 2, "提升服务效能", "优化政务环境"),
        (3, 1, "加强监管", "优化市场环境"),
    ]
    assert "area_numbers_repeated" in _codes(plan)


def test_task_table_rows_are_measures() -> None:
    plan = _parse("task_table.txt")
    text = (DOCS / "task_table.txt").read_text(encoding="utf-8")
    assert [(a.no, a.title, [m.no for m in a.measures]) for a in plan.areas] == [
        (1, "政务服务", [1, 2]),
        (2, "市场环境", [3]),
    ]
    first, second, third = plan.measures
    assert first.text == "推行一网通办，全程网办率达到90%以上。"
    assert text[first.text_start : first.text_start + len(first.text)] == first.text
    assert _roles(first) == (["市行政审批服务局"], ["市大数据中心", "各区政府"], [])
    assert [(d.kind, d.due) for d in first.deadlines] == [("date", date(2022, 6, 30))]
    assert [(t.op, t.value, t.unit) for t in first.targets] == [(">=", 90.0, "%")]
    assert [(d.kind, d.raw) for d in second.deadlines] == [("ongoing", "长期坚持")]
    assert third.deadlines[0].due == date(2022, 9, 30)
    for measure in plan.measures:
        for ref in measure.departments:
            assert ref.source and text[ref.source[0] : ref.source[1]] == ref.raw
    assert plan.warnings == []


def test_docs_example_is_current() -> None:
    """docs/plan-json.md shows an input and its exact JSON output."""
    import json
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "plan-json.md").read_text("utf-8")
    example = doc[doc.index("## Example") :]
    text = re.search(r"```text\n(.*?)```", example, re.S)
    output = re.search(r"```json\n(.*?)```", example, re.S)
    assert text and output
    assert parse_text(text.group(1), "plan.txt").to_json() == json.loads(output.group(1))


def test_state_council_style_plan() -> None:
    """（一） measures numbered on across sections, verb groups, explicit years, periods."""
    plan = _parse("state_council_style.txt")
    assert plan.title == "全国深化“放管服”改革优化营商环境电视电话会议重点任务分工方案"
    assert (plan.doc_number, plan.issuer, plan.date) == (
        "国办发〔2019〕39号",
        "国务院办公厅",
        date(2019, 8, 1),
    )
    assert [(a.no, [m.no for m in a.measures]) for a in plan.areas] == [
        (1, [1, 2]),
        (2, [3, 4]),
        (3, [5]),
    ]
    m = plan.measures
    assert _roles(m[0]) == (["国务院审改办"], ["国务院有关部门"], [])
    assert _roles(m[2]) == (["市场监管总局"], ["公安部", "税务总局", "人力资源社会保障部"], [])
    assert _roles(m[3]) == (["财政部", "税务总局"], ["各地区", "各有关部门"], [])
    assert [(d.kind, d.due) for d in m[0].deadlines] == [("date", date(2019, 12, 31))]
    assert [(d.kind, d.due) for d in m[1].deadlines] == [("date", date(2019, 6, 30))]
    assert [(d.kind, d.due) for d in m[2].deadlines] == [("date", date(2020, 12, 31))]
    assert [(t.op, t.value, t.unit) for t in m[2].targets] == [("<=", 4.0, "工作日")]
    assert [d.kind for d in m[3].deadlines] == ["recurring"]
    assert [(d.kind, d.months) for d in m[4].deadlines] == [("period", 36), ("ongoing", None)]
    groups = {d.name for d in plan.departments if d.is_group}
    assert groups == {"国务院有关部门", "各有关省级人民政府", "各地区", "各有关部门"}


def test_missing_year_is_reported_once() -> None:
    text = "某市工作方案\n一、任务\n1.推进改革。6月底前完成。（牵头部门：市财政局）\n"
    text += "2.完善制度。9月底前完成。（牵头部门：市司法局）\n"
    plan = parse_text(text)
    assert [d.due for m in plan.measures for d in m.deadlines] == [None, None]
    assert _codes(plan).count("date_missing") == 1
    assert "deadline_unresolved" not in _codes(plan)
