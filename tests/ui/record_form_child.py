"""Test-only child process: open the record form, type into it, wait for the autosave, hang.

    python tests/ui/record_form_child.py DB MEASURE_ID

Run by tests/ui/test_record_form_kill.py with QT_QPA_PLATFORM=offscreen. The child drives the
form itself with QTest, as a user types: a summary in Latin letters (key by key) and in Chinese
(an input method's commit), and a note on the first checklist item. It then waits, without
leaving the fields or closing the window, until another connection to the database sees the
text committed (the summary by the pause in the typing: it is never left), prints ``SAVED
<inspection id>`` and goes on typing without pausing (so that text is not saved yet) until it
is killed.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

SUMMARY_KEYS = "window 3 queue 40 min"
SUMMARY_IME = "，窗口排队约四十分钟"
NOTE_IME = "窗口称需等待后台审核"
LATER = " and then some"
WAIT_SECONDS = 20


def commit(widget, text: str) -> None:
    """What an input method does when the user picks the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def committed(db: str, inspection_id: str) -> bool:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as reader:
        summary = reader.execute(
            "SELECT summary FROM inspections WHERE id = ?", [inspection_id]
        ).fetchone()
        note = reader.execute(
            "SELECT note FROM checklist_answers WHERE inspection_id = ? AND note <> ''",
            [inspection_id],
        ).fetchone()
    return bool(summary and summary[0] == SUMMARY_KEYS + SUMMARY_IME and note and note[0])


def main(db: str, measure_id: str) -> None:
    from app.services.context import Services
    from ui.dialogs.record_form import RecordForm

    app = QApplication(sys.argv[:1])
    services = Services.open(db)
    form = RecordForm.open_new(services, measure_id)
    assert form is not None
    form.show()
    QTest.qWaitForWindowExposed(form)
    form.activateWindow()
    form.table.setFocus()
    form.table.setCurrentCell(0, 2)
    note = form.panel.note
    note.setFocus()
    commit(note, NOTE_IME)
    summary = form.header.summary
    summary.setFocus()  # the note is left (saved then); the summary is saved after a pause
    QTest.keyClicks(summary, SUMMARY_KEYS)
    commit(summary, SUMMARY_IME)
    deadline = time.monotonic() + WAIT_SECONDS
    while not committed(db, form.inspection_id):
        if time.monotonic() > deadline:
            print("NOT SAVED", flush=True)
            sys.exit(3)
        QTest.qWait(50)
    print(f"SAVED {form.inspection_id}", flush=True)
    summary.moveCursor(summary.textCursor().MoveOperation.End)
    QTest.keyClicks(summary, LATER)  # still being typed when the process dies
    while True:
        QTest.qWait(20)
        QTest.keyClick(summary, Qt.Key.Key_Space)
    app.exec()  # not reached


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
