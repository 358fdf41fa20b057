"""The 工作台账 Excel export: the sample ledger written out, reopened and read back."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.ledger_export import LedgerExport, LedgerExportError, target_met
from app.services.plan_store import PlanStore
from app.storage import Storage
from reports.ledger_workbook import (
    DEPARTMENTS_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    LEDGER_SHEET,
    LIGHTS,
    STATS_SHEET,
    STATUS_ORDER,
    Deadline,
    LedgerDocument,
    TargetCheck,
    chinese_number,
    deadline_text,
    target_text,
    write_ledger_workbook,
)
from tests.conftest import add_sample_plan

AS_OF = date(2021, 7, 10)
TITLE = "滕州市深入优化营商环境创新突破行动落实方案"
_AREA_ROW = re.compile(r"[一二三四五六七八九十]+、.+（(\d+)项）")
_NUMBER = re.compile(r"\d+\.\d+")


# ---- The sample ledger, with a few reports written through the repository -----------------------


class Sample:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.repo = storage.repository
        parsed = parse_text(SAMPLE_PLAN.read_text(encoding="utf-8"), SAMPLE_PLAN.name)
        self.plan_id = PlanStore(self.repo).import_plan(parsed).plan_id
        self.round_id = self.repo.insert(
            "rounds", {"name": "2021年7月调度", "plan_id": self.plan_id, "created_on": "2021-07-01"}
        )

    def measure(self, area_no: int, no: int) -> str:
        return self.storage.db.execute(
            "SELECT m.id FROM measures m JOIN areas a ON a.id = m.area_id"
            " WHERE a.no = ? AND m.no = ? AND m.deleted = 0",
            [area_no, no],
        ).fetchone()[0]

    def number(self, measure_id: str) -> str:
        area_no, no = self.storage.db.execute(
            "SELECT a.no, m.no FROM measures m JOIN areas a ON a.id = m.area_id WHERE m.id = ?",
            [measure_id],
        ).fetchone()
        return f"{area_no}.{no}"

    def department(self, name: str) -> str:
        return self.storage.db.execute(
            "SELECT id FROM departments WHERE name = ? AND deleted = 0", [name]
        ).fetchone()[0]

    def report(self, measure_id: str, department: str, day: str, progress: str, problems=""):
        self.repo.insert(
            "progress_reports",
            {
                "round_id": self.round_id,
                "measure_id": measure_id,
                "department_id": self.department(department),
                "role": "lead",
                "reported_on": day,
                "state": "in_progress",
                "progress": progress,
                "problems": problems,
            },
        )

    def target(self, measure_id: str, op: str, value: float) -> str:
        return self.storage.db.execute(
            "SELECT id FROM targets WHERE measure_id = ? AND op = ? AND value = ? AND deleted = 0",
            [measure_id, op, value],
        ).fetchone()[0]

    def actual(self, target_id: str, value: float, day: str) -> None:
        self.repo.insert(
            "target_actuals", {"target_id": target_id, "value": value, "measured_on": day}
        )

    def overdue_measures(self) -> list[str]:
        """Measures whose every milestone is a date before AS_OF, none completed: overdue."""
        return [
            measure_id
            for (measure_id,) in self.storage.db.execute(
                "SELECT m.id FROM measures m WHERE m.deleted = 0 AND EXISTS (SELECT 1 FROM"
                " milestones x WHERE x.measure_id = m.id AND x.deleted = 0) AND NOT EXISTS"
                " (SELECT 1 FROM milestones x WHERE x.measure_id = m.id AND x.deleted = 0"
                " AND (x.kind != 'date' OR x.due >= ? OR x.completed_on IS NOT NULL))"
                " ORDER BY m.position",
                [AS_OF.isoformat()],
            )
        ]

    def complete(self, measure_id: str, day: str) -> None:
        with self.repo.transaction():
            for (milestone_id,) in self.storage.db.execute(
                "SELECT id FROM milestones WHERE measure_id = ? AND deleted = 0", [measure_id]
            ).fetchall():
                self.repo.update("milestones", milestone_id, {"completed_on": day})


@pytest.fixture
def sample(storage: Storage) -> Sample:
    return Sample(storage)


def _export(sample: Sample, tmp_path: Path, as_of: date = AS_OF):
    path = LedgerExport(sample.repo).export(
        tmp_path / "台账.xlsx", sample.plan_id, as_of, overwrite=True
    )
    return load_workbook(path)


def _measure_rows(ws: Worksheet) -> dict[str, dict[str, object]]:
    """序号 → {header: value} for every measure row of the ledger sheet."""
    rows = {}
    for cells in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True):
        if isinstance(cells[0], str) and _NUMBER.fullmatch(cells[0]):
            rows[cells[0]] = dict(zip(HEADERS, cells, strict=False))
    return rows


def _row_of(ws: Worksheet, number: str) -> int:
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row, 1).value == number:
            return row
    raise AssertionError(f"no row {number}")


# ---- The ledger sheet --------------------------------------------------------------------------


def test_the_sample_ledger_has_title_header_19_areas_and_201_measures(sample, tmp_path) -> None:
    workbook = _export(sample, tmp_path)
    assert workbook.sheetnames == [LEDGER_SHEET, STATS_SHEET, DEPARTMENTS_SHEET]
    ws = workbook[LEDGER_SHEET]
    assert ws["A1"].value == f"{TITLE} 工作台账（截至2021年7月10日）"
    assert "A1:L1" in {str(cells) for cells in ws.merged_cells.ranges}
    assert "滕政发〔2021〕9号" in ws["A2"].value
    header = [ws.cell(HEADER_ROW, column).value for column in range(1, len(HEADERS) + 1)]
    assert header == list(HEADERS)
    assert header[:4] == ["序号", "措施", "牵头部门", "责任部门"]

    merged = {cells.min_row for cells in ws.merged_cells.ranges}
    groups = []
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        match = _AREA_ROW.fullmatch(str(ws.cell(row, 1).value))
        if match:
            assert row in merged and ws.cell(row, 1).font.b
            groups.append((ws.cell(row, 1).value, int(match.group(1))))
    assert len(groups) == 19
    assert groups[0] == ("一、开办企业（9项）", 9)
    assert groups[-1][0].startswith("十九、")
    assert sum(count for _text, count in groups) == 201
    rows = _measure_rows(ws)
    assert len(rows) == 201
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"


def test_a_known_measure_shows_its_departments_status_and_latest_progress(sample, tmp_path) -> None:
    measure = sample.measure(1, 5)  # 试行企业开办…, 7月底前
    sample.report(measure, "市行政审批服务局", "2021-07-05", "已制定工作方案。")
    sample.report(
        measure, "市行政审批服务局", "2021-07-08", "已完成系统对接。", "部分银行接口未开通。"
    )
    sample.report(measure, "市行政审批服务局", "2021-07-20", "（截至日期之后，不应出现）")
    rows = _measure_rows(_export(sample, tmp_path)[LEDGER_SHEET])
    row = rows["1.5"]
    assert str(row["措施"]).startswith("试行企业开办")
    assert row["牵头部门"] == "市行政审批服务局、市市场监督管理局"
    assert row["状态"] == "推进中"  # a report says work started
    assert row["亮灯"] == "绿灯"
    assert "7月底前（2021-07-31）" in str(row["时限"])
    assert row["完成期限"].date() == date(2021, 7, 31)
    assert row["最新进展"] == "已完成系统对接（2021-07-08）"
    assert row["存在问题"] == "部分银行接口未开通"
    assert rows["1.1"]["状态"] == "未开始"


def test_several_departments_reporting_are_named(sample, tmp_path) -> None:
    measure = sample.measure(1, 5)
    sample.report(measure, "市行政审批服务局", "2021-07-08", "审批局进展")
    sample.report(measure, "市市场监督管理局", "2021-07-06", "市场局进展")
    row = _measure_rows(_export(sample, tmp_path)[LEDGER_SHEET])["1.5"]
    assert row["最新进展"] == (
        "市行政审批服务局：审批局进展（2021-07-08）\n市市场监督管理局：市场局进展（2021-07-06）"
    )


def test_open_findings_of_inspections_are_listed_until_rectified(sample, tmp_path) -> None:
    from app.domain.ledger import InspectionKind
    from app.services.inspections import FindingDraft, Inspections

    inspections = Inspections(sample.repo)
    measure = sample.measure(1, 5)
    department = inspections.departments(measure)[0]
    inspections.record(
        measure,
        kind=InspectionKind.COVERT,
        checked_on=date(2021, 7, 1),
        inspector="张三",
        findings=[
            FindingDraft("窗口无人值守", department[0], date(2021, 7, 5)),
            FindingDraft("告知单未张贴"),
        ],
        today=AS_OF,
    )
    ws = _export(sample, tmp_path)[LEDGER_SHEET]
    cell = _measure_rows(ws)["1.5"]["督查发现问题"]
    # A problem recorded without a department is the measure's lead department's to rectify.
    assert cell == (
        f"窗口无人值守（{department[1]}，整改期限2021年7月5日，已逾期）\n告知单未张贴（{department[1]}）"
    )
    column = HEADERS.index("督查发现问题") + 1
    assert ws.cell(_row_of(ws, "1.5"), column).font.color.rgb[-6:] == "C00000"
    assert _measure_rows(ws)["1.4"]["督查发现问题"] is None

    # Before the inspection nothing shows; after rectification neither.
    before = _measure_rows(_export(sample, tmp_path, date(2021, 6, 30))[LEDGER_SHEET])
    assert before["1.5"]["督查发现问题"] is None
    for entry in inspections.for_measure(measure, as_of=AS_OF):
        for finding in entry.findings:
            inspections.findings.report(finding.id, "已整改", date(2021, 7, 8), today=AS_OF)
            inspections.findings.recheck(
                finding.id, date(2021, 7, 8), passed=True, inspector="王科长", today=AS_OF
            )
    after = _measure_rows(_export(sample, tmp_path)[LEDGER_SHEET])
    assert after["1.5"]["督查发现问题"] is None


def test_an_overdue_measure_is_red_and_a_completed_one_green(sample, tmp_path) -> None:
    overdue, late, *_ = sample.overdue_measures()
    sample.complete(late, "2021-07-05")  # after its 6月底前: 逾期完成
    workbook = _export(sample, tmp_path)
    ws = workbook[LEDGER_SHEET]
    rows = _measure_rows(ws)

    red = rows[sample.number(overdue)]
    assert (red["状态"], red["亮灯"]) == ("逾期", "红灯")
    assert "逾期" in str(red["时限"])
    light = ws.cell(_row_of(ws, sample.number(overdue)), HEADERS.index("亮灯") + 1)
    assert light.fill.fill_type == "solid"
    assert light.fill.fgColor.rgb[-6:] == LIGHTS["red"][1] == "FF0000"  # red, not a tint

    done = rows[sample.number(late)]
    assert (done["状态"], done["亮灯"]) == ("逾期完成", "绿灯")
    assert "逾期完成" in str(done["时限"])
    assert done["完成期限"] is None
    light = ws.cell(_row_of(ws, sample.number(late)), HEADERS.index("亮灯") + 1)
    assert light.fill.fgColor.rgb[-6:] == LIGHTS["green"][1] == "00B050"

    # Before the deadline the same measure is not red.
    early = _measure_rows(_export(sample, tmp_path, date(2021, 6, 1))[LEDGER_SHEET])
    assert early[sample.number(overdue)]["亮灯"] != "红灯"


def test_targets_show_the_latest_value_and_whether_it_is_met(sample, tmp_path) -> None:
    measure = sample.measure(3, 9)  # 配网不停电作业化率达到92%以上; 停电时间压减至1小时以内
    rate = sample.target(measure, ">=", 92)
    outage = sample.target(measure, "<=", 1)
    sample.actual(rate, 90, "2021-07-01")
    sample.actual(rate, 93, "2021-07-09")
    sample.actual(rate, 80, "2021-07-15")  # after the as-of date: ignored
    sample.actual(outage, 1.5, "2021-07-09")
    rows = _measure_rows(_export(sample, tmp_path)[LEDGER_SHEET])
    text = str(rows["3.9"]["目标/实际"])
    assert "≥92% / 实际 93%（2021-07-09）达标" in text
    assert "≤1小时 / 实际 1.5小时（2021-07-09）未达标" in text
    assert any("未报" in str(row["目标/实际"]) for row in rows.values())


def test_print_settings(sample, tmp_path) -> None:
    workbook = _export(sample, tmp_path)
    for name in (LEDGER_SHEET, STATS_SHEET, DEPARTMENTS_SHEET):
        ws = workbook[name]
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)  # 9: A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    ws = workbook[LEDGER_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert ws.cell(_row_of(ws, "1.5"), 2).alignment.wrap_text
    assert ws.cell(_row_of(ws, "1.5"), 2).border.left.style == "thin"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


# ---- 统计 and 部门 -----------------------------------------------------------------------------


def test_the_statistics_add_up_to_201(sample, tmp_path) -> None:
    _overdue, late, *_ = sample.overdue_measures()
    sample.complete(late, "2021-07-05")
    workbook = _export(sample, tmp_path)
    ws = workbook[STATS_SHEET]
    header = [cell.value for cell in ws[HEADER_ROW]]
    assert header[:2] == ["领域", "措施数"]
    status_columns = [header.index(label) for label in STATUS_ORDER]
    light_columns = [header.index(LIGHTS[key][0]) for key in ("red", "yellow", "green")]
    lines = [row for row in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if row[0]]
    total = lines[-1]
    assert total[0] == "合计"
    assert total[1] == 201
    assert sum(total[index] for index in status_columns) == 201
    assert sum(total[index] for index in light_columns) == 201
    areas = lines[:-1]
    assert len(areas) == 19
    assert areas[0][:2] == ("一、开办企业", 9)
    assert sum(line[1] for line in areas) == 201
    for line in areas:
        assert sum(line[index] for index in status_columns) == line[1]

    ledger = _measure_rows(workbook[LEDGER_SHEET]).values()
    assert total[header.index("逾期")] == sum(row["状态"] == "逾期" for row in ledger)
    assert total[header.index("逾期完成")] == 1
    assert total[header.index("红灯")] == sum(row["亮灯"] == "红灯" for row in ledger)
    assert total[header.index("完成率")] == pytest.approx(1 / 201)


def test_the_departments_sheet_counts_roles_and_overdue(sample, tmp_path) -> None:
    overdue = sample.overdue_measures()[0]
    workbook = _export(sample, tmp_path)
    ws = workbook[DEPARTMENTS_SHEET]
    header = [cell.value for cell in ws[HEADER_ROW]]
    lines = {
        row[1]: dict(zip(header, row, strict=True))
        for row in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
    }
    db = sample.storage.db
    name = "市行政审批服务局"
    lead, responsible = (
        db.execute(
            "SELECT COUNT(DISTINCT s.measure_id) FROM assignments s JOIN measures m"
            " ON m.id = s.measure_id WHERE s.department_id = ? AND s.role = ?"
            " AND s.deleted = 0 AND m.deleted = 0",
            [sample.department(name), role],
        ).fetchone()[0]
        for role in ("lead", "responsible")
    )
    assert (lines[name]["牵头（项）"], lines[name]["责任（项）"]) == (lead, responsible)
    assert lines[name]["合计（项）"] <= lead + responsible
    # The overdue measure is overdue for each of its lead departments.
    number = sample.number(overdue)
    for (lead_name,) in db.execute(
        "SELECT d.name FROM assignments s JOIN departments d ON d.id = s.department_id"
        " WHERE s.measure_id = ? AND s.role = 'lead' AND s.deleted = 0",
        [overdue],
    ):
        assert number in str(lines[lead_name]["逾期措施序号"]).split("、")
        assert lines[lead_name]["逾期"] >= 1
    counts = [line["逾期"] for line in lines.values()]
    assert counts == sorted(counts, reverse=True)


# ---- Several plans, no plan ---------------------------------------------------------------------


def test_all_plans_are_exported_each_under_its_own_row(sample, tmp_path) -> None:
    add_sample_plan(sample.storage, areas=2, measures_per_area=3)
    path = LedgerExport(sample.repo).export(tmp_path / "全部", None, AS_OF)
    assert path.suffix == ".xlsx"
    ws = load_workbook(path)[LEDGER_SHEET]
    assert ws["A1"].value == "督查工作台账（截至2021年7月10日）"
    column_a = [ws.cell(row, 1).value for row in range(FIRST_DATA_ROW, ws.max_row + 1)]
    plan_rows = [value for value in column_a if str(value).startswith(TITLE)]
    assert plan_rows == [f"{TITLE}（滕政发〔2021〕9号）"] * 2
    assert sum(bool(_NUMBER.fullmatch(str(value))) for value in column_a) == 201 + 6


def test_an_empty_database_is_a_clear_error(storage: Storage, tmp_path) -> None:
    export = LedgerExport(storage.repository)
    with pytest.raises(LedgerExportError, match="还没有方案"):
        export.export(tmp_path / "x.xlsx", None, AS_OF)
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(LedgerExportError, match="不存在"):
        export.build("no-such-plan", AS_OF)


def test_an_unwritable_target_is_a_clear_error(sample, tmp_path) -> None:
    with pytest.raises(LedgerExportError, match="无法写入"):
        LedgerExport(sample.repo).export(tmp_path / "没有的文件夹" / "台账.xlsx", None, AS_OF)
    assert list(tmp_path.rglob("*.xlsx")) == []


def test_the_build_is_a_fixed_number_of_queries(sample) -> None:
    statements: list[str] = []
    sample.storage.db.conn.set_trace_callback(statements.append)
    try:
        doc = LedgerExport(sample.repo).build(sample.plan_id, AS_OF)
    finally:
        sample.storage.db.conn.set_trace_callback(None)
    assert len(doc.rows) == 201
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) <= 10


def test_writing_to_a_stream_and_an_empty_plan(storage: Storage) -> None:
    plan = storage.repository.insert("plans", {"title": "空方案"})
    doc = LedgerExport(storage.repository).build(plan, AS_OF, generated_on=date(2021, 7, 11))
    assert isinstance(doc, LedgerDocument) and doc.rows == []
    buffer = io.BytesIO()
    write_ledger_workbook(doc, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook[LEDGER_SHEET]["A1"].value == "空方案 工作台账（截至2021年7月10日）"
    assert "2021年7月11日" in workbook[LEDGER_SHEET]["A2"].value
    assert [row[0] for row in workbook[STATS_SHEET].iter_rows(values_only=True)][-1] == "合计"


# ---- Text rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "goal", "actual", "expected"),
    [
        (">=", 92, 92, True),
        (">=", 92, 91.9, False),
        ("<=", 1, 1.0, True),
        ("<=", 1, 1.5, False),
        ("=", 30, 30.0, True),
        ("=", 30, 31, False),
        (">", 5, 5, False),
        ("<", 5, 4, True),
        (">=", 92, None, None),
        (None, 92, 93, None),
    ],
)
def test_target_met(op, goal, actual, expected) -> None:
    assert target_met(op, goal, actual) is expected


def test_texts() -> None:
    assert [chinese_number(n) for n in (1, 10, 11, 19, 20, 21, 100, 105, 110)] == [
        "一",
        "十",
        "十一",
        "十九",
        "二十",
        "二十一",
        "一百",
        "一百零五",
        "一百一十",
    ]
    check = TargetCheck("达到92%以上", ">=", 92.0, "%", actual=93.0, measured_on=date(2021, 7, 10))
    assert target_text(check) == "≥92% / 实际 93%（2021-07-10）"
    met = TargetCheck("达到92%以上", ">=", 92.0, "%", actual=93.0, measured_on=None, met=True)
    assert target_text(met) == "≥92% / 实际 93%达标"
    assert target_text(TargetCheck("新增30个", "=", 30.0, "个")) == "30个 / 未报"
    assert target_text(TargetCheck("若干", None, None)) == "若干 / 未报"
    assert deadline_text(Deadline("6月底前", date(2021, 6, 30), "逾期")) == (
        "6月底前（2021-06-30）逾期"
    )
    assert deadline_text(Deadline("每季度")) == "每季度"
    assert deadline_text(Deadline("长期坚持", None, "已完成")) == "长期坚持，已完成"
