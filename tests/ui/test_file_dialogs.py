"""File dialogs: each purpose remembers its folder; Qt's own dialog speaks Chinese, fits its
texts and the screen; 打开文件夹 says where the folder is when there is no file manager."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QStyle,
    QTreeView,
    QWidget,
)

from ui.settings import AppSettings
from ui.widgets import file_dialogs as module
from ui.widgets.file_dialogs import (
    DialogMode,
    FileDialog,
    FileDialogs,
    FilePurpose,
    show_in_folder,
    show_saved,
)

# Words that are names, not English UI text.
PRODUCT_NAMES = {"Excel", "JSON", "PDF", "Word", "KB", "MB", "GB"}


class ScriptedDialogs:
    """Stands in for the user at every file dialog: records where it opened, then picks the
    next scripted path (None: cancels)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: list[Path | None] = []
        self.opened_in: list[Path] = []
        self.titles: list[str] = []
        self.dialogs: list[FileDialog] = []
        monkeypatch.setattr(FileDialog, "exec", lambda dialog: self.exec(dialog))

    def exec(self, dialog: FileDialog) -> int:
        self.dialogs.append(dialog)
        self.opened_in.append(Path(dialog.directory().absolutePath()))
        self.titles.append(dialog.windowTitle())
        answer = self.answers.pop(0)
        if answer is None:
            return QDialog.DialogCode.Rejected
        dialog.selectFile(str(answer))
        return QDialog.DialogCode.Accepted


@pytest.fixture
def chinese(qapp):
    """Qt's own translations, as the app loads them (ui/application.py)."""
    from ui.application import install_chinese_translations

    translators = install_chinese_translations(qapp)
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> ScriptedDialogs:
    return ScriptedDialogs(monkeypatch)


def _folders(root: Path, *names: str) -> list[Path]:
    folders = [root / name for name in names]
    for folder in folders:
        folder.mkdir(parents=True)
    return folders


def _pick(files: FileDialogs, purpose: FilePurpose, parent: QWidget | None = None):
    if purpose in (FilePurpose.PLAN_IMPORT,):
        return files.open_file(parent, purpose)
    if purpose is FilePurpose.RETURNS_IN:
        return files.open_files(parent, purpose)
    if purpose is FilePurpose.SHEETS_OUT:
        return files.choose_folder(parent, purpose)
    return files.save_file(parent, purpose, "名称")


def test_each_purpose_opens_in_the_folder_last_used_for_it(
    qtbot, app_settings: AppSettings, scripted: ScriptedDialogs, tmp_path: Path
) -> None:
    files = FileDialogs(app_settings)
    purposes = list(FilePurpose)
    folders = _folders(tmp_path, *(purpose.value for purpose in purposes))
    first = {purpose: files.folder(purpose) for purpose in purposes}
    assert len(set(first.values())) == 1  # nothing remembered yet: all start in one place

    for purpose, folder in zip(purposes, folders, strict=True):
        answer = folder if purpose is FilePurpose.SHEETS_OUT else folder / "文件.xlsx"
        if purpose in (FilePurpose.PLAN_IMPORT, FilePurpose.RETURNS_IN):
            answer.write_bytes(b"x")
        scripted.answers.append(answer)
        _pick(files, purpose)
    assert scripted.opened_in == [first[purpose] for purpose in purposes]

    # Each dialog now opens where it was last used — not where another purpose was.
    scripted.opened_in.clear()
    for purpose in purposes:
        scripted.answers.append(None)  # cancelled: remembers nothing new
        assert _pick(files, purpose) in (None, [])
    assert scripted.opened_in == folders

    # Settings survive a restart (a new AppSettings on the same store).
    again = FileDialogs(AppSettings(app_settings._settings))
    assert [again.folder(purpose) for purpose in purposes] == folders


def test_a_remembered_folder_that_is_gone_falls_back_to_its_parent(
    app_settings: AppSettings, tmp_path: Path
) -> None:
    files = FileDialogs(app_settings)
    gone = tmp_path / "U盘" / "调度"
    files.remember(FilePurpose.SHEETS_OUT, gone)
    assert files.folder(FilePurpose.SHEETS_OUT) == tmp_path
    assert files.folder(FilePurpose.RETURNS_IN) == module.default_folder()


def test_the_callers_keep_their_purposes_apart(
    qtbot, window, scripted: ScriptedDialogs, tmp_path: Path, monkeypatch
) -> None:
    """The main window's import and exports and the 调度 dialog each use their own folder."""
    from ui.dialogs.plan_import import choose_plan_file
    from ui.dialogs.rounds import RoundsDialog

    plans, ledger, data, sheets, returns = _folders(
        tmp_path, "方案", "台账", "数据", "填报表", "报回"
    )
    plan = plans / "方案.txt"
    plan.write_text("x", encoding="utf-8")
    scripted.answers += [plan, ledger / "台账.xlsx", data / "数据.json"]
    assert choose_plan_file(window, window.files) == plan
    assert window.choose_ledger_export_path("台账.xlsx") == ledger / "台账.xlsx"
    assert window.choose_export_path("数据.json") == data / "数据.json"

    dialog = RoundsDialog(window._services.progress, [], window, files=window.files)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(dialog, "current_round", lambda: object())
    monkeypatch.setattr(dialog, "import_paths", lambda paths: None)
    monkeypatch.setattr(window._services.progress, "planned_sheets", lambda *args: [])
    reply = returns / "回.xlsx"
    reply.write_bytes(b"x")
    scripted.answers += [sheets, reply]
    info = SimpleNamespace(id="round")
    assert dialog._choose_export_folder(info) == sheets
    dialog.import_replies()

    scripted.opened_in.clear()
    scripted.answers += [None] * 5
    choose_plan_file(window, window.files)
    window.choose_ledger_export_path("台账.xlsx")
    window.choose_export_path("数据.json")
    dialog._choose_export_folder(info)
    dialog.import_replies()
    assert scripted.opened_in == [plans, ledger, data, sheets, returns]
    assert scripted.titles[:5] == [
        "选择实施方案文件",
        "导出工作台账",
        "导出数据",
        "选择保存填报表的文件夹",
        "选择报回的填报表（可多选）",
    ]


# ---- Qt's own dialog -----------------------------------------------------------------------


def _english(text: str) -> list[str]:
    """English words in a UI text (file patterns, mnemonics and product names aside)."""
    text = re.sub(r"\(\*[^)]*\)|\*\.\w+", "", text)
    text = re.sub(r"\(&\w\)|&", "", text)
    return [word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in PRODUCT_NAMES]


def _visible_texts(dialog: QFileDialog) -> list[str]:
    texts = [dialog.labelText(label) for label in QFileDialog.DialogLabel]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    types = dialog.findChild(QComboBox, "fileTypeCombo")  # not "lookInCombo": it shows a path
    texts += [types.itemText(index) for index in range(types.count())] if types.isVisible() else []
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisible():
            texts += [button.text(), button.toolTip()]
    view = dialog.findChild(QTreeView, "treeView")
    model = view.model()
    texts += [
        str(model.headerData(column, Qt.Orientation.Horizontal))
        for column in range(model.columnCount(view.rootIndex()))
    ]
    return texts


def _sample_folder(root: Path) -> Path:
    folder = root / "材料"
    folder.mkdir()
    (folder / "子文件夹").mkdir()
    with open(folder / "扫描件.pdf", "wb") as handle:
        handle.truncate(10_500_000)  # "10.0 MB"
    (folder / "说明.txt").write_text("见附件。", encoding="utf-8")
    (folder / "数据.json").write_text("{}", encoding="utf-8")
    (folder / "报回.xlsx").write_bytes(b"PK\x03\x04" + bytes(2000))
    return folder


def _listed(qtbot, dialog: QFileDialog, count: int) -> QTreeView:
    view = dialog.findChild(QTreeView, "treeView")
    qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) >= count, timeout=20_000)
    return view


@pytest.mark.parametrize("mode", list(DialogMode))
def test_qt_dialog_shows_no_english(qtbot, chinese, app_settings, tmp_path: Path, mode) -> None:
    folder = _sample_folder(tmp_path)
    files = FileDialogs(app_settings)
    files.remember(FilePurpose.RETURNS_IN, folder)
    dialog = files.dialog(None, FilePurpose.RETURNS_IN, mode, "报表.xlsx")
    qtbot.addWidget(dialog)
    assert dialog.is_qt_dialog  # offscreen has no native dialog
    dialog.show()
    view = _listed(qtbot, dialog, 1)
    texts = _visible_texts(dialog)
    assert [word for text in texts for word in _english(text)] == []
    assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == "查找范围(&I)："
    # Every cell of the list too: no "Folder", no "bytes", dates as 2021-07-01 09:30.
    model = view.model()
    cells = [
        str(model.index(row, column, view.rootIndex()).data() or "")
        for row in range(model.rowCount(view.rootIndex()))
        for column in (1, 2, 3)
    ]
    assert [word for cell in cells for word in _english(cell)] == []
    dates = cells[2::3]
    assert dates and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", text) for text in dates)


def test_the_english_check_catches_qts_plain_dialog(qtbot, chinese) -> None:
    """Control: the same check finds "Look in" and "Files of type" in an untouched dialog."""
    dialog = QFileDialog(None, "选择")
    qtbot.addWidget(dialog)
    dialog.show()
    words = {word for text in _visible_texts(dialog) for word in _english(text)}
    assert {"Look", "Files", "type"} <= words


def _clipped(view: QTreeView) -> list[tuple[str, int, int]]:
    """Cells of the size, type and date columns whose text does not fit their column."""
    model = view.model()
    metrics = view.fontMetrics()
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    clipped = []
    for row in range(model.rowCount(view.rootIndex())):
        for column in (1, 2, 3):
            text = str(model.index(row, column, view.rootIndex()).data() or "")
            needed = metrics.horizontalAdvance(text) + margin
            if needed > view.columnWidth(column):
                clipped.append((text, needed, view.columnWidth(column)))
    return clipped


def test_qt_dialog_columns_fit_their_texts_and_the_dialog_fits_the_screen(
    qtbot, app_settings, tmp_path: Path
) -> None:
    folder = _sample_folder(tmp_path)
    files = FileDialogs(app_settings)
    files.remember(FilePurpose.PLAN_IMPORT, folder)
    dialog = files.dialog(None, FilePurpose.PLAN_IMPORT, DialogMode.OPEN)
    qtbot.addWidget(dialog)
    dialog.selectNameFilter("所有文件 (*)")
    dialog.show()
    view = _listed(qtbot, dialog, 5)
    qtbot.waitUntil(lambda: not _clipped(view), timeout=20_000)
    # The names take the room that is left, without a horizontal scroll bar.
    assert view.columnWidth(0) >= 150
    assert sum(view.columnWidth(column) for column in range(4)) <= view.viewport().width()
    available = dialog.screen().availableGeometry()
    assert dialog.width() <= available.width() and dialog.height() <= available.height()

    # Control: Qt's plain dialog cuts them ("10….MiB").
    plain = QFileDialog(None, "选择", str(folder))
    qtbot.addWidget(plain)
    plain.show()
    plain_view = _listed(qtbot, plain, 5)
    qtbot.waitUntil(lambda: bool(_clipped(plain_view)), timeout=20_000)


def test_qt_dialog_asks_in_chinese_before_replacing_a_file(
    qtbot, app_settings, tmp_path: Path, monkeypatch
) -> None:
    existing = tmp_path / "工作台账.xlsx"
    existing.write_bytes(b"last week")
    files = FileDialogs(app_settings)
    files.remember(FilePurpose.LEDGER_EXCEL, tmp_path)
    dialog = files.dialog(None, FilePurpose.LEDGER_EXCEL, DialogMode.SAVE, "工作台账")
    qtbot.addWidget(dialog)
    dialog.show()
    asked: list[tuple[str, str, list[str]]] = []
    answer = {"text": "取消"}

    def exec_box(box: QMessageBox) -> int:
        buttons = [button.text() for button in box.buttons()]
        asked.append((box.windowTitle(), box.text(), buttons))
        for button in box.buttons():
            if button.text() == answer["text"]:
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_box)
    assert dialog.chosen() == [existing]  # the default suffix is added
    dialog.accept()
    assert asked == [("确认替换", "“工作台账.xlsx”已存在。\n要替换它吗？", ["替换", "取消"])]
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    answer["text"] = "替换"
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and len(asked) == 2


# ---- Opening what was written ------------------------------------------------------------


def _buttons(box: QMessageBox) -> dict[str, QAbstractButton]:
    return {button.text(): button for button in box.buttons()}


def _notice(parent: QWidget) -> QMessageBox:
    boxes = [box for box in parent.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def test_open_folder_without_a_file_manager_says_where_it_is(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    folder = tmp_path / "填报表"
    folder.mkdir()
    assert show_in_folder(parent, folder) is False
    box = _notice(parent)
    assert box.objectName() == "file_location_notice"
    assert "没有可用的文件管理器" in box.text() and str(folder) in box.text()
    assert QGuiApplication.clipboard().text() == str(folder)


def test_open_folder_opens_the_file_manager_when_there_is_one(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    parent = QWidget()
    qtbot.addWidget(parent)
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"x")
    assert show_in_folder(parent, target) is True
    assert opened == [str(tmp_path)]
    assert parent.findChildren(QMessageBox) == []


def test_the_saved_notice_offers_open_open_folder_and_close(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    target = tmp_path / "工作台账（截至2021-07-01）.xlsx"
    target.write_bytes(b"x")
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    box = show_saved(parent, "已导出工作台账", "工作台账已导出：全部措施。", target)
    assert sorted(_buttons(box)) == sorted(["打开", "打开所在文件夹", "关闭"])
    assert box.defaultButton().text() == "打开"
    assert target.name in box.text() and str(tmp_path) in box.text()
    assert box.isVisible()  # not blocking: the window stays usable
    _buttons(box)["打开"].click()
    assert opened == [str(target)]

    box = show_saved(parent, "已导出工作台账", "工作台账已导出。", target)
    _buttons(box)["打开所在文件夹"].click()
    assert opened == [str(target), str(tmp_path)]

    box = show_saved(parent, "已导出工作台账", "工作台账已导出。", target)
    _buttons(box)["关闭"].click()
    assert opened == [str(target), str(tmp_path)]

    # No program for .xlsx: it says so and where the file is.
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    box = show_saved(parent, "已导出工作台账", "工作台账已导出。", target)
    _buttons(box)["打开"].click()
    qtbot.waitUntil(lambda: not box.isVisible())
    notice = _notice(parent)
    assert "Excel 或 WPS" in notice.text() and str(target) in notice.text()


def _fake_xdg_open(tmp_path: Path, exit_code: int) -> str:
    script = tmp_path / f"xdg-open-{exit_code}"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{tmp_path}/opened.txt"\nexit {exit_code}\n')
    script.chmod(0o755)
    return str(script)


def test_xdg_open_failing_after_it_started_still_says_where_the_folder_is(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    """On Linux Qt reports success once xdg-open has started; xdg-open then exits with 3 (no
    file manager): the message with the path still comes."""
    from ui.widgets import file_dialogs

    monkeypatch.setattr(file_dialogs, "xdg_open", lambda: _fake_xdg_open(tmp_path, 3))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)  # what Qt would say
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    folder = tmp_path / "填报表"
    folder.mkdir()
    show_in_folder(parent, folder)
    qtbot.waitUntil(lambda: file_dialogs.launches_pending() == 0, timeout=5000)
    box = _notice(parent)
    assert "没有可用的文件管理器" in box.text() and str(folder) in box.text()
    assert (tmp_path / "opened.txt").read_text().strip() == str(folder)


def test_xdg_open_that_works_shows_no_message(qtbot, tmp_path: Path, monkeypatch) -> None:
    from ui.widgets import file_dialogs

    monkeypatch.setattr(file_dialogs, "xdg_open", lambda: _fake_xdg_open(tmp_path, 0))
    parent = QWidget()
    qtbot.addWidget(parent)
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"x")
    assert show_in_folder(parent, target) is True
    qtbot.waitUntil(lambda: file_dialogs.launches_pending() == 0, timeout=5000)
    assert parent.findChildren(QMessageBox) == []
    assert (tmp_path / "opened.txt").read_text().strip() == str(tmp_path)


def test_no_xdg_open_and_no_desktop_says_where_the_file_is(qtbot, tmp_path, monkeypatch) -> None:
    from ui.widgets import file_dialogs

    monkeypatch.setattr(file_dialogs, "xdg_open", lambda: str(tmp_path / "absent"))
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    target = tmp_path / "整改通知.pdf"
    target.write_bytes(b"%PDF")
    assert file_dialogs.open_with_system(parent, target) is False  # cannot start at all
    assert str(target) in _notice(parent).text()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX advisory locks only")
def test_listing_the_ledgers_folder_keeps_the_running_apps_locks(
    qtbot, app_settings, tmp_path: Path
) -> None:
    """Qt's file list works out each file's type from its contents (a .sqlite has no known
    extension): it opened and closed the open ledger, which on Linux drops all of this
    process's locks on it; another program closing the database then deleted -wal and -shm
    under the app (the walkthrough: saving failed from then on). Types come from names."""
    import subprocess

    from app.storage import Storage
    from tests.conftest import add_sample_plan

    path = tmp_path / "ledger.sqlite"
    storage = Storage.open(path)
    add_sample_plan(storage, areas=1, measures_per_area=2)  # committed, still in the WAL
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    files = FileDialogs(app_settings)
    files.remember(FilePurpose.PDF_EXPORT, tmp_path)
    dialog = files.dialog(None, FilePurpose.PDF_EXPORT, DialogMode.SAVE, "通报.pdf")
    qtbot.addWidget(dialog)
    dialog.selectNameFilter("所有文件 (*)")
    dialog.setNameFilter("所有文件 (*)")
    dialog.show()
    view = _listed(qtbot, dialog, 3)  # ledger.sqlite, -wal, -shm
    types = {
        view.model().index(row, 0, view.rootIndex()).data(): view.model()
        .index(row, 2, view.rootIndex())
        .data()
        for row in range(view.model().rowCount(view.rootIndex()))
    }
    assert types["ledger.sqlite"]  # a type is shown, from the name
    dialog.close()
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(root / "main.py"), "user", "--db", str(path), "--name", "赵六"],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert wal.exists(), "the app's WAL was deleted under it"
    storage.repository.insert("plans", {"title": "之后的保存"})
    storage.close()
