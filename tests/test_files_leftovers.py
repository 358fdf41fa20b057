"""Temporary files a killed write leaves behind (``.~ducha-<random>.tmp``) are cleaned up by the
next write into the same folder once they are an hour old — and nothing else is ever touched."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from app import files
from app.files import (
    STALE_TEMPORARY_AGE,
    FileBatch,
    remove_stale_temporaries,
    replace_file,
    write_free,
    write_new,
)

ROOT = Path(__file__).resolve().parent.parent
HOUR = 3600


def _write(data: bytes):
    def write(handle: BinaryIO) -> None:
        handle.write(data)

    return write


def _age(path: Path, seconds: float) -> Path:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


def _killed_write(folder: Path) -> Path:
    """A child process killed while ``write_new`` is writing: the temporary file it leaves."""
    script = (
        "import os, sys\n"
        "from app.files import write_new\n"
        "def write(handle):\n"
        "    handle.write(b'half a workbook')\n"
        "    handle.flush()\n"
        "    os._exit(9)  # as a kill: no cleanup of any kind\n"
        "write_new(sys.argv[1], write)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(folder / "台账.xlsx")], cwd=ROOT, check=False
    )
    assert result.returncode == 9
    [left] = [p for p in folder.iterdir() if p.name.startswith(files.TEMP_PREFIX)]
    assert not (folder / "台账.xlsx").exists()
    return left


def test_a_killed_write_leaves_a_temporary_file_the_next_write_removes(tmp_path: Path) -> None:
    left = _killed_write(tmp_path)
    _age(left, STALE_TEMPORARY_AGE + 60)
    write_new(tmp_path / "台账.xlsx", _write(b"the whole workbook"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx"]
    assert (tmp_path / "台账.xlsx").read_bytes() == b"the whole workbook"


def test_a_recent_temporary_file_may_be_another_write_under_way(tmp_path: Path) -> None:
    left = _killed_write(tmp_path)
    _age(left, STALE_TEMPORARY_AGE - 60)
    write_new(tmp_path / "另一个.xlsx", _write(b"x"))
    assert left.exists()


def test_only_our_temporary_files_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / f"{files.TEMP_PREFIX}0123456789abcdef{files.TEMP_SUFFIX}"
    stale.write_bytes(b"left by a kill")
    _age(stale, 2 * HOUR)
    kept = {
        ".~ducha-notes.tmp": b"a user's file that merely looks similar",
        "报表.tmp": b"someone else's temporary file",
        "工作台账.xlsx": b"a user's workbook",
        # The original of a replaced file, moved aside while a batch publishes: if the process
        # was killed there, this is the user's only copy.
        f"{files.TEMP_PREFIX}fedcba9876543210{files.BACKUP_SUFFIX}": b"the original",
    }
    for name, data in kept.items():
        (tmp_path / name).write_bytes(data)
        _age(tmp_path / name, 48 * HOUR)
    folder_like = tmp_path / f"{files.TEMP_PREFIX}00000000000000ff{files.TEMP_SUFFIX}"
    folder_like.mkdir()
    _age(folder_like, 2 * HOUR)

    assert remove_stale_temporaries(tmp_path) == 1
    assert not stale.exists()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == kept
    assert folder_like.is_dir()


@pytest.mark.parametrize("how", ["write_new", "write_free", "replace_file", "FileBatch"])
def test_every_writer_cleans_the_folder_it_writes_into(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "导出"
    folder.mkdir()
    left = _age(_killed_write(folder), 2 * HOUR)
    if how == "write_new":
        write_new(folder / "a.xlsx", _write(b"a"))
    elif how == "write_free":
        write_free(folder, "a", ".xlsx", _write(b"a"))
    elif how == "replace_file":
        replace_file(folder / "a.xlsx", _write(b"a"))
    else:
        with FileBatch(folder) as batch:
            batch.add("a.xlsx", _write(b"a"))
            batch.add("b.xlsx", _write(b"b"))
            batch.publish()
    assert not left.exists()
    assert (folder / "a.xlsx").read_bytes() == b"a"


def test_a_batch_keeps_its_backup_apart_from_temporary_files(tmp_path: Path, monkeypatch) -> None:
    """While a batch replaces a file, the original waits under a backup name the cleanup never
    removes (killed right there, it is the user's only copy)."""
    (tmp_path / "a.xlsx").write_bytes(b"the original")
    names_while_publishing: list[str] = []
    real_move = files._move_new

    def watching(temporary: Path, target: Path) -> None:
        names_while_publishing.extend(p.name for p in tmp_path.iterdir())
        real_move(temporary, target)

    monkeypatch.setattr(files, "_move_new", watching)
    with FileBatch(tmp_path) as batch:
        batch.add("a.xlsx", _write(b"new"), replace=True)
        batch.publish()
    [backup] = [n for n in names_while_publishing if n.endswith(files.BACKUP_SUFFIX)]
    assert backup.startswith(files.TEMP_PREFIX)
    assert (tmp_path / "a.xlsx").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_a_folder_that_cannot_be_cleaned_is_still_written(tmp_path: Path, monkeypatch) -> None:
    left = _age(_killed_write(tmp_path), 2 * HOUR)
    real_unlink = os.unlink

    def refuse(path, *args, **kwargs):
        if Path(path) == left:
            raise PermissionError(13, "Permission denied")
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "unlink", refuse)
    write_new(tmp_path / "a.xlsx", _write(b"a"))
    assert (tmp_path / "a.xlsx").read_bytes() == b"a"
    assert left.exists()


def test_a_missing_folder_has_nothing_to_clean(tmp_path: Path) -> None:
    assert remove_stale_temporaries(tmp_path / "没有") == 0
