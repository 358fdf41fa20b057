"""The warning when the live database sits in a synced folder or on a network drive."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import pytest

import main
from app.sync.location import location_warning

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw 0 0
//nas/督查 /mnt/office\\040share cifs rw,vers=3.0 0 0
server:/export /home/li/nfs nfs4 rw 0 0
/dev/sdb1 /home/li/nfs/local ext4 rw 0 0
"""


def linux(path: str, *, markers: tuple[str, ...] = (), env: dict[str, str] | None = None):
    return location_warning(
        PurePosixPath(path),
        platform="linux",
        env=env or {},
        mounts=MOUNTS,
        exists=lambda candidate: str(candidate) in markers,
    )


def windows(path: str, *, env: dict[str, str] | None = None, remote: tuple[str, ...] = ()):
    return location_warning(
        PureWindowsPath(path),
        platform="win32",
        env=env or {},
        drive_type=lambda root: 4 if root[0] in remote else 3,
        exists=lambda _candidate: False,
    )


@pytest.mark.parametrize(
    ("path", "tool"),
    [
        (r"C:\Users\li\OneDrive\督查\ledger.sqlite", "OneDrive"),
        (r"C:\Users\li\OneDrive - 市政府办公室\ledger.sqlite", "OneDrive"),
        (r"D:\我的坚果云\台账\ledger.sqlite", "坚果云"),
        (r"D:\Nutstore\ledger.sqlite", "坚果云"),
        (r"C:\Users\li\SynologyDrive\ledger.sqlite", "Synology Drive"),
        (r"C:\Users\li\Dropbox\工作\ledger.sqlite", "Dropbox"),
        (r"C:\Users\li\Syncthing\ledger.sqlite", "Syncthing"),
    ],
)
def test_a_database_in_a_synced_folder_is_named_with_its_tool(path, tool):
    warning = windows(path)
    assert warning is not None and warning.kind == "synced" and warning.tool == tool
    assert tool in warning.message and "同步" in warning.message and "--db" in warning.message


def test_onedrive_moved_elsewhere_is_found_through_its_environment_variable():
    env = {"OneDrive": r"E:\云盘"}
    warning = windows(r"e:\云盘\督查\ledger.sqlite", env=env)
    assert warning is not None and warning.tool == "OneDrive"
    assert windows(r"E:\其他\ledger.sqlite", env=env) is None


def test_syncthing_and_dropbox_folders_are_found_by_their_marker_files():
    warning = linux("/home/li/工作/台账/ledger.sqlite", markers=("/home/li/工作/.stfolder",))
    assert warning is not None and (warning.tool, warning.folder) == ("Syncthing", "/home/li/工作")
    warning = linux("/home/li/box/ledger.sqlite", markers=("/home/li/box/.dropbox",))
    assert warning is not None and warning.tool == "Dropbox"


def test_windows_network_paths_are_refused_as_a_home_for_the_database():
    unc = windows(r"\\nas\督查室\ledger.sqlite")
    assert unc is not None and unc.kind == "network" and unc.folder == r"\\nas\督查室"
    assert "网络" in unc.message
    mapped = windows(r"Z:\台账\ledger.sqlite", remote=("Z",))
    assert mapped is not None and mapped.kind == "network" and mapped.folder == "Z:"
    assert windows(r"C:\Users\li\AppData\Local\DuchaTaizhang\ledger.sqlite", remote=("Z",)) is None


def test_linux_network_mounts_come_from_the_mount_table():
    cifs = linux("/mnt/office share/ledger.sqlite")
    assert cifs is not None and (cifs.tool, cifs.folder) == ("cifs", "/mnt/office share")
    nfs = linux("/home/li/nfs/ledger.sqlite")
    assert nfs is not None and nfs.tool == "nfs4"
    # A local disk mounted inside the network one: the innermost mount decides.
    assert linux("/home/li/nfs/local/ledger.sqlite") is None
    assert linux("/home/li/.local/share/DuchaTaizhang/ledger.sqlite") is None
    assert linux("/tmp/ledger.sqlite") is None


def test_the_cli_warns_on_stderr_for_a_database_in_a_synced_folder(tmp_path, capsys):
    folder = tmp_path / "Dropbox" / "台账"
    folder.mkdir(parents=True)
    db = folder / "ledger.sqlite"
    share = tmp_path / "share"
    share.mkdir()
    assert main.main(["sync", "--db", str(db), "--share", str(share)]) == 0
    captured = capsys.readouterr()
    assert "Dropbox 同步的文件夹" in captured.err


def test_the_cli_says_nothing_for_an_ordinary_folder(tmp_path, capsys):
    db = tmp_path / "ledger.sqlite"
    share = tmp_path / "share"
    share.mkdir()
    assert main.main(["sync", "--db", str(db), "--share", str(share)]) == 0
    assert "同步的文件夹" not in capsys.readouterr().err
