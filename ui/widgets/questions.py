"""Questions to the user with explicit Chinese button texts (Qt's standard buttons follow the
installed translation, which may be missing)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    accept_text: str,
    reject_text: str = "取消",
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    *,
    default_accept: bool = True,
) -> bool:
    """True when ``accept_text`` is clicked. ``default_accept=False`` for what cannot be undone
    (签发, 删除): Enter then cancels."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    accept = box.addButton(accept_text, QMessageBox.ButtonRole.AcceptRole)
    reject = box.addButton(reject_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(accept if default_accept else reject)
    box.exec()
    return box.clickedButton() is accept


def ask_to_save(parent: QWidget | None, text: str) -> bool | None:
    """保存 / 不保存 / 取消 before closing with unsaved changes: True, False, or None."""
    box = QMessageBox(
        QMessageBox.Icon.Question, "保存修改？", text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("unsaved_question")
    save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("不保存", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.exec()
    clicked = box.clickedButton()
    return True if clicked is save else False if clicked is discard else None
