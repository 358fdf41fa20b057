"""Which cells of an .xlsx sheet hold a formula whose result was never saved.

Excel and WPS save each formula with its last result (``<c><f>…</f><v>92</v></c>``); a workbook
written by a program (openpyxl, a script) often saves the formula alone (``<v>`` missing or
empty). openpyxl with ``data_only=True`` reads both a blank cell and such a formula as None, so a
reader that needs to tell them apart (to say "open and save it in Excel" instead of "not filled
in") asks here. A formula whose saved result is the empty string (``t="str"`` with an empty
``<v>``) is a real blank and is not reported.

This streams the sheet's XML once more, and parses it only when it contains a formula at all;
the caller has already checked the package's sizes (app/limits.py: check_package).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import IO
from xml.etree import ElementTree

# "f" then the end of a tag name: found fast (a literal first byte); confirmed by what precedes
_FORMULA_END = re.compile(rb"f[\s>/]")
_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
_OFFICE_DOCUMENT = "/officeDocument"


def uncached_formulas(data: bytes, sheet: str, *, max_row: int) -> dict[int, set[int]]:
    """Row number → 1-based column numbers of the cells of ``sheet`` holding a formula without a
    saved result, in rows up to ``max_row``; {} when the sheet is missing or has no formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        path = _sheet_paths(archive).get(sheet)
        if path is None or path not in archive.namelist() or not _has_formula(archive, path):
            return {}
        with archive.open(path) as xml:
            return _scan(xml, max_row)


def _has_formula(archive: zipfile.ZipFile, path: str) -> bool:
    """Whether the part contains an <f> element, read in chunks (the part may be 64 MB)."""
    tail = b""
    with archive.open(path) as stream:
        while chunk := stream.read(1024 * 1024):
            text = tail + chunk
            for match in _FORMULA_END.finditer(text, 1):
                if text[match.start() - 1] in b"<:":  # <f> or <x:f>
                    return True
            tail = chunk[-2:]
    return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the package, through the workbook's relationships."""
    workbook = "xl/workbook.xml"
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        for rel in ElementTree.fromstring(archive.read("_rels/.rels")):
            if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
                workbook = _resolve("", rel.get("Target", ""))
                break
    if workbook not in names:
        return {}
    folder = posixpath.dirname(workbook)
    rels_path = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    if rels_path not in names:
        return {}
    targets = {
        rel.get("Id"): _resolve(folder, rel.get("Target", ""))
        for rel in ElementTree.fromstring(archive.read(rels_path))
    }
    paths: dict[str, str] = {}
    for element in ElementTree.fromstring(archive.read(workbook)).iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
        name = element.get("name")
        if name is not None and rel_id in targets:
            paths[name] = targets[rel_id]
    return paths


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _scan(xml: IO[bytes], max_row: int) -> dict[int, set[int]]:
    """Cells are placed as openpyxl places them: by their reference, else after the previous."""
    found: dict[int, set[int]] = {}
    row = column = 0
    for event, element in ElementTree.iterparse(xml, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                number = element.get("r", "")
                row = int(number) if number.isdigit() else row + 1
                column = 0
                if row > max_row:
                    break
            continue
        if tag == "c":
            match = _REFERENCE.fullmatch(element.get("r", ""))
            if match:
                column, row = _column_number(match.group(1)), int(match.group(2))
            else:
                column += 1
            formula = value = None
            for child in element:
                child_tag = _local(child.tag)
                if child_tag == "f":
                    formula = child
                elif child_tag == "v":
                    value = child
            saved = value is not None and (bool(value.text) or element.get("t") == "str")
            if formula is not None and not saved and row <= max_row:
                found.setdefault(row, set()).add(column)
            element.clear()
        elif tag == "row":
            element.clear()
    return found
