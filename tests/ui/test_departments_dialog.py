from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from ui.dialogs.departments import DepartmentsDialog


@pytest.fixture
def dialog(qtbot, services: Services) -> DepartmentsDialog:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    widget = DepartmentsDialog(services.departments)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _names(dialog: DepartmentsDialog) -> set[str]:
    return {
        dialog.table.item(row, dialog.COL_NAME).text() for row in range(dialog.table.rowCount())
    }


def test_the_directory_lists_every_department_with_its_roles(dialog: DepartmentsDialog) -> None:
    names = _names(dialog)
    assert {"市行政审批服务局", "市税务局", "市直相关部门"} <= names
    assert dialog.summary.text() == f"共 {len(names)} 个名称。"
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, dialog.COL_NAME).text() == "市直相关部门":
            assert dialog.table.item(row, dialog.COL_KIND).text() == "泛指"


def test_merging_two_names_through_the_dialog(dialog, services, monkeypatch) -> None:
    dialog.select_names("市林业发展服务中心", "市林业事业发展中心")
    assert dialog.merge_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args: ("市林业发展服务中心", True))
    dialog.merge_selected()
    names = _names(dialog)
    assert "市林业事业发展中心" not in names and "市林业发展服务中心" in names
    info = next(i for i in services.departments.list() if i.name == "市林业发展服务中心")
    assert "市林业事业发展中心" in info.aliases


def test_splitting_an_alias_back_out(dialog, services, monkeypatch) -> None:
    with_alias = next(info for info in services.departments.list() if info.aliases)
    alias = with_alias.aliases[0]
    dialog.select_names(with_alias.name)
    assert dialog.split_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args: (alias, True))
    dialog.split_selected()
    assert alias in _names(dialog)


def test_renaming_to_an_existing_name_is_refused_with_a_message(dialog, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.dialogs.departments.QMessageBox.warning", lambda *args: shown.append(args[2])
    )
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("市税务局", True))
    dialog.select_names("市财政局")
    dialog.rename_selected()
    assert shown and "合并" in shown[0]
    assert "市财政局" in _names(dialog)


def test_filter_hides_rows_that_do_not_match(dialog: DepartmentsDialog) -> None:
    dialog.filter.setText("税务")
    rows = [
        (
            dialog.table.isRowHidden(row),
            dialog.table.item(row, dialog.COL_NAME).text()
            + dialog.table.item(row, dialog.COL_ALIASES).text(),
        )
        for row in range(dialog.table.rowCount())
    ]
    visible = [text for hidden, text in rows if not hidden]
    assert visible and all("税务" in text for text in visible)
    assert any(hidden for hidden, _text in rows)
