"""app/files.py: new files never replace old ones, batches land whole or not at all, and names
fit every disk."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import files
from app.files import (
    MAX_NAME_BYTES,
    FileBatch,
    WrittenFiles,
    explain_write_error,
    free_name,
    replace_file,
    safe_name,
    shorten,
    write_free,
    write_new,
)


def _bytes(data: bytes):
    def write(handle: BinaryIO) -> None:
        handle.write(data)

    return write


def _failing(handle: BinaryIO) -> None:
    handle.write(b"half a workbook")
    raise OSError(errno.ENOSPC, "No space left on device")


def _entries(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.fixture(params=["hard links", "no hard links"])
def links(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on a normal disk and on one without hard links (FAT, some shares)."""
    if request.param == "no hard links":

        def refuse(source, target):
            raise PermissionError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(files.os, "link", refuse)
    return request.param


# ---- One file ----------------------------------------------------------------------------------


def test_write_new_never_replaces_a_file(tmp_path: Path, links: str) -> None:
    target = tmp_path / "2021年7月调度-市税务局.xlsx"
    target.write_bytes(b"the department's answers")
    with pytest.raises(FileExistsError):
        write_new(target, _bytes(b"a blank sheet"))
    assert _entries(tmp_path) == {target.name: b"the department's answers"}

    other = tmp_path / "新的.xlsx"
    assert write_new(other, _bytes(b"new")) == other
    assert _entries(tmp_path) == {target.name: b"the department's answers", other.name: b"new"}


def test_write_new_leaves_nothing_when_the_writer_fails(tmp_path: Path, links: str) -> None:
    with pytest.raises(OSError, match="No space"):
        write_new(tmp_path / "a.xlsx", _failing)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    path = write_new(tmp_path / "a.xlsx", _bytes(b"x"))
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_free_picks_the_next_free_name(tmp_path: Path, links: str) -> None:
    (tmp_path / "台账.xlsx").write_bytes(b"1")
    (tmp_path / "台账（2）.XLSX").write_bytes(b"2")  # names compare without case
    path = write_free(tmp_path, "台账", ".xlsx", _bytes(b"3"))
    assert path.name == "台账（3）.xlsx"
    assert _entries(tmp_path) == {"台账.xlsx": b"1", "台账（2）.XLSX": b"2", path.name: b"3"}


def test_replace_file_replaces_only_once_the_new_file_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"last week")
    with pytest.raises(OSError):
        replace_file(target, _failing)
    assert _entries(tmp_path) == {target.name: b"last week"}
    replace_file(target, _bytes(b"this week"))
    assert _entries(tmp_path) == {target.name: b"this week"}


def test_written_files_own_a_file_only_while_it_is_unchanged(tmp_path: Path) -> None:
    written = WrittenFiles()
    path = write_new(tmp_path / "a.xlsx", _bytes(b"sheet"))
    assert not written.owns(path)
    written.record(path)
    assert written.owns(path)
    path.write_bytes(b"filled in")
    assert not written.owns(path)
    path.unlink()
    assert not written.owns(path)


def test_errors_are_explained_in_chinese() -> None:
    assert "磁盘空间不足" in explain_write_error(OSError(errno.ENOSPC, "x"))
    assert "Excel" in explain_write_error(PermissionError(errno.EACCES, "x"))
    assert "路径太长" in explain_write_error(OSError(errno.ENAMETOOLONG, "x"))
    assert "不存在" in explain_write_error(FileNotFoundError(errno.ENOENT, "x"))
    assert "同名文件" in explain_write_error(FileExistsError(errno.EEXIST, "x"))


# ---- Several files -----------------------------------------------------------------------------


def test_a_batch_appears_only_when_every_file_was_written(tmp_path: Path, links: str) -> None:
    folder = tmp_path / "填报表"
    folder.mkdir()
    (folder / "说明.txt").write_bytes(b"keep")
    with pytest.raises(OSError), FileBatch(folder) as batch:
        for number in range(1, 6):
            batch.add(f"{number}.xlsx", _failing if number == 5 else _bytes(b"sheet"))
            assert _entries(folder).keys() >= {"说明.txt"}
            assert not any(name.endswith(".xlsx") for name in os.listdir(folder))
        batch.publish()
    assert _entries(folder) == {"说明.txt": b"keep"}

    with FileBatch(folder) as batch:
        for number in range(1, 4):
            batch.add(f"{number}.xlsx", _bytes(b"sheet"))
        batch.publish()
    assert sorted(os.listdir(folder)) == ["1.xlsx", "2.xlsx", "3.xlsx", "说明.txt"]


def test_a_batch_that_meets_a_new_file_while_publishing_undoes_itself(
    tmp_path: Path, links: str
) -> None:
    with pytest.raises(FileExistsError), FileBatch(tmp_path) as batch:
        for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
            batch.add(name, _bytes(b"ours"))
        (tmp_path / "c.xlsx").write_bytes(b"theirs")  # appeared meanwhile
        batch.publish()
    assert _entries(tmp_path) == {"c.xlsx": b"theirs"}


def test_a_batch_published_inside_a_failed_transaction_is_taken_back(tmp_path: Path) -> None:
    (tmp_path / "mine.xlsx").write_bytes(b"written earlier in this run")
    with pytest.raises(RuntimeError, match="commit failed"), FileBatch(tmp_path) as batch:
        batch.add("new.xlsx", _bytes(b"new"))
        batch.add("mine.xlsx", _bytes(b"rewritten"), replace=True)
        batch.publish()
        visible = {k: v for k, v in _entries(tmp_path).items() if not k.startswith(".~")}
        assert visible == {"new.xlsx": b"new", "mine.xlsx": b"rewritten"}
        raise RuntimeError("commit failed")
    assert _entries(tmp_path) == {"mine.xlsx": b"written earlier in this run"}

    with FileBatch(tmp_path) as batch:
        batch.add("mine.xlsx", _bytes(b"rewritten"), replace=True)
        batch.publish()
    assert _entries(tmp_path) == {"mine.xlsx": b"rewritten"}


def test_a_failed_batch_removes_the_folders_it_made(tmp_path: Path) -> None:
    folder = tmp_path / "新建" / "填报表"
    with pytest.raises(OSError), FileBatch(folder) as batch:
        batch.add("a.xlsx", _bytes(b"a"))
        batch.add("b.xlsx", _failing)
    assert list(tmp_path.iterdir()) == []


def test_a_batch_refuses_the_same_name_twice(tmp_path: Path) -> None:
    with pytest.raises(ValueError), FileBatch(tmp_path) as batch:
        batch.add("A.xlsx", _bytes(b"1"))
        batch.add("a.xlsx", _bytes(b"2"))
    assert list(tmp_path.iterdir()) == []


# ---- Names -------------------------------------------------------------------------------------


def test_safe_names_for_windows() -> None:
    assert safe_name("2021年7月调度-市税务局", ".xlsx") == "2021年7月调度-市税务局.xlsx"
    assert safe_name('调度<7>:"a/b\\c|d?e*', ".xlsx") == "调度_7___a_b_c_d_e_.xlsx"
    assert safe_name("a\tb\x00c\x7f", ".xlsx") == "a_b_c_.xlsx"
    assert safe_name(" 结尾. . ", ".xlsx") == "结尾.xlsx"
    assert safe_name("", ".xlsx") == "未命名.xlsx"
    assert safe_name("...", ".xlsx") == "未命名.xlsx"
    for reserved in ("CON", "con", "NUL", "COM1", "lpt9", "AUX.备份", "CONIN$"):
        assert safe_name(reserved, ".xlsx") == f"_{reserved}.xlsx"
    assert safe_name("CONSOLE", ".xlsx") == "CONSOLE.xlsx"
    assert safe_name("记录", "") == "记录"


def test_long_names_are_cut_by_bytes_at_a_character_boundary() -> None:
    name = safe_name("很长" * 200, ".xlsx")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.endswith("….xlsx") and name.startswith("很长很长")
    assert len(name.encode("utf-8")) > MAX_NAME_BYTES - 3  # not cut shorter than needed
    emoji = safe_name("😀" * 100, "（12）.xlsx")
    assert len(emoji.encode("utf-8")) <= MAX_NAME_BYTES and emoji.endswith("…（12）.xlsx")
    assert shorten("一二三四五", 9) == "一二…"  # the mark counts
    assert shorten("一二三四五", 11) == "一二…"  # never half a character
    assert shorten("一二三四五", 12) == "一二三…"
    assert shorten("一二三四五", 15) == "一二三四五"


def test_names_fit_a_windows_path_under_a_deep_folder(tmp_path: Path) -> None:
    folder = tmp_path / ("很深的文件夹" * 6) / ("再深一层" * 6)
    name = safe_name("2021年7月调度-" + "市行政审批服务局" * 5, ".xlsx", folder=folder)
    assert len(str(folder / name)) <= files.MAX_PATH_CHARS
    assert name.endswith("….xlsx")
    # A folder too deep to fit anything keeps a readable minimum; writing then fails clearly.
    deepest = tmp_path / ("深" * 300)
    assert safe_name("2021年7月调度-市税务局", ".xlsx", folder=deepest).startswith("2021年7月")


def test_free_name_skips_names_taken_on_disk_or_in_the_same_batch(tmp_path: Path) -> None:
    (tmp_path / "报表.xlsx").write_bytes(b"")
    assert free_name(tmp_path, "报表", ".xlsx") == "报表（2）.xlsx"
    assert free_name(tmp_path, "报表", ".xlsx", taken={"报表（2）.XLSX"}) == "报表（3）.xlsx"
    assert free_name(tmp_path / "没有的文件夹", "报表", ".xlsx") == "报表.xlsx"
    long = free_name(tmp_path, "长" * 100, ".xlsx", taken={safe_name("长" * 100, ".xlsx")})
    assert long.endswith("…（2）.xlsx") and len(long.encode("utf-8")) <= MAX_NAME_BYTES


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stem=st.text(max_size=200), counter=st.integers(min_value=1, max_value=999))
def test_any_text_makes_a_name_the_disk_accepts(tmp_path: Path, stem: str, counter: int) -> None:
    suffix = f"（{counter}）.xlsx" if counter > 1 else ".xlsx"
    name = safe_name(stem, suffix, folder=tmp_path)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.endswith(suffix)
    assert not any(ch in name for ch in '<>:"/\\|?*') and all(ord(ch) >= 32 for ch in name)
    assert name[: -len(suffix)] and name[: -len(suffix)][-1] not in ". "
    path = tmp_path / name
    write_new(path, _bytes(b"x"))
    assert path.read_bytes() == b"x"
    path.unlink()
