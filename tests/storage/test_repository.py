from __future__ import annotations

import sqlite3

import pytest

from app.storage import RowNotFoundError, Storage, WriteError
from app.storage.changelog import ChangeEntry, read_changes
from tests.conftest import add_sample_plan


def _entries(storage: Storage) -> list[ChangeEntry]:
    return list(read_changes(storage.db))


def test_insert_logs_every_column_once_with_one_timestamp(storage: Storage) -> None:
    plan_id = storage.repository.insert("plans", {"title": "方案", "issuer": "滕州市人民政府"})
    entries = _entries(storage)
    assert {e.field for e in entries} == {
        "title",
        "doc_number",
        "issuer",
        "issued_on",
        "source_name",
        "kind",
        "deleted",
    }
    assert {e.row_id for e in entries} == {plan_id}
    assert len({e.hlc for e in entries}) == 1
    assert all(e.device == storage.device_id and e.base_hlc is None for e in entries)
    values = {e.field: e.value for e in entries}
    assert values["title"] == "方案" and values["deleted"] == 0 and values["doc_number"] is None


def test_update_logs_only_changed_fields_with_their_previous_timestamp(storage: Storage) -> None:
    repo = storage.repository
    plan_id = repo.insert("plans", {"title": "方案", "issuer": "滕州市人民政府"})
    inserted = _entries(storage)[0].hlc
    changed = repo.update("plans", plan_id, {"title": "新方案", "issuer": "滕州市人民政府"})
    assert changed == ["title"]
    last = _entries(storage)[-1]
    assert (last.field, last.value, last.base_hlc) == ("title", "新方案", inserted)
    assert last.hlc > inserted
    assert repo.update("plans", plan_id, {"title": "新方案"}) == []
    fields = len(storage.db["plans"].columns) - 1  # every column but the id, then one change
    assert len(_entries(storage)) == fields + 1


def test_a_type_change_counts_as_a_change(storage: Storage) -> None:
    repo = storage.repository
    plan_id = repo.insert("plans", {"title": "方案"})
    area_id = repo.insert("areas", {"plan_id": plan_id, "no": 1, "title": "一"})
    assert repo.update("areas", area_id, {"no": "1"}) == []  # INTEGER affinity: still 1
    assert repo.update("areas", area_id, {"no": 1.5}) == ["no"]


def test_delete_is_a_tombstone_and_restore_undoes_it(storage: Storage) -> None:
    repo = storage.repository
    plan_id = repo.insert("plans", {"title": "方案"})
    assert repo.delete("plans", plan_id)
    assert not repo.delete("plans", plan_id)
    assert repo.get("plans", plan_id)["deleted"] == 1
    with pytest.raises(WriteError, match="已删除"):
        repo.update("plans", plan_id, {"title": "改"})
    assert repo.restore("plans", plan_id)
    assert repo.update("plans", plan_id, {"title": "改"}) == ["title"]
    deleted_values = [e.value for e in _entries(storage) if e.field == "deleted"]
    assert deleted_values == [0, 1, 0]


def test_writes_outside_the_repository_are_refused_by_sqlite(storage: Storage) -> None:
    plan_id = storage.repository.insert("plans", {"title": "方案"})
    for sql, params in [
        ("INSERT INTO plans (id, title) VALUES (?, ?)", ["x", "y"]),
        ("UPDATE plans SET title = 'z' WHERE id = ?", [plan_id]),
        ("DELETE FROM plans WHERE id = ?", [plan_id]),
    ]:
        with pytest.raises(sqlite3.DatabaseError, match="拒绝"):
            storage.db.execute(sql, params)
    storage.db.conn.rollback()
    assert storage.db["plans"].count == 1
    assert storage.repository.get("plans", plan_id)["title"] == "方案"


def test_hard_delete_is_refused_even_inside_a_repository_transaction(storage: Storage) -> None:
    plan_id = storage.repository.insert("plans", {"title": "方案"})
    with (
        pytest.raises(sqlite3.DatabaseError, match="删除被拒绝"),
        storage.repository.transaction(),
    ):
        storage.db.execute("DELETE FROM plans WHERE id = ?", [plan_id])
    assert storage.db["plans"].count == 1


def test_a_failed_transaction_leaves_neither_rows_nor_log_entries(storage: Storage) -> None:
    repo = storage.repository
    with pytest.raises(RuntimeError), repo.transaction():
        repo.insert("plans", {"title": "方案"})
        raise RuntimeError("crash half-way")
    assert storage.db["plans"].count == 0
    assert storage.db["changes"].count == 0
    # The write gate closed with the rollback: raw writes are refused again.
    with pytest.raises(sqlite3.DatabaseError):
        storage.db.execute("INSERT INTO plans (id, title) VALUES ('x', 'y')")


def test_bad_writes_are_refused_with_chinese_messages(storage: Storage) -> None:
    repo = storage.repository
    with pytest.raises(WriteError, match="未知的数据表"):
        repo.insert("changes", {"tbl": "x"})
    with pytest.raises(WriteError, match="没有可写的字段"):
        repo.insert("plans", {"colour": "red"})
    with pytest.raises(WriteError, match="删除"):
        repo.insert("plans", {"title": "x", "deleted": 1})
    with pytest.raises(RowNotFoundError):
        repo.update("plans", "missing", {"title": "x"})
    with pytest.raises(WriteError, match="不支持"):
        repo.insert("plans", {"title": b"bytes"})
    with pytest.raises(WriteError, match="数据库拒绝"):
        repo.insert("milestones", {"measure_id": "nope", "kind": "sometime"})
    plan_id = repo.insert("plans", {"title": "方案"})
    with pytest.raises(WriteError, match="不能重复新增"):
        repo.insert("plans", {"title": "again"}, row_id=plan_id)
    assert storage.db["plans"].count == 1


def test_listeners_hear_once_per_committed_transaction(storage: Storage) -> None:
    heard: list[dict] = []
    unsubscribe = storage.repository.subscribe(lambda changed: heard.append(dict(changed)))
    plan_id = add_sample_plan(storage, areas=1, measures_per_area=2)
    assert len(heard) == 1
    assert heard[0]["plans"] == frozenset({plan_id})
    assert len(heard[0]["measures"]) == 2
    with pytest.raises(RuntimeError), storage.repository.transaction():
        storage.repository.update("plans", plan_id, {"title": "x"})
        raise RuntimeError
    assert len(heard) == 1  # nothing committed, nothing announced
    unsubscribe()
    storage.repository.update("plans", plan_id, {"title": "y"})
    assert len(heard) == 1


def test_apply_is_idempotent_and_last_writer_wins(storage: Storage) -> None:
    repo = storage.repository
    row = "11111111-1111-1111-1111-111111111111"
    fields = {
        "title": "甲",
        "doc_number": None,
        "issuer": None,
        "issued_on": None,
        "source_name": None,
        "deleted": 0,
    }
    batch = [
        ChangeEntry("plans", row, f, v, "1700000000000-00000", "laptop-a")
        for f, v in fields.items()
    ]
    report = repo.apply(batch)
    assert (report.applied, report.duplicates) == (6, 0)
    assert repo.apply(batch).duplicates == 6
    newer_b = ChangeEntry("plans", row, "title", "乙", "1700000000005-00000", "laptop-b")
    older_c = ChangeEntry("plans", row, "title", "丙", "1700000000003-00000", "laptop-c")
    tie_a = ChangeEntry("plans", row, "title", "丁", "1700000000005-00000", "laptop-a")
    report = repo.apply([newer_b, older_c, tie_a])
    assert (report.applied, report.superseded) == (1, 2)
    assert repo.get("plans", row)["title"] == "乙"  # same hlc: the greater device id wins
    # The losing values stay in the log.
    titles = {e.value for e in _entries(storage) if e.field == "title"}
    assert titles == {"甲", "乙", "丙", "丁"}
    # A later local edit is stamped after everything seen.
    repo.update("plans", row, {"title": "戊"})
    assert _entries(storage)[-1].hlc > "1700000000005-00000"


def test_apply_refuses_unknown_fields_and_changes_nothing(storage: Storage) -> None:
    bad = [
        ChangeEntry("plans", "r1", "title", "x", "1700000000000-00000", "a"),
        ChangeEntry("plans", "r1", "colour", "red", "1700000000000-00000", "a"),
    ]
    with pytest.raises(WriteError, match="未知字段"):
        storage.repository.apply(bad)
    assert storage.db["changes"].count == 0
    assert storage.db["plans"].count == 0


def test_insert_many_logs_exactly_what_insert_would(storage: Storage) -> None:
    from app.storage.export import export_tables

    repo = storage.repository
    plan_id = repo.insert("plans", {"title": "方案"})
    rows = [
        {"plan_id": plan_id, "no": i, "title": f"领域{i}", "position": i * 1.5 if i % 2 else i}
        for i in range(1, 6)
    ] + [{"plan_id": plan_id, "no": None, "title": '含"引号"与\\斜杠', "position": 0}]
    ids = repo.insert_many("areas", rows)
    assert len(ids) == 6 and storage.db["areas"].count == 6
    entries = [e for e in _entries(storage) if e.table == "areas"]
    assert len(entries) == 6 * 5  # plan_id, no, title, position, deleted
    by_field = {(e.row_id, e.field): e.value for e in entries}
    for row_id in ids:
        stored = repo.get("areas", row_id)
        for field in ("plan_id", "no", "title", "position", "deleted"):
            assert by_field[(row_id, field)] == stored[field]
            assert type(by_field[(row_id, field)]) is type(stored[field])
    replica = Storage.open_memory()
    replica.repository.apply(read_changes(storage.db))
    assert export_tables(replica) == export_tables(storage)


def test_insert_many_is_all_or_nothing(storage: Storage) -> None:
    plan_id = storage.repository.insert("plans", {"title": "方案"})
    before = storage.db["changes"].count
    with pytest.raises(WriteError):
        storage.repository.insert_many(
            "areas", [{"plan_id": plan_id, "title": "一"}, {"plan_id": "missing", "title": "二"}]
        )
    assert storage.db["areas"].count == 0
    assert storage.db["changes"].count == before


def test_entries_that_arrive_before_the_rows_they_need_wait_and_then_apply() -> None:
    source = Storage.open_memory()
    repo = source.repository
    plan_id = repo.insert("plans", {"title": "方案"})
    area_id = repo.insert("areas", {"plan_id": plan_id, "title": "一、企业开办"})
    repo.update("areas", area_id, {"title": "一、企业开办（改）"})
    entries = _entries(source)
    plan = [e for e in entries if e.table == "plans"]
    area_insert = [e for e in entries if e.table == "areas" and e.base_hlc is None]
    area_edit = [e for e in entries if e.table == "areas" and e.base_hlc is not None]

    target = Storage.open_memory()
    # The edit alone: a new area without its plan_id cannot be written; it waits, unlogged.
    report = target.repository.apply(area_edit)
    assert (report.applied, report.pending) == (0, 1)
    assert target.repository.get("areas", area_id) is None
    assert _entries(target) == []
    # The insert of the area, still without its plan: the area points at nothing; both wait.
    report = target.repository.apply(area_insert)
    assert report.pending == len(area_insert) + 1
    assert target.repository.pending_count() == len(area_insert) + 1
    # The plan: everything waiting goes in, and the result is the source's.
    report = target.repository.apply(plan)
    assert report.pending == 0 and report.released == len(area_insert) + 1
    assert target.repository.pending_count() == 0
    assert target.repository.get("areas", area_id)["title"] == "一、企业开办（改）"
    assert sorted(map(repr, _entries(target))) == sorted(map(repr, entries))
