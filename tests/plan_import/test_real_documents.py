"""Real published plans found through search (fixtures/real, sources in SOURCES.md): what the
importer gets from each. Each test names what the real document does that the team's own
fixtures did not (labels on their own paragraphs, square brackets, 由X会同Y等部门研究提出,
a department line after sub-items (1)…(4), a table copied from a web page one cell a line)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.plan_import import ParsedMeasure, ParsedPlan, parse_file

REAL = Path(__file__).parent / "fixtures" / "real"


def _parse(name: str) -> ParsedPlan:
    return parse_file(REAL / name)


def _roles(measure: ParsedMeasure) -> tuple[list[str], list[str], list[str]]:
    return measure.lead, measure.responsible, measure.cooperating


def test_lishan_labels_on_their_own_paragraphs() -> None:
    """鞍立政发〔2023〕2号: 牵头单位:/责任单位: each a paragraph under its item, blank lines
    between, half-width colons and commas; 全区经济运行各专班 is a group of task forces."""
    plan = _parse("lishan_2023.txt")
    assert plan.doc_number == "鞍立政发〔2023〕2号"
    assert plan.date == date(2023, 3, 28)
    assert [(a.no, a.title) for a in plan.areas] == [(1, "经济社会发展的主要预期目标")]
    assert [(m.no, _roles(m)) for m in plan.measures] == [
        (1, (["区发改局"], ["立山经济开发区", "全区经济运行各专班"], [])),
        (2, (["区工信局"], ["立山经济开发区"], [])),
        (3, (["区发改局"], ["立山经济开发区", "各街道", "区直各部门"], [])),
        (4, (["区商务局"], ["各街道", "区市场局"], [])),
        (5, (["区财政局"], ["立山经济开发区", "各街道", "税务局"], [])),
    ]
    assert plan.measures[0].title == "努力实现地区生产总值增长6.2%左右"
    assert all(m.confidence == "high" for m in plan.measures)


def test_caidian_paren_items_with_a_responsibility_line() -> None:
    """蔡政办〔2023〕1号: （一）… items without a full stop, 责任单位: on the next paragraph; the
    notice's own numbered requests (一、各责任单位要…) are not measures."""
    plan = _parse("caidian_2023.txt")
    assert plan.date == date(2023, 1, 3)
    assert [(a.no, a.title) for a in plan.areas] == [(1, "2023年全区经济社会发展的主要预期目标")]
    assert [(m.no, m.title, m.responsible) for m in plan.measures] == [
        (1, "地区生产总值增长7%以上", ["区发展和改革局"]),
        (2, "规上工业增加值增长12%以上", ["区科技和经信局"]),
        (3, "固定资产投资增长10%以上", ["区发展和改革局"]),
    ]
    # the notice's 2023年1月15日前 is not a measure's deadline
    assert all(not m.deadlines for m in plan.measures)


def test_xialu_square_brackets() -> None:
    """下陆区: the group in square brackets [责任单位:…]; 明年 counted from the notice's date."""
    plan = _parse("xialu_2023.txt")
    (measure,) = plan.measures
    assert plan.areas[0].title == "抓机遇、引龙头,加快建设老鹳庙临空跨境电商产业园"
    assert measure.responsible == ["老街办", "区招商服务中心", "长乐投资有限公司"]
    # three 责任单位 and none named to lead: who is chased first is for the office to decide
    assert measure.confidence == "medium"
    assert [d.code for d in measure.doubts] == ["measure_without_lead"]
    assert [d.due for d in measure.deadlines] == [
        date(2023, 7, 31),
        date(2023, 11, 30),
        date(2023, 12, 31),
    ]


def test_state_council_office_prose_with_huitong() -> None:
    """国办函〔2014〕31号: "由X会同Y、Z……等部门研究提出落实意见" and "由X会同Y等部门负责落实"
    in running prose: the first leads, the others cooperate."""
    plan = _parse("guobanhan_2014_31.txt")
    assert plan.doc_number == "国办函〔2014〕31号"
    first, second = plan.measures
    assert _roles(first) == (
        ["发展改革委"],
        [],
        [
            "中央农办",
            "农业部",
            "财政部",
            "科技部",
            "国土资源部",
            "水利部",
            "商务部",
            "统计局",
            "粮食局",
        ],
    )
    assert _roles(second) == (["国土资源部"], [], ["农业部"])


def test_yuncheng_department_line_after_sub_items() -> None:
    """运城市: （一） area, 1. measure, (1)…(4) its sub-items, then (责任单位:…) on its own line:
    the group belongs to 1., not to the (4) above it nor to the whole （一）."""
    plan = _parse("yuncheng_2017.txt")
    assert [(a.title, [m.title for m in a.measures]) for a in plan.areas] == [
        ("“一案三制”建设", ["完善应急预案体系"])
    ]
    (measure,) = plan.measures
    assert measure.responsible == ["市直各有关单位", "各县(市、区)人民政府", "各开发区管委会"]
    assert "(4)加强应急预案的培训宣传" in measure.text


def test_liandu_table_copied_one_cell_a_line() -> None:
    """莲都区: the web page's table copied as text, one cell a paragraph, 责任单位 before 牵头单位
    and a 分类 column given once ("发展目标", which reads like a column name itself)."""
    plan = _parse("liandu_2023.txt")
    assert [(a.no, a.title) for a in plan.areas] == [(1, "发展目标")]
    assert [(m.no, m.title, m.lead) for m in plan.measures] == [
        (1, "地区生产总值增长6.5%以上", ["区发改局"]),
        (2, "区本级固定资产投资增长25%", ["区发改局"]),
        (3, "区本级规上工业增加值增长10%", ["区经商局"]),
        (4, "农业增加值增长3.5%", ["区农业农村局"]),
    ]
    assert plan.measures[0].responsible[:2] == ["区农业农村局", "区经商局"]
    assert len(plan.measures[0].responsible) == 9
    assert plan.measures[2].responsible == ["区经商局", "莲都经开区管委会"]
    # said, not silent: the table was rebuilt
    assert "table_cells_rebuilt" in [w.code for w in plan.warnings]


def test_beijing_labels_with_time_limits() -> None:
    """北京市政务公开工作重点任务分工: 牵头单位/责任单位/完成时限 paragraphs, indented."""
    plan = _parse("beijing_2016_division.txt")
    assert [(m.no, m.lead, m.responsible, [d.due for d in m.deadlines]) for m in plan.measures] == [
        (1, ["市人大常委会法制办", "市政府法制办"], [], [date(2018, 12, 31)]),
        (2, ["市政府办公厅", "市政府法制办"], ["各区政府", "市政府各部门"], [date(2018, 12, 31)]),
        (3, ["市政府办公厅", "市政府法制办"], ["各区政府", "市政府各部门"], [date(2017, 12, 31)]),
    ]


def test_anhui_small_full_stop_and_qualified_labels() -> None:
    """安徽省 重点工作: items numbered "1﹒" (a small full stop), 牵头负责领导 (a person, not a
    department), 牵头责任单位 and 协同责任单位. Before, the three items were read as one
    measure holding every department, at full confidence: the worst kind of failure."""
    plan = _parse("anhui_key_tasks.txt")
    assert [a.title for a in plan.areas] == ["确保完成全年主要预期目标"]
    m = plan.measures
    assert [(x.no, x.lead) for x in m] == [
        (1, ["省发展改革委"]),
        (2, ["省发展改革委"]),
        (3, ["省商务厅"]),
    ]
    assert m[0].cooperating == ["省政府各部门", "各直属机构"]
    assert m[2].cooperating[0] == "省发展改革委" and len(m[2].cooperating) == 7
    names = {ref.name for x in m for ref in x.departments}
    assert not names & {"刘惠", "周喜安"}  # the leaders are people
    assert all(not x.responsible for x in m)


def test_guangdong_division_label_in_prose() -> None:
    """粤府〔2021〕22号: 分管省领导 (a person) and 部门分工:X牵头,Y、Z配合."""
    plan = _parse("guangdong_2021.txt")
    assert plan.doc_number == "粤府〔2021〕22号"
    assert plan.date == date(2021, 3, 21)
    (measure,) = plan.measures
    assert _roles(measure) == (["省发展改革委"], [], ["各地", "各部门"])
    assert "林克庆" not in {ref.name for ref in measure.departments}


def test_items_numbered_in_a_way_not_known_are_flagged_not_silently_merged() -> None:
    """The 安徽 failure, with a numbering the parser still does not know ("2·"): the items
    run into one measure, but that measure is marked 存疑 with the reason."""
    text = (REAL / "anhui_key_tasks.txt").read_text(encoding="utf-8").replace("﹒", "·")
    from app.plan_import import parse_text

    plan = parse_text(text)
    assert len(plan.measures) < 3  # still not split …
    merged = plan.measures[0]
    assert merged.confidence == "low"  # … but not silent
    assert "measure_maybe_merged" in [d.code for d in merged.doubts]


def test_a_notice_of_four_issuers_keeps_its_title() -> None:
    """成都市 (four issuers, 2024): the 通知's title line is 80 characters, the issuers before
    关于; the plan's title is the one quoted inside. (The measures here are made up.)"""
    from app.plan_import import parse_text

    plan = parse_text(
        "成都市发展和改革委员会 中共成都市委社会工作部 成都市规划和自然资源局 成都市住房和"
        "城乡建设局 关于印发成都市城市社区嵌入式服务设施建设工程实施方案的通知\n\n"
        "各区(市)县政府(管委会),市级有关部门,有关单位:\n\n"
        "一、重点任务\n1.推进设施建设。（市发改委牵头）\n2.完善运营机制。（市住建局负责）\n"
    )
    assert plan.title == "成都市城市社区嵌入式服务设施建设工程实施方案"
    assert plan.issuer.startswith("成都市发展和改革委员会")
    assert len(plan.measures) == 2
