"""Run long work off the UI thread; the result or the error comes back on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid


class _Relay(QObject):
    sig_done = Signal(object)
    sig_failed = Signal(object)


class BackgroundTask(QRunnable):
    """Calls ``work()`` on a pool thread; ``relay`` signals are delivered on the UI thread."""

    _running: ClassVar[set[BackgroundTask]] = set()  # keep Python wrappers alive until they finish

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._work = work
        self.relay = _Relay()

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as error:  # reported to the UI, never swallowed
            self.relay.sig_failed.emit(error)
        else:
            self.relay.sig_done.emit(result)


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    pool: QThreadPool | None = None,
    *,
    owner: QObject | None = None,
) -> BackgroundTask:
    """``owner``: the widget the result is for; when it was closed and deleted before the work
    finished, the result is dropped instead of reaching a deleted widget."""
    task = BackgroundTask(work)

    def finish(handler: Callable[[Any], None], value: Any) -> None:
        BackgroundTask._running.discard(task)  # on the UI thread, after delivery
        if owner is not None and not isValid(owner):
            return
        handler(value)

    task.relay.sig_done.connect(lambda result: finish(on_done, result))
    task.relay.sig_failed.connect(lambda error: finish(on_error, error))
    BackgroundTask._running.add(task)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
