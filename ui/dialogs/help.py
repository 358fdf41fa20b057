"""F1: the short Chinese user guide (resources/help/guide.md, a copy of docs/user-guide.md).

The guide is one Markdown file; each "## " heading is a section listed on the left. Typing in the
search box keeps the sections whose title or text contains the words. The window is not modal, so
it can stay open beside the main window while the user works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.paths import RESOURCES_DIR
from ui.widgets.sizing import fit_to_screen

GUIDE_PATH = RESOURCES_DIR / "help" / "guide.md"


@dataclass(frozen=True)
class GuideSection:
    title: str
    markdown: str


def split_sections(text: str) -> list[GuideSection]:
    """Sections at each "## " heading; text before the first one becomes "简介"."""
    sections: list[GuideSection] = []
    title, lines = "简介", []
    for line in text.splitlines():
        if line.startswith("## "):
            if any(part.strip() for part in lines):
                sections.append(GuideSection(title, "\n".join(lines).strip()))
            title, lines = line[3:].strip(), []
        elif not line.startswith("# "):
            lines.append(line)
    if any(part.strip() for part in lines):
        sections.append(GuideSection(title, "\n".join(lines).strip()))
    return sections


def load_guide(path: Path = GUIDE_PATH) -> list[GuideSection]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return [GuideSection("使用指南", f"找不到使用指南文件 {path}，请重新安装督查台账。")]
    return split_sections(text)


class HelpDialog(QDialog):
    def __init__(self, sections: list[GuideSection], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("使用指南")
        self.setModal(False)
        self._sections = sections

        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索使用指南…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.contents = QListWidget()
        self.contents.setFixedWidth(170)
        self.contents.setSpacing(2)
        self.contents.currentItemChanged.connect(self._show)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)

        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.contents, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.browser, 1)
        self._filter("")
        fit_to_screen(self, 860, 620)

    # ---- Public API -------------------------------------------------------------------------

    def section_titles(self) -> list[str]:
        return [self.contents.item(row).text() for row in range(self.contents.count())]

    def show_section(self, title: str) -> bool:
        for row in range(self.contents.count()):
            if self.contents.item(row).text() == title:
                self.contents.setCurrentRow(row)
                return True
        return False

    # ---- Internals ----------------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        words = text.split()
        self.contents.clear()
        for index, section in enumerate(self._sections):
            haystack = f"{section.title}\n{section.markdown}"
            if all(word.casefold() in haystack.casefold() for word in words):
                item = QListWidgetItem(section.title)
                item.setData(Qt.ItemDataRole.UserRole, index)
                self.contents.addItem(item)
        if self.contents.count():
            self.contents.setCurrentRow(0)
        else:
            self.browser.setPlainText(f"使用指南中没有包含“{text.strip()}”的内容。")

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        section = self._sections[int(item.data(Qt.ItemDataRole.UserRole))]
        self.browser.setMarkdown(f"## {section.title}\n\n{section.markdown}")
