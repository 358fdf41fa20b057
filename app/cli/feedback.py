"""Progress of long commands on stderr: only when someone is likely to be waiting for it.

On a terminal the line updates in place (at most ten times a second). Anywhere else (a log, a
test capturing stderr) nothing is printed unless the work has already taken more than
``delay`` seconds, and then one line at most every ``interval`` seconds: quick commands stay
silent, stdout (the JSON) is never touched.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class StderrProgress:
    """A ``progress(done, total)`` callback (app/progress.py) that prints "正在解析… 45%"."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        delay: float = 1.0,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self._stream = stream if stream is not None else sys.stderr
        self._terminal = _is_terminal(self._stream)
        self._delay = delay
        self._interval = 0.1 if self._terminal else interval
        self._clock = clock
        self._started = clock()
        self._last_shown: float | None = None
        self._last_text = ""
        self._open_line = False

    def __call__(self, done: int, total: int) -> None:
        now = self._clock()
        if not self._terminal and now - self._started < self._delay:
            return
        if self._last_shown is not None and now - self._last_shown < self._interval:
            return
        percent = 100 * done // total if total > 0 else 100
        self.show(f"{self.label}… {min(max(percent, 0), 100)}%")

    def stage(self, label: str) -> None:
        """A new stage of the same job; shown at once if progress is already being shown."""
        self.label = label
        if self._last_shown is not None or self._terminal:
            self.show(f"{label}…")

    def show(self, text: str) -> None:
        if text == self._last_text:
            return
        self._last_text = text
        self._last_shown = self._clock()
        if self._terminal:
            self._stream.write(f"\r\x1b[K{text}")
            self._open_line = True
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def finish(self) -> None:
        """End the progress line (before the command prints its result or an error)."""
        if self._open_line:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._open_line = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
