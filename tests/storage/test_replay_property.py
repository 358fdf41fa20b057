"""Property: the change log is a complete record of the database.

Any sequence of writes through the repository, replayed from the change log onto an empty
database, reproduces the database exactly, whatever order the entries arrive in.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.storage import Storage, WriteError
from app.storage.changelog import read_changes
from app.storage.export import export_tables

values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
FIELDS = {
    "plans": ["title", "doc_number", "issuer", "issued_on", "source_name"],
    "areas": ["no", "title", "position"],
    "measures": ["no", "title", "text", "position"],
    "departments": ["name", "is_group"],
}


@dataclass(frozen=True)
class Op:
    kind: str
    table: str = "plans"
    pick: int = 0
    field: str = ""
    value: object = None


ops = st.one_of(
    st.builds(
        Op,
        kind=st.just("insert"),
        table=st.sampled_from(list(FIELDS)),
        pick=st.integers(0, 50),
        value=st.text(max_size=8),
    ),
    st.builds(
        Op,
        kind=st.just("update"),
        table=st.sampled_from(list(FIELDS)),
        pick=st.integers(0, 50),
        field=st.sampled_from(sorted({f for fields in FIELDS.values() for f in fields})),
        value=values,
    ),
    st.builds(
        Op,
        kind=st.sampled_from(["delete", "restore"]),
        table=st.sampled_from(list(FIELDS)),
        pick=st.integers(0, 50),
    ),
    st.builds(Op, kind=st.just("failed_transaction"), pick=st.integers(0, 50), value=values),
)


def _ids(storage: Storage, table: str) -> list[str]:
    return [row[0] for row in storage.db.execute(f"SELECT id FROM {table} ORDER BY rowid")]


def _run(storage: Storage, op: Op) -> None:
    repo = storage.repository
    if op.kind == "insert":
        plans, areas = _ids(storage, "plans"), _ids(storage, "areas")
        if op.table == "plans":
            repo.insert("plans", {"title": op.value})
        elif op.table == "departments":
            repo.insert("departments", {"name": op.value, "is_group": op.pick % 2})
        elif op.table == "areas" and plans:
            repo.insert("areas", {"plan_id": plans[op.pick % len(plans)], "title": op.value})
        elif op.table == "measures" and areas:
            area = repo.get("areas", areas[op.pick % len(areas)])
            repo.insert(
                "measures", {"plan_id": area["plan_id"], "area_id": area["id"], "text": op.value}
            )
        return
    rows = _ids(storage, op.table)
    if not rows:
        return
    row_id = rows[op.pick % len(rows)]
    if op.kind == "update" and op.field in FIELDS[op.table]:
        # Refused writes (NOT NULL, CHECK, tombstoned row) must leave no trace.
        with contextlib.suppress(WriteError):
            repo.update(op.table, row_id, {op.field: op.value})
    elif op.kind == "delete":
        repo.delete(op.table, row_id)
    elif op.kind == "restore":
        repo.restore(op.table, row_id)
    elif op.kind == "failed_transaction":
        try:
            with repo.transaction():
                repo.insert("plans", {"title": "never"})
                repo.delete(op.table, row_id)
                raise RuntimeError("crash")
        except RuntimeError:
            pass


def _log(storage: Storage) -> list[tuple]:
    return sorted(
        (e.table, e.row_id, e.field, repr(e.value), e.hlc, e.device, e.base_hlc or "")
        for e in read_changes(storage.db)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ops, max_size=40), st.randoms(use_true_random=False))
def test_replaying_the_change_log_reproduces_the_database(operations, random) -> None:
    source = Storage.open_memory()
    for op in operations:
        _run(source, op)
    entries = list(read_changes(source.db))

    replica = Storage.open_memory()
    replica.repository.apply(entries)
    assert export_tables(replica) == export_tables(source)
    assert _log(replica) == _log(source)

    shuffled = Storage.open_memory()
    random.shuffle(entries)
    shuffled.repository.apply(entries)
    assert export_tables(shuffled) == export_tables(source)

    # Replaying again changes nothing (idempotent).
    report = replica.repository.apply(read_changes(source.db))
    assert report.applied == 0 and report.duplicates == len(entries)
    assert export_tables(replica) == export_tables(source)
