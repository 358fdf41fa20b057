"""A second open of a database this process already has open must not drop SQLite's locks.

On Linux and macOS closing any file descriptor of a file releases every POSIX lock the process
holds on it. Reading the database header with a plain open()/close() while the app's connection
was open did exactly that: another program opening and closing the database then believed it was
the last user, checkpointed the WAL and deleted -wal/-shm under the running app — what was still
only in the WAL was lost at the next crash (seen in the walkthrough after 导出工作台账 Excel).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.storage import Storage
from app.storage.database import is_open_here
from tests.conftest import add_sample_plan

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.name == "nt", reason="POSIX advisory locks only")
def test_a_second_open_in_this_process_keeps_the_wal_of_the_first(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    app = Storage.open(path)
    add_sample_plan(app, areas=1, measures_per_area=2)  # committed, still in the WAL
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    # What a background job (a count, an export) does while the window is open.
    Storage.open(path, read_only=True).close()
    Storage.open(path).close()
    assert is_open_here(path)
    # Another program (the CLI) opens and closes the database meanwhile.
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "user", "--db", str(path), "--name", "赵六"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # It must have seen that the app still uses the database: -wal and -shm stay.
    assert wal.exists(), "the app's WAL was deleted under it"
    assert path.with_name(path.name + "-shm").exists()
    app.repository.insert("plans", {"title": "之后的保存"})
    app.close()
    assert not is_open_here(path)
    reopened = Storage.open(path)
    titles = {row[0] for row in reopened.db.execute("SELECT title FROM plans")}
    assert "之后的保存" in titles
    reopened.close()


def test_the_header_is_still_checked_when_nothing_has_the_file_open(tmp_path: Path) -> None:
    path = tmp_path / "not-a-ledger.sqlite"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 10)
    with pytest.raises(Exception, match="不是 SQLite 数据库"):
        Storage.open(path)
