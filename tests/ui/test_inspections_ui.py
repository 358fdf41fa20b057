"""An inspector records a check with a problem; the ledger filters on it until it is rectified."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from tests.ui.test_ledger_page import _all_rows, _page
from ui.dialogs.inspection import DEFAULT_RECTIFY_DAYS, InspectionDialog, recorder
from ui.dialogs.rectification import RectificationDialog
from ui.pages.ledger_page import LedgerPage


@pytest.fixture
def page(qtbot, services: Services) -> LedgerPage:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = _page(qtbot, services)
    page.filters.as_of.setDate(QDate.currentDate())
    return page


def _measure(services: Services, title_part: str) -> str:
    return services.storage.db.execute(
        "SELECT id FROM measures WHERE title LIKE ?", [f"%{title_part}%"]
    ).fetchone()[0]


def _fill_and_save(qtbot, dialog: InspectionDialog, *, inspector: str, problem: str) -> int:
    dialog.kind.setCurrentIndex(dialog.kind.findText("暗访"))
    # QTest cannot type CJK characters: insert() is what an input method ends with.
    dialog.inspector.clear()
    dialog.inspector.insert(inspector)
    dialog.place.insert("市政务服务中心")
    dialog.summary.setPlainText("窗口排队情况")
    row = dialog.add_finding()
    editor = dialog.findings.focusWidget()
    editor.insert(problem)  # typed into the open cell editor, not yet committed
    dialog.set_department(row, dialog._departments[0][0])
    dialog.accept()
    return dialog.result()


def test_recording_a_check_with_a_problem_then_rectifying_it(
    qtbot, page: LedgerPage, services: Services, monkeypatch
) -> None:
    measure = _measure(services, "优化综合窗口")
    page.show_measure(measure)
    assert page.detail.inspect_button.isVisible() and not page.detail.rectify_button.isVisible()
    assert "尚无检查记录" in page.detail.text()

    seen: list[InspectionDialog] = []

    def run(dialog: InspectionDialog) -> int:
        seen.append(dialog)
        return _fill_and_save(qtbot, dialog, inspector="张三", problem="综合窗口无人值守")

    monkeypatch.setattr(InspectionDialog, "exec", run)
    page.detail.inspect_button.click()

    [dialog] = seen
    assert dialog.error_text() == ""
    text = page.detail.text()
    assert "暗访" in text and "张三" in text and "综合窗口无人值守" in text and "整改中" in text
    assert page.detail.rectify_button.isVisible()
    [finding] = services.inspections.for_measure(measure, as_of=date.today())[0].findings
    assert finding.rectify_by == date.today() + timedelta(days=DEFAULT_RECTIFY_DAYS)
    assert services.inspections.last_inspector() == "张三"

    page.filters.open_findings.setChecked(True)
    assert [row.id for row in _all_rows(page.model)] == [measure]
    qtbot.waitUntil(lambda: page.count_text().startswith("共 1 项措施"))

    monkeypatch.setattr(RectificationDialog, "exec", lambda self: 1)
    page.detail.rectify_button.click()
    assert "已整改" in page.detail.text()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)

    page.filters.reset()
    assert not page.filters.open_findings.isChecked()
    assert page.model.rowCount() > 1


def test_a_refused_record_keeps_what_was_typed(qtbot, page: LedgerPage, services) -> None:
    measure = _measure(services, "优化综合窗口")
    saved = []

    record = recorder(services.inspections, measure)

    def save(value) -> None:
        record(value)
        saved.append(value)

    dialog = InspectionDialog("措施", services.inspections.departments(measure), date.today(), save)
    qtbot.addWidget(dialog)
    dialog.show()
    # No inspector, and a problem row left empty: refused, the dialog stays open, nothing kept.
    dialog.add_finding()
    dialog.accept()
    assert dialog.result() == 0 and "请填写检查人" in dialog.error_text()
    dialog.inspector.insert("李四")
    dialog.accept()
    assert dialog.result() == 0 and "第 1 个问题没有填写问题描述" in dialog.error_text()
    assert services.storage.db.execute("SELECT COUNT(*) FROM inspections").fetchone()[0] == 0
    # Fixing the row saves it; what was typed before is still there.
    dialog.findings.item(0, dialog.COL_DESCRIPTION).setText("台账未及时更新")
    assert dialog.inspector.text() == "李四"
    dialog.accept()
    assert dialog.result() == 1 and [f.description for f in saved[0].findings] == ["台账未及时更新"]


def test_problems_can_be_removed_before_saving(qtbot, services: Services, page) -> None:
    measure = _measure(services, "优化综合窗口")
    dialog = InspectionDialog(
        "措施", services.inspections.departments(measure), date.today(), lambda value: None
    )
    qtbot.addWidget(dialog)
    first = dialog.add_finding("问题一")
    dialog.add_finding("问题二")
    dialog.findings.selectRow(first)
    dialog.remove_selected()
    assert [f.description for f in dialog.value().findings] == ["问题二"]


def test_a_rectified_problem_is_offered_for_reopening(qtbot) -> None:
    from app.domain.ledger import FindingState
    from app.services.inspections import Finding

    day = date(2021, 9, 1)
    findings = [
        Finding("a", "已整改的问题", "", day, None, day, FindingState.RECTIFIED),
        Finding("b", "未整改的问题", "", day, None, None, FindingState.OPEN),
    ]
    dialog = RectificationDialog(findings, date(2021, 9, 30))
    qtbot.addWidget(dialog)
    assert dialog.chosen() == ("b", date(2021, 9, 30))  # open ones first, to confirm
    dialog.item.setCurrentIndex(1)
    assert dialog.reopen.isChecked() and dialog.chosen() == ("a", None)
