"""The table model on its own: no widgets, plain rows from a real query."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.services.demo import build_demo
from app.services.status import LedgerStatus
from app.storage import Storage
from ui.models.ledger_table import STATUS_BACKGROUNDS, LedgerTableModel


def _model(storage: Storage) -> LedgerTableModel:
    status = LedgerStatus(storage.db)
    model = LedgerTableModel()
    model.set_source(
        lambda sort, descending: status.cursor(
            status.query(as_of=date(2021, 9, 30), sort=sort, descending=descending)
        )
    )
    return model


def test_rows_arrive_in_batches(qapp, qtmodeltester) -> None:
    storage = Storage.open_memory()
    build_demo(storage.repository, measures=1234, seed=3)
    model = _model(storage)
    assert model.rowCount() == LedgerTableModel.FIRST_BATCH
    model.fetchMore()
    assert model.rowCount() == LedgerTableModel.FIRST_BATCH + LedgerTableModel.BATCH
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 1234 and model.is_complete()
    qtmodeltester.check(model)


def test_display_values_and_sorting() -> None:
    storage = Storage.open_memory()
    build_demo(storage.repository, measures=60, seed=5)
    model = _model(storage)
    first = model.row(0)
    assert model.data(model.index(0, model.COL_NO)) == f"{first.area_no}.{first.no}"
    assert model.data(model.index(0, model.COL_STATUS)) == first.status.label
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == first.id
    assert model.data(QModelIndex()) is None
    model.sort(model.COL_DUE, Qt.SortOrder.AscendingOrder)
    dues = [model.row(i).next_due for i in range(model.rowCount())]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated) and dues[: len(dated)] == dated
    model.sort(-1)
    assert [model.row(i).no for i in range(3)] == [1, 2, 3]


def test_a_delegate_reusing_its_roles_sees_no_leftovers_from_the_previous_cell(qapp) -> None:
    # QStyledItemDelegate keeps one span of roles and reuses it from cell to cell: a model that
    # writes only the roles a cell has would leave the previous cell's dot and tint behind.
    storage = Storage.open_memory()
    build_demo(storage.repository, measures=300, seed=5)
    model = _model(storage)
    delegate = QStyledItemDelegate()
    tinted = next(
        row for row in range(model.rowCount()) if model.row(row).status in STATUS_BACKGROUNDS
    )
    plain = next(
        row for row in range(model.rowCount()) if model.row(row).status not in STATUS_BACKGROUNDS
    )

    def look(row: int, column: int) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, model.index(row, column))
        return option

    for first, second in ((tinted, plain), (plain, tinted)):
        for column in range(model.columnCount()):
            look(first, model.COL_LIGHT)
            look(first, model.COL_STATUS)
            option = look(second, column)
            assert option.text == model.data(model.index(second, column))
            assert option.icon.isNull() == (column != model.COL_LIGHT)
            tinted_now = column == model.COL_STATUS and second == tinted
            assert (option.backgroundBrush.style() != Qt.BrushStyle.NoBrush) == tinted_now
