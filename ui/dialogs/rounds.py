"""调度: rounds of progress sheets — create a round, send the sheets out, read the replies in.

Left, the rounds with how many departments have replied; right, the selected round's replies per
department. Exporting and importing run on a worker thread (ui/tasks.py); while they run the
dialog does not touch the database and refuses to close. Everything goes through
``ProgressService``; an import with any error applies nothing and its errors are listed in full.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.collation import sort_key
from app.domain.workdays import WorkCalendar
from app.storage import WriteError
from ui.tasks import run_in_background
from ui.widgets.empty_state import EmptyState
from ui.widgets.progress import ProgressTask, run_with_progress

if TYPE_CHECKING:
    from app.services.progress import (
        Addressee,
        ImportReport,
        ProgressService,
        ReplyStatus,
        RoundInfo,
    )
    from app.services.progress.sheets_out import SheetExport

from app.services.progress.model import item_line
from app.storage.errors import user_message
from ui.dialogs.round_forms import (
    DEFAULT_REPLY_WORKDAYS,
    LATE_COLOURS,
    STATE_LATE,
    STATE_MISSING,
    ExistingFilesChoice,
    ImportErrorsDialog,
    NewRoundDialog,
    _item,
    _no_implicit_default,
    ask_existing_files,
    confirm,
    day_text,
    reply_state,
)
from ui.widgets.dates import date_edit, to_qdate
from ui.widgets.file_dialogs import FileDialogs, FilePurpose, show_in_folder
from ui.widgets.sizing import fit_columns, fit_to_screen, minimum_width_for


class RoundsDialog(QDialog):
    COL_ROUND_NAME, COL_ROUND_DUE, COL_ROUND_REPLIES = range(3)
    COL_DEPARTMENT, COL_EXPORTED, COL_RECEIVED, COL_STATE, COL_UNREPORTED = range(5)

    def __init__(
        self,
        progress: ProgressService,
        plans: list[tuple[str, str]],
        parent: QWidget | None = None,
        *,
        clock: Callable[[], date] = date.today,
        calendar: WorkCalendar | None = None,
        files: FileDialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("调度")
        fit_to_screen(self, 1120, 680)
        self._progress = progress
        self._plans = list(plans)
        self._plan_titles = dict(self._plans)
        self._clock = clock
        self._calendar = calendar or WorkCalendar()
        self._rounds: list[RoundInfo] = []
        self._replies: list[ReplyStatus] = []
        self._busy = ""
        self._files = files or FileDialogs()
        self.last_export: Sequence[Path] = []
        self.last_groups: list[Addressee] = []
        self.last_report: ImportReport | None = None
        self.errors_dialog: ImportErrorsDialog | None = None
        self.importing: ProgressTask | None = None

        # Left: the rounds.
        self.new_button = QPushButton("新建调度(&N)…")
        self.new_button.clicked.connect(self.new_round)
        self.rounds_table = QTableWidget(0, 3)
        self.rounds_table.setHorizontalHeaderLabels(["调度轮次", "报送截止", "已报回"])
        self.rounds_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rounds_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rounds_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rounds_table.verticalHeader().setVisible(False)
        header = self.rounds_table.horizontalHeader()
        header.setSectionResizeMode(self.COL_ROUND_NAME, QHeaderView.ResizeMode.Stretch)
        # As wide as their usual text with the cell's margins (ResizeToContents leaves none, and
        # 未发放 was cut).
        fit_columns(
            self.rounds_table, {self.COL_ROUND_DUE: "2021-12-31", self.COL_ROUND_REPLIES: "未发放"}
        )
        # Never so narrow that a header is cut (the splitter and the dialog respect this).
        self.rounds_table.setMinimumWidth(
            minimum_width_for(
                self.rounds_table,
                {
                    self.COL_ROUND_NAME: "2021年12月调度",
                    self.COL_ROUND_DUE: "2021-12-31",
                    self.COL_ROUND_REPLIES: "未发放",
                },
            )
        )
        self.rounds_table.itemSelectionChanged.connect(self._on_round_selected)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_top = QHBoxLayout()
        left_top.addWidget(QLabel("调度轮次"))
        left_top.addStretch(1)
        left_top.addWidget(self.new_button)
        left_layout.addLayout(left_top)
        left_layout.addWidget(self.rounds_table, 1)

        # Right: the selected round.
        self.round_title = QLabel()
        font = self.round_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.round_title.setFont(font)
        self.round_info = QLabel()
        self.round_info.setWordWrap(True)
        self.export_button = QPushButton("生成填报表(&E)…")
        self.export_button.setToolTip("为本轮每个责任部门生成一份 Excel 进展填报表")
        self.export_button.clicked.connect(self.export_sheets)
        self.import_button = QPushButton("导入报回表(&I)…")
        self.import_button.setToolTip("选择各部门报回的填报表（可多选）；有任何错误则整批不导入")
        self.import_button.clicked.connect(self.import_replies)
        self.received_edit = date_edit(self._clock())
        self.received_edit.setMaximumDate(to_qdate(self._clock()))
        self.received_edit.setToolTip("报回表的收到日期，用于判断是否逾期；默认今天")
        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addWidget(self.import_button)
        actions.addSpacing(12)
        actions.addWidget(QLabel("收到日期"))
        actions.addWidget(self.received_edit)
        actions.addStretch(1)

        self.replies_table = QTableWidget(0, 5)
        self.replies_table.setHorizontalHeaderLabels(
            ["部门", "发放日期", "报回日期", "状态", "未填报"]
        )
        self.replies_table.horizontalHeaderItem(self.COL_UNREPORTED).setToolTip(
            "报回表中留空未填的事项数；把鼠标停在数字上可看是哪些事项"
        )
        self.replies_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.replies_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.replies_table.verticalHeader().setVisible(False)
        header = self.replies_table.horizontalHeader()
        header.setSectionResizeMode(self.COL_DEPARTMENT, QHeaderView.ResizeMode.Stretch)
        for column in (
            self.COL_EXPORTED,
            self.COL_RECEIVED,
            self.COL_STATE,
            self.COL_UNREPORTED,
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSortIndicator(self.COL_DEPARTMENT, Qt.SortOrder.AscendingOrder)
        self.replies_table.setMinimumWidth(
            minimum_width_for(
                self.replies_table,
                {
                    self.COL_DEPARTMENT: "人民银行滕州市支行",
                    self.COL_EXPORTED: "2021-12-31",
                    self.COL_RECEIVED: "2021-12-31",
                    self.COL_STATE: STATE_LATE,
                    self.COL_UNREPORTED: "未填报",
                },
            )
        )
        self.replies_empty = EmptyState(
            "尚未生成填报表",
            "点击“生成填报表…”，选择一个文件夹，为每个责任部门生成一份 Excel 进展填报表；"
            "发给各部门填写，收回后点击“导入报回表…”。",
        )
        self.replies_stack = QStackedWidget()
        self.replies_stack.addWidget(self.replies_table)
        self.replies_stack.addWidget(self.replies_empty)
        self.counts = QLabel()
        self.only_missing = QCheckBox("只显示需催报")
        self.only_missing.setToolTip("只显示尚未报回、或报回表中有事项未填报的部门")
        self.only_missing.toggled.connect(self._apply_filter)
        self.copy_missing_button = QPushButton("复制未报回名单")
        self.copy_missing_button.setToolTip("复制尚未报回的部门名称，便于催报")
        self.copy_missing_button.clicked.connect(self.copy_missing)
        self.copy_report_button = QPushButton("复制催报清单")
        self.copy_report_button.setToolTip(
            "复制本轮的催报清单：未报回、逾期报回的部门，以及各部门未填报的事项"
        )
        self.copy_report_button.clicked.connect(self.copy_missing_report)
        below = QHBoxLayout()
        below.addWidget(self.counts, 1)
        below.addWidget(self.only_missing)
        below.addWidget(self.copy_missing_button)
        below.addWidget(self.copy_report_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.round_title)
        right_layout.addWidget(self.round_info)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.replies_stack, 1)
        right_layout.addLayout(below)
        self.right_panel = right
        self.no_rounds = EmptyState(
            "还没有调度轮次", "点击左上方“新建调度…”，为一个实施方案开始一轮调度。"
        )
        self.right_stack = QStackedWidget()
        self.right_stack.addWidget(right)
        self.right_stack.addWidget(self.no_rounds)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.right_stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([380, 740])

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.close_button = QPushButton("关闭")
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.close_button)
        _no_implicit_default(
            self.new_button,
            self.export_button,
            self.import_button,
            self.copy_missing_button,
            self.copy_report_button,
            self.close_button,
        )

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.refresh()

    # ---- Public API -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the rounds and the selected round's replies (keeps the selection)."""
        if self.is_busy():
            return
        current = self.current_round()
        self._rounds = self._progress.rounds()
        self.rounds_table.blockSignals(True)
        self.rounds_table.setRowCount(len(self._rounds))
        for row, info in enumerate(self._rounds):
            replies = self._progress.replies(info.id)
            received = sum(1 for r in replies if not r.missing)
            name = _item(info.name)
            name.setData(Qt.ItemDataRole.UserRole, info.id)
            name.setToolTip(self._plan_titles.get(info.plan_id or "", ""))
            self.rounds_table.setItem(row, self.COL_ROUND_NAME, name)
            self.rounds_table.setItem(row, self.COL_ROUND_DUE, _item(day_text(info.reply_due)))
            count = _item(f"{received}/{len(replies)}" if replies else "未发放")
            count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.rounds_table.setItem(row, self.COL_ROUND_REPLIES, count)
        self.right_stack.setCurrentIndex(0 if self._rounds else 1)
        if not (current and self.select_round(current.id)) and self._rounds:
            self.rounds_table.selectRow(0)
        self.rounds_table.blockSignals(False)
        self._on_round_selected()

    def current_round(self) -> RoundInfo | None:
        rows = self.rounds_table.selectionModel().selectedRows()
        if not rows:
            return None
        round_id = self.rounds_table.item(rows[0].row(), self.COL_ROUND_NAME).data(
            Qt.ItemDataRole.UserRole
        )
        return next((info for info in self._rounds if info.id == round_id), None)

    def select_round(self, round_id: str) -> bool:
        for row in range(self.rounds_table.rowCount()):
            item = self.rounds_table.item(row, self.COL_ROUND_NAME)
            if item.data(Qt.ItemDataRole.UserRole) == round_id:
                self.rounds_table.selectRow(row)
                return True
        return False

    def is_busy(self) -> bool:
        return bool(self._busy)

    def reply_states(self) -> dict[str, str]:
        """Department name → status text, as the replies table shows it."""
        return {
            self.replies_table.item(row, self.COL_DEPARTMENT).text(): self.replies_table.item(
                row, self.COL_STATE
            ).text()
            for row in range(self.replies_table.rowCount())
        }

    def new_round(self) -> None:
        if not self._plans:
            QMessageBox.information(self, "新建调度", "台账中还没有实施方案，请先导入实施方案。")
            return
        today = self._clock()
        taken = {info.name for info in self._rounds}
        name = f"{today.year}年{today.month}月调度"
        base, counter = name, 2
        while name in taken:
            name = f"{base}（{counter}）"
            counter += 1
        form = NewRoundDialog(
            self._plans,
            name,
            self._calendar.add_workdays(today, DEFAULT_REPLY_WORKDAYS),
            today,
            taken,
            self._calendar,
            self,
        )
        if form.exec() != QDialog.DialogCode.Accepted:
            return
        name, plan_id, due = form.values()
        try:
            round_id = self._progress.create_round(name, plan_id, due, today)
        except WriteError as error:
            QMessageBox.warning(self, "无法新建调度", str(error))
            return
        self.refresh()
        self.select_round(round_id)
        self.status.setText(f"已新建“{name}”。下一步：生成填报表。")

    def export_sheets(self) -> None:
        info = self.current_round()
        if info is None or self.is_busy():
            return
        if self._replies:
            first = min(r.exported_on for r in self._replies)
            if not confirm(
                self,
                "重新生成填报表",
                f"“{info.name}”已于 {first.isoformat()} 生成过 {len(self._replies)} 份填报表。"
                "\n重新生成会把发放日期改为今天；已报回的内容不受影响，"
                "文件夹中已有的文件也不会被覆盖。\n\n是否重新生成？",
                "重新生成",
            ):
                return
        folder = self._choose_export_folder(info)
        if folder is not None:
            self.export_to(folder)

    def _choose_export_folder(self, info: RoundInfo) -> Path | None:
        """A folder for the sheets; asks first when it holds files of the sheets' names."""
        while True:
            folder = self._files.choose_folder(self, FilePurpose.SHEETS_OUT)
            if folder is None:
                return None
            try:
                planned = self._progress.planned_sheets(info.id, folder)
            except WriteError as error:
                QMessageBox.warning(self, "无法生成填报表", str(error))
                return None
            kept = [sheet for sheet in planned if sheet.kept]
            if not kept:
                return folder
            choice = ask_existing_files(self, folder, kept, len(planned))
            if choice is ExistingFilesChoice.KEEP:
                return folder
            if choice is ExistingFilesChoice.CANCEL:
                return None

    def export_to(self, folder: Path) -> None:
        """Write the selected round's sheets into ``folder`` off the UI thread."""
        info = self.current_round()
        if info is None or self.is_busy():
            return
        progress, exported_on = self._progress, self._clock()

        def work() -> tuple[SheetExport, list[Addressee]]:
            # Read first: after the export commits, other pages may read the database.
            groups = progress.addressees(info.id).groups
            return progress.export_sheets(info.id, folder, exported_on), groups

        self._set_busy(f"正在为“{info.name}”生成填报表…")
        run_in_background(
            work,
            lambda result: self._on_exported(info, folder, *result),
            self._on_export_failed,
        )

    def import_replies(self) -> None:
        if self.current_round() is None or self.is_busy():
            return
        paths = self._files.open_files(self, FilePurpose.RETURNS_IN)
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[Path]) -> None:
        """Check and import ``paths`` into the selected round off the UI thread."""
        info = self.current_round()
        if info is None or self.is_busy() or not paths:
            return
        service = self._progress
        received_on = self.received_edit.date().toPython()
        self._set_busy(f"正在检查并导入 {len(paths)} 个文件…")
        self.importing = run_with_progress(
            self,
            "导入报回表",
            f"正在检查 {len(paths)} 个文件…",
            lambda progress: service.import_files(
                paths, received_on=received_on, round_id=info.id, progress=progress
            ),
            self._on_imported,
            self._on_import_failed,
            self._on_import_cancelled,
        )

    def copy_missing(self) -> None:
        names = [r.department_name for r in self._replies if r.missing]
        QGuiApplication.clipboard().setText("、".join(names))
        self.status.setText(f"已复制 {len(names)} 个未报回部门的名称。")

    def copy_missing_report(self) -> None:
        """The round's 催报清单 (missing and late files, items left blank) to the clipboard."""
        info = self.current_round()
        if info is None or self.is_busy():
            return
        report = self._progress.missing_report(info.id)
        QGuiApplication.clipboard().setText(report.text())
        items = sum(len(reply.unreported) for reply in report.unreported)
        self.status.setText(
            f"已复制催报清单：未报回 {len(report.missing)} 个部门，逾期 {len(report.late)} 个，"
            f"未填报 {items} 项。"
        )

    def reject(self) -> None:
        if self.is_busy():  # the worker is using the database; results need this dialog
            self.status.setText(f"{self._busy}完成后才能关闭。")
            return
        super().reject()

    # ---- The selected round -----------------------------------------------------------------

    def _on_round_selected(self) -> None:
        if self.is_busy():
            return
        info = self.current_round()
        self._replies = self._progress.replies(info.id) if info else []
        self.export_button.setEnabled(info is not None)
        self.import_button.setEnabled(info is not None and bool(self._replies))
        self.received_edit.setEnabled(info is not None and bool(self._replies))
        if info is None:
            self.round_title.clear()
            self.round_info.clear()
            self._fill_replies(None)
            return
        self.round_title.setText(info.name)
        parts = [f"方案：{self._plan_titles.get(info.plan_id or '', '（未知方案）')}"]
        if info.reply_due:
            parts.append(f"报送截止：{day_text(info.reply_due, weekday=True)}")
        parts.append(f"创建：{day_text(info.created_on)}")
        self.round_info.setText("　".join(parts))
        self._fill_replies(info)

    def _fill_replies(self, info: RoundInfo | None) -> None:
        today = self._clock()
        table = self.replies_table
        table.setSortingEnabled(False)
        table.setRowCount(len(self._replies))
        for row, reply in enumerate(self._replies):
            text, (foreground, background), rank = reply_state(
                reply, info.reply_due if info else None, today
            )
            name = _item(reply.department_name, sort_key(reply.department_name))
            name.setData(Qt.ItemDataRole.UserRole, reply.department_id)
            name.setToolTip(f"{reply.department_name}：{reply.item_count} 项填报事项")
            exported = _item(day_text(reply.exported_on), reply.exported_on.toordinal())
            received = _item(
                day_text(reply.received_on),
                reply.received_on.toordinal() if reply.received_on else 0,
            )
            state = _item(text, (rank, sort_key(reply.department_name)))
            state.setForeground(QBrush(QColor(foreground)))
            if background:
                state.setBackground(QBrush(QColor(background)))
            state.setToolTip(self._state_tip(reply, info, rank))
            count = len(reply.unreported)
            unreported = _item(f"{count} 项" if count else "", count)
            unreported.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if count:
                unreported.setForeground(QBrush(QColor(LATE_COLOURS[0])))
                lines = [item_line(item) for item in reply.unreported]
                unreported.setToolTip("未填报的事项：\n" + "\n".join(lines))
            for column, item in enumerate((name, exported, received, state, unreported)):
                table.setItem(row, column, item)
        table.setSortingEnabled(True)  # by the header's current sort column

        replied = sum(1 for r in self._replies if not r.missing)
        late = sum(1 for r in self._replies if r.late)
        missing = len(self._replies) - replied
        blank = sum(len(r.unreported) for r in self._replies)
        if self._replies:
            text = f"已报回 {replied}/{len(self._replies)}，逾期 {late}，未报回 {missing}"
            if blank:
                departments = sum(1 for r in self._replies if r.unreported)
                text += f"；{departments} 个部门有 {blank} 项未填报"
            self.counts.setText(text)
        else:
            self.counts.setText("")
        has_sheets = bool(self._replies)
        self.replies_stack.setCurrentIndex(0 if has_sheets or info is None else 1)
        self.only_missing.setEnabled(has_sheets)
        self.copy_missing_button.setEnabled(missing > 0)
        self.copy_report_button.setEnabled(has_sheets)
        self._apply_filter()

    @staticmethod
    def _state_tip(reply: ReplyStatus, info: RoundInfo | None, rank: int) -> str:
        due = info.reply_due if info else None
        if reply.received_on is None:
            return "已过报送截止日期，尚未报回" if rank == 0 else "尚未报回"
        tip = f"{reply.received_on.isoformat()} 收到，共 {reply.files} 份文件"
        if reply.late and due is not None:
            tip += f"；晚于截止日期 {(reply.received_on - due).days} 天"
        return tip

    def _apply_filter(self) -> None:
        """只显示需催报: departments that have not replied, or left items blank."""
        only_missing = self.only_missing.isChecked()
        for row in range(self.replies_table.rowCount()):
            state = self.replies_table.item(row, self.COL_STATE).text()
            blank = self.replies_table.item(row, self.COL_UNREPORTED).text()
            chase = state == STATE_MISSING or bool(blank)
            self.replies_table.setRowHidden(row, only_missing and not chase)

    # ---- Long work ----------------------------------------------------------------------------

    def _set_busy(self, text: str) -> None:
        self._busy = text
        self.busy.setVisible(bool(text))
        self.status.setText(text)
        idle = not text
        for widget in (
            self.rounds_table,
            self.new_button,
            self.export_button,
            self.import_button,
            self.received_edit,
            self.close_button,
        ):
            widget.setEnabled(idle)
        if idle:
            self._on_round_selected()  # restores the buttons that depend on the round

    def _on_exported(
        self, info: RoundInfo, folder: Path, paths: SheetExport, groups: list[Addressee]
    ) -> None:
        self._set_busy("")
        self.last_export, self.last_groups = paths, groups
        self.refresh()
        self.status.setText(f"已生成 {len(paths)} 份填报表：{folder}")
        text = f"已为“{info.name}”生成 {len(paths)} 份填报表，保存在：\n{folder}"
        if paths.kept:
            text += (
                f"\n\n文件夹中原有的 {len(paths.kept)} 个同名文件没有被覆盖，"
                "这些部门的新填报表另存为带“（2）”等编号的名称。"
            )
        if groups:
            names = "、".join(group.name for group in groups)
            text += (
                f"\n\n以下 {len(groups)} 个为泛指名称（不是单个单位），没有生成填报表，"
                f"请另行通知：\n{names}"
            )
        if confirm(
            self,
            "填报表已生成",
            text,
            "打开文件夹",
            "关闭",
            QMessageBox.Icon.Information,
        ):
            show_in_folder(self, folder)

    def _on_export_failed(self, error: BaseException) -> None:
        self._set_busy("")
        self.refresh()
        if isinstance(error, PermissionError):
            reason = (
                f"无法写入文件“{error.filename}”。如果该文件正在 Excel 中打开，请先关闭后重试。"
            )
        elif isinstance(error, WriteError):
            reason = str(error)
        else:
            reason = user_message(error)
        self.status.setText("生成填报表失败。")
        QMessageBox.critical(
            self, "生成填报表失败", f"没有生成任何填报表，台账未改变。\n原因：{reason}"
        )

    def _on_imported(self, report: ImportReport) -> None:
        self._set_busy("")
        self.last_report = report
        self.refresh()
        self.status.setText(report.summary())
        if not report.ok:
            self.errors_dialog = ImportErrorsDialog(report, self)
            self.errors_dialog.open()
            return
        lines = [report.summary(), ""]
        for outcome in report.files:
            line = f"{outcome.file}：{outcome.status.label}"
            details = [outcome.department_name] if outcome.department_name else []
            for count, label in (
                (outcome.reports, "进展 {} 条"),
                (outcome.actuals, "指标实际值 {} 个"),
                (outcome.completions, "记为完成 {} 项"),
                (len(outcome.unreported), "未填报 {} 项"),
                (outcome.kept, "留空的 {} 项保留此前报送的内容"),
            ):
                if count:
                    details.append(label.format(count))
            if details:
                line += f"（{'，'.join(details)}）"
            if outcome.note:
                line += f" {outcome.note}"
            lines.append(line)
        QMessageBox.information(self, "导入完成", "\n".join(lines))

    def _on_import_cancelled(self) -> None:
        self._set_busy("")
        self.status.setText("已取消导入，台账未改变。")

    def _on_import_failed(self, error: BaseException) -> None:
        self._set_busy("")
        self.refresh()
        reason = user_message(error)
        self.status.setText("导入失败，台账未改变。")
        QMessageBox.critical(self, "导入失败", f"没有导入任何内容（台账未改变）。\n原因：{reason}")
