"""Task tables (任务分工表) in .docx and .xlsx (issue 13, 3): the header found by its words,
areas from merged rows or a merged area column, continuation rows joined to their task, merged
department cells counted once, the same JSON as a prose plan; limits and refusals."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import limits
from app.plan_import import ParsedPlan, parse_file, parse_text
from app.plan_import.lines import header_roles
from app.plan_import.reader import PlanReadError, read_document
from app.plan_import.tables import MERGED_LEFT, grid_lines

TITLE = "某市2023年优化营商环境重点任务分工表"
# 序号 | 重点领域 | 重点任务 | 牵头单位 | 责任单位 | 完成时限; the area column merged down, task 1
# split over two rows (序号 merged down), task 3's 牵头 and 责任 cells merged across.
ROWS: list[list[str | None]] = [
    ["序号", "重点领域", "重点任务", "牵头单位", "责任单位", "完成时限"],
    [
        "1",
        "政务服务",
        "推行一网通办，全程网办率达到90%以上。",
        "市政务服务局",
        "市大数据局",
        "2023年6月底前",
    ],
    [None, None, "深化跨省通办，扩大通办事项范围。", None, "市公安局", "2023年9月底前"],
    ["2", None, "推进电子证照应用。", "市大数据局", "市大数据局", "2023年12月底前"],
    ["3", "市场环境", "加强信用监管。", "市市场监管局", None, "长期坚持"],
    ["4", None, "规范涉企收费。", "市发展改革委", "市财政局、市市场监管局", "2023年10月底前"],
]
MERGES = ["A2:A3", "B2:B4", "B5:B6", "D5:E5"]  # in the sheet, below the title row: +1 row
EXPECTED = [
    (1, "政务服务", [1, 2]),
    (2, "市场环境", [3, 4]),
]


def _check(plan: ParsedPlan) -> None:
    assert plan.title == TITLE
    assert [(a.no, a.title, [m.no for m in a.measures]) for a in plan.areas] == EXPECTED
    m = plan.measures
    assert [(x.lead, x.responsible) for x in m] == [
        (["市政务服务局"], ["市大数据局", "市公安局"]),
        (["市大数据局"], ["市大数据局"]),  # written twice, not merged: both roles kept
        (["市市场监管局"], []),  # one cell across 牵头 and 责任: the lead
        (["市发展改革委"], ["市财政局", "市市场监管局"]),
    ]
    assert "深化跨省通办" in m[0].text  # the continuation row is part of task 1
    assert [d.due for d in m[0].deadlines] == [date(2023, 6, 30), date(2023, 9, 30)]
    assert m[1].deadlines[0].due == date(2023, 12, 31)
    assert m[3].deadlines[0].due == date(2023, 10, 31)
    assert all(x.confidence == "high" for x in m), [(x.no, x.doubts) for x in m]


def _xlsx(rows: list[list[object]] = ROWS, merges: list[str] = MERGES) -> bytes:  # type: ignore[assignment]
    from openpyxl import Workbook
    from openpyxl.utils.cell import range_boundaries

    book = Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本表由市营商办汇总"])  # a sheet without a table: skipped
    sheet = book.create_sheet("任务分工")
    sheet.append([TITLE])
    for row in rows:
        sheet.append(row)
    for merge in merges:
        c1, r1, c2, r2 = range_boundaries(merge)
        sheet.merge_cells(start_row=r1 + 1, start_column=c1, end_row=r2 + 1, end_column=c2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx(path: Path) -> None:
    import docx
    from openpyxl.utils.cell import range_boundaries

    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, values in enumerate(ROWS):
        for c, value in enumerate(values):
            if value is not None:
                table.cell(r, c).text = value
    for merge in MERGES:
        c1, r1, c2, r2 = range_boundaries(merge)
        top = table.cell(r1 - 1, c1 - 1)
        text = top.text
        merged = top.merge(table.cell(r2 - 1, c2 - 1))
        merged.text = text  # merge() joins the texts of the cells it takes in
    document.save(str(path))


def test_xlsx_task_table(tmp_path: Path) -> None:
    path = tmp_path / "任务分工.xlsx"
    path.write_bytes(_xlsx())
    _check(parse_file(path))


def test_docx_task_table_with_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "任务分工.docx"
    _docx(path)
    _check(parse_file(path))


def test_the_same_json_as_the_prose_plan(tmp_path: Path) -> None:
    """The table and the same plan written as prose give the same measures."""
    path = tmp_path / "任务分工.xlsx"
    path.write_bytes(_xlsx())
    table = parse_file(path).to_json()
    prose = parse_text(
        f"{TITLE}\n\n一、政务服务\n1.推行一网通办，全程网办率达到90%以上。深化跨省通办，扩大通办"
        "事项范围。（牵头单位：市政务服务局；责任单位：市大数据局、市公安局；完成时限：2023年6月底前；"
        "2023年9月底前）\n"
        "2.推进电子证照应用。（牵头单位：市大数据局；责任单位：市大数据局；完成时限：2023年12月底前）\n"
        "二、市场环境\n3.加强信用监管。（牵头单位：市市场监管局；完成时限：长期坚持）\n"
        "4.规范涉企收费。（牵头单位：市发展改革委；责任单位：市财政局、市市场监管局；"
        "完成时限：2023年10月底前）\n"
    ).to_json()
    keys = ("no", "title", "lead", "responsible", "cooperating")

    def brief(plan: dict) -> list:
        return [
            (a["no"], a["title"], [tuple(m[k] for k in keys) for m in a["measures"]])
            for a in plan["areas"]
        ]

    assert brief(table) == brief(prose)
    assert set(table) == set(prose)


def test_two_row_header_and_dates_typed_as_dates(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "工作任务", "责任单位", None, "完成时间"],
        [None, None, "牵头单位", "配合单位", None],
        ["一、重点任务", None, None, None, None],
        [1, "建设统一受理平台。", "市政务服务局", "市大数据局", datetime(2023, 6, 30)],
        [2, "推行容缺受理。", "市政务服务局", "各县区政府", "2023年底前"],
    ]
    merges = ["A1:A2", "B1:B2", "C1:D1", "E1:E2", "A3:E3"]
    path = tmp_path / "分工.xlsx"
    path.write_bytes(_xlsx(rows, merges))
    plan = parse_file(path)
    assert [(a.no, a.title) for a in plan.areas] == [(1, "重点任务")]
    assert [(m.no, m.lead, m.cooperating) for m in plan.measures] == [
        (1, ["市政务服务局"], ["市大数据局"]),
        (2, ["市政务服务局"], ["各县区政府"]),
    ]
    assert plan.measures[0].deadlines[0].due == date(2023, 6, 30)
    assert plan.measures[1].deadlines[0].due == date(2023, 12, 31)


def test_area_column_without_area_words_is_found_by_its_merges() -> None:
    """Two task-like columns (重点工作 | 具体措施): the first, merged down, is the area."""
    grid: list[list[object]] = [
        ["重点工作", "具体措施", "牵头单位", "完成时限"],
        ["（一）优化审批", "压减审批时限。", "市政务服务局", "2023年6月底前"],
        ["（一）优化审批", "推行告知承诺。", "市司法局", "2023年9月底前"],
        ["（二）强化监管", "推行双随机抽查。", "市市场监管局", "2023年12月底前"],
    ]
    plan = parse_text("\n".join(["某市工作方案", *grid_lines(grid)]))
    assert [(a.title, [m.title for m in a.measures]) for a in plan.areas] == [
        ("优化审批", ["压减审批时限", "推行告知承诺"]),
        ("强化监管", ["推行双随机抽查"]),
    ]


def test_workbook_without_a_task_table_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "电话"])
    path = tmp_path / "通讯录.xlsx"
    book.save(path)
    with pytest.raises(PlanReadError) as caught:
        read_document(path)
    assert "没有找到任务分工表" in caught.value.message
    assert "表头" in caught.value.message


def test_workbook_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PLAN_TABLE_ROWS", 5)
    path = tmp_path / "任务分工.xlsx"
    path.write_bytes(_xlsx())  # 1 + 7 rows
    with pytest.raises(PlanReadError) as caught:
        read_document(path)
    assert "超过 5 行" in caught.value.message


def test_workbook_column_limit_refuses_rather_than_drops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_PLAN_TABLE_COLUMNS", 5)
    path = tmp_path / "任务分工.xlsx"
    path.write_bytes(_xlsx())  # 6 columns
    with pytest.raises(PlanReadError) as caught:
        read_document(path)
    assert "超出第 5 列" in caught.value.message


def test_workbook_package_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        limits, "XLSX_LIMITS", limits.PackageLimits("Excel 工作簿", 3, 10**9, 10**9)
    )
    path = tmp_path / "任务分工.xlsx"
    path.write_bytes(_xlsx())
    with pytest.raises(PlanReadError) as caught:
        read_document(path)
    assert "Excel 工作簿" in caught.value.message


# ---- Fuzzing the grid reader ------------------------------------------------------------------

_WORDS = [
    "序号",
    "重点任务",
    "牵头单位",
    "责任单位",
    "完成时限",
    "重点领域",
    "一、政务服务",
    "1",
    "2",
]
_CELL = st.one_of(
    st.none(),
    st.just(MERGED_LEFT),
    st.sampled_from(_WORDS),
    st.sampled_from(["市大数据局", "市财政局、市税务局", "推行一网通办。", "2023年6月底前"]),
    st.text(alphabet="市局一二、。，（）\t\n 1234年月底前", max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELL, max_size=7), max_size=9))
def test_grid_lines_never_fail_and_lose_no_text(grid: list[list[object]]) -> None:
    lines = grid_lines(grid)
    assert all("\n" not in line for line in lines)
    out = "\n".join(lines)
    for row in grid:
        if header_roles([c for c in row if isinstance(c, str)]):
            continue  # a header's words: a second header row refines the first one's
        for cell in row:
            if cell is None or cell is MERGED_LEFT:
                continue
            text = "".join(p.strip() for p in str(cell).replace("\t", " ").split("\n")).strip()
            for piece in text.split("、"):
                assert piece in out, (piece, lines)
    parse_text("\n".join(["某市工作方案", *lines]))  # and the parser takes it
