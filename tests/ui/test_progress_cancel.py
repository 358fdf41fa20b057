"""Long work behind a progress dialog with 取消 (ui/widgets/progress.py): reading a plan and
importing returned sheets; cancelling changes nothing."""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.progress import Progress
from app.services.context import Services
from app.services.progress import ProgressService
from app.storage.export import export_database
from tests.services.progress.support import _fill
from ui.dialogs.plan_import import PlanImportDialog
from ui.dialogs.rounds import RoundsDialog
from ui.widgets.progress import run_with_progress

TODAY = date(2021, 7, 20)


def _cancel_button(dialog: QProgressDialog) -> QPushButton:
    [button] = [b for b in dialog.findChildren(QPushButton) if b.text() == "取消"]
    return button


# ---- The widget --------------------------------------------------------------------------------


def test_the_dialog_shows_progress_and_cancel_stops_the_work(qtbot) -> None:
    """Work that would run for ever: the dialog appears, fills, and 取消 stops the worker."""
    parent = QPushButton()
    qtbot.addWidget(parent)
    parent.show()
    outcome: list[str] = []
    stopped = threading.Event()

    def work(progress: Progress) -> None:
        try:
            step = 0
            while True:
                progress(step % 100, 100)
                step += 1
                stopped.wait(0.005)
        finally:
            stopped.set()

    task = run_with_progress(
        parent,
        "测试",
        "正在工作…",
        work,
        lambda result: outcome.append("done"),
        lambda error: outcome.append(f"error {error!r}"),
        lambda: outcome.append("cancelled"),
    )
    qtbot.waitUntil(lambda: task.dialog.isVisible() and task.dialog.value() > 0, timeout=10_000)
    assert task.dialog.windowTitle() == "测试" and task.dialog.labelText() == "正在工作…"
    _cancel_button(task.dialog).click()
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert outcome == ["cancelled"] and stopped.is_set() and task.finished


def test_results_and_errors_come_back_on_the_ui_thread(qtbot) -> None:
    parent = QPushButton()
    qtbot.addWidget(parent)
    seen: list[object] = []
    run_with_progress(parent, "测试", "…", lambda _: 42, seen.append, seen.append, lambda: None)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10_000)
    run_with_progress(parent, "测试", "…", lambda _: 1 / 0, seen.append, seen.append, lambda: None)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen[0] == 42 and isinstance(seen[1], ZeroDivisionError)


# ---- Reading a plan ------------------------------------------------------------------------------


@pytest.fixture
def big_plan(tmp_path: Path) -> Path:
    """Just under the character limit: reading and parsing take long enough to cancel."""
    path = tmp_path / "大方案.txt"
    path.write_text("\n".join([SAMPLE_PLAN.read_text("utf-8")] * 45), encoding="utf-8")
    return path


def test_cancelling_a_plan_load_keeps_what_the_dialog_showed(
    qtbot, services: Services, big_plan: Path, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    dialog = PlanImportDialog(services.plans)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load_file(SAMPLE_PLAN)
    qtbot.waitUntil(dialog.is_loaded, timeout=20_000)
    measures = len(dialog.parsed.measures)
    label = dialog.file_label.text()

    dialog.load_file(big_plan)
    assert dialog.is_busy() and not dialog.import_button.isEnabled()
    task = dialog.loading
    assert task is not None and task.dialog.labelText() == "正在读取并解析“大方案.txt”…"
    _cancel_button(task.dialog).click()
    qtbot.waitUntil(lambda: task.finished, timeout=20_000)

    assert not dialog.is_busy() and shown == []
    assert len(dialog.parsed.measures) == measures == 201
    assert dialog.file_label.text() == label and dialog.import_button.isEnabled()
    assert services.storage.db["changes"].count == 0


def test_a_plan_over_a_limit_is_reported_in_the_dialog(
    qtbot, services: Services, tmp_path: Path, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    dialog = PlanImportDialog(services.plans)
    qtbot.addWidget(dialog)
    path = tmp_path / "太长.txt"
    path.write_text("一" * 2_000_001, encoding="utf-8")
    dialog.load_file(path)
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert "超过实施方案的上限 2,000,000 字" in shown[0]
    assert dialog.parsed is None and not dialog.import_button.isEnabled()


# ---- Importing returned sheets -------------------------------------------------------------------


def test_cancelling_an_import_of_returned_sheets_changes_nothing(
    qtbot, services: Services, tmp_path: Path
) -> None:
    result = services.plans.import_plan(parse_file(SAMPLE_PLAN))
    progress = ProgressService(services.repository)
    round_id = progress.create_round("2021年7月调度", result.plan_id, date(2021, 7, 30), TODAY)
    some = {addressee.id for addressee in progress.addressees(round_id).departments[:8]}
    sheets = progress.export_sheets(round_id, tmp_path / "out", TODAY, departments=some)
    filled = [_fill(path) for path in sheets]
    copies = []
    for index in range(16):  # more files: checking them takes a while
        copy = tmp_path / f"副本{index}.xlsx"
        shutil.copyfile(filled[index % len(filled)], copy)
        copies.append(copy)
    dialog = RoundsDialog(progress, [(result.plan_id, "方案")], clock=lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.select_round(round_id)
    before = export_database(services.storage)

    dialog.import_paths(filled + copies)
    assert dialog.is_busy() and dialog.importing is not None
    task = dialog.importing
    assert task.dialog.labelText() == f"正在检查 {len(filled + copies)} 个文件…"
    _cancel_button(task.dialog).click()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=60_000)

    assert task.cancelled() and dialog.last_report is None
    assert dialog.status.text() == "已取消导入，台账未改变。"
    assert export_database(services.storage) == before
    assert dialog.import_button.isEnabled()
