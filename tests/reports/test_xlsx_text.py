"""Every text the app writes into an .xlsx stays text, whatever it begins with (issue 8, item 2).

openpyxl stores a str beginning with "=" as a formula; text from a returned sheet such as
'=HYPERLINK("http://…","点此查看")' would then be live in the office's own workbook. The usual
injection starts (= + - @, tab, carriage return) are checked in both workbooks the app writes.
"""

from __future__ import annotations

import ast
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.ledger_workbook import (
    LEDGER_SHEET,
    AreaGroup,
    DepartmentLine,
    LedgerDocument,
    LedgerRow,
    OpenFinding,
    PlanBlock,
    ProgressNote,
    write_ledger_workbook,
)
from reports.progress_sheet import (
    COL_MEASURE,
    FIRST_DATA_ROW,
    HEADERS,
    META_SHEET,
    ROWS_SHEET,
    ItemKind,
    ProgressSheet,
    SheetRow,
    read_sheet,
    write_sheet,
)
from reports.xlsx_text import FORMULA_STARTS

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = {
    "=": '=HYPERLINK("http://example.com","点此查看")',
    "+": "+1+2",
    "-": "-2+3",
    "@": "@SUM(A1:A2)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def _ledger(texts: dict[str, str]) -> LedgerDocument:
    rows = [
        LedgerRow(
            number=f"1.{index}",
            title=text,
            lead=text,
            responsible=text,
            status="推进中",
            light="green",
            progress=[ProgressNote(text, date(2021, 7, 5), progress=text, problems=text)],
            findings=[OpenFinding(text)],
        )
        for index, text in enumerate(texts.values(), start=1)
    ]
    return LedgerDocument(
        title="=工作台账",
        as_of=date(2021, 7, 10),
        generated_on=date(2021, 7, 10),
        plans=[PlanBlock("+方案", "-文号", [AreaGroup(1, "@领域", rows)])],
        departments=[DepartmentLine(text, 1, 0, 1, 0, 0) for text in texts.values()],
    )


def _sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        }


def test_no_text_of_the_ledger_becomes_a_formula() -> None:
    buffer = io.BytesIO()
    write_ledger_workbook(_ledger(PAYLOADS), buffer)
    for name, xml in _sheet_xml(buffer.getvalue()).items():
        assert "<f>" not in xml and "<f " not in xml, name

    book = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = book[LEDGER_SHEET]
    found = {}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                assert cell.data_type == "s", cell.coordinate
                assert cell.quotePrefix, f"{cell.coordinate} is not kept as text when edited"
                found.setdefault(cell.value, cell.coordinate)
    # The texts come back exactly as they went in (措施, 牵头部门 and 责任部门 are unchanged).
    for text in PAYLOADS.values():
        assert text in found, repr(text)
    assert ws["A1"].value == "=工作台账" and ws["A1"].data_type == "s"
    names = book["部门"].iter_rows(min_row=4, min_col=2, max_col=2)
    departments = [cell.value for (cell,) in names]
    assert departments == list(PAYLOADS.values())


def test_ordinary_text_gets_no_quote_prefix() -> None:
    buffer = io.BytesIO()
    write_ledger_workbook(_ledger({"plain": "推进企业开办", "number": "92%"}), buffer)
    ws = load_workbook(buffer)[LEDGER_SHEET]
    cells = [
        cell for row in ws.iter_rows(min_row=4) for cell in row if cell.value == "推进企业开办"
    ]
    assert cells and not any(cell.quotePrefix for cell in cells)


def test_characters_an_xlsx_cannot_hold_do_not_break_the_export() -> None:
    # Word's manual line break (vertical tab) in a pasted measure text made openpyxl refuse.
    buffer = io.BytesIO()
    write_ledger_workbook(_ledger({"vt": "第一行\x0b第二行\x01"}), buffer)
    ws = load_workbook(buffer)[LEDGER_SHEET]
    assert "第一行\n第二行" in [cell.value for row in ws.iter_rows() for cell in row]


def _progress_sheet(text: str) -> ProgressSheet:
    return ProgressSheet(
        round_id="round-1",
        round_name=f"{text}调度&P",
        reply_due=date(2021, 8, 5),
        plan_id="plan-1",
        plan_title=text,
        department_id="dept-1",
        department_name=text,
        exported_on=date(2021, 7, 20),
        rows=[SheetRow(ItemKind.MEASURE, "m-1", text, "1.1", text, "牵头", text)],
        app_version="0.1.0",
    )


@pytest.mark.parametrize("start", list(PAYLOADS))
def test_progress_sheets_keep_every_text_as_text(start: str) -> None:
    text = PAYLOADS[start]
    buffer = io.BytesIO()
    write_sheet(_progress_sheet(text), buffer)
    for name, xml in _sheet_xml(buffer.getvalue()).items():
        assert "<f>" not in xml, name
    content = read_sheet(buffer.getvalue())
    # _meta is read back (as a formula it had no value); the reader strips spaces around it.
    assert content.meta.department_name == text.strip()
    assert content.meta.round_name == f"{text}调度&P".strip()
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = book[ROWS_SHEET]
    measure = ws.cell(FIRST_DATA_ROW, HEADERS.index(COL_MEASURE) + 1)
    assert (measure.value, measure.data_type, measure.quotePrefix) == (text, "s", True)
    assert book[META_SHEET]["B7"].value == text
    # "&P" in a round name is printed as "&P", not as the page number.
    assert "调度&&P" in ws.oddHeader.center.text


def test_no_builder_writes_a_cell_around_the_helper() -> None:
    """reports/ puts values into cells only through reports/xlsx_text.py."""
    offenders = []
    for path in (ROOT / "reports").glob("*.py"):
        if path.name == "xlsx_text.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "cell"
                and (len(node.args) > 2 or any(k.arg == "value" for k in node.keywords))
            ):
                offenders.append(f"{path.name}:{node.lineno} ws.cell(..., value)")
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "value":
                        offenders.append(f"{path.name}:{node.lineno} .value =")
    assert offenders == []
