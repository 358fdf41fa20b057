"""当前用户: who is using this laptop, and in which role (decides who sees 暗访 records).

Until user accounts exist this is a per-laptop setting (app/services/identity.py, kept in the
database's local ``meta`` table and never synced). The dialog says what each role sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import UserRole
from app.storage import WriteError
from ui.dialogs.saving import SavingDialog
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.identity import Identity

ROLE_HELP = {
    UserRole.INSPECTOR: "看到全部明察记录，以及自己参加的暗访方案和自己记录的暗访。",
    UserRole.SUPERVISOR: "看到全部明察和暗访记录（审核暗访结果、签发通报）。",
    UserRole.OFFICE: "看到明察记录和已通报的暗访记录（编号、印发、归档）。",
}


class CurrentUserDialog(SavingDialog):
    def __init__(
        self,
        identity: Identity,
        parent: QWidget | None = None,
        *,
        reason: str = "",
        require_name: bool = False,
    ) -> None:
        """``reason``: why it is asked for now (e.g. before the first record);
        ``require_name``: a name must be given (a record names its inspector)."""
        super().__init__("当前用户", parent)
        self._identity = identity
        self._require_name = require_name
        user = identity.current()
        self.name = QLineEdit(user.name)
        self.name.setPlaceholderText("您的姓名，如 张三")
        self.roles: dict[UserRole, QRadioButton] = {}
        group = QButtonGroup(self)
        role_box = QVBoxLayout()
        for role in UserRole:
            button = QRadioButton(f"{role.label}：{ROLE_HELP[role]}")
            button.setChecked(role is user.role)
            group.addButton(button)
            self.roles[role] = button
            role_box.addWidget(button)
        intro = QLabel(
            reason
            or "督查台账按当前用户决定能看到哪些暗访记录：暗访记录在通报印发前，"
            "只有该暗访方案的督查人员、记录人和审核人能看到。"
        )
        intro.setWordWrap(True)
        note = QLabel("这是本机的设置，不会同步到其他电脑。")
        note.setStyleSheet("color: gray")
        form = QFormLayout()
        form.addRow("姓名", self.name)
        form.addRow("身份", role_box)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 560, 300)
        self.name.setFocus()

    def chosen_role(self) -> UserRole:
        return next(role for role, button in self.roles.items() if button.isChecked())

    def save(self) -> None:
        if self._require_name and not self.name.text().strip():
            raise WriteError("请填写您的姓名：检查记录要写明检查人。")
        self._identity.set(self.name.text(), self.chosen_role())
