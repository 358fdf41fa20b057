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


def test_row_ids_of_every_form_come_back_from_the_log_as_they_were(storage: Storage) -> None:
    """A canonical UUID is stored as its 16 bytes; any other form of id keeps its text."""
    canonical = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    ids = [
        canonical,
        canonical.upper(),
        "{" + canonical[1:-1] + "}",
        canonical.replace("-", "") + "----",
        canonical[:-1] + "\n",
        "insp-1",
    ]
    batch = [
        ChangeEntry("plans", row, f, v, f"1700000000000-{n:05d}", "laptop-a")
        for n, row in enumerate(ids)
        for f, v in {"title": f"方案{n}", "deleted": 0}.items()
    ]
    report = storage.repository.apply(batch)
    assert (report.applied, report.pending) == (2 * len(ids), 0)
    assert storage.repository.apply(batch).duplicates == 2 * len(ids)
    assert {e.row_id for e in _entries(storage)} == set(ids)
    stored = dict(storage.db.execute("SELECT row_key, typeof(row_key) FROM field_clock"))
    assert stored.pop(bytes.fromhex(canonical.replace("-", ""))) == "blob"
    assert set(stored) == set(ids[1:]) and set(stored.values()) == {"text"}


def _plan_insert(row: str, hlc: str, device: str) -> list[ChangeEntry]:
    values = {"title": "甲", "doc_number": None, "issuer": None, "issued_on": None}
    values |= {"source_name": None, "kind": "plan", "deleted": 0}
    return [ChangeEntry("plans", row, f, v, hlc, device) for f, v in values.items()]


def test_an_older_entry_delivered_twice_in_one_apply_is_kept_once(storage: Storage) -> None:
    row = "22222222-2222-4222-8222-222222222222"
    storage.repository.apply(_plan_insert(row, "1700000000000-00000", "laptop-a"))
    newer = ChangeEntry("plans", row, "title", "乙", "1700000000002-00000", "laptop-a")
    older = ChangeEntry("plans", row, "title", "丙", "1700000000001-00000", "laptop-b")
    report = storage.repository.apply([newer, older, older])
    assert (report.applied, report.superseded, report.duplicates) == (1, 1, 1)
    titles = sorted((e.hlc, e.value) for e in _entries(storage) if e.field == "title")
    assert [value for _hlc, value in titles] == ["甲", "丙", "乙"]
    assert storage.repository.get("plans", row)["title"] == "乙"


def test_an_edit_made_on_top_of_one_that_comes_later_in_the_same_apply_is_no_conflict(
    storage: Storage,
) -> None:
    """Laptop a edited the title on top of laptop c's edit; a merge of both logs brings a's
    edit first. c's edit loses, and is no conflict: a's edit was based on it."""
    row = "33333333-3333-4333-8333-333333333333"
    storage.repository.apply(_plan_insert(row, "1700000000000-00000", "laptop-a"))
    c_edit = ChangeEntry(
        "plans", row, "title", "丙", "1700000000001-00000", "laptop-c", "1700000000000-00000"
    )
    a_edit = ChangeEntry(
        "plans", row, "title", "乙", "1700000000002-00000", "laptop-a", "1700000000001-00000"
    )
    report = storage.repository.apply([a_edit, c_edit])
    assert (report.applied, report.superseded, report.conflicts) == (1, 1, 0)
    assert storage.db["sync_conflicts"].count == 0
    assert storage.repository.get("plans", row)["title"] == "乙"


def test_a_new_row_deleted_and_edited_later_elsewhere_comes_back_in_one_apply(
    storage: Storage,
) -> None:
    """A laptop that never saw the row gets its insert, its delete (laptop a) and a later edit
    made without knowing of the delete (laptop b) in one apply: the row comes back, flagged."""
    row = "44444444-4444-4444-8444-444444444444"
    insert = _plan_insert(row, "1700000000000-00000", "laptop-a")
    deleted = ChangeEntry(
        "plans", row, "deleted", 1, "1700000000001-00000", "laptop-a", "1700000000000-00000"
    )
    edited = ChangeEntry(
        "plans", row, "title", "乙", "1700000000002-00000", "laptop-b", "1700000000000-00000"
    )
    live = "55555555-5555-4555-8555-555555555555"
    report = storage.repository.apply(
        [*insert, deleted, edited, *_plan_insert(live, "1700000000003-00000", "laptop-a")]
    )
    assert report.resurrected == 1
    assert storage.repository.get("plans", row)["deleted"] == 0
    assert storage.repository.get("plans", live)["deleted"] == 0
    flagged = storage.db.execute("SELECT row_id, field, kept_value, lost_value FROM sync_conflicts")
    assert flagged.fetchall() == [(row, "deleted", 0, 1)]


def test_a_whole_insert_of_a_row_already_there_without_a_log_is_merged_into_it(
    storage: Storage,
) -> None:
    """A row in the table with no log of its own (written behind the repository's back) does
    not stop the other new rows of the apply, and takes the values that arrive."""
    there = "66666666-6666-4666-8666-666666666666"
    storage.db.execute("INSERT INTO temp._write_gate (open) VALUES (1)")
    storage.db.execute("INSERT INTO plans (id, title) VALUES (?, '旧')", [there])
    storage.db.execute("DELETE FROM temp._write_gate")
    storage.db.conn.commit()
    new = "77777777-7777-4777-8777-777777777777"
    batch = [*_plan_insert(there, "1700000000000-00000", "laptop-a")]
    batch += _plan_insert(new, "1700000000000-00001", "laptop-a")
    report = storage.repository.apply(batch)
    assert (report.applied, report.pending) == (14, 0)
    assert storage.repository.get("plans", there)["title"] == "甲"
    assert storage.repository.get("plans", new)["title"] == "甲"
    assert {e.row_id for e in _entries(storage)} == {there, new}
