"""The guided record form: the checklist the measure proposes, filled with the keyboard alone,
saved as it is typed, finished, reopened."""

from __future__ import annotations

import re
from datetime import date

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.inspection import Severity, Verdict
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from tests.ui.record_support import (  # noqa: F401  (close_forms: a fixture)
    FREE_AGENCY,
    OPENING,
    TODAY,
    active,
    changes,
    close_forms,
    commit,
    finish_anyway,
    focused,
    open_form,
    press,
    record_row,
    shown,
    tab,
    type_keys,
)
from tests.ui.test_window_sizes import _clipped
from ui.dialogs.finding_editor import FindingEditor
from ui.dialogs.help import GUIDE_PATH
from ui.dialogs.record_form import SHORTCUTS, RecordForm

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def services(services: Services) -> Services:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    services.identity.set("张三")
    return services


def _texts(form: RecordForm) -> list[str]:
    return [a.text for a in form.table.answers()]


# ---- The proposal ---------------------------------------------------------------------------


def test_the_form_proposes_the_measures_own_checklist(qtbot, services: Services) -> None:
    form = open_form(qtbot, services, OPENING)
    assert _texts(form) == [
        "0.5个工作日完成预审",
        "0.5个工作日完成审批",
        "能否全程网上办理（不必到现场）？",
    ]
    assert form.table.row_text(1)[:3] == ["2", "目标值", "0.5个工作日完成审批"]
    form.table.setCurrentCell(1, 2)
    assert "审批用时（工作日）≤ 0.5" in form.panel.expected.text()
    assert "目标 ≤ 0.5工作日" in form.panel.check_text()
    row = record_row(services, form)
    assert row["state"] == "draft" and row["checked_on"] == "2021-07-15"
    assert form.header.inspector.text() == "张三"  # the current user

    free = open_form(qtbot, services, FREE_AGENCY)
    assert "是否收取了费用？" in _texts(free)
    free.table.select_id(next(a.id for a in free.table.answers() if a.text == "是否收取了费用？"))
    assert "未收取任何费用" in free.panel.expected.text()


# ---- The whole record with the keyboard ------------------------------------------------------


def test_a_whole_record_filled_with_the_keyboard_alone(qtbot, services: Services) -> None:
    methods = services.inspections.methods()
    form = open_form(qtbot, services, OPENING)
    assert focused() is form.header.plan
    tab(qtbot)  # 明察/暗访
    press(qtbot, Qt.Key.Key_Down)  # 暗访
    tab(qtbot)  # 检查方式
    press(qtbot, Qt.Key.Key_Down)  # the first method of the list
    tab(qtbot)  # 检查日期
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "2021-07-16")
    tab(qtbot)  # 检查人
    assert focused() is form.header.inspector
    press(qtbot, Qt.Key.Key_A, CTRL)
    commit("张三、李四")
    tab(qtbot)  # 受检部门: the measure's lead already
    assert (
        form.header.department.currentData()
        == services.inspections.departments(form.measure["id"])[0][0]
    )
    tab(qtbot)  # 检查地点
    commit("市政务服务中心 综合窗口")
    tab(qtbot)  # 检查情况
    commit("以申请人身份办理企业开办，记录各环节用时。")
    tab(qtbot)  # the checklist
    assert focused() is form.table and form.table.currentRow() == 0

    press(qtbot, Qt.Key.Key_1)  # 符合
    press(qtbot, Qt.Key.Key_Return)  # next item
    assert form.table.currentRow() == 1
    tab(qtbot)  # 实测值
    assert focused() is form.panel.measured
    type_keys(qtbot, "6h")
    assert "未达标" in form.panel.check_text()  # checked as it is typed
    tab(qtbot)  # 备注
    commit("窗口称需等待后台审核")
    press(qtbot, Qt.Key.Key_Return)  # saved, and on to the next item
    assert focused() is form.table and form.table.currentRow() == 2
    press(qtbot, Qt.Key.Key_4)  # 不适用
    press(qtbot, Qt.Key.Key_Up)
    assert form.table.currentRow() == 1
    assert form.table.row_text(1)[3:6] == ["不符合", "6h", "未达标"]  # the number's verdict

    press(qtbot, Qt.Key.Key_F2)  # one key: the finding editor, prefilled
    editor = form.findChild(FindingEditor)
    assert editor is not None and editor.isVisible()
    active(qtbot, editor)
    assert focused() is editor.description
    assert editor.description.toPlainText().startswith("0.5个工作日完成审批；实测 6h")
    assert editor.category.currentText() == "办事效率"
    tab(qtbot)  # 问题类别
    tab(qtbot)  # 严重程度
    press(qtbot, Qt.Key.Key_Down)  # 较重
    tab(qtbot)  # 责任部门: the measure's lead already
    tab(qtbot)  # 整改期限: 工作日内
    tab(qtbot)  # N 个工作日
    assert focused() is editor.workdays.lineEdit() or focused() is editor.workdays
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "5")
    assert "2021-07-23" in editor.due_label.text()  # 5 working days after the 16th
    press(qtbot, Qt.Key.Key_Return, CTRL)  # 保存
    qtbot.waitUntil(lambda: form.findChild(FindingEditor) is None or not editor.isVisible())
    qtbot.waitUntil(lambda: form.table.row_text(1)[7] == "已转问题")
    qtbot.waitUntil(form.isActiveWindow)
    assert focused() is form.table  # back in the checklist
    press(qtbot, Qt.Key.Key_Return, CTRL)  # 完成
    qtbot.waitUntil(lambda: not form.isVisible())

    db = services.storage.db
    record = db.execute(
        "SELECT state, kind, method, checked_on, inspector, place, summary, department_id,"
        " measure_id FROM inspections"
    ).fetchone()
    lead = services.inspections.departments(record[8])[0][0]
    assert record[:8] == (
        "final",
        "covert",
        methods[0],
        "2021-07-16",
        "张三、李四",
        "市政务服务中心 综合窗口",
        "以申请人身份办理企业开办，记录各环节用时。",
        lead,
    )
    answers = services.checklists.answers(form.inspection_id)
    assert [a.verdict for a in answers] == [Verdict.PASS, Verdict.FAIL, Verdict.NOT_APPLICABLE]
    assert answers[1].measured == pytest.approx(0.75) and answers[1].note == "窗口称需等待后台审核"
    [(finding_id,)] = db.execute("SELECT id FROM findings WHERE deleted = 0").fetchall()
    detail = services.findings.get(finding_id)
    assert detail is not None and answers[1].finding_id == detail.id
    assert detail.severity is Severity.MAJOR and detail.rectify_workdays == 5
    assert detail.rectify_by == date(2021, 7, 23) and detail.department_id == lead
    assert detail.found_on == date(2021, 7, 16) and detail.category == "办事效率"


def test_typing_is_saved_after_a_pause_without_leaving_the_field(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.header.summary.setFocus()
    type_keys(qtbot, "queue 40 min")
    assert record_row(services, form)["summary"] == ""  # not on every keystroke
    qtbot.waitUntil(lambda: record_row(services, form)["summary"] == "queue 40 min", timeout=3000)
    assert focused() is form.header.summary  # never left
    assert form.status_text().startswith("已自动保存")
    form.table.setCurrentCell(0, 2)
    form.panel.note.setFocus()
    type_keys(qtbot, "ok")
    form.table.setFocus()  # leaving the field saves at once
    assert services.checklists.answers(form.inspection_id)[0].note == "ok"


def test_closing_the_window_saves_what_is_still_pending(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.header.summary.setFocus()
    type_keys(qtbot, "typed just now")
    record = form.inspection_id
    form.close()
    assert services.repository.get("inspections", record)["summary"] == "typed just now"
    assert services.repository.get("inspections", record)["deleted"] == 0  # a draft to go on with


def test_an_empty_draft_is_not_kept(qtbot, services) -> None:
    form = open_form(qtbot, services)
    record = form.inspection_id
    press(qtbot, Qt.Key.Key_Escape)  # nothing entered
    assert not form.isVisible()
    assert services.repository.get("inspections", record)["deleted"] == 1
    assert services.inspections.drafts() == []


def test_a_draft_reopened_continues_and_a_finished_record_is_read_only(qtbot, services) -> None:
    form = open_form(qtbot, services)
    record = form.inspection_id
    form.header.summary.setFocus()
    commit("窗口排队")
    form.table.setFocus()
    press(qtbot, Qt.Key.Key_3)
    form.close()

    again = RecordForm.open_existing(services, record, today=TODAY)
    assert again is not None
    shown(qtbot, again)
    assert again.is_draft() and again.header.summary.toPlainText() == "窗口排队"
    assert again.table.row_text(0)[3] == "不符合"
    assert RecordForm.open_existing(services, record) is again  # one window per record
    again.finish()
    box = again.findChild(QMessageBox, "unanswered_question")
    assert box is not None and "第 2、3 项" in box.text()
    [finish] = [b for b in box.buttons() if b.text() == "仍然完成"]
    finish.click()
    assert record_row_state(services, record) == "final"

    finished = RecordForm.open_existing(services, record, today=TODAY)
    assert finished is not None
    shown(qtbot, finished)
    assert not finished.is_draft() and finished.reopen_button.isVisibleTo(finished)
    assert finished.header.summary.isReadOnly() and finished.table.read_only
    before = changes(services)
    finished.table.setFocus()
    press(qtbot, Qt.Key.Key_1)  # nothing happens in a finished record
    assert changes(services) == before
    finished.reopen_button.click()
    assert finished.is_draft() and not finished.header.summary.isReadOnly()
    press(qtbot, Qt.Key.Key_1)
    assert services.checklists.answers(record)[0].verdict is Verdict.PASS


def record_row_state(services: Services, record: str) -> str:
    return services.repository.get("inspections", record)["state"]


def test_finishing_without_an_inspector_says_why_until_it_is_filled(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.header.inspector.setFocus()
    press(qtbot, Qt.Key.Key_A, CTRL)
    press(qtbot, Qt.Key.Key_Delete)
    for row in range(form.table.rowCount()):
        form.table.setCurrentCell(row, 2)
        form.table.setFocus()
        press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    assert form.isVisible() and form.status_text() == "请填写检查人。"
    assert focused() is form.header.inspector and record_row(services, form)["state"] == "draft"
    commit("王五")
    qtbot.waitUntil(lambda: form.status_text().startswith("已自动保存"), timeout=3000)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    assert "检查方式、检查情况还没有填写" in finish_anyway(qtbot, form)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert record_row(services, form)["state"] == "final"
    assert record_row(services, form)["inspector"] == "王五"


def test_a_refused_measured_value_is_not_saved_and_says_why(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.table.setCurrentCell(1, 2)
    form.panel.measured.setFocus()
    type_keys(qtbot, "3 yuan")
    form.table.setFocus()
    assert "不能换算" in form.panel.check_text() or "不是可比较的数值" in form.panel.check_text()
    assert form.status_text().startswith("未保存")
    assert services.checklists.answers(form.inspection_id)[1].measured_text == ""


def test_a_verdict_that_disagrees_with_the_measurement_is_marked(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.table.setCurrentCell(1, 2)
    form.panel.measured.setFocus()
    type_keys(qtbot, "2h")  # 0.25 working days: meets ≤ 0.5
    press(qtbot, Qt.Key.Key_Return)
    assert form.table.row_text(1)[3] == "符合"
    form.table.setCurrentCell(1, 2)
    press(qtbot, Qt.Key.Key_3)  # the inspector says 不符合 anyway
    assert form.table.row_text(1)[5] == "⚠达标"
    assert "与实测值不一致" in form.panel.disagreement()


def test_a_conforming_item_is_not_turned_into_a_finding(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.table.setFocus()
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_F2)
    assert form.findChild(FindingEditor) is None
    assert "不能转为问题" in form.status_text() and "按 3" in form.status_text()


def test_items_are_added_moved_and_removed_with_the_keyboard(qtbot, services, monkeypatch) -> None:
    form = open_form(qtbot, services)
    press(qtbot, Qt.Key.Key_N, CTRL)
    assert focused() is form.new_item
    commit("窗口是否公示收费标准？")
    press(qtbot, Qt.Key.Key_Return)
    assert _texts(form)[-1] == "窗口是否公示收费标准？" and form.table.currentRow() == 3
    form.table.setFocus()
    press(qtbot, Qt.Key.Key_Up, CTRL)
    assert _texts(form)[2] == "窗口是否公示收费标准？"
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    press(qtbot, Qt.Key.Key_Delete)
    assert "窗口是否公示收费标准？" not in _texts(form)


def test_a_templates_items_join_the_checklist(qtbot, services) -> None:
    services.checklists.create_starter_templates()
    form = open_form(qtbot, services)
    index = next(
        i for i in range(form.templates.count()) if "电话暗访" in form.templates.itemText(i)
    )
    form.templates.setCurrentIndex(index)
    form.add_template.click()
    assert _texts(form)[-4:] == [
        "电话是否接通？",
        "答复是否准确、完整？",
        "工作人员是否态度热情、用语规范？",
        "是否一次性告知所需材料和办理流程？",
    ]
    form.add_template.click()  # not twice
    assert len(_texts(form)) == 7 and "都已在清单中" in form.status_text()


def test_a_changed_date_moves_the_records_findings(qtbot, services) -> None:
    form = open_form(qtbot, services, checked_on=date(2021, 9, 29))
    form.table.setCurrentCell(0, 2)
    form.table.setFocus()
    press(qtbot, Qt.Key.Key_3)
    press(qtbot, Qt.Key.Key_F2)
    editor = form.findChild(FindingEditor)
    editor.workdays.setValue(3)
    editor.accept()
    (due,) = services.storage.db.execute("SELECT rectify_by FROM findings").fetchone()
    assert due == "2021-10-09"  # across National Day and its 调休 Saturday
    form.header.checked_on.setFocus()
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "2021-10-11")
    tab(qtbot)
    (found, due) = services.storage.db.execute(
        "SELECT found_on, rectify_by FROM findings"
    ).fetchone()
    assert (found, due) == ("2021-10-11", "2021-10-14")


def test_a_date_that_is_not_one_is_not_saved_and_finishing_is_refused(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.header.checked_on.setFocus()
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "2021-13-01")
    tab(qtbot)
    assert "月份应在 1 到 12 之间" in (form.header.checked_on.shown_problem() or "")
    assert record_row(services, form)["checked_on"] == "2021-07-15"  # the last good date
    form.finish()
    assert "检查日期" in form.status_text() and form.isVisible()
    form.header.checked_on.setFocus()
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "2021-07-20")
    tab(qtbot)
    assert record_row(services, form)["checked_on"] == "2021-07-20"


def test_tab_from_the_date_lands_in_the_inspector_with_the_date_whole(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.header.checked_on.setFocus()
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "2021-07-01")
    tab(qtbot)
    assert focused() is form.header.inspector
    assert form.header.checked_on.value() == date(2021, 7, 1)
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is form.header.checked_on


def test_the_finding_editors_date_is_typed_whole(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.table.setFocus()
    press(qtbot, Qt.Key.Key_3)
    press(qtbot, Qt.Key.Key_F2)
    editor = active(qtbot, form.findChild(FindingEditor))
    editor.deadline_kind.setCurrentIndex(1)  # 指定日期前
    editor.rectify_by.setFocus()
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "20210831")
    assert (
        editor.value().rectify_by == date(2021, 8, 31) and editor.value().rectify_workdays is None
    )
    press(qtbot, Qt.Key.Key_A, CTRL)
    type_keys(qtbot, "20210701")  # before the inspection
    editor.accept()
    assert editor.isVisible() and "早于" in editor.error_text()


def test_every_key_of_the_form_is_in_the_guide() -> None:
    guide = GUIDE_PATH.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| ([^|]+?) \|", guide, flags=re.MULTILINE))
    for keys in SHORTCUTS:
        assert keys in rows, f"{keys} is missing from the guide's shortcut table"


def test_nothing_is_cut_on_a_laptop_screen(qtbot, services) -> None:
    form = open_form(qtbot, services)
    laptop = QSize(int(1366 * 0.92), int(728 * 0.92))  # what fit_to_screen gives there
    hint = form.minimumSizeHint()
    assert hint.width() <= laptop.width() and hint.height() <= laptop.height()
    form.resize(laptop)
    qtbot.waitUntil(lambda: form.size() == laptop)
    assert _clipped(form) == []


def test_quitting_the_app_saves_what_is_still_pending(qtbot, services) -> None:
    form = open_form(qtbot, services)
    form.header.summary.setFocus()
    type_keys(qtbot, "typed as the app quits")
    QApplication.instance().aboutToQuit.emit()
    assert record_row(services, form)["summary"] == "typed as the app quits"


def test_a_place_picked_from_the_list_is_saved(qtbot, services) -> None:
    """The only site in the list is the current item of the box: picking it must still count."""
    services.vocabulary.add("site", "市政务服务中心 综合窗口")
    form = open_form(qtbot, services)
    place = form.header.place
    assert place.currentText() == ""
    place.setFocus()
    place.showPopup()
    view = place.view()
    qtbot.waitExposed(view)
    rect = view.visualRect(view.model().index(0, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert place.currentText() == "市政务服务中心 综合窗口"
    assert record_row(services, form)["place"] == "市政务服务中心 综合窗口"  # saved at once
    record = form.inspection_id
    form.close()
    again = shown(qtbot, RecordForm.open_existing(services, record, today=TODAY))
    assert again.header.place.currentText() == "市政务服务中心 综合窗口"


def test_the_count_of_answered_items_follows_each_key(qtbot, services) -> None:
    form = open_form(qtbot, services)
    total = len(form.table.answers())
    assert f"检查清单：{total} 项，已填结论 0 项" in form.checklist.label.text()
    form.table.setFocus()
    form.table.setCurrentCell(0, 2)
    press(qtbot, Qt.Key.Key_1)  # 符合
    assert "已填结论 1 项" in form.checklist.label.text()
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_3)  # 不符合
    assert "已填结论 2 项" in form.checklist.label.text()
    press(qtbot, Qt.Key.Key_0)  # cleared again
    assert "已填结论 1 项" in form.checklist.label.text()
