"""Fuzzing the returned-sheet import: whatever the file, import_files returns a report (its
errors are the only complaint, never an exception) and a refused file leaves the database
exactly as it was, compared as a whole export (tests/mutations.py: how files are damaged)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from app.services.progress import ProgressService
from app.storage import Storage
from app.storage.export import export_database
from reports.progress_sheet import COL_STATE, FIRST_DATA_ROW, HEADERS
from tests.mutations import FUZZ, damaged
from tests.services.progress.support import RECEIVED, ROUND, SMALL, _export, _fill
from tests.zipcraft import rebuild

ROWS_PART = "xl/worksheets/sheet2.xml"
META_PART = "xl/worksheets/sheet3.xml"


@dataclass
class Bench:
    """One database for all examples of a test; put back whenever an example imported."""

    template: Path
    db: Path
    folder: Path
    storage: Storage
    sheet: bytes

    @property
    def service(self) -> ProgressService:
        return ProgressService(self.storage.repository)

    def restore(self) -> None:
        self.storage.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.db)
        self.storage = Storage.open(self.db)


@pytest.fixture(scope="module")
def bench(template: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("sheet-fuzz")
    db = folder / "ledger.sqlite"
    shutil.copyfile(template, db)
    storage = Storage.open(db)
    service = ProgressService(storage.repository)
    found = service.find_round(ROUND)
    assert found is not None
    sheet = _fill(_export(service, found.id, folder, SMALL)[SMALL], actual="92%")
    made = Bench(template, db, folder, storage, sheet.read_bytes())
    yield made
    made.storage.close()


def _check(bench: Bench, data: bytes) -> None:
    path = bench.folder / "回复.xlsx"
    path.write_bytes(data)
    before = export_database(bench.storage)
    report = bench.service.import_files([path], received_on=RECEIVED)
    assert all(issue.file == path.name and issue.reason for issue in report.errors)
    first = report.errors[0].reason[:12] if report.errors else "no error"
    event("imported" if report.applied else first)  # --hypothesis-show-statistics
    if report.applied:  # the damage missed everything that matters: a valid sheet
        assert report.ok
        bench.restore()
    else:
        assert export_database(bench.storage) == before


def test_the_base_sheet_imports(bench: Bench) -> None:
    path = bench.folder / "base.xlsx"
    path.write_bytes(bench.sheet)
    report = bench.service.import_files([path], received_on=RECEIVED)
    assert report.ok and report.applied, [str(e) for e in report.errors]
    bench.restore()


@settings(FUZZ, max_examples=60)
@given(st.binary(max_size=3_000))
def test_arbitrary_bytes(bench: Bench, data: bytes) -> None:
    _check(bench, data)


@settings(FUZZ, max_examples=60)
@given(st.binary(max_size=3_000))
def test_arbitrary_bytes_behind_the_zip_signature(bench: Bench, data: bytes) -> None:
    _check(bench, b"PK\x03\x04" + data)


# ---- Damaged packages ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(bench: Bench) -> bytes:
    return bench.sheet


@settings(FUZZ, max_examples=120)
@given(data=st.data())
def test_damaged_packages(bench: Bench, base: bytes, data: st.DataObject) -> None:
    _check(bench, data.draw(damaged(base, [ROWS_PART, META_PART, "xl/workbook.xml"])))


# ---- Plausible cells, dimensions and rows --------------------------------------------------------

CELL_TYPES = ["n", "s", "b", "e", "str", "inlineStr", "d", "x", None]
VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            *("nan", "inf", "-1e309", "1e308", "99999999999999999999", "-0", "2021-07-30"),
            *("1.5", "0", "-1", "abc", "TRUE", "45000", "20000", "80000.5", "已完成", "92%"),
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
STYLES = st.sampled_from([None, "0", "1", "4", "9", "14", "9999", "-1", "x"])
COLUMNS = [chr(ord("A") + i) for i in range(15)]


def _cell_xml(ref: str, kind: str | None, value: str, style: str | None, formula: bool) -> str:
    attributes = f' r="{ref}"'
    if kind is not None:
        attributes += f' t="{kind}"'
    if style is not None:
        attributes += f' s="{style}"'
    body = f"<f>{escape(value)}</f>" if formula else ""
    if kind == "inlineStr":
        body += f"<is><t>{escape(value)}</t></is>"
    else:
        body += f"<v>{escape(value)}</v>"
    return f"<c{attributes}>{body}</c>"


def _edit_sheet(data: bytes, edit) -> bytes:
    return rebuild(data, replace={ROWS_PART: lambda xml: [edit(xml.decode()).encode()]})


def _retyped(data: bytes, cells: list[tuple[int, str, str | None, str, str | None, bool]]) -> bytes:
    def edit(xml: str) -> str:
        for row, column, kind, value, style, formula in cells:
            ref = f"{column}{row}"
            pattern = re.compile(f'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', re.S)
            new = _cell_xml(ref, kind, value, style, formula)
            xml = pattern.sub(lambda _m, new=new: new, xml, count=1)
        return xml

    return _edit_sheet(data, edit)


CELL = st.tuples(
    st.integers(FIRST_DATA_ROW, FIRST_DATA_ROW + 6),
    st.sampled_from(COLUMNS),
    st.sampled_from(CELL_TYPES),
    VALUES,
    STYLES,
    st.booleans(),
)


@settings(FUZZ, max_examples=100)
@given(cells=st.lists(CELL, min_size=1, max_size=6))
def test_wrong_types_in_cells(bench: Bench, base: bytes, cells) -> None:
    _check(bench, _retyped(base, cells))


DIMENSIONS = st.one_of(
    st.sampled_from(["A1:XFD1048576", "A1:O10001", "A1:O10000", "A0:B", "", "A1", "ZZZZ9:A1"]),
    st.tuples(st.sampled_from(["A", "O", "XFD", "AAAA"]), st.integers(0, 10**12)).map(
        lambda pair: f"A1:{pair[0]}{pair[1]}"
    ),
    st.text(max_size=12).map(escape),
)
ROW_NUMBERS = st.one_of(
    st.sampled_from(["0", "-5", "1e3", "abc", "3.5", "", "10001", "1048577"]),
    st.integers(0, 10**9).map(str),
)


@settings(FUZZ, max_examples=80)
@given(dimension=DIMENSIONS, rows=st.lists(st.tuples(st.integers(0, 9), ROW_NUMBERS), max_size=3))
def test_odd_dimensions_and_row_numbers(bench: Bench, base: bytes, dimension: str, rows) -> None:
    def edit(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml)
        for index, number in rows:
            matches = list(re.finditer(r'<row r="(\d+)"', xml))
            if index < len(matches):
                match = matches[index]
                xml = xml[: match.start(1)] + escape(number) + xml[match.end(1) :]
        return xml

    _check(bench, _edit_sheet(base, edit))


def test_the_cell_rewriter_hits_real_cells(base: bytes) -> None:
    """Guards the fuzz itself: a rewritten cell really replaces the department's answer."""
    column = COLUMNS[HEADERS.index(COL_STATE)]
    changed = _retyped(base, [(FIRST_DATA_ROW, column, "inlineStr", "已完成", None, False)])
    xml = zipfile.ZipFile(io.BytesIO(changed)).read(ROWS_PART).decode()
    assert f'<c r="{column}{FIRST_DATA_ROW}" t="inlineStr"><is><t>已完成</t></is></c>' in xml
