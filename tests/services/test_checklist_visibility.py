"""暗访 confidentiality of a record's checklist: who may not see the record can neither read nor
write its answers, and is told "不存在或已删除" (the refusal does not reveal the record).

One covert record in a plan whose inspector is 张三, with one checklist item; 李四 is another
inspector, 科长甲 a supervisor. Every ChecklistService call that reads or writes a record's
answers is tried as each of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.domain.inspection import UserRole, Verdict
from app.domain.ledger import InspectionKind
from app.services.checklists import ChecklistService
from app.storage import Storage, WriteError
from tests.services.workspace import Workspace

NOT_THERE = "不存在或已删除"


class Scene:
    def __init__(self, path: Path) -> None:
        self.ws = ws = Workspace(Storage.open(path))
        ws.as_user("科长甲", UserRole.SUPERVISOR)
        self.measure = ws.measure(title="优化综合窗口", lead="市行政审批服务局")
        plan = ws.plan(inspectors=("张三",), name="九月政务服务暗访", measure_ids=(self.measure,))
        ws.as_user("张三")
        self.record = ws.record(self.measure, kind=InspectionKind.COVERT, plan=plan)
        checklists = ws.services.checklists
        self.item = checklists.add_custom(self.record, "窗口是否有人值守")
        self.other = checklists.add_custom(self.record, "是否一次性告知", unit="")
        checklists.set_measured(self.item, "无人")

    @property
    def checklists(self) -> ChecklistService:
        return self.ws.services.checklists


@pytest.fixture
def scene(tmp_path: Path):
    made = Scene(tmp_path / "ledger.sqlite")
    yield made
    made.ws.storage.close()


# Each call: what it does to the scene's record or item.
CALLS: dict[str, Callable[[Scene], object]] = {
    "answers": lambda s: s.checklists.answers(s.record),
    "answer": lambda s: s.checklists.answer(s.item),
    "set_verdict": lambda s: s.checklists.set_verdict(s.item, Verdict.FAIL),
    "set_measured": lambda s: s.checklists.set_measured(s.item, "有人"),
    "set_note": lambda s: s.checklists.set_note(s.item, "上午十点无人"),
    "set_text": lambda s: s.checklists.set_text(s.item, "窗口是否有工作人员值守"),
    "set_expected": lambda s: s.checklists.set_expected(s.item, "有人值守"),
    "set_target": lambda s: s.checklists.set_target(s.other, "<=", 1.0, "次"),
    "add_custom": lambda s: s.checklists.add_custom(s.record, "是否公示收费标准"),
    "move": lambda s: s.checklists.move(s.other, 0),
    "remove": lambda s: s.checklists.remove(s.other),
    "propose": lambda s: s.checklists.propose(s.record),
    "start": lambda s: s.checklists.start(s.record),
    "create_answers": lambda s: s.checklists.create_answers(s.record, []),
    "propose_finding": lambda s: s.checklists.propose_finding(s.item),
    "raise_finding": lambda s: s.checklists.raise_finding(s.item),
}


@pytest.mark.parametrize("call", CALLS)
def test_an_inspector_not_on_the_plan_can_neither_read_nor_write(scene: Scene, call: str) -> None:
    scene.ws.as_user("李四")
    before = scene.ws.change_count()
    with pytest.raises(WriteError, match=NOT_THERE):
        CALLS[call](scene)
    assert scene.ws.change_count() == before  # nothing written


@pytest.mark.parametrize("call", CALLS)
def test_the_refusal_is_the_one_for_a_missing_record(scene: Scene, call: str) -> None:
    """李四 is told exactly what he would be told of a record that does not exist."""
    scene.ws.as_user("李四")
    with pytest.raises(WriteError) as hidden:
        CALLS[call](scene)
    scene.ws.as_user("张三")
    repo = scene.ws.storage.repository
    with repo.transaction():  # the record and its items gone, as a tombstone makes them
        repo.delete("checklist_answers", scene.item)
        repo.delete("checklist_answers", scene.other)
        repo.delete("inspections", scene.record)
    with pytest.raises(WriteError) as missing:
        CALLS[call](scene)
    assert str(hidden.value) == str(missing.value)


@pytest.mark.parametrize(
    ("name", "role"), [("张三", UserRole.INSPECTOR), ("科长甲", UserRole.SUPERVISOR)]
)
@pytest.mark.parametrize("call", CALLS)
def test_the_plans_inspector_and_a_supervisor_may(
    scene: Scene, name: str, role: UserRole, call: str
) -> None:
    scene.ws.as_user(name, role)
    CALLS[call](scene)  # no refusal


def test_what_they_read_and_write_is_the_record(scene: Scene) -> None:
    scene.ws.as_user("科长甲", UserRole.SUPERVISOR)
    checklists = scene.checklists
    assert checklists.set_note(scene.item, "上午十点无人").note == "上午十点无人"
    assert [a.text for a in checklists.answers(scene.record)] == [
        "窗口是否有人值守",
        "是否一次性告知",
    ]
    scene.ws.as_user("李四")
    with pytest.raises(WriteError, match=NOT_THERE):
        checklists.set_note(scene.item, "")
    scene.ws.as_user("张三")
    assert checklists.answer(scene.item).note == "上午十点无人"


def test_after_disclosure_every_inspector_may(scene: Scene) -> None:
    scene.ws.as_user("张三")
    scene.ws.services.inspections.disclose(scene.record, date(2021, 10, 8))
    scene.ws.as_user("李四")
    assert scene.checklists.set_verdict(scene.item, Verdict.FAIL).verdict is Verdict.FAIL
    assert len(scene.checklists.answers(scene.record)) == 2
