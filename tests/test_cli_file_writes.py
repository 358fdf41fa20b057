"""progress-sheets and export-ledger never destroy a file, and fail without leaving half a job.

Issue 8, items 1, 2 and 4: a returned sheet saved next to the exported ones was overwritten; text
beginning with "=" came out of export-ledger as a live formula; a long round or department name
died with "File name too long" after saving the round and writing most of the files.
"""

from __future__ import annotations

import errno
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import main
from app.storage import Storage
from reports.ledger_workbook import COL_PROGRESS as LEDGER_PROGRESS
from reports.ledger_workbook import HEADER_ROW as LEDGER_HEADER_ROW
from reports.progress_sheet import COL_ID, COL_PROGRESS, FIRST_DATA_ROW, HEADER_ROW
from tests.services.progress.support import _fill

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources" / "plans" / "tengzhou-2021-9.txt"
ROUND = "2021年7月调度"
TAX = "市税务局"
INJECTION = '=HYPERLINK("http://example.com","点此查看")'


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the sample plan, copied for each test (importing takes a while)."""
    db = tmp_path_factory.mktemp("plan") / "ledger.sqlite"
    assert main.main(["import-plan", "--db", str(db), str(SAMPLE)]) == 0
    Storage.open(db).close()  # checkpoint the WAL so the file alone is the database
    return db


@pytest.fixture
def db(imported: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ledger.sqlite"
    copy.write_bytes(imported.read_bytes())
    return copy


def _sheets(db: Path, out: Path, round_name: str = ROUND, *extra: str) -> int:
    return main.main(
        [
            "progress-sheets",
            "--db",
            str(db),
            "--round",
            round_name,
            "--out",
            str(out),
            "--reply-due",
            "2021-07-09",
            "--on",
            "2021-07-01",
            *extra,
        ]
    )


def _count(db: Path, sql: str) -> int:
    storage = Storage.open(db)
    try:
        return storage.db.execute(sql).fetchone()[0]
    finally:
        storage.close()


def _departments(db: Path) -> int:
    """How many departments get a sheet: those with an assignment, except generic groups."""
    return _count(
        db,
        "SELECT COUNT(DISTINCT d.id) FROM departments d JOIN assignments s"
        " ON s.department_id = d.id JOIN measures m ON m.id = s.measure_id"
        " WHERE d.deleted = 0 AND s.deleted = 0 AND m.deleted = 0 AND d.is_group = 0",
    )


# ---- 1. A filled-in sheet is never overwritten --------------------------------------------------


def test_progress_sheets_keeps_a_file_of_the_same_name_and_says_so(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "填报表"
    out.mkdir()
    returned = out / f"{ROUND}-{TAX}.xlsx"
    book = Workbook()
    book.active["A1"] = "市税务局报回的内容"
    book.save(returned)
    before = returned.read_bytes()
    other = out / "说明.txt"
    other.write_text("别的文件", encoding="utf-8")

    assert _sheets(db, out) == 0
    captured = capsys.readouterr()
    assert returned.read_bytes() == before  # the department's answers are still there
    assert other.read_text(encoding="utf-8") == "别的文件"
    renamed = out / f"{ROUND}-{TAX}（2）.xlsx"
    files = [Path(f) for f in json.loads(captured.out)["files"]]
    assert renamed in files and returned not in files
    assert len(files) == _departments(db)
    assert load_workbook(renamed)["_meta"]["B7"].value == TAX
    assert json.loads(captured.out)["renamed"] == [{"wanted": returned.name, "file": str(renamed)}]
    assert returned.name in captured.err and renamed.name in captured.err
    assert "未覆盖" in captured.err
    # No temporary files are left behind.
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [returned.name, other.name, *(f.name for f in files)]
    )


def test_exporting_the_same_round_twice_into_one_folder_overwrites_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "填报表"
    assert _sheets(db, out) == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    # A second run (another day, another process) does not know these files: they might have
    # been filled in meanwhile, so they are kept and the new sheets get new names.
    assert _sheets(db, out) == 0
    files = [Path(f) for f in json.loads(capsys.readouterr().out)["files"]]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in first} == first
    assert all(re.search(r"（2）\.xlsx$", f.name) for f in files)
    assert len(list(out.iterdir())) == 2 * len(first)


# ---- 4. Long names are shortened; a failure part-way leaves nothing ----------------------------


def test_long_round_and_department_names_are_shortened_to_names_every_disk_takes(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_department = "滕州市深入优化营商环境创新突破行动工作领导小组办公室" * 4  # 104 characters
    storage = Storage.open(db)
    tax = storage.db.execute("SELECT id FROM departments WHERE name = ?", [TAX]).fetchone()[0]
    storage.repository.update("departments", tax, {"name": long_department})
    storage.close()
    long_round = "2021年7月关于深入优化营商环境创新突破行动落实方案重点任务推进情况的专项调度" * 2
    assert len(long_round) > 70

    out = tmp_path / "填报表"
    assert _sheets(db, out, long_round) == 0
    result = json.loads(capsys.readouterr().out)
    files = [Path(f) for f in result["files"]]
    assert len(files) == _departments(db)
    assert all(f.exists() for f in files)
    names = [f.name for f in files]
    assert len({name.casefold() for name in names}) == len(names)
    assert max(len(name.encode("utf-8")) for name in names) <= 143
    # Each name still tells the departments apart: the round part is shortened first.
    for path in files:
        department = load_workbook(path, read_only=True)["_meta"]["B7"].value
        round_part, _, department_part = path.stem.partition("…-")
        assert long_round.startswith(round_part)
        assert department_part == department or (
            department == long_department
            and department_part.endswith("…")
            and department.startswith(department_part[:-1])
            and len(department_part) > 20
        )
    assert _count(db, "SELECT COUNT(*) FROM round_sheets WHERE deleted = 0") == len(files)


@pytest.mark.parametrize("failure", ["disk full", "name too long"])
def test_a_failure_on_the_fifth_sheet_leaves_no_round_no_records_and_no_files(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    out = tmp_path / "填报表"
    out.mkdir()
    kept = out / "各部门报回.xlsx"
    kept.write_bytes(b"not ours")
    calls = {"n": 0}
    save = Workbook.save

    def fail_on_the_fifth(self, target):
        calls["n"] += 1
        if calls["n"] == 5:
            code = errno.ENOSPC if failure == "disk full" else errno.ENAMETOOLONG
            raise OSError(code, "simulated")
        return save(self, target)

    monkeypatch.setattr(Workbook, "save", fail_on_the_fifth)
    changes = _count(db, "SELECT COUNT(*) FROM changes")
    assert _sheets(db, out) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "错误：" in err and "未改变" in err
    assert calls["n"] == 5
    assert _count(db, "SELECT COUNT(*) FROM rounds") == 0
    assert _count(db, "SELECT COUNT(*) FROM round_sheets") == 0
    assert _count(db, "SELECT COUNT(*) FROM changes") == changes
    assert [p.name for p in out.iterdir()] == [kept.name]
    assert kept.read_bytes() == b"not ours"


def test_a_failure_in_a_new_folder_removes_the_folder_it_made(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "新建" / "填报表"
    calls = {"n": 0}
    save = Workbook.save

    def fail_on_the_fifth(self, target):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return save(self, target)

    monkeypatch.setattr(Workbook, "save", fail_on_the_fifth)
    assert _sheets(db, out) == 2
    assert "磁盘空间" in capsys.readouterr().err
    assert not (tmp_path / "新建").exists()


# ---- 2. Text stays text in export-ledger -------------------------------------------------------


def test_a_reply_beginning_with_equals_is_exported_as_text_not_as_a_formula(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "填报表"
    assert _sheets(db, out) == 0
    files = [Path(f) for f in json.loads(capsys.readouterr().out)["files"]]
    sheet = next(f for f in files if f.name == f"{ROUND}-{TAX}.xlsx")

    def injected(ws) -> None:
        column = {ws.cell(HEADER_ROW, i).value: i for i in range(1, ws.max_column + 1)}
        row = FIRST_DATA_ROW
        while not str(ws.cell(row, column[COL_ID]).value).startswith(("M-", "S-")):
            row += 1
        cell = ws.cell(row, column[COL_PROGRESS])
        cell.value = INJECTION
        cell.data_type = "s"  # typed in Excel after an apostrophe: text, not a formula

    _fill(sheet, state="推进中", edit=injected)
    assert (
        main.main(["import-progress", "--db", str(db), "--received-on", "2021-07-05", str(sheet)])
        == 0
    )
    capsys.readouterr()
    assert _count(db, f"SELECT COUNT(*) FROM progress_reports WHERE progress = '{INJECTION}'") >= 1

    xlsx = tmp_path / "台账.xlsx"
    args = ["export-ledger", "--db", str(db), "--out", str(xlsx), "--as-of", "2021-07-06"]
    assert main.main(args) == 0
    with zipfile.ZipFile(xlsx) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name
    ws = load_workbook(xlsx).worksheets[0]
    column = [ws.cell(LEDGER_HEADER_ROW, c).value for c in range(1, ws.max_column + 1)].index(
        LEDGER_PROGRESS
    ) + 1
    cells = [
        ws.cell(row, column)
        for row in range(LEDGER_HEADER_ROW + 1, ws.max_row + 1)
        if str(ws.cell(row, column).value or "").startswith(INJECTION)
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert all("（2021-07-05）" in cell.value for cell in cells)
    assert all(cell.quotePrefix for cell in cells)


# ---- export-ledger --out onto an existing file -------------------------------------------------


def test_export_ledger_refuses_to_replace_a_file_unless_asked(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"somebody's workbook")
    args = ["export-ledger", "--db", str(db), "--out", str(target), "--as-of", "2021-07-01"]
    assert main.main(args) == 2
    err = capsys.readouterr().err
    assert "已存在" in err and "--overwrite" in err and "Traceback" not in err
    assert target.read_bytes() == b"somebody's workbook"
    assert sorted(p.name for p in tmp_path.iterdir() if "sqlite" not in p.name) == [target.name]

    assert main.main([*args, "--overwrite"]) == 0
    assert load_workbook(target).worksheets[0].max_row > 200
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_export_ledger_with_overwrite_keeps_the_old_file_when_writing_fails(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"last week's ledger")

    def crash(self, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", crash)
    args = ["export-ledger", "--db", str(db), "--out", str(target), "--overwrite"]
    assert main.main(args) == 2
    assert "磁盘空间" in capsys.readouterr().err
    assert target.read_bytes() == b"last week's ledger"
    assert sorted(p.name for p in tmp_path.iterdir() if "sqlite" not in p.name) == [target.name]
