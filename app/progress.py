"""Progress and cancelling for long work, without Qt.

Long work (reading and parsing a plan, checking returned sheets) takes an optional
``progress(done, total)`` callback and calls it now and then — a few dozen times per job, never
per line — so that reporting costs nothing measurable. The caller's callback shows the progress
(a progress bar, a line on stderr) and, when the user has asked to stop, raises ``Cancelled``;
the work lets it pass and stops having changed nothing.

``Cancelled`` derives from BaseException (as asyncio.CancelledError does), so that the
``except Exception`` safety nets in readers and parsers, which turn library failures into user
messages, do not turn a cancel into "the file is damaged".
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
"""progress(done, total): ``done`` of ``total`` units so far; may raise ``Cancelled``."""

SCALE = 1000  # what ``part`` reports in: thousandths of the whole job


class Cancelled(BaseException):
    """The user cancelled long work; nothing was changed."""


def report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def part(progress: Progress | None, start: float, end: float) -> Progress | None:
    """A callback for one stage of a job: the stage's (done, total) lands in [start, end] of the
    whole (fractions of 1), reported to ``progress`` in thousandths. None stays None."""
    if progress is None:
        return None

    def stage(done: int, total: int) -> None:
        share = min(max(done / total, 0.0), 1.0) if total > 0 else 1.0
        progress(round((start + (end - start) * share) * SCALE), SCALE)

    return stage
