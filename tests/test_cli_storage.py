"""The CLI on a busy, read-only or missing database: one Chinese line and a distinct exit code.

Busy and missing run through ``main.main`` in this process; read-only runs ``main.py`` in a
subprocess for which read-only is real (as the user nobody when the tests run as root, see
tests/storage_conditions.py).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

import main
from app.cli.common import EXIT_DB_BUSY, EXIT_DB_MISSING, EXIT_DB_READ_ONLY, EXIT_OK
from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.plan_store import PlanStore
from app.services.progress import ProgressService
from app.storage import Storage
from app.storage.export import export_database
from tests.services.progress.support import DUE, EXPORTED, ROUND, SMALL, _export, _fill
from tests.storage_conditions import (
    ReadOnlyCli,
    read_only_cli,
    write_lock_held_by_another_process,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A ledger with the sample plan and a round, and one department's filled-in sheet."""
    folder = tmp_path_factory.mktemp("cli-storage")
    path = folder / "ledger.sqlite"
    storage = Storage.open(path)
    plan = PlanStore(storage.repository).import_plan(
        parse_text(SAMPLE_PLAN.read_text("utf-8"), SAMPLE_PLAN.name)
    )
    service = ProgressService(storage.repository)
    round_id = service.create_round(ROUND, plan.plan_id, DUE, EXPORTED)
    sheet = _fill(_export(service, round_id, folder / "sheets", SMALL)[SMALL])
    copy = folder / "template.sqlite"
    with closing(sqlite3.connect(copy)) as target:
        storage.db.conn.backup(target)
    storage.close()
    return copy, sheet


def _copy_ledger(template: tuple[Path, Path], folder: Path) -> tuple[Path, Path]:
    db = folder / "ledger.sqlite"
    shutil.copyfile(template[0], db)
    with closing(sqlite3.connect(db)) as connection:  # as the app leaves it: WAL mode
        connection.execute("PRAGMA journal_mode = wal")
    sheet = folder / template[1].name
    shutil.copyfile(template[1], sheet)
    return db, sheet


def _dump(db: Path) -> dict:
    storage = Storage.open(db, read_only=True)
    try:
        return export_database(storage)
    finally:
        storage.close()


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("错误："), stderr
    return lines[0]


def _writing_commands(db: Path, sheet: Path) -> dict[str, list[str]]:
    return {
        "import-plan": ["import-plan", "--db", str(db), str(SAMPLE_PLAN)],
        "demo": ["demo", "--db", str(db), "--measures", "5"],
        "progress-sheets": [
            "progress-sheets",
            "--db",
            str(db),
            "--round",
            "2021年8月调度",
            "--out",
            str(db.parent / "sheets-out"),
        ],
        "import-progress": [
            "import-progress",
            "--db",
            str(db),
            "--received-on",
            "2021-08-03",
            str(sheet),
        ],
    }


# ---- Busy --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["import-plan", "demo", "import-progress", "progress-sheets"])
def test_a_locked_database_gives_one_line_and_the_busy_exit_code(
    command: str, template, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr("app.cli.common.BUSY_TIMEOUT_S", 0.3)
    db, sheet = _copy_ledger(template, tmp_path)
    before = _dump(db)
    with write_lock_held_by_another_process(db):
        code = main.main(_writing_commands(db, sheet)[command])
    out, err = capsys.readouterr()
    assert code == EXIT_DB_BUSY
    line = _one_error_line(err)
    assert "数据库正被另一个程序使用" in line and "请稍后重试" in line and str(db) in line
    assert out == ""
    assert _dump(db) == before


def test_a_command_waits_for_a_short_lock_and_then_succeeds(
    template, tmp_path: Path, capsys
) -> None:
    db, sheet = _copy_ledger(template, tmp_path)
    with write_lock_held_by_another_process(db, release_after=0.5):
        code = main.main(_writing_commands(db, sheet)["import-progress"])
    assert code == EXIT_OK, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["ok"] is True


# ---- Read-only ---------------------------------------------------------------------------


@pytest.fixture
def cli() -> Iterator[ReadOnlyCli]:
    with read_only_cli() as runner:
        yield runner


@pytest.mark.parametrize("case", ["file", "folder"])
def test_a_read_only_database_refuses_writes_in_one_line_and_still_reads(
    case: str, cli: ReadOnlyCli, template
) -> None:
    place = cli.folder("ledger")
    outside = cli.folder("out")
    db, _ = _copy_ledger(template, place)
    twin, sheet = _copy_ledger(template, outside)
    before = _dump(twin)  # (a reader would leave -shm and -wal beside db)
    cli.share(db)
    cli.lock(db if case == "file" else place)
    revised = outside / "方案修订版.txt"  # an import that changes something
    revised.write_text(SAMPLE_PLAN.read_text("utf-8").replace("6月底前", "7月底前"), "utf-8")
    commands = _writing_commands(db, sheet)
    commands["import-plan"][-1] = str(revised)

    for command, args in commands.items():
        result = cli.run(*args)
        assert result.returncode == EXIT_DB_READ_ONLY, (cli.how, command, result.stderr)
        line = _one_error_line(result.stderr)
        assert "只读" in line and "已损坏" not in line and "从备份恢复" not in line, line
        assert ("文件夹" in line) == (case == "folder"), line
        assert result.stdout == ""

    exported = cli.run("export", "--db", str(db))
    assert exported.returncode == EXIT_OK, (cli.how, exported.stderr)
    assert json.loads(exported.stdout) == before
    status = cli.run("status", "--db", str(db), "--as-of", "2021-07-01")
    assert status.returncode == EXIT_OK, status.stderr
    assert len(json.loads(status.stdout)["measures"]) == 201
    xlsx = outside / "台账.xlsx"
    ledger = cli.run("export-ledger", "--db", str(db), "--out", str(xlsx), "--as-of", "2021-07-01")
    assert ledger.returncode == EXIT_OK, ledger.stderr
    assert xlsx.stat().st_size > 0
    assert _dump(db) == before


# ---- Missing file or folder --------------------------------------------------------------


def _reading_commands(db: Path, tmp_path: Path) -> dict[str, list[str]]:
    return {
        "export": ["export", "--db", str(db)],
        "status": ["status", "--db", str(db)],
        "export-ledger": ["export-ledger", "--db", str(db), "--out", str(tmp_path / "台账.xlsx")],
        "progress-sheets": [
            "progress-sheets",
            "--db",
            str(db),
            "--round",
            ROUND,
            "--out",
            str(tmp_path / "sheets"),
        ],
        "import-progress": ["import-progress", "--db", str(db), str(tmp_path / "报回.xlsx")],
    }


@pytest.mark.parametrize(
    "command", ["export", "status", "export-ledger", "progress-sheets", "import-progress"]
)
def test_commands_that_need_a_ledger_never_create_one(command: str, tmp_path: Path, capsys) -> None:
    typo = tmp_path / "ledgr.sqlite"
    assert main.main(_reading_commands(typo, tmp_path)[command]) == EXIT_DB_MISSING
    line = _one_error_line(capsys.readouterr().err)
    assert str(typo) in line and "找不到" in line

    folder = tmp_path / "督查室"
    assert main.main(_reading_commands(folder / "ledger.sqlite", tmp_path)[command]) == (
        EXIT_DB_MISSING
    )
    line = _one_error_line(capsys.readouterr().err)
    assert str(folder) in line and "不存在" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["import-plan", "demo"])
def test_creating_commands_say_so_and_refuse_a_missing_folder(
    command: str, tmp_path: Path, capsys
) -> None:
    def run(db: Path) -> int:
        if command == "demo":
            return main.main(["demo", "--db", str(db), "--measures", "3"])
        return main.main(["import-plan", "--db", str(db), str(SAMPLE_PLAN)])

    missing = tmp_path / "督查室" / "ledger.sqlite"
    assert run(missing) == EXIT_DB_MISSING
    line = _one_error_line(capsys.readouterr().err)
    assert str(missing.parent) in line and "不存在" in line
    assert list(tmp_path.iterdir()) == []

    db = tmp_path / "new.sqlite"
    assert run(db) == EXIT_OK
    assert f"新建数据库：{db}" in capsys.readouterr().err.splitlines()
    assert run(db) == EXIT_OK
    assert "新建数据库" not in capsys.readouterr().err


def test_the_default_location_may_be_created_but_is_never_created_by_reading(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = tmp_path / "data" / "DuchaTaizhang" / "ledger.sqlite"
    assert main.main(["export"]) == EXIT_DB_MISSING
    assert str(default) in _one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "data").exists()

    assert main.main(["import-plan", str(SAMPLE_PLAN)]) == EXIT_OK
    assert f"新建数据库：{default}" in capsys.readouterr().err.splitlines()
    assert main.main(["export"]) == EXIT_OK
    assert len(json.loads(capsys.readouterr().out)["tables"]["measures"]) == 201
