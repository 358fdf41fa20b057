"""Killing the app mid-edit loses nothing that was typed before the last pause.

A child process (tests/ui/record_form_child.py) opens the record form on a real database file,
types into it with QTest, waits until the autosave has committed, goes on typing and is killed
with SIGKILL. The database is then whole (integrity_check), the record is a draft holding what
was typed, and opening it again continues it.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from app.storage import Storage
from tests.ui.record_form_child import LATER, NOTE_IME, SUMMARY_IME, SUMMARY_KEYS
from ui.dialogs.record_form import RecordForm

CHILD = Path(__file__).with_name("record_form_child.py")
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # seconds: importing Qt on a busy machine


def _prepared(path: Path) -> str:
    storage = Storage.open(path, create=True)
    try:
        services = Services.for_storage(storage)
        services.plans.import_plan(parse_file(SAMPLE_PLAN))
        (measure_id,) = storage.db.execute(
            "SELECT id FROM measures WHERE title = '持续优化企业开办流程'"
        ).fetchone()
    finally:
        storage.close()
    return measure_id


def _read_line(process: subprocess.Popen, timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([process.stdout], [], [], 0.2)
        if ready:
            return process.stdout.readline().decode("utf-8").strip()
        if process.poll() is not None:
            break
    return ""


def test_a_record_being_typed_survives_a_kill(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    measure_id = _prepared(db)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(CHILD), str(db), measure_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    try:
        line = _read_line(process, START_TIMEOUT)
        assert line.startswith("SAVED "), (
            line,
            process.stderr.read().decode() if process.poll() else "",
        )
        inspection_id = line.split()[1]
        time.sleep(0.2)  # the child is typing again
        assert process.poll() is None, "the child should still be running, mid-edit"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL

    # Straight after the kill, before anything repairs it: whole, and the text is there.
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        summary, state = raw.execute(
            "SELECT summary, state FROM inspections WHERE id = ?", [inspection_id]
        ).fetchone()
        notes = [
            row[0]
            for row in raw.execute(
                "SELECT note FROM checklist_answers WHERE inspection_id = ? AND note <> ''",
                [inspection_id],
            )
        ]
    assert state == "draft"
    # Everything typed up to the last pause; what was typed after it without a pause is lost.
    assert summary == SUMMARY_KEYS + SUMMARY_IME and LATER not in summary
    assert notes == [NOTE_IME]

    # Opening it again continues the draft where it stopped.
    services = Services.open(db)
    try:
        [draft] = services.inspections.drafts()
        assert draft.id == inspection_id
        form = RecordForm.open_existing(services, inspection_id)
        assert form is not None
        assert form.is_draft()
        assert form.header.summary.toPlainText() == summary
        form.table.setCurrentCell(0, 2)
        assert form.panel.note.text() == NOTE_IME
        form.close()
    finally:
        services.close()
