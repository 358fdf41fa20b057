"""The drafting template language (app/documents/templates.py): placeholders, filters, repeated
sections, conditions, lines left by tags, values kept apart from template text, errors that name
the line, bounded work — and that no text whatever makes it raise anything but TemplateError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.documents import templates
from app.documents.templates import TemplateError, parse, render, render_text

DATA = {
    "round": {"name": "2021年7月调度", "due": None},
    "departments": [
        {"name": "市税务局", "overdue": 2, "items": ["甲", "乙"]},
        {"name": "市教育局", "overdue": 0, "items": []},
        {"name": "市水务局", "overdue": 1, "items": ["丙"]},
    ],
    "total": 201,
    "rate": 22.875,
    "done": True,
    "empty": [],
    "nothing": None,
}


def _text(source: str, data: dict | None = None) -> str:
    return render_text(source, DATA if data is None else data)


def _error(source: str, data: dict | None = None) -> TemplateError:
    with pytest.raises(TemplateError) as raised:
        _text(source, data)
    return raised.value


# ---- Placeholders and filters -----------------------------------------------------------------


def test_placeholders_write_values_by_dotted_names_and_list_positions() -> None:
    assert _text("关于{{ round.name }}情况的通报") == "关于2021年7月调度情况的通报"
    assert _text("{{departments.0.name}}、{{ departments.2.name }}") == "市税务局、市水务局"
    assert _text("[{{ departments.9.name }}]") == "[]"  # past the end: nothing to write
    assert _text("{{ total }}项，{{ rate }}，{{ done }}，[{{ nothing }}]，{{ round.due }}") == (
        "201项，22.88，是，[]，"
    )


def test_filters_count_join_map_first_last_default() -> None:
    assert _text("{{ departments | count }}") == "3"
    assert _text("{{ departments | map('name') | join('、') }}") == "市税务局、市教育局、市水务局"
    assert _text("{{ departments.0.items | join }}") == "甲、乙"  # 、 by default
    assert _text("{{ empty | first | default('无') }}、{{ empty | last }}") == "无、"
    assert _text("{{ empty | default(“没有”) }}、{{ total | default(0) }}") == "没有、201"
    assert _text("{{ departments | map(‘name’) | first }}") == "市税务局"
    assert _text('{{ departments | map("name") | last }}') == "市水务局"


def test_chinese_quotation_marks_delimit_strings_too() -> None:
    assert _text("{{ “甲” }}{{ ‘乙’ }}{{ '丙' }}{{ \"丁\" }}") == "甲乙丙丁"


# ---- Sections -----------------------------------------------------------------------------------


def test_a_for_section_repeats_with_loop_values_and_an_else_for_nothing() -> None:
    source = (
        "{% for d in departments %}{{ loop.index }}/{{ loop.length }}{{ d.name }}"
        "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}"
    )
    assert _text(source) == "1/3市税务局；2/3市教育局；3/3市水务局。"
    assert _text("{% for x in empty %}有{% else %}没有{% endfor %}") == "没有"
    assert _text("{% for x in nothing %}有{% endfor %}") == ""
    nested = (
        "{% for d in departments %}{% for i in d.items %}{{ d.name }}{{ i }},{% endfor %}"
        "{% endfor %}"
    )
    assert _text(nested) == "市税务局甲,市税务局乙,市水务局丙,"


def test_conditions_compare_and_combine() -> None:
    source = (
        "{% for d in departments %}{% if d.overdue > 1 %}多{% elif d.overdue == 1 %}一"
        "{% else %}无{% endif %}{% endfor %}"
    )
    assert _text(source) == "多无一"
    assert _text("{% if done and not empty %}是{% endif %}") == "是"
    assert _text("{% if empty or nothing %}是{% else %}否{% endif %}") == "否"
    assert _text("{% if departments | count >= 3 %}三{% endif %}") == "三"
    assert _text("{% if round.name != '' and (total < 300) %}对{% endif %}") == "对"
    assert _text("{% if round.name == “2021年7月调度” %}对{% endif %}") == "对"


def test_a_line_holding_only_tags_leaves_no_line_behind() -> None:
    source = (
        "标题\n"
        "{% for d in departments %}\n"
        "  {% if d.overdue %}\n"
        "{{ d.name }}\n"
        "  {% endif %}\n"
        "{% endfor %}\n"
        "{# 备注 #}\n"
        "结尾"
    )
    assert _text(source) == "标题\n市税务局\n市水务局\n结尾"
    # A tag inside a line keeps the line as written.
    assert _text("甲{% if done %}乙{% endif %}\n丙") == "甲乙\n丙"


def test_values_are_pieces_apart_from_the_template_text() -> None:
    pieces = render("# {{ name }}\n| {{ cell }} |", {"name": "# 不是标题", "cell": "a|b"})
    assert [(p.text, p.literal, p.line) for p in pieces] == [
        ("# ", True, 1),
        ("# 不是标题", False, 1),
        ("\n| ", True, 1),
        ("a|b", False, 2),
        (" |", True, 2),
    ]
    # Tags in a value are text, never evaluated.
    assert _text("{{ x }}", {"x": "{{ round.name }}{% for %}"}) == "{{ round.name }}{% for %}"


# ---- Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "第一行\n{{ round.nmae }}",
            "模板第 2 行：“round”中没有“nmae”这一项。可用的有：name、due。",
        ),
        ("\n\n{{ rund.name }}", "模板第 3 行：没有名为“rund”的数据。"),
        (
            "a\n{% for d in departments %}\nx",
            "模板第 2 行：{% for … in … %} 没有对应的 {% endfor %}。",
        ),
        ("{% if done %}\n\n{% endfor %}", "模板第 3 行：{% endfor %} 前面没有对应的 {% for … %}"),
        ("a\nb {% endif %}", "模板第 2 行：{% endif %} 前面没有对应的 {% if … %}。"),
        ("{{ total | sum }}", "模板第 1 行：没有名为“sum”的过滤器"),
        ("x\n{{ departments }}", "模板第 2 行：“departments”是一组数据，请用 {% for %} 逐项写出"),
        ("{{ round }}", "模板第 1 行：“round”包含多个子项"),
        ("\n{{ round.name", "模板第 2 行：“{{”没有对应的结尾"),
        ("{% for d of departments %}{% endfor %}", "重复段落应写作 {% for 项 in 列表 %}"),
        ("{% for d in total %}{% endfor %}", "“total”不是一组数据"),
        ("{% while done %}", "不认识的标记“{% while done %}”"),
        ("{% else %}", "{% else %} 前面应有"),
        ("{% if done %}{% else %}{% else %}{% endif %}", "只能有一个 {% else %}"),
        ("{% if done %}{% else %}{% elif done %}{% endif %}", "不能写在 {% else %} 之后"),
        ("{{ total > '3' }}", "只能比较两个数或两段文字"),
        ("{{ 'abc }}", "缺少结尾的引号"),
        ("{{ }}", "标记中缺少内容"),
        ("{{ a b }}", "“a b”后面多了内容"),
        ("{{ 名称 }}", "看不懂“名称 ”"),
        ("{{ departments | join(1) }}", "过滤器 join 的参数应是文字"),
        ("{{ departments | map }}", "过滤器 map 需要 1 个参数"),
        ("{{ total | count }}", "过滤器 count 只能用于一组数据或一段文字"),
        ("{{ round.name.x }}", "“round.name”没有子项“x”"),
        ("{{ departments.name }}", "“departments”是一组数据"),
        (
            "{{ (((((((((((((((((((((((((((((((((total))))))))))))))))))))))))))))))))) }}",
            "括号或 not 太多",
        ),
    ],
)
def test_a_broken_template_says_what_and_where(source: str, message: str) -> None:
    assert message in str(_error(source))


def test_the_error_carries_the_line_number() -> None:
    error = _error("a\nb\n\n{{ missing }}")
    assert (error.line, error.reason) == (4, error.reason)
    assert error.reason.startswith("没有名为“missing”的数据")


def test_work_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates, "MAX_ITERATIONS", 50)
    many = {"rows": list(range(10))}
    nested = "{% for a in rows %}{% for b in rows %}x{% endfor %}{% endfor %}"
    assert "重复次数太多" in str(_error(nested, many))
    monkeypatch.setattr(templates, "MAX_OUTPUT_CHARS", 100)
    assert "生成的文字太长" in str(_error("{% for a in rows %}" + "字" * 20 + "{% endfor %}", many))
    deep = "{% if done %}" * (templates.MAX_NESTING + 1)
    assert "嵌套太深" in str(_error(deep))
    with pytest.raises(TemplateError, match="模板太长"):
        parse("字" * (templates.MAX_TEMPLATE_CHARS + 1))


# ---- Anything at all ----------------------------------------------------------------------------

_MARKUP = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "for",
        "in",
        "if",
        "elif",
        "else",
        "endif",
        "endfor",
        "not",
        "and",
        "or",
        "|",
        "(",
        ")",
        ".",
        ",",
        "'",
        '"',
        "“",
        "”",
        "==",
        "<",
        ">=",
        "\n",
        " ",
        "departments",
        "d",
        "d.name",
        "loop.index",
        "total",
        "round.name",
        "count",
        "join",
        "map",
        "default",
        "first",
        "last",
        "0",
        "1.5",
        "【标题】",
        "#",
        "。",
        "一",
    ]
)
_SOURCE = st.lists(st.one_of(_MARKUP, st.text(max_size=4)), max_size=40).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.one_of(_SOURCE, st.text(max_size=200)))
@example("{% for d in departments %}{{ d.name }}{% endfor %}")
@example("{% if (((((((((((((((((((((((((((((((((((((((((((( %}")
@example("{{ not not not not not not not not not not not not not not not not not total }}")
def test_no_template_text_raises_anything_but_a_template_error(source: str) -> None:
    from datetime import date

    from app.documents.markup import build_document

    try:
        pieces = render(source, DATA)
        build_document(pieces, day=date(2021, 8, 31))
    except TemplateError as error:
        assert str(error).startswith("模板")
