from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from ui.dialogs.plan_import import PlanImportDialog
from ui.main_window import MainWindow


@pytest.fixture
def dialog(qtbot, services: Services) -> PlanImportDialog:
    widget = PlanImportDialog(services.plans)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _load(qtbot, dialog: PlanImportDialog, path: Path = SAMPLE_PLAN) -> None:
    dialog.load_file(path)
    qtbot.waitUntil(dialog.is_loaded, timeout=10_000)


def _lead(services: Services, area_no: int, measure_no: int) -> list[str]:
    return [
        name
        for (name,) in services.storage.db.execute(
            "SELECT d.name FROM assignments s JOIN departments d ON d.id = s.department_id"
            " JOIN measures m ON m.id = s.measure_id JOIN areas a ON a.id = m.area_id"
            " WHERE a.no = ? AND m.no = ? AND s.role = 'lead' AND s.deleted = 0"
            " ORDER BY s.position",
            [area_no, measure_no],
        )
    ]


def test_the_sample_is_shown_beside_its_source(qtbot, dialog: PlanImportDialog) -> None:
    _load(qtbot, dialog)
    assert dialog.tree.topLevelItemCount() == 19
    assert dialog.doc_number.text() == "滕政发〔2021〕9号"
    assert dialog.issued_on.text() == "2021-06-18"
    assert "201 项措施" in dialog.diff_label.text()
    assert dialog.import_button.isEnabled()

    assert dialog.select_measure(1, 5)
    spans = dialog.highlighted_spans()
    start, end = spans[0]
    assert dialog.source_text[start:end].startswith("5.试行企业开办“掌上全程办”")
    highlighted = {dialog.source_text[a:b] for a, b in spans[1:]}
    assert {"市行政审批服务局", "7月底前"} <= highlighted
    assert dialog.editor.role_edits["lead"].text() == "市行政审批服务局、市市场监督管理局"


def test_warnings_are_listed_and_jump_to_their_measure(qtbot, dialog: PlanImportDialog) -> None:
    _load(qtbot, dialog)
    assert dialog.warnings.count() == len(dialog.parsed.warnings) > 0
    for row in range(dialog.warnings.count()):
        warning = dialog.warnings.item(row).data(Qt.ItemDataRole.UserRole)
        if warning.measure_no is not None:
            dialog.warnings.itemClicked.emit(dialog.warnings.item(row))
            area, measure = dialog.measure_of(dialog.tree.currentItem())
            assert (area.no, measure.no) == (warning.area_no, warning.measure_no)
            break


def test_edits_are_saved_with_the_plan(qtbot, dialog: PlanImportDialog, services) -> None:
    _load(qtbot, dialog)
    dialog.select_measure(1, 5)
    lead = dialog.editor.role_edits["lead"]
    lead.setText("市行政审批服务局、市大数据中心")
    lead.editingFinished.emit()
    assert dialog.tree.currentItem().text(dialog.COL_LEAD) == "市行政审批服务局、市大数据中心"
    due = dialog.editor.deadlines.item(0, dialog.editor.DEADLINE_DUE)
    due.setText("2021-08-15")
    dialog.plan_title.setText("滕州市落实方案（修订）")

    dialog.save()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
    assert _lead(services, 1, 5) == ["市行政审批服务局", "市大数据中心"]
    dues = [row[0] for row in services.storage.db.execute("SELECT due FROM milestones")]
    assert "2021-08-15" in dues
    titles = [row[0] for row in services.storage.db.execute("SELECT title FROM plans")]
    assert titles == ["滕州市落实方案（修订）"]


def test_a_bad_date_is_refused_and_nothing_is_stored(qtbot, dialog, services, monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    _load(qtbot, dialog)
    dialog.select_measure(1, 5)
    dialog.editor.deadlines.item(0, dialog.editor.DEADLINE_DUE).setText("7月底")
    dialog.save()
    assert warnings and "2021-06-30" in warnings[0]
    assert dialog.result is None
    assert services.storage.db["plans"].count == 0


def test_a_typed_deadline_phrase_is_read_for_its_date(qtbot, dialog: PlanImportDialog) -> None:
    _load(qtbot, dialog)
    dialog.select_measure(1, 1)
    editor = dialog.editor
    before = editor.deadlines.rowCount()
    editor._add_deadline()
    editor.deadlines.item(before, editor.DEADLINE_RAW).setText("10月底前")
    assert editor.deadlines.item(before, editor.DEADLINE_DUE).text() == "2021-10-31"
    _area, measure = dialog.measure_of(dialog.tree.currentItem())
    assert measure.deadlines[-1].raw == "10月底前"


def test_a_revision_marks_added_changed_and_removed(qtbot, services, tmp_path) -> None:
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    ninth = next(line for line in text.splitlines() if line.startswith("9.全面实施“一业一证”"))
    revised = text.replace("9月底前，扩充2家", "8月底前，扩充2家").replace(ninth + "\n", "")
    path = tmp_path / "修订版.txt"
    path.write_text(revised, encoding="utf-8")
    dialog = PlanImportDialog(services.plans)
    qtbot.addWidget(dialog)
    _load(qtbot, dialog, path)
    assert "删除 1 项，修改 1 项" in dialog.diff_label.text()
    changes = {
        dialog.tree.topLevelItem(0).child(i).text(dialog.COL_CHANGE)
        for i in range(dialog.tree.topLevelItem(0).childCount())
    }
    assert "修改" in changes
    last = dialog.tree.topLevelItem(dialog.tree.topLevelItemCount() - 1)
    assert last.text(dialog.COL_TITLE) == "将删除的措施（1 项）"


def test_an_unreadable_file_is_reported_and_nothing_changes(
    qtbot, dialog, services, tmp_path, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    dialog.load_file(path)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "空" in shown[0]
    assert not dialog.import_button.isEnabled()
    assert services.storage.db["changes"].count == 0


def test_the_empty_ledger_offers_the_sample_plan(qtbot, window: MainWindow, monkeypatch) -> None:
    """First start: the ledger's empty state loads the bundled sample through the dialog."""
    ledger = window.pages["ledger"]
    assert ledger.sample_button.isEnabled()

    def run_dialog(dialog: PlanImportDialog) -> int:
        qtbot.waitUntil(dialog.is_loaded, timeout=10_000)
        dialog.save()
        qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
        return 1

    monkeypatch.setattr(PlanImportDialog, "exec", run_dialog)
    ledger.sample_button.click()
    qtbot.waitUntil(lambda: not ledger.is_showing_empty_state(), timeout=10_000)
    ledger.views.setCurrentWidget(ledger.tree)
    qtbot.waitUntil(lambda: not ledger.tree.is_loading())  # built on a worker
    ledger.tree.expandAll()
    plan_item = ledger.tree.topLevelItem(0)
    assert plan_item.childCount() == 19
    assert sum(plan_item.child(i).childCount() for i in range(19)) == 201
    assert "新方案" in window.statusBar().currentMessage()


def test_area_titles_are_editable_in_the_tree(qtbot, dialog: PlanImportDialog, services) -> None:
    _load(qtbot, dialog)
    area_item = dialog.tree.topLevelItem(0)
    assert area_item.flags() & Qt.ItemFlag.ItemIsEditable
    area_item.setText(dialog.COL_TITLE, "开办企业便利化")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
    titles = [row[0] for row in services.storage.db.execute("SELECT title FROM areas WHERE no = 1")]
    assert titles == ["开办企业便利化"]


def _click_hint(qtbot, dialog: PlanImportDialog, row: int) -> None:
    """A real mouse click on the row-th hint, as a user would."""
    item = dialog.warnings.item(row)
    dialog.warnings.scrollToItem(item)
    rect = dialog.warnings.visualItemRect(item)
    qtbot.mouseClick(dialog.warnings.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _phrase_in_view(dialog: PlanImportDialog) -> bool:
    """Whether the marked phrase's start is inside the visible part of the source view."""
    start, _end = dialog.warning_span()
    cursor = dialog.source.textCursor()
    assert cursor.position() == start
    return dialog.source.viewport().rect().contains(dialog.source.cursorRect(cursor).center())


def test_clicking_a_hint_selects_its_measure_and_marks_the_phrase(
    qtbot, dialog: PlanImportDialog
) -> None:
    """The sample's hints: two about department names, one about a heading, and measures whose
    several departments name none to lead (the last of them, 8.4, is checked here)."""
    dialog.resize(1280, 800)
    _load(qtbot, dialog)
    hints = {
        dialog.warnings.item(row).data(Qt.ItemDataRole.UserRole).code: row
        for row in range(dialog.warnings.count())
    }
    expected = {
        # code: (area no, measure no or None, the marked phrase)
        "department_similar": (2, 5, "市林业发展服务中心"),
        "department_abbreviation": (4, 1, "枣庄市住房公积金滕州分中心"),
        "section_numeral_missing": (7, None, "优化金融服务"),
        "measure_without_lead": (8, 4, "市税务局"),
    }
    assert set(hints) == set(expected)
    for code in (
        "section_numeral_missing",
        "department_abbreviation",
        "department_similar",
        "measure_without_lead",
    ):
        dialog.select_measure(1, 1)  # start elsewhere: the source shows its top
        assert dialog.warning_span() is None
        area_no, measure_no, phrase = expected[code]
        _click_hint(qtbot, dialog, hints[code])
        current = dialog.tree.currentItem()
        entry = dialog.measure_of(current)
        if measure_no is None:  # a heading: its area row is selected
            assert entry is None and current.parent() is None
            assert current.text(dialog.COL_NO) == str(area_no)
        else:
            area, measure = entry
            assert (area.no, measure.no) == (area_no, measure_no), code
            assert phrase in measure.text  # the phrase is in the selected measure
            # ...which stays highlighted as a measure is, the hint's phrase on top
            measure_span = dialog.highlighted_spans()[0]
            assert measure_span == measure.span
        start, end = dialog.warning_span()
        assert dialog.source_text[start:end] == phrase, code
        assert _phrase_in_view(dialog), code
        assert (
            dialog.warnings.item(hints[code])
            .text()
            .startswith(f"[{area_no}.{measure_no}] " if measure_no else f"[{area_no}] ")
        )
    # Moving on in the tree drops the hint's mark.
    dialog.select_measure(1, 5)
    assert dialog.warning_span() is None


def test_an_xlsx_task_table_imports(
    qtbot, dialog: PlanImportDialog, services, tmp_path: Path
) -> None:
    """A 任务分工表 in Excel is read like any plan (it used to be refused with advice)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["某市2022年重点任务分工表"])
    book.active.append(["序号", "重点任务", "牵头单位", "责任单位", "完成时限"])
    book.active.append(["1", "推行一网通办。", "市行政审批服务局", "市大数据中心", "6月底前"])
    book.active.append(["2", "推进跨省通办。", "市行政审批服务局", "市公安局", "9月底前"])
    path = tmp_path / "任务分工表.xlsx"
    book.save(path)
    _load(qtbot, dialog, path)
    assert dialog.plan_title.text() == "某市2022年重点任务分工表"
    assert "2 项措施" in dialog.diff_label.text()
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
    assert _lead(services, 1, 2) == ["市行政审批服务局"]


DOUBTFUL = (
    "某市2023年工作方案\n\n一、重点任务\n"
    "1.推行一网通办。（市政务服务局负责）\n"
    "2.推进跨省通办。2024年前完成。（市政务服务局负责）\n"  # medium: 2024年前 read as year end
    "3.加强信用监管。建立信用档案。\n"  # low: no department
    "4.规范中介服务。（市发展改革委负责）\n"
)


def _doubtful_plan(tmp_path: Path) -> Path:
    path = tmp_path / "方案.txt"
    path.write_text(DOUBTFUL, encoding="utf-8")
    return path


def _current_no(dialog: PlanImportDialog) -> int:
    entry = dialog.measure_of(dialog.tree.currentItem())
    assert entry is not None
    return entry[1].no


def test_doubtful_measures_are_shown_counted_and_walked_with_one_key(
    qtbot, dialog: PlanImportDialog, tmp_path: Path
) -> None:
    _load(qtbot, dialog, _doubtful_plan(tmp_path))
    area = dialog.tree.topLevelItem(0)
    checks = [area.child(i).text(dialog.COL_CHECK) for i in range(area.childCount())]
    assert checks == ["", "请核对", "存疑", ""]
    assert "未" in area.child(2).toolTip(dialog.COL_CHECK)  # the reason, e.g. 未找到…部门
    assert "需要核对 2 项措施（存疑 1 项，请核对 1 项）" in dialog.review_label.text()
    # the first doubtful measure is selected on loading: the "存疑" one first
    assert _current_no(dialog) == 3
    assert "已看 1 项" in dialog.review_label.text()
    # hints about the 存疑 measure come first
    first_hint = dialog.warnings.item(0).data(Qt.ItemDataRole.UserRole)
    assert (first_hint.area_index, first_hint.measure_index) == (0, 2)
    # one key walks through them: 存疑, then 请核对, then round again
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_F8)  # the button's shortcut: clicked a moment later
    qtbot.waitUntil(lambda: _current_no(dialog) == 2)
    assert "已看 2 项" in dialog.review_label.text()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: _current_no(dialog) == 3)


def test_saving_with_an_unseen_doubtful_measure_asks_first(
    qtbot, dialog: PlanImportDialog, services, tmp_path: Path, monkeypatch
) -> None:
    _load(qtbot, dialog, _doubtful_plan(tmp_path))
    dialog.reviewed.clear()  # as if the user had not looked at measure 3
    dialog.select_measure(1, 1)
    dialog.reviewed.discard((0, 2))
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kw: asked.append(args[2]) or answers.pop(0)
    )
    dialog.save()
    assert "还有 1 项标为“存疑”的措施没有看过" in asked[0]
    assert dialog.result is None and services.storage.db["changes"].count == 0
    assert _current_no(dialog) == 3  # taken to it
    # looked at now: saving goes ahead without asking
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
    assert len(asked) == 1
    # and the one not looked at, answered "导入": stored as shown
    assert _lead(services, 1, 4) == ["市发展改革委"]


def test_a_pdf_with_doubtful_measures_says_it_was_rebuilt(
    qtbot, dialog: PlanImportDialog, tmp_path: Path
) -> None:
    from tests.plan_import.makedocs import cjk_font, write_pdf

    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font to make a PDF with (fonts-wqy-microhei)")
    path = tmp_path / "方案.pdf"
    write_pdf(DOUBTFUL, path, font)
    _load(qtbot, dialog, path)
    text = dialog.review_label.text()
    assert "本方案的段落是从 PDF 版式还原的" in text and "存疑 1 项" in text
    assert _current_no(dialog) == 3  # the 存疑 measure is selected first


def test_a_measure_without_a_lead_gets_a_hint_and_one_day_shows_once(
    qtbot, dialog: PlanImportDialog
) -> None:
    _load(qtbot, dialog)
    texts = [dialog.warnings.item(row).text() for row in range(dialog.warnings.count())]
    assert any(text.startswith("[1.2] ") and "未找到牵头部门" in text for text in texts)
    assert dialog.select_measure(1, 2)
    row = dialog.tree.currentItem()
    assert row.text(dialog.COL_LEAD) == "（未写明）"
    assert row.text(dialog.COL_DUE) == "9月30日（2 处）"  # two sentences, one day


def test_the_doubtful_measures_can_be_listed_first_and_put_back(
    qtbot, dialog: PlanImportDialog, tmp_path: Path
) -> None:
    _load(qtbot, dialog, _doubtful_plan(tmp_path))
    area = dialog.tree.topLevelItem(0)

    def order() -> list[str]:
        return [area.child(i).text(dialog.COL_NO) for i in range(area.childCount())]

    assert order() == ["1", "2", "3", "4"]
    dialog.doubtful_first.setChecked(True)
    assert order() == ["3", "2", "1", "4"]  # 存疑, 请核对, then in the document's order
    assert _current_no(dialog) == 3  # the selection stays on its measure
    assert dialog.select_measure(1, 4) and _current_no(dialog) == 4
    assert dialog.tree_item(0, 1).text(dialog.COL_NO) == "2"  # found wherever it is shown
    assert dialog.next_doubtful() and _current_no(dialog) == 3  # F8 walks as before
    dialog.doubtful_first.setChecked(False)
    assert order() == ["1", "2", "3", "4"]
