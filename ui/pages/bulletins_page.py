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
from ui.widgets.questions import confirm

if TYPE_CHECKING:
    from app.documents.model import GongwenDocument
    from app.services.bulletins import Bulletin
    from app.services.context import Services
    from ui.changes import ChangeNotifier

COLUMNS = ("种类", "标题", "状态", "文号", "日期")
WATCHED = frozenset({"bulletins", "bulletin_files", "meta"})
CORRECT_TIP = "已签发的公文不能修改：更正另起一个新版本，文号不变，原件保留"
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
        self._superseded: set[str] = set()
        self._last_kind = BulletinKind.PROGRESS
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
        self.regenerate_button = QPushButton("重新生成…")
        self.regenerate_button.setToolTip(
            "按台账现在的数据重新生成这份草稿（手工修改的文字将被替换）"
        )
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
            (self.regenerate_button, self.regenerate_current),
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
        ):  # while this page is shown, wherever the focus is in the window (the sidebar too)
            shortcut = QShortcut(QKeySequence(keys), self, activated=slot)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)

        # The workflow above the list, the paper above the pages; tool bars, so a narrow window
        # folds the last buttons into the bar's "»" menu instead of widening its minimum.
        buttons = _bar("bulletin_workflow")
        for button in (
            self.new_button,
            self.edit_button,
            self.regenerate_button,
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
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the buttons
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
        self._superseded = {s.supersedes for s in self._summaries if s.supersedes}
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._summaries))
        for row, summary in enumerate(self._summaries):
            for column, text in enumerate(_cells(summary, summary.id in self._superseded)):
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
            self.preview.show_message(
                "选择左侧的一份公文，这里显示它的版面。" if self._summaries else ""
            )
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

            checked = preflight(bulletin.document)
            fonts = checked.messages()
            if fonts:
                lacking = len(checked.missing)
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
        self.regenerate_button.setEnabled(state is BulletinState.DRAFT)
        self.submit_button.setEnabled(state is BulletinState.DRAFT)
        self.discard_button.setEnabled(state is BulletinState.DRAFT)
        self.send_back_button.setEnabled(state is BulletinState.REVIEW and supervisor)
        self.issue_button.setEnabled(state is BulletinState.REVIEW and supervisor)
        corrected = summary is not None and summary.id in self._superseded
        self.correct_button.setEnabled(state is BulletinState.ISSUED and not corrected)
        self.correct_button.setToolTip(
            "这份公文已有更正版本，请在最新的版本上更正" if corrected else CORRECT_TIP
        )
        for button, what in ((self.send_back_button, "退回修改"), (self.issue_button, "签发")):
            button.setToolTip("" if supervisor else SUPERVISOR_ONLY.format(what))
        for button in (self.word_button, self.pdf_button, self.print_button):
            button.setEnabled(summary is not None)

    # ---- Actions --------------------------------------------------------------------------------

    def new_draft(self, kind: BulletinKind | None = None) -> str | None:
        from ui.dialogs.new_bulletin import NewBulletinDialog

        services = self._services
        hidden = [0]
        rounds = [info.name for info in services.progress.rounds()]
        departments = [info.name for info in services.departments.list() if not info.is_group]
        plans = [plan.name for plan in services.inspection_plans.list()]

        def create(request) -> str:
            draft = services.bulletin_drafting.draft(request)
            hidden[0] = draft.hidden_records
            self._last_kind = request.kind
            return self.bulletins.create(draft, today=self._today())

        dialog = NewBulletinDialog(
            create,
            rounds=rounds,
            departments=departments,
            plans=plans,
            as_of=self._today(),
            kind=kind or self._last_kind,
            parent=self,
        )
        if not dialog.exec() or dialog.created_id is None:
            return None
        self.refresh(select=dialog.created_id)
        if hidden[0]:
            QMessageBox.information(
                self,
                "草稿未计入部分暗访记录",
                f"这一期间另有 {hidden[0]} 条暗访记录您无权查看，草稿中没有计入。"
                "需要全面通报的，请由审核人（科长）起草，或签发前点“重新生成”。",
            )
        self.sig_status.emit("已生成草稿。可点“编辑…”（F2）修改文字，改好后“送审”。")
        return dialog.created_id

    def regenerate_current(self) -> None:
        """A draft drawn again from today's data, by the request it was made from (what the
        current user may see); the text typed into it is replaced, after asking."""
        summary = self.current_summary()
        if summary is None or summary.state is not BulletinState.DRAFT:
            return
        from app.services.bulletins import DraftRequest

        try:
            request = DraftRequest.from_json(summary.request, self._today())
        except (BulletinError, ValueError, TypeError) as problem:
            QMessageBox.warning(self, "重新生成", f"不能重新生成：{_reason(problem)}")
            return
        text = (
            f"按台账现在的数据重新生成“{summary.title}”？\n\n"
            f"数据截至 {_day(request.as_of)}，与起草时相同；草稿中手工修改的文字将被替换。"
        )
        if not _confirm(self, "重新生成", text, "重新生成"):
            return
        try:
            draft = self._services.bulletin_drafting.draft(request)
            with self._services.repository.transaction():
                self.bulletins.update(summary.id, draft.document)
                if draft.code and draft.code != summary.code:
                    self.bulletins.set_code(summary.id, draft.code)
        except Exception as problem:  # a refusal, or the database
            QMessageBox.warning(self, "重新生成", f"没有重新生成：{_reason(problem)}")
            return
        self.refresh(select=summary.id)
        self.sig_status.emit("已按现在的数据重新生成草稿。")

    def edit_current(self) -> None:
        summary = self.current_summary()
        if summary is None:
            return
        if summary.state is not BulletinState.DRAFT:
            self.sig_status.emit(
                "已签发的公文不能修改，请用“更正…”另起版本。"
                if summary.state is BulletinState.ISSUED
                else "待审核的公文不能修改，请审核人“退回修改”后再编辑。"
            )
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
        if not self._services.identity.current().name:
            QMessageBox.information(
                self,
                "送审",
                "请先填写您的姓名（明察暗访页 → 当前用户…），送审记录要写明送审人。",
            )
            return
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
        if bulletin.serial is not None:  # a 更正 keeps the number it corrects
            lines.append(f"这是更正版本，沿用原文号 {bulletin.number or ''}，")
        else:
            lines.append(
                f"签发后编入文号（机关代字“{bulletin.code}”，{self._today().year}年的下一个号），"
            )
        lines.append(f"成文日期为今天（{_day(self._today())}），Word 和 PDF 文件存档，不能再修改。")
        me = self._services.identity.current().name
        if me and me == bulletin.created_by:
            lines += ["", f"提示：起草人和签发人都是 {me}。"]
        more = self._records_left_out(bulletin)
        if more:
            lines += [
                "",
                f"注意：按您的权限，这一期间还有 {more} 条检查记录没有计入草稿"
                "（起草人无权查看的暗访记录）。建议取消，先点“重新生成…”。",
            ]
        if bulletin.document is not None:
            from reports.gongwen_pdf import preflight

            checked = preflight(bulletin.document)
            lacking = len(checked.missing)
            if lacking:
                lines += [
                    "",
                    f"字体提示：{lacking} 种字体缺字，PDF 中这些字无法显示（详见通报页）。",
                ]
            elif checked.substitutions:
                substituted = len(checked.substitutions)
                lines += ["", f"字体提示：{substituted} 种字体以本机的替代字体排版（见通报页）。"]
        covert = self._covert_count(bulletin)
        if covert:
            lines += ["", f"注意：引用了 {covert} 条暗访记录，签发后这些记录将对所有人公开。"]
        if not _confirm(self, "签发", "\n".join(lines), "签发"):
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            issued = self.bulletins.issue(bulletin.id, today=self._today())
        except Exception as problem:  # a refusal, the archive's folder, or the database
            QGuiApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "不能签发", f"没有签发：{_reason(problem)}")
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
        except Exception as problem:
            QMessageBox.warning(self, "不能更正", _reason(problem))
            return
        self.refresh(select=new_id)

    def _act(self, action: Callable[[str], object], done: str) -> None:
        bulletin_id = self.current_id()
        if bulletin_id is None:
            return
        try:
            action(bulletin_id)
        except Exception as problem:  # a refusal (BulletinError), or the database
            QMessageBox.warning(self, "不能完成", _reason(problem))
            return
        self.refresh(select=bulletin_id)
        self.sig_status.emit(done)

    def _records_left_out(self, bulletin: Bulletin) -> int:
        """Records a draft of the same request by the current user would cite beyond the
        stored draft's (a drafter who could not see some 暗访 records)."""
        if bulletin.kind is not BulletinKind.INSPECTION or bulletin.serial is not None:
            return 0
        try:
            from app.services.bulletins import DraftRequest

            request = DraftRequest.from_json(bulletin.request, self._today())
            cited = set(self._services.bulletin_drafting.draft(request).cited)
        except Exception:  # the check is advice only: issuing decides
            return 0
        return len(cited - set(bulletin.cited))

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
        except Exception as problem:  # a refusal, the disk, a document that breaks a rule
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
            pages = preview_and_print(self._shown_pdf[1], self, summary.title)
        except OSError as problem:
            QMessageBox.warning(self, "打印", f"没有打印：{problem}")
            return
        if pages:
            self.sig_status.emit(f"已发送到打印机：{summary.title}，共 {pages} 页。")

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


SHORT_KINDS = {
    BulletinKind.PROGRESS: "调度通报",
    BulletinKind.INSPECTION: "明察暗访通报",
    BulletinKind.NOTICE: "督办通知",
    BulletinKind.PRAISE: "表扬通报",
    BulletinKind.CRITICISM: "批评通报",
}


def _cells(summary: BulletinSummary, superseded: bool = False) -> tuple[str, ...]:
    state = summary.state.label + ("（更正）" if summary.correction else "")
    if superseded:
        state = "已更正"
    day = summary.issued_on or summary.created_on
    kind = SHORT_KINDS.get(summary.kind, summary.kind_label)  # type: ignore[call-overload]
    title = summary.title.replace("\n", "")
    department = (summary.request or {}).get("department")
    if summary.kind is BulletinKind.NOTICE and department:
        title = f"{title}（{department}）"  # every notice has the same title
    return (kind, title, state, summary.number or "—", day.isoformat())


def _info_text(bulletin: Bulletin, versions: list[BulletinSummary]) -> str:
    lines = [f"{bulletin.kind_label} · {bulletin.state.label}"]
    lines.append(f"起草：{bulletin.created_by or '—'}，{_day(bulletin.created_on)}")
    if bulletin.submitted_on and bulletin.state is not BulletinState.DRAFT:
        lines.append(f"送审：{bulletin.submitted_by or '—'}，{_day(bulletin.submitted_on)}")
    elif bulletin.submitted_on:
        lines.append(f"曾于{_day(bulletin.submitted_on)}送审，已退回修改")
    if bulletin.issued_on:
        lines.append(
            f"签发：{bulletin.issued_by or '—'}，{_day(bulletin.issued_on)}，文号 {bulletin.number}"
        )
    elif bulletin.serial is not None:
        lines.append(f"更正版本：沿用原文号 {bulletin.number}")
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
    """One Chinese sentence: ours as they are, the disk's and the database's explained."""
    from app.files import explain_write_error
    from app.storage.errors import user_message

    if isinstance(error, OSError):
        return explain_write_error(error)
    return user_message(error)


def _confirm(parent: QWidget, title: str, text: str, yes: str) -> bool:
    """签发, 删除, 更正, 重新生成: Enter cancels."""
    return confirm(parent, title, text, yes, default_accept=False)
