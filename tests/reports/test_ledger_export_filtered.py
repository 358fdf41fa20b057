"""导出工作台账 with the ledger page's filter: exactly the rows its table shows, in its order,
and a workbook that says which filter was applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.domain.ledger import Light, Role, Status
from app.services.calendar import HolidayTable
from app.services.ledger_export import (
    LedgerExport,
    LedgerExportError,
    is_filtering,
    sort_text,
)
from app.services.status import LedgerFilter, LedgerStatus, MeasureRow
from reports.ledger_workbook import DEPARTMENTS_SHEET, FIRST_DATA_ROW, LEDGER_SHEET, STATS_SHEET
from tests.reports.test_ledger_workbook import _AREA_ROW, _NUMBER, AS_OF, TITLE, Sample


@pytest.fixture
def sample(storage) -> Sample:
    return Sample(storage)


def _table(sample: Sample, filter_: LedgerFilter, sort="position", descending=False):
    """The rows the ledger table shows for this filter and sort (the page's own query)."""
    status = LedgerStatus(sample.storage.db, HolidayTable(sample.repo).calendar())
    query = status.query(filter_, as_of=AS_OF, sort=sort, descending=descending)
    return [_number(row) for row in status.rows(query)]


def _number(row: MeasureRow) -> str:
    return f"{row.area_no}.{row.no}"


def _export(sample: Sample, tmp_path: Path, filter_, sort="position", descending=False):
    path, doc = LedgerExport(sample.repo).export_document(
        tmp_path / "筛选.xlsx", None, AS_OF, filter=filter_, sort=sort, descending=descending
    )
    return load_workbook(path), doc


def _lines(ws: Worksheet) -> list[str]:
    """Column A of the ledger sheet below the header: area rows and 序号."""
    return [str(ws.cell(row, 1).value) for row in range(FIRST_DATA_ROW, ws.max_row + 1)]


def test_red_lights_in_plan_order_are_grouped_under_their_areas(sample, tmp_path) -> None:
    red = LedgerFilter(lights=frozenset({Light.RED}))
    expected = _table(sample, red)
    assert 5 < len(expected) < 201  # a real filter: some of the ledger, not all of it
    workbook, doc = _export(sample, tmp_path, red)
    ws = workbook[LEDGER_SHEET]
    lines = _lines(ws)
    numbers = [line for line in lines if _NUMBER.fullmatch(line)]
    assert numbers == expected  # exactly the table's rows, in its order
    # Each area with red measures heads its rows with the right count; the others are left out.
    groups = [line for line in lines if _AREA_ROW.fullmatch(line)]
    areas = list(dict.fromkeys(number.split(".")[0] for number in expected))
    assert len(groups) == len(areas)
    assert sum(int(_AREA_ROW.fullmatch(line).group(1)) for line in groups) == len(expected)
    assert ws["A1"].value == f"{TITLE} 工作台账（筛选结果，截至2021年7月10日）"
    assert "筛选条件：亮灯：红灯" in ws["A2"].value
    assert f"共 {len(expected)} 项措施" in ws["A2"].value
    assert "排序" not in ws["A2"].value  # the plan's own order
    assert doc.scope == "亮灯：红灯" and doc.listing is None


def test_sorted_across_areas_the_rows_keep_the_tables_order(sample, tmp_path) -> None:
    overdue = LedgerFilter(statuses=frozenset({Status.OVERDUE, Status.NOT_STARTED}))
    expected = _table(sample, overdue, "next_due", descending=True)
    workbook, doc = _export(sample, tmp_path, overdue, "next_due", descending=True)
    ws = workbook[LEDGER_SHEET]
    lines = _lines(ws)
    assert lines == expected  # no plan or area rows between them
    assert expected != sorted(expected, key=lambda n: [int(p) for p in n.split(".")])
    assert "排序：按完成期限降序" in ws["A2"].value
    assert "状态：未开始、逾期" in ws["A2"].value or "状态：逾期、未开始" in ws["A2"].value
    # The 统计 sheet still counts them by area, and in all.
    stats = workbook[STATS_SHEET]
    assert stats["A1"].value.startswith("工作台账统计（筛选结果，")
    assert "仅统计筛选结果中的措施" in stats["A2"].value
    total = next(
        row for row in stats.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if row[0] == "合计"
    )
    assert total[1] == len(expected) == len(doc.rows)


def test_the_departments_sheet_counts_only_the_exported_measures(sample, tmp_path) -> None:
    department = sample.department("市行政审批服务局")
    mine = LedgerFilter(department_id=department, role=Role.LEAD)
    expected = _table(sample, mine)
    workbook, _doc = _export(sample, tmp_path, mine)
    assert [line for line in _lines(workbook[LEDGER_SHEET]) if _NUMBER.fullmatch(line)] == expected
    sheet = workbook[DEPARTMENTS_SHEET]
    assert sheet["A1"].value.startswith("各部门工作台账情况（筛选结果，")
    lines = {row[1]: row for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)}
    assert lines["市行政审批服务局"][2] == len(expected)  # 牵头（项）: all of the exported
    assert all(line[4] <= len(expected) for line in lines.values())


def test_the_filter_is_described_as_the_filter_bar_shows_it(sample) -> None:
    export = LedgerExport(sample.repo)
    area = sample.storage.db.execute("SELECT id FROM areas WHERE no = 1").fetchone()[0]
    every = LedgerFilter(
        plan_id=sample.plan_id,
        area_id=area,
        department_id=sample.department("市行政审批服务局"),
        role=Role.LEAD,
        statuses=frozenset({Status.OVERDUE}),
        lights=frozenset({Light.GREEN, Light.RED}),
        due_month="2021-06",
        overdue_only=True,
        open_findings=True,
        text=" 营业执照 ",
    )
    assert export.describe_filter(every) == (
        f"方案：{TITLE}；领域：一、开办企业；部门：市行政审批服务局（牵头）；状态：逾期；"
        "亮灯：红灯、绿灯；到期月份：2021年6月；仅看逾期；有未整改问题；搜索：“营业执照”"
    )
    assert export.describe_filter(LedgerFilter()) == ""
    # Blank search text and a role without a department leave nothing out.
    assert not is_filtering(LedgerFilter(text="  ", role=Role.LEAD))
    assert is_filtering(LedgerFilter(overdue_only=True))
    assert sort_text("light", True) == "按亮灯降序" and sort_text("position", False) == ""


def test_an_empty_filtered_result_is_refused_and_writes_nothing(sample, tmp_path) -> None:
    nothing = LedgerFilter(text="没有这样的措施")
    with pytest.raises(LedgerExportError, match="当前筛选条件下没有措施"):
        _export(sample, tmp_path, nothing)
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".~*")) == []


def test_without_a_filter_the_whole_ledger_is_exported_in_the_plans_order(sample, tmp_path) -> None:
    # A sort of the table does not reorder the whole-ledger workbook.
    path, doc = LedgerExport(sample.repo).export_document(
        tmp_path / "全部.xlsx", None, AS_OF, sort="light", descending=True
    )
    assert len(doc.rows) == 201 and doc.scope == "" and doc.listing is None
    ws = load_workbook(path)[LEDGER_SHEET]
    assert "筛选" not in ws["A1"].value and "筛选" not in ws["A2"].value
    numbers = [line for line in _lines(ws) if _NUMBER.fullmatch(line)]
    assert numbers[:3] == ["1.1", "1.2", "1.3"]


def test_default_file_names_carry_the_as_of_date() -> None:
    assert LedgerExport.default_file_name(date(2021, 7, 1)) == "工作台账（截至2021-07-01）.xlsx"
    assert (
        LedgerExport.default_file_name(date(2021, 7, 1), filtered=True)
        == "工作台账（筛选结果，截至2021-07-01）.xlsx"
    )
