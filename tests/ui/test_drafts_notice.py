"""On restart, unfinished records are pointed to: a status-bar message and a line on the
明察暗访 page whose link opens the draft (or lets one choose among several)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QInputDialog

from app.services.context import Services
from app.storage import Storage
from tests.services.workspace import TODAY, Workspace
from ui.main_window import MainWindow


def _drafts(storage: Storage, count: int) -> tuple[Workspace, list[str]]:
    ws = Workspace(storage).as_user("张三")
    measure = ws.measure(title="优化综合窗口")
    drafts = [
        ws.services.inspections.start_draft(measure, checked_on=date(2021, 9, 10 + n), today=TODAY)
        for n in range(count)
    ]
    return ws, drafts


def test_a_restart_points_to_the_unfinished_record(qtbot, storage, app_settings, monkeypatch):
    ws, [draft] = _drafts(storage, 1)
    window = MainWindow(app_settings, storage.path)
    qtbot.addWidget(window)
    window.attach(Services.for_storage(storage))
    window.show()
    assert "有 1 份未完成的检查记录草稿" in window.statusBar().currentMessage()
    page = window.pages["inspections"]
    window.show_page("inspections")
    notice = page.drafts_notice
    assert notice.isVisible() and "有 1 份未完成的检查记录草稿" in notice.text()
    opened: list[str] = []
    monkeypatch.setattr(page, "open_record", opened.append)
    notice.linkActivated.emit("drafts")  # the link, as a click gives it
    assert opened == [draft]

    # Finished: the line goes.
    ws.services.inspections.discard_draft(draft)
    page.refresh()
    assert not notice.isVisible()


def test_several_drafts_are_offered_to_choose(qtbot, storage, app_settings, monkeypatch) -> None:
    _ws, drafts = _drafts(storage, 2)
    window = MainWindow(app_settings, storage.path)
    qtbot.addWidget(window)
    window.attach(Services.for_storage(storage))
    page = window.pages["inspections"]
    asked: list[list[str]] = []

    def choose(_parent, _title, _label, items, *_args):
        asked.append(list(items))
        return items[1], True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    opened: list[str] = []
    monkeypatch.setattr(page, "open_record", opened.append)
    assert "有 2 份" in page.drafts_notice.text()
    page.drafts_notice.linkActivated.emit("drafts")
    [labels] = asked
    assert labels[0].startswith("2021-09-11 明查：") and "优化综合窗口" in labels[0]
    assert opened == [drafts[0]]  # the second offered: started first, listed last
