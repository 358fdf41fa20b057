"""Long work off the UI thread with a progress dialog and 取消.

``run_with_progress`` runs ``work(progress)`` on a worker (ui/tasks.py) and passes it a
``progress(done, total)`` callback (app/progress.py). The dialog appears only when the work
takes longer than a moment; 取消 makes the next ``progress`` call raise ``Cancelled`` on the
worker, and ``on_cancelled`` runs on the UI thread once the worker has stopped. Work written to
the protocol changes nothing before its last progress call, so a cancel leaves everything as it
was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.progress import Cancelled, Progress
from ui.tasks import run_in_background

SHOW_AFTER_MS = 400  # quick work finishes without a dialog flashing up


class _Relay(QObject):
    sig_progress = Signal(int, int)


class ProgressTask:
    """One run of long work; ``dialog`` is its QProgressDialog."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        label: str,
        work: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_cancelled: Callable[[], None],
    ) -> None:
        self._on_done, self._on_error, self._on_cancelled = on_done, on_error, on_cancelled
        self._cancel = threading.Event()
        self.finished = False
        self.dialog = QProgressDialog(label, "取消", 0, 1000, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setMinimumWidth(380)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.dialog.setValue(0)
        self._relay = _Relay()
        self._relay.sig_progress.connect(self._show_progress)  # queued: emitted on the worker
        self.task = run_in_background(lambda: work(self._report), self._done, self._failed)

    # ---- Public API -------------------------------------------------------------------------

    def cancel(self) -> None:
        """What 取消 does: the worker stops at its next progress report."""
        if not self.finished:
            self._cancel.set()
            self.dialog.setLabelText("正在取消…")

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # ---- Worker side --------------------------------------------------------------------------

    def _report(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled
        self._relay.sig_progress.emit(done, total)

    # ---- UI side --------------------------------------------------------------------------------

    def _show_progress(self, done: int, total: int) -> None:
        if self.finished or self._cancel.is_set():
            return
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(max(done, 0), total))

    def _close(self) -> None:
        self.finished = True
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()

    def _done(self, result: Any) -> None:
        # 取消 after the work's last progress report came too late: the work is complete, and
        # its result stands (and is shown as such).
        self._close()
        self._on_done(result)

    def _failed(self, error: BaseException) -> None:
        self._close()
        if isinstance(error, Cancelled):
            self._on_cancelled()
        else:
            self._on_error(error)


def run_with_progress(
    parent: QWidget,
    title: str,
    label: str,
    work: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_cancelled: Callable[[], None],
) -> ProgressTask:
    """Run ``work(progress)`` off the UI thread behind a progress dialog with 取消."""
    return ProgressTask(parent, title, label, work, on_done, on_error, on_cancelled)
