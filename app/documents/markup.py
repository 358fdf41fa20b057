"""Rendered template text → a ``GongwenDocument``: the line markup of drafting templates.

One line is one block; blank lines are ignored. Markup is read only in text written in the
template itself (``Piece.literal``), never in values from the data (app/documents/templates.py),
so a value cannot start a heading, split a table cell or set a field.

    【标题】关于……的通报          a field of the document (see ``FIELDS``); 【抄送】 and 【签发人】
                                   take names separated by "，" or "、"; 【印章】 是 / 否
    【附件】问题清单               the blocks after it form an attachment with this title
    # 总体情况                    a heading: # 一、  ## （一）  ### 1.  #### （1） (numbers are the
                                   renderer's); from ## on, text after the first "。" runs on in
                                   the body face: "## 加强组织领导。各单位要……"
    | 序号 | 单位 | 问题 |         a table: consecutive "|" lines, the first is the header; an
    |:3:|8|16|                    optional second line sets each column's alignment (":x" left,
                                   ":x:" centre, "x:" right) and width (characters, or fractions
                                   of the type width when all are at most 1)
    \\# 不是标题                  a paragraph written as it is: a leading "\\" (dropped) keeps
                                   a line that starts like markup ("#", "|", "【标题】") a paragraph
    any other line                a paragraph (a value with line breaks makes several)

A ``【…】`` with any other name is ordinary text. Problems are ``TemplateError`` naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from app.documents.model import Attachment, Block, GongwenDocument, Heading, Paragraph, Table
from app.documents.templates import Piece, TemplateError

# Chinese field name → GongwenDocument attribute ("code" is the 机关代字 of the 发文字号,
# kept beside the document: the number itself is assigned when the document is issued).
FIELDS = {
    "发文机关标志": "issuer_mark",
    "机关代字": "code",
    "标题": "title",
    "主送": "recipients",
    "署名": "signature",
    "签发人": "signers",
    "密级": "classification",
    "紧急程度": "urgency",
    "附注": "note",
    "抄送": "copy_to",
    "印发机关": "printer",
    "印章": "seal",
}
ATTACHMENT = "附件"
ESCAPE = "\\"  # a line starting with it is a paragraph whatever follows (the "\\" is dropped)
_LIST_FIELDS = ("signers", "copy_to")
_SEPARATORS = re.compile(r"[，、,；;]+")
_SPACE = " \t\u3000\r"
_FORMAT_CELL = re.compile(r"(:?)-*(\d+(?:\.\d+)?)?-*(:?)")
TABLE_TEXT_SIZE = "4号"  # GB/T 9704 allows the smaller size in tables; lists fit better


@dataclass
class MarkedUp:
    """What a template produced: the document and the 机关代字 for its number."""

    document: GongwenDocument
    code: str = ""


@dataclass
class _Line:
    pieces: list[Piece]
    line: int

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    def literal_prefix(self) -> str:
        prefix = []
        for piece in self.pieces:
            if not piece.literal:
                break
            prefix.append(piece.text)
        return "".join(prefix).lstrip(_SPACE)

    def after(self, count: int) -> list[Piece]:
        """The pieces after the first ``count`` characters of the line (leading space
        dropped first)."""
        rest: list[Piece] = []
        skipping = True
        remaining = count
        for piece in self.pieces:
            text = piece.text
            if skipping and piece.literal:
                stripped = text.lstrip(_SPACE)
                text = stripped
                if not text:
                    continue
            skipping = False
            if remaining:
                cut = min(remaining, len(text))
                text = text[cut:]
                remaining -= cut
            if text:
                rest.append(Piece(text, piece.literal, piece.line))
        return rest


@dataclass
class _Builder:
    fields: dict[str, tuple[str | list[str] | bool, int]] = field(default_factory=dict)
    body: list[Block] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    table: list[tuple[list[str], list[Piece], int]] | None = None  # rows being collected

    @property
    def blocks(self) -> list[Block]:
        return self.attachments[-1].blocks if self.attachments else self.body


def build_document(pieces: list[Piece], *, day: date) -> MarkedUp:
    """The document the rendered pieces describe, dated ``day`` (a draft's 成文日期)."""
    builder = _Builder()
    for line in _lines(pieces):
        text = line.text
        if not text.strip(_SPACE + "\n"):
            _end_table(builder)
            continue
        prefix = line.literal_prefix()
        if prefix.startswith(ESCAPE):
            for paragraph in _paragraphs(line.after(len(ESCAPE))):
                builder.blocks.append(Paragraph(paragraph))
            continue
        if prefix.startswith("|"):
            builder.table = builder.table or []
            builder.table.append((_cells(line), line.pieces, line.line))
            continue
        _end_table(builder)
        if prefix.startswith("【") and "】" in prefix:
            name = prefix[1 : prefix.index("】")]
            if name in FIELDS or name == ATTACHMENT:
                value = _plain(line.after(prefix.index("】") + 1))
                _field(builder, name, value, line.line)
                continue
        if prefix.startswith("#"):
            level = len(prefix) - len(prefix.lstrip("#"))
            if level > 4:
                raise TemplateError(line.line, "小标题最多四级（# 到 ####），请减少“#”。")
            heading = _plain(line.after(level)).strip(_SPACE)
            if not heading:
                raise TemplateError(line.line, "这个小标题没有文字，请填写或删去这一行。")
            builder.blocks.append(_heading(level, heading))
            continue
        for paragraph in _paragraphs(line.pieces):
            builder.blocks.append(Paragraph(paragraph))
    _end_table(builder)
    return _document(builder, day)


def _lines(pieces: list[Piece]) -> list[_Line]:
    lines: list[_Line] = []
    current: list[Piece] = []
    start = 1
    for piece in pieces:
        if not piece.literal or "\n" not in piece.text:
            if not current:
                start = piece.line
            current.append(piece)
            continue
        parts = piece.text.split("\n")
        for index, part in enumerate(parts):
            if index > 0:
                lines.append(_Line(current, start))
                current = []
                start = piece.line + index
            if part:
                if not current:
                    start = piece.line + index
                current.append(Piece(part, True, piece.line + index))
    if current:
        lines.append(_Line(current, start))
    return lines


def _plain(pieces: list[Piece]) -> str:
    """Field, heading and cell text: line breaks in values are dropped (one line of text)."""
    return "".join(piece.text.replace("\r", "").replace("\n", "") for piece in pieces).strip(_SPACE)


def _paragraphs(pieces: list[Piece]) -> list[str]:
    """A paragraph line; a value with line breaks starts a new paragraph at each."""
    text = "".join(piece.text.replace("\r", "") for piece in pieces)
    return [part.strip(_SPACE) for part in text.split("\n") if part.strip(_SPACE)]


def _heading(level: int, text: str) -> Heading:
    if level == 1 or "。" not in text[:-1]:
        return Heading(level, text)
    cut = text.index("。") + 1
    return Heading(level, text[:cut], body=text[cut:].strip(_SPACE))


def _cells(line: _Line) -> list[str]:
    """A table row: split at "|" written in the template (a "|" in a value stays)."""
    cells: list[list[str]] = [[]]
    pieces = line.pieces
    for piece in pieces:
        if not piece.literal:
            cells[-1].append(piece.text.replace("\r", "").replace("\n", ""))
            continue
        parts = piece.text.split("|")
        cells[-1].append(parts[0])
        for part in parts[1:]:
            cells.append([part])
    texts = ["".join(cell).strip(_SPACE) for cell in cells]
    texts = texts[1:]  # before the first "|": only space
    last_literal = next((p for p in reversed(pieces) if p.text.strip(_SPACE)), None)
    if (
        texts
        and last_literal is not None
        and last_literal.literal
        and last_literal.text.rstrip(_SPACE).endswith("|")
    ):
        texts = texts[:-1]
    return texts


def _end_table(builder: _Builder) -> None:
    rows = builder.table
    builder.table = None
    if not rows:
        return
    header_cells, _pieces, header_line = rows[0]
    columns = len(header_cells)
    if columns == 0:
        raise TemplateError(
            header_line, "表格的表头没有内容，请写出各列的名称，如“| 序号 | 单位 |”。"
        )
    widths: list[float] | None = None
    align: list[str] | None = None
    body = rows[1:]
    if body and _is_format_row(body[0]):
        cells, _, line = body[0]
        widths, align = _format(cells, columns, line)
        body = body[1:]
    for cells, _, line in body:
        if len(cells) != columns:
            raise TemplateError(
                line, f"表格这一行有 {len(cells)} 列，表头有 {columns} 列，请使每行列数相同。"
            )
    unit = "chars" if widths is not None and max(widths) > 1 else "fraction"
    builder.blocks.append(
        Table(
            header=[header_cells],
            rows=[cells for cells, _, _ in body],
            widths=widths,
            width_unit=unit,
            align=align,
            text_size=TABLE_TEXT_SIZE,
        )
    )


def _is_format_row(row: tuple[list[str], list[Piece], int]) -> bool:
    cells, pieces, _ = row
    if not cells or not all(piece.literal for piece in pieces):
        return False
    compact = [cell.replace(" ", "") for cell in cells]
    return all(cell and _FORMAT_CELL.fullmatch(cell) for cell in compact) and any(
        "-" in cell or ":" in cell for cell in compact
    )


def _format(cells: list[str], columns: int, line: int) -> tuple[list[float] | None, list[str]]:
    if len(cells) != columns:
        raise TemplateError(
            line, f"表格格式行有 {len(cells)} 列，表头有 {columns} 列，请一一对应。"
        )
    widths: list[float] = []
    align: list[str] = []
    for cell in cells:
        match = _FORMAT_CELL.fullmatch(cell.replace(" ", ""))
        assert match is not None
        left, number, right = match.groups()
        align.append("center" if left and right else "right" if right else "left")
        if number is not None:
            widths.append(float(number))
    if widths and len(widths) != columns:
        raise TemplateError(line, "表格格式行中请为每一列都写上宽度，或都不写。")
    if any(width <= 0 for width in widths):
        raise TemplateError(line, "表格列宽应大于 0。")
    return (widths or None), align


def _field(builder: _Builder, name: str, value: str, line: int) -> None:
    if name == ATTACHMENT:
        if not value:
            raise TemplateError(line, "【附件】后面应写附件的标题。")
        builder.attachments.append(Attachment(value))
        return
    attribute = FIELDS[name]
    if attribute in builder.fields:
        first = builder.fields[attribute][1]
        raise TemplateError(
            line, f"【{name}】写了两次（第 {first} 行和第 {line} 行），请删去一处。"
        )
    parsed: str | list[str] | bool = value
    if attribute in _LIST_FIELDS:
        parsed = [item.strip(_SPACE) for item in _SEPARATORS.split(value) if item.strip(_SPACE)]
    elif attribute == "seal":
        if value not in ("是", "否", "有", "无"):
            raise TemplateError(line, "【印章】应写“是”或“否”。")
        parsed = value in ("是", "有")
    builder.fields[attribute] = (parsed, line)


def _document(builder: _Builder, day: date) -> MarkedUp:
    values = {attribute: value for attribute, (value, _line) in builder.fields.items()}
    if not values.get("title"):
        raise TemplateError(
            None, "没有【标题】一行（或标题为空），请加上，如“【标题】关于……的通报”。"
        )
    code = str(values.pop("code", ""))
    document = GongwenDocument(
        issuer_mark=str(values.pop("issuer_mark", "")),
        number="",
        title=str(values.pop("title")),
        recipients=str(values.pop("recipients", "")),
        body=builder.body,
        signature=str(values.pop("signature", "")),
        date=day,
        attachments=builder.attachments,
        **values,  # type: ignore[arg-type]
    )
    return MarkedUp(document, code)
