"""The 明察暗访 page as an inspector and the office use it: lists, filters, the 整改 loop, 暗访."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtWidgets import QApplication

from app.domain.inspection import FindingAction, FindingStage, UserRole
from app.domain.ledger import InspectionKind
from app.storage import Storage, WriteError
from tests.ui.inspection_scene import (
    AS_OF,
    COVERT_PROBLEM,
    FEE_PROBLEM,
    LEDGER_PROBLEM,
    PLAN_NAME,
    Scene,
    all_cells,
    run_dialog,
)
from ui.dialogs.current_user import CurrentUserDialog
from ui.dialogs.finding_action import FindingActionDialog
from ui.models.inspection_tables import OVERDUE_COLOUR, FindingTableModel, RecordTableModel
from ui.pages.inspections_page import InspectionsPage

DESCRIPTION = FindingTableModel.COL_DESCRIPTION
MEASURE = RecordTableModel.COL_MEASURE


@pytest.fixture
def scene(storage: Storage) -> Scene:
    return Scene(storage)


@pytest.fixture
def page(qtbot, scene: Scene) -> InspectionsPage:
    page = scene.page(qtbot)
    page.show_tab(page.findings_tab)
    return page


def _findings(page: InspectionsPage) -> list[str]:
    page.show_tab(page.findings_tab)
    return all_cells(page.finding_model, DESCRIPTION)


def _records(page: InspectionsPage) -> list[str]:
    page.show_tab(page.records_tab)
    titles = [text.split(" ", 1)[1] for text in all_cells(page.record_model, MEASURE)]
    page.show_tab(page.findings_tab)
    return titles


def _choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_every_filter_narrows_both_lists(qtbot, page: InspectionsPage, scene: Scene) -> None:
    filters = page.filters
    assert _findings(page) == [FEE_PROBLEM, LEDGER_PROBLEM, COVERT_PROBLEM]  # newest first
    assert _records(page) == ["公开收费目录", "规范中介服务", "优化综合窗口"]
    qtbot.waitUntil(lambda: page.count_text().startswith("共 3 个问题"))
    assert "逾期未整改 2 个" in page.count_text()  # the covert one and the fee one

    checks = [
        (lambda: _choose(filters.plan, scene.plan), [COVERT_PROBLEM], ["优化综合窗口"]),
        (
            lambda: _choose(filters.kind, InspectionKind.OPEN.value),
            [FEE_PROBLEM, LEDGER_PROBLEM],
            ["公开收费目录", "规范中介服务"],
        ),
        (lambda: _choose(filters.department, scene.market), [FEE_PROBLEM], ["公开收费目录"]),
        (lambda: _choose(filters.category, "政策落实"), [LEDGER_PROBLEM], ["规范中介服务"]),
        (
            lambda: filters.overdue_only.setChecked(True),
            [FEE_PROBLEM, COVERT_PROBLEM],
            ["公开收费目录", "优化综合窗口"],
        ),
        (
            lambda: (
                filters.found_from.setDate(QDate(2021, 9, 12)),
                filters.found_to.setDate(QDate(2021, 9, 15)),
                filters.dated.setChecked(True),
            ),
            [LEDGER_PROBLEM],
            ["规范中介服务"],
        ),
        (lambda: filters.search.insert("工本费"), [FEE_PROBLEM], ["公开收费目录"]),
    ]
    for apply, findings, records in checks:
        filters.reset()
        apply()
        qtbot.waitUntil(lambda findings=findings: _findings(page) == findings)
        assert _records(page) == records

    # 状态: the stage of a finding; a record is listed when one of its findings is in it.
    filters.reset()
    scene.services.findings.start(scene.ledger_finding, date(2021, 9, 20))
    _choose(filters.stage, FindingStage.RECTIFYING.value)
    assert _findings(page) == [LEDGER_PROBLEM] and _records(page) == ["规范中介服务"]
    _choose(filters.stage, "open")  # 未销号: every stage but 已销号
    assert len(_findings(page)) == 3
    filters.reset()
    assert len(_findings(page)) == 3


def test_a_finding_through_the_whole_loop_offers_only_legal_moves(
    qtbot, page: InspectionsPage, scene: Scene, monkeypatch
) -> None:
    page.show_finding(scene.ledger_finding)
    pane = page.finding_detail
    assert page.finding_table.currentIndex().row() == page.finding_model.row_of(
        scene.ledger_finding
    )
    assert LEDGER_PROBLEM in pane.text() and "待整改" in pane.text()
    assert "政策落实" in pane.text() and "较重" in pane.text() and "市发展改革局" in pane.text()

    def act(fill) -> None:
        run_dialog(monkeypatch, FindingActionDialog, fill)

    def stage() -> FindingStage:
        return scene.services.findings.get(scene.ledger_finding).stage

    assert pane.offered() == ["开始整改…", "录入整改情况…"]
    act(lambda d: d.note.setPlainText("已部署整改"))
    pane.button("开始整改…").click()
    assert stage() is FindingStage.RECTIFYING and "整改中" in pane.text()
    assert pane.offered() == ["录入整改情况…"]

    act(lambda d: d.rectification.setPlainText("已补齐台账资料"))
    pane.button("录入整改情况…").click()
    assert stage() is FindingStage.AWAITING_RECHECK
    assert pane.offered() == ["复查…"]
    assert "已补齐台账资料" in pane.text()
    # An illegal move is not offered, and asking for it anyway opens nothing.
    assert pane.button("开始整改…").isHidden()
    opened = []
    monkeypatch.setattr(FindingActionDialog, "exec", lambda d: opened.append(d) or 0)
    page.run_action(FindingAction.START, scene.ledger_finding)
    assert opened == [] and stage() is FindingStage.AWAITING_RECHECK
    with pytest.raises(WriteError, match="不能“开始整改”"):  # and the service refuses it
        scene.services.findings.start(scene.ledger_finding, date.today())

    def fail(dialog: FindingActionDialog) -> None:
        assert dialog.inspector.text() == "科长甲"  # the current user by default
        dialog.failed.setChecked(True)
        dialog.note.setPlainText("资料仍不完整")

    act(fail)
    pane.button("复查…").click()
    assert stage() is FindingStage.RECTIFYING
    assert pane.offered() == ["录入整改情况…"]
    assert "未通过" in pane.text() and "资料仍不完整" in pane.text()

    act(lambda d: d.rectification.setPlainText("已全部补齐"))
    pane.button("录入整改情况…").click()
    act(lambda d: d.passed.setChecked(True))
    pane.button("复查…").click()
    assert stage() is FindingStage.CLOSED
    assert pane.offered() == ["撤销销号…"]
    assert pane.edit_button.isHidden()  # a closed finding is not edited
    text = pane.text()
    for step in ("开始整改", "报送整改情况", "复查未通过，退回重改", "复查通过，销号"):
        assert step in text
    row = page.finding_model.row_of(scene.ledger_finding)
    assert page.finding_model.cell(row, FindingTableModel.COL_STAGE) == "已销号"


def test_a_second_report_starts_empty_and_keeps_the_first(
    qtbot, page: InspectionsPage, scene: Scene, monkeypatch
) -> None:
    """After a failed 复查 the department reports again: the dialog starts empty and shows the
    earlier report read-only; both reports stay, each with its date, none glued to another."""
    page.show_finding(scene.ledger_finding)
    pane = page.finding_detail

    def report(text: str, day: QDate):
        def fill(dialog: FindingActionDialog) -> None:
            assert dialog.rectification.toPlainText() == ""
            dialog.on.setDate(day)
            dialog.rectification.setPlainText(text)

        seen = run_dialog(monkeypatch, FindingActionDialog, fill)
        pane.button("录入整改情况…").click()
        return seen[0]

    first = report("已培训窗口人员", QDate(2021, 9, 20))
    assert first.previous.isHidden()  # nothing reported before
    scene.services.findings.recheck(
        scene.ledger_finding, date(2021, 9, 22), passed=False, inspector="科长甲"
    )
    page.show_finding(scene.ledger_finding)
    second = report("已调整预审流程", QDate(2021, 9, 24))
    assert not second.previous.isHidden() and second.previous.isReadOnly()
    assert "2021-09-20" in second.previous.toPlainText()
    assert "已培训窗口人员" in second.previous.toPlainText()
    text = pane.text()
    assert "2021-09-20 报送" in text and "2021-09-24 报送" in text
    assert "已培训窗口人员已调整" not in text and "已调整预审流程已培训" not in text
    detail = scene.services.findings.get(scene.ledger_finding)
    assert [day for day, _text in detail.reports] == [date(2021, 9, 20), date(2021, 9, 24)]


def test_the_recheck_has_no_preselected_result(
    qtbot, page: InspectionsPage, scene: Scene, monkeypatch
) -> None:
    """One click must not close a problem: 复查 opens with no result chosen and insists on one."""
    scene.services.findings.report(scene.ledger_finding, "已补齐台账资料", date(2021, 9, 20))
    page.show_finding(scene.ledger_finding)
    seen = []

    def fill(dialog: FindingActionDialog) -> bool:
        seen.append(dialog)
        assert not dialog.passed.isChecked() and not dialog.failed.isChecked()
        dialog.accept()
        assert dialog.result() == 0 and "请选择复查结果" in dialog.error_text()
        dialog.failed.setChecked(True)
        dialog.accept()
        assert dialog.result() == 1
        return False

    monkeypatch.setattr(FindingActionDialog, "exec", lambda d: fill(d) or 0)
    page.finding_detail.button("复查…").click()
    assert seen
    assert scene.services.findings.get(scene.ledger_finding).stage is FindingStage.RECTIFYING


def test_a_refused_move_keeps_the_dialog_open_with_the_reason(
    qtbot, page: InspectionsPage, scene: Scene, monkeypatch
) -> None:
    page.show_finding(scene.ledger_finding)
    seen = []

    def fill(dialog: FindingActionDialog):
        seen.append(dialog)
        dialog.rectification.clear()  # 整改情况 is required
        dialog.accept()
        assert dialog.result() == 0
        assert "请填写整改情况" in dialog.error_text()
        dialog.on.setDate(QDate(2021, 9, 1))  # before the finding was found
        dialog.rectification.setPlainText("已补齐")
        dialog.accept()
        assert "不能早于发现问题的日期" in dialog.error_text()
        return False

    monkeypatch.setattr(FindingActionDialog, "exec", lambda d: fill(d) or 0)
    page.finding_detail.button("录入整改情况…").click()
    assert seen and scene.services.findings.get(scene.ledger_finding).stage is FindingStage.PENDING


def test_overdue_rectification_is_red_here_and_in_the_ledgers_reminders(
    qtbot, window, scene: Scene
) -> None:
    page: InspectionsPage = window.inspections_page
    page.filters.as_of.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    page.show_tab(page.findings_tab)
    model = page.finding_model
    fee, ledger = model.row_of(scene.fee_finding), model.row_of(scene.ledger_finding)
    due = FindingTableModel.COL_DUE
    red = model.data(model.index(fee, due), Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color() == OVERDUE_COLOUR
    assert model.cell(fee, FindingTableModel.COL_STAGE) == "待整改（逾期）"
    assert model.data(model.index(ledger, due), Qt.ItemDataRole.ForegroundRole) is None
    page.show_finding(scene.fee_finding)
    assert "已逾期" in page.finding_detail.text()
    assert "5 个工作日（2021-09-27）" in page.finding_detail.text()

    ledger_page = window.ledger_page
    ledger_page.filters.as_of.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    ledger_page.views.setCurrentWidget(ledger_page.reminders)
    tree = ledger_page.reminders.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0)
    items = {
        tree.topLevelItem(i).child(j).text(2): tree.topLevelItem(i).child(j)
        for i in range(tree.topLevelItemCount())
        for j in range(tree.topLevelItem(i).childCount())
    }
    item = items[f"整改：{FEE_PROBLEM}"]
    assert item.parent().text(0).startswith("市市场监管局")
    assert item.text(4).startswith("整改已逾期")
    assert item.foreground(4).color().name() == OVERDUE_COLOUR.name()


def _become(page: InspectionsPage, monkeypatch, name: str, role: UserRole) -> None:
    """Change the current user as a user does: 更改… in the page's header."""

    def fill(dialog: CurrentUserDialog) -> None:
        dialog.name.clear()
        dialog.name.insert(name)
        dialog.roles[role].setChecked(True)

    run_dialog(monkeypatch, CurrentUserDialog, fill)
    page.user_button.click()
    assert page.user_label.text() == f"当前用户：{name}（{role.label}）"


def test_a_covert_record_is_seen_only_by_its_inspectors_and_supervisors(
    qtbot, page: InspectionsPage, scene: Scene, monkeypatch
) -> None:
    page.show_finding(scene.covert_finding)
    page.show_record(scene.covert)
    assert COVERT_PROBLEM in page.record_detail.text()

    _become(page, monkeypatch, "李四", UserRole.INSPECTOR)  # not on the plan
    assert COVERT_PROBLEM not in _findings(page)
    assert "优化综合窗口" not in _records(page) and len(_records(page)) == 2
    page.show_tab(page.plans)
    assert page.plans.plan_names() == []
    assert page.filters.plan.count() == 1  # 全部 only: the plan is not offered either
    # What was open on screen is gone too, and says so without naming it.
    assert COVERT_PROBLEM not in page.record_detail.text()
    assert "无权查看" in page.finding_detail.text() and COVERT_PROBLEM not in (
        page.finding_detail.text()
    )
    qtbot.waitUntil(lambda: page.count_text().startswith("共 2 "))

    for name, role in (("张三", UserRole.INSPECTOR), ("科长甲", UserRole.SUPERVISOR)):
        _become(page, monkeypatch, name, role)
        assert COVERT_PROBLEM in _findings(page), name
        assert "优化综合窗口" in _records(page), name
        page.show_tab(page.plans)
        assert page.plans.plan_names() == [PLAN_NAME], name
        page.show_tab(page.findings_tab)

    _become(page, monkeypatch, "王五", UserRole.OFFICE)
    assert COVERT_PROBLEM not in _findings(page)


def test_the_lists_fetch_in_pages(qtbot, storage: Storage, scene: Scene) -> None:
    repo = storage.repository
    start = date(2021, 1, 4)
    repo.insert_many(
        "findings",
        [
            {
                "inspection_id": scene.agency,
                "measure_id": scene.agency_measure,
                "department_id": scene.reform,
                "description": f"问题{n}",
                "found_on": (start + timedelta(days=n % 200)).isoformat(),
                "rectify_by": "2021-12-31",
            }
            for n in range(FindingTableModel.FIRST_BATCH + 150)
        ],
    )
    page = scene.page(qtbot)
    page.show_tab(page.findings_tab)
    model = page.finding_model
    assert model.rowCount() == FindingTableModel.FIRST_BATCH  # not the whole list on open
    assert model.fetches == 1 and model.canFetchMore()
    qtbot.waitUntil(lambda: page.count_text().startswith("共 253 个问题"))
    page.finding_table.scrollToBottom()  # the view asks for more as it scrolls
    qtbot.waitUntil(lambda: model.rowCount() > FindingTableModel.FIRST_BATCH)
    assert model.fetches == 2


def test_opening_a_plan_a_record_and_a_finding(
    qtbot, page: InspectionsPage, scene: Scene, monkeypatch
) -> None:
    page.show_tab(page.plans)
    plans = page.plans
    assert plans.current_plan_id() == scene.plan  # the only plan, selected
    assert plans.records_model.rowCount() == 1
    plans.records.doubleClicked.emit(plans.records_model.index(0, 0))  # 双击打开
    assert page.tabs.currentWidget() is page.records_tab
    assert page.record_model.id_at(page.record_table.currentIndex().row()) == scene.covert
    text = page.record_detail.text()
    assert PLAN_NAME in text and "张三" in text and COVERT_PROBLEM in text

    # A problem of the record is a link to it.
    page.record_detail.browser.anchorClicked.emit(QUrl(f"finding:{scene.covert_finding}"))
    assert page.tabs.currentWidget() is page.findings_tab
    assert page.current_finding() == scene.covert_finding
    assert COVERT_PROBLEM in page.finding_detail.text() and PLAN_NAME in page.finding_detail.text()

    page.finding_detail.record_button.click()  # 查看检查记录: back to the record
    assert page.tabs.currentWidget() is page.records_tab

    # 打开记录…: the record in its record form (a finished one is read-only there).
    from ui.dialogs.record_form import RecordForm

    record = page.current_record()
    page.record_detail.edit_button.click()
    form = RecordForm._open.get(record)
    assert form is not None and form.isVisible()
    assert (
        form.header.summary.toPlainText()
        == scene.services.repository.get("inspections", record)["summary"]
    )
    form._closing = True
    form.close()


def test_a_double_click_opens_the_record_in_its_form(
    qtbot, page: InspectionsPage, scene: Scene
) -> None:
    """双击 a record, in the 检查记录 list or in a plan's list of records: its record form."""
    from ui.dialogs.record_form import RecordForm

    def double_click(view, row: int) -> RecordForm:
        view.scrollTo(view.model().index(row, 0))
        rect = view.visualRect(view.model().index(row, 0))
        # A double click is a click, then the second press (QTest's DClick is only that).
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        forms = [f for f in RecordForm._open.values() if f.isVisible()]
        assert len(forms) == 1, "no record form (or several) opened"
        return forms[0]

    def close(form: RecordForm) -> None:
        form._closing = True
        form.close()
        qtbot.waitUntil(lambda: not [f for f in RecordForm._open.values() if f.isVisible()])

    page.show_tab(page.records_tab)
    page.show()
    qtbot.waitExposed(page)
    row = page.record_model.row_of(scene.covert)
    form = double_click(page.record_table, row)
    assert form.inspection_id == scene.covert
    close(form)

    page.show_tab(page.plans)
    form = double_click(page.plans.records, 0)
    assert form.inspection_id == scene.covert
    assert page.current_record() == scene.covert
    close(form)


def test_printing_a_record_and_a_notice(
    qtbot, page: InspectionsPage, scene: Scene, monkeypatch, tmp_path
) -> None:
    """打印… in a record's pane and 整改通知… in a finding's: the save dialog, a PDF written off
    the UI thread, the saved notice; an existing file is replaced only when the user agrees."""
    from PySide6.QtWidgets import QMessageBox

    from tests.reports.pdfcheck import page_texts
    from ui.widgets import record_printing
    from ui.widgets.file_dialogs import FileDialogs

    names: list[str] = []
    answers = iter([tmp_path / "记录", tmp_path / "记录", tmp_path / "通知.pdf"])

    def save_file(self, parent, purpose, name, *, title=None):
        names.append(name)
        return next(answers)

    monkeypatch.setattr(FileDialogs, "save_file", save_file)
    asked: list[str] = []
    monkeypatch.setattr(
        record_printing, "confirm_replace", lambda _p, target, _t: asked.append(target.name)
    )

    def saved_box() -> QMessageBox:
        qtbot.waitUntil(lambda: page.findChild(QMessageBox, "saved_notice") is not None)
        box = page.findChild(QMessageBox, "saved_notice")
        box.setObjectName("seen")
        return box

    page.show_record(scene.agency)
    assert page.record_detail.print_button.isVisibleTo(page.record_detail)
    page.record_detail.print_button.click()
    box = saved_box()
    written = tmp_path / "记录.pdf"
    assert written.is_file() and "检查记录已保存为 PDF" in box.text()
    reference = scene.agency.replace("-", "")[:8].upper()
    assert names[0] == f"明查检查记录_2021-09-14_{reference}.pdf"
    text = "".join(page_texts(written))
    assert "明查检查记录" in text and LEDGER_PROBLEM in text and reference in text
    box.close()

    before = written.read_bytes()
    page.record_detail.print_button.click()  # "记录" again: 记录.pdf exists, not asked about
    assert asked == ["记录.pdf"]  # asked, and the answer was no
    assert written.read_bytes() == before and page.printing.busy() is False

    page.show_finding(scene.ledger_finding)
    assert page.finding_detail.notice_button.isVisibleTo(page.finding_detail)
    page.finding_detail.notice_button.click()
    box = saved_box()
    notice = tmp_path / "通知.pdf"
    assert notice.is_file() and "给市发展改革局的整改通知" in box.text()
    assert names[-1].startswith("整改通知_市发展改革局_")
    assert "市发展改革局" in "".join(page_texts(notice))


def test_ctrl_f_searches_the_page_shown(qtbot, window, scene: Scene) -> None:
    def ctrl_f() -> None:
        qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        # The shortcut moved the focus before Ctrl was let go: let it go where the focus is,
        # or Qt keeps Ctrl held for the tests that follow.
        qtbot.keyRelease(QApplication.focusWidget(), Qt.Key.Key_Control)

    window.show_page("inspections")
    page: InspectionsPage = window.inspections_page
    page.show_tab(page.findings_tab)
    ctrl_f()
    assert page.filters.search.hasFocus()
    assert not window.ledger_page.filters.search.hasFocus()
    window.show_page("ledger")
    ctrl_f()
    assert window.ledger_page.filters.search.hasFocus()
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier


def test_changes_made_elsewhere_show_when_the_page_is_shown(qtbot, window, scene: Scene) -> None:
    window.show_page("inspections")
    page: InspectionsPage = window.inspections_page
    page.filters.as_of.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    page.show_tab(page.findings_tab)
    assert len(_findings(page)) == 3
    window.show_page("ledger")
    scene.services.findings.start(scene.fee_finding, date(2021, 9, 22))  # e.g. another window
    window.show_page("inspections")
    row = page.finding_model.row_of(scene.fee_finding)
    assert page.finding_model.cell(row, FindingTableModel.COL_STAGE) == "整改中（逾期）"
