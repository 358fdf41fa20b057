"""The 通报 page as the office uses it: draft from the ledger, edit with the pages beside the text,
send for review, issue as 审核人, save Word/PDF copies, print, correct, edit a template.

The ledger is the bulletin tests' fixture (tests/services/bulletins/ledger.py: the sample plan,
a 调度 round, 明察 and 暗访 records with findings); the current user starts as 张三 (督查员).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QMessageBox

from app.domain.inspection import UserRole
from app.services.bulletins import BulletinKind, BulletinState
from app.services.context import Services
from app.storage import Storage
from tests.services.bulletins.checker import failed_pdf_checkpoints
from tests.services.bulletins.ledger import LEAD, ROUND, TODAY, build
from tests.ui.inspection_scene import run_dialog
from ui.changes import ChangeNotifier
from ui.dialogs.bulletin_editor import BulletinEditor
from ui.dialogs.bulletin_templates import BulletinTemplatesDialog
from ui.dialogs.new_bulletin import NewBulletinDialog
from ui.pages import bulletins_page
from ui.pages.bulletins_page import BulletinsPage
from ui.widgets.pdf_pages import make_printer, print_pdf

PROGRESS_TITLE = "关于2021年7月调度情况的通报"


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bulletin-ledger")
    build(folder / "ledger.sqlite", folder)
    return folder / "ledger.sqlite"


@pytest.fixture
def services(template_db: Path, tmp_path: Path):
    target = tmp_path / "ledger.sqlite"
    shutil.copyfile(template_db, target)
    opened = Services.for_storage(Storage.open(target))
    yield opened
    opened.close()


class _Files:
    """The save dialog, answered with a chosen path."""

    def __init__(self) -> None:
        self.target: Path | None = None
        self.asked: list[str] = []

    def save_file(self, parent, purpose, name, *, title=None) -> Path | None:
        self.asked.append(name)
        return self.target


@pytest.fixture
def files() -> _Files:
    return _Files()


@pytest.fixture
def page(qtbot, services: Services, files: _Files, monkeypatch) -> BulletinsPage:
    notifier = ChangeNotifier(services.repository)
    widget = BulletinsPage(services, notifier, files=files, today=lambda: TODAY)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    widget._notifier = notifier  # kept alive with the page
    widget.resize(1280, 760)
    widget.show()
    monkeypatch.setattr(bulletins_page, "_confirm", lambda *args: True)
    return widget


def _draft_progress(monkeypatch, page: BulletinsPage) -> str:
    def fill(dialog: NewBulletinDialog) -> None:
        dialog.kind_box.setCurrentIndex(list(BulletinKind).index(BulletinKind.PROGRESS))
        dialog.round_box.setCurrentText(ROUND)

    run_dialog(monkeypatch, NewBulletinDialog, fill)
    created = page.new_draft()
    assert created is not None
    return created


def _pages_shown(qtbot, page: BulletinsPage) -> None:
    qtbot.waitUntil(lambda: page.preview.page_count() > 0, timeout=20_000)


def test_an_empty_page_says_how_to_start(page: BulletinsPage) -> None:
    assert page.empty.isVisible() and not page.table.isVisible()
    assert "新建草稿" in page.empty.message_label.text()
    assert not page.edit_button.isEnabled() and not page.print_button.isEnabled()


def test_a_draft_from_the_round_shows_its_pages(qtbot, monkeypatch, page: BulletinsPage) -> None:
    bulletin_id = _draft_progress(monkeypatch, page)
    assert page.table.rowCount() == 1 and page.current_id() == bulletin_id
    assert [page.table.item(0, c).text() for c in range(3)] == ["调度通报", PROGRESS_TITLE, "草稿"]
    assert page.edit_button.isEnabled() and page.submit_button.isEnabled()
    assert not page.issue_button.isEnabled()  # 张三 is an inspector
    assert "审核人" in page.issue_button.toolTip()
    _pages_shown(qtbot, page)
    assert page.preview.data.startswith(b"%PDF")


def test_editing_the_text_redraws_the_pages_and_saves(
    qtbot, monkeypatch, page: BulletinsPage, services: Services
) -> None:
    bulletin_id = _draft_progress(monkeypatch, page)
    seen: list[bytes] = []

    def edit(editor: BulletinEditor) -> None:
        qtbot.waitUntil(lambda: editor.preview.page_count() > 0, timeout=20_000)
        seen.append(editor.preview.data)
        text = editor.editor.toPlainText()
        assert text.startswith("【发文机关标志】") and f"【标题】{PROGRESS_TITLE}" in text
        editor.editor.selectAll()  # as a user pastes over the text
        editor.editor.insertPlainText(
            text.replace(PROGRESS_TITLE, "关于2021年7月调度情况的通报（修改稿）")
            + "\n# 下步工作\n请各单位对照问题清单抓好落实。\n"
        )
        assert editor.windowTitle().endswith("*") and editor.save_button.isEnabled()
        qtbot.waitUntil(lambda: editor.preview.data not in seen, timeout=20_000)
        assert editor.save()
        assert not editor.windowTitle().endswith("*")
        editor.editor.undo()  # undo is the editor's own: the text goes back, unsaved again
        assert editor.editor.toPlainText() == text and editor.windowTitle().endswith("*")
        editor.editor.redo()
        editor.editor.document().setModified(False)

    run_dialog(monkeypatch, BulletinEditor, edit)
    page.edit_current()
    stored = services.bulletins.get(bulletin_id)
    assert stored.title == "关于2021年7月调度情况的通报（修改稿）"
    document = stored.document
    last = document.attachments[-1].blocks if document.attachments else document.body
    assert last[-1].text == "请各单位对照问题清单抓好落实。"  # typed at the end of the text
    assert page.table.item(0, 1).text() == stored.title


def test_text_the_editor_cannot_read_is_named_and_not_saved(
    qtbot, monkeypatch, page: BulletinsPage, services: Services
) -> None:
    bulletin_id = _draft_progress(monkeypatch, page)
    before = services.bulletins.get(bulletin_id).document
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))

    def edit(editor: BulletinEditor) -> None:
        editor.editor.setPlainText("【标题】关于的通报\n\n##### 五级标题\n")
        editor.refresh()
        assert "第 3 行" in editor.problem.text() and "四级" in editor.problem.text()
        assert not editor.save()
        editor.editor.setPlainText("没有标题的正文\n")
        editor.refresh()
        assert "标题" in editor.problem.text()
        editor.editor.document().setModified(False)  # leave without the question

    run_dialog(monkeypatch, BulletinEditor, edit)
    page.edit_current()
    assert warned and "第 3 行" in warned[0]
    assert services.bulletins.get(bulletin_id).document == before


def test_review_issue_copies_and_correction(
    qtbot, monkeypatch, page: BulletinsPage, services: Services, files: _Files, tmp_path: Path
) -> None:
    bulletin_id = _draft_progress(monkeypatch, page)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    services.identity.set("", UserRole.INSPECTOR)  # no name yet: 送审 asks for one first
    page.submit_current()
    assert "当前用户" in told[-1] and page.table.item(0, 2).text() == "草稿"
    services.identity.set("张三", UserRole.INSPECTOR)
    page.submit_current()
    assert page.table.item(0, 2).text() == "待审核"
    assert not page.edit_button.isEnabled() and not page.issue_button.isEnabled()

    services.identity.set("李科长", UserRole.SUPERVISOR)
    page.refresh()
    assert page.issue_button.isEnabled() and page.send_back_button.isEnabled()
    page.issue_current()
    issued = services.bulletins.get(bulletin_id)
    assert issued.state is BulletinState.ISSUED
    assert page.table.item(0, 3).text() == issued.number == "滕政办督〔2021〕1号"
    assert "签发：李科长" in page.info.text()
    _pages_shown(qtbot, page)
    frozen = issued.file("pdf")
    assert page.preview.data == frozen.path.read_bytes()  # the archived file, not a redraw

    files.target = tmp_path / "out" / "通报.pdf"
    files.target.parent.mkdir()
    saved = page.save_current("pdf")
    assert saved == files.target and saved.read_bytes() == frozen.path.read_bytes()
    assert files.asked[-1] == f"滕政办督〔2021〕1号 {PROGRESS_TITLE}.pdf"
    assert failed_pdf_checkpoints(saved)[0] == []
    saved.write_bytes(b"an older file the user chose to replace")
    assert page.save_current("pdf") == saved
    assert saved.read_bytes() == frozen.path.read_bytes()
    files.target = tmp_path / "out" / "通报.docx"
    word = page.save_current("docx")
    text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert "滕政办督〔2021〕1号" in text

    page.correct_current()
    versions = services.bulletins.versions(bulletin_id)
    assert [v.state for v in versions] == [BulletinState.ISSUED, BulletinState.DRAFT]
    assert page.current_id() == versions[-1].id
    assert page.table.item(0, 2).text() == "草稿（更正）"
    assert page.edit_button.isEnabled()
    assert "沿用原文号 滕政办督〔2021〕1号" in page.info.text()
    page.select(bulletin_id)  # the corrected original: not corrected twice
    assert page.table.item(page.table.currentRow(), 2).text() == "已更正"
    assert not page.correct_button.isEnabled() and "最新的版本" in page.correct_button.toolTip()
    page.select(versions[-1].id)
    shown: list[str] = []
    monkeypatch.setattr(bulletins_page, "_confirm", lambda _p, _t, text, _y: shown.append(text))
    page.submit_current()
    page.issue_current()  # the confirmation names the number it keeps (and is declined here)
    assert "沿用原文号 滕政办督〔2021〕1号" in shown[-1] and "下一个号" not in shown[-1]


def test_a_refused_draft_keeps_the_dialog_open_with_the_reason(
    monkeypatch, page: BulletinsPage
) -> None:
    problems: list[str] = []

    def fill(dialog: NewBulletinDialog) -> bool:
        dialog.kind_box.setCurrentIndex(list(BulletinKind).index(BulletinKind.NOTICE))
        assert not dialog.department_box.isHidden() and dialog.round_box.isHidden()
        dialog.accept()
        problems.append(dialog.problem.text())
        dialog.department_box.setCurrentText("市不存在局")
        dialog.accept()
        problems.append(dialog.problem.text())
        return False

    run_dialog(monkeypatch, NewBulletinDialog, fill)
    assert page.new_draft() is None
    assert problems[0] == "请选择要督办的部门。"
    assert "市不存在局" in problems[1]
    assert page.table.rowCount() == 0


def test_part_of_a_name_finds_the_department_and_a_fix_clears_the_message(
    monkeypatch, page: BulletinsPage
) -> None:
    def fill(dialog: NewBulletinDialog) -> None:
        dialog.kind_box.setCurrentIndex(list(BulletinKind).index(BulletinKind.NOTICE))
        dialog.show_problem("请选择要督办的部门。")
        dialog.department_box.setEditText("行政审批")
        assert dialog.problem.text() == ""  # the old message goes with the edit
        assert dialog.department_name() == LEAD

    run_dialog(monkeypatch, NewBulletinDialog, fill)
    assert page.new_draft() is not None
    assert page.table.item(0, 1).text().endswith(f"（{LEAD}）")


def test_an_inspection_bulletin_of_a_period_without_records_is_refused(
    monkeypatch, page: BulletinsPage
) -> None:
    from datetime import date

    problems: list[str] = []

    def fill(dialog: NewBulletinDialog) -> bool:
        dialog.kind_box.setCurrentIndex(list(BulletinKind).index(BulletinKind.INSPECTION))
        dialog.starts_on.setDate(date(2021, 1, 1))
        dialog.ends_on.setDate(date(2021, 1, 31))
        dialog.accept()
        problems.append(dialog.problem.text())
        return False

    run_dialog(monkeypatch, NewBulletinDialog, fill)
    assert page.new_draft() is None
    assert "2021年1月没有可以通报的检查记录" in problems[0]


def test_a_draft_is_drawn_again_from_the_data_after_asking(
    monkeypatch, page: BulletinsPage, services: Services
) -> None:
    bulletin_id = _draft_progress(monkeypatch, page)
    document = services.bulletins.get(bulletin_id).document
    document.title = "手工改过的标题"
    services.bulletins.update(bulletin_id, document)
    page.refresh()
    assert page.table.item(0, 1).text() == "手工改过的标题"
    page.regenerate_current()  # _confirm answers yes in these tests
    assert services.bulletins.get(bulletin_id).title == PROGRESS_TITLE
    assert page.table.item(0, 1).text() == PROGRESS_TITLE


def test_a_draft_that_left_out_hidden_covert_records_says_so(
    monkeypatch, page: BulletinsPage, services: Services
) -> None:
    """张三 may see his own 暗访 record; 李四 (another inspector) may not: his draft of the
    month leaves it out and he is told; the supervisor's 签发 confirmation says it too."""
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    services.identity.set("李四", UserRole.INSPECTOR)

    def fill(dialog: NewBulletinDialog) -> None:
        dialog.kind_box.setCurrentIndex(list(BulletinKind).index(BulletinKind.INSPECTION))
        dialog.starts_on.setDate(date(2021, 8, 1))
        dialog.ends_on.setDate(date(2021, 8, 31))
        dialog.as_of.setDate(date(2021, 8, 31))

    run_dialog(monkeypatch, NewBulletinDialog, fill)
    bulletin_id = page.new_draft()
    assert bulletin_id is not None
    assert told and "另有 1 条暗访记录您无权查看" in told[-1]
    page.submit_current()
    services.identity.set("李科长", UserRole.SUPERVISOR)
    page.refresh(select=bulletin_id)
    shown: list[str] = []
    monkeypatch.setattr(bulletins_page, "_confirm", lambda _p, _t, text, _y: shown.append(text))
    page.issue_current()
    assert "还有 1 条检查记录没有计入草稿" in shown[-1]


def test_ctrl_n_works_from_the_sidebar_on_this_page_only(qtbot, window, monkeypatch) -> None:
    """The page's shortcuts act wherever the focus is in the window (the sidebar just
    clicked), and only while the page is shown; Tab leaves the list."""
    seen = run_dialog(monkeypatch, NewBulletinDialog, lambda dialog: False)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_page("ledger")
    window.navigation.setFocus()
    qtbot.keyClick(window.navigation, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen == []  # the ledger is shown: not the 通报 page's Ctrl+N
    window.show_page("bulletins")
    window.navigation.setFocus()
    qtbot.keyClick(window.navigation, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert not window.pages["bulletins"].table.tabKeyNavigation()


def test_a_notice_to_a_department_is_drafted(qtbot, monkeypatch, page: BulletinsPage) -> None:
    def fill(dialog: NewBulletinDialog) -> None:
        dialog.kind_box.setCurrentIndex(list(BulletinKind).index(BulletinKind.NOTICE))
        dialog.department_box.setCurrentText(LEAD)

    run_dialog(monkeypatch, NewBulletinDialog, fill)
    assert page.new_draft() is not None
    assert page.table.item(0, 0).text() == "督办通知"
    assert page.table.item(0, 1).text().endswith(f"（{LEAD}）")  # every notice's title is alike
    _pages_shown(qtbot, page)


def test_printing_draws_every_page_on_a4(qtbot, monkeypatch, page: BulletinsPage, tmp_path) -> None:
    _draft_progress(monkeypatch, page)
    _pages_shown(qtbot, page)
    printer = make_printer()
    # Double-sided along the long edge where the printer can (this machine may have none).
    duplex = QPrinterInfo(printer).supportedDuplexModes()
    if QPrinter.DuplexMode.DuplexLongSide in duplex:
        assert printer.duplex() == QPrinter.DuplexMode.DuplexLongSide
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert print_pdf(page.preview.data, printer) == page.preview.page_count()
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1) == str(page.preview.page_count())
    assert "595" in info and "842" in info  # A4 in points


def test_a_template_with_a_mistake_is_named_and_not_stored(
    qtbot, monkeypatch, page: BulletinsPage, services: Services
) -> None:
    templates = services.bulletin_drafting.templates
    dialog = BulletinTemplatesDialog(
        templates, services.bulletin_drafting, BulletinKind.PROGRESS, lambda: TODAY, page
    )
    qtbot.addWidget(dialog)
    assert dialog.source.text() == "（默认模板）"
    dialog.editor.setPlainText(dialog.editor.toPlainText() + "\n{{ round.nmae }}\n")
    assert not dialog.check()
    assert "nmae" in dialog.result.text() and "行" in dialog.result.text()
    assert not dialog.save()
    assert templates.get(BulletinKind.PROGRESS).default
    dialog.editor.setPlainText(
        dialog.editor.toPlainText().replace("{{ round.nmae }}", "（本单位）")
    )
    assert dialog.check() and "可以使用" in dialog.result.text()
    assert dialog.save()
    stored = templates.get(BulletinKind.PROGRESS)
    assert not stored.default and stored.text.rstrip().endswith("（本单位）")
    assert dialog.reset_button.isEnabled()


def test_the_editor_names_a_misspelt_field_and_says_the_pages_are_old(
    qtbot, monkeypatch, page: BulletinsPage
) -> None:
    _draft_progress(monkeypatch, page)

    def edit(editor: BulletinEditor) -> None:
        text = editor.editor.toPlainText()
        editor.editor.setPlainText("【乱写项】什么\n" + text)
        editor.refresh()
        assert "第 1 行的“【乱写项】”不是公文的项目" in editor.notes.text()
        assert editor.problem.text() == ""  # only a note: it is body text
        editor.editor.setPlainText(text + "\n##### 五级\n")
        editor.refresh()
        problem = editor.problem.text()
        assert problem.startswith("第 ") and "上次正确时的样子" in problem
        assert "模板" not in problem and "文本：" not in problem
        editor.editor.document().setModified(False)

    run_dialog(monkeypatch, BulletinEditor, edit)
    page.edit_current()


def test_a_database_error_while_saving_a_template_is_told(
    qtbot, monkeypatch, page: BulletinsPage, services: Services
) -> None:
    import sqlite3

    templates = services.bulletin_drafting.templates
    dialog = BulletinTemplatesDialog(
        templates, services.bulletin_drafting, BulletinKind.PROGRESS, lambda: TODAY, page
    )
    qtbot.addWidget(dialog)

    def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(type(templates), "save", locked)
    dialog.editor.insertPlainText("\n")
    assert not dialog.save()
    assert (
        dialog.result.text().startswith("没有保存：")
        and "database is locked" in dialog.result.text()
    )
    dialog.editor.insertPlainText("x")
    assert dialog.result.text() == ""  # an edit clears what was said about the old text
