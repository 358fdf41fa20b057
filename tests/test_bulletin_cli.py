"""bulletin from the command line, as a user runs it: a draft of each kind from the fixture ledger
as Word (PDF once the renderer exists), never over an existing file, no number consumed, nothing
written to the ledger, and one Chinese line for every refusal — a broken template included."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

import main
from app.services.bulletins import BulletinKind, BulletinTemplates
from app.storage import Storage
from tests.services.bulletins.checker import failed_checkpoints, failed_pdf_checkpoints
from tests.services.bulletins.ledger import COVERT_PLAN, COVERT_PROBLEM, LEAD, ROUND, build

ROOT = Path(__file__).resolve().parent.parent
NO_NUMBER = "发文字号 with 〔year〕"  # a draft has no 发文字号 yet
NO_COPY_TO = "版记: 抄送"  # the notice to one department copies nobody by default


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-ledger")
    build(folder / "ledger.sqlite", folder)
    return folder / "ledger.sqlite"


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ledger.sqlite"
    shutil.copyfile(template_db, target)
    return target


def _main(capsys, *args: str) -> tuple[int, str, str]:
    code = main.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("kind", "options", "title", "expected_failures"),
    [
        ("progress", ["--round", ROUND], "关于2021年7月调度情况的通报", [NO_NUMBER]),
        ("inspection", [], "关于2021年8月明察暗访情况的通报", [NO_NUMBER]),
        ("inspection", ["--plan", COVERT_PLAN], "关于2021年8月暗访情况的通报", [NO_NUMBER]),
        (
            "notice",
            ["--department", LEAD],
            "关于督办逾期任务和限期整改问题的通知",
            [NO_NUMBER, NO_COPY_TO],
        ),
        (
            "praise",
            ["--from", "2021-08-01", "--to", "2021-08-31"],
            "关于表扬2021年8月明察暗访红榜单位的通报",
            [NO_NUMBER],
        ),
        ("criticism", [], "关于2021年8月明察暗访黑榜单位的通报", [NO_NUMBER]),
    ],
)
def test_a_draft_of_each_kind_as_word(
    capsys, db: Path, tmp_path: Path, kind, options, title, expected_failures
) -> None:
    out = tmp_path / f"{kind}.docx"
    changes = Storage.open(db, read_only=True)
    before = changes.db["changes"].count
    changes.close()
    code, stdout, stderr = _main(
        capsys,
        "bulletin",
        "--db",
        str(db),
        "--kind",
        kind,
        *options,
        "--as-of",
        "2021-08-31",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    report = json.loads(stdout)
    assert (report["file"], report["kind"], report["draft"], report["number"]) == (
        str(out),
        kind,
        True,
        "",
    )
    assert report["title"] == title and report["code"] == "滕政办督"
    text = _text(out)
    assert title in text.replace("\n", "") and "2021年8月31日" in text
    failed, summary = failed_checkpoints(out)
    # Only what a draft cannot have yet (the checker looks for "〔2021〕" anywhere: the progress
    # draft quotes the plan's 文号).
    assert set(failed) <= set(expected_failures), summary
    storage = Storage.open(db, read_only=True)
    assert storage.db["changes"].count == before  # a draft writes nothing, consumes no number
    assert storage.db.execute("SELECT COUNT(*) FROM bulletins").fetchone() == (0,)
    storage.close()


def test_a_covert_record_in_a_draft_is_announced_and_follows_the_user(
    capsys, db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "通报.docx"
    code, stdout, stderr = _main(
        capsys,
        "bulletin",
        "--db",
        str(db),
        "--kind",
        "inspection",
        "--as-of",
        "2021-08-31",
        "--out",
        str(out),
    )
    assert code == 0
    assert json.loads(stdout)["covert_records"] == 1
    assert "草稿引用了 1 条暗访记录，签发后这些记录将对所有人公开" in stderr
    assert COVERT_PROBLEM in _text(out)
    assert _main(capsys, "user", "--db", str(db), "--name", "李四")[0] == 0
    other = tmp_path / "李四.docx"
    code, stdout, stderr = _main(
        capsys,
        "bulletin",
        "--db",
        str(db),
        "--kind",
        "inspection",
        "--as-of",
        "2021-08-31",
        "--out",
        str(other),
    )
    assert code == 0 and json.loads(stdout)["covert_records"] == 0 and stderr == ""
    assert COVERT_PROBLEM not in _text(other)


def test_an_existing_file_is_never_replaced(capsys, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    out.write_bytes(b"the user's own file")
    code, stdout, stderr = _main(
        capsys, "bulletin", "--db", str(db), "--kind", "progress", "--out", str(out)
    )
    assert (code, stdout) == (2, "")
    assert stderr == f"错误：“{out}”已存在，没有生成（不覆盖已有文件）。请换一个文件名。\n"
    assert out.read_bytes() == b"the user's own file"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--kind", "progress", "--round", "9月调度"], "错误：没有名为“9月调度”的调度轮次。"),
        (["--kind", "notice"], "错误：督办通知发给一个部门，请指明部门（--department）。"),
        (["--kind", "notice", "--department", "市不存在局"], "错误：部门名录中没有“市不存在局”"),
        (["--kind", "inspection", "--plan", "没有的方案"], "错误：没有名为“没有的方案”的督查方案"),
        (
            ["--kind", "praise", "--from", "2021-09-01", "--to", "2021-08-01"],
            "错误：统计期间的结束日期早于开始日期",
        ),
    ],
)
def test_a_refused_request_is_one_line(capsys, db: Path, tmp_path: Path, options, message) -> None:
    out = tmp_path / "草稿.docx"
    code, stdout, stderr = _main(
        capsys, "bulletin", "--db", str(db), *options, "--as-of", "2021-08-31", "--out", str(out)
    )
    assert (code, stdout) == (2, "")
    assert stderr.startswith(message) and stderr.count("\n") == 1, stderr
    assert not out.exists()


def test_a_wrong_suffix_is_refused(capsys, db: Path, tmp_path: Path) -> None:
    code, _, stderr = _main(
        capsys, "bulletin", "--db", str(db), "--kind", "progress", "--out", str(tmp_path / "a.txt")
    )
    assert code == 2 and "应以 .docx 或 .pdf 结尾" in stderr


def test_a_broken_office_template_is_reported_with_its_line_not_a_traceback(
    db: Path, tmp_path: Path
) -> None:
    storage = Storage.open(db)
    BulletinTemplates(storage.repository).save(
        BulletinKind.PROGRESS, "【标题】关于{{ round.name }}的通报\n各单位：\n{{ round.nmae }}\n"
    )
    storage.close()
    out = tmp_path / "草稿.docx"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "bulletin",
            "--db",
            str(db),
            "--kind",
            "progress",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "错误：调度情况通报的模板第 3 行：“round”中没有“nmae”这一项。可用的有：name、reply_due、"
    )
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_draft_as_pdf_meets_the_checkpoints(capsys, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "通报.pdf"
    code, _, stderr = _main(
        capsys,
        "bulletin",
        "--db",
        str(db),
        "--kind",
        "inspection",
        "--as-of",
        "2021-08-31",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    assert out.read_bytes().startswith(b"%PDF")
    failed, summary = failed_pdf_checkpoints(out)
    assert failed == [NO_NUMBER], summary


def test_drafting_leaves_the_ledger_file_as_it_was(capsys, db: Path, tmp_path: Path) -> None:
    before = db.read_bytes()
    code, _, stderr = _main(
        capsys,
        "bulletin",
        "--db",
        str(db),
        "--kind",
        "praise",
        "--as-of",
        "2021-08-31",
        "--out",
        str(tmp_path / "表扬.docx"),
    )
    assert code == 0, stderr
    assert db.read_bytes() == before  # opened read-only: not a byte changed
