"""导入实施方案: choose a file, check and correct what was parsed, then store it.

The source text sits beside the parsed tree; selecting a measure highlights its span, its
departments and its deadlines in the source. Warnings (提示) are listed; clicking one selects its
measure (or heading) in the tree and marks the phrase it is about in the source, scrolled into
view (``ParseWarning.span`` and its area/measure indices, set by the parser). When
the document is a revision of a plan already in the ledger, the tree marks added and changed
measures and lists the ones that will be removed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.storage.errors import user_message
from ui.tasks import run_in_background
from ui.widgets.file_dialogs import FileDialogs, FilePurpose
from ui.widgets.measure_editor import MeasureEditor
from ui.widgets.progress import ProgressTask, run_with_progress
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from app.plan_import import ParsedArea, ParsedMeasure, ParsedPlan
    from app.progress import Progress
    from app.services.plan_store import ImportResult, PlanDiff, PlanStore

MEASURE_COLOUR = QColor("#fff3b0")
DEPARTMENT_COLOUR = QColor("#cde4ff")
DEADLINE_COLOUR = QColor("#d4f5d4")
WARNING_COLOUR = QColor("#ffb74d")  # the phrase a clicked hint is about, over the others
ADDED_BRUSH = QBrush(QColor("#1a7f37"))
CHANGED_BRUSH = QBrush(QColor("#b35900"))
REMOVED_BRUSH = QBrush(QColor("#888888"))
# How sure the parser is of a measure (app/plan_import/confidence.py): the 核对 column.
CONFIDENCE_BRUSHES = {"low": QBrush(QColor("#ffcdd2")), "medium": QBrush(QColor("#ffe9b3"))}
REVIEW_KEY = "F8"
CHECK_ORDER = {"low": 0, "medium": 1}  # 存疑, 请核对, then the measures read with confidence


def read_and_parse(path: Path, progress: Progress | None = None) -> tuple[str, ParsedPlan]:
    """Runs on a worker thread; ``progress`` may raise ``Cancelled`` (app/progress.py). What the
    reader knows about the file (a PDF's rebuilt paragraphs, a table rebuilt from cells) goes to
    the parser, whose doubts become the measures' confidence."""
    from app.plan_import import parse_text
    from app.plan_import.parser import READ_SHARE
    from app.plan_import.reader import read_source
    from app.progress import part

    source = read_source(path, part(progress, 0.0, READ_SHARE))
    plan = parse_text(source.text, path.name, part(progress, READ_SHARE, 1.0), source=source)
    return source.text, plan


def choose_plan_file(parent: QWidget, files: FileDialogs | None = None) -> Path | None:
    """A plan document, from the folder the last plan came from."""
    return (files or FileDialogs()).open_file(parent, FilePurpose.PLAN_IMPORT)


class PlanImportDialog(QDialog):
    COL_NO, COL_TITLE, COL_LEAD, COL_DUE, COL_CHANGE, COL_CHECK = range(6)

    sig_loaded = Signal()

    def __init__(self, store: PlanStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入实施方案")
        fit_to_screen(self, 1280, 800)
        self._store = store
        self.parsed: ParsedPlan | None = None
        self.source_text = ""
        self.diff: PlanDiff | None = None
        self.result: ImportResult | None = None
        self.loading: ProgressTask | None = None
        self._review: list[tuple[int, int]] = []  # doubtful measures, "low" first
        self.reviewed: set[tuple[int, int]] = set()  # of those, the ones the user has looked at
        self._from_pdf = False

        self.file_label = QLabel("尚未选择文件")
        choose = QPushButton("选择文件(&O)…")
        choose.setShortcut(QKeySequence.StandardKey.Open)
        choose.clicked.connect(self._choose_file)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel("文件："))
        top.addWidget(self.file_label, 1)
        top.addWidget(self.busy)
        top.addWidget(choose)

        self.plan_title = QLineEdit()
        self.doc_number = QLineEdit()
        self.issuer = QLineEdit()
        self.issued_on = QLineEdit()
        self.issued_on.setPlaceholderText("例如 2021-06-18")
        meta = QFormLayout()
        meta.addRow("方案标题", self.plan_title)
        row = QHBoxLayout()
        for label, edit in (
            ("文号", self.doc_number),
            ("发文机关", self.issuer),
            ("成文日期", self.issued_on),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(edit, 1)
        meta.addRow(row)
        self.diff_label = QLabel()
        self.diff_label.setWordWrap(True)
        font = self.diff_label.font()
        font.setBold(True)
        self.diff_label.setFont(font)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["序号", "措施", "牵头部门", "时限", "变化", "核对"])
        self.tree.setUniformRowHeights(True)
        self.tree.setColumnWidth(self.COL_NO, 64)
        self.tree.setColumnWidth(self.COL_TITLE, 300)
        self.tree.header().moveSection(self.COL_CHECK, 1)  # shown beside the number
        self.tree.setColumnWidth(self.COL_CHECK, 60)
        self.tree.currentItemChanged.connect(self._on_current_item)
        self.tree.itemChanged.connect(self._on_area_renamed)
        self.tree.setEditTriggers(QTreeWidget.EditTrigger.DoubleClicked)
        self.editor = MeasureEditor()
        self.editor.sig_edited.connect(self._on_measure_edited)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.tree)
        left.addWidget(self.editor)
        left.setSizes([460, 300])

        self.source = QPlainTextEdit()
        self.source.setReadOnly(True)
        self.source.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.warnings_label = QLabel("提示")
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        self.warnings.itemActivated.connect(self._on_warning)
        self.warnings.itemClicked.connect(self._on_warning)
        self._warning_span: tuple[int, int] | None = None
        right_bottom = QWidget()
        right_bottom_layout = QVBoxLayout(right_bottom)
        right_bottom_layout.setContentsMargins(0, 0, 0, 0)
        right_bottom_layout.addWidget(self.warnings_label)
        right_bottom_layout.addWidget(self.warnings)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.source)
        right.addWidget(right_bottom)
        right.setSizes([560, 200])

        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(left)
        middle.addWidget(right)
        middle.setSizes([700, 580])

        # The doubtful measures, counted, and walked through with one key.
        self.review_label = QLabel()
        self.review_label.setWordWrap(True)
        self.next_doubt = QPushButton(f"下一项待核对({REVIEW_KEY})")
        self.next_doubt.setShortcut(QKeySequence(REVIEW_KEY))
        self.next_doubt.setToolTip("依次选中需要核对的措施：先“存疑”，再“请核对”")
        self.next_doubt.clicked.connect(self.next_doubtful)
        self.next_doubt.setEnabled(False)
        self.doubtful_first = QCheckBox("需核对的排在前面")
        self.doubtful_first.setToolTip(
            "领域和措施按核对结果排列：先“存疑”，再“请核对”；不勾选时按原文顺序"
        )
        self.doubtful_first.toggled.connect(self._order_tree)
        self._items: dict[tuple[int, int | None], QTreeWidgetItem] = {}
        review = QHBoxLayout()
        review.addWidget(self.review_label, 1)
        review.addWidget(self.doubtful_first)
        review.addWidget(self.next_doubt)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("导入台账")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(meta)
        layout.addWidget(self.diff_label)
        layout.addLayout(review)
        layout.addWidget(middle, 1)
        layout.addWidget(self.buttons)

    # ---- Public API -------------------------------------------------------------------------

    def load_file(self, path: Path) -> None:
        """Read and parse ``path`` off the UI thread behind a progress dialog with 取消, then
        show it. Cancelling keeps whatever the dialog showed before."""
        if self.is_busy():
            return
        shown = self.file_label.text()
        self.file_label.setText(str(path))
        self.busy.show()
        self.import_button.setEnabled(False)

        def cancelled() -> None:
            self.busy.hide()
            self.file_label.setText(shown)
            self.import_button.setEnabled(self.parsed is not None)

        self.loading = run_with_progress(
            self,
            "导入实施方案",
            f"正在读取并解析“{path.name}”…",
            lambda progress: read_and_parse(path, progress),
            self._on_parsed,
            self._on_parse_failed,
            cancelled,
        )

    def is_loaded(self) -> bool:
        return self.parsed is not None and self.busy.isHidden()

    def is_busy(self) -> bool:
        """Reading, parsing or saving is under way (on a worker)."""
        return not self.busy.isHidden()

    def select_measure(self, area_no: int, measure_no: int) -> bool:
        for index in range(self.tree.topLevelItemCount()):
            area_item = self.tree.topLevelItem(index)
            for child in range(area_item.childCount()):
                item = area_item.child(child)
                entry = self.measure_of(item)
                if entry and entry[0].no == area_no and entry[1].no == measure_no:
                    self.tree.setCurrentItem(item)
                    return True
        return False

    def next_doubtful(self) -> bool:
        """Select the next measure to check after the current one ("low" ones first, then
        "medium", in document order; after the last, the first again). False: none."""
        if not self._review:
            return False
        current = self.tree.currentItem()
        key = self._key(current)
        at = self._review.index(key) + 1 if key in self._review else 0
        area_index, measure_index = self._review[at % len(self._review)]
        item = self.tree_item(area_index, measure_index)
        if item is None:
            return False
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)
        return True

    def _key(self, item: QTreeWidgetItem | None) -> tuple[int, int] | None:
        """(area index, measure index) of a measure's row, else None."""
        key = item.data(self.COL_NO, Qt.ItemDataRole.UserRole) if item is not None else None
        if not key or key[1] is None:
            return None
        return int(key[0]), int(key[1])

    def unreviewed(self, level: str = "low") -> list[tuple[int, int]]:
        """The doubtful measures of ``level`` not looked at yet."""
        if self.parsed is None:
            return []
        areas = self.parsed.areas
        return [
            key
            for key in self._review
            if key not in self.reviewed and areas[key[0]].measures[key[1]].confidence == level
        ]

    def measure_of(self, item: QTreeWidgetItem | None) -> tuple[ParsedArea, ParsedMeasure] | None:
        """The (area, measure) a tree row shows, or None for area and removed rows."""
        if item is None or self.parsed is None:
            return None
        key = item.data(self.COL_NO, Qt.ItemDataRole.UserRole)
        if not key or key[1] is None:
            return None
        area = self.parsed.areas[key[0]]
        return area, area.measures[key[1]]

    def highlighted_spans(self) -> list[tuple[int, int]]:
        return [
            (selection.cursor.selectionStart(), selection.cursor.selectionEnd())
            for selection in self.source.extraSelections()
        ]

    def warning_span(self) -> tuple[int, int] | None:
        """The phrase of the hint last clicked, as marked in the source (None: nothing marked)."""
        for selection in self.source.extraSelections():
            if selection.format.background().color() == WARNING_COLOUR:
                return selection.cursor.selectionStart(), selection.cursor.selectionEnd()
        return None

    def tree_item(
        self, area_index: int | None, measure_index: int | None
    ) -> QTreeWidgetItem | None:
        """The tree row of an area (``measure_index`` None) or of one of its measures (in
        whatever order the tree shows them)."""
        if area_index is None or self.parsed is None:
            return None
        return self._items.get((area_index, measure_index))

    def _order_tree(self) -> None:
        """The rows in the document's order, or (需核对的排在前面) the doubtful first: per area
        存疑, then 请核对, then the rest, and the areas holding the most doubtful ones first."""
        if self.parsed is None:
            return
        areas = self.parsed.areas
        doubtful = self.doubtful_first.isChecked()

        def rank(key: tuple[int, int]) -> int:
            measure = areas[key[0]].measures[key[1]]
            return CHECK_ORDER.get(measure.confidence, 2) if measure.doubts and doubtful else 2

        current = self.tree.currentItem()
        self.tree.blockSignals(True)
        tops = [self.tree.takeTopLevelItem(0) for _ in range(self.tree.topLevelItemCount())]
        area_items = [item for item in tops if self._key_of(item) is not None]
        rest = [item for item in tops if self._key_of(item) is None]  # 将删除的措施
        best: dict[int, int] = {}
        for area_item in area_items:
            children = area_item.takeChildren()
            keys = {id(child): self._key(child) for child in children}
            children.sort(key=lambda child: (rank(keys[id(child)]), keys[id(child)][1]))
            area_item.addChildren(children)
            area_index = self._key_of(area_item)
            best[area_index] = min((rank(keys[id(c)]) for c in children), default=2)
        area_items.sort(key=lambda item: (best[self._key_of(item)], self._key_of(item)))
        self.tree.addTopLevelItems(area_items + rest)
        for item in area_items + rest:
            item.setExpanded(True)
        self.tree.blockSignals(False)
        if current is not None:
            self.tree.setCurrentItem(current)
            self.tree.scrollToItem(current)

    def _key_of(self, item: QTreeWidgetItem) -> int | None:
        """The area index of an area's row (None for the 将删除的措施 group)."""
        key = item.data(self.COL_NO, Qt.ItemDataRole.UserRole)
        return int(key[0]) if key and key[1] is None else None

    def save(self) -> None:
        if self.parsed is None:
            return
        problems = self.editor.problems()
        issued = self.issued_on.text().strip()
        if issued:
            try:
                date.fromisoformat(issued)
            except ValueError:
                problems.append(f"成文日期“{issued}”的格式应为 2021-06-18")
        if not self.plan_title.text().strip():
            problems.append("方案标题不能为空")
        if problems:
            QMessageBox.warning(self, "请先改正", "以下内容无法保存：\n" + "\n".join(problems))
            return
        unseen = self.unreviewed("low")
        if unseen:
            where = "本方案的段落是从 PDF 版式还原的，" if self._from_pdf else ""
            answer = QMessageBox.question(
                self,
                "还有存疑的措施没有核对",
                f"{where}还有 {len(unseen)} 项标为“存疑”的措施没有看过，"
                "它们的领域、部门或时限可能有误。\n"
                f"建议先按 {REVIEW_KEY} 逐条核对。仍要现在导入吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.next_doubtful()
                return
        parsed = self.parsed
        parsed.title = self.plan_title.text().strip()
        parsed.doc_number = self.doc_number.text().strip()
        parsed.issuer = self.issuer.text().strip()
        parsed.date = date.fromisoformat(issued) if issued else None
        self._learn_new_departments(parsed)
        self.busy.show()
        self.import_button.setEnabled(False)
        store = self._store
        run_in_background(lambda: store.import_plan(parsed), self._on_saved, self._on_save_failed)

    # ---- Loading ------------------------------------------------------------------------------

    def _choose_file(self) -> None:
        path = choose_plan_file(self)
        if path is not None:
            self.load_file(path)

    def _on_parsed(self, result: tuple[str, ParsedPlan]) -> None:
        self.busy.hide()
        self.source_text, parsed = result
        if not parsed.measures:
            self.parsed = None
            QMessageBox.warning(
                self,
                "没有找到措施",
                "这份文件中没有找到带牵头、责任部门的措施，无法导入。\n"
                "请确认选择的是实施方案（或其附件）本身。",
            )
            return
        self.parsed = parsed
        from app.plan_import.confidence import review_order

        self._review = review_order(parsed)
        self.reviewed = set()
        self._from_pdf = any(w.code.startswith("pdf_") for w in parsed.warnings) or (
            self.file_label.text().lower().endswith(".pdf")
        )
        self.source.setPlainText(self.source_text)
        self.plan_title.setText(parsed.title)
        self.doc_number.setText(parsed.doc_number)
        self.issuer.setText(parsed.issuer)
        self.issued_on.setText(parsed.date.isoformat() if parsed.date else "")
        self.diff = self._store.diff(parsed)
        self._fill_tree(parsed, self.diff)
        self._fill_warnings(parsed)
        self.diff_label.setText(
            f"{len(parsed.areas)} 个领域，{len(parsed.measures)} 项措施。" + self.diff.summary()
        )
        self.import_button.setEnabled(True)
        self.next_doubt.setEnabled(bool(self._review))
        self._show_review()
        if not self.next_doubtful():  # the first doubtful measure, else the first measure
            first = self.tree.topLevelItem(0)
            if first is not None and first.childCount():
                self.tree.setCurrentItem(first.child(0))
        self.sig_loaded.emit()

    def _show_review(self) -> None:
        """The count of doubtful measures above the tree; in red while "存疑" ones are unseen."""
        if self.parsed is None:
            return
        levels = [self.parsed.areas[a].measures[m].confidence for a, m in self._review]
        low, medium = levels.count("low"), levels.count("medium")
        if not levels:
            self.review_label.setText("所有措施的结构、部门和时限都已确定识别。")
            self.review_label.setStyleSheet("")
            return
        seen = len(self.reviewed)
        text = (
            f"需要核对 {len(levels)} 项措施（存疑 {low} 项，请核对 {medium} 项），"
            f"已看 {seen} 项；按 {REVIEW_KEY} 逐项查看，原因见“核对”列和提示。"
        )
        if self._from_pdf and low:
            text = "本方案的段落是从 PDF 版式还原的，结构可能与原文不同。" + text
        self.review_label.setText(text)
        unseen_low = bool(self.unreviewed("low"))
        self.review_label.setStyleSheet(
            "QLabel { color: #b71c1c; font-weight: bold; }" if unseen_low else ""
        )

    def _on_parse_failed(self, error: BaseException) -> None:
        self.busy.hide()
        message = getattr(error, "message", None) or user_message(error)
        QMessageBox.critical(self, "无法读取文件", message)

    def _fill_tree(self, parsed: ParsedPlan, diff: PlanDiff) -> None:
        added = {id(measure) for _area, measure in diff.added} if not diff.is_new_plan else set()
        changed = {id(change.parsed): change for change in diff.changed}
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items: dict[tuple[int, int | None], QTreeWidgetItem] = {}
        for area_index, area in enumerate(parsed.areas):
            area_item = QTreeWidgetItem([str(area.no), area.title, "", "", ""])
            area_item.setFlags(area_item.flags() | Qt.ItemFlag.ItemIsEditable)
            area_item.setToolTip(self.COL_TITLE, "双击修改领域名称")
            area_item.setData(self.COL_NO, Qt.ItemDataRole.UserRole, (area_index, None))
            self._items[(area_index, None)] = area_item
            for measure_index, measure in enumerate(area.measures):
                item = QTreeWidgetItem(area_item)
                item.setData(self.COL_NO, Qt.ItemDataRole.UserRole, (area_index, measure_index))
                self._items[(area_index, measure_index)] = item
                self._show_measure_row(item, measure)
                if id(measure) in added:
                    item.setText(self.COL_CHANGE, "新增")
                    item.setForeground(self.COL_CHANGE, ADDED_BRUSH)
                elif id(measure) in changed:
                    item.setText(self.COL_CHANGE, "修改")
                    item.setForeground(self.COL_CHANGE, CHANGED_BRUSH)
            self.tree.addTopLevelItem(area_item)
            area_item.setExpanded(True)
        if diff.removed:
            removed = QTreeWidgetItem(
                ["", f"将删除的措施（{len(diff.removed)} 项）", "", "", "删除"]
            )
            for stored in diff.removed:
                child = QTreeWidgetItem(
                    removed, [str(stored.no or ""), stored.title, "", "", "删除"]
                )
                for column in range(6):
                    child.setForeground(column, REMOVED_BRUSH)
            removed.setForeground(self.COL_CHANGE, REMOVED_BRUSH)
            self.tree.addTopLevelItem(removed)
        self.tree.blockSignals(False)
        if self.doubtful_first.isChecked():
            self._order_tree()

    def _show_measure_row(self, item: QTreeWidgetItem, measure: ParsedMeasure) -> None:
        item.setText(self.COL_NO, str(measure.no))
        item.setText(self.COL_TITLE, measure.title)
        item.setToolTip(self.COL_TITLE, measure.title)
        item.setText(self.COL_LEAD, "、".join(measure.lead) or "（未写明）")
        dues = [f"{d.due.month}月{d.due.day}日" if d.due else d.raw for d in measure.deadlines]
        # The same day set in two sentences shows once, with how often (each stays a milestone).
        counts = Counter(dues)
        item.setText(
            self.COL_DUE,
            "；".join(f"{due}（{counts[due]} 处）" if counts[due] > 1 else due for due in counts),
        )
        from app.plan_import.confidence import LABELS

        item.setText(self.COL_CHECK, LABELS[measure.confidence] if measure.doubts else "")
        brush = CONFIDENCE_BRUSHES.get(measure.confidence)
        for column in (self.COL_NO, self.COL_CHECK):
            item.setBackground(column, brush if brush is not None else QBrush())
        item.setToolTip(self.COL_CHECK, "\n".join(f"· {doubt.message}" for doubt in measure.doubts))

    def _fill_warnings(self, parsed: ParsedPlan) -> None:
        """The hints, those about "存疑" measures first, then "请核对", then the rest."""
        from app.plan_import.confidence import ORDER

        def rank(warning) -> int:
            if warning.area_index is None or warning.measure_index is None:
                return len(ORDER)
            measure = parsed.areas[warning.area_index].measures[warning.measure_index]
            return ORDER[measure.confidence] if measure.doubts else len(ORDER)

        self.warnings.clear()
        for warning in sorted(parsed.warnings, key=rank):
            where = ""
            if warning.area_no is not None and warning.measure_no is not None:
                where = f"[{warning.area_no}.{warning.measure_no}] "
            elif warning.area_no is not None:
                where = f"[{warning.area_no}] "
            item = QListWidgetItem(where + warning.message)
            item.setData(Qt.ItemDataRole.UserRole, warning)
            if warning.span is not None or warning.area_index is not None:
                item.setToolTip("点击定位：在左侧选中相关措施，并在原文中标出")
            else:
                item.setToolTip("针对整份方案的提示，没有具体位置")
            self.warnings.addItem(item)
        self.warnings_label.setText(f"提示（{len(parsed.warnings)} 条，点击定位）")

    # ---- Selection and editing ----------------------------------------------------------------

    def _on_current_item(self, item: QTreeWidgetItem | None) -> None:
        entry = self.measure_of(item)
        year = self.parsed.date.year if self.parsed and self.parsed.date else None
        self.editor.set_measure(entry[1] if entry else None, year)
        self._warning_span = None  # moving in the tree leaves the hint behind
        if entry is not None:
            self._highlight(entry[1])
            key = self._key(item)
            if key in self._review and key not in self.reviewed:
                self.reviewed.add(key)
                self._show_review()

    def _on_area_renamed(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(self.COL_NO, Qt.ItemDataRole.UserRole)
        if key is not None and key[1] is None and column == self.COL_TITLE and self.parsed:
            area = self.parsed.areas[key[0]]
            area.title = item.text(self.COL_TITLE).strip()

    def _on_measure_edited(self) -> None:
        item = self.tree.currentItem()
        entry = self.measure_of(item)
        if entry is not None:
            self._show_measure_row(item, entry[1])

    def _on_warning(self, item: QListWidgetItem) -> None:
        """Lead to the hint's place: its measure (or heading) selected in the tree, its phrase
        marked in the source and scrolled into view."""
        warning = item.data(Qt.ItemDataRole.UserRole)
        target = self.tree_item(warning.area_index, warning.measure_index)
        if target is None and warning.area_no is not None and warning.measure_no is not None:
            self.select_measure(warning.area_no, warning.measure_no)  # older warnings
            target = self.tree.currentItem()
        if target is not None:
            self.tree.setCurrentItem(target)
            self.tree.scrollToItem(target)
        span = warning.span
        if span is None and warning.offset is not None:
            span = (warning.offset, warning.offset)
        self._warning_span = span
        entry = self.measure_of(self.tree.currentItem()) if target is not None else None
        if entry is not None:
            self._highlight(entry[1])
        elif span is not None:
            self._show_span(span[0], span[1], [], colour=None)

    def _highlight(self, measure: ParsedMeasure) -> None:
        extra = []
        for ref in measure.departments:
            if ref.source:
                extra.append((ref.source, DEPARTMENT_COLOUR))
        for deadline in measure.deadlines:
            if deadline.source:
                extra.append((deadline.source, DEADLINE_COLOUR))
        self._show_span(measure.span[0], measure.span[1], extra)

    def _show_span(
        self, start: int, end: int, extra: list, colour: QColor | None = MEASURE_COLOUR
    ) -> None:
        """Mark ``start:end`` (in ``colour``; None: not at all) and ``extra`` spans, and the
        clicked hint's phrase on top; scroll to the phrase, else to ``start``."""
        selections = []
        length = len(self.source_text)
        marks = [((start, end), colour), *extra] if colour is not None else list(extra)
        focus = self._warning_span
        if focus is not None:
            marks.append((focus, WARNING_COLOUR))
            start = focus[0]
        for (a, b), background in marks:
            if 0 <= a <= b <= length and b > a:
                selection = QTextEdit.ExtraSelection()
                selection.format = QTextCharFormat()
                selection.format.setBackground(background)
                cursor = QTextCursor(self.source.document())
                cursor.setPosition(a)
                cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selections.append(selection)
        self.source.setExtraSelections(selections)
        cursor = QTextCursor(self.source.document())
        cursor.setPosition(min(max(start, 0), length))
        self.source.setTextCursor(cursor)
        self.source.centerCursor()

    # ---- Saving -------------------------------------------------------------------------------

    @staticmethod
    def _learn_new_departments(parsed: ParsedPlan) -> None:
        """Names typed in the editor join the plan's department directory."""
        from app.plan_import import DepartmentEntry

        known = {name for entry in parsed.departments for name in (entry.name, *entry.aliases)}
        for measure in parsed.measures:
            for ref in measure.departments:
                if ref.name not in known:
                    parsed.departments.append(DepartmentEntry(ref.name))
                    known.add(ref.name)

    def _on_saved(self, result: ImportResult) -> None:
        self.busy.hide()
        self.result = result
        self.accept()

    def _on_save_failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.import_button.setEnabled(True)
        QMessageBox.critical(
            self, "导入失败", f"没有导入任何内容（台账未改变）。\n原因：{user_message(error)}"
        )
