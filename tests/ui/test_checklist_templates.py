"""The office's checklist templates, edited in place: create, rename, items with targets, order,
delete; and the starters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services.context import Services
from app.storage import Storage
from ui.dialogs.checklist_templates import TemplateEditor


@pytest.fixture
def editor(qtbot, storage: Storage) -> TemplateEditor:
    dialog = TemplateEditor(Services.for_storage(storage).checklists)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _retype(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_a_template_is_made_item_by_item_and_saved_as_it_goes(qtbot, editor) -> None:
    checklists = editor._checklists
    template_id = editor.new_template()
    assert template_id and editor.name.text() == "新检查模板"
    _retype(qtbot, editor.name, "Window check")  # Enter: saved (and no new template)
    assert checklists.template(template_id).name == "Window check"
    assert len(checklists.templates()) == 1

    first = editor.add_item()
    editor.items.item(0, editor.COL_TEXT).setText("Posted fee list?")
    second = editor.add_item()
    editor.items.item(1, editor.COL_TEXT).setText("Waiting time")
    editor.set_target(1, "<=", "20", "分钟")
    items = checklists.template(template_id).items
    assert [(i.id, i.text) for i in items] == [
        (first, "Posted fee list?"),
        (second, "Waiting time"),
    ]
    assert (items[1].op, items[1].value, items[1].unit) == ("<=", 20.0, "分钟")
    assert items[0].op is None

    editor.items.setCurrentCell(1, editor.COL_TEXT)
    editor.move_item(-1)
    assert [i.text for i in checklists.template(template_id).items] == [
        "Waiting time",
        "Posted fee list?",
    ]
    editor.items.setCurrentCell(1, editor.COL_TEXT)
    editor.remove_item()
    assert [i.text for i in checklists.template(template_id).items] == ["Waiting time"]


def test_a_target_needs_its_number_and_a_name_is_unique(qtbot, editor) -> None:
    checklists = editor._checklists
    checklists.create_template("电话暗访")
    template_id = editor.new_template()
    editor.add_item("排队用时")
    editor.set_target(0, "<=", "二十", "分钟")
    assert "不是数字" in editor.error_text()
    editor.set_target(0, "<=", "", "分钟")
    assert "一起填写" in editor.error_text()
    assert checklists.template(template_id).items[0].op is None  # nothing half saved
    editor.name.setText("电话暗访")
    editor.name.editingFinished.emit()
    assert "已有名为“电话暗访”" in editor.error_text()
    assert checklists.template(template_id).name == "新检查模板"


def test_starters_once_and_a_template_deleted(qtbot, editor, monkeypatch) -> None:
    checklists = editor._checklists
    editor.add_starters()
    names = [editor.list.item(row).text() for row in range(editor.list.count())]
    assert names == [
        "窗口服务（模拟办事）（7 项）",
        "电话暗访（4 项）",
        "网上办事体验（4 项）",
    ]  # pinyin
    editor.add_starters()
    assert editor.list.count() == 3 and "都已经有了" in editor.error_text()
    editor.list.setCurrentRow(1)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    editor.delete_template()
    assert [t.name for t in checklists.templates()] == ["窗口服务（模拟办事）", "网上办事体验"]
