"""The 同步 page: the shared folder, 立即同步 with progress and 取消, what the last sync did, the
history of syncs, the devices seen, and the conflicts a supervisor settles.

The work is app/sync's: ``run_sync`` / ``run_merge`` / ``export_copy`` (app/sync/runner.py) run
on a worker thread, each on a connection of its own (SQLite connections belong to one thread);
what they changed comes back as ``{table: ids}`` and is announced through the window's
``ChangeNotifier``, so the ledger and the other pages refresh as after any other change. A
conflict's decision (app/sync/status.py: ``resolve_conflict``) is written on the UI connection
through the repository, with a new HLC, and travels with the next sync.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.progress import Cancelled
from ui.tasks import run_in_background
from ui.widgets.file_dialogs import FileDialogs, FilePurpose, show_saved

if TYPE_CHECKING:
    from app.services.context import Services
    from app.sync.status import Conflict
    from ui.changes import ChangeNotifier
    from ui.settings import AppSettings

CONFLICT_COLUMNS = ("记录", "字段", "现在的值", "另一个值", "状态")
HISTORY_COLUMNS = ("时间", "发送", "收到", "合并", "冲突", "问题", "结果", "共享文件夹")
DEVICE_COLUMNS = ("设备", "最近一次合并它的修改", "它最近的修改", "已合并批次")
SUPERVISOR_ONLY = "只有审核人（科长）可以决定冲突保留哪个值；决定会随下次同步发到各台电脑。"


class _Relay(QObject):
    sig_progress = Signal(int, int)


def local_time(iso: str) -> str:
    """ "2026-12-01T05:30:00+00:00" → "2026-12-01 13:30" in this computer's time zone."""
    if not iso:
        return "—"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def summary_lines(report: Any) -> list[str]:
    """What one sync did, in Chinese: the counts, then each problem and warning."""
    lines = [
        f"发送 {report.sent} 批（{report.sent_entries} 条修改），收到 {report.received} 批，"
        f"合并 {report.applied} 批（{report.entries_applied} 条修改），"
        f"冲突 {report.conflicts} 处，问题 {len(report.problems)} 个。"
    ]
    if report.cancelled:
        lines.insert(0, "同步已取消：取消前完成的批次已保存，下次同步从中断处继续。")
    if report.resurrected:
        lines.append(f"{report.resurrected} 条已删除的记录因在别处被修改而恢复（见冲突列表）。")
    if report.blobs_sent or report.blobs_received:
        lines.append(f"证据文件：发送 {report.blobs_sent} 个，收到 {report.blobs_received} 个。")
    if report.blobs_missing:
        lines.append(f"{report.blobs_missing} 个证据文件尚未到达，下次同步时再取。")
    if report.pending:
        lines.append(f"{report.pending} 条修改在等待它们所需的记录，收到后自动合并。")
    for problem in report.problems:
        lines.append(f"问题（设备 {problem['device'][:8]}）：{problem['reason']}")
    for warning in report.warnings:
        lines.append(f"注意（设备 {warning['device'][:8]}）：{warning['reason']}")
    return lines


class SyncPage(QWidget):
    sig_status = Signal(str)  # a line for the status bar

    def __init__(
        self,
        services: Services,
        notifier: ChangeNotifier,
        settings: AppSettings,
        files: FileDialogs | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._notifier = notifier
        self._settings = settings
        self._files = files or FileDialogs(settings)
        self._cancel = threading.Event()
        self._running: str | None = None  # "sync", "merge" or "copy" while one runs
        self._after: list[Callable[[], None]] = []  # run once the current sync has finished
        self._conflicts: list[Conflict] = []
        self.last_report: Any = None
        self.last_error: str = ""
        self._stale = False
        self._relay = _Relay()
        self._relay.sig_progress.connect(self._show_progress)

        self.share_edit = QLineEdit()
        self.share_edit.setObjectName("sync_share")
        self.share_edit.setReadOnly(True)
        self.share_edit.setPlaceholderText("尚未选择：点“选择…”，选网络盘或 U 盘上的同一个文件夹")
        self.choose_button = QPushButton("选择…")
        self.choose_button.setToolTip(
            "各台电脑选同一个共享文件夹（网络盘、U 盘或同步盘中的文件夹）"
        )
        self.sync_button = QPushButton("立即同步")
        self.sync_button.setObjectName("sync_now")
        self.sync_button.setToolTip("发送本机的修改，合并其他电脑的修改")
        self.sync_button.setDefault(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setToolTip("在两个批次之间停下；已完成的部分保留，下次同步继续")
        self.on_start = QCheckBox("启动时同步")
        self.on_start.setChecked(settings.sync_on_start())
        self.on_exit = QCheckBox("退出时同步")
        self.on_exit.setChecked(settings.sync_on_exit())
        self.merge_button = QPushButton("从数据库文件合并…")
        self.merge_button.setToolTip(
            "合并同事的数据库文件中的全部修改：先复制到本机，只读，不改动原文件"
        )
        self.copy_button = QPushButton("导出数据库副本…")
        self.copy_button.setToolTip(
            "把本机数据库的副本写到所选文件夹（不覆盖已有文件），供同事合并"
        )
        for button, slot in (
            (self.choose_button, self.choose_share),
            (self.sync_button, self.sync_now),
            (self.cancel_button, self.cancel),
            (self.merge_button, self.merge_database_file),
            (self.copy_button, self.export_copy),
        ):
            button.clicked.connect(slot)
        self.on_start.toggled.connect(settings.set_sync_on_start)
        self.on_exit.toggled.connect(settings.set_sync_on_exit)

        share_row = QHBoxLayout()
        share_row.addWidget(QLabel("共享文件夹："))
        share_row.addWidget(self.share_edit, 1)
        share_row.addWidget(self.choose_button)
        share_row.addWidget(self.sync_button)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        options = QToolBar()
        options.setObjectName("sync_options")
        options.setMovable(False)
        options.setFloatable(False)
        options.setStyleSheet("QToolBar { border: none; spacing: 8px; }")
        for widget in (self.on_start, self.on_exit, self.merge_button, self.copy_button):
            options.addWidget(widget)

        self.summary = QLabel()
        self.summary.setObjectName("sync_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.conflict_table = _table("sync_conflicts", CONFLICT_COLUMNS, stretch=(0, 2, 3))
        self.conflict_table.itemSelectionChanged.connect(self._follow_conflict)
        self.keep_button = QPushButton("保留现在的值")
        self.keep_button.setToolTip(SUPERVISOR_ONLY)
        self.other_button = QPushButton("改用另一个值")
        self.other_button.setToolTip(SUPERVISOR_ONLY)
        self.keep_button.clicked.connect(lambda: self.resolve_current("kept"))
        self.other_button.clicked.connect(lambda: self.resolve_current("lost"))
        self.show_resolved = QCheckBox("显示已处理的")
        self.show_resolved.toggled.connect(lambda _on: self.refresh())
        conflict_buttons = QHBoxLayout()
        conflict_buttons.addWidget(self.keep_button)
        conflict_buttons.addWidget(self.other_button)
        conflict_buttons.addStretch(1)
        conflict_buttons.addWidget(self.show_resolved)
        conflicts = QWidget()
        conflicts_layout = QVBoxLayout(conflicts)
        conflicts_layout.addWidget(self.conflict_table, 1)
        conflicts_layout.addLayout(conflict_buttons)
        self.history_table = _table("sync_history", HISTORY_COLUMNS, stretch=(7,))
        self.device_table = _table("sync_devices", DEVICE_COLUMNS, stretch=(0,))
        self.tabs = QTabWidget()
        self.tabs.addTab(conflicts, "冲突")
        self.tabs.addTab(self.history_table, "同步记录")
        self.tabs.addTab(self.device_table, "设备")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(share_row)
        layout.addLayout(progress_row)
        layout.addWidget(options)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

        share = settings.sync_share()
        self.share_edit.setText(str(share) if share else "")
        notifier.sig_changed.connect(self._on_changed)
        self._set_running(None)
        self.refresh()

    # ---- Public API -------------------------------------------------------------------------

    def share_folder(self) -> Path | None:
        text = self.share_edit.text().strip()
        return Path(text) if text else None

    def set_share_folder(self, folder: Path) -> None:
        self.share_edit.setText(str(folder))
        self._settings.set_sync_share(folder)
        self._settings.sync()

    def choose_share(self) -> None:
        folder = self._files.choose_folder(self, FilePurpose.SYNC_SHARE)
        if folder is not None:
            self.set_share_folder(folder)

    def is_running(self) -> bool:
        return self._running is not None

    def sync_now(self, *, interactive: bool = True) -> bool:
        """Start a sync off the UI thread; False when it cannot start (and says why)."""
        if self._running:
            return False
        storage = self._services.storage
        problem = ""
        share = self.share_folder()
        if storage.path is None:
            problem = "内存中的数据库不能同步。"
        elif storage.read_only:
            problem = "数据库以只读方式打开，不能同步。请取得写入权限后重新启动程序。"
        elif share is None:
            if interactive:
                self.choose_share()
                share = self.share_folder()
            if share is None:
                problem = "请先选择共享文件夹（各台电脑选同一个）。"
        if not problem and share is not None and not share.is_dir():
            problem = f"共享文件夹 {share} 不存在或无法访问，请检查网络盘是否已连接、U 盘是否插好。"
        if problem:
            self._say(problem, interactive)
            return False
        from app.sync.runner import run_sync

        db_path = storage.path
        assert db_path is not None and share is not None
        self._start("sync", "正在同步…")
        run_in_background(
            lambda: run_sync(db_path, share, progress=self._report),
            self._synced,
            lambda error: self._failed(error, interactive, "同步"),
            owner=self,
        )
        return True

    def cancel(self) -> None:
        if self._running:
            self._cancel.set()
            self.summary.setText("正在取消…（在两个批次之间停下）")

    def then(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the running work has finished (now when none runs)."""
        if self._running:
            self._after.append(callback)
        else:
            callback()

    def sync_before_exit(self, close: Callable[[], None]) -> bool:
        """With 退出时同步 on: start a sync and call ``close`` when it ends; False when there
        is nothing to do (the window closes at once)."""
        if self._running:
            self.then(close)
            return True
        if not self.on_exit.isChecked() or not self.sync_now(interactive=False):
            return False
        self.sig_status.emit("退出前正在同步…")
        self.then(close)
        return True

    def merge_database_file(self, path: Path | None = None) -> None:
        """从数据库文件合并…: a colleague's database file, copied and read, merged here."""
        if self._running:
            return
        storage = self._services.storage
        if storage.path is None or storage.read_only:
            self._say("数据库以只读方式打开（或在内存中），不能合并。", True)
            return
        path = path or self._files.open_file(self, FilePurpose.DATABASE_MERGE)
        if path is None:
            return
        if path.absolute() == storage.path.absolute():
            self._say("要合并的文件就是本机的数据库，请选择同事的数据库文件。", True)
            return
        from app.sync.runner import run_merge

        db_path = storage.path
        self._start("merge", f"正在合并 {path.name}…", busy=True)
        run_in_background(
            lambda: run_merge(db_path, path),
            self._merged,
            lambda error: self._failed(error, True, "合并"),
            owner=self,
        )

    def export_copy(self, folder: Path | None = None) -> None:
        """导出数据库副本…: a copy of this database for a colleague (never replacing a file)."""
        if self._running:
            return
        storage = self._services.storage
        if storage.path is None:
            self._say("内存中的数据库没有文件可以导出。", True)
            return
        folder = folder or self._files.choose_folder(self, FilePurpose.DATABASE_COPY)
        if folder is None:
            return
        from app.sync.runner import export_copy

        db_path = storage.path
        self._start("copy", "正在导出数据库副本…")
        run_in_background(
            lambda: export_copy(db_path, folder, progress=self._report),
            self._copied,
            lambda error: self._failed(error, True, "导出"),
            owner=self,
        )

    def refresh(self) -> None:
        from app.sync.status import devices_seen, list_conflicts, read_history

        storage = self._services.storage
        self._conflicts = list_conflicts(storage, include_resolved=self.show_resolved.isChecked())
        self._fill_conflicts()
        history = read_history(storage)
        _fill(
            self.history_table,
            [
                (
                    local_time(run.at),
                    str(run.sent),
                    str(run.received),
                    str(run.applied),
                    str(run.conflicts),
                    str(run.problems),
                    _result(run),
                    run.share,
                )
                for run in history
            ],
        )
        devices = devices_seen(storage)
        _fill(
            self.device_table,
            [
                (
                    device.device[:8] + ("（本机）" if device.this_laptop else ""),
                    "—" if device.this_laptop else local_time(device.last_sync),
                    local_time(device.last_change),
                    "—" if device.this_laptop else str(device.batches),
                )
                for device in devices
            ],
        )
        open_count = sum(1 for c in self._conflicts if not c.resolved)
        self.tabs.setTabText(0, f"冲突（{open_count}）" if open_count else "冲突")
        if self.last_report is None and not self.last_error and not self._running:
            self.summary.setText(_idle_text(history))

    def resolve_current(self, keep: str) -> None:
        conflict = self.current_conflict()
        if conflict is None or conflict.resolved:
            return
        from app.storage.errors import WriteError
        from app.sync.status import ConflictError, describe_value, resolve_conflict

        try:
            resolve_conflict(self._services.storage, conflict.id, keep)
        except (ConflictError, WriteError) as error:
            QMessageBox.warning(self, "不能处理冲突", str(error))
            return
        value = conflict.kept_value if keep == "kept" else conflict.lost_value
        self.sig_status.emit(
            f"已决定 {conflict.record} 的{conflict.field_label}为“"
            f"{describe_value(conflict.field, value)}”，下次同步时发到其他电脑。"
        )
        self.refresh()

    def current_conflict(self) -> Conflict | None:
        rows = self.conflict_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._conflicts):
            return None
        return self._conflicts[rows[0].row()]

    # ---- Worker side ------------------------------------------------------------------------

    def _report(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled
        self._relay.sig_progress.emit(done, total)

    # ---- UI side ----------------------------------------------------------------------------

    def _start(self, kind: str, text: str, *, busy: bool = False) -> None:
        self._cancel.clear()
        self._set_running(kind)
        self.progress.setRange(0, 0 if busy else 1000)
        self.progress.setValue(0)
        self.summary.setText(text)
        self.sig_status.emit(text)

    def _set_running(self, kind: str | None) -> None:
        self._running = kind
        idle = kind is None
        for widget in (
            self.sync_button,
            self.choose_button,
            self.merge_button,
            self.copy_button,
        ):
            widget.setEnabled(idle)
        self.progress.setVisible(not idle)
        self.cancel_button.setVisible(not idle)
        self.cancel_button.setEnabled(kind in ("sync", "copy"))

    def _show_progress(self, done: int, total: int) -> None:
        if self._running and total > 0 and self.progress.maximum() > 0:
            self.progress.setValue(int(1000 * min(max(done, 0), total) / total))

    def _finish(self) -> None:
        self._set_running(None)
        after, self._after = self._after, []
        for callback in after:
            callback()

    def _announce(self, changed: dict[str, set[str]]) -> None:
        """Another connection changed the database: this one's clock goes past it, and the
        pages hear of it as of any change."""
        from app.sync.runner import catch_up_clock

        catch_up_clock(self._services.storage)
        if "holidays" in changed:
            self._services.refresh_calendar()
        if changed:
            self._notifier.sig_changed.emit({t: frozenset(ids) for t, ids in changed.items()})

    def _synced(self, outcome: Any) -> None:
        report = outcome.report
        self.last_report, self.last_error = report, ""
        self._announce(outcome.changed)
        lines = summary_lines(report)
        self.summary.setText(f"同步完成（{datetime.now().strftime('%H:%M')}）：" + "\n".join(lines))
        self.sig_status.emit("同步已取消" if report.cancelled else f"同步完成：{lines[0]}")
        self.refresh()
        if report.conflicts:
            self.tabs.setCurrentIndex(0)
        self._finish()

    def _merged(self, outcome: Any) -> None:
        report = outcome.report
        self.last_report, self.last_error = None, ""
        self._announce(outcome.changed)
        text = (
            f"数据库文件已合并：其中共 {report.entries} 条修改，合并 {report.applied} 条，"
            f"已有或较旧 {report.duplicates + report.superseded} 条，冲突 {report.conflicts} 处，"
            f"证据文件 {report.blobs_received} 个。"
        )
        if report.pending:
            text += f"另有 {report.pending} 条修改在等待它们所需的记录。"
        self.summary.setText(text)
        self.sig_status.emit(text)
        self.refresh()
        self._finish()

    def _copied(self, path: Path) -> None:
        self._finish()
        text = f"已导出数据库副本：{path}"
        self.summary.setText(text + "。把它交给同事，在其电脑上用“从数据库文件合并…”合并。")
        self.sig_status.emit(text)
        show_saved(
            self,
            "已导出数据库副本",
            "数据库副本已写好（证据文件在旁边的 .evidence 文件夹中）。同事在“同步”页用"
            "“从数据库文件合并…”即可合并其中的全部修改。",
            path,
            can_open=False,
        )

    def _failed(self, error: BaseException, interactive: bool, what: str) -> None:
        if isinstance(error, Cancelled):
            self.summary.setText(f"{what}已取消，没有写入任何文件。")
            self._finish()
            return
        message = describe_error(error, what)
        self.last_error = message
        self.summary.setText(message)
        self._finish()
        self.refresh()
        self.summary.setText(message)
        self._say(message, interactive)

    def _say(self, message: str, interactive: bool) -> None:
        self.sig_status.emit(message)
        if interactive:
            QMessageBox.warning(self, "同步", message)
        else:
            self.summary.setText(message)

    def _fill_conflicts(self) -> None:
        from app.sync.status import describe_value

        me = self._services.storage.device_id

        def side(field: str, value: Any, device: str) -> str:
            where = "本机" if device == me else f"来自 {device[:8]}"
            return f"{describe_value(field, value)}（{where}）"

        _fill(
            self.conflict_table,
            [
                (
                    c.record,
                    c.field_label,
                    side(c.field, c.kept_value, c.kept_device),
                    side(c.field, c.lost_value, c.lost_device),
                    "已处理" if c.resolved else "待决定",
                )
                for c in self._conflicts
            ],
        )
        if self._conflicts:
            self.conflict_table.selectRow(0)
        self._follow_conflict()

    def _follow_conflict(self) -> None:
        conflict = self.current_conflict()
        usable = conflict is not None and not conflict.resolved
        self.keep_button.setEnabled(usable)
        self.other_button.setEnabled(usable)

    def _on_changed(self, changed: dict[str, frozenset[str]]) -> None:
        # Any write may settle a conflict; hidden, the page refreshes when it is shown next.
        if self._running is None and (set(changed) - {"meta"}):
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    def showEvent(self, event: Any) -> None:
        if self._stale:
            self._stale = False
            self.refresh()
        super().showEvent(event)


def describe_error(error: BaseException, what: str) -> str:
    from app.storage import StorageError
    from app.sync import ShareFormatError

    if isinstance(error, ShareFormatError | StorageError):
        return str(error)
    if isinstance(error, OSError):
        from app.files import explain_write_error

        return f"{what}失败：{error.filename or ''} {explain_write_error(error)}".replace("  ", " ")
    return (
        f"{what}时发生意外错误：{type(error).__name__}: {error}。"
        "已完成的部分已保存；请把这条信息告诉管理员。"
    )


def _idle_text(history: list[Any]) -> str:
    if not history:
        return (
            "各台电脑选同一个共享文件夹（网络盘、U 盘或同步盘上的文件夹），点“立即同步”："
            "本机的修改写成变更文件放到共享文件夹，其他电脑的修改合并进来，谁的记录都不会丢失。"
            "数据库本身始终留在本机。"
        )
    last = history[0]
    return f"上次同步：{local_time(last.at)}，{_result(last)}。"


def _result(run: Any) -> str:
    if run.failure:
        return f"未能同步：{run.failure}"
    if run.cancelled:
        return "已取消"
    return "有问题" if run.problems else "完成"


def _table(name: str, columns: tuple[str, ...], *, stretch: tuple[int, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    for column in range(len(columns)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column in stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.blockSignals(True)
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(row, column, item)
    table.blockSignals(False)
