"""A 公文 as readable text, for golden files: every field, then every block on its own line."""

from __future__ import annotations

from app.documents.model import Block, Figure, GongwenDocument, Heading, Paragraph, Table


def dump(document: GongwenDocument) -> str:
    lines = [
        f"发文机关标志：{document.issuer_mark}",
        f"发文字号：{document.number}",
        f"标题：{document.title}",
        f"主送：{document.recipients}",
        f"署名：{document.signature}",
        f"成文日期：{document.date.isoformat()}",
        f"印章：{'是' if document.seal else '否'}",
        f"抄送：{'，'.join(document.copy_to)}",
        f"印发机关：{document.printer}",
        f"附注：{document.note}",
        "——正文——",
    ]
    lines += _blocks(document.body, "")
    for attachment in document.attachments:
        lines.append(f"——附件：{attachment.title}——")
        lines += _blocks(attachment.blocks, "")
    return "\n".join(lines) + "\n"


def _blocks(blocks: list[Block], indent: str) -> list[str]:
    lines = []
    for block in blocks:
        if isinstance(block, Paragraph):
            lines.append(f"{indent}段 {block.text}")
        elif isinstance(block, Heading):
            body = f" ‖ {block.body}" if block.body else ""
            lines.append(f"{indent}标题{block.level} {block.text}{body}")
        elif isinstance(block, Table):
            widths = ",".join(f"{w:g}" for w in block.widths) if block.widths else "均分"
            align = ",".join(block.align) if block.align else "默认"
            lines.append(f"{indent}表 {block.width_unit}:{widths} {align} {block.text_size}")
            for row in block.header:
                lines.append(f"{indent}  表头 {' | '.join(row)}")
            for row in block.rows:
                lines.append(f"{indent}  行 {' | '.join(row)}")
        elif isinstance(block, Figure):
            lines.append(f"{indent}图 {block.path} {block.caption}")
    return lines
