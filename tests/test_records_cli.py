"""import-records, findings, scores and user from the command line, as a user runs them; and an
import killed with SIGKILL part-way through leaves the database intact and unchanged."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.storage import Storage
from tests.services.test_records_import import Fixture

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "tests" / "records_kill_launcher.py"


def _run(*args: str, launcher: list[str] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, *(launcher or [str(ROOT / "main.py")]), *args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[Path, Path, Fixture]:
    """A ledger file with one measure, and a records file for it (not yet imported)."""
    db = tmp_path / "ledger.sqlite"
    storage = Storage.open(db)
    fixture = Fixture(storage)
    records = tmp_path / "records.json"
    records.write_text(json.dumps(fixture.document(), ensure_ascii=False), encoding="utf-8")
    storage.close()
    return db, records, fixture


def _counts(db: Path) -> dict[str, int]:
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in (
                "changes",
                "inspection_plans",
                "inspection_plan_scope",
                "inspection_feedback",
                "inspections",
                "findings",
                "checklist_answers",
                "finding_events",
                "rechecks",
                "evidence",
            )
        }
    finally:
        connection.close()


def test_import_then_list_findings(ledger) -> None:
    db, records, fixture = ledger
    imported = _run("import-records", "--db", str(db), str(records))
    assert imported.returncode == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert summary["added"]["findings"] == 2 and summary["added"]["rechecks"] == 1

    listed = _run("findings", "--db", str(db), "--as-of", "2021-10-12")
    assert listed.returncode == 0, listed.stderr
    findings = {f["id"]: f for f in json.loads(listed.stdout)["findings"]}
    assert {key: findings["f-1"][key] for key in ("measure_id", "department", "state")} == {
        "measure_id": fixture.measure,
        "department": "市行政审批服务局",
        "state": "pending",
    }
    # 3 working days after 2021-09-30: 10-8, the 调休 Saturday 10-9, then 10-11.
    assert findings["f-1"]["rectify_due"] == "2021-10-11" and findings["f-1"]["overdue"] is True
    assert findings["f-2"]["state"] == "closed" and findings["f-2"]["overdue"] is False
    earlier = json.loads(_run("findings", "--db", str(db), "--as-of", "2021-10-11").stdout)
    assert {f["id"]: f["overdue"] for f in earlier["findings"]}["f-1"] is False  # due that day

    again = _run("import-records", "--db", str(db), str(records))
    assert again.returncode == 0 and sum(json.loads(again.stdout)["added"].values()) == 0


def test_a_bad_file_is_refused_with_the_entry_named_and_changes_nothing(ledger) -> None:
    db, records, fixture = ledger
    document = fixture.document()
    document["inspections"][0]["findings"][1]["department"] = "市卫生健康局"
    records.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = _counts(db)
    refused = _run("import-records", "--db", str(db), str(records))
    assert refused.returncode == 1
    assert "inspections[0]（编号 insp-1）.findings[1]（编号 f-2）.department" in refused.stderr
    assert "未导入任何内容" in refused.stderr and "Traceback" not in refused.stderr
    assert _counts(db) == before

    missing = _run("import-records", "--db", str(db), str(records.with_name("none.json")))
    assert missing.returncode == 2 and "找不到记录文件" in missing.stderr


def test_user_sets_who_sees_covert_records(ledger) -> None:
    db, records, _fixture = ledger
    assert _run("user", "--db", str(db), "--name", "张三").returncode == 0
    assert _run("import-records", "--db", str(db), str(records)).returncode == 0

    def finding_ids() -> set[str]:
        listed = _run("findings", "--db", str(db), "--as-of", "2021-10-12")
        return {f["id"] for f in json.loads(listed.stdout)["findings"]}

    assert finding_ids() == {"f-1", "f-2"}
    shown = _run("user", "--db", str(db), "--name", "王五", "--role", "督查员")
    assert json.loads(shown.stdout) == {"name": "王五", "role": "inspector", "role_label": "督查员"}
    assert finding_ids() == set()
    assert _run("user", "--db", str(db), "--role", "supervisor").returncode == 0
    assert finding_ids() == {"f-1", "f-2"}
    current = json.loads(_run("user", "--db", str(db)).stdout)
    assert (current["name"], current["role"]) == ("王五", "supervisor")
    bad = _run("user", "--db", str(db), "--role", "boss")
    assert bad.returncode == 2 and "不认识的身份" in bad.stderr


def test_scores_rank_departments(ledger) -> None:
    db, records, _fixture = ledger
    _run("user", "--db", str(db), "--name", "张三")
    assert _run("import-records", "--db", str(db), str(records)).returncode == 0
    scored = _run("scores", "--db", str(db), "--from", "2021-09-01", "--to", "2021-10-31")
    assert scored.returncode == 0, scored.stderr
    [row] = json.loads(scored.stdout)["departments"]
    # f-1: major (-3), overdue at 10-31 (-2); f-2: minor (-1), on time (+1, capped at 0).
    assert (row["department"], row["score"], row["rank"]) == ("市行政审批服务局", 95.0, 1)
    assert (row["findings"], row["on_time"], row["overdue"]) == (2, 1, 1)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("kill_at", [1, 2, 4, 7, 10, 12])
def test_an_import_killed_part_way_changes_nothing(ledger, kill_at: int) -> None:
    db, records, _fixture = ledger
    before = _counts(db)
    killed = _run(
        "import-records", "--db", str(db), str(records), launcher=[str(LAUNCHER), str(kill_at)]
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _counts(db) == before  # integrity ok, and not one row of the file
    # The file still opens and the import then goes through whole.
    storage = Storage.open(db)
    storage.close()
    done = _run("import-records", "--db", str(db), str(records))
    assert done.returncode == 0, done.stderr
    after = _counts(db)
    assert after["inspections"] == 1 and after["findings"] == 2 and after["evidence"] == 1


def test_the_launcher_completes_when_not_killed(ledger) -> None:
    db, records, _fixture = ledger
    run = _run("import-records", "--db", str(db), str(records), launcher=[str(LAUNCHER), "999"])
    assert run.returncode == 0, run.stderr
    counts = _counts(db)
    assert counts["inspections"] == 1 and counts["rechecks"] == 1 and counts["evidence"] == 1
    # 12 inserts in all (plan, 2 scope rows, feedback, record, 2 findings, report event,
    # recheck event, recheck, answer, evidence): the kills above hit the start, the middle and
    # the very last one.
    assert sum(counts[t] for t in counts if t != "changes") == 12
