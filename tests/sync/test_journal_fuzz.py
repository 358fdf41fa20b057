"""Journal files from the share are outside input: whatever bytes a file holds — torn, foreign,
or crafted so that its name matches its body — reading it raises BatchError (a Chinese reason)
or gives entries of the shapes our writer writes; nothing else comes out."""

from __future__ import annotations

import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.storage.changelog import ChangeEntry
from app.sync.journal import (
    BATCH_FORMAT,
    BATCH_VERSION,
    Batch,
    BatchError,
    BatchName,
    decode,
    encode,
    file_name,
)

DEVICE = "laptop-a"
HLC = "1630000000000-00001"
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
JSONISH = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=6), max_leaves=12)


def _named(body: bytes, seq: int = 1) -> tuple[bytes, BatchName]:
    name = BatchName.parse(file_name(seq, HLC, body))
    assert name is not None
    return gzip.compress(body, mtime=0), name


def _header(count: int) -> dict:
    return {
        "format": BATCH_FORMAT,
        "version": BATCH_VERSION,
        "device": DEVICE,
        "seq": 1,
        "schema": 6,
        "count": count,
        "first_local_seq": 1,
        "last_local_seq": count,
    }


def _check(data: bytes, name: BatchName) -> None:
    try:
        _header_read, batch = decode(data, name, DEVICE)
    except BatchError as problem:
        assert str(problem)  # a reason to show
        return
    for entry in batch.entries:
        assert all(isinstance(t, str) and t for t in (entry.table, entry.row_id, entry.field))
        assert isinstance(entry.hlc, str) and entry.device == DEVICE
        assert entry.base_hlc is None or isinstance(entry.base_hlc, str)
        assert isinstance(entry.value, (str, int, float, bool, type(None)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_are_refused_with_a_reason(data: bytes) -> None:
    name = BatchName.parse(file_name(1, HLC, data))
    _check(data, name)
    _check(gzip.compress(data, mtime=0), name)


@settings(max_examples=300, deadline=None)
@given(st.lists(JSONISH, max_size=5))
def test_crafted_entry_lines_whose_name_matches_are_checked(rows: list) -> None:
    lines = [json.dumps(_header(len(rows)))] + [json.dumps(row) for row in rows]
    data, name = _named(("\n".join(lines) + "\n").encode())
    _check(data, name)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["measures", "findings", 3, None, ""]),
            st.one_of(st.text(min_size=1, max_size=8), st.integers()),
            st.sampled_from(["title", "deleted", ["x"], ""]),
            JSONISH,
            st.sampled_from([HLC, "1630000000000-0000", "tomorrow", 17, None]),
            st.sampled_from([None, HLC, "x", 0]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_nearly_right_entries_are_refused_unless_right(rows: list) -> None:
    lines = [json.dumps(_header(len(rows)))] + [json.dumps(list(row)) for row in rows]
    data, name = _named(("\n".join(lines) + "\n").encode())
    _check(data, name)


def test_a_batch_we_wrote_reads_back_whole() -> None:
    entries = [
        ChangeEntry("measures", "m-1", "title", "推行“一网通办”", HLC, DEVICE),
        ChangeEntry("measures", "m-1", "deleted", 0, HLC, DEVICE, "1620000000000-00000"),
        ChangeEntry("targets", "t-1", "value", 92.5, HLC, DEVICE),
        ChangeEntry("targets", "t-1", "note", None, HLC, DEVICE),
    ]
    body, data = encode(Batch(DEVICE, 1, 6, 1, 4, entries))
    name = BatchName.parse(file_name(1, HLC, body))
    _header_read, batch = decode(data, name, DEVICE)
    assert batch.entries == entries


def test_a_value_of_a_list_is_refused_by_name() -> None:
    row = ["measures", "m-1", "title", ["not", "a", "value"], HLC, None]
    lines = [json.dumps(_header(1)), json.dumps(row)]
    data, name = _named(("\n".join(lines) + "\n").encode())
    try:
        decode(data, name, DEVICE)
    except BatchError as problem:
        assert "值不是文字或数字" in str(problem)
    else:
        raise AssertionError("a list value was accepted")


def _outcome(read) -> tuple:
    try:
        return ("read", read())
    except BatchError as problem:
        return ("refused", str(problem))
    except (ValueError, KeyError, TypeError, IndexError) as error:
        return ("refused", str(BatchError(f"文件内容格式不正确（{error}）")))


BAD = [
    st.sampled_from([3, None, "", "x" * 65, ["measures"]]),  # table
    st.one_of(st.just(""), st.integers(), st.just("x" * 200), st.lists(st.text(), max_size=1)),
    st.sampled_from([["x"], "", 7, "y" * 65]),  # field
    st.one_of(  # value
        st.just(float("nan")), st.lists(SCALAR, max_size=2), st.dictionaries(st.text(), SCALAR)
    ),
    st.sampled_from(["1630000000000-0000", "tomorrow", 17, None, [HLC]]),  # hlc
    st.sampled_from(["x", 0, [HLC], "1630000000000-000001"]),  # base
]


@st.composite
def _entry_line(draw) -> list:
    """Mostly a right entry line; now and then one item of it wrong, or not a line at all."""
    row = [
        draw(st.sampled_from(["measures", "findings"])),
        draw(st.text(min_size=1, max_size=8)),
        draw(st.sampled_from(["title", "deleted"])),
        draw(st.one_of(SCALAR, st.floats(allow_nan=True))),
        HLC,
        draw(st.sampled_from([None, HLC])),
    ]
    wrong = draw(st.integers(0, 9))
    if wrong < 6:
        row[wrong] = draw(BAD[wrong])
    elif wrong == 6:
        return draw(st.one_of(JSONISH, st.lists(SCALAR, min_size=5, max_size=7)))
    return row


@settings(max_examples=400, deadline=None)
@given(st.lists(_entry_line(), min_size=1, max_size=5))
def test_the_whole_batch_check_says_what_the_check_of_each_line_says(rows: list) -> None:
    """decode checks all entry lines at once when it can; the outcome (the entries, or the
    reason for refusing) is the one the line-by-line check gives."""
    from app.sync.journal import _entry

    lines = [json.dumps(_header(len(rows)))] + [json.dumps(row) for row in rows]
    data, name = _named(("\n".join(lines) + "\n").encode())
    got = _outcome(lambda: decode(data, name, DEVICE)[1].entries)
    parsed = [json.loads(json.dumps(row)) for row in rows]
    expected = _outcome(lambda: [_entry(row, DEVICE) for row in parsed])
    if got[0] == "read" and expected[0] == "read":
        assert repr(got[1]) == repr(expected[1])
    else:
        assert got == expected
