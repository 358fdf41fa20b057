"""红黑榜 计分规则: base points, deductions by severity and category, credit and penalty for 整改.

Deductions are entered as positive numbers of points lost (扣 3 分) and stored negative, as
``ScoreRules`` (app/services/scores.py) keeps them; only the rules changed are written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import Severity
from ui.dialogs.saving import SavingDialog
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.services.scores import ScoreRules

Key = tuple[str, str]  # (kind, key)
# Rules shown as points lost: stored negative.
DEDUCTIONS = ("severity", "category", "overdue")


def _spin(suffix: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0, 10000)
    spin.setDecimals(1)
    spin.setSingleStep(0.5)
    spin.setSuffix(suffix)
    return spin


class ScoreRulesDialog(SavingDialog):
    def __init__(
        self, rules: ScoreRules, categories: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__("红黑榜计分规则", parent)
        self._rules = rules
        self._stored: dict[Key, float] = {(r.kind, r.key): r.points for r in rules.rules()}
        self.spins: dict[Key, QDoubleSpinBox] = {}

        base = QFormLayout()
        self._add(base, ("base", ""), "基础分", " 分")
        severity = QFormLayout()
        for level in Severity:
            self._add(severity, ("severity", level.value), f"{level.label}问题", " 分")
        category = QFormLayout()
        names = list(categories) + sorted(
            key for kind, key in self._stored if kind == "category" and key not in categories
        )
        for name in names:
            self._add(category, ("category", name), name, " 分")
        rectify = QFormLayout()
        self._add(rectify, ("on_time", ""), "按期整改销号，加回", " 分")
        self._add(rectify, ("overdue", ""), "逾期整改或逾期未改，再扣", " 分")

        def group(title: str, form: QFormLayout) -> QGroupBox:
            box = QGroupBox(title)
            box.setLayout(form)
            return box

        intro = QLabel(
            "每个部门从基础分起算：统计期间发现的每个问题按严重程度扣分，属于下列类别的再加扣；"
            "按期整改销号的加回一部分（每个问题最多加回它扣掉的分），逾期的再扣。"
        )
        intro.setWordWrap(True)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(group("基础分", base))
        left.addWidget(group("按严重程度扣分（每个问题）", severity))
        left.addWidget(group("整改", rectify))
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(group("按问题类别加扣（每个问题）", category))
        right.addStretch(1)
        columns.addLayout(left)
        columns.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 640, 520)

    def set_points(self, kind: str, key: str, shown: float) -> None:
        """Set a rule as the user types it (a deduction as the points lost)."""
        self.spins[(kind, key)].setValue(shown)

    def stored_value(self, kind: str, key: str) -> float:
        shown = self.spins[(kind, key)].value()
        return -shown if kind in DEDUCTIONS else shown

    def save(self) -> None:
        with self._rules.repo.transaction():
            for (kind, key), _spin_box in self.spins.items():
                value = self.stored_value(kind, key)
                if abs(value - self._stored.get((kind, key), 0.0)) > 1e-9:
                    self._rules.set(kind, key, value)

    def _add(self, form: QFormLayout, key: Key, label: str, suffix: str) -> None:
        spin = _spin(suffix)
        stored = self._stored.get(key, 0.0)
        spin.setValue(-stored if key[0] in DEDUCTIONS else stored)
        if key[0] in DEDUCTIONS:
            spin.setPrefix("扣 ")
        self.spins[key] = spin
        form.addRow(label, spin)
