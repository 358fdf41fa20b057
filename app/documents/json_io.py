"""``GongwenDocument`` ⇄ JSON, so a draft can be stored, edited and rendered again.

The JSON is an object ``{"schema": "gongwen", "version": 1, ...fields}``; dates are ISO
(``"2021-06-18"``); each block is an object with a ``"type"`` of ``paragraph``, ``heading``,
``table`` or ``figure`` and that dataclass's fields. ``from_json`` refuses anything else with a
``DocumentFormatError`` whose Chinese message names the field — it never guesses, and a document
written by a newer version (a higher ``version``) is refused rather than half read.
Documented in docs/gongwen.md.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from typing import Any

from app.documents.model import (
    SCHEMA_VERSION,
    Attachment,
    Block,
    Figure,
    GongwenDocument,
    Heading,
    Paragraph,
    Table,
)

SCHEMA_NAME = "gongwen"
_BLOCK_TYPES: dict[str, type] = {
    "paragraph": Paragraph,
    "heading": Heading,
    "table": Table,
    "figure": Figure,
}
_TYPE_NAMES = {cls: name for name, cls in _BLOCK_TYPES.items()}
_DATE_FIELDS = {"date", "print_date"}


class DocumentFormatError(ValueError):
    """The JSON is not a stored 公文; the message (Chinese) says where and what to do."""


def to_dict(document: GongwenDocument) -> dict[str, Any]:
    data: dict[str, Any] = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION}
    for item in fields(GongwenDocument):
        if item.name == "version":
            continue
        value = getattr(document, item.name)
        if item.name in _DATE_FIELDS:
            data[item.name] = value.isoformat() if value is not None else None
        elif item.name == "body":
            data[item.name] = [_block_to_dict(block) for block in value]
        elif item.name == "attachments":
            data[item.name] = [
                {"title": a.title, "blocks": [_block_to_dict(b) for b in a.blocks]} for a in value
            ]
        else:
            data[item.name] = value
    return data


def to_json(document: GongwenDocument) -> str:
    return json.dumps(to_dict(document), ensure_ascii=False, indent=2)


def from_json(text: str | bytes) -> GongwenDocument:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise DocumentFormatError(
            f"公文数据不是有效的 JSON（{error}），文件可能已损坏。"
        ) from error
    return from_dict(data)


def from_dict(data: Any) -> GongwenDocument:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_NAME:
        raise DocumentFormatError("这不是本程序保存的公文数据（缺少 schema: gongwen）。")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise DocumentFormatError("公文数据缺少版本号，文件可能已损坏。")
    if version > SCHEMA_VERSION:
        raise DocumentFormatError("这份公文由更新版本的程序保存，请升级本程序后再打开。")
    values: dict[str, Any] = {}
    known = {item.name for item in fields(GongwenDocument)} - {"version"}
    unknown = sorted(set(data) - known - {"schema", "version"})
    if unknown:
        raise DocumentFormatError(f"公文数据中有无法识别的字段：{'、'.join(unknown)}。")
    for item in fields(GongwenDocument):
        name = item.name
        if name == "version" or name not in data:
            continue
        value = data[name]
        if name in _DATE_FIELDS:
            values[name] = _date(value, name, optional=name == "print_date")
        elif name == "body":
            values[name] = _blocks(value, "body")
        elif name == "attachments":
            values[name] = [
                _attachment(a, f"attachments[{i}]") for i, a in enumerate(_list(value, name))
            ]
        elif name in ("signers", "copy_to"):
            values[name] = [_text(v, f"{name}[{i}]") for i, v in enumerate(_list(value, name))]
        elif name == "seal":
            if not isinstance(value, bool):
                raise DocumentFormatError("公文数据的 seal（是否加盖印章）应为 true 或 false。")
            values[name] = value
        else:
            values[name] = _text(value, name)
    for required in ("issuer_mark", "number", "title", "recipients", "body", "signature", "date"):
        if required not in values:
            raise DocumentFormatError(f"公文数据缺少必需的字段 {required}。")
    return GongwenDocument(**values)


# ---- Blocks ------------------------------------------------------------------------------------


def _block_to_dict(block: Block) -> dict[str, Any]:
    data: dict[str, Any] = {"type": _TYPE_NAMES[type(block)]}
    for item in fields(block):
        data[item.name] = getattr(block, item.name)
    return data


def _blocks(value: Any, where: str) -> list[Block]:
    return [_block(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where))]


def _block(value: Any, where: str) -> Block:
    if not isinstance(value, dict) or value.get("type") not in _BLOCK_TYPES:
        kinds = "、".join(_BLOCK_TYPES)
        raise DocumentFormatError(f"公文数据 {where} 应是带 type（{kinds}）的对象。")
    cls = _BLOCK_TYPES[value["type"]]
    names = {item.name for item in fields(cls)}
    extra = sorted(set(value) - names - {"type"})
    if extra:
        raise DocumentFormatError(f"公文数据 {where} 中有无法识别的字段：{'、'.join(extra)}。")
    arguments = {key: item for key, item in value.items() if key != "type"}
    _check_block_values(cls, arguments, where)
    try:
        return cls(**arguments)
    except TypeError as error:
        raise DocumentFormatError(f"公文数据 {where} 缺少必需的字段（{error}）。") from error


def _check_block_values(cls: type, values: dict[str, Any], where: str) -> None:
    for key, item in values.items():
        here = f"{where}.{key}"
        if key in ("text", "body", "path", "caption", "width_unit", "text_size"):
            _text(item, here)
        elif key == "number":
            if item is not None:
                _text(item, here)
        elif key == "level":
            if not isinstance(item, int) or isinstance(item, bool):
                raise DocumentFormatError(f"公文数据 {here} 应是整数（1—4）。")
        elif key in ("header", "rows"):
            for i, row in enumerate(_list(item, here)):
                for j, cell in enumerate(_list(row, f"{here}[{i}]")):
                    _text(cell, f"{here}[{i}][{j}]")
        elif key == "widths":
            if item is not None and not all(
                isinstance(w, int | float) and not isinstance(w, bool) for w in _list(item, here)
            ):
                raise DocumentFormatError(f"公文数据 {here} 应是数字列表。")
        elif key == "align":
            if item is not None:
                for i, a in enumerate(_list(item, here)):
                    _text(a, f"{here}[{i}]")
        elif key == "width" and (not isinstance(item, int | float) or isinstance(item, bool)):
            raise DocumentFormatError(f"公文数据 {here} 应是数字。")


def _attachment(value: Any, where: str) -> Attachment:
    if not isinstance(value, dict) or "title" not in value:
        raise DocumentFormatError(f"公文数据 {where} 应是带 title 的对象。")
    extra = sorted(set(value) - {"title", "blocks"})
    if extra:
        raise DocumentFormatError(f"公文数据 {where} 中有无法识别的字段：{'、'.join(extra)}。")
    return Attachment(
        title=_text(value["title"], f"{where}.title"),
        blocks=_blocks(value.get("blocks", []), f"{where}.blocks"),
    )


# ---- Values ------------------------------------------------------------------------------------


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DocumentFormatError(f"公文数据 {where} 应是列表。")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise DocumentFormatError(f"公文数据 {where} 应是文字。")
    return value


def _date(value: Any, where: str, *, optional: bool) -> date | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise DocumentFormatError(f"公文数据 {where} 应是日期文字，如 2021-06-18。")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise DocumentFormatError(
            f"公文数据 {where} 的日期“{value}”无效，应写作 2021-06-18。"
        ) from error
