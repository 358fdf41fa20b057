"""One 截至 date: the 明察暗访 page and the measure picker use the ledger's, and the detail pane
marks progress reported after it like milestones completed after it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from app.services.ledger import ReportEntry
from ui.dialogs.measure_picker import MeasurePickerDialog
from ui.main_window import MainWindow
from ui.widgets.measure_detail import render_detail


def test_the_inspections_page_follows_the_ledgers_as_of_date(window: MainWindow) -> None:
    ledger = window.pages["ledger"].filters.as_of
    inspections = window.pages["inspections"].filters.as_of
    ledger.setDate(QDate(2021, 7, 1))
    assert inspections.value() == date(2021, 7, 1)
    inspections.setDate(QDate(2021, 9, 30))
    assert ledger.value() == date(2021, 9, 30)


def test_the_measure_picker_shows_lights_at_the_given_date(qtbot, services: Services) -> None:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))

    def light_of_first(as_of: date) -> str:
        picker = MeasurePickerDialog(services.status, as_of=as_of)
        qtbot.addWidget(picker)
        while picker.model.canFetchMore():
            picker.model.fetchMore()
        for row in range(picker.model.rowCount()):
            measure = picker.model.row(row)
            if "拓展电子证照应用场景" in measure.title:  # due 2021-08-31
                return str(measure.light)
        raise AssertionError("measure not listed")

    assert "red" in light_of_first(date(2021, 9, 1))
    assert "red" not in light_of_first(date(2021, 7, 1))


def test_the_picker_says_which_date_it_uses(qtbot, services: Services) -> None:
    from PySide6.QtWidgets import QLabel

    picker = MeasurePickerDialog(services.status, as_of=date(2021, 7, 1))
    qtbot.addWidget(picker)
    assert any("截至 2021-07-01" in label.text() for label in picker.findChildren(QLabel))


def test_progress_reported_after_the_as_of_date_is_marked(services: Services) -> None:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    measure = services.status.measures(as_of=date(2021, 7, 1))[0]
    detail = services.details.measure(measure.id, as_of=date(2021, 7, 1))
    report = ReportEntry(
        date(2026, 12, 1), "第一轮", "市政府办公室", "in_progress", "已推进", "", ""
    )
    earlier = replace(report, reported_on=date(2021, 6, 20), progress="早先推进")
    html = render_detail(replace(detail, reports=[report, earlier]))
    assert "2026-12-01 市政府办公室</b>（晚于截至日）" in html
    assert "2021-06-20 市政府办公室</b>（第一轮" in html
