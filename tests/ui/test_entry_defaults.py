"""Defaults that follow the context: the as-of day when looking back, the inspection date for a
problem's 整改期限, and reasons that go away as soon as the input is fixed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt

from app.domain.ledger import InspectionKind
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from app.services.inspections import FindingDraft
from tests.ui.test_ledger_page import _page
from ui.dialogs.completion import CompletionDialog
from ui.dialogs.inspection import DEFAULT_RECTIFY_DAYS, InspectionDialog
from ui.dialogs.rectification import RectificationDialog
from ui.dialogs.target_actual import TargetActualDialog
from ui.pages.ledger_page import LedgerPage

CTRL = Qt.KeyboardModifier.ControlModifier
JULY_1 = date(2021, 7, 1)


@pytest.fixture
def page(qtbot, services: Services) -> LedgerPage:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = _page(qtbot, services)
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    page.table.selectRow(0)
    return page


def _opened(monkeypatch, dialog_class, button, answer: int = 0) -> list:
    """Click ``button``; the dialog it opens is kept (and answered with ``answer``)."""
    seen = []

    def run(dialog) -> int:
        seen.append(dialog)
        return answer

    monkeypatch.setattr(dialog_class, "exec", run)
    button.click()
    return seen


def _retype(qtbot, widget, text: str) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.keyClick(widget, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(widget, text)


def test_mark_done_defaults_to_the_as_of_day_when_looking_back(page, services, monkeypatch) -> None:
    [dialog] = _opened(monkeypatch, CompletionDialog, page.detail.done_button, answer=1)
    assert dialog.on_date.date().toPython() == JULY_1
    measure = page.current_measure()
    [completed] = services.storage.db.execute(
        "SELECT completed_on FROM milestones WHERE measure_id = ? AND deleted = 0", [measure]
    ).fetchone()
    assert completed == "2021-07-01"  # accepted as offered: done on the day being looked at
    assert "晚于截至日" not in page.detail.text()


def test_mark_done_defaults_to_today_when_the_as_of_day_is_ahead(page, monkeypatch) -> None:
    page.filters.as_of.setDate(QDate.currentDate().addDays(40))
    page.table.selectRow(0)
    [dialog] = _opened(monkeypatch, CompletionDialog, page.detail.done_button)
    assert dialog.on_date.date().toPython() == date.today()  # nothing is done in the future


def test_a_new_inspection_defaults_to_the_as_of_day(page, monkeypatch) -> None:
    [dialog] = _opened(monkeypatch, InspectionDialog, page.detail.inspect_button)
    assert dialog.value().checked_on == JULY_1
    row = dialog.add_finding("台账未更新")
    assert dialog.value().findings[row].rectify_by == JULY_1 + timedelta(DEFAULT_RECTIFY_DAYS)


def test_rectification_and_target_values_default_to_the_as_of_day(page, services, monkeypatch):
    measure = services.storage.db.execute(
        "SELECT measure_id FROM targets WHERE deleted = 0 LIMIT 1"
    ).fetchone()[0]
    page.show_measure(measure)
    [target] = _opened(monkeypatch, TargetActualDialog, page.detail.record_button)
    assert target.chosen()[2] == JULY_1
    services.inspections.record(
        measure,
        kind=next(iter(InspectionKind)),
        checked_on=date(2021, 6, 20),
        inspector="张三",
        findings=[FindingDraft("台账未更新")],
    )
    [dialog] = _opened(monkeypatch, RectificationDialog, page.detail.rectify_button)
    assert dialog.chosen()[1] == JULY_1


def test_the_rectify_by_date_follows_the_inspection_date_until_edited(qtbot) -> None:
    today = date.today()
    dialog = InspectionDialog("措施", [], today, lambda value: None)
    qtbot.addWidget(dialog)
    dialog.show()
    first = dialog.add_finding("问题一")
    second = dialog.add_finding("问题二")

    _retype(qtbot, dialog.checked_on, "2021-07-01")
    dues = [f.rectify_by for f in dialog.value().findings]
    assert dues == [JULY_1 + timedelta(DEFAULT_RECTIFY_DAYS)] * 2

    _retype(qtbot, dialog.rectify_by_edit(second), "2021-08-31")  # set by hand
    _retype(qtbot, dialog.checked_on, "2021-07-05")
    first_due, second_due = (f.rectify_by for f in dialog.value().findings)
    assert first_due == date(2021, 7, 5) + timedelta(DEFAULT_RECTIFY_DAYS)  # still following
    assert second_due == date(2021, 8, 31)  # the user's date stays
    dialog.set_rectify_by(first, date(2021, 9, 1))  # chosen: no longer follows either
    _retype(qtbot, dialog.checked_on, "2021-07-06")
    assert [f.rectify_by for f in dialog.value().findings] == [date(2021, 9, 1), date(2021, 8, 31)]


def test_the_inspector_reason_goes_as_soon_as_it_is_filled(qtbot, page, monkeypatch) -> None:
    shown: list[str] = []  # the reason under the form after each step

    def run(dialog: InspectionDialog) -> int:
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.inspector.clear()
        dialog.add_finding()  # a problem row left empty too
        dialog.accept()
        shown.append(dialog.error_text())
        qtbot.keyClicks(dialog.inspector, "Zhang San")
        shown.append(dialog.error_text())  # that one is fixed: what is still wrong
        dialog.findings.item(0, dialog.COL_DESCRIPTION).setText("窗口无人")
        shown.append(dialog.error_text())
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(InspectionDialog, "exec", run)
    page.detail.inspect_button.click()
    assert shown == ["请填写检查人。", "第 1 个问题没有填写问题描述。", ""]
    assert "Zhang San" in page.detail.text() and "窗口无人" in page.detail.text()
