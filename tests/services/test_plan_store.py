from __future__ import annotations

import pytest

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.plan_store import PlanStore
from app.storage import Storage
from app.storage.changelog import read_changes

SAMPLE_TEXT = SAMPLE_PLAN.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample():
    return parse_text(SAMPLE_TEXT, SAMPLE_PLAN.name)


def _live(storage: Storage, table: str) -> int:
    return storage.db.execute(f"SELECT COUNT(*) FROM {table} WHERE deleted = 0").fetchone()[0]


def _entries_of(storage: Storage, row_id: str) -> int:
    return sum(1 for entry in read_changes(storage.db) if entry.row_id == row_id)


def _measure(storage: Storage, area_no: int, no: int) -> dict:
    row = storage.db.execute(
        "SELECT m.id, m.title, m.text FROM measures m JOIN areas a ON a.id = m.area_id"
        " WHERE a.no = ? AND m.no = ? AND m.deleted = 0",
        [area_no, no],
    ).fetchone()
    return {"id": row[0], "title": row[1], "text": row[2]}


def _departments(storage: Storage, measure_id: str, role: str) -> list[str]:
    return [
        name
        for (name,) in storage.db.execute(
            "SELECT d.name FROM assignments s JOIN departments d ON d.id = s.department_id"
            " WHERE s.measure_id = ? AND s.role = ? AND s.deleted = 0 ORDER BY s.position",
            [measure_id, role],
        )
    ]


def test_the_sample_lands_whole_in_one_transaction(storage: Storage, sample) -> None:
    heard = []
    storage.repository.subscribe(heard.append)
    result = PlanStore(storage.repository).import_plan(sample)
    assert len(heard) == 1  # one commit
    assert result.diff.is_new_plan
    assert (_live(storage, "plans"), _live(storage, "areas"), _live(storage, "measures")) == (
        1,
        19,
        201,
    )
    plan = storage.repository.get("plans", result.plan_id)
    assert plan["doc_number"] == "滕政发〔2021〕9号"
    assert plan["issued_on"] == "2021-06-18"
    # 一、开办企业 5: 牵头部门：市行政审批服务局、市市场监督管理局
    measure = _measure(storage, 1, 5)
    assert measure["title"].startswith("试行企业开办")
    assert _departments(storage, measure["id"], "lead") == ["市行政审批服务局", "市市场监督管理局"]
    due = storage.db.execute(
        "SELECT due FROM milestones WHERE measure_id = ? AND deleted = 0", [measure["id"]]
    ).fetchall()
    assert ("2021-07-31",) in due
    # Every assignment's span lies inside its measure's text.
    for start, end, text in storage.db.execute(
        "SELECT s.span_start, s.span_end, m.text FROM assignments s"
        " JOIN measures m ON m.id = s.measure_id WHERE s.span_start IS NOT NULL"
    ):
        assert 0 <= start <= end <= len(text)


def test_reimporting_the_same_version_writes_nothing(storage: Storage, sample) -> None:
    store = PlanStore(storage.repository)
    store.import_plan(sample)
    before = storage.db["changes"].count
    result = store.import_plan(parse_text(SAMPLE_TEXT, SAMPLE_PLAN.name))
    assert len(result.diff.unchanged) == 201
    assert storage.db["changes"].count == before


def test_a_revised_version_updates_only_what_changed(storage: Storage, sample) -> None:
    store = PlanStore(storage.repository)
    store.import_plan(sample)
    kept = _measure(storage, 1, 1)
    edited = _measure(storage, 1, 2)
    dropped = _measure(storage, 1, 9)
    # Something recorded against an unchanged measure must survive the re-import.
    storage.repository.update("measures", kept["id"], {"title": kept["title"]})
    kept_entries = _entries_of(storage, kept["id"])

    revised = SAMPLE_TEXT.replace("9月底前，实现电子印章系统", "8月底前，实现电子印章系统")
    old_ninth = edited_line = None
    for line in SAMPLE_TEXT.splitlines():
        if line.startswith("9.全面实施“一业一证”改革"):
            old_ninth = line
        if line.startswith("2.同步发放电子印章"):
            edited_line = line
    assert old_ninth and edited_line
    revised = revised.replace(old_ninth + "\n", "")
    revised = revised.replace(
        "二、工程建设项目审批制度改革",
        "9.新增措施：推行企业开办“一件事”。9月底前完成。（牵头部门：市行政审批服务局）\n\n"
        "二、工程建设项目审批制度改革",
    )
    result = store.import_plan(parse_text(revised, "revised.txt"))
    diff = result.diff
    assert [m.title for _area, m in diff.added] == ["新增措施：推行企业开办“一件事”"]
    assert [c.stored.id for c in diff.changed] == [edited["id"]]
    assert "details" in diff.changed[0].fields and "text" in diff.changed[0].fields
    assert [m.id for m in diff.removed] == [dropped["id"]]
    assert len(diff.unchanged) == 199

    assert storage.repository.get("measures", dropped["id"])["deleted"] == 1  # tombstone
    assert storage.repository.get("measures", edited["id"])["deleted"] == 0  # same id
    dues = storage.db.execute(
        "SELECT due FROM milestones WHERE measure_id = ? AND deleted = 0", [edited["id"]]
    ).fetchall()
    assert ("2021-08-31",) in dues and len(dues) == 2
    after = _entries_of(storage, kept["id"])
    assert after == kept_entries  # the unchanged measure was not touched
    assert _live(storage, "measures") == 201


def test_a_failure_half_way_stores_nothing(storage: Storage, sample, monkeypatch) -> None:
    calls = {"n": 0}
    real_insert = storage.repository.insert

    def flaky_insert(table, values, **kwargs):
        calls["n"] += 1
        if calls["n"] == 300:
            raise OSError("disk full")
        return real_insert(table, values, **kwargs)

    monkeypatch.setattr(storage.repository, "insert", flaky_insert)
    with pytest.raises(OSError):
        PlanStore(storage.repository).import_plan(sample)
    assert storage.db["plans"].count == 0
    assert storage.db["measures"].count == 0
    assert storage.db["changes"].count == 0


def test_departments_are_reused_across_plans(storage: Storage, sample) -> None:
    store = PlanStore(storage.repository)
    store.import_plan(sample)
    count = _live(storage, "departments")
    other = SAMPLE_TEXT.replace("滕政发〔2021〕9号", "滕政发〔2022〕3号").replace(
        "滕州市深入优化营商环境创新突破行动落实方案", "滕州市另一方案"
    )
    result = store.import_plan(parse_text(other, "other.txt"))
    assert result.diff.is_new_plan
    assert _live(storage, "departments") == count
    assert _live(storage, "plans") == 2
