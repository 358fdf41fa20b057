"""Sizing rows of wrapped Chinese text in openpyxl workbooks (shared by the .xlsx builders).

Excel does not re-fit the height of rows written by openpyxl, so the builders estimate it: a
full-width character takes two units of column width, a half-width one takes one.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

LINE_HEIGHT = 14.5  # points per line of 11pt text
MAX_ROW_HEIGHT = 409  # Excel's limit


class SizedColumn(Protocol):
    width: float
    wrap: bool


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(columns: Sequence[SizedColumn], values: Sequence[Any]) -> int:
    """How many lines the tallest wrapped cell of a row needs."""
    lines = 1
    for column, value in zip(columns, values, strict=False):
        if column.wrap and isinstance(value, str):
            usable = max(1.0, column.width - 1)
            needed = sum(
                max(1, math.ceil(display_width(part) / usable)) for part in value.split("\n")
            )
            lines = max(lines, needed)
    return lines


def row_height(lines: int, padding: float) -> float:
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + padding)
