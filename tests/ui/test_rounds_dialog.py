"""调度 dialog over the sample plan: a round, its sheets out, one department's reply back in."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox

from app.domain.workdays import WorkCalendar
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from app.services.progress import ProgressService
from reports.progress_sheet import COL_REPORTER, HEAD_ROW, ROWS_SHEET
from tests.services.progress.support import _fill as fill_sheet
from ui.dialogs import rounds as rounds_module
from ui.dialogs.round_forms import (
    LATE_COLOURS,
    OVERDUE_COLOURS,
    REPLIED_COLOURS,
    NewRoundDialog,
)
from ui.dialogs.rounds import RoundsDialog
from ui.widgets.file_dialogs import FileDialogs

TODAY = date(2021, 7, 20)
ROUND = "2021年7月调度"
DUE = date(2021, 7, 30)
SMALL = "市国有资产监督管理局"  # 7 items: milestone, measure and target rows
LEAD = "市行政审批服务局"


# ---- Fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture
def plans(services: Services) -> list[tuple[str, str]]:
    result = services.plans.import_plan(parse_file(SAMPLE_PLAN))
    title = services.storage.db.execute(
        "SELECT title FROM plans WHERE id = ?", [result.plan_id]
    ).fetchone()[0]
    return [(result.plan_id, title)]


@pytest.fixture
def progress(services: Services) -> ProgressService:
    return ProgressService(services.repository)


def _open(qtbot, progress: ProgressService, plans, today: date = TODAY) -> RoundsDialog:
    dialog = RoundsDialog(progress, plans, clock=lambda: today)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _department(services: Services, name: str) -> str:
    return services.storage.db.execute(
        "SELECT id FROM departments WHERE name = ? AND deleted = 0", [name]
    ).fetchone()[0]


def _changes(services: Services) -> int:
    return services.storage.db["changes"].count


def _fill(path: Path, cells: dict[int, dict[str, Any]] | None = None, **kwargs: Any) -> Path:
    """Fill in the sheet as a department does in Excel (the services tests' helper)."""
    return fill_sheet(path, cells=cells, **kwargs)


def _state_cell(dialog: RoundsDialog, name: str):
    for row in range(dialog.replies_table.rowCount()):
        if dialog.replies_table.item(row, dialog.COL_DEPARTMENT).text() == name:
            return dialog.replies_table.item(row, dialog.COL_STATE)
    raise AssertionError(f"{name} is not listed")


def _wait(qtbot, dialog: RoundsDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=60_000)


def _round_with_sheets(
    services: Services, progress: ProgressService, plans, out: Path, *names: str, due=DUE
) -> tuple[str, dict[str, Path]]:
    round_id = progress.create_round(ROUND, plans[0][0], due, TODAY)
    ids = {_department(services, name) for name in names}
    paths = progress.export_sheets(round_id, out, TODAY, departments=ids)
    return round_id, {p.name.removeprefix(f"{ROUND}-").removesuffix(".xlsx"): p for p in paths}


# ---- The whole round through the dialog --------------------------------------------------------


def test_create_export_fill_and_import_one_reply(
    qtbot, services: Services, progress: ProgressService, plans, tmp_path: Path, monkeypatch
) -> None:
    dialog = _open(qtbot, progress, plans)
    assert dialog.right_stack.currentWidget() is dialog.no_rounds
    assert not dialog.export_button.isEnabled() and not dialog.import_button.isEnabled()

    # 新建调度…: the form is prefilled from today's month; the only plan is shown, not offered.
    seen: dict[str, Any] = {}

    def fill_form(form: NewRoundDialog) -> int:
        seen["name"] = form.name_edit.text()
        seen["plan_shown"] = form.plan_label.text()
        seen["plan_choice"] = not form.plan_combo.isHidden()
        seen["due"] = form.due_edit.date().toPython()
        form.due_edit.setDate(form.due_edit.date().addDays(3))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NewRoundDialog, "exec", fill_form)
    dialog.new_button.click()
    assert seen == {
        "name": ROUND,
        "plan_shown": plans[0][1],
        "plan_choice": False,
        "due": date(2021, 7, 27),  # five working days after Tuesday 20 July
    }
    info = progress.find_round(ROUND)
    assert info is not None and info.reply_due == DUE and info.created_on == TODAY
    assert dialog.current_round() == info
    assert dialog.rounds_table.item(0, dialog.COL_ROUND_NAME).text() == ROUND
    assert dialog.rounds_table.item(0, dialog.COL_ROUND_DUE).text() == "2021-07-30"
    assert dialog.replies_stack.currentWidget() is dialog.replies_empty
    assert dialog.export_button.isEnabled() and not dialog.import_button.isEnabled()

    # 生成填报表…: off the UI thread; the dialog cannot be closed meanwhile.
    out = tmp_path / "填报表"
    monkeypatch.setattr(FileDialogs, "choose_folder", lambda *args, **kwargs: out)
    asked: list[tuple[str, str]] = []
    opened: list[str] = []

    def answer(parent, title, text, accept_text, *args) -> bool:
        asked.append((title, text))
        return accept_text == "打开文件夹"

    monkeypatch.setattr(rounds_module, "confirm", answer)
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    dialog.export_button.click()
    assert dialog.is_busy() and dialog.busy.isVisible()
    assert not dialog.rounds_table.isEnabled() and not dialog.import_button.isEnabled()
    dialog.reject()
    assert dialog.isVisible()
    _wait(qtbot, dialog)

    addressees = progress.addressees(info.id)
    expected = len(addressees.departments)
    assert expected > 40
    written = sorted(out.glob("*.xlsx"))
    assert len(written) == len(dialog.last_export) == expected
    [(title, text)] = asked
    assert title == "填报表已生成"
    assert f"生成 {expected} 份填报表" in text and str(out) in text
    assert {"各镇街", "市直相关部门"} <= {group.name for group in dialog.last_groups}
    assert "各镇街" in text and "市直相关部门" in text and "没有生成填报表" in text
    assert opened == [str(out)]
    states = dialog.reply_states()
    assert len(states) == expected and set(states.values()) == {"未报回"}
    assert dialog.counts.text() == f"已报回 0/{expected}，逾期 0，未报回 {expected}"
    assert dialog.rounds_table.item(0, dialog.COL_ROUND_REPLIES).text() == f"0/{expected}"
    assert dialog.import_button.isEnabled()

    # One department fills in its sheet and sends it back; 导入报回表… reads it.
    sheet = out / f"{ROUND}-{SMALL}.xlsx"
    _fill(sheet)
    monkeypatch.setattr(FileDialogs, "open_files", lambda *args, **kwargs: [sheet])
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    dialog.import_button.click()
    assert dialog.is_busy()
    _wait(qtbot, dialog)

    assert dialog.last_report is not None and dialog.last_report.ok
    assert dialog.errors_dialog is None
    [summary] = shown
    assert summary.startswith("导入 1 个文件。") and f"{sheet.name}：已导入（{SMALL}" in summary
    states = dialog.reply_states()
    assert states.pop(SMALL) == "已报回"
    assert len(states) == expected - 1 and set(states.values()) == {"未报回"}
    state = _state_cell(dialog, SMALL)
    assert state.background().color() == QColor(REPLIED_COLOURS[1])
    assert dialog.counts.text() == f"已报回 1/{expected}，逾期 0，未报回 {expected - 1}"
    assert dialog.rounds_table.item(0, dialog.COL_ROUND_REPLIES).text() == f"1/{expected}"
    received = [r for r in progress.replies(info.id) if not r.missing]
    assert [(r.department_name, r.received_on) for r in received] == [(SMALL, TODAY)]


def test_a_damaged_batch_lists_every_error_and_changes_nothing(
    qtbot, services: Services, progress: ProgressService, plans, tmp_path: Path, monkeypatch
) -> None:
    round_id, sheets = _round_with_sheets(services, progress, plans, tmp_path, SMALL, LEAD)
    _fill(sheets[LEAD])  # fine on its own, held back by the others
    _fill(sheets[SMALL], reporter=None)
    corrupt = tmp_path / "损坏.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + bytes(300))
    dialog = _open(qtbot, progress, plans)
    assert dialog.current_round().id == round_id
    before = _changes(services)

    chosen = [sheets[LEAD], sheets[SMALL], corrupt]
    monkeypatch.setattr(FileDialogs, "open_files", lambda *args, **kwargs: chosen)
    monkeypatch.setattr(
        QMessageBox, "information", lambda *args: pytest.fail(f"success shown: {args[2]}")
    )
    dialog.import_button.click()
    _wait(qtbot, dialog)

    assert _changes(services) == before
    errors = dialog.errors_dialog
    assert errors is not None and errors.isVisible()
    assert errors.table.horizontalHeaderItem(0).text() == "文件"
    headers = [errors.table.horizontalHeaderItem(c).text() for c in range(5)]
    assert headers == ["文件", "工作表", "行", "列", "原因"]
    rows = errors.rows()
    assert len(rows) == len(dialog.last_report.errors) >= 2
    assert (sheets[SMALL].name, ROWS_SHEET, str(HEAD_ROW), COL_REPORTER) in {
        row[:4] for row in rows
    }
    assert any(r[0] == sheets[SMALL].name and "填报人未填写" in r[4] and "B2" in r[4] for r in rows)
    assert any(r[:4] == ("损坏.xlsx", "", "", "") and "损坏" in r[4] for r in rows)
    assert not any(r[0] == sheets[LEAD].name for r in rows)
    assert "3 个文件均未导入" in errors.headline.text()
    assert "台账没有任何改动" in errors.headline.text()
    assert "其余 1 个文件没有发现错误" in errors.detail.text()
    errors.copy_all()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0] == "文件\t工作表\t行\t列\t原因" and len(copied) == len(rows) + 1

    assert set(dialog.reply_states().values()) == {"未报回"}
    assert dialog.counts.text() == "已报回 0/2，逾期 0，未报回 2"
    assert "均未导入" in dialog.status.text()


def test_late_and_overdue_replies_are_told_apart(
    qtbot, services: Services, progress: ProgressService, plans, tmp_path: Path
) -> None:
    round_id, sheets = _round_with_sheets(
        services, progress, plans, tmp_path, SMALL, LEAD, due=date(2021, 7, 23)
    )
    report = progress.import_files(
        [_fill(sheets[SMALL])], received_on=date(2021, 7, 26), round_id=round_id
    )
    assert report.ok
    dialog = _open(qtbot, progress, plans, today=date(2021, 7, 27))
    assert dialog.reply_states() == {SMALL: "逾期报回", LEAD: "未报回"}
    assert _state_cell(dialog, SMALL).background().color() == QColor(LATE_COLOURS[1])
    assert _state_cell(dialog, LEAD).background().color() == QColor(OVERDUE_COLOURS[1])
    assert "晚于截止日期 3 天" in _state_cell(dialog, SMALL).toolTip()
    assert dialog.counts.text() == "已报回 1/2，逾期 1，未报回 1"

    dialog.only_missing.setChecked(True)
    hidden = {
        dialog.replies_table.item(row, dialog.COL_DEPARTMENT).text()
        for row in range(dialog.replies_table.rowCount())
        if dialog.replies_table.isRowHidden(row)
    }
    assert hidden == {SMALL}
    dialog.copy_missing_button.click()
    assert QGuiApplication.clipboard().text() == LEAD


def test_enter_opens_nothing_and_escape_closes(
    qtbot, services: Services, progress: ProgressService, plans, tmp_path: Path, monkeypatch
) -> None:
    _round_with_sheets(services, progress, plans, tmp_path, SMALL)
    dialog = _open(qtbot, progress, plans)
    assert dialog.import_button.isEnabled() and dialog.export_button.isEnabled()
    opened: list[str] = []
    monkeypatch.setattr(
        FileDialogs, "choose_folder", lambda *args, **kwargs: opened.append("folder")
    )
    monkeypatch.setattr(
        FileDialogs, "open_files", lambda *args, **kwargs: opened.append("files") or []
    )
    monkeypatch.setattr(
        NewRoundDialog, "exec", lambda form: opened.append("new") or QDialog.DialogCode.Rejected
    )
    for widget in (dialog, dialog.rounds_table, dialog.replies_table, dialog.export_button):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.keyClick(widget, Qt.Key.Key_Enter)
    assert opened == []
    assert dialog.isVisible()
    qtbot.keyClick(dialog.rounds_table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_new_round_form_offers_plans_and_refuses_taken_names(qtbot) -> None:
    plans = [("plan-a", "方案甲"), ("plan-b", "方案乙")]
    form = NewRoundDialog(plans, ROUND, DUE, TODAY, {ROUND}, WorkCalendar())
    qtbot.addWidget(form)
    assert not form.plan_combo.isHidden() and form.plan_label.isHidden()
    assert form.plan_combo.count() == 2
    assert not form.ok_button.isEnabled()
    assert "已有名为“2021年7月调度”" in form.problem.text()
    form.name_edit.setText("2021年7月第二次调度")
    form.plan_combo.setCurrentIndex(1)
    assert form.ok_button.isEnabled() and form.problem.isHidden()
    assert form.values() == ("2021年7月第二次调度", "plan-b", DUE)
    assert form.due_edit.minimumDate().toPython() == TODAY
    assert "星期五" in form.due_hint.text() and "8 个工作日" in form.due_hint.text()


def test_a_second_round_in_the_same_month_gets_a_distinct_name(
    qtbot, progress: ProgressService, plans, monkeypatch
) -> None:
    progress.create_round(ROUND, plans[0][0], DUE, TODAY)
    dialog = _open(qtbot, progress, plans)
    names: list[str] = []

    def cancel(form: NewRoundDialog) -> int:
        names.append(form.name_edit.text())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(NewRoundDialog, "exec", cancel)
    dialog.new_button.click()
    assert names == [f"{ROUND}（2）"]
    assert [r.name for r in progress.rounds()] == [ROUND]


def test_without_a_plan_there_is_nothing_to_start(qtbot, services: Services, monkeypatch) -> None:
    dialog = _open(qtbot, ProgressService(services.repository), [])
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    monkeypatch.setattr(NewRoundDialog, "exec", lambda form: pytest.fail("form opened"))
    dialog.new_button.click()
    assert shown == ["台账中还没有实施方案，请先导入实施方案。"]
    assert "还没有调度轮次" in dialog.no_rounds.title_label.text()


def test_rows_left_blank_are_listed_as_unreported_and_in_the_missing_report(
    qtbot, services: Services, progress: ProgressService, plans, tmp_path: Path, monkeypatch
) -> None:
    tax = "市税务局"
    round_id, sheets = _round_with_sheets(services, progress, plans, tmp_path, SMALL, LEAD, tax)
    assert progress.import_files([_fill(sheets[tax])], received_on=TODAY, round_id=round_id).ok
    dialog = _open(qtbot, progress, plans)
    # 市国资局 leaves a target row and the 10.1 row blank and sends the sheet back.
    _fill(sheets[SMALL], blank=(2, 4))
    monkeypatch.setattr(FileDialogs, "open_files", lambda *args, **kwargs: [sheets[SMALL]])
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    dialog.import_button.click()
    _wait(qtbot, dialog)
    [message] = shown
    assert "有 2 项未填报" in message and "未填报 2 项" in message

    def cell(name: str):
        for row in range(dialog.replies_table.rowCount()):
            if dialog.replies_table.item(row, dialog.COL_DEPARTMENT).text() == name:
                return dialog.replies_table.item(row, dialog.COL_UNREPORTED)
        raise AssertionError(name)

    header = dialog.replies_table.horizontalHeaderItem(dialog.COL_UNREPORTED).text()
    assert header == "未填报"
    assert dialog.reply_states()[SMALL] == "已报回"
    assert cell(SMALL).text() == "2 项"
    assert "10.1 强化公司治理水平" in cell(SMALL).toolTip()
    assert cell(LEAD).text() == "" and cell(tax).text() == ""
    assert dialog.counts.text() == "已报回 2/3，逾期 0，未报回 1；1 个部门有 2 项未填报"

    # 只显示需催报: the department that did not reply and the one that left rows blank.
    dialog.only_missing.setChecked(True)
    shown_rows = {
        dialog.replies_table.item(row, dialog.COL_DEPARTMENT).text()
        for row in range(dialog.replies_table.rowCount())
        if not dialog.replies_table.isRowHidden(row)
    }
    assert shown_rows == {SMALL, LEAD}

    dialog.copy_report_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == progress.missing_report(round_id).text()
    lines = copied.splitlines()
    assert f"未报回（1 个部门）：{LEAD}" in lines
    assert f"{SMALL}（2 项未填报）：" in lines
    assert "未填报 2 项" in dialog.status.text()
