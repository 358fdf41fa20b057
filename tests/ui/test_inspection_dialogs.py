"""The 明察暗访 dialogs as a user fills them: plans, 督查结论, 交办事项, 当前用户, lists, 红黑榜."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate
from shiboken6 import isValid

from app.domain.inspection import UserRole
from app.domain.ledger import InspectionKind, Role
from app.services.finding_list import FindingFilter
from app.services.inspection_plans import PlanDraft
from app.storage import Storage
from tests.services.workspace import Workspace
from tests.ui.inspection_scene import PLAN_NAME, Scene, all_cells, run_dialog
from ui.actions import ActionId
from ui.dialogs.assigned_task import AssignedTaskDialog
from ui.dialogs.current_user import CurrentUserDialog
from ui.dialogs.inspection_plan import PlanDialog
from ui.dialogs.measure_picker import MeasurePickerDialog
from ui.dialogs.plan_conclusion import ConclusionDialog
from ui.dialogs.record_form import RecordForm
from ui.dialogs.score_rules import ScoreRulesDialog
from ui.dialogs.vocabulary import VocabularyDialog
from ui.models.ledger_table import LedgerTableModel
from ui.pages.inspections_page import InspectionsPage


@pytest.fixture
def scene(storage: Storage) -> Scene:
    return Scene(storage)


@pytest.fixture(autouse=True)
def _close_record_forms(qtbot):
    """Record forms are windows of their own: close the ones a test leaves open."""
    yield
    for form in list(RecordForm._open.values()):
        if isValid(form):
            form._closing = True
            form.close()
    RecordForm._open.clear()


def _new_form(qtbot, click) -> RecordForm:
    """Click what starts a record; the record form it opened."""
    before = set(RecordForm._open)
    click()
    opened = [RecordForm._open[key] for key in set(RecordForm._open) - before]
    assert len(opened) == 1, "no record form (or several) opened"
    qtbot.waitExposed(opened[0])
    return opened[0]


def _close(qtbot, form: RecordForm) -> None:
    """Close the form as a user does (everything typed is saved: it stays a draft)."""
    form.close()
    qtbot.waitUntil(lambda: form.inspection_id not in RecordForm._open)


def _pick_measures(monkeypatch, *titles: str) -> None:
    """The measure picker: select each title's row (Ctrl+click), then 确定."""

    def fill(picker: MeasurePickerDialog) -> None:
        for title in titles:
            picker.select_title(title)

    run_dialog(monkeypatch, MeasurePickerDialog, fill)


def test_planning_a_covert_round(qtbot, scene: Scene, monkeypatch) -> None:
    page = scene.page(qtbot)
    page.show_tab(page.plans)
    assert page.plans.plan_names() == [PLAN_NAME]
    services = scene.services

    monkeypatch.setattr(PlanDialog, "ask_method_name", lambda self: "暗访问卷")

    def fill(dialog: PlanDialog) -> None:
        assert dialog.inspectors.text() == "科长甲"  # the current user, to start with
        dialog.name.insert("2021年10月窗口服务暗访")
        dialog.covert_mode.setChecked(True)
        dialog.starts_on.setDate(QDate(2021, 10, 8))
        dialog.ends_on.setDate(QDate(2021, 10, 29))
        dialog.inspectors.setText("张三、王五")
        dialog.set_method("模拟办事")
        dialog.set_method("电话暗访")
        dialog.add_method_button.click()  # a method of the office's own: 暗访问卷
        dialog.sites.setPlainText("市政务服务中心 综合窗口\n12345热线")
        dialog.add_measures_button.click()
        dialog.set_department(scene.market)
        dialog.department_search.insert("发展")  # the list filters as one types
        visible = [
            dialog.departments.item(r).text()
            for r in range(dialog.departments.count())
            if not dialog.departments.item(r).isHidden()
        ]
        assert visible == ["市发展改革局"]
        dialog.set_department(scene.reform)

    _pick_measures(monkeypatch, "规范中介服务", "公开收费目录")
    seen = run_dialog(monkeypatch, PlanDialog, fill)
    page.plans.new_button.click()
    [dialog] = seen
    assert dialog.result() == 1, dialog.error_text()

    assert page.plans.plan_names()[0] == "2021年10月窗口服务暗访"
    assert page.plans.current_plan().name == "2021年10月窗口服务暗访"  # selected
    text = page.plans.detail_text()
    for part in (
        "暗访",
        "2021-10-08 至 2021-10-29",
        "模拟办事、电话暗访、暗访问卷",
        "市政务服务中心 综合窗口、12345热线",
        "张三、王五",
        "规范中介服务",
        "公开收费目录",
        "市发展改革局",
        "市市场监管局",
    ):
        assert part in text, part
    assert "暗访问卷" in services.vocabulary.names("method")  # offered to the next plan too
    plan = page.plans.current_plan()
    assert plan.mode is InspectionKind.COVERT and plan.inspectors == ("张三", "王五")
    # The filter bar offers the new plan.
    assert page.filters.plan.findData(plan.id) > 0


def test_a_refused_plan_keeps_the_dialog_open(qtbot, scene: Scene, monkeypatch) -> None:
    page = scene.page(qtbot)

    def fill(dialog: PlanDialog):
        dialog.name.insert("暗访无人")
        dialog.covert_mode.setChecked(True)
        dialog.inspectors.clear()
        dialog.accept()
        assert dialog.result() == 0 and "暗访方案请填写督查人员" in dialog.error_text()
        assert dialog.name.text() == "暗访无人"  # nothing typed is lost
        dialog.inspectors.setText("张三")

    run_dialog(monkeypatch, PlanDialog, fill)
    page.plans.new_button.click()
    assert "暗访无人" in [p.name for p in scene.services.inspection_plans.list()]


def test_a_plan_with_records_keeps_its_mode(qtbot, scene: Scene, monkeypatch) -> None:
    page = scene.page(qtbot)
    page.show_tab(page.plans)
    page.plans.select_plan(scene.plan)

    def fill(dialog: PlanDialog) -> None:
        assert not dialog.open_mode.isEnabled() and dialog.covert_mode.isChecked()
        assert "方式不能再改" in dialog.mode_hint.text()
        assert dialog.measures.count() == 1 and "优化综合窗口" in dialog.measures.item(0).text()
        dialog.name.clear()
        dialog.name.insert("2021年9月政务服务暗访（第一批）")

    run_dialog(monkeypatch, PlanDialog, fill)
    page.plans.edit_button.click()
    assert page.plans.plan_names() == ["2021年9月政务服务暗访（第一批）"]


def test_conclusion_and_feedback_to_each_department(qtbot, scene: Scene, monkeypatch) -> None:
    page = scene.page(qtbot)
    page.show_tab(page.plans)
    page.plans.select_plan(scene.plan)

    def fill(dialog: ConclusionDialog) -> None:
        # The plan's record inspected the window measure: its department is listed.
        assert dialog.row_of(scene.approval) >= 0
        dialog.conclusion.setPlainText("窗口服务总体规范，个别窗口无人值守，限期整改。")
        dialog.concluded_on.setDate(QDate(2021, 10, 9))
        dialog.mark_fed_back(scene.approval, date(2021, 10, 11), "已书面反馈")

    run_dialog(monkeypatch, ConclusionDialog, fill)
    page.plans.conclude_button.click()
    text = page.plans.detail_text()
    assert "个别窗口无人值守" in text and "2021-10-09" in text
    assert "市行政审批服务局" in text and "2021-10-11" in text and "已书面反馈" in text
    plan = scene.services.inspection_plans.get(scene.plan)
    assert [(f.department, f.fed_back_on) for f in plan.feedback] == [
        ("市行政审批服务局", date(2021, 10, 11))
    ]


def test_the_first_record_asks_who_is_recording(qtbot, storage: Storage, monkeypatch) -> None:
    ws = Workspace(storage)
    measure = ws.measure(title="优化综合窗口", lead="市行政审批服务局")
    services = ws.services
    assert services.identity.current().name == ""  # a fresh install
    from ui.changes import ChangeNotifier

    page = InspectionsPage(services, ChangeNotifier(services.repository))
    qtbot.addWidget(page)
    page.show_tab(page.records_tab)
    assert "未设置姓名" in page.user_label.text()

    def who(dialog: CurrentUserDialog):
        dialog.accept()  # without a name: refused, the dialog stays open
        assert dialog.result() == 0 and "请填写您的姓名" in dialog.error_text()
        dialog.name.insert("赵六")

    def pick(picker: MeasurePickerDialog) -> None:
        picker.select_title("优化综合窗口")

    asked = run_dialog(monkeypatch, CurrentUserDialog, who)
    run_dialog(monkeypatch, MeasurePickerDialog, pick)
    signals = []
    page.sig_user_changed.connect(signals.append)
    form = _new_form(qtbot, page.new_record_button.click)
    assert len(asked) == 1 and signals == ["赵六（督查员）"]
    assert page.user_label.text() == "当前用户：赵六（督查员）"
    assert form.header.inspector.text() == "赵六"  # the name just given
    form.header.kind.setCurrentIndex(form.header.kind.findData(InspectionKind.COVERT.value))
    form.header.summary.setPlainText("模拟办事，窗口无人")
    _close(qtbot, form)
    [row] = services.record_list.records(as_of=date.today())
    assert row.measure_id == measure and row.inspector == "赵六"
    assert row.kind is InspectionKind.COVERT
    assert page.tabs.currentWidget() is page.records_tab
    assert "模拟办事，窗口无人" in page.record_detail.text()
    # Named now: the next record does not ask again.
    run_dialog(monkeypatch, MeasurePickerDialog, lambda picker: False)
    page.new_record_button.click()
    assert len(asked) == 1


def test_a_record_of_a_plan_takes_its_mode(qtbot, scene: Scene, monkeypatch) -> None:
    page = scene.page(qtbot)
    page.show_tab(page.plans)
    page.plans.select_plan(scene.plan)
    scene.ws.as_user("张三")
    page.user_changed()

    form = _new_form(qtbot, page.plans.record_button.click)  # one measure: no picker
    assert form.header.kind.currentData() == InspectionKind.COVERT.value
    assert not form.header.kind.isEnabled()
    assert form.header.checked_on.value() == date(2021, 9, 30)  # within the plan's period
    form.header.summary.setPlainText("第二次暗访")
    _close(qtbot, form)
    records = scene.services.record_list.records(as_of=date.today())
    mine = [r for r in records if r.inspection_plan_id == scene.plan]
    assert len(mine) == 2 and {r.kind for r in mine} == {InspectionKind.COVERT}
    page.show_tab(page.plans)
    assert page.plans.records_model.rowCount() == 2


def test_a_record_follows_its_plan(qtbot, scene: Scene, monkeypatch) -> None:
    """A record of a plan starts with the plan's first method (its methods listed first), its
    only site and the measure's lead; choosing a plan later fills what is still empty."""
    services = scene.services
    plan = scene.ws.plan(
        name="2021年10月电话暗访",
        methods=("电话暗访", "模拟办事"),
        sites=("12345热线",),
        inspectors=("张三",),
        measure_ids=(scene.window_measure,),
        starts_on=date(2021, 10, 8),
        ends_on=date(2021, 10, 29),
    )
    page = scene.page(qtbot)
    page.show_tab(page.plans)
    page.plans.select_plan(plan)
    form = _new_form(qtbot, page.plans.record_button.click)
    header = form.header
    methods = [header.method.itemText(i) for i in range(header.method.count())]
    assert methods[:3] == ["（未填写）", "电话暗访", "模拟办事"]  # the plan's, then the others
    assert set(methods[3:]) - {""} == set(services.inspections.methods()) - {"电话暗访", "模拟办事"}
    assert header.method.currentText() == "电话暗访"
    assert header.place.currentText() == "12345热线" and header.place.itemText(0) == "12345热线"
    assert header.department.currentData() == scene.approval  # the measure's lead
    _close(qtbot, form)

    # A record started without a plan, then put into one: the empty fields follow the plan.
    from ui.dialogs.record_form import RecordForm

    form = RecordForm.open_new(services, scene.window_measure, checked_on=date(2021, 10, 9))
    qtbot.waitExposed(form)
    header = form.header
    assert header.method.currentData() == "" and header.place.currentText() == ""
    header.plan.setCurrentIndex(header.plan.findData(plan))
    row = services.repository.get("inspections", form.inspection_id)
    assert (row["inspection_plan_id"], row["method"], row["place"]) == (
        plan,
        "电话暗访",
        "12345热线",
    )
    assert header.method.itemText(1) == "电话暗访"
    _close(qtbot, form)


def test_adding_a_measure_to_a_plan_ticks_its_lead(qtbot, scene: Scene, monkeypatch) -> None:
    page = scene.page(qtbot)
    page.show_tab(page.plans)
    ticked = []

    def fill(dialog: PlanDialog) -> bool:
        assert dialog.chosen_departments() == []
        dialog.add_measures_button.click()
        ticked.extend(dialog.chosen_departments())
        return False

    _pick_measures(monkeypatch, "规范中介服务", "公开收费目录")
    run_dialog(monkeypatch, PlanDialog, fill)
    page.plans.new_button.click()
    assert sorted(ticked) == sorted([scene.reform, scene.market])


def test_a_task_assigned_by_hand_shows_in_the_ledger(qtbot, scene: Scene, window, monkeypatch):
    def fill(dialog: AssignedTaskDialog) -> None:
        dialog.title.insert("解决不动产登记排队时间长问题")
        dialog.source.setCurrentText("12345热线")
        dialog.assigned_by.insert("张市长")
        dialog.assigned_on.setDate(QDate(2021, 10, 8))
        dialog.set_department(0, scene.approval, Role.LEAD)
        dialog.set_department(dialog.add_department(), scene.market, Role.RESPONSIBLE)
        dialog.deadline_table.cellWidget(0, 0).setDate(QDate(2021, 11, 30))
        dialog.add_target("排队时间", value=30, unit="分钟")
        dialog.target_table.cellWidget(0, 1).setCurrentIndex(1)  # 不高于

    seen = run_dialog(monkeypatch, AssignedTaskDialog, fill)
    window.actions[ActionId.NEW_ASSIGNED].trigger()
    [dialog] = seen
    assert dialog.result() == 1, dialog.error_text()
    assert window.current_page_key() == "ledger"
    page = window.ledger_page
    page.filters.as_of.setDate(QDate(2021, 10, 8))
    titles = []
    model = page.model
    while model.canFetchMore():
        model.fetchMore()
    for row in range(model.rowCount()):
        titles.append(model.index(row, LedgerTableModel.COL_TITLE).data())
    assert "解决不动产登记排队时间长问题" in titles
    row = titles.index("解决不动产登记排队时间长问题")
    assert model.index(row, LedgerTableModel.COL_LEAD).data() == "市行政审批服务局"
    assert model.index(row, LedgerTableModel.COL_DUE).data() == "2021-11-30"
    detail = page.detail.text()
    assert "排队时间不高于30分钟" in detail and "市市场监管局" in detail
    [task] = scene.services.assigned.list()
    assert (task.source, task.assigned_by) == ("12345热线", "张市长")


def test_a_task_without_a_lead_is_refused(qtbot, scene: Scene, window, monkeypatch) -> None:
    def fill(dialog: AssignedTaskDialog):
        dialog.title.insert("督办事项")
        dialog.set_department(0, scene.market, Role.RESPONSIBLE)
        dialog.accept()
        assert dialog.result() == 0 and "请指定牵头单位" in dialog.error_text()
        dialog.department_table.cellWidget(0, 0).setEditText("不存在的局")
        dialog.accept()
        assert "不在部门名录中" in dialog.error_text()
        return False

    run_dialog(monkeypatch, AssignedTaskDialog, fill)
    window.actions[ActionId.NEW_ASSIGNED].trigger()
    assert scene.services.assigned.list() == []


def test_the_ranking_orders_departments_and_follows_a_rule_change(
    qtbot, scene: Scene, monkeypatch
) -> None:
    scene.ws.measure(title="预算公开", lead="市财政局")  # nobody inspected it
    page = scene.page(qtbot)
    page.show_tab(page.ranking)
    page.ranking.set_period(date(2021, 9, 1), date(2021, 9, 30))
    qtbot.waitUntil(lambda: not page.ranking.is_loading())  # counted on a worker
    order = page.ranking.departments_in_order()
    # 市市场监管局: a serious 违规收费 problem, overdue at 9-30 (5 + 2 + 2 points);
    # 市行政审批服务局: a minor one, overdue (1 + 2); 市发展改革局: a major one, not yet due (3).
    assert order == ["市发展改革局", "市行政审批服务局", "市市场监管局"]
    ranking = page.ranking.ranking()
    assert [row.score for row in ranking.rows] == [100, 97, 97, 91]
    assert [row.rank for row in ranking.rows] == [1, 2, 2, 4]
    table = page.ranking.table
    assert [table.item(r, 0).text() for r in range(3)] == ["1", "1", "3"]  # places listed
    assert [table.item(r, page.ranking.COL_LIST).text() for r in range(3)] == [
        "红榜",
        "红榜",
        "黑榜",
    ]
    page.ranking.inspected_only.setChecked(False)  # every department, the uninspected first
    assert page.ranking.departments_in_order() == ["市财政局", *order]
    page.ranking.inspected_only.setChecked(True)
    citation = page.ranking.citation()
    assert "2021年9月1日至2021年9月30日，共检查 3 个部门，发现问题 3 个" in citation
    assert "红榜：市发展改革局（97分）、市行政审批服务局（97分）。" in citation  # tied first
    assert "黑榜：市市场监管局（91分）。" in citation

    def fill(dialog: ScoreRulesDialog) -> None:
        dialog.set_points("severity", "major", 10)  # 较重: 扣 10
        dialog.set_points("category", "违规收费", 0)

    run_dialog(monkeypatch, ScoreRulesDialog, fill)
    page.ranking.rules_button.click()
    qtbot.waitUntil(lambda: not page.ranking.is_loading())
    assert page.ranking.departments_in_order() == [
        "市行政审批服务局",
        "市市场监管局",
        "市发展改革局",
    ]
    assert [row.score for row in page.ranking.ranking().rows] == [100, 97, 93, 90]


def test_the_category_list_is_editable(qtbot, scene: Scene, monkeypatch) -> None:
    page = scene.page(qtbot)

    def fill(dialog: VocabularyDialog):
        dialog.add("窗口纪律")
        assert dialog.names()[-1] == "窗口纪律"
        dialog.select("服务态度")
        dialog.rename("服务态度和作风")
        dialog.add("窗口纪律")  # twice: refused, said why
        assert "已有“窗口纪律”" in dialog.error_text()
        return False

    run_dialog(monkeypatch, VocabularyDialog, fill)
    page.categories_button.click()
    assert page.filters.category.findData("窗口纪律") > 0
    assert scene.services.findings.get(scene.covert_finding).category == "服务态度和作风"
    page.show_tab(page.findings_tab)
    categories = all_cells(page.finding_model, 2)
    assert "服务态度和作风" in categories


def test_the_current_user_from_the_menu_shows_in_the_status_bar(
    qtbot, scene: Scene, window, monkeypatch
) -> None:
    assert window.user_label.text() == "当前用户：科长甲（审核人（科长））"

    def fill(dialog: CurrentUserDialog) -> None:
        dialog.name.clear()
        dialog.name.insert("李四")
        dialog.roles[UserRole.INSPECTOR].setChecked(True)

    run_dialog(monkeypatch, CurrentUserDialog, fill)
    window.actions[ActionId.CURRENT_USER].trigger()
    assert window.current_page_key() == "inspections"
    assert window.user_label.text() == "当前用户：李四（督查员）"
    page = window.inspections_page
    assert page.user_label.text() == "当前用户：李四（督查员）"
    page.show_tab(page.findings_tab)
    assert scene.covert_finding not in [
        page.finding_model.id_at(r) for r in range(page.finding_model.rowCount())
    ]


def test_a_plan_of_several_measures_asks_which_one(qtbot, scene: Scene, monkeypatch) -> None:
    plans = scene.services.inspection_plans
    plan = plans.get(scene.plan)
    plans.update(
        plan.id,
        PlanDraft(
            name=plan.name,
            mode=plan.mode,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            inspectors=plan.inspectors,
            measure_ids=(scene.window_measure, scene.fee_measure),
        ),
    )
    page = scene.page(qtbot)
    page.show_tab(page.plans)
    page.plans.select_plan(scene.plan)
    offered = []

    def choose(_parent, _title, _label, items, *_args):
        offered.extend(items)
        return next(item for item in items if "公开收费目录" in item), True

    monkeypatch.setattr("ui.pages.inspections_page.QInputDialog.getItem", choose)
    form = _new_form(qtbot, page.plans.record_button.click)
    assert offered == ["1.1 优化综合窗口", "1.3 公开收费目录", "从工作台账中选择其他措施…"]
    form.header.summary.setPlainText("查收费")
    _close(qtbot, form)
    records = scene.services.record_list.records(
        FindingFilter(inspection_plan_id=scene.plan, measure_id=scene.fee_measure),
        as_of=date.today(),
    )
    assert [row.kind for row in records] == [InspectionKind.COVERT]  # the plan's mode
