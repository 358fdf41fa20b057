"""打印: a 检查记录 or a department's 整改通知 saved as PDF from the 明察暗访 page.

The user picks the file with the app's save dialog (its remembered folder; an existing file only
when the user agreed to replace it, app/files.py writes it atomically then); the work runs off the
UI thread (``ui/tasks.py: run_in_background``). A record is gathered and written on the worker
with a read-only connection of its own (``print_record_file``: thumbnails may take a while); a
notice is gathered here (a few small queries, and its count of 暗访 problems is shown) and
written on the worker (``save_notice_pdf``). Both go through the 暗访 rule
(app/services/record_print.py), so what the user may not see is not printed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.tasks import BackgroundTask, run_in_background
from ui.widgets.file_dialogs import FileDialogs, FilePurpose, confirm_replace, show_saved

if TYPE_CHECKING:
    from app.services.context import Services
    from app.services.record_print import Printed, RecordPrint

# app/services/record_print.py (and reportlab with it) is imported when something is printed.


class RecordPrinting(QObject):
    """``busy()``: a PDF is being written (one at a time)."""

    def __init__(self, services: Services, files: FileDialogs, parent: QWidget) -> None:
        super().__init__(parent)
        self._services = services
        self._files = files
        self._window = parent
        self._task: BackgroundTask | None = None

    def busy(self) -> bool:
        return self._task is not None

    def printer(self) -> RecordPrint:
        from app.services.record_print import RecordPrint

        services = self._services
        return RecordPrint(services.repository, services.status.calendar, services.evidence)

    def print_record(self, inspection_id: str) -> BackgroundTask | None:
        """Ask where, then write the record's PDF on a worker; None when nothing was started."""
        from app.services.record_print import PrintError, print_record_file, save_record_pdf

        if self.busy():
            return None
        entry = self._services.inspections.get(inspection_id)
        if entry is None:
            QMessageBox.warning(self._window, "无法打印", "该检查记录不存在或已删除。")
            return None
        reference = inspection_id.replace("-", "")[:8].upper()
        name = f"{entry.kind.label}检查记录_{entry.checked_on.isoformat()}_{reference}.pdf"
        target = self._choose(name, "保存检查记录 PDF")
        if target is None:
            return None
        path, overwrite = target
        db_path = self._services.storage.path
        if db_path is not None:
            work = lambda: print_record_file(db_path, inspection_id, path, overwrite=overwrite)  # noqa: E731
        else:  # an in-memory database: gathered here, written on the worker
            try:
                sheet = self.printer().record_sheet(inspection_id)
            except PrintError as error:
                QMessageBox.warning(self._window, "无法打印", str(error))
                return None
            work = lambda: save_record_pdf(sheet, path, overwrite=overwrite)  # noqa: E731
        return self._start(work, "已保存检查记录", "检查记录已保存为 PDF", "")

    def print_notice(self, department_id: str, as_of: date) -> BackgroundTask | None:
        """A 整改通知 to ``department_id`` as of ``as_of``: its problems not yet 销号."""
        from app.services.record_print import PrintError, save_notice_pdf

        if self.busy():
            return None
        try:
            notice = self.printer().notice(department_id, as_of=as_of)
        except PrintError as error:
            QMessageBox.warning(self._window, "无法生成整改通知", str(error))
            return None
        name = f"整改通知_{notice.department}_{as_of.isoformat()}.pdf"
        target = self._choose(name, "保存整改通知 PDF")
        if target is None:
            return None
        path, overwrite = target
        counts = f"共 {len(notice.findings)} 个未销号的问题，其中逾期 {len(notice.overdue)} 个"
        warning = (
            f"\n注意：其中 {notice.covert} 个问题来自暗访记录，发出前请确认可以告知被检查单位。"
            if notice.covert
            else ""
        )
        return self._start(
            lambda: save_notice_pdf(notice, path, overwrite=overwrite),
            "已生成整改通知",
            f"给{notice.department}的整改通知（截至 {as_of.isoformat()}，{counts}）已保存为 PDF",
            warning,
        )

    # ---- Internals ----------------------------------------------------------------------------

    def _choose(self, name: str, title: str) -> tuple[Path, bool] | None:
        """(the .pdf file to write, whether the user agreed to replace it) or None."""
        from app.services.record_print import pdf_path

        chosen = self._files.save_file(self._window, FilePurpose.PDF_EXPORT, name, title=title)
        if chosen is None:
            return None
        target = pdf_path(chosen)
        # The save dialog asked before returning an existing file; a name that exists only
        # with ".pdf" added was not asked about.
        overwrite = target.exists()
        if overwrite and target != chosen and not confirm_replace(self._window, target, title):
            return None
        return target, overwrite

    def _start(self, work, title: str, text: str, warning: str) -> BackgroundTask:
        def done(printed: Printed) -> None:
            self._task = None
            notes = "".join(f"\n字体：{line}" for line in printed.substituted)
            if printed.missing:
                notes += f"\n注意：字体中没有这些字符，PDF 中显示为空白：{printed.missing}"
            show_saved(
                self._window, title, f"{text}（{printed.pages} 页）。{warning}{notes}", printed.path
            )

        from app.services.record_print import PrintError

        def failed(error: BaseException) -> None:
            self._task = None
            message = (
                str(error)
                if isinstance(error, PrintError)
                else "生成 PDF 时出错，没有保存文件。请重试；仍然失败时请把这条信息"
                f"告诉管理员：{error}"
            )
            QMessageBox.warning(self._window, "无法保存 PDF", message)

        self._task = run_in_background(work, done, failed)
        return self._task
