"""Checks of a ``GongwenDocument`` against GB/T 9704-2012, with Chinese messages.

``problems(document)`` lists every problem (field, message); ``ensure_valid`` raises
``DocumentInvalid`` with all of them. ``issued=True`` adds what only an issued document needs (a
发文字号). Each message says what is wrong and what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.documents.model import (
    ALIGNMENTS,
    HEADING_LEVELS,
    TEXT_SIZES,
    WIDTH_UNITS,
    Attachment,
    Block,
    Figure,
    GongwenDocument,
    Heading,
    Paragraph,
    Table,
)

NUMBER_EXAMPLE = "滕政办发〔2021〕9号"
_NUMBER = re.compile(r"(?P<code>[\u4e00-\u9fff]+)〔(?P<year>\d{4})〕(?P<n>[1-9]\d*)号")
# Brackets people type instead of 〔〕.
_WRONG_BRACKETS = re.compile(r"[\[［【(（{｛﹝<《]\s*\d{2,4}\s*[\]］】)）}｝﹞>》]")
_ITEM_PUNCTUATION = "，,、。.；;：:"
_COPY_NUMBER = re.compile(r"\d{6}")
_URGENCIES = ("特急", "加急", "特提", "平急")  # 特提/平急: 电报
MAX_HEADING_ORDINAL = 99


@dataclass(frozen=True)
class Problem:
    field: str  # "number", "body[3]", "attachments[0].blocks[2]", …
    message: str


class DocumentInvalid(ValueError):
    def __init__(self, found: list[Problem]) -> None:
        self.problems = found
        super().__init__("\n".join(problem.message for problem in found))


def ensure_valid(document: GongwenDocument, *, issued: bool = False) -> None:
    found = problems(document, issued=issued)
    if found:
        raise DocumentInvalid(found)


def problems(document: GongwenDocument, *, issued: bool = False) -> list[Problem]:
    found: list[Problem] = []

    def add(name: str, message: str) -> None:
        found.append(Problem(name, message))

    if not document.issuer_mark.strip():
        add("issuer_mark", "缺少发文机关标志，请填写发文机关全称或规范化简称（可加“文件”二字）。")
    number_problem = check_number(document.number, required=issued)
    if number_problem:
        add("number", number_problem)
    if not document.title.strip():
        add("title", "缺少标题，请填写公文标题。")
    elif document.title.rstrip().endswith(("。", "，", "；")):
        add("title", "标题末尾不加标点符号，请删去末尾的标点。")
    recipients = document.recipients.strip()
    if recipients and not recipients.endswith("："):
        add("recipients", "主送机关末尾应使用全角冒号“：”，请改正。")
    elif recipients.endswith(("，：", "、：", "。：")):
        add("recipients", "主送机关在冒号前多了标点，请删去。")
    if not document.signature.strip():
        add("signature", "缺少发文机关署名，请填写发文机关全称或规范化简称。")
    if document.copy_number and not _COPY_NUMBER.fullmatch(document.copy_number):
        add("copy_number", "份号应为6位阿拉伯数字（如 000001），请改正或留空。")
    if document.urgency and document.urgency not in _URGENCIES:
        add("urgency", "紧急程度应为“特急”或“加急”，请改正或留空。")
    for index, name in enumerate(document.signers):
        if not name.strip():
            add(f"signers[{index}]", "签发人姓名为空，请填写或删除这一项。")
    note = document.note.strip()
    if note and not (note.startswith("（") and note.endswith("）")):
        add("note", "附注应加圆括号，如“（此件公开发布）”，请改正。")
    _check_blocks(document.body, "body", add)
    if not document.body:
        add("body", "正文为空，请至少写一段正文。")
    for index, attachment in enumerate(document.attachments):
        _check_attachment(attachment, f"attachments[{index}]", add)
    for index, name in enumerate(document.copy_to):
        where = f"copy_to[{index}]"
        stripped = name.strip()
        if not stripped:
            add(where, "抄送机关有一项为空，请填写或删除这一项。")
        elif stripped[-1] in _ITEM_PUNCTUATION or stripped[0] in _ITEM_PUNCTUATION:
            add(
                where, f"抄送机关“{stripped}”前后不要加标点：各项之间的“，”和末尾的“。”会自动加上。"
            )
        elif stripped.startswith("抄送"):
            add(where, "抄送机关不要写“抄送：”，只写机关名称，每项一个。")
    if len({name.strip() for name in document.copy_to}) < len(document.copy_to):
        add("copy_to", "抄送机关有重复的项，请删去重复的。")
    if not document.printer.strip():
        add("printer", "缺少印发机关，请填写（一般是发文机关的办公厅（室）或文秘部门）。")
    if document.print_date and document.print_date < document.date:
        add("print_date", "印发日期早于成文日期，请检查两个日期。")
    return found


def check_number(number: str, *, required: bool = False) -> str | None:
    """The problem with a 发文字号 (机关代字〔YYYY〕N号), or None when it is right (or empty and
    not ``required``)."""
    text = number.strip()
    if not text:
        return "缺少发文字号，签发前请编号，如 " + NUMBER_EXAMPLE + "。" if required else None
    if _NUMBER.fullmatch(text):
        return None
    if "第" in text:
        return f"发文字号的序号前不加“第”，应写作 {NUMBER_EXAMPLE} 这样的格式。"
    if _WRONG_BRACKETS.search(text):
        return f"发文字号的年份应使用六角括号〔〕，如 {NUMBER_EXAMPLE}。"
    year = re.search(r"〔(\d*)〕", text)
    if year and len(year.group(1)) != 4:
        return f"发文字号的年份应写全4位（如〔2021〕，不写〔21〕），如 {NUMBER_EXAMPLE}。"
    if re.search(r"〕0\d*号", text):
        return f"发文字号的序号不编虚位（写 9号，不写 09号 或 009号），如 {NUMBER_EXAMPLE}。"
    if not text.endswith("号"):
        return f"发文字号应以“号”结尾，如 {NUMBER_EXAMPLE}。"
    if not re.match(r"[\u4e00-\u9fff]", text):
        return f"发文字号应以发文机关代字开头，如 {NUMBER_EXAMPLE}。"
    return f"发文字号的格式应为 机关代字〔年份〕序号号，如 {NUMBER_EXAMPLE}。"


def _check_attachment(attachment: Attachment, where: str, add) -> None:
    title = attachment.title.strip()
    if not title:
        add(f"{where}.title", "附件缺少标题，请填写附件名称。")
    elif title[-1] in "。，；：.,;:":
        add(f"{where}.title", f"附件名称“{title}”后不加标点符号，请删去。")
    _check_blocks(attachment.blocks, f"{where}.blocks", add)


def _check_blocks(blocks: list[Block], where: str, add) -> None:
    ordinals = [0, 0, 0, 0]
    previous_level = 0
    for index, block in enumerate(blocks):
        here = f"{where}[{index}]"
        if isinstance(block, Paragraph):
            if not block.text.strip():
                add(here, "有一段正文为空，请填写或删除这一段。")
        elif isinstance(block, Heading):
            if block.level not in HEADING_LEVELS:
                add(here, f"标题层级应为1—4（一、（一）1.（1）），不能是 {block.level}。")
                continue
            if not block.text.strip():
                add(here, "有一个小标题为空，请填写或删除。")
            if block.level > previous_level + 1 and block.number is None:
                add(here, f"小标题“{block.text[:12]}”跳过了上一层级，请先写上一层级的标题。")
            ordinals[block.level - 1] += 1
            ordinals[block.level :] = [0] * (4 - block.level)
            if ordinals[block.level - 1] > MAX_HEADING_ORDINAL:
                add(here, "同一层级的小标题超过99个，请分组。")
            previous_level = block.level
        elif isinstance(block, Table):
            _check_table(block, here, add)
        elif isinstance(block, Figure):
            if not Path(block.path).is_file():
                add(here, f"找不到图片文件“{block.path}”，请重新选择图片。")
            if not 0 < block.width <= 1:
                add(here, "图片宽度应为版心宽度的 0—1 倍。")


def _check_table(table: Table, where: str, add) -> None:
    columns = table.column_count
    if columns == 0:
        add(where, "表格没有内容，请填写或删除表格。")
        return
    for index, row in enumerate([*table.header, *table.rows]):
        if len(row) != columns:
            add(where, f"表格第{index + 1}行有 {len(row)} 列，其他行有 {columns} 列，请补齐。")
            break
    if table.widths is not None:
        if len(table.widths) != columns:
            add(where, f"表格列宽有 {len(table.widths)} 个，表格有 {columns} 列，请一一对应。")
        elif any(width <= 0 for width in table.widths):
            add(where, "表格列宽应为正数。")
    if table.width_unit not in WIDTH_UNITS:
        add(where, "表格列宽单位应为 fraction（版心宽度的比例）或 chars（字数）。")
    if table.text_size not in TEXT_SIZES:
        add(where, "表格字号应为3号或4号。")
    if table.align is not None and (
        len(table.align) != columns or any(a not in ALIGNMENTS for a in table.align)
    ):
        add(where, "表格各列的对齐方式应为 left、center 或 right，且与列数一致。")
