"""Every file dialog of the app, and what it says about the files it wrote.

- **One purpose, one folder.** Each ``FilePurpose`` (plan import, sheets out, returns in, the
  ledger workbook, the JSON export, evidence photos and files, later Word and PDF) has its
  Chinese title and name filters, and remembers the folder last chosen for it
  (``AppSettings.last_folder``): a dialog opens where the user last was *for that purpose*,
  never at another purpose's folder. A remembered folder that is gone (a USB stick) falls
  back to its nearest existing parent, else Documents.
- **Native where there is one.** ``FileDialog`` is a ``QFileDialog`` instance, so Qt uses the
  platform's dialog (Windows, macOS, GTK or a desktop portal on Linux) whenever the platform
  offers one. Qt decides this when the dialog is built: only its own dialog creates its widgets,
  so ``FileDialog.is_qt_dialog`` looks for its file list.
- **Qt's own dialog in Chinese and readable** (Linux without a portal, offscreen, Xvfb):
  qtbase_zh_CN has no translation for Qt 6's "&Look in:" and "Files of &type:", for the type
  "Folder", for "%1 bytes" or for the overwrite box's title "Confirm Save As", and the system
  locale (C under Xvfb) writes dates as "1 12 2026 09:34". So every ``DialogLabel`` is set here,
  a proxy model writes size, type and date in Chinese (``ChineseFileColumns``), the size, type
  and date columns are widened to their texts whenever a folder is listed, the overwrite
  question is asked in Chinese (``confirm_replace``), and the dialog fits a 1366×768 screen.
- **Opening what was written.** ``QDesktopServices.openUrl`` returns False when the system has
  no file manager or no program for the file: ``show_in_folder`` and ``open_with_system`` then
  say where the file is (and put the path on the clipboard). On Linux it returns True as soon
  as xdg-open has started, even when xdg-open then finds nothing to open with: there xdg-open
  is run directly and its exit code watched, and the same message comes when it fails.
  ``show_saved`` is the confirmation after an export, with 打开 / 打开所在文件夹 / 关闭.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QIdentityProxyModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QProcess,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QFileSystemModel,
    QHeaderView,
    QMessageBox,
    QSplitter,
    QStyle,
    QToolButton,
    QTreeView,
    QWidget,
)
from shiboken6 import isValid

from ui.settings import AppSettings
from ui.widgets.sizing import fit_to_screen

ALL_FILES = "所有文件 (*)"
DATE_TIME_FORMAT = "yyyy-MM-dd HH:mm"
COLUMN_HEADERS = ("名称", "大小", "类型", "修改日期")
FOLDER_TYPE = "文件夹"
DIALOG_SIZE = (900, 560)  # fits a 1366×768 screen with its taskbar
SIDEBAR_WIDTH = 150
MAX_TYPE_WIDTH = 280  # a very long file type is cut rather than squeezing the names
SCANNED_ROWS = 2000  # rows measured when fitting the columns (a huge folder stays quick)

Index = QModelIndex | QPersistentModelIndex


class FilePurpose(StrEnum):
    """What a file dialog is for; each remembers its own folder."""

    PLAN_IMPORT = "plan_import"
    SHEETS_OUT = "sheets_out"
    RETURNS_IN = "returns_in"
    LEDGER_EXCEL = "ledger_excel"
    JSON_EXPORT = "json_export"
    WORD_EXPORT = "word_export"
    PDF_EXPORT = "pdf_export"
    EVIDENCE = "evidence"  # photos and files added to an inspection record
    SYNC_SHARE = "sync_share"  # the shared folder the 同步 page syncs through
    DATABASE_MERGE = "database_merge"  # a colleague's database file
    DATABASE_COPY = "database_copy"  # where 导出数据库副本 writes


@dataclass(frozen=True)
class PurposeSpec:
    title: str
    filters: tuple[str, ...] = ()
    suffix: str = ""  # added to a typed save name without one ("xlsx")


PURPOSES: dict[FilePurpose, PurposeSpec] = {
    FilePurpose.SYNC_SHARE: PurposeSpec("选择同步用的共享文件夹"),
    FilePurpose.DATABASE_MERGE: PurposeSpec(
        "选择要合并的数据库文件", ("台账数据库 (*.sqlite *.db)", ALL_FILES)
    ),
    FilePurpose.DATABASE_COPY: PurposeSpec("选择保存数据库副本的文件夹"),
    FilePurpose.PLAN_IMPORT: PurposeSpec(
        "选择实施方案文件", ("实施方案 (*.txt *.docx *.pdf *.doc *.wps)", ALL_FILES)
    ),
    FilePurpose.SHEETS_OUT: PurposeSpec("选择保存填报表的文件夹"),
    FilePurpose.RETURNS_IN: PurposeSpec(
        "选择报回的填报表（可多选）", ("Excel 填报表 (*.xlsx)", ALL_FILES)
    ),
    FilePurpose.LEDGER_EXCEL: PurposeSpec("导出工作台账", ("Excel 工作簿 (*.xlsx)",), "xlsx"),
    FilePurpose.JSON_EXPORT: PurposeSpec("导出数据", ("JSON 文件 (*.json)",), "json"),
    FilePurpose.WORD_EXPORT: PurposeSpec("导出 Word 文档", ("Word 文档 (*.docx)",), "docx"),
    FilePurpose.PDF_EXPORT: PurposeSpec("导出 PDF 文件", ("PDF 文件 (*.pdf)",), "pdf"),
    FilePurpose.EVIDENCE: PurposeSpec(
        "选择证据照片或文件（可多选）",
        (
            "照片和文件 (*.jpg *.jpeg *.png *.heic *.heif *.gif *.bmp *.webp *.tif *.tiff"
            " *.pdf *.doc *.docx *.wps *.xls *.xlsx *.et *.txt"
            " *.mp3 *.m4a *.amr *.wav *.mp4 *.mov)",
            "照片 (*.jpg *.jpeg *.png *.heic *.heif)",
            ALL_FILES,
        ),
    ),
}


class DialogMode(StrEnum):
    OPEN = "open"  # one existing file
    OPEN_MANY = "open_many"
    SAVE = "save"
    FOLDER = "folder"


ACCEPT_LABELS = {
    DialogMode.OPEN: "打开(&O)",
    DialogMode.OPEN_MANY: "打开(&O)",
    DialogMode.SAVE: "保存(&S)",
    DialogMode.FOLDER: "选择文件夹(&S)",
}


def dialog_labels(mode: DialogMode) -> dict[QFileDialog.DialogLabel, str]:
    """The text of every label of Qt's own dialog."""
    label = QFileDialog.DialogLabel
    return {
        label.LookIn: "查找范围(&I)：",
        label.FileName: "文件夹(&N)：" if mode is DialogMode.FOLDER else "文件名(&N)：",
        label.FileType: "文件类型(&T)：",
        label.Accept: ACCEPT_LABELS[mode],
        label.Reject: "取消",
    }


# The tool buttons of Qt's own dialog (by object name): their tooltips, whether or not
# qtbase_zh_CN is found.
TOOL_TIPS = {
    "backButton": "后退",
    "forwardButton": "前进",
    "toParentButton": "上一级文件夹",
    "newFolderButton": "新建文件夹",
    "listModeButton": "列表",
    "detailModeButton": "详细信息",
}


def size_text(size: int) -> str:
    """3 → "3 字节", 10500000 → "10.0 MB" (powers of 1024, as Windows Explorer counts)."""
    text = QLocale(QLocale.Language.Chinese, QLocale.Country.China).formattedDataSize(
        size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat
    )
    return text.replace("kB", "KB")


# Texts at least as wide as any the columns show (a new folder may not have them yet).
COLUMN_SAMPLES = {
    1: (size_text(1023 * 1024**2 + 900 * 1024), size_text(1023)),
    2: (FOLDER_TYPE, "Excel 2007 电子表格"),
    3: ("2028-12-28 20:58",),
}


class ChineseFileColumns(QIdentityProxyModel):
    """Qt's file list with Chinese headers, sizes and types and ISO dates (the source is the
    dialog's QFileSystemModel: columns name, size, type, date)."""

    SIZE, TYPE, DATE = 1, 2, 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMN_HEADERS)
        ):
            return COLUMN_HEADERS[section]
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        try:
            column = index.column()
            source = self.sourceModel()
            if (
                role == Qt.ItemDataRole.DisplayRole
                and column in (self.SIZE, self.TYPE, self.DATE)
                and isinstance(source, QFileSystemModel)
            ):
                item = self.mapToSource(index)
                if column == self.DATE:
                    modified = source.lastModified(item)
                    return modified.toString(DATE_TIME_FORMAT) if modified.isValid() else ""
                if source.isDir(item):
                    return "" if column == self.SIZE else FOLDER_TYPE
                if column == self.SIZE:
                    return size_text(source.size(item))
                kind = super().data(index, role)
                return "文件" if kind in ("File", None, "") else kind
            return super().data(index, role)
        except Exception:  # a model must never raise into Qt
            return None


class FileDialog(QFileDialog):
    """A QFileDialog for one purpose and mode; Qt's own dialog made Chinese and readable."""

    def __init__(
        self, parent: QWidget | None, title: str, mode: DialogMode, filters: tuple[str, ...] = ()
    ) -> None:
        super().__init__(parent, title)
        self.mode = mode
        if mode is DialogMode.FOLDER:
            self.setFileMode(QFileDialog.FileMode.Directory)
            self.setOption(QFileDialog.Option.ShowDirsOnly, True)
        elif mode is DialogMode.OPEN_MANY:
            self.setFileMode(QFileDialog.FileMode.ExistingFiles)
        elif mode is DialogMode.OPEN:
            self.setFileMode(QFileDialog.FileMode.ExistingFile)
        else:
            self.setFileMode(QFileDialog.FileMode.AnyFile)
            self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        if filters:
            self.setNameFilters(list(filters))
        self.is_qt_dialog = self.findChild(QTreeView, "treeView") is not None
        if self.is_qt_dialog:
            self._make_readable()

    # ---- Public API -------------------------------------------------------------------------

    def chosen(self) -> list[Path]:
        return [Path(name) for name in self.selectedFiles() if name]

    def file_list(self) -> QTreeView | None:
        """The detail view of Qt's own dialog (None for a native dialog)."""
        return self.findChild(QTreeView, "treeView")

    def fit_columns(self) -> None:
        """Size, type and date columns as wide as their widest text; the name takes the rest."""
        view = self.file_list()
        if view is None:
            return
        model = view.model()
        root = view.rootIndex()
        metrics = view.fontMetrics()
        style = view.style()
        # The delegate keeps this much free on each side of a cell's text, plus some air.
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
        margin += 12
        header = view.header()
        header_metrics = header.fontMetrics()
        indicator = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header) + 8
        rows = min(model.rowCount(root), SCANNED_ROWS)
        for column in (ChineseFileColumns.SIZE, ChineseFileColumns.TYPE, ChineseFileColumns.DATE):
            widest = max(
                [metrics.horizontalAdvance(text) for text in COLUMN_SAMPLES.get(column, ())]
                + [
                    metrics.horizontalAdvance(str(model.index(row, column, root).data() or ""))
                    for row in range(rows)
                ]
            )
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            needed = max(widest + margin, header_metrics.horizontalAdvance(title) + indicator)
            if column == ChineseFileColumns.TYPE:
                needed = min(needed, MAX_TYPE_WIDTH)
            view.setColumnWidth(column, needed)

    # ---- Qt -----------------------------------------------------------------------------------

    def accept(self) -> None:
        if self.is_qt_dialog and self.acceptMode() == QFileDialog.AcceptMode.AcceptSave:
            chosen = self.chosen()
            if chosen and chosen[0].is_file() and not confirm_replace(self, chosen[0]):
                return  # the dialog stays open for another name
        super().accept()

    # ---- Internals ----------------------------------------------------------------------------

    def _make_readable(self) -> None:
        # Qt's own dialog asks "Confirm Save As" in English: ``accept`` asks in Chinese.
        self.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
        self.setViewMode(QFileDialog.ViewMode.Detail)
        self._columns = ChineseFileColumns(self)
        self.setProxyModel(self._columns)
        for label, text in dialog_labels(self.mode).items():
            self.setLabelText(label, text)
        for name, tip in TOOL_TIPS.items():
            button = self.findChild(QToolButton, name)
            if button is not None:
                button.setToolTip(tip)
        fit_to_screen(self, *DIALOG_SIZE)
        splitter = self.findChild(QSplitter, "splitter")
        if splitter is not None and splitter.count() == 2:  # the places list and the files
            splitter.setSizes([SIDEBAR_WIDTH, self.width() - SIDEBAR_WIDTH])
        view = self.file_list()
        assert view is not None
        view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        view.header().setStretchLastSection(False)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(50)
        self._fit_timer.timeout.connect(self.fit_columns)
        source = self._columns.sourceModel()
        if isinstance(source, QFileSystemModel):
            source.directoryLoaded.connect(self._fit_timer.start)
        self._columns.rowsInserted.connect(self._fit_timer.start)
        self._columns.modelReset.connect(self._fit_timer.start)
        self.directoryEntered.connect(self._fit_timer.start)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.is_qt_dialog:
            self._fit_timer.start()


class FileDialogs:
    """The file dialogs of one user: purpose → title, filters and remembered folder."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        self._settings = settings or AppSettings()

    # ---- Public API -------------------------------------------------------------------------

    def folder(self, purpose: FilePurpose) -> Path:
        """Where the next dialog for ``purpose`` opens."""
        remembered = self._settings.last_folder(purpose.value)
        if remembered is not None:
            for folder in (remembered, *remembered.parents):
                if folder.is_dir():
                    return folder
        return default_folder()

    def remember(self, purpose: FilePurpose, folder: Path) -> None:
        self._settings.set_last_folder(purpose.value, folder)

    def dialog(
        self,
        parent: QWidget | None,
        purpose: FilePurpose,
        mode: DialogMode,
        name: str = "",
        *,
        title: str | None = None,
    ) -> FileDialog:
        """The dialog for ``purpose``, opening in its folder (not shown yet)."""
        spec = PURPOSES[purpose]
        filters = spec.filters if mode is not DialogMode.FOLDER else ()
        dialog = FileDialog(parent, title or spec.title, mode, filters)
        dialog.setDirectory(str(self.folder(purpose)))
        if mode is DialogMode.SAVE:
            if spec.suffix:
                dialog.setDefaultSuffix(spec.suffix)
            if name:
                dialog.selectFile(name)
        return dialog

    def open_file(
        self, parent: QWidget | None, purpose: FilePurpose, *, title: str | None = None
    ) -> Path | None:
        chosen = self._run(self.dialog(parent, purpose, DialogMode.OPEN, title=title), purpose)
        return chosen[0] if chosen else None

    def open_files(
        self, parent: QWidget | None, purpose: FilePurpose, *, title: str | None = None
    ) -> list[Path]:
        return self._run(self.dialog(parent, purpose, DialogMode.OPEN_MANY, title=title), purpose)

    def save_file(
        self,
        parent: QWidget | None,
        purpose: FilePurpose,
        name: str,
        *,
        title: str | None = None,
    ) -> Path | None:
        """A file name to write (an existing file only when the user agreed to replace it)."""
        dialog = self.dialog(parent, purpose, DialogMode.SAVE, name, title=title)
        chosen = self._run(dialog, purpose)
        return chosen[0] if chosen else None

    def choose_folder(
        self, parent: QWidget | None, purpose: FilePurpose, *, title: str | None = None
    ) -> Path | None:
        chosen = self._run(self.dialog(parent, purpose, DialogMode.FOLDER, title=title), purpose)
        return chosen[0] if chosen else None

    # ---- Internals ----------------------------------------------------------------------------

    def _run(self, dialog: FileDialog, purpose: FilePurpose) -> list[Path]:
        try:
            if dialog.exec() != QFileDialog.DialogCode.Accepted:
                return []
            chosen = dialog.chosen()
        finally:
            dialog.deleteLater()
        if chosen:
            first = chosen[0]
            self.remember(purpose, first if dialog.mode is DialogMode.FOLDER else first.parent)
        return chosen


def default_folder() -> Path:
    """Documents when it exists, else the home folder."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


# ---- Questions and answers about files ---------------------------------------------------------


def confirm_replace(parent: QWidget | None, target: Path, title: str = "确认替换") -> bool:
    """Ask before replacing ``target``; 取消 is the default."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        f"“{target.name}”已存在。\n要替换它吗？",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    replace = box.addButton("替换", QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is replace


def xdg_open() -> str | None:
    """xdg-open on Linux, else None. Qt starts it detached and reports success even when it
    then finds no file manager (or no program for the file), so there we run it ourselves."""
    if not sys.platform.startswith("linux"):
        return None
    return shutil.which("xdg-open")


# xdg-open runs still watched (exit code checked for a few seconds), so they are not collected.
_LAUNCHES: list[tuple[subprocess.Popen, QTimer]] = []
LAUNCH_WATCH_MS = 5000  # xdg-open hands over to the program and exits well within this


def launches_pending() -> int:
    return len(_LAUNCHES)


def _open_with_desktop(parent: QWidget | None, target: Path, failed: Callable[[], None]) -> bool:
    """Open ``target`` with the system; ``failed()`` says so when it cannot — at once when
    nothing could start, or (Linux) when xdg-open exits with an error a moment later."""
    program = xdg_open()
    if program is None:
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            return True
        failed()
        return False
    try:
        process = subprocess.Popen(
            [program, str(target)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the program it starts outlives us
        )
    except OSError:
        failed()
        return False
    # No parent: the window that asked may be closed (and deleted) before xdg-open is done;
    # the timer lives in _LAUNCHES until then, and the message only goes to a live window.
    timer = QTimer()
    timer.setInterval(100)
    waited = [0]
    entry = (process, timer)

    def poll() -> None:
        waited[0] += timer.interval()
        code = process.poll()
        if code is None and waited[0] < LAUNCH_WATCH_MS:
            return
        timer.stop()
        _LAUNCHES.remove(entry)
        if code not in (None, 0) and (parent is None or isValid(parent)):
            failed()  # 3: no tool found, 4: the action failed

    timer.timeout.connect(poll)
    _LAUNCHES.append(entry)
    timer.start()
    return True


def show_in_folder(parent: QWidget | None, path: Path) -> bool:
    """Open the file manager at ``path`` (a folder, or a file: its folder, the file selected
    on Windows). When the system has none, say where it is; False then (on Linux the message
    may come a moment later, when xdg-open gives up)."""
    folder = path if path.is_dir() else path.parent
    if sys.platform == "win32" and path.is_file():
        if QProcess.startDetached("explorer.exe", [f"/select,{path}"]):
            return True
    return _open_with_desktop(
        parent,
        folder,
        lambda: tell_where(
            parent,
            "无法打开文件夹",
            "这台电脑上没有可用的文件管理器，无法打开文件夹。",
            folder,
        ),
    )


def open_with_system(parent: QWidget | None, path: Path) -> bool:
    """Open ``path`` with the program the system uses for it; when there is none, say where
    the file is; False then."""
    suffix = path.suffix.lower()
    advice = {
        ".xlsx": "请用 Excel 或 WPS 表格打开它。",
        ".docx": "请用 Word 或 WPS 文字打开它。",
        ".pdf": "请用 PDF 阅读器打开它。",
    }.get(suffix, "请用合适的程序打开它。")
    return _open_with_desktop(
        parent,
        path,
        lambda: tell_where(
            parent,
            "无法打开文件",
            f"这台电脑上没有设置打开“{suffix or path.name}”文件的程序。{advice}",
            path,
        ),
    )


def tell_where(parent: QWidget | None, title: str, reason: str, path: Path) -> QMessageBox:
    """A message (not blocking) saying where ``path`` is; the path goes to the clipboard."""
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(str(path))
    box = QMessageBox(
        QMessageBox.Icon.Information,
        title,
        f"{reason}\n\n位置：\n{path}\n\n（路径已复制到剪贴板。）",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("file_location_notice")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_saved(
    parent: QWidget | None, title: str, text: str, path: Path, *, can_open: bool = True
) -> QMessageBox:
    """The confirmation after writing ``path``: 打开 / 打开所在文件夹 / 关闭 (not blocking).
    ``text`` says what was written; the folder and the file name follow it."""
    box = QMessageBox(
        QMessageBox.Icon.Information,
        title,
        f"{text}\n\n文件名：{path.name}\n保存在：{path.parent}",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("saved_notice")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    open_button = box.addButton("打开", QMessageBox.ButtonRole.AcceptRole) if can_open else None
    folder_button = box.addButton("打开所在文件夹", QMessageBox.ButtonRole.ActionRole)
    close_button = box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_button or folder_button)
    box.setEscapeButton(close_button)

    def clicked(button: Any) -> None:
        # Not ``parent`` from this scope: a slot holding the box's parent crashes PySide 6.11
        # when that parent is deleted.
        owner = box.parentWidget()
        if open_button is not None and button is open_button:
            open_with_system(owner, path)
        elif button is folder_button:
            show_in_folder(owner, path)

    box.buttonClicked.connect(clicked)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
