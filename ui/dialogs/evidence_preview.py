"""One piece of evidence, large, with what is known about it side by side.

The picture (the stored copy, EXIF orientation applied, scaled to fit) or, for a document or a
missing file, a sentence saying why it cannot be shown; beside it the original name, type and
size, the EXIF capture time and GPS position, the file's own time, the import time, and every
flag in full (时间不一致, 无定位, 文件缺失, …) in red. 打开 opens a copy with the program the
system uses for the file (the stored file keeps its content-addressed name and is never opened
for editing); when there is none, the message says where the copy is. ←/→ step through the
strip the preview was opened from.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImageReader, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.files import safe_name
from app.services.evidence import Evidence, EvidenceError
from app.services.evidence_housekeeping import viewing_folder
from ui.widgets.file_dialogs import open_with_system
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.evidence import EvidenceStore

PREVIEW_SIZE = QSize(720, 540)


def when(moment: datetime | None, missing: str = "无") -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else missing


def position(evidence: Evidence) -> str:
    gps = evidence.gps
    if gps is None:
        return "无"
    lat, lon = gps
    north = "北纬" if lat >= 0 else "南纬"
    east = "东经" if lon >= 0 else "西经"
    return f"{north} {abs(lat):.5f}°，{east} {abs(lon):.5f}°"


def metadata_rows(evidence: Evidence) -> list[tuple[str, str]]:
    """(label, value) of everything known about the file, in the order shown."""
    return [
        ("原文件名", evidence.original_name),
        ("类型", evidence.type_name),
        ("大小", f"{evidence.size_text}（{evidence.size:,} 字节）"),
        ("拍摄时间（照片记录）", when(evidence.captured_at, "无（照片中没有记录）")),
        ("拍摄地点（定位）", position(evidence)),
        ("文件时间", when(evidence.file_modified_at)),
        ("导入时间", when(evidence.imported_at)),
        ("文件校验码", evidence.sha256[:16] + "…"),
        ("文件状态", "文件缺失" if evidence.missing else "已保存在证据文件夹"),
    ]


def flag_html(label: str, message: str) -> str:
    """The flag's sentence with its name in bold (most sentences start with it)."""
    head, colon, rest = message.partition("：")
    if colon and head.startswith(label[:2]):
        return f"<b>{escape(head)}</b>：{escape(rest)}"
    return f"<b>{escape(label)}</b>：{escape(message)}"


def viewing_copy(stored: Path, evidence: Evidence) -> Path:
    """A read-only copy of the stored file under its original name, for another program."""
    folder = viewing_folder() / evidence.sha256[:16]
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(evidence.original_name)
    target = folder / safe_name(name.stem, name.suffix, folder=folder)
    if not target.is_file() or target.stat().st_size != evidence.size:
        if target.exists():
            os.chmod(target, stat.S_IWUSR | stat.S_IRUSR)
            target.unlink()
        shutil.copyfile(stored, target)
        os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return target


def open_evidence(parent: QWidget | None, store: EvidenceStore, evidence_id: str) -> bool:
    """打开: a copy of the file in the system's program for it; a message when that fails."""
    try:
        stored = store.open_path(evidence_id)
        copy = viewing_copy(stored, store.get(evidence_id))
    except EvidenceError as error:
        QMessageBox.warning(parent, "无法打开证据", str(error))
        return False
    except OSError as error:
        QMessageBox.warning(
            parent, "无法打开证据", f"无法复制证据文件以便打开：{error.strerror or error}。"
        )
        return False
    return open_with_system(parent, copy)


def load_picture(path: Path, size: QSize) -> QPixmap | None:
    """The image at ``path`` scaled to fit ``size`` (EXIF orientation applied), or None."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and (full.width() > size.width() or full.height() > size.height()):
        reader.setScaledSize(full.scaled(size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None
    pixmap = QPixmap.fromImage(image)
    if pixmap.width() > size.width() or pixmap.height() > size.height():
        pixmap = pixmap.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return pixmap


class EvidencePreview(QDialog):
    """``sig_removed(evidence_id)`` after 移除证据."""

    sig_removed = Signal(str)

    def __init__(
        self,
        store: EvidenceStore,
        evidence: list[Evidence],
        current: str,
        *,
        can_remove: bool = True,
        opener: Callable[[QWidget | None, EvidenceStore, str], bool] = open_evidence,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("证据预览")
        self._store = store
        self._evidence = list(evidence)
        self._index = max(0, [e.id for e in evidence].index(current) if evidence else 0)
        self._opener = opener
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(QSize(480, 360))
        self.picture.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.picture.setStyleSheet("background: #202124; color: #e8eaed;")
        self.picture.setWordWrap(True)
        self.facts = QFormLayout()
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        self.flags.setTextFormat(Qt.TextFormat.RichText)
        self.position_label = QLabel()
        self.open_button = QPushButton("打开(&O)")
        self.open_button.setToolTip("用电脑上对应的程序打开（打开的是副本，原文件不会被改动）")
        self.open_button.clicked.connect(self.open_current)
        self.remove_button = QPushButton("移除证据(&R)")
        self.remove_button.clicked.connect(self.remove_current)
        self.remove_button.setVisible(can_remove)
        self.previous_button = QPushButton("← 上一个")
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button = QPushButton("下一个 →")
        self.next_button.clicked.connect(lambda: self.step(1))
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = (self.open_button, self.remove_button, self.previous_button, self.next_button)
        for button in buttons:
            button.setAutoDefault(False)
        close.setDefault(True)  # Enter closes the preview
        for key, delta in (("Left", -1), ("Right", 1), ("PgUp", -1), ("PgDown", 1)):
            QShortcut(QKeySequence(key), self, activated=lambda delta=delta: self.step(delta))

        side = QVBoxLayout()
        side.addLayout(self.facts)
        side.addWidget(self.flags)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.picture, 3)
        panel = QWidget()
        panel.setLayout(side)
        panel.setMinimumWidth(330)
        body.addWidget(panel, 2)
        row = QHBoxLayout()
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.remove_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(row)
        fit_to_screen(self, 1180, 660)
        self._show()

    # ---- Public API -------------------------------------------------------------------------

    def current(self) -> Evidence:
        return self._evidence[self._index]

    def fact(self, label: str) -> str:
        for row in range(self.facts.rowCount()):
            name = self.facts.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            if name.text() == f"{label}：":
                return self.facts.itemAt(row, QFormLayout.ItemRole.FieldRole).widget().text()
        raise KeyError(label)

    def flag_text(self) -> str:
        return self.flags.text()

    def step(self, delta: int) -> None:
        if not self._evidence:
            return
        self._index = (self._index + delta) % len(self._evidence)
        self._show()

    def open_current(self) -> bool:
        return self._opener(self, self._store, self.current().id)

    def remove_current(self) -> None:
        evidence = self.current()
        answer = QMessageBox.question(
            self,
            "移除证据",
            f"把“{evidence.original_name}”从证据中移除吗？\n（文件仍保留在证据文件夹中，可以恢复。）",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._store.remove(evidence.id)
        except EvidenceError as error:
            QMessageBox.warning(self, "无法移除", str(error))
            return
        self.sig_removed.emit(evidence.id)
        del self._evidence[self._index]
        if not self._evidence:
            self.accept()
            return
        self._index %= len(self._evidence)
        self._show()

    # ---- Internals ----------------------------------------------------------------------------

    def _show(self) -> None:
        evidence = self.current()
        self.setWindowTitle(f"证据预览：{evidence.original_name}")
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for label, value in metadata_rows(evidence):
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if label == "文件状态" and evidence.missing:
                field.setStyleSheet("color: #d93025; font-weight: bold")
            self.facts.addRow(f"{label}：", field)
        if evidence.flags:
            items = "".join(
                f"<li>{flag_html(flag.code.label, flag.message)}</li>" for flag in evidence.flags
            )
            self.flags.setText(f"<p style='color:#d93025'>需要核对：</p><ul>{items}</ul>")
        else:
            self.flags.setText("<p style='color:#1e8e3e'>各项时间和位置信息一致。</p>")
        self.open_button.setEnabled(not evidence.missing)
        several = len(self._evidence) > 1
        self.previous_button.setEnabled(several)
        self.next_button.setEnabled(several)
        if evidence.missing:
            self.picture.setPixmap(QPixmap())
            self.picture.setText(
                "文件缺失\n\n证据文件已不在证据文件夹中（可能被移动或删除）。\n"
                "请找到原文件后重新添加，记录会自动恢复。"
            )
            return
        pixmap = load_picture(evidence.path, PREVIEW_SIZE) if evidence.is_image else None
        if pixmap is None:
            self.picture.setPixmap(QPixmap())
            self.picture.setText(
                f"{evidence.type_name}\n\n这种文件不能在这里预览，请点“打开”用对应的程序查看。"
            )
        else:
            self.picture.setText("")
            self.picture.setPixmap(pixmap)
