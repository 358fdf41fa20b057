"""Putting values into openpyxl cells so that text stays text (shared by the .xlsx builders).

openpyxl turns any str beginning with "=" into a formula, so a department's answer such as
``=HYPERLINK("http://…","点此查看")`` — stored as text — would come out of the office's own
workbook as a live formula. Every builder in reports/ therefore writes cells through ``put`` (or
``set_value``), never ``ws.cell(row, column, value)`` or ``cell.value = …``:

- every str becomes a string cell (data type "s", an inline string in the sheet XML, never an
  ``<f>`` element), whatever it begins with;
- text beginning with one of ``FORMULA_STARTS`` (= + - @, tab, carriage return: the usual
  CSV/Excel-injection set) also gets the cell style's ``quotePrefix``, so that editing the cell in
  Excel or WPS keeps it text, as if it had been typed after an apostrophe;
- characters XML cannot hold (openpyxl refuses them) are dropped, except vertical tab and form
  feed — Word's line and page breaks in pasted text — which become line feeds.

Numbers, dates and None are stored as they are. ``header_footer`` escapes "&" for the printed
header and footer, where "&P" would otherwise print a page number.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_BREAKS = re.compile(r"[\x0b\x0c]")
_NOT_XML = re.compile(r"[\x00-\x08\x0e-\x1f]")


def put(ws: Worksheet, row: int, column: int, value: Any = None) -> Cell:
    """The cell at (row, column) holding ``value``; a str stays text (see module docstring)."""
    cell = ws.cell(row, column)
    set_value(cell, value)
    return cell


def set_value(cell: Cell, value: Any) -> None:
    if not isinstance(value, str):
        cell.value = value
        return
    text = clean_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl made it "f" if it begins with "="
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def clean_text(text: str) -> str:
    """``text`` without the characters an .xlsx cannot hold (line breaks kept)."""
    return _NOT_XML.sub("", _BREAKS.sub("\n", text))


def header_footer(text: str) -> str:
    """Literal text for a printed header or footer ("&" is a field code there)."""
    return clean_text(text).replace("&", "&&")
