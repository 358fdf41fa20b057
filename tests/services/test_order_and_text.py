"""Issue 9: departments in pinyin order in every service list; 时限 phrases shown normalised; a
deadline met once per department however many roles it has on the measure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file, parse_text
from app.services.context import Services
from app.storage import Storage

# Three names whose code-point order (人 < 北 < 市) is not their pinyin order (bei < ren < shi).
# 推进丙: 人民银行滕州市支行 is both lead and responsible.
DOC = """关于印发某市2021年某某工作方案的通知
一、开办企业
1.推进甲。6月底前完成。（牵头部门：市交通运输局；责任部门：人民银行滕州市支行、北辛街道）
2.推进乙。６月底前完成。（牵头部门：北辛街道；责任部门：人民银行滕州市支行）
3.推进丙。10 月底前完成。（牵头部门：人民银行滕州市支行；责任部门：人民银行滕州市支行、北辛街道）
"""
PINYIN = ["北辛街道", "人民银行滕州市支行", "市交通运输局"]
BANK = "人民银行滕州市支行"


@pytest.fixture
def services(storage: Storage) -> Services:
    services = Services.for_storage(storage)
    services.plans.import_plan(parse_text(DOC, "doc.txt"))
    return services


def _plan(services: Services) -> str:
    return services.ledger.plan_choices()[0][0]


def _department(services: Services, name: str) -> str:
    return next(i for i, n in services.ledger.department_choices() if n == name)


def _measure(services: Services, title: str) -> str:
    return services.storage.db.execute(
        "SELECT id FROM measures WHERE title = ? AND deleted = 0", [title]
    ).fetchone()[0]


# ---- Pinyin order -----------------------------------------------------------------------------


def test_department_lists_are_in_pinyin_order(services: Services) -> None:
    assert [name for _id, name in services.ledger.department_choices()] == PINYIN
    assert [info.name for info in services.departments.list()] == PINYIN


def test_the_department_overview_breaks_ties_by_pinyin(services: Services) -> None:
    # At 2021-01-04 nothing is overdue: the order is by measures led, then by name.
    names = [d.name for d in services.details.departments(as_of=date(2021, 1, 4))]
    assert names == PINYIN  # each leads one measure


def test_aliases_are_listed_in_pinyin_order(services: Services) -> None:
    directory = services.departments
    bank = _department(services, BANK)
    for name in ("人行滕州支行", "北辛办事处"):  # code point: 人 < 北
        other = services.repository.insert("departments", {"name": name, "is_group": 0})
        directory.merge(bank, other)
    assert directory.get(bank).aliases == ("北辛办事处", "人行滕州支行")


def test_round_replies_and_sheets_come_in_pinyin_order(services: Services, tmp_path: Path) -> None:
    progress = services.progress
    round_id = progress.create_round("2021年6月调度", _plan(services), None, date(2021, 6, 1))
    addressees = progress.addressees(round_id).departments
    assert [a.name for a in addressees] == PINYIN
    paths = progress.export_sheets(round_id, tmp_path, date(2021, 6, 1))
    assert [p.name for p in paths] == [f"2021年6月调度-{name}.xlsx" for name in PINYIN]
    assert [r.department_name for r in progress.replies(round_id)] == PINYIN


def test_reminder_groups_with_equal_counts_are_in_pinyin_order(services: Services) -> None:
    # At 2021-07-01 the bank and 北辛街道 both have two overdue milestones, 市交通运输局 one.
    groups = services.reminders.collect(as_of=date(2021, 7, 1), soon_days=0)
    assert [g.department for g in groups] == PINYIN
    assert [(g.overdue_count, len(g.items)) for g in groups] == [(2, 2), (2, 2), (1, 1)]


def test_the_ledger_export_lists_departments_in_pinyin_order(services: Services) -> None:
    document = services.ledger_export.build(None, date(2021, 1, 4))
    # Nothing overdue yet; the bank and 北辛街道 have three measures each.
    assert [(line.name, line.total) for line in document.departments] == [
        ("北辛街道", 3),
        ("人民银行滕州市支行", 3),
        ("市交通运输局", 1),
    ]


# ---- A milestone once per department -----------------------------------------------------------


def test_a_department_in_two_roles_is_reminded_once_as_lead(services: Services) -> None:
    groups = services.reminders.collect(as_of=date(2021, 10, 29), soon_days=5)
    bank = next(g for g in groups if g.department == BANK)
    items = [item for item in bank.items if item.measure_title == "推进丙"]
    assert len(items) == 1 and items[0].role.label == "牵头"
    assert len(items[0].milestone_ids) == 1


@pytest.mark.parametrize("as_of", [date(2021, 7, 1), date(2021, 12, 31)])
def test_the_sample_plan_reminds_each_deadline_once(storage: Storage, as_of: date) -> None:
    # In the sample, 7.3 names 人民银行滕州市支行 as lead and as responsible (its "2021年底" came
    # up twice at the year's end); 2.4 says "6月底前" in two sentences, which listed
    # "2.4 … 6月底前 2021-06-30" twice for 市行政审批服务局 and 市自然资源局 on 2021-07-01, and
    # 4.1 says "6月底前" and "6月底" for the same day.
    services = Services.for_storage(storage)
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    groups = services.reminders.collect(as_of=as_of, soon_days=5)
    for group in groups:
        lines = [(item.number, item.due) for item in group.items]
        assert len(lines) == len(set(lines)), group.department
        milestones = [m for item in group.items for m in item.milestone_ids]
        assert len(milestones) == len(set(milestones)), group.department
    approval = next(g for g in groups if g.department == "市行政审批服务局")
    twice = next(item for item in approval.items if item.number == "2.4")
    assert len(twice.milestone_ids) == 2 and twice.raw == "6月底前"  # both kept, listed once
    worded_twice = next(item for item in approval.items if item.number == "4.1")
    assert worded_twice.raw == "6月底前、6月底"


def test_a_department_in_two_roles_gets_one_sheet_row_per_milestone(services: Services) -> None:
    progress = services.progress
    round_id = progress.create_round("2021年6月调度", _plan(services), None, date(2021, 6, 1))
    items = progress.sheet_items(round_id, _department(services, BANK))
    milestones = [item.milestone_id for item in items if item.milestone_id]
    assert len(milestones) == len(set(milestones)) == 3  # one per measure
    roles = {item.measure_id: item.role.label for item in items}
    assert roles[_measure(services, "推进丙")] == "牵头"


# ---- 时限 as displayed and exported -------------------------------------------------------------


def test_deadline_phrases_are_shown_normalised_and_stored_as_written(services: Services) -> None:
    stored = {
        raw
        for (raw,) in services.storage.db.execute("SELECT raw FROM milestones WHERE deleted = 0")
    }
    assert stored == {"6月底前", "６月底前", "10 月底前"}  # the plan's own text is kept

    detail = services.details.measure(_measure(services, "推进乙"), as_of=date(2021, 7, 1))
    assert [m.raw for m in detail.milestones] == ["6月底前"]
    detail = services.details.measure(_measure(services, "推进丙"), as_of=date(2021, 7, 1))
    assert [m.raw for m in detail.milestones] == ["10月底前"]

    reminded = {
        item.raw
        for group in services.reminders.collect(as_of=date(2021, 11, 1), soon_days=0)
        for item in group.items
    }
    assert reminded == {"6月底前", "10月底前"}

    progress = services.progress
    round_id = progress.create_round("2021年6月调度", _plan(services), None, date(2021, 6, 1))
    sheet = progress.sheet_items(round_id, _department(services, "北辛街道"))
    assert sorted(item.deadline for item in sheet) == ["10月底前", "6月底前", "6月底前"]

    document = services.ledger_export.build(None, date(2021, 7, 1))
    exported = {d.raw for row in document.rows for d in row.deadlines}
    assert exported == {"6月底前", "10月底前"}


def test_re_importing_the_same_document_still_sees_no_change(services: Services) -> None:
    # The comparison with the stored plan uses the raw text: normalising the display must not
    # make an unchanged plan look revised.
    diff = services.plans.diff(parse_text(DOC, "doc.txt"))
    assert (len(diff.added), len(diff.changed), len(diff.removed)) == (0, 0, 0)
