"""F1 opens the Chinese user guide; the shipped copy is docs/user-guide.md; shortcuts stay true."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from ui.actions import ACTION_SPECS
from ui.dialogs.help import GUIDE_PATH, HelpDialog, load_guide, split_sections

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_guide_is_the_one_in_docs() -> None:
    shipped = GUIDE_PATH.read_text(encoding="utf-8")
    source = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert shipped == source, "copy docs/user-guide.md to resources/help/guide.md"


def test_every_menu_shortcut_is_in_the_guide() -> None:
    guide = GUIDE_PATH.read_text(encoding="utf-8")
    for action_id, spec in ACTION_SPECS.items():
        if spec.shortcut is None:
            continue
        keys = spec.shortcut.toString()
        if keys.startswith("Ctrl+") and keys[5:].isdigit():
            keys = "Ctrl+1 … Ctrl+5"
        assert f"| {keys} |" in guide, f"{action_id}: {keys} missing from the guide's table"


def test_sections_split_at_second_level_headings() -> None:
    sections = split_sections("# 标题\n开头\n## 甲\n一\n## 乙\n二\n")
    assert [(s.title, s.markdown) for s in sections] == [
        ("简介", "开头"),
        ("甲", "一"),
        ("乙", "二"),
    ]


def test_f1_opens_the_guide_beside_the_window(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.findChild(HelpDialog)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.isModal()
    titles = dialog.section_titles()
    assert {"第一次使用", "调度：收集各部门进展", "快捷键"} <= set(titles)
    # A second F1 reuses the same window.
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert len(window.findChildren(HelpDialog)) == 1


def test_search_keeps_the_matching_sections(qtbot) -> None:
    dialog = HelpDialog(load_guide())
    qtbot.addWidget(dialog)
    # QtTest cannot type non-ASCII keys: insert() is what an input method does.
    dialog.search.insert("调休")
    titles = dialog.section_titles()
    assert titles and all("调休" in s.markdown for s in load_guide() if s.title in titles)
    assert "快捷键" not in titles
    dialog.search.clear()
    dialog.search.insert("没有这个词")
    assert dialog.section_titles() == []
    assert "没有包含" in dialog.browser.toPlainText()


def test_a_missing_guide_says_so(tmp_path: Path) -> None:
    sections = load_guide(tmp_path / "nope.md")
    assert "找不到使用指南" in sections[0].markdown
