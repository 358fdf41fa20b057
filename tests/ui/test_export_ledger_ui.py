"""导出工作台账 from the window: 当前筛选结果 / 全部 when a filter is on, a default name with the
as-of date, and a confirmation that says what was exported with 打开 / 打开所在文件夹 / 关闭."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from reports.ledger_workbook import FIRST_DATA_ROW, LEDGER_SHEET
from ui.actions import ActionId
from ui.main_window import MainWindow
from ui.models.ledger_table import LedgerTableModel

AS_OF = date(2021, 7, 1)


class Export:
    """Stands in for the user at the scope question and the save dialog."""

    def __init__(self, window: MainWindow, monkeypatch, folder: Path, scope=None) -> None:
        self.window = window
        self.folder = folder
        self.scope = scope
        self.asked: list[str] = []
        self.names: list[str] = []
        monkeypatch.setattr(window, "ask_export_scope", self.ask)
        monkeypatch.setattr(window, "choose_ledger_export_path", self.choose)

    def ask(self, description: str):
        self.asked.append(description)
        return self.scope

    def choose(self, name: str) -> Path:
        self.names.append(name)
        return self.folder / name

    def run(self, qtbot) -> tuple[Path, QMessageBox]:
        self.window.actions[ActionId.EXPORT_LEDGER].trigger()
        qtbot.waitUntil(lambda: _notice(self.window) is not None, timeout=20_000)
        return self.folder / self.names[-1], _notice(self.window)


def _notice(window: MainWindow) -> QMessageBox | None:
    boxes = [box for box in window.findChildren(QMessageBox, "saved_notice") if box.isVisible()]
    return boxes[-1] if boxes else None


def _buttons(box: QMessageBox) -> dict[str, object]:
    return {button.text(): button for button in box.buttons()}


@pytest.fixture
def ledger(window: MainWindow) -> MainWindow:
    window._services.plans.import_plan(parse_file(SAMPLE_PLAN))
    window.ledger_page.refresh()
    window.ledger_page.filters.as_of.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    return window


def _table_numbers(model: LedgerTableModel) -> list[str]:
    while model.canFetchMore():
        model.fetchMore()
    rows = [model.row(index) for index in range(model.rowCount())]
    return [f"{row.area_no}.{row.no}" for row in rows if row is not None]


def _sheet_numbers(path: Path) -> list[str]:
    ws = load_workbook(path)[LEDGER_SHEET]
    values = [ws.cell(row, 1).value for row in range(FIRST_DATA_ROW, ws.max_row + 1)]
    return [value for value in values if isinstance(value, str) and value[:1].isdigit()]


def test_without_a_filter_it_does_not_ask_and_names_the_file_by_the_as_of_date(
    qtbot, ledger: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    export = Export(ledger, monkeypatch, tmp_path)
    path, box = export.run(qtbot)
    assert export.asked == []
    assert export.names == ["工作台账（截至2021-07-01）.xlsx"]
    assert len(_sheet_numbers(path)) == 201
    assert "全部措施，共 201 项措施，截至 2021-07-01" in box.text()
    assert path.name in box.text() and str(tmp_path) in box.text()
    assert sorted(_buttons(box)) == sorted(["打开", "打开所在文件夹", "关闭"])


def test_with_a_filter_it_asks_and_exports_the_rows_the_table_shows_in_its_order(
    qtbot, ledger: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    page = ledger.ledger_page
    page.filters.as_of.setDate(QDate(2021, 9, 1))  # many 6月底前 measures are red by then
    page.filters.light.setCurrentIndex(page.filters.light.findText("红灯"))
    page.table.sortByColumn(LedgerTableModel.COL_DUE, Qt.SortOrder.DescendingOrder)
    shown = _table_numbers(page.model)
    assert 5 < len(shown) < 201
    export = Export(ledger, monkeypatch, tmp_path, scope=True)
    path, box = export.run(qtbot)
    assert export.asked == ["亮灯：红灯"]
    assert export.names == ["工作台账（筛选结果，截至2021-09-01）.xlsx"]
    assert _sheet_numbers(path) == shown
    ws = load_workbook(path)[LEDGER_SHEET]
    assert "筛选结果" in ws["A1"].value
    assert "筛选条件：亮灯：红灯" in ws["A2"].value and "排序：按完成期限降序" in ws["A2"].value
    assert f"当前筛选结果（亮灯：红灯），共 {len(shown)} 项措施" in box.text()


def test_with_a_filter_all_exports_the_whole_ledger(
    qtbot, ledger: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    page = ledger.ledger_page
    page.filters.overdue_only.setChecked(True)
    export = Export(ledger, monkeypatch, tmp_path, scope=False)
    path, box = export.run(qtbot)
    assert export.asked == ["仅看逾期"]
    assert export.names == ["工作台账（截至2021-07-01）.xlsx"]
    assert len(_sheet_numbers(path)) == 201
    assert "全部措施" in box.text()


def test_cancelling_the_question_exports_nothing(
    qtbot, ledger: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    ledger.ledger_page.filters.search.setText("营业执照")
    export = Export(ledger, monkeypatch, tmp_path, scope=None)
    ledger.actions[ActionId.EXPORT_LEDGER].trigger()
    assert export.asked == ["搜索：“营业执照”"] and export.names == []
    assert list(tmp_path.glob("*.xlsx")) == []
    assert "正在导出" not in ledger.statusBar().currentMessage()


def test_the_scope_question_offers_filtered_all_and_cancel(
    qtbot, window: MainWindow, monkeypatch
) -> None:
    seen: list[tuple[str, list[str], str]] = []
    pick = {"text": ""}

    def exec_box(box: QMessageBox) -> int:
        buttons = _buttons(box)
        seen.append((box.text(), sorted(buttons), box.defaultButton().text()))
        buttons[pick["text"]].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_box)
    answers = []
    for text in ("当前筛选结果", "全部", "取消"):
        pick["text"] = text
        answers.append(window.ask_export_scope("亮灯：红灯"))
    assert answers == [True, False, None]
    text, buttons, default = seen[0]
    assert "亮灯：红灯" in text
    assert buttons == sorted(["当前筛选结果", "全部", "取消"]) and default == "当前筛选结果"


def test_the_confirmation_opens_the_file_and_its_folder(
    qtbot, ledger: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    export = Export(ledger, monkeypatch, tmp_path)
    path, box = export.run(qtbot)
    _buttons(box)["打开"].click()
    assert opened == [str(path)]
    qtbot.waitUntil(lambda: _notice(ledger) is None)
    path, box = export.run(qtbot)  # the same name again: the save dialog asked to replace it
    _buttons(box)["打开所在文件夹"].click()
    assert opened == [str(path), str(tmp_path)]


def test_open_folder_without_a_file_manager_says_where_the_workbook_is(
    qtbot, ledger: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    _path, box = Export(ledger, monkeypatch, tmp_path).run(qtbot)
    _buttons(box)["打开所在文件夹"].click()
    notices = [
        notice
        for notice in ledger.findChildren(QMessageBox, "file_location_notice")
        if notice.isVisible()
    ]
    assert len(notices) == 1
    assert "没有可用的文件管理器" in notices[0].text() and str(tmp_path) in notices[0].text()


def test_the_json_export_names_the_file_by_date_and_says_what_it_holds(
    qtbot, ledger: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    names: list[str] = []
    monkeypatch.setattr(
        ledger, "choose_export_path", lambda name: names.append(name) or tmp_path / name
    )
    ledger.actions[ActionId.EXPORT_JSON].trigger()
    assert names == [f"督查台账数据（{date.today().isoformat()}）.json"]
    dump = json.loads((tmp_path / names[0]).read_text(encoding="utf-8"))
    records = sum(len(rows) for rows in dump["tables"].values())
    [box] = [box for box in ledger.findChildren(QMessageBox, "saved_notice") if box.isVisible()]
    assert f"{records} 条记录" in box.text()
    assert sorted(_buttons(box)) == sorted(["打开所在文件夹", "关闭"])
