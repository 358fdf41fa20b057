from __future__ import annotations

import pytest

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.departments import DepartmentDirectory, DirectoryError
from app.services.plan_store import PlanStore
from app.storage import Storage

DOC = """关于印发某市某某工作方案的通知
一、开办企业
1.推进甲。6月底前完成。（牵头部门：市税务局；责任部门：市财政局）
2.推进乙。（牵头部门：税务局；责任部门：市财政局）
3.推进丙。（牵头部门：市财政局；责任部门：市税务局）
"""


@pytest.fixture
def directory(storage: Storage) -> DepartmentDirectory:
    PlanStore(storage.repository).import_plan(parse_text(DOC, "doc.txt"))
    return DepartmentDirectory(storage.repository)


def _by_name(directory: DepartmentDirectory):
    return {info.name: info for info in directory.list()}


def test_listing_counts_measures_per_role(directory: DepartmentDirectory) -> None:
    infos = _by_name(directory)
    assert infos["市财政局"].lead == 1 and infos["市财政局"].responsible == 2
    assert infos["市税务局"].measure_count == 3


def test_merge_moves_measures_and_names_and_keeps_a_tombstone(directory, storage) -> None:
    infos = _by_name(directory)
    if "税务局" not in infos:  # the parser may already have unified it; make it separate
        directory.split(infos["市税务局"].id, "税务局")
        infos = _by_name(directory)
    keep, other = infos["市税务局"], infos["税务局"]
    directory.merge(keep.id, other.id)
    merged = _by_name(directory)
    assert "税务局" not in merged
    assert "税务局" in merged["市税务局"].aliases
    assert merged["市税务局"].lead == 2
    assert storage.repository.get("departments", other.id)["deleted"] == 1


def test_merging_removes_a_duplicated_role(storage: Storage) -> None:
    doc = "一、任务\n1.推进甲。（牵头部门：市财政局、市税务局；责任部门：市公安局）\n"
    PlanStore(storage.repository).import_plan(parse_text(doc, "doc.txt"))
    directory = DepartmentDirectory(storage.repository)
    infos = _by_name(directory)
    directory.merge(infos["市财政局"].id, infos["市税务局"].id)
    assert _by_name(directory)["市财政局"].lead == 1
    live = storage.db.execute(
        "SELECT measure_id, role, COUNT(*) FROM assignments WHERE deleted = 0"
        " GROUP BY measure_id, role"
    ).fetchall()
    assert sorted(row[1:] for row in live) == [("lead", 1), ("responsible", 1)]
    # The duplicate is tombstoned, not erased.
    assert storage.db.execute("SELECT COUNT(*) FROM assignments").fetchone()[0] == 3


def test_split_takes_the_measures_that_wrote_that_name(directory) -> None:
    infos = _by_name(directory)
    tax = infos["市税务局"]
    if "税务局" not in tax.aliases:
        pytest.skip("the parser did not unify 税务局 with 市税务局")
    new_id = directory.split(tax.id, "税务局")
    after = _by_name(directory)
    assert after["税务局"].id == new_id and after["税务局"].lead == 1
    assert after["市税务局"].lead == 1 and "税务局" not in after["市税务局"].aliases


def test_rename_keeps_the_old_name_as_an_alias(directory) -> None:
    finance = _by_name(directory)["市财政局"]
    directory.rename(finance.id, "滕州市财政局")
    renamed = _by_name(directory)["滕州市财政局"]
    assert "市财政局" in renamed.aliases
    with pytest.raises(DirectoryError, match="已有名为"):
        directory.rename(renamed.id, "市税务局")


def test_refused_changes_change_nothing(directory, storage) -> None:
    before = storage.db["changes"].count
    tax = _by_name(directory)["市税务局"]
    with pytest.raises(DirectoryError):
        directory.merge(tax.id, tax.id)
    with pytest.raises(DirectoryError, match="不是"):
        directory.split(tax.id, "市公安局")
    with pytest.raises(DirectoryError, match="不能为空"):
        directory.rename(tax.id, "  ")
    assert storage.db["changes"].count == before


def test_reimport_after_a_merge_reuses_the_merged_department(storage: Storage) -> None:
    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    store = PlanStore(storage.repository)
    store.import_plan(parse_text(text, "a.txt"))
    directory = DepartmentDirectory(storage.repository)
    infos = _by_name(directory)
    directory.merge(infos["市林业发展服务中心"].id, infos["市林业事业发展中心"].id)
    count = len(directory.list())
    result = store.import_plan(parse_text(text, "a.txt"))
    assert len(result.diff.unchanged) == 201
    assert len(directory.list()) == count
