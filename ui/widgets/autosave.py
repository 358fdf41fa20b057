"""Saving a form as it is typed: each field's write waits for a pause in the typing.

``Autosaver.schedule(key, write)`` keeps the latest write of each field (``key``) and runs all
of them once the typing has paused for ``DELAY_MS``; ``flush`` runs them now (on focus-out, on
closing the window, before 完成). A write that is refused (``WriteError``: the service's
Chinese reason) is dropped and reported through ``sig_failed``; the field keeps what was typed,
so the user can correct it. ``pause`` holds the writes back while another thread is using the
database (evidence being added); ``resume`` lets them go.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from app.storage import WriteError

DELAY_MS = 500  # a pause in the typing this long saves what was typed


class Autosaver(QObject):
    """``sig_saved(key)`` after a field was written; ``sig_failed(key, message)`` when refused."""

    sig_saved = Signal(str)
    sig_failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        self._pending: dict[str, Callable[[], object]] = {}
        self._paused = False
        self.last_saved: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    # ---- Public API -------------------------------------------------------------------------

    def schedule(self, key: str, write: Callable[[], object]) -> None:
        """Write ``key`` with ``write()`` once the typing pauses (replacing an earlier one)."""
        self._pending.pop(key, None)
        self._pending[key] = write
        self._timer.start()

    def save_now(self, key: str, write: Callable[[], object]) -> bool:
        """Write ``key`` at once (a choice from a list, a key press); False when refused."""
        self._pending.pop(key, None)
        self._pending[key] = write
        return self.flush(key)

    def flush(self, key: str | None = None) -> bool:
        """Run the pending write of ``key`` (or all of them) now; False if one was refused."""
        if self._paused:
            return False
        keys = list(self._pending) if key is None else [key]
        if key is None:
            self._timer.stop()
        ok = True
        for name in keys:
            write = self._pending.pop(name, None)
            if write is None:
                continue
            try:
                write()
            except WriteError as error:
                ok = False
                self.sig_failed.emit(name, str(error))
            except Exception as error:  # a bug: said, never swallowed with the typing
                ok = False
                reason = f"{type(error).__name__}：{error}"
                self.sig_failed.emit(name, f"保存时出错（{reason}），请重试。")
            else:
                self.last_saved = datetime.now()
                self.sig_saved.emit(name)
        return ok

    def discard(self, key: str) -> None:
        """Forget the pending write of ``key`` (its field was reset)."""
        self._pending.pop(key, None)

    def pending(self) -> bool:
        return bool(self._pending)

    def is_pending(self, key: str) -> bool:
        return key in self._pending

    def pause(self) -> None:
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        self._paused = False
        if self._pending:
            self._timer.start()
