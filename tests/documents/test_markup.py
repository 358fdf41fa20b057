"""The line markup of drafting templates (app/documents/markup.py): fields, headings with run-in
text, tables with a format line, attachments — read only in template text, never in values."""

from __future__ import annotations

from datetime import date

import pytest

from app.documents.markup import build_document
from app.documents.model import Attachment, Heading, Paragraph, Table
from app.documents.templates import TemplateError, render

DAY = date(2021, 8, 31)


def _build(source: str, data: dict | None = None):
    return build_document(render(source, data or {}), day=DAY)


def test_fields_headings_paragraphs_and_an_attachment() -> None:
    marked = _build(
        "【发文机关标志】滕州市人民政府办公室\n"
        "【机关代字】滕政办督\n"
        "【标题】关于某事的通报\n"
        "【主送】各有关单位：\n"
        "【署名】滕州市人民政府办公室\n"
        "【抄送】市委办公室，市人大常委会办公室、市政协办公室\n"
        "【印发机关】滕州市人民政府办公室\n"
        "【签发人】张三、李四\n"
        "【印章】否\n"
        "【附注】（此件公开发布）\n"
        "\n"
        "  开头一段。\n"
        "# 总体情况\n"
        "## 加强组织领导。各单位要高度重视。\n"
        "### 细化分工\n"
        "#### 明确时限。3月底前完成。\n"
        "【附件】问题清单\n"
        "附件里的一段。\n"
    )
    document = marked.document
    assert marked.code == "滕政办督"
    assert (document.issuer_mark, document.title, document.recipients, document.signature) == (
        "滕州市人民政府办公室",
        "关于某事的通报",
        "各有关单位：",
        "滕州市人民政府办公室",
    )
    assert document.copy_to == ["市委办公室", "市人大常委会办公室", "市政协办公室"]
    assert document.signers == ["张三", "李四"]
    assert (document.seal, document.note, document.printer, document.date, document.number) == (
        False,
        "（此件公开发布）",
        "滕州市人民政府办公室",
        DAY,
        "",
    )
    assert document.body == [
        Paragraph("开头一段。"),
        Heading(1, "总体情况"),
        Heading(2, "加强组织领导。", body="各单位要高度重视。"),
        Heading(3, "细化分工"),
        Heading(4, "明确时限。", body="3月底前完成。"),
    ]
    assert document.attachments == [Attachment("问题清单", [Paragraph("附件里的一段。")])]


def test_a_table_with_its_format_line() -> None:
    document = _build(
        "【标题】表\n"
        "| 序号 | 单位 | 问题 | 期限 |\n"
        "|:3:|:8|15|7:|\n"
        "{% for r in rows %}\n"
        "| {{ loop.index }} | {{ r.0 }} | {{ r.1 }} | {{ r.2 }} |\n"
        "{% endfor %}\n"
        "表后一段。\n"
        "| 甲 | 乙 |\n"
        "| 1 | 2 |\n",
        {"rows": [["市税务局", "窗口|无人", "9月底"], ["市教育局", "#未公示", ""]]},
    ).document
    first, paragraph, second = document.body
    assert first == Table(
        header=[["序号", "单位", "问题", "期限"]],
        rows=[["1", "市税务局", "窗口|无人", "9月底"], ["2", "市教育局", "#未公示", ""]],
        widths=[3.0, 8.0, 15.0, 7.0],
        width_unit="chars",
        align=["center", "left", "left", "right"],
        text_size="4号",
    )
    assert paragraph == Paragraph("表后一段。")
    # No format line (a literal row of numbers is data); fractions when all widths are ≤ 1.
    assert second.rows == [["1", "2"]] and second.widths is None
    fractions = _build("【标题】表\n| 甲 | 乙 |\n|:0.3:|0.7|\n").document.body[0]
    assert (fractions.widths, fractions.width_unit) == ([0.3, 0.7], "fraction")


def test_values_never_make_markup() -> None:
    data = {
        "heading": "# 不是标题",
        "field": "【标题】不是字段",
        "lines": "第一段\n第二段",
        "cell": "甲|乙\n丙",
    }
    document = _build(
        "【标题】真标题\n{{ heading }}\n{{ field }}\n{{ lines }}\n| 列 |\n| {{ cell }} |\n", data
    ).document
    assert document.title == "真标题"
    assert document.body == [
        Paragraph("# 不是标题"),
        Paragraph("【标题】不是字段"),
        Paragraph("第一段"),  # a value's line breaks make paragraphs, never markup
        Paragraph("第二段"),
        Table(header=[["列"]], rows=[["甲|乙丙"]], text_size="4号", align=None),
    ]


def test_a_bracket_that_is_no_field_is_text() -> None:
    document = _build("【标题】甲\n【典型案例】某局推行“一次办好”。\n").document
    assert document.body == [Paragraph("【典型案例】某局推行“一次办好”。")]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("正文\n", "模板：没有【标题】一行"),
        ("【标题】甲\n\n【标题】乙\n", "模板第 3 行：【标题】写了两次（第 1 行和第 3 行）"),
        ("【标题】甲\n| a | b |\n| 1 |\n", "模板第 3 行：表格这一行有 1 列，表头有 2 列"),
        ("【标题】甲\n| a | b |\n|:3:|\n", "模板第 3 行：表格格式行有 1 列，表头有 2 列"),
        ("【标题】甲\n| a | b |\n|:3:|-|\n", "模板第 3 行：表格格式行中请为每一列都写上宽度"),
        ("【标题】甲\n##### 五级\n", "模板第 2 行：小标题最多四级"),
        ("【标题】甲\n\n##   \n", "模板第 3 行：这个小标题没有文字"),
        ("【标题】甲\n【附件】\n", "模板第 2 行：【附件】后面应写附件的标题"),
        ("【标题】甲\n【印章】可能\n", "模板第 2 行：【印章】应写“是”或“否”"),
        ("【标题】甲\n|\n", "模板第 2 行：表格的表头没有内容"),
    ],
)
def test_markup_mistakes_name_the_line(source: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        _build(source)
    assert message in str(raised.value)


def test_the_line_of_a_mistake_inside_a_section_is_the_template_line() -> None:
    source = "【标题】甲\n| a | b |\n{% for r in rows %}\n| {{ r }} |\n{% endfor %}\n"
    with pytest.raises(TemplateError, match="模板第 4 行：表格这一行有 1 列"):
        _build(source, {"rows": ["x"]})
