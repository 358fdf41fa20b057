"""record-pdf and rectification-notice from the command line, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import main
from app.domain.ledger import InspectionKind
from app.services.context import Services
from app.storage import Storage
from tests.reports.pdfcheck import bad_line_starts, fonts, page_texts
from tests.services.printing import make_record

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[Path, str, str]:
    """A ledger file with a 暗访 record of 张三 (the current user), its photos and findings."""
    db = tmp_path / "ledger.sqlite"
    storage = Storage.open(db)
    fixture = make_record(storage, tmp_path)
    storage.close()
    return db, fixture.record, fixture.plan


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


def test_record_pdf_end_to_end(ledger, tmp_path: Path) -> None:
    db, record, _plan = ledger
    out = tmp_path / "打印" / "检查记录"
    out.parent.mkdir()
    result = _run("record-pdf", "--db", str(db), "--inspection", record, "--out", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    written = out.with_name("检查记录.pdf")
    assert report["file"] == str(written) and report["pages"] >= 2
    assert [line.split("：")[0] for line in report["fonts"]] == ["黑体", "宋体"]
    for line in report["substituted"]:  # named on stderr too
        assert f"字体：{line}" in result.stderr
    assert all(fonts(written).values())
    assert bad_line_starts(written) == []
    text = "".join(page_texts(written))
    assert "暗访检查记录" in text and "是否一次性告知全部所需材料和办理流程？" in text

    again = _run("record-pdf", "--db", str(db), "--inspection", record, "--out", str(written))
    assert again.returncode == 2
    assert "已存在，没有保存（不覆盖已有文件）" in again.stderr
    assert json.loads(result.stdout)["pages"] == report["pages"]


def test_an_inspector_not_on_the_plan_cannot_print_it(ledger, tmp_path: Path, capsys) -> None:
    db, record, _plan = ledger
    assert main.main(["user", "--db", str(db), "--name", "王五", "--role", "inspector"]) == 0
    capsys.readouterr()
    out = tmp_path / "record.pdf"
    code = main.main(["record-pdf", "--db", str(db), "--inspection", record, "--out", str(out)])
    assert code == 2
    assert "该检查记录不存在或已删除" in capsys.readouterr().err
    assert not out.exists()
    notice = tmp_path / "notice.pdf"
    code = main.main(
        [
            "rectification-notice",
            "--db",
            str(db),
            "--department",
            "市行政审批服务局",
            "--as-of",
            "2021-08-05",
            "--out",
            str(notice),
        ]
    )
    assert code == 2
    assert "没有未整改的问题" in capsys.readouterr().err
    assert not notice.exists()
    # A supervisor may.
    assert main.main(["user", "--db", str(db), "--role", "supervisor"]) == 0
    assert (
        main.main(["record-pdf", "--db", str(db), "--inspection", record, "--out", str(out)]) == 0
    )
    assert out.is_file()


def test_rectification_notice_end_to_end(ledger, tmp_path: Path) -> None:
    db, _record, _plan = ledger
    out = tmp_path / "整改通知.pdf"
    result = _run(
        "rectification-notice",
        "--db",
        str(db),
        "--department",
        "市行政审批服务局",
        "--as-of",
        "2021-08-05",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {key: report[key] for key in ("department", "as_of", "findings", "overdue")} == {
        "department": "市行政审批服务局",
        "as_of": "2021-08-05",
        "findings": 2,
        "overdue": 2,
    }
    assert (report["awaiting_recheck"], report["covert"], report["pages"]) == (0, 2, 1)
    assert report["total"] == report["findings"] + report["awaiting_recheck"] == 2
    assert "有 2 个问题来自暗访记录" in result.stderr
    text = "".join(page_texts(out))
    assert "市行政审批服务局：" in text and "并于2021年8月10日前报送整改情况" in text


def test_a_department_not_in_the_directory_is_named(ledger, tmp_path: Path, capsys) -> None:
    db, _record, _plan = ledger
    out = tmp_path / "n.pdf"
    args = ["rectification-notice", "--db", str(db), "--department", "市审批局", "--out", str(out)]
    assert main.main(args) == 2
    assert "部门名录中没有“市审批局”" in capsys.readouterr().err
    assert not out.exists()


def test_the_short_number_on_the_pdf_finds_the_record(ledger, tmp_path: Path, capsys) -> None:
    """The 记录编号 printed on the PDF (8 characters, any case) is enough; a prefix shared by
    several records says so in Chinese and writes nothing."""
    db, record, _plan = ledger
    first = tmp_path / "first.pdf"
    args = ["record-pdf", "--db", str(db), "--inspection", record, "--out", str(first)]
    assert main.main(args) == 0
    assert main.main(args) == 2  # exists: not replaced
    capsys.readouterr()
    number = next(
        line.split("记录编号：")[1][:8] for line in page_texts(first) if "记录编号：" in line
    )
    assert number == record.replace("-", "")[:8].upper()
    for index, given in enumerate((number, number.lower())):
        out = tmp_path / f"short-{index}.pdf"
        code = main.main(["record-pdf", "--db", str(db), "--inspection", given, "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        assert out.is_file()
        assert json.loads(capsys.readouterr().out)["file"] == str(out)

    # More records: two of them share a first character (17 ids, 16 hex digits).
    storage = Storage.open(db)
    services = Services.for_storage(storage)
    measure = storage.db.execute("SELECT measure_id FROM inspections").fetchone()[0]
    for _ in range(16):
        services.inspections.record(
            measure, kind=InspectionKind.OPEN, checked_on=date(2021, 7, 20), inspector="张三"
        )
    ids = [row[0] for row in storage.db.execute("SELECT id FROM inspections")]
    storage.close()
    shared = Counter(i[0] for i in ids).most_common(1)[0][0]
    out = tmp_path / "shared.pdf"
    code = main.main(["record-pdf", "--db", str(db), "--inspection", shared, "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "对应多条检查记录" in capsys.readouterr().err
    code = main.main(["record-pdf", "--db", str(db), "--inspection", "zz", "--out", str(out)])
    assert code == 2 and "该检查记录不存在或已删除" in capsys.readouterr().err
