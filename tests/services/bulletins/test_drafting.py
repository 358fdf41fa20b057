"""Drafting from the data: golden drafts of every kind from the fixture ledger, the office's own
templates, a template that fails, and the 暗访 rule in what a draft shows.

The golden files (golden/<name>.txt, app-independent text dumps of the GongwenDocument) were read
through by hand against the fixture (ledger.py) when written: the counts and names in them are the
fixture's. After an intended change of a default template or of the data, check the diff and
regenerate with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from app.documents.validation import problems
from app.domain.inspection import UserRole
from app.services.bulletins import (
    BulletinDrafting,
    BulletinError,
    BulletinKind,
    BulletinTemplates,
    DraftRequest,
    TemplateProblem,
)
from app.services.bulletins.defaults import default_template
from app.services.bulletins.templates import template_id
from app.storage import Storage
from app.storage.export import export_database
from tests.services.bulletins.conftest import become, supervisor
from tests.services.bulletins.dump import dump
from tests.services.bulletins.ledger import (
    AS_OF,
    COVERT_PLAN,
    COVERT_PROBLEM,
    LEAD,
    ROUND,
    SILENT,
    TAX,
)

GOLDEN = Path(__file__).parent / "golden"

REQUESTS = {
    "progress": DraftRequest(BulletinKind.PROGRESS, AS_OF, round_name=ROUND),
    "inspection": DraftRequest(BulletinKind.INSPECTION, AS_OF),
    "inspection_plan": DraftRequest(BulletinKind.INSPECTION, AS_OF, plan_name=COVERT_PLAN),
    "notice": DraftRequest(BulletinKind.NOTICE, AS_OF, department_name=LEAD),
    "praise": DraftRequest(BulletinKind.PRAISE, AS_OF),
    "criticism": DraftRequest(BulletinKind.CRITICISM, AS_OF),
}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"golden/{name}.txt differs"


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_each_kind_drafts_the_golden_document(drafting: BulletinDrafting, name: str) -> None:
    draft = drafting.draft(REQUESTS[name])
    _golden(name, dump(draft.document))
    assert draft.code == "滕政办督"
    assert draft.document.number == ""  # a draft consumes no number
    assert problems(draft.document) == []  # a draft of the defaults is a valid 公文


def test_the_progress_draft_says_what_the_round_shows(drafting: BulletinDrafting) -> None:
    text = dump(drafting.draft(REQUESTS["progress"]).document)
    # The replies of the round: on time, four days late, missing, and rows left blank.
    assert "本轮调度共向4个单位发送进展填报表，2个单位按时报送" in text
    assert "市国有资产监督管理局（晚4天）逾期报送" in text
    assert f"{SILENT}截至目前仍未报送" in text
    assert f"{TAX}有2项未填报" in text
    # Counts by status and light add up to the plan's 201 measures.
    assert "方案共分解任务措施201项" in text
    assert "——附件：逾期未完成事项清单——" in text


def test_a_progress_draft_without_a_round_name_uses_the_newest_round(
    drafting: BulletinDrafting,
) -> None:
    named = drafting.draft(REQUESTS["progress"]).document
    newest = drafting.draft(DraftRequest(BulletinKind.PROGRESS, AS_OF)).document
    assert dump(named) == dump(newest)


def test_an_unknown_round_or_department_is_refused_with_what_exists(
    drafting: BulletinDrafting,
) -> None:
    with pytest.raises(BulletinError, match=f"没有名为“9月调度”的调度轮次。已有的轮次：{ROUND}"):
        drafting.draft(DraftRequest(BulletinKind.PROGRESS, AS_OF, round_name="9月调度"))
    with pytest.raises(BulletinError, match="部门名录中没有“市不存在局”"):
        drafting.draft(DraftRequest(BulletinKind.NOTICE, AS_OF, department_name="市不存在局"))
    with pytest.raises(BulletinError, match="请指明部门"):
        drafting.draft(DraftRequest(BulletinKind.NOTICE, AS_OF))


def test_a_department_with_nothing_to_chase_gets_no_notice(drafting: BulletinDrafting) -> None:
    with pytest.raises(BulletinError, match="不需要督办通知"):
        drafting.draft(
            DraftRequest(BulletinKind.NOTICE, date(2021, 6, 1), department_name="市行政审批服务局")
        )


def test_a_praise_needs_a_red_list(drafting: BulletinDrafting) -> None:
    with pytest.raises(BulletinError, match="没有列入红榜的单位"):
        drafting.draft(
            DraftRequest(
                BulletinKind.PRAISE,
                AS_OF,
                starts_on=date(2021, 1, 1),
                ends_on=date(2021, 1, 31),
            )
        )


# ---- 暗访 confidentiality --------------------------------------------------------------------


def test_a_drafter_who_may_not_see_the_covert_record_drafts_without_it(
    storage: Storage, drafting: BulletinDrafting
) -> None:
    seen = drafting.draft(REQUESTS["inspection"])
    assert COVERT_PROBLEM in dump(seen.document)
    covert_id = storage.db.execute("SELECT id FROM inspections WHERE kind = 'covert'").fetchone()[0]
    assert covert_id in seen.cited

    become(storage, "李四", UserRole.INSPECTOR)  # not an inspector of the 暗访 plan
    hidden = drafting.draft(REQUESTS["inspection"])
    text = dump(hidden.document)
    assert COVERT_PROBLEM not in text
    assert covert_id not in hidden.cited
    # Not in the counts either: two records, two problems, all 明查; nor its method or site.
    assert "关于2021年8月明查情况的通报" in text
    assert "形成检查记录2份，发现问题2个" in text
    assert "模拟办事" not in text and "市政务服务中心" not in text
    notice = dump(drafting.draft(REQUESTS["notice"]).document)
    assert COVERT_PROBLEM not in notice and "暗访（" not in notice
    with pytest.raises(BulletinError, match=f"没有名为“{COVERT_PLAN}”的督查方案"):
        drafting.draft(REQUESTS["inspection_plan"])

    become(storage, "赵六", UserRole.OFFICE)
    assert COVERT_PROBLEM not in dump(drafting.draft(REQUESTS["inspection"]).document)
    supervisor(storage)
    assert COVERT_PROBLEM in dump(drafting.draft(REQUESTS["inspection"]).document)


def test_a_stored_draft_citing_a_hidden_record_is_hidden_too(
    storage: Storage, drafting: BulletinDrafting, bulletins
) -> None:
    draft = drafting.draft(REQUESTS["inspection"])
    bulletin_id = bulletins.create(draft, today=AS_OF)
    plain = bulletins.create(drafting.draft(REQUESTS["progress"]), today=AS_OF)
    become(storage, "李四", UserRole.INSPECTOR)
    assert [b.id for b in bulletins.list()] == [plain]
    with pytest.raises(BulletinError, match="不存在"):
        bulletins.get(bulletin_id)
    exported = export_database(storage)["tables"]
    assert bulletin_id not in exported["bulletins"] and plain in exported["bulletins"]
    become(storage, "王科长", UserRole.SUPERVISOR)
    assert {b.id for b in bulletins.list()} == {plain, bulletin_id}


# ---- The office's templates -------------------------------------------------------------------


def test_an_edited_template_drafts_and_reset_brings_the_default_back(
    storage: Storage, drafting: BulletinDrafting
) -> None:
    templates = BulletinTemplates(storage.repository)
    assert templates.get(BulletinKind.NOTICE).default
    text = (
        "【发文机关标志】滕州市人民政府办公室\n【机关代字】滕政办督查\n"
        "【标题】关于{{ department.name }}有关问题的督办通知\n【主送】{{ department.name }}：\n"
        "【署名】滕州市人民政府办公室\n"
        "{% for f in findings %}\n{{ loop.index }}.{{ f.text }}（{{ f.due }}前）\n{% endfor %}\n"
    )
    templates.save(BulletinKind.NOTICE, text, today=AS_OF)
    stored = templates.get(BulletinKind.NOTICE)
    assert (stored.default, stored.text, stored.updated_on, stored.updated_by) == (
        False,
        text,
        AS_OF,
        "张三",
    )
    draft = drafting.draft(REQUESTS["notice"])
    assert draft.code == "滕政办督查"
    assert draft.document.title == f"关于{LEAD}有关问题的督办通知"
    assert [b.text for b in draft.document.body] == [
        f"1.{COVERT_PROBLEM}（2021年8月20日前）",
        "2.帮办代办人员不熟悉业务流程（2021年9月15日前）",
    ]
    assert templates.reset(BulletinKind.NOTICE)
    assert templates.get(BulletinKind.NOTICE).text == default_template(BulletinKind.NOTICE)
    assert not templates.reset(BulletinKind.NOTICE)
    templates.save(BulletinKind.NOTICE, text, today=AS_OF)  # saved again after a reset
    assert templates.get(BulletinKind.NOTICE).text == text


def test_a_template_with_a_mistake_is_refused_with_its_line_and_nothing_is_stored(
    storage: Storage,
) -> None:
    templates = BulletinTemplates(storage.repository)
    changes = storage.db["changes"].count
    broken = "【标题】关于{{ round.name }}的通报\n\n{% for d in departments %}\n{{ d.name }}\n"
    with pytest.raises(TemplateProblem) as refused:
        templates.save(BulletinKind.PROGRESS, broken)
    assert str(refused.value) == (
        "调度情况通报的模板第 3 行：{% for … in … %} 没有对应的 {% endfor %}。"
    )
    assert refused.value.line == 3
    assert storage.db["changes"].count == changes
    assert templates.get(BulletinKind.PROGRESS).default


def test_a_template_that_fails_on_the_data_names_the_line(
    storage: Storage, drafting: BulletinDrafting
) -> None:
    templates = BulletinTemplates(storage.repository)
    templates.save(
        BulletinKind.PROGRESS,
        "【标题】关于{{ round.name }}的通报\n各单位：\n"
        "截至{{ as_of }}，{{ totals.overdu }}项逾期。\n",
    )
    with pytest.raises(
        TemplateProblem, match="模板第 3 行：“totals”中没有“overdu”这一项。可用的有"
    ):
        drafting.draft(REQUESTS["progress"])
    # A previewed (unsaved) text is drafted instead of the stored one.
    preview = drafting.draft(REQUESTS["progress"], template="【标题】预览\n{{ totals.overdue }}\n")
    assert preview.document.title == "预览"


def test_every_laptop_edits_the_same_template_row(tmp_path: Path) -> None:
    first, second = Storage.open(tmp_path / "a.sqlite"), Storage.open(tmp_path / "b.sqlite")
    BulletinTemplates(first.repository).save(BulletinKind.PRAISE, "【标题】甲\n")
    BulletinTemplates(second.repository).save(BulletinKind.PRAISE, "【标题】乙\n")
    row_a = first.db.execute("SELECT id FROM bulletin_templates").fetchall()
    row_b = second.db.execute("SELECT id FROM bulletin_templates").fetchall()
    assert row_a == row_b == [(template_id(BulletinKind.PRAISE),)]
    first.close()
    second.close()


def test_every_shipped_template_parses_and_names_its_fields() -> None:
    from app.documents.templates import parse

    for kind in BulletinKind:
        text = default_template(kind)
        parse(text)
        for field in ("【标题】", "【发文机关标志】", "【机关代字】", "【署名】", "【主送】"):
            assert field in text, (kind, field)
