"""Wording found by the new-user walkthrough: no redundant conversions, no clause cut mid-word,
no two chase-list lines that read the same."""

from __future__ import annotations

from datetime import date

from app.domain.ledger import Role
from app.services.measured import check_measured
from app.services.progress.model import ItemKind, MissingReport, ReplyStatus, RoundInfo, SheetItem


def test_a_value_typed_in_the_targets_unit_is_not_converted_to_itself() -> None:
    assert check_measured("<=", 0.5, "工作日", "1个工作日").summary == (
        "实测 1个工作日，目标 ≤ 0.5工作日：未达标"
    )
    # A real conversion is still shown.
    assert "（合 0.75工作日）" in check_measured("<=", 0.5, "工作日", "6小时").summary


def _item(number: str, clause: str, deadline: str) -> SheetItem:
    return SheetItem(
        ItemKind.MILESTONE,
        "measure",
        f"milestone-{clause[:4]}",
        None,
        Role.LEAD,
        "工程建设",
        number,
        f"优化联合竣工验收流程\n{clause}",
        deadline,
    )


def test_the_chase_list_tells_two_items_with_the_same_deadline_apart() -> None:
    items = (
        _item("2.4", "6月底前，推行竣工联合验收，统一验收图纸和验收标准。", "6月底前"),
        _item("2.4", "6月底前，将人防工程竣工验收备案纳入联合验收。", "6月底前"),
        _item("2.5", "9月底前，实现竣工验收全程网办。", "9月底前"),
    )
    round_ = RoundInfo("r", "第三轮调度", None, date(2021, 8, 5), date(2021, 7, 30))
    reply = ReplyStatus(
        "d", "市住房城乡建设局", date(2021, 7, 30), 3, date(2021, 8, 4), 1, False, items
    )
    lines = MissingReport(round_, [reply]).text().splitlines()[-3:]
    assert len(set(lines)) == 3
    head = "  2.4 优化联合竣工验收流程（6月底前）："
    assert lines[0] == head + "6月底前，推行竣工联合验收，统一验收图纸和验收标准。"
    assert lines[1].startswith("  2.4 优化联合竣工验收流程（6月底前）：6月底前，将人防工程")
    assert lines[2] == "  2.5 优化联合竣工验收流程（9月底前）"  # unique: as short as before
