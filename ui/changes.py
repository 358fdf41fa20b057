"""The one place that announces what changed in the database, as a Qt signal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from app.storage import Repository


class ChangeNotifier(QObject):
    """Re-emits the repository's commits as ``sig_changed({table: frozenset(ids)})``.

    Emitted from whichever thread committed; Qt queues it to receivers on the UI thread.
    """

    sig_changed = Signal(object)

    def __init__(self, repository: Repository, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = repository.subscribe(self._on_commit)
        self.destroyed.connect(self._unsubscribe)

    def _on_commit(self, changed: Mapping[str, frozenset[str]]) -> None:
        self.sig_changed.emit(dict(changed))
