from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from tests.conftest import add_sample_plan
from ui.changes import ChangeNotifier
from ui.models.ledger_table import LedgerTableModel
from ui.pages.ledger_page import LedgerPage


def _page(qtbot, services: Services) -> LedgerPage:
    notifier = ChangeNotifier(services.repository)
    page = LedgerPage(services, notifier)
    page._notifier = notifier  # keep it alive as long as the page
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


@pytest.fixture
def sample_page(qtbot, services: Services) -> LedgerPage:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = _page(qtbot, services)
    page.filters.as_of.setDate(QDate(2021, 7, 1))
    return page


def _all_rows(model: LedgerTableModel):
    while model.canFetchMore():
        model.fetchMore()
    return [model.row(i) for i in range(model.rowCount())]


def test_the_tree_follows_writes_through_the_repository(qtbot, services: Services) -> None:
    page = _page(qtbot, services)
    assert page.is_showing_empty_state()
    add_sample_plan(services.storage, areas=2, measures_per_area=3)
    qtbot.waitUntil(lambda: not page.is_showing_empty_state())
    page.views.setCurrentWidget(page.tree)
    qtbot.waitUntil(lambda: not page.tree.is_loading())  # built on a worker
    plan_item = page.tree.topLevelItem(0)
    assert plan_item.text(1) == "滕州市深入优化营商环境创新突破行动落实方案（滕政发〔2021〕9号）"
    assert plan_item.child(0).text(1) == "领域1（3 项）"
    measure = services.storage.db.execute(
        "SELECT id FROM measures WHERE title = '措施2-2'"
    ).fetchone()[0]
    services.repository.delete("measures", measure)
    page.views.setCurrentWidget(page.tree)  # the tree is rebuilt when shown
    qtbot.waitUntil(lambda: not page.tree.is_loading())
    page.tree.expandAll()  # an area's rows are made when it is expanded
    assert page.tree.topLevelItem(0).child(1).childCount() == 2
    assert page.model.rowCount() == 5


def test_deleting_the_only_plan_brings_back_the_empty_state(qtbot, services: Services) -> None:
    plan_id = add_sample_plan(services.storage, areas=1, measures_per_area=1)
    page = _page(qtbot, services)
    assert not page.is_showing_empty_state()
    services.repository.delete("plans", plan_id)
    qtbot.waitUntil(page.is_showing_empty_state)


def test_the_table_loads_lazily_and_counts_everything(qtbot, sample_page: LedgerPage) -> None:
    model = sample_page.model
    assert model.rowCount() == LedgerTableModel.FIRST_BATCH
    assert model.canFetchMore()
    assert len(_all_rows(model)) == 201
    qtbot.waitUntil(lambda: sample_page.count_text().startswith("共 201 项措施：红灯 57"))


def test_filtering_by_light_and_text(qtbot, sample_page: LedgerPage) -> None:
    filters = sample_page.filters
    filters.light.setCurrentIndex(filters.light.findText("红灯"))
    rows = _all_rows(sample_page.model)
    assert len(rows) == 57 and all(row.light.value == "red" for row in rows)
    filters.light.setCurrentIndex(0)
    with qtbot.waitSignal(filters.sig_changed, timeout=3000):  # typing is debounced
        filters.search.setText("电子营业执照")
    rows = _all_rows(sample_page.model)
    texts = dict(sample_page._services.storage.db.execute("SELECT id, text FROM measures"))
    assert rows and all("电子营业执照" in texts[row.id] for row in rows)
    assert "同步发放电子印章与电子营业执照" in {row.title for row in rows}


def test_filtering_by_department_and_role(qtbot, sample_page: LedgerPage) -> None:
    filters = sample_page.filters
    filters.department.setCurrentIndex(filters.department.findText("市税务局"))
    filters.role.setCurrentIndex(filters.role.findText("牵头"))
    rows = _all_rows(sample_page.model)
    assert rows and all("市税务局" in row.lead for row in rows)
    qtbot.waitUntil(lambda: sample_page.count_text().startswith(f"共 {len(rows)} 项措施"))


def test_selecting_a_row_shows_its_details(sample_page: LedgerPage) -> None:
    model = sample_page.model
    row = next(i for i in range(model.rowCount()) if model.row(i).title.startswith("试行企业开办"))
    sample_page.table.selectRow(row)
    text = sample_page.detail.text()
    assert "试行企业开办“掌上全程办”" in text
    assert "牵头部门：市行政审批服务局、市市场监督管理局" in text
    assert "7月底前" in text and "2021-07-31" in text
    assert "尚无部门报送的进展" in text


def test_the_department_view_lists_what_a_department_leads_or_shares(sample_page) -> None:
    sample_page.views.setCurrentIndex(2)
    view = sample_page.department_view
    assert view.select_department(
        next(i.id for i in sample_page._services.departments.list() if i.name == "市税务局")
    )
    rows = _all_rows(sample_page.department_model)
    expected = {
        measure_id
        for (measure_id,) in sample_page._services.storage.db.execute(
            "SELECT s.measure_id FROM assignments s JOIN departments d ON d.id = s.department_id"
            " WHERE d.name = '市税务局' AND s.deleted = 0"
        )
    }
    assert {row.id for row in rows} == expected
    overdue_cell = view.table.item(view.table.currentRow(), view.COL_OVERDUE)
    assert int(overdue_cell.text()) == sum(bool(row.overdue) for row in rows)


def test_reminders_group_due_and_overdue_items_by_department(sample_page: LedgerPage) -> None:
    sample_page.filters.as_of.setDate(QDate(2021, 7, 26))
    sample_page.views.setCurrentWidget(sample_page.reminders)
    tree = sample_page.reminders.tree
    assert tree.topLevelItemCount() > 0
    first = tree.topLevelItem(0)
    assert "逾期" in first.text(0)
    descriptions = {first.child(i).text(4) for i in range(first.childCount())}
    assert any(d.startswith("已逾期") for d in descriptions)


def test_an_unconfirmed_holiday_year_is_shown(sample_page: LedgerPage) -> None:
    assert sample_page.calendar_warning.isHidden()
    sample_page.filters.as_of.setDate(QDate(2027, 3, 1))
    assert sample_page.calendar_warning.isVisible()
    assert "2027年" in sample_page.calendar_warning.text()


def test_a_completion_turns_the_light_green(qtbot, sample_page: LedgerPage, services) -> None:
    overdue = next(row for row in _all_rows(sample_page.model) if row.light.value == "red")
    for (milestone,) in services.storage.db.execute(
        "SELECT id FROM milestones WHERE measure_id = ? AND deleted = 0", [overdue.id]
    ).fetchall():
        services.repository.update("milestones", milestone, {"completed_on": "2021-06-29"})
    qtbot.waitUntil(lambda: "红灯 56" in sample_page.count_text())
    model = sample_page.model
    row = model.row(model.row_of(overdue.id)) or next(
        r for r in _all_rows(model) if r.id == overdue.id
    )
    assert row.status.label == "已完成" and date(2021, 7, 1) == sample_page.filters.as_of_date()


def test_recording_a_target_value_keeps_history_and_judges_it(sample_page, services, monkeypatch):
    from ui.dialogs.target_actual import TargetActualDialog

    measure_id, target_id = services.storage.db.execute(
        "SELECT m.id, t.id FROM targets t JOIN measures m ON m.id = t.measure_id"
        " WHERE t.op = '>=' AND t.unit = '%' AND t.deleted = 0 LIMIT 1"
    ).fetchone()
    goal = services.storage.db.execute("SELECT value FROM targets WHERE id = ?", [target_id])
    goal = goal.fetchone()[0]
    sample_page.show_measure(measure_id)
    assert sample_page.detail.record_button.isVisible()

    answers = iter(
        [
            (target_id, goal - 5, date(2021, 7, 10), "现场核实"),
            (target_id, goal + 1, date(2021, 8, 10), ""),
        ]
    )
    monkeypatch.setattr(TargetActualDialog, "exec", lambda self: 1)
    monkeypatch.setattr(TargetActualDialog, "chosen", lambda self: next(answers))
    sample_page.detail.record_button.click()
    assert "未达标" in sample_page.detail.text()
    sample_page.detail.record_button.click()
    text = sample_page.detail.text()
    assert "达标" in text and "未达标" not in text
    assert "现场核实" in text and "督查室录入" in text  # the history, newest first
    rows = services.storage.db.execute(
        "SELECT COUNT(*) FROM target_actuals WHERE target_id = ?", [target_id]
    ).fetchone()[0]
    assert rows == 2


def test_a_measure_without_targets_offers_no_recording(sample_page, services) -> None:
    measure_id = services.storage.db.execute(
        "SELECT id FROM measures m WHERE NOT EXISTS"
        " (SELECT 1 FROM targets t WHERE t.measure_id = m.id) LIMIT 1"
    ).fetchone()[0]
    sample_page.show_measure(measure_id)
    assert not sample_page.detail.record_button.isVisible()


def test_keyboard_ctrl_f_goes_to_search_and_f5_reloads(qtbot, sample_page, services) -> None:
    from PySide6.QtCore import Qt

    sample_page.activateWindow()
    sample_page.table.setFocus()
    qtbot.keyClick(sample_page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(sample_page.filters.search.hasFocus)
    before = sample_page.model.rowCount()
    sample_page.model.set_source(None)
    qtbot.keyClick(sample_page, Qt.Key.Key_F5)
    assert sample_page.model.rowCount() == before


def test_the_office_marks_a_milestone_done_and_reopens_it(sample_page, services, monkeypatch):
    from ui.dialogs.completion import CompletionDialog

    overdue = next(row for row in _all_rows(sample_page.model) if row.light.value == "red")
    milestone = services.storage.db.execute(
        "SELECT id FROM milestones WHERE measure_id = ? AND deleted = 0", [overdue.id]
    ).fetchone()[0]
    sample_page.show_measure(overdue.id)
    assert sample_page.detail.done_button.isVisible()
    answers = iter([("milestones", milestone, date(2021, 6, 25)), ("milestones", milestone, None)])
    monkeypatch.setattr(CompletionDialog, "exec", lambda self: 1)
    monkeypatch.setattr(CompletionDialog, "chosen", lambda self: next(answers))

    sample_page.detail.done_button.click()
    assert services.repository.get("milestones", milestone)["completed_on"] == "2021-06-25"
    assert "2021-06-25" in sample_page.detail.text()
    sample_page.detail.done_button.click()
    assert services.repository.get("milestones", milestone)["completed_on"] is None


def test_a_completion_date_in_the_future_is_refused(storage) -> None:
    from app.services.completion import Completion
    from app.storage import WriteError

    plan = storage.repository.insert("plans", {"title": "方案"})
    measure = storage.repository.insert("measures", {"plan_id": plan, "title": "措施"})
    with pytest.raises(WriteError, match="不能晚于今天"):
        Completion(storage.repository).complete("measures", measure, date(2999, 1, 1))
    with pytest.raises(WriteError, match="不存在"):
        Completion(storage.repository).complete("milestones", "nope", date(2021, 1, 1))
    assert storage.repository.get("measures", measure)["completed_on"] is None
