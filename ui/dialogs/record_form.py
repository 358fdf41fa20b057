"""记录检查: the guided record of one inspection of one measure, saved as it is typed.

The form is a window of its own. ``RecordForm.open_new`` starts a draft record at once
(``Inspections.start_draft``) with the checklist the measure proposes (its deadlines, targets
and service promises: ``ChecklistService.start``); ``RecordForm.open_existing`` continues a
draft or shows a finished record (read-only until 继续修改). Every change is written as it is
made (ui/widgets/autosave.py: after half a second without typing, when a field is left, when a
choice is made, when the window closes), so a crash loses at most the last keystrokes; 完成
checks the whole record and makes it final. A draft nothing was entered into is removed when
its window closes.

The whole form works without the mouse (``SHORTCUTS``; the guide's table lists them): Tab walks
the header, the checklist, the current item's fields and the buttons; in the checklist 1–4 give
the verdict and Enter moves down; F2 turns the current item into a finding. Photos and files
are evidence of the record, of an item or of a finding: dropped on the form (the record), on a
checklist row or the item's strip (that item), on the finding editor (that finding), or chosen
with Ctrl+O; they are added off the UI thread (ui/widgets/evidence_import.py).
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import getCppPointer, isValid

from app.domain.inspection import RecordState, Verdict
from app.storage import WriteError
from ui.dialogs.evidence_preview import EvidencePreview
from ui.dialogs.finding_editor import FindingEditor, editor_for_item
from ui.widgets.autosave import Autosaver
from ui.widgets.checklist_editor import ChecklistEditor
from ui.widgets.dates import ERROR_COLOUR
from ui.widgets.evidence_import import EvidenceImport, add_evidence_files, show_refused
from ui.widgets.evidence_strip import EvidenceStrip, dropped_files
from ui.widgets.file_dialogs import FileDialogs, FilePurpose
from ui.widgets.record_header import TEXT_FIELDS, RecordHeader
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.checklists import Answer
    from app.services.context import Services
    from app.services.evidence import Evidence
    from ui.widgets.progress import ProgressTask

# Keys of the record form (the user guide's shortcut table lists each; a test checks it).
SHORTCUTS = {
    "1 … 4": "检查清单中：符合、基本符合、不符合、不适用",
    "0": "检查清单中：清除结论",
    "Enter": "检查清单、实测值、备注中：到下一项",
    "F2": "把当前检查项转为问题（已转的：修改问题）",
    "Ctrl+O": "为当前检查项添加证据",
    "Ctrl+Shift+O": "为整条记录添加证据",
    "Ctrl+N": "添加一个检查项",
    "Ctrl+↑ / Ctrl+↓": "检查清单中：调整检查项顺序",
    "Ctrl+Enter": "完成检查记录；在问题编辑框中：保存问题",
    "Esc": "关闭检查记录（已填内容都已保存，草稿可以继续填写）",
}
SAVED = "已自动保存"


class RecordForm(QDialog):
    """``sig_closed(inspection_id)`` once the window is closed (everything saved)."""

    sig_closed = Signal(str)

    _open: ClassVar[dict[str, RecordForm]] = {}

    # ---- Entry points -----------------------------------------------------------------------

    @classmethod
    def open_new(
        cls,
        services: Services,
        measure_id: str,
        *,
        plan_id: str | None = None,
        checked_on: date | None = None,
        parent: QWidget | None = None,
        files: FileDialogs | None = None,
        today: date | None = None,
    ) -> RecordForm | None:
        """Start a draft record of ``measure_id`` (of ``plan_id``) and show it; None (with a
        message) when it cannot be started."""
        today = today or date.today()
        inspections = services.inspections
        try:
            record = inspections.start_draft(
                measure_id,
                checked_on=min(checked_on or today, today),
                inspection_plan_id=plan_id,
                today=today,
            )
            services.checklists.start(record)
        except WriteError as error:
            QMessageBox.warning(parent, "无法开始记录检查", str(error))
            return None
        form = cls(services, record, files=files, created=True, today=today, parent=parent)
        form.show()
        return form

    @classmethod
    def open_existing(
        cls,
        services: Services,
        inspection_id: str,
        *,
        parent: QWidget | None = None,
        files: FileDialogs | None = None,
        today: date | None = None,
    ) -> RecordForm | None:
        """Show a record (a draft continues where it stopped); the window already showing it
        is brought forward. None (with a message) when it is gone or not visible."""
        shown = cls._open.get(inspection_id)
        if shown is not None and isValid(shown):
            shown.raise_()
            shown.activateWindow()
            return shown
        try:
            form = cls(services, inspection_id, files=files, today=today, parent=parent)
        except WriteError as error:
            QMessageBox.warning(parent, "无法打开检查记录", str(error))
            return None
        form.show()
        return form

    # ---- Building -----------------------------------------------------------------------------

    def __init__(
        self,
        services: Services,
        inspection_id: str,
        *,
        files: FileDialogs | None = None,
        created: bool = False,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self._services = services
        record = services.findings.visible_record(inspection_id)  # WriteError when hidden
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setAcceptDrops(True)
        self.inspection_id = inspection_id
        self._files = files or FileDialogs()
        self._created = created
        self._today = today or date.today()
        self._importing: ProgressTask | None = None
        self._finishing = False
        self._closing = False
        self._in_close = False
        self._editor: FindingEditor | None = None
        self._refusals: dict[str, str] = {}  # field key → why its last value was not saved
        self.measure = services.repository.get("measures", record["measure_id"])
        self.saver = Autosaver(self)
        self.saver.sig_saved.connect(self._saved)
        self.saver.sig_failed.connect(self._refused)

        inspections = services.inspections
        departments = inspections.departments(record["measure_id"])
        plans = services.inspection_plans.list()
        sites: list[str] = []
        for name in [*services.vocabulary.names("site"), *(s for p in plans for s in p.sites)]:
            if name not in sites:
                sites.append(name)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 14px; font-weight: bold")
        self.header = RecordHeader(
            plans=plans,
            methods=inspections.methods(),
            sites=sites,
            departments=departments,
            today=self._today,
        )
        self.header.sig_field_edited.connect(self._header_edited)
        self.header.sig_field_done.connect(self._header_done)

        self.checklist = ChecklistEditor(
            services.checklists, services.evidence, self.saver, inspection_id
        )
        self.checklist.sig_message.connect(lambda text, error: self._say(text, error=error))
        self.checklist.sig_raise.connect(self.raise_finding)
        self.checklist.sig_item_files.connect(
            lambda answer_id, paths: self.add_files(paths, self._item_target(answer_id))
        )
        self.checklist.sig_choose_item_evidence.connect(self.choose_item_evidence)
        self.checklist.sig_preview.connect(self.preview)
        self.checklist.sig_remove_evidence.connect(self._remove_evidence)
        # Its parts, by the names the form's users and tests know them by.
        self.table = self.checklist.table
        self.panel = self.checklist.panel
        self.new_item = self.checklist.new_item
        self.templates = self.checklist.templates
        self.add_template = self.checklist.add_template

        self.record_evidence = EvidenceStrip("把照片或文件拖到窗口中，作为整条记录的证据")
        self.record_evidence.sig_files_dropped.connect(
            lambda paths: self.add_files(paths, self._record_target())
        )
        self.record_evidence.sig_preview.connect(
            lambda evidence_id: self.preview(self.record_evidence, evidence_id)
        )
        self.record_evidence.sig_remove.connect(self._remove_evidence)
        self.record_evidence_label = QLabel()
        self.add_record_evidence = QPushButton("添加证据…（Ctrl+Shift+O）")
        self.add_record_evidence.clicked.connect(self.choose_record_evidence)
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(self.record_evidence_label)
        evidence_row.addStretch(1)
        evidence_row.addWidget(self.add_record_evidence)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.discard_button = QPushButton("删除草稿")
        self.discard_button.clicked.connect(self.discard)
        self.reopen_button = QPushButton("继续修改")
        self.reopen_button.clicked.connect(self.reopen)
        self.finish_button = QPushButton("完成（Ctrl+Enter）")
        self.finish_button.setToolTip("检查并完成这条记录；完成后为只读，可“继续修改”")
        self.finish_button.clicked.connect(self.finish)
        self.close_button = QPushButton("关闭（Esc）")
        self.close_button.setToolTip("已填写的内容都已保存；草稿可以之后继续填写")
        self.close_button.clicked.connect(self.close)
        for button in (self.finish_button, self.close_button, self.reopen_button):
            button.setAutoDefault(False)
        self.discard_button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.reopen_button)
        bottom.addWidget(self.finish_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.header)
        layout.addWidget(self.checklist, 1)
        layout.addLayout(evidence_row)
        layout.addWidget(self.record_evidence)
        layout.addLayout(bottom)

        # Shortcuts of the window; the same keys reach keyPressEvent when the window is not the
        # active one (e.g. just after a dialog of it closed) and no field used them.
        self._keys = {
            QKeySequence("F2"): self.raise_finding,
            QKeySequence("Ctrl+O"): self.choose_item_evidence,
            QKeySequence("Ctrl+Shift+O"): self.choose_record_evidence,
            QKeySequence("Ctrl+N"): self._focus_new_item,
            QKeySequence("Ctrl+Return"): self.finish,
            QKeySequence("Ctrl+Enter"): self.finish,
        }
        for keys, action in self._keys.items():
            QShortcut(keys, self, activated=action)
        self._chain_tabs()
        fit_to_screen(self, 1280, 760)

        self.header.load(record, self._department_name(record["department_id"]))
        self._record = record
        self.reload()
        self._apply_state()
        RecordForm._open[inspection_id] = self
        application = QApplication.instance()
        if application is not None:  # the app quitting with the form open: typing kept too
            application.aboutToQuit.connect(self._save_before_quit)
        self.destroyed.connect(_forget(inspection_id, getCppPointer(self)[0]))
        if created:
            self.header.plan.setFocus()
            self._say("已开始一条检查记录草稿：填写的每一项都会自动保存。")
        elif record["state"] == RecordState.DRAFT:
            self.table.setFocus()
            self._say("继续填写这份草稿：填写的每一项都会自动保存。")
        else:
            self.close_button.setFocus()

    # ---- Public API -------------------------------------------------------------------------

    def is_draft(self) -> bool:
        return self._record["state"] == RecordState.DRAFT

    def status_text(self) -> str:
        return self.status.text()

    def reload(self) -> None:
        """Read the record, its checklist and its evidence again."""
        self._record = self._services.repository.get("inspections", self.inspection_id)
        state = RecordState(self._record["state"])
        self.title.setText(
            f"检查记录（{state.label}）　措施 {self._number()}{self.measure['title']}"
        )
        self.setWindowTitle(f"记录检查 — {self.measure['title']}")
        self.checklist.reload()
        self._show_record_evidence()

    def current_answer(self) -> Answer | None:
        return self.table.current_answer()

    def set_verdict(self, answer_id: str, verdict: Verdict | None) -> None:
        self.checklist.set_verdict(answer_id, verdict)

    # ---- Findings ---------------------------------------------------------------------------

    def raise_finding(self) -> FindingEditor | None:
        """F2: the finding editor for the current item (prefilled), or for its finding."""
        answer = self.current_answer()
        if answer is None or not self.is_draft() or self._editor is not None:
            return None
        self.saver.flush()
        try:
            editor = editor_for_item(
                self._services,
                answer.id,
                on_files_dropped=lambda paths, answer_id=answer.id: self.add_files(
                    paths, self._item_target(answer_id)
                ),
                parent=self,
            )
        except WriteError as error:
            self._say(str(error), error=True)
            return None
        if isinstance(editor, str):
            self._say(editor, error=True)
            return None
        self._editor = editor
        editor.finished.connect(lambda result: self._editor_closed(editor, result))
        editor.open()
        return editor

    # ---- Evidence -----------------------------------------------------------------------------

    def choose_item_evidence(self) -> None:
        answer_id = self.table.current_id()
        if answer_id is None:
            self.choose_record_evidence()
            return
        paths = self._choose_files()
        if paths:
            self.add_files(paths, self._item_target(answer_id))

    def choose_record_evidence(self) -> None:
        paths = self._choose_files()
        if paths:
            self.add_files(paths, self._record_target())

    def add_files(self, paths: list[Path], target: dict[str, str | None]) -> ProgressTask | None:
        """Add ``paths`` as evidence of ``target`` off the UI thread (the form's writes wait)."""
        if not paths or not self.is_draft():
            return None
        if self._importing is not None:
            self._say("正在添加证据，请等这一批完成后再添加。", error=True)
            return None
        self.saver.flush()
        self.saver.pause()
        self._say(f"正在添加 {len(paths)} 个文件…")
        self._importing = add_evidence_files(
            self,
            self._services.evidence,
            list(paths),
            target,
            self._evidence_added,
            self._evidence_failed,
        )
        return self._importing

    def is_importing(self) -> bool:
        return self._importing is not None

    def preview(self, strip: EvidenceStrip, evidence_id: str) -> EvidencePreview:
        dialog = EvidencePreview(
            self._services.evidence,
            strip.evidence(),
            evidence_id,
            can_remove=self.is_draft(),
            parent=self,
        )
        dialog.sig_removed.connect(lambda _id: self.reload())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # ---- State ---------------------------------------------------------------------------------

    def finish(self) -> None:
        """完成: everything saved, the record checked whole and made final."""
        if not self.is_draft() or self._finishing:
            return
        if not self._save_everything():
            return
        problem = self.header.checked_on.validate()
        if problem is not None:
            self._say(f"检查日期：{problem}", error=True)
            self.header.checked_on.setFocus()
            return
        try:  # what must be fixed is said before asking about what may stay empty
            self._services.inspections.check_draft(self.inspection_id, today=self._today)
        except WriteError as error:
            self._refused_finish(str(error))
            return
        unanswered = [a for a in self.table.answers() if a.verdict is None]
        empty = self._empty_fields()
        if unanswered or empty:
            self._ask_unanswered(unanswered, empty)
            return
        self._finalize()

    def reopen(self) -> None:
        """继续修改: the finished record becomes a draft again."""
        try:
            self._services.inspections.reopen_draft(self.inspection_id)
        except WriteError as error:
            self._say(str(error), error=True)
            return
        self.reload()
        self._apply_state()
        self.table.setFocus()
        self._say("已改回草稿，可以继续修改；改完后再点“完成”。")

    def discard(self) -> None:
        """删除草稿 (after asking)."""
        if not self.is_draft() or self.is_importing():
            return
        answer = QMessageBox.question(
            self,
            "删除草稿",
            "删除这份检查记录草稿吗？其中的检查结论、问题和证据都将一并删除。",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.saver.pause()
        try:
            self._services.inspections.discard_draft(self.inspection_id)
        except WriteError as error:
            self.saver.resume()
            self._say(str(error), error=True)
            return
        self._created = False
        self._closing = True
        self.close()

    # ---- Qt -----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(event.key() | modifiers.value)
        for keys, action in self._keys.items():
            if pressed.matches(keys) == QKeySequence.SequenceMatch.ExactMatch:
                action()
                return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter moves down the checklist; it never closes the form
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self._in_close:
            super().reject()  # QDialog's closeEvent hides the window this way
        else:
            self.close()  # Esc, 关闭: saved through closeEvent; the draft stays

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_importing():
            self._say("正在添加证据，完成后才能关闭。", error=True)
            event.ignore()
            return
        if not self._closing and not self._save_everything():
            answer = QMessageBox.question(
                self,
                "有内容未能保存",
                f"{self.status.text()}\n\n仍要关闭吗？（这一项填写的内容不会保存。）",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.saver.pause()
        inspections = self._services.inspections
        try:
            if self._created and inspections.draft_is_empty(self.inspection_id):
                inspections.discard_draft(self.inspection_id)  # nothing entered: not kept
        except WriteError:
            pass  # the empty draft stays; nothing was lost
        RecordForm._open.pop(self.inspection_id, None)
        self._in_close = True
        try:
            super().closeEvent(event)
        finally:
            self._in_close = False
        self.sig_closed.emit(self.inspection_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()) and self.is_draft():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if not paths or not self.is_draft():
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths, self._record_target())

    # ---- Internals: saving ----------------------------------------------------------------------

    def _set_field(self, name: str) -> None:
        value = self.header.value(name)
        if name == "checked_on" and self.header.checked_on.problem() is not None:
            raise WriteError(f"检查日期：{self.header.checked_on.problem()}")
        changed = self._services.inspections.set_field(
            self.inspection_id, name, value, today=self._today
        )
        if "kind" in changed or "checked_on" in changed:
            self._record = self._services.repository.get("inspections", self.inspection_id)
            self.header.set_kind(self._record["kind"])
            self._show_record_evidence()  # the date flags follow the new date

    def _header_edited(self, name: str) -> None:
        if self.is_draft():
            self.saver.schedule(f"header:{name}", lambda: self._set_field(name))

    def _header_done(self, name: str) -> None:
        if not self.is_draft():
            return
        if name in TEXT_FIELDS or name == "checked_on":
            if self.saver.is_pending(f"header:{name}"):
                self.saver.flush(f"header:{name}")
            return
        self.saver.save_now(f"header:{name}", lambda: self._set_field(name))

    def _save_everything(self) -> bool:
        """Flush every pending write; False (the reason shown) while one stays refused."""
        self.saver.flush()
        if self._refusals:
            self._say(f"未保存：{next(iter(self._refusals.values()))}", error=True)
        return not self._refusals

    def _saved(self, key: str) -> None:
        self._refusals.pop(key, None)
        when = self.saver.last_saved
        self._say(f"{SAVED}（{when:%H:%M:%S}）" if when else SAVED)
        if key.startswith("header:"):
            self._mark(key.removeprefix("header:"), None)

    def _refused(self, key: str, message: str) -> None:
        self._refusals[key] = message
        self._say(f"未保存：{message}", error=True)
        kind, _sep, rest = key.partition(":")
        if kind == "header":
            self._mark(rest, message)
        elif kind == "measured":
            self.checklist.show_refusal(rest, message)

    def _mark(self, name: str, message: str | None) -> None:
        widget = {
            "inspector": self.header.inspector,
            "place": self.header.place,
            "summary": self.header.summary,
        }.get(name)
        if widget is None:
            return
        widget.setStyleSheet(
            "" if message is None else f"border: 1px solid {ERROR_COLOUR}; background: #fff4f3;"
        )
        widget.setToolTip(message or "")

    # ---- Internals: the checklist and its findings ---------------------------------------------

    def _focus_new_item(self) -> None:
        self.new_item.setFocus()

    def _editor_closed(self, editor: FindingEditor, result: int) -> None:
        self._editor = None
        editor.deleteLater()
        if result:
            self.reload()
            self._say("已保存问题。")
        self.activateWindow()
        self.table.setFocus()

    # ---- Internals: evidence --------------------------------------------------------------------

    def _save_before_quit(self) -> None:
        if not self.is_importing():
            self.saver.flush()

    def _record_target(self) -> dict[str, str | None]:
        return {"inspection_id": self.inspection_id}

    def _item_target(self, answer_id: str) -> dict[str, str | None]:
        answer = self._services.checklists.answer(answer_id)
        target: dict[str, str | None] = {"answer_id": answer_id}
        if answer.finding_id and self._services.findings.get(answer.finding_id) is not None:
            target["finding_id"] = answer.finding_id  # its finding's evidence too
        return target

    def _choose_files(self) -> list[Path]:
        if not self.is_draft() or self.is_importing():
            return []
        return self._files.open_files(self, FilePurpose.EVIDENCE)

    def _evidence_added(self, result: EvidenceImport) -> None:
        self._importing = None
        self.saver.resume()
        self.reload()
        if self._editor is not None:
            answer_id = self.table.current_id()
            answer = self._services.checklists.answer(answer_id) if answer_id else None
            store = self._services.evidence
            if answer is not None:
                self._editor.set_evidence(
                    store.for_finding(answer.finding_id)
                    if answer.finding_id
                    else store.for_answer(answer.id)
                )
        self._say(result.summary() or "没有添加文件。", error=bool(result.refused))
        show_refused(self, result)

    def _evidence_failed(self, error: BaseException) -> None:
        self._importing = None
        self.saver.resume()
        self.reload()
        from app.storage.errors import user_message

        self._say(f"添加证据时出错，文件没有添加：{user_message(error)}", error=True)

    def _remove_evidence(self, evidence_id: str) -> None:
        if not self.is_draft():
            return
        evidence = self._services.evidence.get(evidence_id)
        reply = QMessageBox.question(
            self,
            "移除证据",
            f"把“{evidence.original_name}”从证据中移除吗？\n（文件仍保留在证据文件夹中，可以恢复。）",
        )
        if reply != QMessageBox.StandardButton.Yes:
            return
        try:
            self._services.evidence.remove(evidence_id)
        except WriteError as error:
            self._say(str(error), error=True)
            return
        self.reload()

    def _show_record_evidence(self) -> None:
        evidence: list[Evidence] = self._services.evidence.for_inspection(self.inspection_id)
        self.record_evidence.set_evidence(evidence)
        missing = sum(1 for e in evidence if e.missing)
        flagged = sum(1 for e in evidence if e.flags and not e.missing)
        parts = [f"本记录的全部证据：{len(evidence)} 个"]
        if missing:
            parts.append(f"<span style='color:{ERROR_COLOUR}'>{missing} 个文件缺失</span>")
        if flagged:
            parts.append(f"<span style='color:#b06000'>{flagged} 个需要核对</span>")
        self.record_evidence_label.setText("，".join(parts) + "（Enter 预览）")

    # ---- Internals: state ---------------------------------------------------------------------

    def _apply_state(self) -> None:
        draft = self.is_draft()
        self.header.set_read_only(not draft)
        self.checklist.set_editable(draft)
        self.record_evidence.read_only = not draft
        for widget in (self.add_record_evidence, self.discard_button):
            widget.setEnabled(draft)
        self.finish_button.setVisible(draft)
        self.discard_button.setVisible(draft)
        self.reopen_button.setVisible(not draft)
        if not draft:
            self._say("这条记录已完成（只读）。如需修改，点“继续修改”。")

    def _empty_fields(self) -> list[tuple[str, QWidget]]:
        """The header fields a finished record should have but this one leaves empty."""
        header = self.header
        fields = [
            ("受检部门", header.department, header.value("department_id") is None),
            ("检查方式", header.method, not header.value("method")),
            ("检查情况", header.summary, not header.value("summary").strip()),
        ]
        return [(label, widget) for label, widget, empty in fields if empty]

    def _ask_unanswered(
        self, unanswered: list[Answer], empty: list[tuple[str, QWidget]] | None = None
    ) -> None:
        """完成 with something left out: say what, and let the user finish anyway or go back
        to the first thing missing."""
        empty = empty or []
        lines = []
        if empty:
            lines.append(f"{'、'.join(label for label, _widget in empty)}还没有填写。")
        if unanswered:
            numbers = "、".join(str(a.position) for a in unanswered[:10])
            more = "等" if len(unanswered) > 10 else ""
            lines.append(f"第 {numbers}{more} 项（共 {len(unanswered)} 项）还没有填写结论。")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "记录还有没填写的内容" if empty else "还有检查项没有结论",
            "\n".join([*lines, "仍要完成这条记录吗？"]),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("unanswered_question")
        finish = box.addButton("仍然完成", QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton("继续填写", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        self._finishing = True

        def answered(_button: Any) -> None:
            self._finishing = False
            if box.clickedButton() is finish:
                self._finalize()
            elif empty:
                empty[0][1].setFocus()
            else:
                self.table.select_id(unanswered[0].id)
                self.table.setFocus()

        box.buttonClicked.connect(answered)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _finalize(self) -> None:
        try:
            self._services.inspections.finalize(self.inspection_id, today=self._today)
        except WriteError as error:
            self._refused_finish(str(error))
            return
        self.reload()
        self._apply_state()
        self._say("检查记录已完成。")
        self._closing = True
        self.close()

    def _refused_finish(self, message: str) -> None:
        self._say(message, error=True)
        focus = {"检查人": self.header.inspector, "检查日期": self.header.checked_on}
        for word, widget in focus.items():
            if word in message:
                widget.setFocus()

    def _number(self) -> str:
        area = self._services.repository.get("areas", self.measure["area_id"] or "")
        no = self.measure["no"]
        if no is None:
            return ""
        return f"{area['no']}.{no} " if area and area["no"] is not None else f"{no} "

    def _department_name(self, department_id: str | None) -> str:
        if not department_id:
            return ""
        row = self._services.repository.get("departments", department_id)
        return row["name"] if row else ""

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOUR}" if error else "color: #5f6368")

    def _chain_tabs(self) -> None:
        order: list[QWidget] = [
            *self.header.fields(),
            *self.checklist.tab_order(),
            self.record_evidence,
            self.add_record_evidence,
            self.discard_button,
            self.reopen_button,
            self.finish_button,
            self.close_button,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)


def _forget(inspection_id: str, pointer: int):
    """When a form is deleted without closing (its parent went), it leaves the registry —
    unless a newer window of the same record has taken its place."""

    def forget(*_args: object) -> None:
        entry = RecordForm._open.get(inspection_id)
        if entry is not None and (not isValid(entry) or getCppPointer(entry)[0] == pointer):
            RecordForm._open.pop(inspection_id, None)

    return forget
