from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import main
from app import __version__
from app.storage import Storage
from app.storage.migrations import LEDGER_MIGRATIONS
from tests.conftest import add_sample_plan

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        check=False,
    )


def test_export_of_an_empty_ledger_prints_json_with_the_device_id(tmp_path: Path) -> None:
    Storage.open(tmp_path / "new.sqlite").close()  # export itself never creates one
    result = _run("export", "--db", str(tmp_path / "new.sqlite"))
    assert result.returncode == 0, result.stderr
    dump = json.loads(result.stdout)
    assert len(dump["device_id"]) == 32
    assert dump["schema_version"] == LEDGER_MIGRATIONS.latest
    assert set(dump["tables"]) >= {
        "plans",
        "areas",
        "measures",
        "departments",
        "assignments",
        "milestones",
        "targets",
    }
    # Only the lists every database starts with (the same rows on every laptop).
    seeded = {"vocabulary", "score_rules"}
    assert all(rows == {} for name, rows in dump["tables"].items() if name not in seeded)
    assert all(dump["tables"][name] for name in seeded)
    # The same device id is kept on the next run.
    again = json.loads(_run("--db", str(tmp_path / "new.sqlite"), "export").stdout)
    assert again["device_id"] == dump["device_id"]


def test_export_marks_tombstones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ledger.sqlite"
    storage = Storage.open(path)
    add_sample_plan(storage, areas=1, measures_per_area=2)
    gone = storage.db.execute("SELECT id FROM measures ORDER BY position LIMIT 1").fetchone()[0]
    storage.repository.delete("measures", gone)
    storage.close()

    assert main.main(["export", "--db", str(path)]) == 0
    dump = json.loads(capsys.readouterr().out)
    measures = dump["tables"]["measures"]
    assert measures[gone]["deleted"] is True
    assert [row["deleted"] for key, row in measures.items() if key != gone] == [False]
    assert dump["tables"]["plans"][next(iter(dump["tables"]["plans"]))]["doc_number"] == (
        "滕政发〔2021〕9号"
    )
    assert dump["change_count"] > 0


def test_export_of_a_file_that_is_not_a_ledger_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text("hello", encoding="utf-8")
    result = _run("export", "--db", str(path))
    assert result.returncode == 2
    assert "不是 SQLite 数据库" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text(encoding="utf-8") == "hello"


def test_version() -> None:
    result = _run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_db_given_before_the_subcommand_is_not_overwritten() -> None:
    args = main.build_parser().parse_args(["--db", "a.sqlite", "export"])
    assert main.resolve_db(args) == Path("a.sqlite")
    args = main.build_parser().parse_args(["export"])
    assert main.resolve_db(args).name == "ledger.sqlite"


SAMPLE = ROOT / "resources" / "plans" / "tengzhou-2021-9.txt"


def test_parse_prints_the_plan_as_json() -> None:
    result = _run("parse", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["plan"]["doc_number"] == "滕政发〔2021〕9号"
    assert parsed["plan"]["date"] == "2021-06-18"
    assert len(parsed["areas"]) == 19
    assert sum(len(area["measures"]) for area in parsed["areas"]) == 201
    first = parsed["areas"][0]["measures"][0]
    assert set(first) >= {
        "no",
        "title",
        "text",
        "lead",
        "responsible",
        "cooperating",
        "deadlines",
        "targets",
    }


def test_parse_of_an_unreadable_file_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"\x00\x01binary\xff" * 50)
    result = _run("parse", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("错误：")
    assert "Traceback" not in result.stderr


def test_import_plan_stores_once_and_reimport_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    first = _run("import-plan", "--db", str(db), str(SAMPLE))
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["new_plan"], summary["added"]) == (True, 201)
    dump = json.loads(_run("export", "--db", str(db)).stdout)
    assert len(dump["tables"]["measures"]) == 201
    assert len(dump["tables"]["areas"]) == 19

    again = json.loads(_run("import-plan", "--db", str(db), str(SAMPLE)).stdout)
    assert (again["new_plan"], again["unchanged"], again["added"]) == (False, 201, 0)
    assert (
        json.loads(_run("export", "--db", str(db)).stdout)["change_count"] == (dump["change_count"])
    )


def test_import_plan_refuses_a_document_without_measures(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_text("关于召开会议的通知\n\n请各单位准时参加。\n", encoding="utf-8")
    db = tmp_path / "ledger.sqlite"
    result = _run("import-plan", "--db", str(db), str(path))
    assert result.returncode == 2
    assert "没有找到任何措施" in result.stderr
    assert not db.exists()


def test_the_ledger_round_trip_through_the_cli(tmp_path: Path) -> None:
    """Import the sample, send sheets out, fill one in as a department would, import it back."""
    from openpyxl import load_workbook

    db = tmp_path / "ledger.sqlite"
    assert _run("import-plan", "--db", str(db), str(SAMPLE)).returncode == 0
    before = json.loads(_run("status", "--db", str(db), "--as-of", "2021-07-01").stdout)
    red = {m["id"] for m in before["measures"] if m["light"] == "red"}
    assert len(red) == 57

    out = tmp_path / "sheets"
    made = _run(
        "progress-sheets",
        "--db",
        str(db),
        "--round",
        "2021年7月调度",
        "--out",
        str(out),
        "--reply-due",
        "2021-07-09",
        "--on",
        "2021-07-01",
    )
    assert made.returncode == 0, made.stderr
    files = json.loads(made.stdout)["files"]
    sheet_path = next(Path(f) for f in files if "市行政审批服务局" in f)

    workbook = load_workbook(sheet_path)
    sheet = workbook["进展填报"]
    header_row = next(r for r in range(1, 8) if "编号" in [c.value for c in sheet[r]])
    headers = {sheet.cell(header_row, c).value: c for c in range(1, sheet.max_column + 1)}
    # 填报人 and 联系电话 once, right of their labels above the header.
    answers = {"填报人": "张三", "联系电话": "0632-5512345"}
    for row in range(1, header_row):
        for cell in sheet[row]:
            if cell.value in answers:
                sheet.cell(row, cell.column + 1).value = answers[cell.value]
    for row in range(header_row + 1, sheet.max_row + 1):
        code = sheet.cell(row, headers["编号"]).value
        if not code:
            continue
        if code.startswith("T-"):
            sheet.cell(row, headers["实际值"]).value = 95
        else:
            sheet.cell(row, headers["完成状态"]).value = "已完成"
            sheet.cell(row, headers["实际完成日期"]).value = "2021-06-28"
            sheet.cell(row, headers["进展情况"]).value = "已按期完成。"
    workbook.save(sheet_path)

    imported = _run(
        "import-progress", "--db", str(db), "--received-on", "2021-07-05", str(sheet_path)
    )
    assert imported.returncode == 0, imported.stderr
    again = _run("import-progress", "--db", str(db), "--received-on", "2021-07-05", str(sheet_path))
    assert json.loads(again.stdout)["files"][0]["status"] == "already"

    after = json.loads(_run("status", "--db", str(db), "--as-of", "2021-07-01").stdout)
    now_red = {m["id"] for m in after["measures"] if m["light"] == "red"}
    assert now_red < red  # the measures it leads are done now
    done = [m for m in after["measures"] if m["status"] == "已完成"]
    # Its reports complete what it leads (and measures that name no lead at all).
    assert done and all("市行政审批服务局" in m["lead"] or not m["lead"] for m in done)

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    refused = _run("import-progress", "--db", str(db), str(broken))
    assert refused.returncode == 1
    assert "broken.xlsx" in refused.stderr and "Traceback" not in refused.stderr

    xlsx = tmp_path / "台账.xlsx"
    exported = _run("export-ledger", "--db", str(db), "--out", str(xlsx), "--as-of", "2021-07-01")
    assert exported.returncode == 0, exported.stderr
    assert load_workbook(xlsx).worksheets[0].max_row > 201


def test_help_and_argument_errors_are_in_chinese() -> None:
    help_text = _run("--help").stdout
    assert help_text.startswith("用法：")
    assert "显示本帮助并退出" in help_text and "显示版本号并退出" in help_text
    for english in ("usage:", "show this help", "options:", "show program"):
        assert english not in help_text
    result = _run("progress-sheets")
    assert result.returncode == 2
    assert "错误：缺少必需的参数：--round, --out" in result.stderr
    assert "error" not in result.stderr
