"""Returned sheets over a limit are refused at once, errors are listed up to a cap per file, and
formulas whose result was never saved are named as such (not as "未填写")."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

import main
from app import limits
from app.services.progress import ImportReport, ProgressService
from app.storage import Storage
from app.storage.export import export_database
from reports.progress_sheet import (
    COL_COMPLETED,
    COL_ID,
    COL_PROBLEMS,
    COL_PROGRESS,
    COL_REPORTER,
    COL_STATE,
    FIRST_DATA_ROW,
    FORMULA_NOT_SAVED,
    HEAD_ROW,
    HEADER_ROW,
    HEADERS,
    META_SHEET,
    ROWS_SHEET,
    ItemKind,
)
from tests.services.progress.support import (
    LEAD,
    RECEIVED,
    SMALL,
    _export,
    _fill,
    _items,
)
from tests.zipcraft import rebuild, repeated

ROWS_PART = "xl/worksheets/sheet2.xml"  # the writer's order: 填报说明, 进展填报, _meta
META_PART = "xl/worksheets/sheet3.xml"


def _import(service: ProgressService, *paths: Path) -> ImportReport:
    return service.import_files(list(paths), received_on=RECEIVED)


def _unchanged(storage: Storage, before: dict) -> None:
    assert export_database(storage) == before


def _with_rows(path: Path, rows: Iterable[bytes], dimension: str | None) -> Path:
    """The sheet with ``rows`` (raw <row> XML) after its own rows, and the given dimension."""
    data = path.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(data)).read(ROWS_PART).count(f"{ROWS_SHEET}".encode()) == 0

    def sheet(xml: bytes) -> Iterable[bytes]:
        text = xml.decode()
        if dimension is not None:
            text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', text)
        head, tail = text.split("</sheetData>", 1)
        yield head.encode()
        yield from rows
        yield ("</sheetData>" + tail).encode()

    path.write_bytes(rebuild(data, replace={ROWS_PART: sheet}, compresslevel=1))
    return path


def _bad_rows(start: int, count: int) -> Iterable[bytes]:
    for row in range(start, start + count):
        cell = f'<c r="A{row}" t="inlineStr"><is><t>M-{row}</t></is></c>'
        yield f'<row r="{row}">{cell}</row>'.encode()


@pytest.fixture
def small(service: ProgressService, round_id: str, tmp_path: Path) -> Path:
    return _export(service, round_id, tmp_path, SMALL)[SMALL]


# ---- Rows ----------------------------------------------------------------------------------------


def test_a_sheet_longer_than_the_limit_is_refused_by_its_dimension(
    storage: Storage, service: ProgressService, small: Path
) -> None:
    """Before: 10,100 rows were read and 10,100 errors listed; now one error, at once."""
    _fill(small)
    last = limits.MAX_SHEET_ROWS + 102
    _with_rows(small, _bad_rows(FIRST_DATA_ROW + 7, last - FIRST_DATA_ROW - 6), f"A1:O{last}")
    before = export_database(storage)
    report = _import(service, small)
    assert [(e.file, e.sheet, e.row) for e in report.errors] == [(small.name, ROWS_SHEET, None)]
    reason = report.errors[0].reason
    assert f"有 {limits.count_text(last)} 行" in reason and "上限 10,000 行" in reason
    assert report.error_count == 1 and not report.applied
    _unchanged(storage, before)


def test_a_sheet_whose_dimension_understates_its_rows_is_counted_while_read(
    storage: Storage, service: ProgressService, small: Path
) -> None:
    _fill(small)
    _with_rows(small, _bad_rows(FIRST_DATA_ROW + 7, limits.MAX_SHEET_ROWS), "A1:O9")
    before = export_database(storage)
    report = _import(service, small)
    assert len(report.errors) == 1 and "超过上限 10,000 行" in report.errors[0].reason
    _unchanged(storage, before)


def test_columns_far_to_the_right_are_not_read(service: ProgressService, small: Path) -> None:
    """A note in column XFD neither breaks the sheet nor costs 16,384 cells a row."""
    _fill(small)
    _with_rows(small, [b'<row r="20"><c r="XFD20" t="inlineStr"><is><t>x</t></is></c></row>'], None)
    report = _import(service, small)
    assert report.ok, [str(e) for e in report.errors]


# ---- How many errors are listed ------------------------------------------------------------------


def _every_row_wrong(path: Path) -> Path:
    """Three errors a task row: state, progress, completion date (target rows: the value)."""

    def edit(ws) -> None:
        column = {ws.cell(HEADER_ROW, i).value: i for i in range(1, ws.max_column + 1)}
        for row in range(FIRST_DATA_ROW, ws.max_row + 1):
            ws.cell(row, column[COL_STATE]).value = "也许"
            ws.cell(row, column[COL_PROGRESS]).value = None
            ws.cell(row, column[COL_COMPLETED]).value = "某天"

    return _fill(path, actual="很多", edit=edit)


def test_each_file_lists_its_first_errors_then_how_many_more(
    storage: Storage, service: ProgressService, round_id: str, tmp_path: Path
) -> None:
    sheets = _export(service, round_id, tmp_path, LEAD, SMALL)
    _every_row_wrong(sheets[LEAD])
    _fill(sheets[SMALL], reporter=None)
    before = export_database(storage)
    report = _import(service, sheets[LEAD], sheets[SMALL])
    items = _items(service, round_id, LEAD)
    targets = sum(1 for item in items if item.kind is ItemKind.TARGET)
    assert (len(items) - targets) * 3 + targets > limits.MAX_LISTED_ERRORS
    lead, small = sheets[LEAD].name, sheets[SMALL].name
    listed = [e.file for e in report.errors]
    assert listed.count(lead) == limits.MAX_LISTED_ERRORS
    assert listed.count(small) == 1  # one bad file does not hide another's errors
    assert set(report.unlisted) == {lead} and report.unlisted[lead] > 0
    total = report.error_count
    assert total == limits.MAX_LISTED_ERRORS + 1 + report.unlisted[lead]
    assert f"发现 {total} 处错误" in report.summary()
    note = report.unlisted_note()
    assert f"另有 {report.unlisted[lead]:,} 处错误未列出" in note and lead in note
    _unchanged(storage, before)


def test_the_cli_prints_the_listed_errors_and_the_count_of_the_rest(
    service: ProgressService, round_id: str, tmp_path: Path, db_path: Path, capsys
) -> None:
    sheet = _every_row_wrong(_export(service, round_id, tmp_path, LEAD)[LEAD])
    code = main.main(
        ["import-progress", "--db", str(db_path), "--received-on", "2021-08-03", str(sheet)]
    )
    out, err = capsys.readouterr()
    assert code == 1
    result = json.loads(out)
    assert len(result["errors"]) == limits.MAX_LISTED_ERRORS
    unlisted = result["errors_not_listed"][sheet.name]
    lines = err.strip().split("\n")
    assert len(lines) == limits.MAX_LISTED_ERRORS + 2
    assert lines[-2] == f"错误：另有 {unlisted:,} 处错误未列出（每个文件只列出前 200 处）：" + (
        f"{sheet.name} {unlisted:,} 处。"
    )
    total = limits.MAX_LISTED_ERRORS + unlisted
    assert lines[-1] == f"发现 {total} 处错误，本批 1 个文件均未导入。"


# ---- Size and package ----------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_unread(
    storage: Storage, service: ProgressService, tmp_path: Path
) -> None:
    path = tmp_path / "回复.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(limits.MAX_SHEET_FILE_BYTES))
    before = export_database(storage)
    report = _import(service, path)
    [issue] = report.errors
    assert (issue.file, issue.sheet, issue.row) == ("回复.xlsx", None, None)
    assert "大小为 20 MB" in issue.reason and "上限 20 MB" in issue.reason
    _unchanged(storage, before)


def test_a_sheet_that_inflates_like_a_bomb_is_refused_before_openpyxl(
    storage: Storage, service: ProgressService, small: Path
) -> None:
    _fill(small)
    row = b'<row><c t="inlineStr"><is><t>M-1</t></is></c></row>'
    data = small.read_bytes()

    def bomb(xml: bytes) -> Iterable[bytes]:
        head, tail = xml.split(b"</sheetData>", 1)
        yield head
        yield from repeated(row, limits.XLSX_LIMITS.max_part + 1)
        yield b"</sheetData>" + tail

    small.write_bytes(rebuild(data, replace={ROWS_PART: bomb}))
    assert small.stat().st_size < 1_000_000
    before = export_database(storage)
    report = _import(service, small)
    [issue] = report.errors
    assert ROWS_PART in issue.reason and "上限 64 MB" in issue.reason
    _unchanged(storage, before)


# ---- Formulas ------------------------------------------------------------------------------------


def test_a_formula_without_a_saved_result_is_named_not_called_empty(
    storage: Storage, service: ProgressService, small: Path
) -> None:
    """A script wrote formulas and never let Excel compute them: openpyxl reads None."""
    _fill(small, reporter='="张三"', cells={0: {COL_STATE: '=IF(1,"推进中","")'}})
    before = export_database(storage)
    report = _import(service, small)
    found = {(e.row, e.column): e.reason for e in report.errors}
    assert found == {
        (FIRST_DATA_ROW, COL_STATE): FORMULA_NOT_SAVED,
        (HEAD_ROW, COL_REPORTER): FORMULA_NOT_SAVED,
    }
    text = str(report.errors[0])
    assert small.name in text and ROWS_SHEET in text and f"第 {FIRST_DATA_ROW} 行" in text
    assert "Excel 或 WPS 中打开、保存" in text
    _unchanged(storage, before)


def test_a_formula_in_the_id_column_is_named_too(service: ProgressService, small: Path) -> None:
    def edit(ws) -> None:
        ws.cell(FIRST_DATA_ROW + 2, HEADERS.index(COL_ID) + 1).value = '="M-"&"x"'

    _fill(small, edit=edit)
    report = _import(service, small)
    assert (FIRST_DATA_ROW + 2, COL_ID, FORMULA_NOT_SAVED) in {
        (e.row, e.column, e.reason) for e in report.errors
    }
    assert not any("编号为空" in e.reason for e in report.errors)


def _cell(header: str, index: int) -> str:
    return f"{get_column_letter(HEADERS.index(header) + 1)}{FIRST_DATA_ROW + index}"


def _saved_by_excel(path: Path, results: dict[str, str]) -> Path:
    """As Excel saves formulas: each with its result (``t="str"`` for text), by cell."""

    def sheet(xml: bytes) -> Iterable[bytes]:
        text = xml.decode()
        for cell, result in results.items():
            pattern = re.compile(f'<c r="{cell}"([^>]*)><f>(.*?)</f><v></v>')
            saved = f'<c r="{cell}"\\1 t="str"><f>\\2</f><v>{result}</v>'
            text, count = pattern.subn(saved, text)
            assert count == 1, cell
        yield text.encode()

    path.write_bytes(rebuild(path.read_bytes(), replace={ROWS_PART: sheet}))
    return path


def test_formulas_saved_with_their_results_are_read_as_their_results(
    service: ProgressService, small: Path
) -> None:
    """Excel/WPS files, and a formula whose saved result is empty text (a real blank)."""
    _fill(small, cells={0: {COL_STATE: '=IF(1,"推进中","")', COL_PROBLEMS: '=""'}})
    _saved_by_excel(small, {_cell(COL_STATE, 0): "推进中", _cell(COL_PROBLEMS, 0): ""})
    report = _import(service, small)
    assert report.ok, [str(e) for e in report.errors]
    assert report.files[0].reports > 0


def test_a_formula_in_meta_without_its_result_is_named(
    storage: Storage, service: ProgressService, small: Path
) -> None:
    def edit(ws) -> None:
        meta = ws.parent[META_SHEET]
        for cells in meta.iter_rows():
            if cells[0].value == "round_id":
                cells[1].value = f'="{cells[1].value}"'

    _fill(small, edit=edit)
    report = _import(service, small)
    [issue] = report.errors
    assert issue.sheet == META_SHEET and issue.row is not None
    assert "公式" in issue.reason and "没有保存计算结果" in issue.reason
    assert zipfile.ZipFile(small).read(META_PART).count(b"<f>") == 1
