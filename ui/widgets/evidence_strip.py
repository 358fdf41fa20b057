"""A strip of evidence thumbnails that files can be dropped on.

Each evidence is a tile: its thumbnail (app/services/evidence.py draws them from the stored
copy) or, for a document or a missing file, a drawn placeholder; its name; a ⚠ and the flags'
names under it when something looks wrong (时间不一致, 无定位, 文件缺失, …; the full sentences
are its tooltip). Enter or a double click previews it, Delete removes it. Files dropped on the
strip are announced with ``sig_files_dropped``: the form decides what they are evidence of.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QIcon,
    QKeyEvent,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from app.services.evidence import Evidence

TILE = 72  # thumbnail edge in the strip, pixels
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def dropped_files(mime: QMimeData | None) -> list[Path]:
    """The local files in a drag (folders and remote URLs left out)."""
    if mime is None or not mime.hasUrls():
        return []
    return [
        Path(url.toLocalFile())
        for url in mime.urls()
        if url.isLocalFile() and url.toLocalFile() and not Path(url.toLocalFile()).is_dir()
    ]


def flag_names(evidence: Evidence) -> str:
    return "、".join(flag.code.label for flag in evidence.flags)


def evidence_tooltip(evidence: Evidence) -> str:
    lines = [evidence.original_name, f"{evidence.type_name}，{evidence.size_text}"]
    lines += [flag.message for flag in evidence.flags]
    return "\n".join(lines)


def placeholder(label: str, missing: bool = False, tile: int = TILE) -> QPixmap:
    """A tile for what has no thumbnail: the type's short name, or 文件缺失 crossed out."""
    pixmap = QPixmap(tile, tile)
    pixmap.fill(QColor("#fdecea" if missing else "#eef1f5"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#d93025" if missing else "#5f6368"))
    font = QFont()
    font.setPointSize(10)
    font.setBold(True)
    painter.setFont(font)
    painter.drawRect(QRect(0, 0, tile - 1, tile - 1))
    painter.drawText(QRect(4, 4, tile - 8, tile - 8), Qt.AlignmentFlag.AlignCenter, label)
    if missing:
        painter.drawLine(8, tile - 8, tile - 8, 8)
    painter.end()
    return pixmap


def short_type(evidence: Evidence) -> str:
    suffix = Path(evidence.original_name).suffix.lstrip(".").upper()
    return suffix[:6] or evidence.type_name[:4]


def tile_icon(evidence: Evidence) -> QIcon:
    if evidence.missing:
        return QIcon(placeholder("文件缺失", missing=True))
    if evidence.thumbnail is not None:
        pixmap = QPixmap(str(evidence.thumbnail))
        if not pixmap.isNull():
            return QIcon(pixmap)
    return QIcon(placeholder(short_type(evidence)))


class EvidenceStrip(QListWidget):
    """``sig_preview(evidence_id)``, ``sig_remove(evidence_id)``, ``sig_files_dropped(paths)``."""

    sig_preview = Signal(str)
    sig_remove = Signal(str)
    sig_files_dropped = Signal(object)

    def __init__(self, empty_text: str = "拖入照片或文件", tile: int = TILE, parent=None) -> None:
        super().__init__(parent)
        self._evidence: list[Evidence] = []
        self._empty_text = empty_text
        self.read_only = False
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(tile, tile))
        self.setGridSize(QSize(tile + 48, tile + 38))
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setFixedHeight(tile + 58)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.itemActivated.connect(self._activated)

    # ---- Public API -------------------------------------------------------------------------

    def set_evidence(self, evidence: list[Evidence]) -> None:
        current = self.current_id()
        self._evidence = list(evidence)
        self.clear()
        for entry in evidence:
            label = entry.original_name
            if entry.flags:
                label += f"\n⚠ {flag_names(entry)}"
            item = QListWidgetItem(tile_icon(entry), label)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setToolTip(evidence_tooltip(entry))
            if entry.missing:
                item.setForeground(QColor("#d93025"))
            elif entry.flags:
                item.setForeground(QColor("#b06000"))
            self.addItem(item)
            if entry.id == current:
                self.setCurrentItem(item)
        self.viewport().update()

    def evidence(self) -> list[Evidence]:
        return list(self._evidence)

    def current_id(self) -> str | None:
        item = self.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def labels(self) -> list[str]:
        return [self.item(row).text() for row in range(self.count())]

    # ---- Qt -----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        evidence_id = self.current_id()
        if evidence_id and event.key() == Qt.Key.Key_Delete and not self.read_only:
            self.sig_remove.emit(evidence_id)
            return
        if evidence_id and event.key() in _ENTER:
            self.sig_preview.emit(evidence_id)
            return
        super().keyPressEvent(event)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.count() == 0 and self._empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#80868b"))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            painter.end()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()) and not self.read_only:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if not paths or self.read_only:
            event.ignore()
            return
        event.acceptProposedAction()
        self.sig_files_dropped.emit(paths)

    # ---- Internals ----------------------------------------------------------------------------

    def _activated(self, item: QListWidgetItem) -> None:
        self.sig_preview.emit(item.data(Qt.ItemDataRole.UserRole))
