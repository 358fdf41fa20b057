"""生成填报表 into a folder that already holds files of the sheets' names: the dialog asks, and
nothing there is ever overwritten (issue 8, item 1); 导出工作台账 replaces only what the user
agreed to replace."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtWidgets import QMessageBox

from app.services.context import Services
from app.services.progress import ProgressService
from app.services.progress.sheets_out import PlannedSheet
from tests.ui import test_rounds_dialog as rounds_tests
from tests.ui.test_rounds_dialog import DUE, ROUND, SMALL, TODAY, _open, _wait
from ui.actions import ActionId
from ui.dialogs import rounds as rounds_module
from ui.dialogs.round_forms import ExistingFilesBox, ExistingFilesChoice
from ui.main_window import MainWindow
from ui.widgets.file_dialogs import FileDialogs

TAX = "市税务局"
plans = rounds_tests.plans  # fixtures: the sample plan, and a ProgressService over it
progress = rounds_tests.progress


def _reply(path: Path, text: str = "市税务局报回的内容") -> bytes:
    book = Workbook()
    book.active["A1"] = text
    book.save(path)
    return path.read_bytes()


class Answers:
    """Stands in for the modal boxes: records what was asked, answers as scripted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folders: list[Path], *choices) -> None:
        self.folders = list(folders)
        self.choices = list(choices)
        self.asked: list[tuple[Path, list[str], int]] = []
        self.confirmed: list[str] = []
        monkeypatch.setattr(FileDialogs, "choose_folder", self.folder)
        monkeypatch.setattr(rounds_module, "ask_existing_files", self.existing)
        monkeypatch.setattr(rounds_module, "confirm", self.confirm)

    def folder(self, *args, **kwargs) -> Path | None:
        return self.folders.pop(0) if self.folders else None

    def existing(self, parent, folder, kept, total) -> ExistingFilesChoice:
        self.asked.append((folder, [sheet.wanted for sheet in kept], total))
        return self.choices.pop(0)

    def confirm(self, parent, title, text, accept_text, *args) -> bool:
        self.confirmed.append(text)
        return accept_text == "重新生成"


@pytest.fixture
def round_id(progress: ProgressService, plans) -> str:
    return progress.create_round(ROUND, plans[0][0], DUE, TODAY)


def _sheet_count(services: Services) -> int:
    return services.storage.db.execute(
        "SELECT COUNT(*) FROM round_sheets WHERE deleted = 0"
    ).fetchone()[0]


def test_keeping_the_files_there_saves_the_new_sheets_under_new_names(
    qtbot,
    services,
    progress,
    plans,
    round_id,
    tmp_path,
    monkeypatch,
) -> None:
    folder = tmp_path / "填报表"
    folder.mkdir()
    returned = folder / f"{ROUND}-{TAX}.xlsx"
    answers_in_it = _reply(returned)
    answers = Answers(monkeypatch, [folder], ExistingFilesChoice.KEEP)
    dialog = _open(qtbot, progress, plans)
    dialog.export_button.click()
    _wait(qtbot, dialog)

    total = len(progress.addressees(round_id).departments)
    assert answers.asked == [(folder, [returned.name], total)]
    assert returned.read_bytes() == answers_in_it
    renamed = folder / f"{ROUND}-{TAX}（2）.xlsx"
    assert renamed in dialog.last_export and returned not in dialog.last_export
    assert load_workbook(renamed)["_meta"]["B7"].value == TAX
    assert len(list(folder.iterdir())) == total + 1
    [done] = answers.confirmed
    assert "1 个同名文件没有被覆盖" in done
    assert _sheet_count(services) == total


def test_choosing_another_folder_asks_for_one_and_leaves_the_first_alone(
    qtbot,
    services,
    progress,
    plans,
    round_id,
    tmp_path,
    monkeypatch,
) -> None:
    first, second = tmp_path / "收回的表", tmp_path / "新的填报表"
    first.mkdir()
    second.mkdir()
    before = {_reply(first / f"{ROUND}-{name}.xlsx") for name in (TAX, SMALL)}
    answers = Answers(monkeypatch, [first, second], ExistingFilesChoice.OTHER_FOLDER)
    dialog = _open(qtbot, progress, plans)
    dialog.export_button.click()
    _wait(qtbot, dialog)

    assert [(folder, sorted(names)) for folder, names, _ in answers.asked] == [
        (first, sorted(f"{ROUND}-{name}.xlsx" for name in (TAX, SMALL)))
    ]
    assert {path.read_bytes() for path in first.iterdir()} == before
    assert all(path.parent == second for path in dialog.last_export)
    assert (second / f"{ROUND}-{TAX}.xlsx") in dialog.last_export


def test_cancelling_writes_nothing(
    qtbot,
    services,
    progress,
    plans,
    round_id,
    tmp_path,
    monkeypatch,
) -> None:
    folder = tmp_path / "填报表"
    folder.mkdir()
    _reply(folder / f"{ROUND}-{TAX}.xlsx")
    answers = Answers(monkeypatch, [folder], ExistingFilesChoice.CANCEL)
    dialog = _open(qtbot, progress, plans)
    dialog.export_button.click()
    assert not dialog.is_busy()
    assert len(answers.asked) == 1 and answers.confirmed == []
    assert [path.name for path in folder.iterdir()] == [f"{ROUND}-{TAX}.xlsx"]
    assert _sheet_count(services) == 0


def test_exporting_again_in_the_same_session_replaces_only_untouched_sheets_of_its_own(
    qtbot,
    services,
    progress,
    plans,
    round_id,
    tmp_path,
    monkeypatch,
) -> None:
    folder = tmp_path / "填报表"
    answers = Answers(monkeypatch, [folder, folder, folder], ExistingFilesChoice.KEEP)
    dialog = _open(qtbot, progress, plans)
    dialog.export_button.click()
    _wait(qtbot, dialog)
    first = sorted(path.name for path in folder.iterdir())
    assert answers.asked == []

    # Regenerating straight away: this session wrote those files and nobody changed them.
    dialog.export_button.click()
    _wait(qtbot, dialog)
    assert answers.asked == [] and len(answers.confirmed) == 3  # 重新生成?, done, done
    assert sorted(path.name for path in folder.iterdir()) == first

    # A department's reply saved over one of them is no longer the app's to replace.
    returned = folder / f"{ROUND}-{TAX}.xlsx"
    answers_in_it = _reply(returned)
    dialog.export_button.click()
    _wait(qtbot, dialog)
    assert [names for _, names, _ in answers.asked] == [[returned.name]]
    assert returned.read_bytes() == answers_in_it
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [*first, f"{ROUND}-{TAX}（2）.xlsx"]
    )


def test_the_question_names_the_files_and_offers_three_ways(qtbot, tmp_path: Path) -> None:
    kept = [
        PlannedSheet(
            f"d{i}", f"部门{i}", f"{ROUND}-部门{i}.xlsx", f"{ROUND}-部门{i}（2）.xlsx", kept=True
        )
        for i in range(10)
    ]
    box = ExistingFilesBox(tmp_path, kept, 49)
    qtbot.addWidget(box)
    assert box.windowTitle() == "文件夹中已有同名文件"
    assert "10 个" in box.text() and "不会被覆盖" in box.text()
    details = box.informativeText()
    assert f"{ROUND}-部门0.xlsx" in details and f"{ROUND}-部门7.xlsx" in details
    assert f"{ROUND}-部门8.xlsx" not in details and "…另有 2 个" in details
    assert [button.text() for button in box.buttons()].count("另选文件夹…") == 1
    assert box.defaultButton() is box.other_button
    assert box.escapeButton() is box.cancel_button
    box.show()
    box.other_button.click()
    assert box.choice() is ExistingFilesChoice.OTHER_FOLDER


# ---- 导出工作台账 ------------------------------------------------------------------------------


def _sample(window: MainWindow) -> None:
    from app.paths import SAMPLE_PLAN
    from app.plan_import import parse_file

    window._services.plans.import_plan(parse_file(SAMPLE_PLAN))


def test_the_ledger_replaces_a_file_the_save_dialog_asked_about(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    _sample(window)
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"last week")
    monkeypatch.setattr(window, "choose_ledger_export_path", lambda name: target)
    window.actions[ActionId.EXPORT_LEDGER].trigger()
    qtbot.waitUntil(lambda: "已导出工作台账" in window.statusBar().currentMessage(), timeout=15_000)
    assert "工作台账" in str(load_workbook(target).worksheets[0].cell(1, 1).value)
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".~")] == []


def test_the_ledger_asks_before_replacing_a_file_the_dialog_did_not_name(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    _sample(window)
    existing = tmp_path / "台账.xlsx"
    existing.write_bytes(b"last week")
    monkeypatch.setattr(window, "choose_ledger_export_path", lambda name: tmp_path / "台账")
    asked: list[Path] = []
    monkeypatch.setattr(window, "confirm_replace", lambda path: asked.append(path) or False)
    window.actions[ActionId.EXPORT_LEDGER].trigger()
    assert asked == [existing]
    assert existing.read_bytes() == b"last week"
    assert "正在导出" not in window.statusBar().currentMessage()


def test_confirm_replace_defaults_to_keeping_the_file(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    seen: list[QMessageBox] = []

    def answer(box: QMessageBox) -> int:
        seen.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert window.confirm_replace(tmp_path / "台账.xlsx") is False
    [box] = seen
    assert "台账.xlsx" in box.text() and box.defaultButton().text() == "取消"
