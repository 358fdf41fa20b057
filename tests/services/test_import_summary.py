"""The import summary: what would happen before the import, what happened after it."""

from __future__ import annotations

from app.plan_import import parse_text
from app.services.context import Services
from app.storage import Storage
from tests.services.test_order_and_text import DOC


def test_the_import_summary_is_in_the_future_before_and_the_past_after(storage: Storage) -> None:
    plans = Services.for_storage(storage).plans
    parsed = parse_text(DOC, "doc.txt")
    assert plans.diff(parsed).summary() == "新方案：将导入 3 项措施。"
    result = plans.import_plan(parsed)
    assert result.summary() == "已导入新方案，共 3 项措施。"

    revised = parse_text(DOC.replace("推进乙。", "推进乙，扩大范围。"), "doc.txt")
    before = plans.diff(revised).summary()
    assert before.startswith("与台账中已有的同一方案相比：将新增 0 项") and "修改 1 项" in before
    after = plans.import_plan(revised).summary()
    assert after == "已更新方案：新增 0 项，删除 0 项，修改 1 项，未变 2 项。"
    assert "将" not in after
