"""明察暗访 page: 督查方案 with their records, all records, all findings, and the 红黑榜.

The record and finding lists stream lazily from SQL (ui/models/inspection_tables.py) and are
counted on a worker with a read-only connection of its own, as the ledger is. Every read goes
through the services, which apply the 暗访 rule for the current user (app/services/visibility.py):
a record the user may not see is simply not there. Who the user is, is shown in the page's
header and changed with 当前用户…; a record needs an inspector's name, so recording asks for one
first when none is set.

Recording and opening a record go through ``_open_record_editor`` only (the guided record form,
ui/dialogs/record_form.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspection import FindingAction
from app.services.finding_list import FindingFilter, count_findings, count_findings_in_file
from app.services.record_list import count_records, count_records_in_file
from app.services.scores import ranking_in_file
from app.storage.errors import user_message
from ui.models.inspection_tables import FindingTableModel, RecordTableModel
from ui.tasks import run_in_background
from ui.widgets.file_dialogs import FileDialogs
from ui.widgets.finding_detail import FindingContext, FindingDetailPane
from ui.widgets.inspection_filter_bar import InspectionFilterBar
from ui.widgets.inspection_tables import make_finding_table, make_record_table
from ui.widgets.plans_view import PlansView
from ui.widgets.ranking_view import RankingView
from ui.widgets.record_detail import RecordDetailPane
from ui.widgets.record_printing import RecordPrinting
from ui.widgets.sizing import columns_width

if TYPE_CHECKING:
    from app.services.context import Services
    from ui.changes import ChangeNotifier
    from ui.models.lazy_table import LazyTableModel

WATCHED_TABLES = frozenset(
    {
        "inspections",
        "findings",
        "finding_events",
        "rechecks",
        "inspection_plans",
        "inspection_plan_scope",
        "inspection_feedback",
        "vocabulary",
        "score_rules",
        "departments",
        "measures",
        "assignments",
        "holidays",
    }
)
STAGE_ORDER = ("pending", "rectifying", "awaiting_recheck", "closed")


def _within(day: date, plan) -> date:
    """``day`` moved into the plan's period (a record of last month's plan: its last day)."""
    if plan.ends_on and day > plan.ends_on:
        day = plan.ends_on
    if plan.starts_on and day < plan.starts_on:
        day = plan.starts_on
    return day


def _split(left: QWidget, right: QWidget) -> QSplitter:
    split = QSplitter(Qt.Orientation.Horizontal)
    split.addWidget(left)
    split.addWidget(right)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    split.setChildrenCollapsible(False)
    return split


class InspectionsPage(QWidget):
    """``sig_user_changed(label)``: the current user was changed here (for the status bar)."""

    sig_user_changed = Signal(str)

    def __init__(
        self, services: Services, notifier: ChangeNotifier, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._count_generation = 0
        self._ranking_generation = 0
        self._current_record: str | None = None
        self._current_finding: str | None = None
        self._behind = False  # data changed while the page was hidden

        self.user_label = QLabel()
        self.user_label.setToolTip("暗访记录在通报印发前，只有方案的督查人员、记录人和审核人能看到")
        self.user_button = QPushButton("更改…")
        self.user_button.setToolTip("设置本机的当前用户：姓名和身份")
        self.user_button.clicked.connect(self.change_user)
        self.categories_button = QPushButton("问题类别…")
        self.categories_button.clicked.connect(lambda: self.edit_list("category"))
        self.methods_button = QPushButton("检查方式…")
        self.methods_button.clicked.connect(lambda: self.edit_list("method"))
        header = QHBoxLayout()
        header.setContentsMargins(6, 6, 6, 0)
        header.addWidget(self.user_label)
        header.addWidget(self.user_button)
        header.addStretch(1)
        header.addWidget(self.categories_button)
        header.addWidget(self.methods_button)
        # Unfinished records (a form closed or a crash before 完成): one line that leads to them.
        self.drafts_notice = QLabel()
        self.drafts_notice.setObjectName("drafts_notice")
        self.drafts_notice.setTextFormat(Qt.TextFormat.RichText)
        self.drafts_notice.setStyleSheet("color: #b06000; padding: 2px 6px")
        self.drafts_notice.linkActivated.connect(lambda _link: self.continue_draft())
        self.drafts_notice.hide()

        self.filters = InspectionFilterBar()
        self.plans = PlansView()
        self.record_model = RecordTableModel(self)
        self.record_table = make_record_table(self.record_model)
        self.record_detail = RecordDetailPane()
        self.new_record_button = QPushButton("新建检查记录…")
        self.new_record_button.setToolTip("记录一次检查（不属于任何督查方案时在这里记录）")
        self.new_record_button.clicked.connect(lambda: self.new_record())
        records_left = QWidget()
        records_layout = QVBoxLayout(records_left)
        records_layout.setContentsMargins(0, 0, 0, 0)
        records_layout.addWidget(self.record_table, 1)
        records_buttons = QHBoxLayout()
        records_buttons.addStretch(1)
        records_buttons.addWidget(self.new_record_button)
        records_layout.addLayout(records_buttons)
        self.records_tab = _split(records_left, self.record_detail)
        # The list as wide as all its columns (记录 last, not cut), the pane what is left: a
        # wider or narrower window changes the pane first.
        self.records_tab.setStretchFactor(0, 0)
        self.records_tab.setStretchFactor(1, 1)
        self.records_tab.setSizes(
            [columns_width(self.record_table, range(self.record_model.columnCount())), 400]
        )

        self.finding_model = FindingTableModel(self)
        self.finding_table = make_finding_table(self.finding_model)
        self.finding_detail = FindingDetailPane(services.status.calendar)
        self.findings_tab = _split(self.finding_table, self.finding_detail)
        self.ranking = RankingView()

        self.tabs = QTabWidget()
        self.tabs.addTab(self.plans, "督查方案")
        self.tabs.addTab(self.records_tab, "检查记录")
        self.tabs.addTab(self.findings_tab, "发现问题")
        self.tabs.addTab(self.ranking, "红黑榜")
        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.drafts_notice)
        layout.addWidget(self.filters)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.count_label)
        self._stale: set[QWidget] = set()

        self.filters.sig_changed.connect(self.apply_filters)
        self.tabs.currentChanged.connect(lambda _index: self._show_tab())
        self.plans.sig_plan_chosen.connect(self._plan_chosen)
        self.plans.sig_new_plan.connect(self.new_plan)
        self.plans.sig_edit_plan.connect(self.edit_plan)
        self.plans.sig_conclude.connect(self.conclude_plan)
        self.plans.sig_new_record.connect(lambda plan_id: self.new_record(plan_id))
        self.plans.sig_open_record.connect(self._open_from_plan)
        self.record_table.doubleClicked.connect(
            lambda index: self._open_row(self.record_model.id_at(index.row()))
        )
        self.record_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._record_row(current.row())
        )
        self.finding_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._finding_row(current.row())
        )
        self.record_model.modelReset.connect(self._follow_record)
        self.finding_model.modelReset.connect(self._follow_finding)
        self.record_detail.sig_edit.connect(lambda record_id: self.open_record(record_id))
        self.record_detail.sig_open_finding.connect(self.show_finding)
        self.printing = RecordPrinting(services, FileDialogs(), self)
        self.record_detail.sig_print.connect(self.printing.print_record)
        self.finding_detail.sig_notice.connect(
            lambda department_id: self.printing.print_notice(
                department_id, min(self.filters.as_of_date(), date.today())
            )
        )
        self.finding_detail.sig_action.connect(self.run_action)
        self.finding_detail.sig_edit.connect(self.edit_finding)
        self.finding_detail.sig_open_record.connect(self.show_record)
        self.ranking.sig_period_changed.connect(self.refresh_ranking)
        self.ranking.sig_edit_rules.connect(self.edit_score_rules)
        notifier.sig_changed.connect(self._on_changed)
        for keys, slot in (
            (QKeySequence(QKeySequence.StandardKey.Find), self.focus_search),
            (QKeySequence("F5"), self.refresh),
        ):
            # A window shortcut of a page works only while the page is shown (Qt skips hidden
            # widgets), so the ledger's F5 and Ctrl+F do not clash with these.
            QShortcut(keys, self).activated.connect(slot)
        self.refresh()

    # ---- Public API: lists --------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload everything (after a change, a sync, another user)."""
        services = self._services
        user = f"当前用户：{services.identity.current().label}"
        changed = self.user_label.text() not in ("", user)
        self.user_label.setText(user)
        if changed:  # set elsewhere (the 当前用户 command, another window): say so
            self.sig_user_changed.emit(services.identity.current().label)
        self.finding_detail.calendar = services.status.calendar
        self.filters.reload_choices(
            [(plan.id, plan.name) for plan in services.inspection_plans.list()],
            services.ledger.department_choices(),
            services.vocabulary.names("category"),
        )
        self._stale = {self.plans, self.records_tab, self.findings_tab, self.ranking}
        self._show_tab()
        self._show_drafts_notice()

    def draft_count(self) -> int:
        return len(self._services.inspections.drafts())

    def continue_draft(self) -> str | None:
        """Open an unfinished record in the record form: the only one, or the one chosen."""
        services = self._services
        drafts = services.inspections.drafts()
        if not drafts:
            self._show_drafts_notice()
            return None
        chosen = drafts[0]
        if len(drafts) > 1:
            labels = self._draft_labels(drafts)
            text, ok = QInputDialog.getItem(
                self, "继续填写检查记录", "选择要继续填写的草稿：", labels, 0, False
            )
            if not ok:
                return None
            chosen = drafts[labels.index(text)]
        self.open_record(chosen.id)
        return chosen.id

    def _draft_labels(self, drafts) -> list[str]:
        repo = self._services.repository
        measures = {d.id: repo.get("inspections", d.id)["measure_id"] for d in drafts}
        names = self._services.ledger.measure_labels(measures.values())
        labels = []
        for d in drafts:
            measure = names.get(measures[d.id], "（措施已删除）")
            who = f"（{d.inspector}）" if d.inspector else ""
            labels.append(f"{d.checked_on.isoformat()} {d.kind.label}：{measure}{who}")
        return labels

    def _show_drafts_notice(self) -> None:
        count = self.draft_count()
        if count:
            self.drafts_notice.setText(
                f"有 {count} 份未完成的检查记录草稿（已自动保存）。"
                f"<a href='drafts'>{'继续填写' if count == 1 else '选择草稿继续填写'}</a>"
            )
        self.drafts_notice.setVisible(bool(count))

    def apply_filters(self) -> None:
        self._stale |= {self.records_tab, self.findings_tab}
        self._show_tab()

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def show_tab(self, widget: QWidget) -> None:
        self.tabs.setCurrentWidget(widget)

    def count_text(self) -> str:
        return self.count_label.text()

    def show_record(self, record_id: str) -> None:
        """Open a record: the 检查记录 tab, its row selected when listed, its detail."""
        self.show_tab(self.records_tab)
        self._current_record = record_id
        row = self.record_model.row_of(record_id)
        if row >= 0:
            self._select(self.record_table, row)
        self._render_record()

    def show_finding(self, finding_id: str) -> None:
        """Open a finding: the 发现问题 tab, its row selected when listed, its detail."""
        self.show_tab(self.findings_tab)
        self._current_finding = finding_id
        row = self.finding_model.row_of(finding_id)
        if row >= 0:
            self._select(self.finding_table, row)
        self._render_finding()

    def current_finding(self) -> str | None:
        return self._current_finding

    def current_record(self) -> str | None:
        return self._current_record

    # ---- Public API: the current user ---------------------------------------------------------

    def change_user(self, *, reason: str = "", require_name: bool = False) -> bool:
        from ui.dialogs.current_user import CurrentUserDialog

        dialog = CurrentUserDialog(
            self._services.identity, self, reason=reason, require_name=require_name
        )
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        if accepted:
            self.user_changed()
        return accepted

    def user_changed(self) -> None:
        """Another user now: every list and detail shows what that user may see (the lists of
        hidden tabs are emptied at once; they are read again when shown)."""
        for model in (self.record_model, self.finding_model, self.plans.records_model):
            model.set_source(None)
        self.refresh()  # says so (sig_user_changed) when the label changed
        self._render_record()
        self._render_finding()

    def ensure_user_named(self) -> bool:
        """A record names its inspector: without a user name, ask for it first."""
        if self._services.identity.current().name:
            return True
        return self.change_user(
            reason="记录检查前，请先填写您的姓名和身份：检查记录要写明检查人，"
            "暗访记录只有方案的督查人员、记录人和审核人能看到。",
            require_name=True,
        )

    # ---- Public API: plans --------------------------------------------------------------------

    def new_plan(self) -> None:
        self._plan_dialog(None)

    def edit_plan(self, plan_id: str) -> None:
        plan = self._services.inspection_plans.get(plan_id)
        if plan is not None:
            self._plan_dialog(plan)

    def conclude_plan(self, plan_id: str) -> None:
        from ui.dialogs.plan_conclusion import ConclusionDialog

        services = self._services
        plan = services.inspection_plans.get(plan_id)
        if plan is None:
            return
        dialog = ConclusionDialog(
            services.inspection_plans,
            plan,
            services.inspection_plans.inspected_departments(plan_id),
            services.ledger.department_choices(),
            today=date.today(),
            parent=self,
        )
        dialog.exec()
        dialog.deleteLater()
        self._refresh_plans()

    # ---- Public API: records ------------------------------------------------------------------

    def new_record(self, plan_id: str | None = None) -> None:
        """Record an inspection: of the plan's measures, or any measure of the ledger."""
        if not self.ensure_user_named():
            return
        measure_id = self.choose_measure(plan_id)
        if measure_id is not None:
            self._open_record_editor(measure_id=measure_id, plan_id=plan_id)

    def open_record(self, record_id: str) -> None:
        self._open_record_editor(record_id=record_id)

    def choose_measure(self, plan_id: str | None) -> str | None:
        """The measure a new record is about: one of the plan's, or picked from the ledger."""
        services = self._services
        plan = services.inspection_plans.get(plan_id) if plan_id else None
        if plan is not None and plan.measure_ids:
            labels = services.ledger.measure_labels(plan.measure_ids)
            choices = [(m, labels[m]) for m in plan.measure_ids if m in labels]
            if len(choices) == 1:
                return choices[0][0]
            if choices:
                other = "从工作台账中选择其他措施…"
                text, ok = QInputDialog.getItem(
                    self,
                    "新建检查记录",
                    "检查哪一项措施？",
                    [label for _id, label in choices] + [other],
                    0,
                    False,
                )
                if not ok:
                    return None
                if text != other:
                    return next(m for m, label in choices if label == text)
        from ui.dialogs.measure_picker import MeasurePickerDialog

        picker = MeasurePickerDialog(
            services.status,
            self,
            title="选择要检查的措施",
            multiple=False,
            as_of=self.filters.as_of_date(),
        )
        picked = picker.chosen() if picker.exec() else []
        picker.deleteLater()
        return picked[0][0] if picked else None

    def _open_record_editor(
        self,
        *,
        record_id: str | None = None,
        measure_id: str | None = None,
        plan_id: str | None = None,
    ) -> str | None:
        """Open a record (``record_id``: a draft continues, a finished one is read) or start a
        new one of ``measure_id`` in ``plan_id``, in the guided record form (its own window,
        saved as typed); returns the record's id. The one place the page opens a record."""
        from ui.dialogs.record_form import RecordForm

        services = self._services
        if record_id is not None:
            form = RecordForm.open_existing(services, record_id, parent=self)
        else:
            assert measure_id is not None
            plan = services.inspection_plans.get(plan_id) if plan_id else None
            form = RecordForm.open_new(
                services,
                measure_id,
                plan_id=plan_id,
                checked_on=_within(date.today(), plan) if plan else None,
                parent=self,
            )
        if form is None:
            return None
        form.sig_closed.connect(self._record_closed)
        self.refresh()
        return form.inspection_id

    def _open_row(self, record_id: str | None) -> None:
        """双击 in the 检查记录 list: the record in its record form."""
        if record_id is not None:
            self.open_record(record_id)

    def _open_from_plan(self, record_id: str) -> None:
        """双击 in a plan's records: the record shown in 检查记录 and opened in its form."""
        self.show_record(record_id)
        self.open_record(record_id)

    def _record_closed(self, record_id: str) -> None:
        """A record form closed: show the record (unless it was an empty draft, now gone)."""
        self.refresh()
        if self._services.inspections.get(record_id) is not None:
            self.show_record(record_id)

    # ---- Public API: findings -----------------------------------------------------------------

    def run_action(self, action: FindingAction, finding_id: str) -> None:
        from ui.dialogs.finding_action import FindingActionDialog

        services = self._services
        detail = services.findings.get(finding_id)
        if detail is None:
            self._render_finding()
            return
        if action not in detail.actions:  # the pane offers only legal moves; a race otherwise
            self._render_finding()
            return
        dialog = FindingActionDialog(
            action,
            detail,
            services.findings,
            today=date.today(),
            inspector=services.identity.current().name,
            parent=self,
        )
        dialog.exec()
        dialog.deleteLater()
        self._render_finding()

    def edit_finding(self, finding_id: str) -> None:
        from ui.dialogs.finding_edit import FindingEditDialog

        services = self._services
        detail = services.findings.get(finding_id)
        if detail is None:
            return
        dialog = FindingEditDialog(
            services.findings,
            detail,
            services.vocabulary.names("category"),
            services.status.calendar,
            self,
        )
        dialog.exec()
        dialog.deleteLater()
        self._render_finding()

    # ---- Public API: lists, rules -------------------------------------------------------------

    def edit_list(self, list_name: str) -> None:
        from ui.dialogs.vocabulary import VocabularyDialog

        dialog = VocabularyDialog(self._services.vocabulary, list_name, self)
        dialog.exec()
        dialog.deleteLater()

    def edit_score_rules(self) -> None:
        from ui.dialogs.score_rules import ScoreRulesDialog

        services = self._services
        dialog = ScoreRulesDialog(
            services.scores.rules, services.vocabulary.names("category"), self
        )
        dialog.exec()
        dialog.deleteLater()
        self.refresh_ranking()

    def refresh_ranking(self) -> None:
        """The 红黑榜 for the chosen period, computed on a worker with its own connection."""
        start, end, as_of = self.ranking.period()
        if end < start:
            self.ranking.show_ranking(None, problem="统计期间的结束日期早于开始日期，请改正。")
            return
        self._ranking_generation += 1
        generation = self._ranking_generation
        path = self._services.storage.path
        if path is None:  # an in-memory database cannot be opened twice (and is small)
            self.ranking.show_ranking(self._services.scores.ranking(start, end, as_of=as_of))
            return
        self.ranking.show_loading()

        def done(ranking) -> None:
            if generation == self._ranking_generation:  # else an older period's answer
                self.ranking.show_ranking(ranking)

        def failed(error: BaseException) -> None:
            if generation == self._ranking_generation:
                self.ranking.show_ranking(
                    None, problem=f"红黑榜计算失败：{user_message(error, path)}"
                )

        run_in_background(lambda: ranking_in_file(str(path), start, end, as_of=as_of), done, failed)

    # ---- Internals: tabs and lists ------------------------------------------------------------

    def _show_tab(self) -> None:
        tab = self.tabs.currentWidget()
        self.filters.setVisible(tab in (self.records_tab, self.findings_tab))
        self.count_label.setVisible(tab in (self.records_tab, self.findings_tab))
        if tab not in self._stale:
            self._count_for(tab)
            return
        self._stale.discard(tab)
        if tab is self.plans:
            self._refresh_plans()
        elif tab is self.records_tab:
            self._load_records()
        elif tab is self.findings_tab:
            self._load_findings()
        elif tab is self.ranking:
            self.refresh_ranking()

    def _refresh_plans(self) -> None:
        self.plans.show_plans(self._services.inspection_plans.list())
        self._plan_chosen(self.plans.current_plan_id())

    def _plan_chosen(self, plan_id: str | None) -> None:
        services = self._services
        plan = services.inspection_plans.get(plan_id) if plan_id else None
        if plan is None:
            self.plans.show_plan(None, [], {})
            self.plans.records_model.set_source(None)
            return
        labels = services.ledger.measure_labels(plan.measure_ids)
        self.plans.show_plan(
            plan,
            [labels.get(m, "（已删除的措施）") for m in plan.measure_ids],
            dict(services.ledger.department_choices()),
        )
        record_list, as_of = services.record_list, self.filters.as_of_date()
        only_plan = FindingFilter(inspection_plan_id=plan.id)
        self.plans.records_model.set_source(
            lambda sort, descending: record_list.cursor(
                record_list.query(only_plan, as_of=as_of, sort=sort, descending=descending)
            )
        )

    def _plan_dialog(self, plan) -> None:
        from ui.dialogs.inspection_plan import PlanDialog

        services = self._services
        dialog = PlanDialog(
            services.inspection_plans,
            services.vocabulary,
            services.status,
            services.ledger.department_choices(),
            services.ledger.measure_labels(plan.measure_ids) if plan else {},
            plan=plan,
            inspector=services.identity.current().name,
            parent=self,
        )
        saved = dialog.exec()
        plan_id = dialog.saved_id
        dialog.deleteLater()
        if saved and plan_id:
            self.refresh()
            self.show_tab(self.plans)
            self.plans.select_plan(plan_id)

    def _load_records(self) -> None:
        record_list, filter_ = self._services.record_list, self.filters.current()
        as_of = self.filters.as_of_date()
        self.record_model.set_source(
            lambda sort, descending: record_list.cursor(
                record_list.query(filter_, as_of=as_of, sort=sort, descending=descending)
            )
        )
        self._count_for(self.records_tab)

    def _load_findings(self) -> None:
        finding_list, filter_ = self._services.finding_list, self.filters.current()
        as_of = self.filters.as_of_date()
        self.finding_model.set_source(
            lambda sort, descending: finding_list.cursor(
                finding_list.query(filter_, as_of=as_of, sort=sort, descending=descending)
            )
        )
        self._count_for(self.findings_tab)

    def _count_for(self, tab: QWidget) -> None:
        """Totals for the status line; counted on a worker with its own connection."""
        if tab not in (self.records_tab, self.findings_tab):
            return
        services, filter_ = self._services, self.filters.current()
        as_of = self.filters.as_of_date()
        if tab is self.records_tab:
            query = services.record_list.query(filter_, as_of=as_of)
            in_memory, in_file, show = count_records, count_records_in_file, self._records_counted
        else:
            query = services.finding_list.query(filter_, as_of=as_of)
            in_memory, in_file = count_findings, count_findings_in_file
            show = self._findings_counted
        self._count_generation += 1
        generation = self._count_generation
        path = services.storage.path
        self.count_label.setText("正在统计…")
        if path is None:  # an in-memory database cannot be opened twice
            show(generation, in_memory(services.storage.db.conn, query))
            return
        run_in_background(
            lambda: in_file(str(path), query),
            lambda counts: show(generation, counts),
            lambda error: self.count_label.setText(
                f"统计失败：{user_message(error, services.storage.path)}"
            ),
        )

    def _records_counted(self, generation: int, counts: dict[str, int]) -> None:
        if generation != self._count_generation:
            return  # an older filter's answer
        self.count_label.setText(
            f"共 {counts['total']} 条检查记录（暗访 {counts['covert']} 条），"
            f"其中 {counts['with_open']} 条有未销号的问题（截至 {self.filters.as_of_date()}）"
        )

    def _findings_counted(self, generation: int, counts: dict[str, int]) -> None:
        if generation != self._count_generation:
            return
        from app.domain.inspection import FindingStage

        stages = "，".join(f"{FindingStage(s).label} {counts[s]}" for s in STAGE_ORDER)
        self.count_label.setText(
            f"共 {counts['total']} 个问题：{stages}；逾期未整改 {counts['overdue']} 个"
            f"（截至 {self.filters.as_of_date()}）"
        )

    # ---- Internals: the detail panes ----------------------------------------------------------

    def _select(self, view: QTableView, row: int) -> None:
        index = view.model().index(row, 0)
        view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(index)

    def _record_row(self, row: int) -> None:
        record_id = self.record_model.id_at(row)
        if record_id is not None:
            self._current_record = record_id
            self._render_record()

    def _finding_row(self, row: int) -> None:
        finding_id = self.finding_model.id_at(row)
        if finding_id is not None:
            self._current_finding = finding_id
            self._render_finding()

    def _follow(self, model: LazyTableModel, view: QTableView, current: str | None) -> None:
        if current is None:
            return
        row = model.row_of(current)
        if row >= 0:
            self._select(view, row)  # → currentRowChanged → render

    def _follow_record(self) -> None:
        self._follow(self.record_model, self.record_table, self._current_record)
        self._render_record()

    def _follow_finding(self) -> None:
        self._follow(self.finding_model, self.finding_table, self._current_finding)
        self._render_finding()

    def _render_record(self) -> None:
        services = self._services
        if self._current_record is None:
            return
        entry = services.inspections.get(self._current_record, as_of=self.filters.as_of_date())
        if entry is None:
            self._current_record = None
            self.record_detail.show_record(None, reason="这条检查记录已删除，或当前用户无权查看。")
            return
        measure_id = services.repository.get("inspections", entry.id)["measure_id"]
        plan = (
            services.inspection_plans.get(entry.inspection_plan_id)
            if entry.inspection_plan_id
            else None
        )
        self.record_detail.show_record(
            entry,
            measure=services.ledger.measure_labels([measure_id]).get(measure_id, ""),
            plan=plan.name if plan else "",
        )

    def _render_finding(self) -> None:
        services = self._services
        if self._current_finding is None:
            return
        detail = services.findings.get(self._current_finding)
        if detail is None:
            self._current_finding = None
            self.finding_detail.show_finding(None, reason="这个问题已删除，或当前用户无权查看。")
            return
        as_of = self.filters.as_of_date()
        record = services.inspections.get(detail.inspection_id, as_of=as_of)
        plan_id = record.inspection_plan_id if record else None
        plan = services.inspection_plans.get(plan_id) if plan_id else None
        measure = services.ledger.measure_labels([detail.measure_id]).get(detail.measure_id, "")
        self.finding_detail.show_finding(
            detail, FindingContext(record, measure, plan.name if plan else "", as_of)
        )

    def _on_changed(self, changed: Mapping[str, frozenset[str]]) -> None:
        if not WATCHED_TABLES & changed.keys():
            return
        if not self.isVisible():  # another page is shown: catch up when this one is
            self._behind = True
            return
        self._catch_up()

    def _catch_up(self) -> None:
        self._behind = False
        self.refresh()
        self._render_record()
        self._render_finding()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._behind:
            self._catch_up()
