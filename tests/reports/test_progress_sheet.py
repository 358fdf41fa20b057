"""The progress sheet file format: what is written, and what the reader accepts and refuses."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from reports.progress_sheet import (
    COL_ACTUAL,
    COL_COMPLETED,
    COL_DUE,
    COL_ID,
    COL_MEASURE,
    COL_PHONE,
    COL_PROBLEMS,
    COL_PROGRESS,
    COL_REPORTER,
    COL_STATE,
    FIRST_DATA_ROW,
    FORMAT_VERSION,
    GUIDE_SHEET,
    HEAD_ROW,
    HEADER_ROW,
    HEADERS,
    META_SHEET,
    ROWS_SHEET,
    V1_HEADERS,
    ItemKind,
    ProgressSheet,
    SheetFormatError,
    SheetRow,
    item_code,
    parse_item_code,
    read_sheet,
    write_sheet,
)
from tests.reports.progress_sheet_v1 import write_sheet_v1

MILESTONE, MEASURE, TARGET = (str(uuid.uuid4()) for _ in range(3))


def _sheet(rows: list[SheetRow] | None = None) -> ProgressSheet:
    return ProgressSheet(
        round_id="round-1",
        round_name="2021年7月调度",
        reply_due=date(2021, 8, 5),
        plan_id="plan-1",
        plan_title="滕州市深入优化营商环境创新突破行动落实方案",
        department_id="dept-1",
        department_name="市税务局",
        exported_on=date(2021, 7, 20),
        rows=rows
        if rows is not None
        else [
            SheetRow(
                ItemKind.MILESTONE,
                MILESTONE,
                "开办企业",
                "1.5",
                "试行企业开办“掌上全程办”\n7月底前，试行企业开办全程无纸化办理。",
                "牵头",
                "7月底前",
                date(2021, 7, 31),
            ),
            SheetRow(ItemKind.MEASURE, MEASURE, "开办企业", "1.4", "持续优化开办流程。", "责任"),
            SheetRow(
                ItemKind.TARGET, TARGET, "获得电力", "4.2", "配网不停电作业化率达到92%", "配合"
            ),
        ],
        app_version="0.1.0",
    )


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.xlsx"
    write_sheet(_sheet(), path)
    return path


def _column(header: str) -> int:
    return HEADERS.index(header) + 1


def test_meta_and_rows_round_trip(written: Path) -> None:
    content = read_sheet(written)
    meta = content.meta
    assert (meta.format_version, meta.round_id, meta.round_name) == (2, "round-1", "2021年7月调度")
    assert (meta.plan_id, meta.department_id, meta.department_name) == (
        "plan-1",
        "dept-1",
        "市税务局",
    )
    assert (meta.exported_on, meta.app_version) == ("2021-07-20", "0.1.0")
    assert [entry.row for entry in content.entries] == [4, 5, 6]
    assert not content.contact_per_row
    assert {label: (h.value, h.cell) for label, h in content.head.items()} == {
        COL_REPORTER: (None, "B2"),
        COL_PHONE: (None, "E2"),
    }
    first = content.entries[0]
    assert first.get(COL_ID) == f"M-{MILESTONE}"
    assert first.get(COL_DUE) == date(2021, 7, 31)
    assert first.get(COL_STATE) is None
    assert [e.get(COL_ID) for e in content.entries][1:] == [f"S-{MEASURE}", f"T-{TARGET}"]
    assert set(first.values) == set(HEADERS)


def test_workbook_layout(written: Path) -> None:
    book = load_workbook(written)
    assert book.sheetnames == [GUIDE_SHEET, ROWS_SHEET, META_SHEET]
    assert book[META_SHEET].sheet_state == "veryHidden"
    assert book.active.title == GUIDE_SHEET
    guide_text = "\n".join(
        str(cell.value) for row in book[GUIDE_SHEET].iter_rows() for cell in row if cell.value
    )
    for needle in ("2021年7月调度", "市税务局", "2021年8月5日", "编号", "请勿修改"):
        assert needle in guide_text
    ws = book[ROWS_SHEET]
    assert [ws.cell(HEADER_ROW, i).value for i in range(1, len(HEADERS) + 1)] == list(HEADERS)
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert ws.protection.sheet is True
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.column_dimensions[get_column_letter(_column(COL_MEASURE))].width >= 40
    assert ws.cell(FIRST_DATA_ROW, _column(COL_MEASURE)).alignment.wrap_text
    assert ws.row_dimensions[FIRST_DATA_ROW].height > 30  # two lines of description


def test_only_the_departments_cells_are_unlocked(written: Path) -> None:
    ws = load_workbook(written)[ROWS_SHEET]
    milestone, measure, target = FIRST_DATA_ROW, FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 2

    def locked(row: int, header: str) -> bool:
        return ws.cell(row, _column(header)).protection.locked

    for row in (milestone, measure, target):
        assert locked(row, COL_ID) and locked(row, COL_MEASURE) and locked(row, COL_DUE)
        assert not locked(row, COL_PROGRESS) and not locked(row, COL_PROBLEMS)
    # The head: its labels locked, the answers beside them not.
    assert ws["A2"].value == COL_REPORTER and ws["D2"].value == COL_PHONE
    assert ws["A2"].protection.locked and ws["D2"].protection.locked
    assert not ws["B2"].protection.locked and not ws["E2"].protection.locked
    assert ws["B2"].number_format == ws["E2"].number_format == "@"  # a phone stays text
    for row in (milestone, measure):
        assert not locked(row, COL_STATE) and not locked(row, COL_COMPLETED)
        assert locked(row, COL_ACTUAL)
        assert ws.cell(row, _column(COL_ACTUAL)).fill.fgColor.rgb.endswith("EDEDED")
    assert locked(target, COL_STATE) and locked(target, COL_COMPLETED)
    assert not locked(target, COL_ACTUAL)


def test_state_dropdown_and_date_formats(written: Path) -> None:
    ws = load_workbook(written)[ROWS_SHEET]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"未开始,推进中,已完成"'
    state = ws.cell(FIRST_DATA_ROW, _column(COL_STATE)).column_letter
    covered = str(lists[0].sqref)
    assert f"{state}{FIRST_DATA_ROW}" in covered and f"{state}{FIRST_DATA_ROW + 1}" in covered
    assert f"{state}{FIRST_DATA_ROW + 2}" not in covered  # the target row has no state
    for header in (COL_DUE, COL_COMPLETED):
        assert ws.cell(FIRST_DATA_ROW, _column(header)).number_format == "yyyy-mm-dd"


def test_reader_returns_raw_values_skips_blank_rows_and_reads_percent_cells(
    written: Path,
) -> None:
    book = load_workbook(written)
    ws = book[ROWS_SHEET]
    ws.cell(FIRST_DATA_ROW, _column(COL_STATE), "已完成")
    ws.cell(FIRST_DATA_ROW, _column(COL_COMPLETED), datetime(2021, 7, 30))
    ws["E2"] = 13812345678  # typed into a cell someone reformatted as a number
    percent = ws.cell(FIRST_DATA_ROW + 2, _column(COL_ACTUAL), 0.925)
    percent.number_format = "0.0%"  # what Excel makes of typing 92.5%
    ws.cell(FIRST_DATA_ROW + 5, _column(COL_PROGRESS), "   ")  # whitespace only: blank
    book.save(written)
    content = read_sheet(written.read_bytes())
    entries = content.entries
    assert len(entries) == 3
    assert entries[0].get(COL_COMPLETED) == date(2021, 7, 30)
    assert content.head[COL_PHONE].value == 13812345678
    assert entries[2].get(COL_ACTUAL) == "92.5%"


def test_the_id_column_is_last_narrow_and_grey(written: Path) -> None:
    """编号 stays (the import needs it) but is not the first thing a department sees."""
    ws = load_workbook(written)[ROWS_SHEET]
    last = ws.max_column
    assert last == len(HEADERS) and HEADERS[-1] == COL_ID
    assert ws.cell(HEADER_ROW, last).value == COL_ID
    assert ws.cell(HEADER_ROW, 1).value != COL_ID
    letter = get_column_letter(last)
    widths = {
        header: ws.column_dimensions[get_column_letter(index)].width
        for index, header in enumerate(HEADERS, start=1)
    }
    assert widths[COL_ID] <= 6 and widths[COL_ID] == min(widths.values())
    assert not ws.column_dimensions[letter].hidden  # narrow, not hidden: still there to read
    for row in range(HEADER_ROW, FIRST_DATA_ROW + 3):
        cell = ws.cell(row, last)
        assert cell.font.color.rgb.endswith("808080"), row  # grey text
        assert cell.font.sz <= 9
    code = ws.cell(FIRST_DATA_ROW, last)
    assert code.value == f"M-{MILESTONE}" and code.protection.locked
    # "fill" clips the 38-character code to the narrow column instead of spilling it rightwards.
    assert code.alignment.horizontal == "fill"


def test_reporter_and_phone_are_asked_once_in_the_head(written: Path) -> None:
    ws = load_workbook(written)[ROWS_SHEET]
    headers = [ws.cell(HEADER_ROW, i).value for i in range(1, ws.max_column + 1)]
    assert COL_REPORTER not in headers and COL_PHONE not in headers
    head = {ws.cell(HEAD_ROW, i).value for i in range(1, ws.max_column + 1)}
    assert {COL_REPORTER, COL_PHONE} <= head
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"  # the head stays in view while scrolling
    guide = "\n".join(
        str(c.value) for row in load_workbook(written)[GUIDE_SHEET].iter_rows() for c in row
    )
    assert "第 2 行填写填报人和联系电话" in guide and "整行留空" in guide and "未填报" in guide
    assert "每行都要填写填报人" not in guide

    book = load_workbook(written)
    book[ROWS_SHEET]["B2"] = "李四"
    book[ROWS_SHEET]["E2"] = "0632-5500000"
    book.save(written)
    head_values = {k: v.value for k, v in read_sheet(written).head.items()}
    assert head_values == {COL_REPORTER: "李四", COL_PHONE: "0632-5500000"}


def test_a_version_1_sheet_is_still_read(tmp_path: Path) -> None:
    """A round exported before the update: 编号 first, 填报人/联系电话 on every row."""
    path = tmp_path / "v1.xlsx"
    write_sheet_v1(_sheet(), path)
    book = load_workbook(path)
    ws = book[ROWS_SHEET]
    assert ws.cell(2, 1).value == COL_ID and ws.cell(2, 15).value == COL_PHONE
    ws.cell(3, 14).value = "张三"
    ws.cell(3, 15).value = "0632-5512345"
    book.save(path)
    content = read_sheet(path)
    assert content.meta.format_version == 1 and content.contact_per_row
    assert content.head == {}
    assert [entry.row for entry in content.entries] == [3, 4, 5]
    first = content.entries[0]
    assert first.get(COL_ID) == f"M-{MILESTONE}" and first.get(COL_MEASURE).startswith("试行")
    assert (first.get(COL_REPORTER), first.get(COL_PHONE)) == ("张三", "0632-5512345")
    assert set(first.values) == set(V1_HEADERS)


def _drop_head_label(book) -> None:
    book[ROWS_SHEET]["D2"] = "电话"


def _workbook_bytes(edit) -> bytes:
    buffer = io.BytesIO()
    write_sheet(_sheet(), buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set_meta(key: str, value: str):
    def edit(book) -> None:
        ws = book[META_SHEET]
        for row in ws.iter_rows():
            if row[0].value == key:
                row[1].value = value

    return edit


def _rename_header(book) -> None:
    book[ROWS_SHEET].cell(HEADER_ROW, _column(COL_STATE), "状态")


def _plain_workbook() -> bytes:
    book = Workbook()
    book.active["A1"] = "编号"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _truncated() -> bytes:
    buffer = io.BytesIO()
    write_sheet(_sheet(), buffer)
    return buffer.getvalue()[:2000]


@pytest.mark.parametrize(
    ("make", "sheet", "column", "reason"),
    [
        (lambda: b"", None, None, "文件为空"),
        (lambda: "编号,完成状态\n".encode(), None, None, "不是 Excel .xlsx 文件"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), None, None, "旧版 .xls"),
        (_truncated, None, None, "损坏"),
        (_docx_like, None, None, "损坏"),
        (_plain_workbook, META_SHEET, None, "缺少隐藏的 _meta 工作表"),
        (lambda: _workbook_bytes(_set_meta("format", "other")), META_SHEET, None, "格式标识不符"),
        (
            lambda: _workbook_bytes(_set_meta("format_version", str(FORMAT_VERSION + 1))),
            META_SHEET,
            None,
            "更新版本",
        ),
        (
            lambda: _workbook_bytes(_set_meta("round_id", "")),
            META_SHEET,
            None,
            "缺少 round_id",
        ),
        (
            lambda: _workbook_bytes(lambda book: setattr(book[ROWS_SHEET], "title", "Sheet2")),
            ROWS_SHEET,
            None,
            "缺少“进展填报”工作表",
        ),
        (lambda: _workbook_bytes(_rename_header), ROWS_SHEET, COL_STATE, "表头缺少“完成状态”列"),
        (lambda: _workbook_bytes(_drop_head_label), ROWS_SHEET, COL_PHONE, "找不到“联系电话”栏"),
    ],
    ids=[
        "empty",
        "csv",
        "xls",
        "truncated",
        "not-a-workbook",
        "no-meta",
        "foreign-format",
        "newer-version",
        "meta-incomplete",
        "sheet-renamed",
        "header-changed",
        "head-label-changed",
    ],
)
def test_reader_refuses_what_is_not_a_progress_sheet(make, sheet, column, reason) -> None:
    with pytest.raises(SheetFormatError) as caught:
        read_sheet(make())
    assert reason in caught.value.message
    assert (caught.value.sheet, caught.value.column) == (sheet, column)


def test_item_codes() -> None:
    ref = str(uuid.uuid4())
    for kind in ItemKind:
        assert parse_item_code(item_code(kind, ref)) == (kind, ref)
        assert parse_item_code(f" {item_code(kind, ref)} ") == (kind, ref)
    for bad in ("", "M-", f"X-{ref}", f"M-{ref[:-1]}", f"M{ref}", f"M-{ref}x", ref):
        assert parse_item_code(bad) is None
