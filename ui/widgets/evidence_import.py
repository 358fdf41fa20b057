"""Adding evidence files off the UI thread, with progress for several files.

``add_evidence_files`` runs ``EvidenceStore.add`` for each file on a worker (ui/widgets/
progress.py: a progress dialog with 取消 appears when it takes more than a moment). Each file is
checked and stored on its own: a bad one (not an image though named .jpg, too big, unreadable)
is refused with the service's message and changes nothing, the others are still added; 取消
stops before the next file. The result comes back on the UI thread as an ``EvidenceImport``.

While the worker runs it uses the database connection: the caller must not write meanwhile
(the record form pauses its autosave until ``on_done``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from app.progress import Cancelled, Progress
from app.storage import WriteError
from ui.widgets.progress import ProgressTask, run_with_progress

if TYPE_CHECKING:
    from app.services.evidence import Added, EvidenceStore


@dataclass
class EvidenceImport:
    """What happened to each file: added, already there (nothing written), or refused."""

    added: list[Added] = field(default_factory=list)
    already: list[Added] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)
    cancelled: bool = False
    not_tried: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.added:
            parts.append(f"已添加 {len(self.added)} 个证据文件")
        if self.already:
            names = "、".join(f"“{a.evidence.original_name}”" for a in self.already)
            parts.append(f"{names}已经是这里的证据，没有重复添加")
        if self.refused:
            parts.append(f"{len(self.refused)} 个文件未能添加")
        if self.cancelled and self.not_tried:
            parts.append(f"已取消，其余 {len(self.not_tried)} 个文件未添加")
        return "；".join(parts) + ("。" if parts else "")


def import_files(
    store: EvidenceStore, paths: list[Path], target: dict[str, str | None], progress: Progress
) -> EvidenceImport:
    """The worker's part: add each file to ``target`` (the keyword links of ``add``)."""
    result = EvidenceImport()
    for done, path in enumerate(paths):
        try:
            progress(done, len(paths))
        except Cancelled:
            result.cancelled = True
            result.not_tried = list(paths[done:])
            return result
        try:
            added = store.add(path, **target)
        except WriteError as error:  # EvidenceError and storage errors: the file's reason
            result.refused.append((Path(path), str(error)))
            continue
        (result.already if added.already_attached else result.added).append(added)
    with contextlib.suppress(Cancelled):  # too late: every file was tried
        progress(len(paths), len(paths))
    return result


def add_evidence_files(
    parent: QWidget,
    store: EvidenceStore,
    paths: list[Path],
    target: dict[str, str | None],
    on_done: Callable[[EvidenceImport], None],
    on_error: Callable[[BaseException], None],
) -> ProgressTask:
    """Add ``paths`` as evidence of ``target`` on a worker; ``on_done`` on the UI thread."""
    label = f"正在添加 {len(paths)} 个证据文件…" if len(paths) > 1 else "正在添加证据文件…"
    return run_with_progress(
        parent,
        "添加证据",
        label,
        lambda progress: import_files(store, list(paths), target, progress),
        on_done,
        on_error,
        lambda: on_done(EvidenceImport(cancelled=True, not_tried=list(paths))),
    )


def show_refused(parent: QWidget | None, result: EvidenceImport) -> QMessageBox | None:
    """The reasons the refused files were not added, one per file (not blocking)."""
    if not result.refused:
        return None
    lines = [message for _path, message in result.refused]
    head = (
        "这个文件未能添加为证据，证据和记录都没有改动："
        if len(lines) == 1
        else f"{len(lines)} 个文件未能添加为证据（它们没有改动任何内容；其余文件已添加）："
    )
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "未能添加证据",
        head + "\n\n" + "\n\n".join(lines),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("evidence_refused")
    box.button(QMessageBox.StandardButton.Ok).setText("知道了")
    box.open()
    return box
