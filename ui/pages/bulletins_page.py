"""The 通报 page: drafts, review and issued documents — 通报 and 督办通知 — with their pages.

Left, every document the current user may see (newest first: 种类, 标题, 状态, 文号, 日期); right,
what is known about the selected one (state, who did what, versions, font warnings, duplicate
numbers after a sync) above its pages as they print. A draft's pages are drawn from its
document on a worker thread; an issued one shows the PDF frozen when it was issued.

What a button does is the service's (app/services/bulletins/: ``Bulletins`` for states and
files, ``BulletinDrafting`` for first drafts): the page asks, shows the Chinese refusal when
there is one, and refreshes on the change notifier. 签发 and 退回修改 are a supervisor's
(the service refuses anyone else; the buttons say so in their tooltips).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import UserRole
from app.services.bulletins import BulletinError, BulletinKind, BulletinState, BulletinSummary
from ui.tasks import run_in_background
from ui.widgets.empty_state import EmptyState
from ui.widgets.file_dialogs import FileDialogs, FilePurpose, show_saved
from ui.widgets.pdf_pages import PdfPreview, preview_and_print

if TYPE_CHECKING:
    from app.documents.model import GongwenDocument
    from app.services.bulletins import Bulletin
    from app.services.context import Services
    from ui.changes import ChangeNotifier

COLUMNS = ("种类", "标题", "状态", "文号", "日期")
WATCHED = frozenset({"bulletins", "bulletin_files", "meta"})
SUPERVISOR_ONLY = "只有审核人（科长）可以{}。在“明察暗访”页的“当前用户”中设置身份。"


def render_pdf_bytes(document: GongwenDocument) -> bytes:
    from reports.gongwen_pdf import pdf_bytes  # reportlab: loaded when a page is first drawn

    return pdf_bytes(document)


def render_docx_bytes(document: GongwenDocument) -> bytes:
    import io

    from reports.gongwen_docx import render_docx

    stream = io.BytesIO()
    render_docx(document, stream)
    return stream.getvalue()


class BulletinsPage(QWidget):
    sig_status = Signal(str)  # a line for the status bar

    def __init__(
        self,
        services: Services,
        notifier: ChangeNotifier,
        files: FileDialogs | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._files = files or FileDialogs()
        self._today = today
        self._summaries: list[BulletinSummary] = []
        self._generation = 0
        self._shown_pdf: tuple[str, bytes] | None = None  # (bulletin id, PDF) on screen

        self.new_button = QPushButton("新建草稿…")
        self.new_button.setToolTip("按模板从台账数据生成通报或督办通知的草稿（Ctrl+N）")
        self.edit_button = QPushButton("编辑…")
        self.edit_button.setToolTip("修改草稿的文字，右侧实时显示排版（F2，或双击草稿）")
        self.submit_button = QPushButton("送审")
        self.send_back_button = QPushButton("退回修改")
        self.issue_button = QPushButton("签发…")
        self.correct_button = QPushButton("更正…")
        self.correct_button.setToolTip(
            "已签发的公文不能修改：更正另起一个新版本，文号不变，原件保留"
        )
        self.discard_button = QPushButton("删除草稿")
        self.word_button = QPushButton("另存为 Word…")
        self.pdf_button = QPushButton("另存为 PDF…")
        self.print_button = QPushButton("打印…")
        self.print_button.setToolTip("打印预览并打印（默认双面长边翻页，Ctrl+P）")
        self.templates_button = QPushButton("模板…")
        self.templates_button.setToolTip("修改各类通报的起草模板")
        for button, slot in (
            (self.new_button, self.new_draft),
            (self.edit_button, self.edit_current),
            (self.submit_button, self.submit_current),
            (self.send_back_button, self.send_back_current),
            (self.issue_button, self.issue_current),
            (self.correct_button, self.correct_current),
            (self.discard_button, self.discard_current),
            (self.word_button, lambda: self.save_current("docx")),
            (self.pdf_button, lambda: self.save_current("pdf")),
            (self.print_button, self.print_current),
            (self.templates_button, self.edit_templates),
        ):
            button.clicked.connect(slot)
        for keys, slot in (
            (QKeySequence.StandardKey.New, self.new_draft),
            ("F2", self.edit_current),
            (QKeySequence.StandardKey.Print, self.print_current),
        ):  # on this page only (Ctrl+E is the window's 导出数据)
            shortcut = QShortcut(QKeySequence(keys), self, activated=slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        # The workflow above the list, the paper above the pages; tool bars, so a narrow window
        # folds the last buttons into the bar's "»" menu instead of widening its minimum.
        buttons = _bar("bulletin_workflow")
        for button in (
            self.new_button,
            self.edit_button,
            self.submit_button,
            self.send_back_button,
            self.issue_button,
            self.correct_button,
            self.discard_button,
        ):
            buttons.addWidget(button)
        paper = _bar("bulletin_paper")
        for button in (self.word_button, self.pdf_button, self.print_button, self.templates_button):
            paper.addWidget(button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("bulletin_list")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, self.fontMetrics().horizontalAdvance("明察暗访情况通报") + 16)
        self.table.itemSelectionChanged.connect(self._follow_selection)
        self.table.doubleClicked.connect(lambda _index: self._open_current())
        self.empty = EmptyState(
            "还没有通报",
            "点“新建草稿…”（Ctrl+N），选择种类——调度情况通报、明察暗访情况通报、督办通知、"
            "表扬或批评通报——由台账数据生成第一稿，修改后送审、签发，再打印或另存为 Word/PDF。",
        )
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 0, 0, 6)
        left_layout.addWidget(buttons)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty, 1)

        self.info = QLabel()
        self.info.setObjectName("bulletin_info")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.warnings = QLabel()
        self.warnings.setObjectName("bulletin_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #b00020")
        self.preview = PdfPreview()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 6, 6)
        right_layout.addWidget(paper)
        right_layout.addWidget(self.info)
        right_layout.addWidget(self.warnings)
        right_layout.addWidget(self.preview, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([620, 520])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)

        notifier.sig_changed.connect(self._on_changed)
        self.refresh()

    # ---- The list -------------------------------------------------------------------------------

    @property
    def bulletins(self):
        return self._services.bulletins

    def refresh(self, select: str | None = None) -> None:
        keep = select or self.current_id()
        self._summaries = self.bulletins.list()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._summaries))
        for row, summary in enumerate(self._summaries):
            for column, text in enumerate(_cells(summary)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, summary.id)
                if column in (0, 1):
                    item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        has_any = bool(self._summaries)
        self.table.setVisible(has_any)
        self.empty.setVisible(not has_any)
        ids = [summary.id for summary in self._summaries]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif ids:
            self.table.selectRow(0)
        self._follow_selection()

    def current_id(self) -> str | None:
        summary = self.current_summary()
        return summary.id if summary else None

    def current_summary(self) -> BulletinSummary | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().selectedRows()
        if not selected or not 0 <= row < len(self._summaries):
            return None
        return self._summaries[row]

    def select(self, bulletin_id: str) -> None:
        ids = [summary.id for summary in self._summaries]
        if bulletin_id in ids:
            self.table.selectRow(ids.index(bulletin_id))

    def _on_changed(self, changed: dict[str, Any]) -> None:
        if WATCHED & set(changed):
            self.refresh()

    # ---- The selected document ------------------------------------------------------------------

    def _follow_selection(self) -> None:
        summary = self.current_summary()
        self._update_buttons(summary)
        if summary is None:
            self.info.setText("")
            self.warnings.setText(_duplicates_text(self.bulletins.duplicate_numbers()))
            self.preview.show_message("选择左侧的一份公文，这里显示它的版面。")
            return
        try:
            bulletin = self.bulletins.get(summary.id)
        except BulletinError as problem:
            self.info.setText(str(problem))
            self.preview.show_message("")
            return
        self.info.setText(_info_text(bulletin, self.bulletins.versions(bulletin.id)))
        self.warnings.setText(self._warnings(bulletin))
        self._show_pages(bulletin)

    def _warnings(self, bulletin: Bulletin) -> str:
        """Problems in full (altered archive files, duplicate numbers); the fonts' notes as one
        line, in full in its tooltip (they are about this machine, the same for every draft)."""
        lines = []
        self.warnings.setToolTip("")
        if bulletin.state is BulletinState.ISSUED:
            lines.extend(self.bulletins.verify(bulletin.id))
        elif bulletin.document is not None:
            from reports.gongwen_pdf import preflight

            fonts = preflight(bulletin.document).messages()
            if fonts:
                lacking = sum("缺少" in line for line in fonts)
                summary = f"字体提示 {len(fonts)} 条"
                if lacking:
                    summary += f"（其中 {lacking} 种字体缺字，PDF 中这些字无法显示）"
                lines.append(summary + "，鼠标停在这里查看。")
                self.warnings.setToolTip("\n".join(fonts))
        duplicates = _duplicates_text(
            [d for d in self.bulletins.duplicate_numbers() if d.number == bulletin.number]
        )
        if duplicates:
            lines.append(duplicates)
        return "\n".join(lines)

    def _show_pages(self, bulletin: Bulletin) -> None:
        self._generation += 1
        generation = self._generation
        frozen = bulletin.file("pdf") if bulletin.state is BulletinState.ISSUED else None
        if frozen is not None and frozen.path is not None and frozen.path.exists():
            path = frozen.path
            work: Callable[[], bytes] = path.read_bytes
        elif bulletin.document is not None:
            document = bulletin.document
            work = lambda: render_pdf_bytes(document)  # noqa: E731
        else:
            self.preview.show_message("这份公文的内容无法读取。")
            return
        self.preview.show_message("正在排版……")
        run_in_background(
            work,
            lambda data: self._pages_drawn(generation, bulletin.id, data),
            lambda error: self._pages_failed(generation, error),
            owner=self.preview,
        )

    def _pages_drawn(self, generation: int, bulletin_id: str, data: bytes) -> None:
        if generation == self._generation:
            self._shown_pdf = (bulletin_id, data)
            self.preview.show_pdf(data)

    def _pages_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._shown_pdf = None
            self.preview.show_message(f"无法显示版面：{_reason(error)}")

    def _update_buttons(self, summary: BulletinSummary | None) -> None:
        state = summary.state if summary else None
        supervisor = self._services.identity.current().role is UserRole.SUPERVISOR
        self.edit_button.setEnabled(state is BulletinState.DRAFT)
        self.submit_button.setEnabled(state is BulletinState.DRAFT)
        self.discard_button.setEnabled(state is BulletinState.DRAFT)
        self.send_back_button.setEnabled(state is BulletinState.REVIEW and supervisor)
        self.issue_button.setEnabled(state is BulletinState.REVIEW and supervisor)
        self.correct_button.setEnabled(state is BulletinState.ISSUED)
        for button, what in ((self.send_back_button, "退回修改"), (self.issue_button, "签发")):
            button.setToolTip("" if supervisor else SUPERVISOR_ONLY.format(what))
        for button in (self.word_button, self.pdf_button, self.print_button):
            button.setEnabled(summary is not None)

    # ---- Actions --------------------------------------------------------------------------------

    def new_draft(self, kind: BulletinKind = BulletinKind.PROGRESS) -> str | None:
        from ui.dialogs.new_bulletin import NewBulletinDialog

        services = self._services
        rounds = [info.name for info in services.progress.rounds()]
        departments = [info.name for info in services.departments.list() if not info.is_group]
        plans = [plan.name for plan in services.inspection_plans.list()]

        def create(request) -> str:
            draft = services.bulletin_drafting.draft(request)
            return self.bulletins.create(draft, today=self._today())

        dialog = NewBulletinDialog(
            create,
            rounds=rounds,
            departments=departments,
            plans=plans,
            as_of=self._today(),
            kind=kind,
            parent=self,
        )
        if not dialog.exec() or dialog.created_id is None:
            return None
        self.refresh(select=dialog.created_id)
        self.sig_status.emit("已生成草稿。可点“编辑…”修改文字，改好后“送审”。")
        return dialog.created_id

    def edit_current(self) -> None:
        summary = self.current_summary()
        if summary is None or summary.state is not BulletinState.DRAFT:
            return
        from ui.dialogs.bulletin_editor import BulletinEditor

        bulletin = self.bulletins.get(summary.id)
        if bulletin.document is None:
            return

        def save(document, code: str) -> None:
            with self._services.repository.transaction():
                self.bulletins.update(bulletin.id, document)
                if code != bulletin.code:
                    self.bulletins.set_code(bulletin.id, code)

        editor = BulletinEditor(
            bulletin.document, bulletin.code, bulletin.title, save, render_pdf_bytes, self
        )
        editor.exec()
        if editor.saved:
            self.refresh(select=bulletin.id)

    def _open_current(self) -> None:
        summary = self.current_summary()
        if summary is not None and summary.state is BulletinState.DRAFT:
            self.edit_current()

    def submit_current(self) -> None:
        self._act(
            lambda i: self.bulletins.submit(i, today=self._today()), "已送审，等待审核人签发。"
        )

    def send_back_current(self) -> None:
        self._act(self.bulletins.send_back, "已退回修改，草稿可以再编辑。")

    def discard_current(self) -> None:
        summary = self.current_summary()
        if summary is None:
            return
        if not _confirm(self, "删除草稿", f"删除草稿“{summary.title}”？删除后不能恢复。", "删除"):
            return
        self._act(self.bulletins.discard, "草稿已删除。")

    def issue_current(self) -> None:
        summary = self.current_summary()
        if summary is None:
            return
        bulletin = self.bulletins.get(summary.id)
        lines = [f"签发“{bulletin.title}”？", ""]
        lines.append(
            f"签发后编入文号（机关代字“{bulletin.code}”，{self._today().year}年的下一个号），"
        )
        lines.append(f"成文日期为今天（{_day(self._today())}），Word 和 PDF 文件存档，不能再修改。")
        if bulletin.document is not None:
            from reports.gongwen_pdf import preflight

            fonts = preflight(bulletin.document).messages()
            if fonts:
                lines += ["", "字体提示：", *fonts]
        covert = self._covert_count(bulletin)
        if covert:
            lines += ["", f"注意：引用了 {covert} 条暗访记录，签发后这些记录将对所有人公开。"]
        if not _confirm(self, "签发", "\n".join(lines), "签发"):
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            issued = self.bulletins.issue(bulletin.id, today=self._today())
        except BulletinError as problem:
            QGuiApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "不能签发", str(problem))
            return
        except OSError as problem:
            QGuiApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "不能签发", f"存档文件写入失败，没有签发：{_reason(problem)}")
            return
        QGuiApplication.restoreOverrideCursor()
        self.refresh(select=bulletin.id)
        self.sig_status.emit(f"已签发：{issued.bulletin.number}")

    def correct_current(self) -> None:
        summary = self.current_summary()
        if summary is None:
            return
        text = (
            f"为“{summary.title}”（{summary.number}）另起更正版本？\n\n"
            "新版本从原文复制，文号不变，需重新送审、签发；原版本和它的文件保留。"
        )
        if not _confirm(self, "更正", text, "另起更正版本"):
            return
        try:
            new_id = self.bulletins.correct(summary.id, today=self._today())
        except BulletinError as problem:
            QMessageBox.warning(self, "不能更正", str(problem))
            return
        self.refresh(select=new_id)

    def _act(self, action: Callable[[str], object], done: str) -> None:
        bulletin_id = self.current_id()
        if bulletin_id is None:
            return
        try:
            action(bulletin_id)
        except BulletinError as problem:
            QMessageBox.warning(self, "不能完成", str(problem))
            return
        self.refresh(select=bulletin_id)
        self.sig_status.emit(done)

    def _covert_count(self, bulletin: Bulletin) -> int:
        if not bulletin.cited:
            return 0
        marks = ", ".join("?" for _ in bulletin.cited)
        return self._services.storage.db.execute(
            f"SELECT COUNT(*) FROM inspections WHERE id IN ({marks}) AND kind = 'covert'"
            " AND disclosed_on IS NULL AND deleted = 0",
            list(bulletin.cited),
        ).fetchone()[0]

    # ---- Files and paper ------------------------------------------------------------------------

    def save_current(self, format: str) -> Path | None:
        summary = self.current_summary()
        if summary is None:
            return None
        purpose = FilePurpose.WORD_EXPORT if format == "docx" else FilePurpose.PDF_EXPORT
        label = "Word" if format == "docx" else "PDF"
        target = self._files.save_file(self, purpose, f"{_file_stem(summary)}.{format}")
        if target is None:
            return None
        bulletin = self.bulletins.get(summary.id)
        try:
            if bulletin.state is BulletinState.ISSUED:  # the dialog asked before replacing
                self.bulletins.save_copy(bulletin.id, format, target, replace=target.exists())
            else:
                assert bulletin.document is not None
                data = (render_docx_bytes if format == "docx" else render_pdf_bytes)(
                    bulletin.document
                )
                from app.files import replace_file

                replace_file(target, lambda handle: handle.write(data))
        except (BulletinError, OSError, ValueError) as problem:
            QMessageBox.warning(self, f"另存为 {label}", f"没有保存：{_reason(problem)}")
            return None
        what = "签发存档的" if bulletin.state is BulletinState.ISSUED else "草稿的"
        show_saved(self, f"另存为 {label}", f"已保存{what} {label} 文件。", target)
        return target

    def print_current(self) -> None:
        summary = self.current_summary()
        if summary is None:
            return
        if self._shown_pdf is None or self._shown_pdf[0] != summary.id:
            QMessageBox.information(self, "打印", "版面还在排版中，请稍候再点“打印…”。")
            return
        try:
            preview_and_print(self._shown_pdf[1], self, summary.title)
        except OSError as problem:
            QMessageBox.warning(self, "打印", f"没有打印：{problem}")

    def edit_templates(self) -> None:
        from ui.dialogs.bulletin_templates import BulletinTemplatesDialog

        summary = self.current_summary()
        kind = summary.kind if summary and isinstance(summary.kind, BulletinKind) else None
        BulletinTemplatesDialog(
            self._services.bulletin_drafting.templates,
            self._services.bulletin_drafting,
            kind or BulletinKind.PROGRESS,
            self._today,
            self,
        ).exec()


def _bar(name: str) -> QToolBar:
    bar = QToolBar()
    bar.setObjectName(name)
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setStyleSheet("QToolBar { border: none; spacing: 4px; padding-top: 4px; }")
    return bar


# ---- Texts --------------------------------------------------------------------------------------


def _day(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _cells(summary: BulletinSummary) -> tuple[str, ...]:
    state = summary.state.label + ("（更正）" if summary.correction else "")
    day = summary.issued_on or summary.created_on
    return (summary.kind_label, summary.title, state, summary.number or "—", day.isoformat())


def _info_text(bulletin: Bulletin, versions: list[BulletinSummary]) -> str:
    lines = [f"{bulletin.kind_label} · {bulletin.state.label}"]
    lines.append(f"起草：{bulletin.created_by or '—'}，{_day(bulletin.created_on)}")
    if bulletin.submitted_on:
        lines.append(f"送审：{bulletin.submitted_by or '—'}，{_day(bulletin.submitted_on)}")
    if bulletin.issued_on:
        lines.append(
            f"签发：{bulletin.issued_by or '—'}，{_day(bulletin.issued_on)}，文号 {bulletin.number}"
        )
    elif bulletin.code:
        lines.append(f"机关代字：{bulletin.code}（签发时编号）")
    if len(versions) > 1:
        lines.append(f"共 {len(versions)} 个版本，这是第 {bulletin.version} 版。")
    return "\n".join(lines)


def _duplicates_text(duplicates: list[Any]) -> str:
    return "\n".join(duplicate.message for duplicate in duplicates)


def _file_stem(summary: BulletinSummary) -> str:
    title = summary.title.replace("\n", "")
    name = f"{summary.number} {title}" if summary.number else f"{title}（草稿）"
    return "".join("_" if char in '\\/:*?"<>|' else char for char in name)[:80]


def _reason(error: BaseException) -> str:
    from app.files import explain_write_error

    if isinstance(error, OSError):
        return explain_write_error(error)
    return str(error) or type(error).__name__


def _confirm(parent: QWidget, title: str, text: str, yes: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    box.setObjectName("confirm")
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is ok
