"""The plan family's variations that failed before (issue 13): numbered measures whose title starts
with digits or is one word, unnumbered paragraph measures inside （一）…（六） groups, departments
named in running prose, a closing paragraph's time limit, year-only deadlines late in a paragraph,
department lists ending in 各区、县级市 or 等和各有关…人民政府. One fixture per kind
(fixtures/docs/family_*.txt), written from the public pattern."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.plan_import import ParsedMeasure, ParsedPlan, parse_file, parse_text

DOCS = Path(__file__).parent / "fixtures" / "docs"


def _parse(name: str) -> ParsedPlan:
    return parse_file(DOCS / f"family_{name}.txt")


def _roles(measure: ParsedMeasure) -> tuple[list[str], list[str], list[str]]:
    return measure.lead, measure.responsible, measure.cooperating


def _codes(measure: ParsedMeasure) -> list[str]:
    return [d.code for d in measure.doubts]


def test_titles_starting_with_digits_or_one_word_are_measures() -> None:
    plan = _parse("digits")
    first, second = plan.areas
    assert [(m.no, m.title) for m in first.measures] == [
        (6, "推行告知承诺"),
        (7, "12345热线提速行动"),
        (8, "5G网络覆盖"),
    ]
    # each keeps its own departments and deadline (they used to fall into measure 6)
    assert _roles(first.measures[0]) == (["市司法局"], [], [])
    assert _roles(first.measures[1]) == (["市政务服务局"], [], ["市大数据局"])
    assert first.measures[1].deadlines[0].due == date(2023, 6, 30)
    assert _roles(first.measures[2]) == (["市工信局"], [], [])
    # read from the numbering's order: the user is asked to check them
    assert _codes(first.measures[1]) == ["measure_number_guessed"]
    assert first.measures[1].confidence == "medium"
    # 3.宣传。 and a title standing on its own line (2.培训)
    assert [(m.no, m.title, m.lead) for m in second.measures] == [
        (1, "宣传", ["市委宣传部"]),
        (2, "培训", ["市人社局"]),
        (3, "评估", ["市发展改革委"]),
    ]


def test_decimal_in_running_text_is_not_a_measure() -> None:
    plan = parse_text(
        "某市工作方案\n\n一、重点任务\n1.扩大投资。全年投资增长\n"
        "2.5万亿元以上的目标不变。（市发展改革委负责）\n"
        "2.稳定就业。（市人社局负责）\n"
    )
    assert [(m.no, m.title) for m in plan.measures] == [(1, "扩大投资"), (2, "稳定就业")]
    assert "2.5万亿元" in plan.measures[0].text


def test_unnumbered_paragraphs_inside_groups_are_measures() -> None:
    plan = _parse("groups")
    assert [(a.no, a.title) for a in plan.areas] == [(1, "优化政务服务"), (2, "强化数据支撑")]
    m = [m for a in plan.areas for m in a.measures]
    assert [(x.no, _roles(x)) for x in m] == [
        (1, (["市政务服务局"], [], ["市大数据局"])),
        (2, (["市政务服务局"], [], ["市卫生健康委"])),
        (1, (["市大数据局"], [], [])),
        (2, (["市大数据局"], [], ["各区、县级市"])),
    ]
    assert m[1].deadlines[0].due == date(2024, 12, 31)  # 2024年实现全覆盖
    assert m[2].deadlines[0].due == date(2023, 12, 31)
    assert m[0].deadlines == [] and m[3].deadlines == []
    # split by paragraphs, not by numbers: every one is to be checked
    assert all(x.confidence == "medium" and "measure_unnumbered" in _codes(x) for x in m)
    # the closing section's time limit is nobody's
    assert all(d.raw != "2023年12月底前" for x in m for d in x.deadlines)


def test_departments_in_running_prose() -> None:
    plan = _parse("prose")
    first, second = plan.measures
    # "X牵头，Y、Z参与；……，W指导，各有关省级人民政府参与": two groups in one paragraph
    assert _roles(first) == (
        ["国家发展改革委", "民航局"],
        [],
        ["交通运输部", "国家铁路局", "各有关省级人民政府"],
    )
    # "X会同Y负责", then "A、B等和各有关省级人民政府按职责分工负责"
    assert first.lead and second.lead[0] == "国家能源局"
    assert "国家能源局会同国家发展改革委" not in second.lead
    assert "财政部" in second.lead
    assert "各有关省级人民政府" in second.responsible
    assert "国家发展改革委" in second.cooperating
    assert second.deadlines[0].due == date(2025, 12, 31)


def test_closing_paragraph_deadline_is_not_the_last_measures() -> None:
    plan = _parse("closing")
    last = plan.measures[-1]
    assert last.title == "推进工程建设项目审批改革"
    assert last.deadlines == []
    assert "各责任单位要细化工作举措" not in last.text
    assert plan.measures[1].deadlines[0].due == date(2023, 9, 30)
    assert "closing_paragraph" in [w.code for w in plan.warnings]


def test_department_list_endings() -> None:
    plan = _parse("lists")
    m = plan.measures
    assert _roles(m[0]) == (["省通信管理局"], [], ["省工业和信息化厅", "各地级以上市人民政府"])
    # 等省有关部门和各地级以上市人民政府: 等 ends the list, the groups after it are names
    assert _roles(m[1]) == (["省能源局"], ["省有关部门", "各地级以上市人民政府"], [])
    # 等和各有关市人民政府
    assert _roles(m[2]) == (["省财政厅"], ["省发展改革委", "各有关市人民政府"], [])
    # 各区、县级市 is one group; the list cut by a comma before its verb is one list
    assert _roles(m[3]) == (["市住房城乡建设局"], ["市城管局", "各区、县级市"], [])
    assert all(x.confidence == "high" for x in m[:4])
    # a year-only deadline late in a long paragraph: 力争2024年完成编制
    assert [(d.raw, d.due) for d in m[4].deadlines] == [("2024年", date(2024, 12, 31))]


def test_year_before_is_read_as_year_end_and_flagged() -> None:
    plan = parse_text(
        "某市工作方案\n\n一、重点任务\n1.建设平台。2024年前建成统一平台。（市大数据局负责）\n"
        "2.完善制度。（市司法局负责）\n"
    )
    first = plan.measures[0]
    assert first.deadlines[0].due == date(2024, 12, 31)
    assert "deadline_year_end" in _codes(first)
    assert first.confidence == "medium"
    assert plan.measures[1].confidence == "high"


def test_unknown_time_limit_label_is_flagged() -> None:
    plan = parse_text(
        "某市工作方案\n\n一、重点任务\n1.建设平台。（牵头单位：市大数据局；完成时限：分阶段推进）\n"
        "2.完善制度。（牵头单位：市司法局；完成时限：2023年6月底前）\n"
    )
    first, second = plan.measures
    assert "deadline_not_understood" in _codes(first)
    assert "deadline_not_understood" not in _codes(second)
    assert second.deadlines[0].due == date(2023, 6, 30)
