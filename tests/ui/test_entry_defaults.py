"""Defaults that follow the context: the as-of day when looking back, the inspection date for a
problem's 整改期限, and reasons that go away as soon as the input is fixed."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from app.domain.inspection import Verdict
from app.domain.ledger import InspectionKind
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from app.services.inspections import FindingDraft
from tests.ui.record_support import close_forms  # noqa: F401  (a fixture)
from tests.ui.test_ledger_page import _page
from ui.dialogs.completion import CompletionDialog
from ui.dialogs.finding_editor import DEFAULT_RECTIFY_WORKDAYS
from ui.dialogs.record_form import RecordForm
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


def test_a_new_inspection_defaults_to_the_as_of_day(qtbot, page, services) -> None:
    page.detail.inspect_button.click()
    [form] = list(RecordForm._open.values())
    assert form.header.checked_on.value() == JULY_1
    assert services.repository.get("inspections", form.inspection_id)["checked_on"] == "2021-07-01"
    # A finding's 整改期限 is counted from the inspection date.
    form.table.setCurrentCell(0, 2)
    form.set_verdict(form.table.current_id(), Verdict.FAIL)
    editor = form.raise_finding()
    assert editor is not None
    assert editor.value().rectify_workdays == DEFAULT_RECTIFY_WORKDAYS
    due = services.findings.calendar.add_workdays(JULY_1, DEFAULT_RECTIFY_WORKDAYS)
    assert f"即 {due.isoformat()} 前" in editor.due_label.text()
    editor.reject()


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


def test_the_inspector_reason_goes_as_soon_as_it_is_filled(qtbot, page, services) -> None:
    page.detail.inspect_button.click()
    [form] = list(RecordForm._open.values())
    qtbot.waitExposed(form)
    form.activateWindow()
    form.header.inspector.setFocus()
    qtbot.keyClick(form.header.inspector, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(form.header.inspector, Qt.Key.Key_Delete)
    for answer in form.table.answers():
        form.set_verdict(answer.id, Verdict.NOT_APPLICABLE)
    shown: list[str] = []  # the reason under the form after each step
    form.finish()
    shown.append(form.status_text())
    form.header.inspector.setFocus()
    qtbot.keyClicks(form.header.inspector, "Zhang San")
    qtbot.waitUntil(lambda: form.status_text().startswith("已自动保存"), timeout=3000)
    shown.append("" if form.status_text().startswith("已自动保存") else form.status_text())
    form.finish()
    assert shown == ["请填写检查人。", ""]
    qtbot.waitUntil(lambda: "Zhang San" in page.detail.text())
