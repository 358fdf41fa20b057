"""红黑榜: departments ranked by their score for a period (app/services/scores.py).

The period is a preset (本月, 本季度, 本年, …) or typed; the ranking is evaluated at the
period's end, or today while the period is still running. ``citation`` is the ranking as one
paragraph, for a bulletin to quote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.scores import DepartmentScore, Ranking
from ui.widgets.dates import date_edit
from ui.widgets.sizing import fit_columns

RED_BRUSH = QBrush(QColor("#fde7e5"))
BLACK_BRUSH = QBrush(QColor("#e8e8e8"))
LIST_SIZE = 5  # how many departments each of 红榜 and 黑榜 names


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _quarter_end(day: date) -> date:
    start = _quarter_start(day)
    return _month_end(date(start.year, start.month + 2, 1))


def _last_month_end(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


PRESETS: tuple[tuple[str, Callable[[date], tuple[date, date]]], ...] = (
    ("本年", lambda t: (date(t.year, 1, 1), date(t.year, 12, 31))),
    ("上一年", lambda t: (date(t.year - 1, 1, 1), date(t.year - 1, 12, 31))),
    ("本季度", lambda t: (_quarter_start(t), _quarter_end(t))),
    (
        "上季度",
        lambda t: (
            _quarter_start(_quarter_start(t) - timedelta(days=1)),
            _quarter_start(t) - timedelta(days=1),
        ),
    ),
    ("本月", lambda t: (t.replace(day=1), _month_end(t))),
    ("上月", lambda t: (_last_month_end(t).replace(day=1), _last_month_end(t))),
    ("自定义", lambda t: (t, t)),
)
CUSTOM = len(PRESETS) - 1


class RankingView(QWidget):
    """``sig_period_changed``: the user chose another period; ``sig_edit_rules``: 计分规则…"""

    sig_period_changed = Signal()
    sig_edit_rules = Signal()

    COL_RANK, COL_DEPARTMENT, COL_SCORE, COL_INSPECTIONS, COL_FINDINGS = range(5)
    COL_ON_TIME, COL_OVERDUE, COL_DEDUCTED, COL_CREDITED, COL_LIST = range(5, 10)
    HEADERS = (
        "名次",
        "部门",
        "得分",
        "受检次数",
        "问题",
        "按期整改",
        "逾期",
        "扣分",
        "加分",
        "榜单",
    )

    def __init__(
        self, today: Callable[[], date] = date.today, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._today = today
        self._ranking: Ranking | None = None
        self._loading = False
        self.preset = QComboBox()
        for label, _span in PRESETS:
            self.preset.addItem(label)
        start, end = PRESETS[0][1](today())
        self.starts_on = date_edit(start)
        self.ends_on = date_edit(end)
        self.rules_button = QPushButton("计分规则…")
        self.rules_button.setToolTip("按严重程度、问题类别扣分，按期整改加分、逾期扣分")
        self.rules_button.clicked.connect(self.sig_edit_rules)
        self.inspected_only = QCheckBox("只列受检部门")
        self.inspected_only.setChecked(True)
        self.inspected_only.setToolTip("只列出本期检查过或发现了问题的部门；取消勾选列出全部部门")
        self.inspected_only.toggled.connect(lambda _checked: self.show_ranking(self._ranking))
        self.copy_button = QPushButton("复制榜单文字")
        self.copy_button.setToolTip("复制红黑榜的一段文字，供通报引用")
        self.copy_button.clicked.connect(self.copy_citation)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("统计期间"))
        controls.addWidget(self.preset)
        controls.addWidget(self.starts_on)
        controls.addWidget(QLabel("至"))
        controls.addWidget(self.ends_on)
        controls.addSpacing(12)
        controls.addWidget(self.inspected_only)
        controls.addStretch(1)
        controls.addWidget(self.rules_button)
        controls.addWidget(self.copy_button)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        # Every column as wide as its usual text (with the cell's margins); 部门 as a long name,
        # not all that is left, so the numbers stay next to the department they belong to.
        samples = dict(enumerate(self.HEADERS))  # numbers are narrower than their titles
        samples[self.COL_DEPARTMENT] = "市住房和城乡建设局（人防办）"
        fit_columns(self.table, samples)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

        self.preset.currentIndexChanged.connect(self._preset_chosen)
        for edit in (self.starts_on, self.ends_on):
            edit.sig_date_edited.connect(self._typed)

    # ---- Public API -------------------------------------------------------------------------

    def period(self) -> tuple[date, date, date]:
        """(start, end, as-of): evaluated at the end, or today while the period runs."""
        start, end = self.starts_on.value(), self.ends_on.value()
        return start, end, max(start, min(end, self._today()))

    def set_period(self, start: date, end: date) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(CUSTOM)
        self.preset.blockSignals(False)
        self.starts_on.setDate(start)
        self.ends_on.setDate(end)
        self.sig_period_changed.emit()

    def show_ranking(self, ranking: Ranking | None, *, problem: str = "") -> None:
        self._ranking = ranking
        self._loading = False
        self.copy_button.setEnabled(ranking is not None)
        self.table.setRowCount(0)
        if ranking is None:
            self.summary.setText(problem)
            return
        red = {row.department_id for row in red_list(ranking)}
        black = {row.department_id for row in black_list(ranking)}
        shown = [r for r in ranking.rows if r.inspected or not self.inspected_only.isChecked()]
        self.table.setRowCount(len(shown))
        ranks = _ranks(shown)  # among the departments listed
        for row_number, row in enumerate(shown):
            mark = (
                "红榜" if row.department_id in red else "黑榜" if row.department_id in black else ""
            )
            cells = (
                str(ranks[row_number]),
                row.department,
                _points(row.score),
                str(row.inspections),
                str(row.findings),
                str(row.on_time),
                str(row.overdue),
                _points(row.deducted) if row.deducted else "",
                f"+{_points(row.credited)}" if row.credited else "",
                mark,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column != self.COL_DEPARTMENT:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if mark:
                    item.setBackground(RED_BRUSH if mark == "红榜" else BLACK_BRUSH)
                self.table.setItem(row_number, column, item)
        text = self.citation()
        if not shown:
            text += "本期没有检查记录。" if self.inspected_only.isChecked() else ""
        self.summary.setText(text)

    def show_loading(self) -> None:
        self._loading = True
        self.summary.setText("正在计算红黑榜…")
        self.copy_button.setEnabled(False)

    def is_loading(self) -> bool:
        return self._loading

    def ranking(self) -> Ranking | None:
        return self._ranking

    def departments_in_order(self) -> list[str]:
        """The departments listed, in the table's order."""
        return [
            self.table.item(r, self.COL_DEPARTMENT).text() for r in range(self.table.rowCount())
        ]

    def citation(self) -> str:
        """The ranking as one paragraph a bulletin can quote."""
        ranking = self._ranking
        if ranking is None:
            return ""
        findings = sum(row.findings for row in ranking.rows)
        inspected = sum(row.inspected for row in ranking.rows)
        period = f"{_day(ranking.starts_on)}至{_day(ranking.ends_on)}"
        text = (
            f"{period}，共检查 {inspected} 个部门，发现问题 {findings} 个"
            f"（按问题计分，基础分 {_points(ranking.base)}，截至{_day(ranking.as_of)}）。"
        )
        red, black = red_list(ranking), black_list(ranking)
        if inspected < 2:
            return text + "受检部门不足 2 个，本期不评红黑榜。"
        if red:
            text += f"红榜：{_named(red)}。"
        if black:
            text += f"黑榜：{_named(black)}。"
        elif any(row.score < ranking.base for row in ranking.rows if row.inspected):
            text += "黑榜：无。"
        else:
            text += "本期没有部门被扣分。"
        return text

    def copy_citation(self) -> None:
        QGuiApplication.clipboard().setText(self.citation())

    # ---- Internals ----------------------------------------------------------------------------

    def _preset_chosen(self, index: int) -> None:
        if index == CUSTOM:
            return
        start, end = PRESETS[index][1](self._today())
        for edit in (self.starts_on, self.ends_on):
            edit.blockSignals(True)
        self.starts_on.setDate(start)
        self.ends_on.setDate(end)
        for edit in (self.starts_on, self.ends_on):
            edit.blockSignals(False)
        self.sig_period_changed.emit()

    def _typed(self) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(CUSTOM)
        self.preset.blockSignals(False)
        self.sig_period_changed.emit()


def red_list(ranking: Ranking) -> list[DepartmentScore]:
    """红榜: the best of the departments the period's inspections looked at — the first places
    (up to LIST_SIZE, at most half of them), ties included, so that who is on it never depends on
    the order of equal scores. A department nobody inspected is on neither list; with fewer than
    two inspected there are no lists (one department would be first and last at once)."""
    inspected = [row for row in ranking.rows if row.inspected]
    if len(inspected) < 2:
        return []  # one department is first and last at once: nothing to compare
    cutoff = inspected[min(LIST_SIZE, len(inspected) // 2) - 1].score
    return [row for row in inspected if row.score >= cutoff]


def black_list(ranking: Ranking) -> list[DepartmentScore]:
    """黑榜: of the departments that lost points, the last places (up to LIST_SIZE, at most half
    of those inspected), ties included, worst first; never one on the 红榜."""
    red = {row.department_id for row in red_list(ranking)}
    inspected = [row for row in ranking.rows if row.inspected]
    if len(inspected) < 2:
        return []
    losers = [
        row
        for row in reversed(inspected)
        if row.score < ranking.base and row.department_id not in red
    ]
    places = min(LIST_SIZE, max(1, len(inspected) // 2))
    if len(losers) > places:
        cutoff = losers[places - 1].score
        losers = [row for row in losers if row.score <= cutoff]
    return losers


def _ranks(rows: list[DepartmentScore]) -> list[int]:
    """1, 1, 3: equal scores share a place."""
    ranks: list[int] = []
    for index, row in enumerate(rows):
        same = index > 0 and rows[index - 1].score == row.score
        ranks.append(ranks[-1] if same else index + 1)
    return ranks


def _named(rows: list[DepartmentScore], most: int = 8) -> str:
    named = "、".join(f"{r.department}（{_points(r.score)}分）" for r in rows[:most])
    return named + (f"等 {len(rows)} 个部门" if len(rows) > most else "")


def _points(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
