"""TextTableView paints a LazyTableModel's cells itself: every visible cell, with the model's
tints and text colours, the selection, elided text — and nothing stale after the rows change.

The pixel checks look at the rendered widget: a cell's background and whether its text is drawn
in a colour, never at exact glyph shapes (fonts differ between machines)."""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QMenu,
    QStyledItemDelegate,
    QStyleFactory,
    QTableView,
)

from tests.ui.inspection_scene import Scene
from ui.models.inspection_tables import FindingTableModel
from ui.models.lazy_table import BACKGROUND, FOREGROUND, LazyTableModel, Looks
from ui.widgets.inspection_tables import column_actions
from ui.widgets.text_table import TextTableView

RED = QColor("#d93025")
TINT = QColor("#fde7e5")
GREEN = QColor("#eaf6ec")
LONG = "窗口工作人员未落实一次性告知制度，群众因材料不全多次往返，反映强烈，需要限期整改到位"


class Problems(LazyTableModel):
    """日期, 问题, 状态: an overdue row's 状态 is red on a red tint, a closed one's tinted green."""

    HEADERS = ("日期", "问题", "状态")
    SORT_KEYS = (None, None, None)
    UNIQUE_COLUMNS = frozenset({1})

    def present(self, values: tuple[Any, ...]) -> tuple[tuple[str, ...], Hashable]:
        self.presented = getattr(self, "presented", 0) + 1
        _id, day, text, state = values
        return (day, text, state), state

    def looks(self, kind: Hashable) -> tuple[Looks, ...]:
        overdue, closed = kind == "逾期", kind == "已销号"
        tint = QBrush(TINT) if overdue else QBrush(GREEN) if closed else None
        return (
            (),
            (),
            ((FOREGROUND, QBrush(RED) if overdue else None), (BACKGROUND, tint)),
        )


def _source(rows: list[tuple[str, str, str]]):
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (id TEXT, day TEXT, text TEXT, state TEXT)")
    connection.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [(str(n), *row) for n, row in enumerate(rows)],
    )
    return lambda _sort, _descending: connection.execute("SELECT * FROM t ORDER BY rowid")


ROWS = [
    ("2021-09-30", "台账资料不全", "待整改"),
    ("2021-09-29", "违规收取工本费", "逾期"),
    ("2021-09-28", "综合窗口无人值守", "已销号"),
] + [("2021-09-01", f"第{n}项问题", "待整改") for n in range(200)]


@pytest.fixture
def table(qtbot):
    model = Problems()
    view = TextTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    for column, width in enumerate((100, 220, 90)):
        view.setColumnWidth(column, width)
    qtbot.addWidget(view)
    view.resize(460, 300)
    model.set_source(_source(ROWS))
    view.show()
    qtbot.waitExposed(view)
    return view


def _image(view: TextTableView) -> QImage:
    return view.viewport().grab().toImage()


def _cell(view: TextTableView, row: int, column: int):
    rect = view.visualRect(view.model().index(row, column))
    return rect.adjusted(1, 1, -2, -2)


def _colours(image: QImage, rect) -> set[str]:
    return {
        image.pixelColor(x, y).name()
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    }


def _has_text(image: QImage, rect, background: QColor) -> bool:
    return len(_colours(image, rect) - {background.name()}) > 0


def test_every_visible_cell_is_painted_and_only_those(table: TextTableView) -> None:
    image = _image(table)
    visible = sum(
        1
        for row in range(table.model().rowCount())
        if table.visualRect(table.model().index(row, 0)).intersects(table.viewport().rect())
    )
    assert 8 <= visible < 20
    assert table.painted_cells == visible * 3
    base = table.palette().base().color()
    for row in range(visible - 1):  # the last one may be cut by the bottom edge
        for column in range(3):
            assert _has_text(image, _cell(table, row, column), base), (row, column)
    # Only what was painted was presented: the rest of the first 100 rows wait for a scroll.
    assert table.model().presented <= visible + 1


def test_the_models_tints_and_text_colours(table: TextTableView) -> None:
    image = _image(table)
    overdue = _colours(image, _cell(table, 1, 2))
    assert TINT.name() in overdue
    assert any(_reddish(QColor(name)) for name in overdue)  # red text on the tint
    assert GREEN.name() in _colours(image, _cell(table, 2, 2))
    plain = _colours(image, _cell(table, 0, 2))
    assert TINT.name() not in plain and GREEN.name() not in plain
    assert not any(_reddish(QColor(name)) for name in plain)  # the usual text colour


def _reddish(colour: QColor) -> bool:
    return colour.red() > 150 and colour.green() < 120 and colour.blue() < 120


def test_the_selected_row_is_highlighted(table: TextTableView) -> None:
    table.selectRow(1)
    image = _image(table)
    highlight = table.palette().highlight().color().name()
    for column in range(3):
        colours = _colours(image, _cell(table, 1, column))
        assert highlight in colours
        assert TINT.name() not in colours  # the selection wins over a tint, as in Qt
    assert highlight not in _colours(image, _cell(table, 0, 1))


def test_long_text_is_elided_within_its_cell(table: TextTableView) -> None:
    table.model().set_source(_source([("2021-09-30", LONG, "待整改")]))
    shown = table.shown_text(0, 1)
    assert shown.endswith("…") and LONG.startswith(shown[:-1])
    assert table.fontMetrics().horizontalAdvance(shown) <= table.columnWidth(1) - 1
    table.setColumnWidth(1, 1200)
    assert table.shown_text(0, 1) == LONG
    assert table.shown_text(0, 0) == "2021-09-30"


def test_text_is_drawn_as_plain_text_on_one_line(table: TextTableView) -> None:
    table.model().set_source(_source([("2021-09-30", "<b>加粗</b>\n第二行", "待整改")]))
    assert table.shown_text(0, 1) == "<b>加粗</b> 第二行"


def test_nothing_stale_after_the_rows_change(qtbot, table: TextTableView) -> None:
    """Row 0's text is cached once drawn; a new query (a filter) must show the new row 0."""
    _image(table)
    _image(table)  # drawn twice: its laid-out text is kept
    table.model().set_source(_source(list(reversed(ROWS[:3]))))
    after = _image(table)
    fresh = TextTableView()
    qtbot.addWidget(fresh)
    fresh.setModel(Problems())
    fresh.verticalHeader().hide()
    fresh.verticalHeader().setDefaultSectionSize(24)
    for column, width in enumerate((100, 220, 90)):
        fresh.setColumnWidth(column, width)
    fresh.resize(table.size())
    fresh.model().set_source(_source(list(reversed(ROWS[:3]))))
    fresh.show()
    qtbot.waitExposed(fresh)
    expected = _image(fresh)
    for column in range(3):
        rect = _cell(table, 0, column)
        assert after.copy(rect) == expected.copy(rect), column


def test_a_new_font_lays_the_text_out_again(table: TextTableView) -> None:
    before = table.shown_text(0, 1)
    _image(table)
    font = QFont(table.font())
    font.setPointSize(font.pointSize() * 3)
    table.setFont(font)
    table.setColumnWidth(1, 80)
    _image(table)
    assert table.shown_text(0, 1) != before  # elided for the bigger font
    assert table.fontMetrics().horizontalAdvance(table.shown_text(0, 1)) <= 80


def test_another_model_is_painted_by_qt(qtbot) -> None:
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    model = QStandardItemModel(2, 2)
    model.setItem(0, 0, QStandardItem("甲"))
    view = TextTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    painted: list[str] = []

    class Spy(QStyledItemDelegate):
        def paint(self, painter, option, index) -> None:
            painted.append(index.data() or "")

    view.setItemDelegate(Spy(view))
    view.show()
    qtbot.waitExposed(view)
    view.viewport().grab()
    assert "甲" in painted


# ---- The findings list ----------------------------------------------------------------------


def test_the_findings_list_shows_what_the_office_works_from(qtbot, window, storage) -> None:
    Scene(storage)
    window.show_page("inspections")
    page = window.inspections_page
    page.show_tab(page.findings_tab)
    table = page.finding_table
    shown = [
        FindingTableModel.HEADERS[c]
        for c in range(len(FindingTableModel.HEADERS))
        if not table.isColumnHidden(c)
    ]
    assert shown == ["发现日期", "问题", "严重程度", "责任部门", "整改期限", "状态"]
    actions = {action.text(): action for action in column_actions(table)}
    assert list(actions) == ["类别", "方式", "措施"]
    assert not any(action.isChecked() for action in actions.values())
    actions["措施"].setChecked(True)
    assert not table.isColumnHidden(FindingTableModel.COL_MEASURE)
    assert column_actions(table)[2].isChecked()
    actions["措施"].setChecked(False)
    assert table.isColumnHidden(FindingTableModel.COL_MEASURE)


def test_the_header_menu_offers_the_other_columns(qtbot, window, storage) -> None:
    Scene(storage)
    window.show_page("inspections")
    page = window.inspections_page
    page.show_tab(page.findings_tab)
    table = page.finding_table
    header = table.horizontalHeader()
    assert header.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    header.customContextMenuRequested.emit(QPoint(10, 5))
    menu = table.findChild(QMenu, "column_menu")
    assert menu is not None and menu.isVisible()
    assert [a.text() for a in menu.actions() if a.isCheckable()] == ["类别", "方式", "措施"]
    [kind] = [a for a in menu.actions() if a.text() == "方式"]
    kind.trigger()
    assert not table.isColumnHidden(FindingTableModel.COL_KIND)
    menu.close()
    qtbot.waitUntil(lambda: table.findChild(QMenu, "column_menu") is None)


def _twin(qtbot, cls: type, style: str) -> Any:
    """The fixture's table, as ``cls`` paints it in ``style``."""
    model = Problems()
    view = cls()
    view.setStyle(QStyleFactory.create(style))
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    for column, width in enumerate((100, 120, 90)):
        view.setColumnWidth(column, width)
    qtbot.addWidget(view)
    view.resize(360, 200)
    model.set_source(_source([*ROWS[:3], ("2021-09-02", LONG, "逾期"), *ROWS[3:]]))
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.mark.parametrize("style", ["Fusion", "Windows"])
@pytest.mark.parametrize("state", ["plain", "selected", "focused", "scrolled", "disabled"])
def test_it_looks_exactly_like_the_standard_table(qtbot, state: str, style: str) -> None:
    """Pixel for pixel what QTableView with its delegate draws: tints, red text, elision,
    selection, the focus frame on the current cell, the grid — in each style at hand (the
    selected and focused rows are the delegate's, drawn as the style wants them)."""
    views = [_twin(qtbot, cls, style) for cls in (TextTableView, QTableView)]
    for view in views:
        if state in ("selected", "focused"):
            view.selectRow(1)
        if state == "focused":
            view.setFocus()
            qtbot.keyClick(view, Qt.Key.Key_Down)  # a keyboard move: Qt draws the focus frame
            qtbot.keyClick(view, Qt.Key.Key_Right)
            assert view.currentIndex().row() == 2
        if state == "scrolled":
            view.scrollTo(view.model().index(150, 0))
        if state == "disabled":
            view.setEnabled(False)
    ours, theirs = (_image(view) for view in views)
    assert views[0].painted_cells > 0  # ours did the painting
    assert ours == theirs


def test_the_findings_list_sorts_and_walks_by_keyboard_as_painted(qtbot, window, storage) -> None:
    """A click on 整改期限 re-sorts and the painted rows follow; Down and Ctrl+End move the
    selection, and the highlight is painted on the row moved to."""
    Scene(storage)
    window.show_page("inspections")
    page = window.inspections_page
    page.show_tab(page.findings_tab)
    table, model = page.finding_table, page.finding_model
    m = FindingTableModel
    header = table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(m.COL_DUE) + 5, 5),
    )
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    dues = [model.cell(row, m.COL_DUE) for row in range(3)]
    assert dues == sorted(dues) or dues == sorted(dues, reverse=True)
    _image(table)
    assert [table.shown_text(row, m.COL_DUE) for row in range(3)] == dues
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1
    assert [i.row() for i in table.selectionModel().selectedRows()] == [1]
    image = _image(table)
    highlight = table.palette().highlight().color().name()
    assert highlight in _colours(image, _cell(table, 1, m.COL_FOUND))
    assert highlight not in _colours(image, _cell(table, 0, m.COL_FOUND))
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() == 2
    assert highlight in _colours(_image(table), _cell(table, 2, m.COL_FOUND))
