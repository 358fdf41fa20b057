from __future__ import annotations

from app.services.ledger import LedgerQueries
from app.storage import Storage
from tests.conftest import add_sample_plan
from ui.changes import ChangeNotifier
from ui.pages.ledger_page import LedgerPage


def _page(qtbot, storage: Storage) -> LedgerPage:
    notifier = ChangeNotifier(storage.repository)
    page = LedgerPage(LedgerQueries(storage.db), notifier)
    page._notifier = notifier  # keep it alive as long as the page
    qtbot.addWidget(page)
    return page


def test_the_tree_follows_writes_through_the_repository(qtbot, storage: Storage) -> None:
    page = _page(qtbot, storage)
    assert page.is_showing_empty_state()

    add_sample_plan(storage, areas=2, measures_per_area=3)
    qtbot.waitUntil(lambda: not page.is_showing_empty_state())
    plan_item = page.tree.topLevelItem(0)
    assert plan_item.text(1) == "滕州市深入优化营商环境创新突破行动落实方案（滕政发〔2021〕9号）"
    assert plan_item.childCount() == 2
    assert plan_item.child(0).text(1) == "领域1（3 项）"
    assert [plan_item.child(1).child(i).text(1) for i in range(3)] == [
        "措施2-1",
        "措施2-2",
        "措施2-3",
    ]

    measure = storage.db.execute("SELECT id FROM measures WHERE title = '措施2-2'").fetchone()[0]
    storage.repository.delete("measures", measure)
    qtbot.waitUntil(lambda: page.tree.topLevelItem(0).child(1).childCount() == 2)


def test_deleting_the_only_plan_brings_back_the_empty_state(qtbot, storage: Storage) -> None:
    plan_id = add_sample_plan(storage, areas=1, measures_per_area=1)
    page = _page(qtbot, storage)
    assert not page.is_showing_empty_state()
    storage.repository.delete("plans", plan_id)
    qtbot.waitUntil(page.is_showing_empty_state)
