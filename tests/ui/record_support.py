"""Helpers for the record form tests: the sample ledger, a shown form, keys, input, drops."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from app.services.context import Services
from ui.dialogs.record_form import RecordForm

TODAY = date(2021, 10, 31)
OPENING = "持续优化企业开办流程"  # 0.5个工作日完成预审 / 审批, 一网通办
FREE_AGENCY = "拓展“政银合作”新模式，提升企业开办便利化水平"  # 免费代办


def measure(services: Services, title: str) -> str:
    (measure_id,) = services.storage.db.execute(
        "SELECT id FROM measures WHERE title = ? AND deleted = 0", [title]
    ).fetchone()
    return measure_id


def open_form(
    qtbot, services: Services, title: str = OPENING, *, checked_on: date = date(2021, 7, 15)
) -> RecordForm:
    form = RecordForm.open_new(
        services, measure(services, title), checked_on=checked_on, today=TODAY
    )
    assert form is not None
    return shown(qtbot, form)


@pytest.fixture(autouse=True)
def close_forms(qtbot, services: Services) -> Iterator[None]:
    """Record forms delete themselves when closed (qtbot.addWidget would close them again):
    the ones a test leaves open are closed here, before the database is (once their evidence
    worker, which uses the database, has finished)."""
    yield
    for form in list(RecordForm._open.values()):
        if isValid(form):
            qtbot.waitUntil(lambda form=form: not form.is_importing(), timeout=20000)
            form._closing = True  # no questions at teardown
            form.close()
    RecordForm._open.clear()


def shown(qtbot, form: RecordForm) -> RecordForm:
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    return form


def active(qtbot, window: QWidget) -> QWidget:
    """A dialog the form opened, once it has the keyboard."""
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed wherever the focus is, as on a keyboard."""
    qtbot.keyClick(focused(), key, modifier)


def type_keys(qtbot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def commit(text: str, widget: QWidget | None = None) -> None:
    """Chinese typed through an input method: its commit into the focused field."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget or focused(), event)


def tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        press(qtbot, Qt.Key.Key_Tab)


def drop(widget: QWidget, paths: list[Path], at: QPoint | None = None) -> bool:
    """Drag ``paths`` from a file manager onto ``widget`` and let go; True when accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    point = QPointF(at if at is not None else widget.rect().center())
    actions = Qt.DropAction.CopyAction
    buttons = Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def wait_added(qtbot, form: RecordForm) -> None:
    qtbot.waitUntil(lambda: not form.is_importing(), timeout=20000)


def changes(services: Services) -> int:
    return services.storage.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]


def record_row(services: Services, form: RecordForm) -> dict:
    return services.repository.get("inspections", form.inspection_id)


def finish_anyway(qtbot, form: RecordForm) -> str:
    """完成 asked about what was left empty: 仍然完成. Returns the question's text."""
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: form.findChild(QMessageBox, "unanswered_question") is not None)
    box = form.findChild(QMessageBox, "unanswered_question")
    text = box.text()
    [finish] = [b for b in box.buttons() if b.text() == "仍然完成"]
    finish.click()
    return text
