"""A ``GongwenDocument`` as the line markup of app/documents/markup.py, and back: the text the
in-app editor shows and reads.

``to_markup(document, code)`` writes the fields, body and attachments in the markup a template
writes; ``from_markup(text, base)`` reads it back with the templates' own parser
(``build_document``), every character literal, then carries over from ``base`` what the markup
does not hold (the 成文日期 and 发文字号, 份号, 印发日期, a fixed heading number, figures).
``to_markup`` → ``from_markup`` gives the same document for everything a draft contains
(tests/documents/test_markup_text.py, hypothesis). What the markup cannot show is listed by
``hidden_parts`` so the editor can say it is kept as it was.

A paragraph whose text would read as markup (it starts with "#", "|", "\\" or a field such as
"【标题】") is written with a leading "\\", which the parser drops.
"""

from __future__ import annotations

from dataclasses import replace

from app.documents.markup import ATTACHMENT, ESCAPE, FIELDS, MarkedUp, build_document
from app.documents.model import (
    Attachment,
    Block,
    Figure,
    GongwenDocument,
    Heading,
    Paragraph,
    Table,
)
from app.documents.templates import Piece

_NAMES = {attribute: name for name, attribute in FIELDS.items()}
# Fields in the order a template writes them (the page's order).
_FIELD_ORDER = (
    "issuer_mark",
    "code",
    "classification",
    "urgency",
    "signers",
    "recipients",
    "title",
)
_CLOSING_FIELDS = ("signature", "seal", "note", "copy_to", "printer")


def to_markup(document: GongwenDocument, code: str = "") -> str:
    lines: list[str] = []
    values = {"code": code}
    for attribute in _FIELD_ORDER:
        value = values.get(attribute, getattr(document, attribute, ""))
        if attribute == "signers":
            value = "、".join(document.signers)
        if value:
            lines.append(f"【{_NAMES[attribute]}】{_one_line(str(value))}")
    lines.append("")
    lines.extend(_blocks(document.body))
    for attachment in document.attachments:
        lines.append("")
        lines.append(f"【{ATTACHMENT}】{_one_line(attachment.title)}")
        lines.extend(_blocks(attachment.blocks))
    lines.append("")
    for attribute in _CLOSING_FIELDS:
        if attribute == "seal":
            lines.append(f"【{_NAMES['seal']}】{'是' if document.seal else '否'}")
            continue
        value = getattr(document, attribute)
        if attribute == "copy_to":
            value = "、".join(document.copy_to)
        if value:
            lines.append(f"【{_NAMES[attribute]}】{_one_line(str(value))}")
    return "\n".join(lines).strip("\n") + "\n"


def from_markup(text: str, base: GongwenDocument) -> MarkedUp:
    """The document ``text`` describes; what the markup does not hold is taken from ``base``.
    Raises ``TemplateError`` (a Chinese message naming the line) for text it cannot read."""
    marked = build_document([Piece(text, True, 1)], day=base.date)
    document = marked.document
    document = replace(
        document,
        number=base.number,
        copy_number=base.copy_number,
        print_date=base.print_date,
        version=base.version,
        body=_carry_over(document.body, base.body),
        attachments=[
            Attachment(new.title, _carry_over(new.blocks, old.blocks if old else []))
            for new, old in zip(
                document.attachments,
                [*base.attachments, *[None] * len(document.attachments)],
                strict=False,
            )
        ],
    )
    return MarkedUp(document, marked.code)


def hidden_parts(document: GongwenDocument) -> list[str]:
    """What of ``document`` the markup does not show (kept as it is when the text is read back)."""
    hidden: list[str] = []
    blocks = [*document.body, *(b for a in document.attachments for b in a.blocks)]
    figures = sum(isinstance(block, Figure) for block in blocks)
    if figures:
        hidden.append(f"{figures} 幅插图")
    if any(isinstance(b, Heading) and b.number is not None for b in blocks):
        hidden.append("指定的小标题序号")
    if document.copy_number:
        hidden.append("份号")
    if document.print_date:
        hidden.append("印发日期")
    tables = [b for b in blocks if isinstance(b, Table)]
    if any(len(t.header) > 1 or t.caption for t in tables):
        hidden.append("表格的多行表头和表题")
    return hidden


# ---- Writing -------------------------------------------------------------------------------------


def _blocks(blocks: list[Block]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            text = _one_line(block.text + block.body)
            lines.append(f"{'#' * block.level} {text}")
        elif isinstance(block, Paragraph):
            lines.extend(_paragraph(text) for text in block.text.split("\n") if text.strip())
        elif isinstance(block, Table):
            lines.append("")
            lines.extend(_table(block))
            lines.append("")
    return lines


def _paragraph(text: str) -> str:
    text = _one_line(text)
    stripped = text.lstrip(" \t\u3000")
    if stripped.startswith(("#", "|", ESCAPE)) or _looks_like_field(stripped):
        return ESCAPE + text
    return text


def _looks_like_field(text: str) -> bool:
    if not text.startswith("【") or "】" not in text:
        return False
    name = text[1 : text.index("】")]
    return name in FIELDS or name == ATTACHMENT


def _table(table: Table) -> list[str]:
    rows = [*table.header[:1], *table.header[1:], *table.rows]
    lines = [_row(rows[0])]
    format_cells = _format_row(table)
    if format_cells:
        lines.append(_row(format_cells))
    lines.extend(_row(row) for row in rows[1:])
    return lines


def _format_row(table: Table) -> list[str]:
    columns = table.column_count
    align = table.align or ["left"] * columns
    widths = table.widths
    if widths is None and table.align is None:
        return []
    cells = []
    for index in range(columns):
        width = "" if widths is None else _number(widths[index])
        side = align[index] if index < len(align) else "left"
        if side == "center":
            cells.append(f":{width or '-'}:")
        elif side == "right":
            cells.append(f"{width or '-'}:")
        else:
            cells.append(f":{width or '-'}")
    return cells


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "｜")


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.replace("\r", "").split("\n") if part.strip())


# ---- Reading -------------------------------------------------------------------------------------


def _kept_align(old: Table, new: Table) -> list | None:
    """A table without alignments reads back as all left: keep it without."""
    if old.align is None and all(side == "left" for side in new.align or []):
        return None
    return new.align


def _carry_over(new: list[Block], old: list[Block]) -> list[Block]:
    """What the markup does not hold, kept from ``old``: the n-th heading keeps the n-th old
    heading's fixed number when their texts agree; the n-th table with the same first header
    row keeps the old one's further header rows, caption and text size; figures stay after
    the block they followed (by count of other blocks before them), or at the end."""
    old_headings = [b for b in old if isinstance(b, Heading)]
    old_tables = [b for b in old if isinstance(b, Table)]
    result: list[Block] = []
    heading_index = table_index = 0
    for block in new:
        if isinstance(block, Heading):
            previous = old_headings[heading_index] if heading_index < len(old_headings) else None
            heading_index += 1
            if (
                previous is not None
                and previous.number is not None
                and (previous.text + previous.body) == (block.text + block.body)
            ):
                block = replace(block, number=previous.number)
        elif isinstance(block, Table):
            previous_table = old_tables[table_index] if table_index < len(old_tables) else None
            table_index += 1
            if previous_table is not None and previous_table.header[:1] == block.header:
                block = replace(
                    block,
                    header=previous_table.header,
                    rows=block.rows[len(previous_table.header) - 1 :],
                    caption=previous_table.caption,
                    text_size=previous_table.text_size,
                    align=_kept_align(previous_table, block),
                )
        result.append(block)
    figures: list[tuple[int, Figure]] = []
    seen = 0
    for block in old:
        if isinstance(block, Figure):
            figures.append((seen, block))
        else:
            seen += 1
    for offset, (position, figure) in enumerate(figures):
        result.insert(min(position + offset, len(result)), figure)
    return result
