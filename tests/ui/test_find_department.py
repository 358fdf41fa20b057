"""The 部门 filters find a department by any part of its name, and never show text that is not
the active filter."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from tests.ui.test_ledger_page import _page


def _department_of(services: Services, name: str) -> str:
    return next(d.id for d in services.departments.list() if d.name == name)


def test_typing_part_of_a_name_filters_by_that_department(qtbot, services: Services) -> None:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = _page(qtbot, services)
    combo = page.filters.department
    completer = combo.completer()
    completer.setCompletionPrefix("自然资源")
    offered = [
        completer.completionModel().index(row, 0).data()
        for row in range(completer.completionCount())
    ]
    assert offered == ["市自然资源局"]  # matched in the middle of the name

    combo.setFocus()
    combo.lineEdit().selectAll()
    combo.lineEdit().insert("自然资源")  # (keyClicks types ASCII only)
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    completer.popup().hide()
    assert page.filters.current().department_id == _department_of(services, "市自然资源局")
    assert combo.currentText() == "市自然资源局"

    # Text that names no department: the box goes back to the active filter.
    combo.lineEdit().selectAll()
    combo.lineEdit().insert("不存在的部门")
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert combo.currentText() == "市自然资源局"
    assert page.filters.current().department_id == _department_of(services, "市自然资源局")


def test_the_inspections_filter_finds_anywhere_too(qtbot, services: Services) -> None:
    from ui.widgets.inspection_filter_bar import InspectionFilterBar

    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    bar = InspectionFilterBar()
    qtbot.addWidget(bar)
    bar.reload_choices([], [(d.id, d.name) for d in services.departments.list()], ["其他"])
    bar.department.lineEdit().setText("自然资源")
    bar.department.lineEdit().editingFinished.emit()
    assert bar.current().department_id == _department_of(services, "市自然资源局")
