"""Where the live database may not live: a folder another sync tool copies, or a network drive.

SQLite's locks and its -wal file do not survive OneDrive, 坚果云, Synology Drive, Dropbox or
Syncthing copying them between machines (a "conflicted copy", a torn file), nor a network file
system's locking (SMB/NFS). ``location_warning`` says, in Chinese, when this laptop's own
database sits in such a place and what to do instead; the GUI shows it at startup, the CLI on
stderr. Everything it looks at (the environment, /proc/mounts, the Windows drive type) can be
passed in, so the rules are tested with made-up paths.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath, PureWindowsPath

# Folder names the sync tools create (their default names, compared case-insensitively; a
# OneDrive for work folder is "OneDrive - 单位名称").
SYNCED_FOLDER_NAMES: tuple[tuple[str, str], ...] = (
    ("onedrive", "OneDrive"),
    ("dropbox", "Dropbox"),
    ("我的坚果云", "坚果云"),
    ("坚果云", "坚果云"),
    ("nutstore", "坚果云"),
    ("synologydrive", "Synology Drive"),
    ("synology drive", "Synology Drive"),
    ("syncthing", "Syncthing"),
)
# Files or folders a tool keeps at the top of a folder it syncs.
MARKERS: tuple[tuple[str, str], ...] = (
    (".stfolder", "Syncthing"),
    (".dropbox", "Dropbox"),
    (".dropbox.cache", "Dropbox"),
    (".SynologyWorkingDirectory", "Synology Drive"),
    (".nutstore", "坚果云"),
)
ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")
NETWORK_FILE_SYSTEMS = frozenset(
    {"cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "sshfs", "davfs", "fuse.davfs2", "afs"}
)
DRIVE_REMOTE = 4  # GetDriveTypeW: a mapped network drive


@dataclass(frozen=True)
class LocationWarning:
    kind: str  # "synced" or "network"
    tool: str  # "OneDrive", "坚果云", ..., or the file system ("cifs", "网络驱动器")
    folder: str  # the synced folder or the mount point
    message: str


def _synced_message(path: PurePath, tool: str, folder: str) -> str:
    return (
        f"本机的台账数据库（{path}）位于 {tool} 同步的文件夹（{folder}）中。"
        f"{tool} 在各台电脑之间复制正在使用的数据库文件，可能产生冲突副本或把文件损坏、"
        "丢失修改。请把数据库移到本机的普通文件夹（如默认位置），关闭程序后移动文件，"
        "再用 --db 指定新位置；与同事交换数据请用“同步”页的共享文件夹，"
        "共享文件夹放在同步盘或网络盘上都可以。"
    )


def _network_message(path: PurePath, tool: str, folder: str) -> str:
    return (
        f"本机的台账数据库（{path}）位于网络驱动器上（{tool}：{folder}）。网络盘上的数据库"
        "在断网、多人同时打开时容易损坏或丢失修改。请把数据库移到本机硬盘上的文件夹"
        "（如默认位置），关闭程序后移动文件，再用 --db 指定新位置；网络盘只用作“同步”页的"
        "共享文件夹。"
    )


def _parents(path: PurePath) -> list[PurePath]:
    return [path, *path.parents]


def synced_folder(
    path: PurePath,
    *,
    env: Mapping[str, str],
    exists: Callable[[PurePath], bool],
) -> tuple[str, str] | None:
    """(tool, folder) when ``path`` lies inside a folder a sync tool copies."""
    folders = _parents(path.parent)
    for variable in ONEDRIVE_VARIABLES:
        root = env.get(variable)
        if root and path.is_relative_to(type(path)(root)):  # Windows paths: any case
            return "OneDrive", root
    for folder in folders:
        name = folder.name.casefold()
        for prefix, tool in SYNCED_FOLDER_NAMES:
            if name == prefix or name.startswith(prefix + " -") or name.startswith(prefix + "-"):
                return tool, str(folder)
    for folder in folders:
        for marker, tool in MARKERS:
            if exists(folder / marker):
                return tool, str(folder)
    return None


def parse_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) from /proc/mounts; octal escapes (\\040) decoded."""
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            point = parts[1].encode().decode("unicode_escape").encode("latin-1").decode()
            mounts.append((point, parts[2]))
    return mounts


def network_mount(path: PurePath, mounts: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(file system, mount point) when the mount holding ``path`` is a network file system."""
    best: tuple[str, str] | None = None
    text = str(path)
    for point, fstype in mounts:
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best[0])):
            best = (point, fstype)
    if best is not None and best[1] in NETWORK_FILE_SYSTEMS:
        return best[1], best[0]
    return None


def _windows_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def _read_mounts() -> str:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def location_warning(
    path: str | PurePath,
    *,
    platform: str = sys.platform,
    env: Mapping[str, str] | None = None,
    mounts: str | None = None,
    drive_type: Callable[[str], int] | None = None,
    exists: Callable[[PurePath], bool] | None = None,
) -> LocationWarning | None:
    """A warning when the database at ``path`` sits in a synced folder or on a network drive."""
    windows = platform.startswith("win")
    if windows:
        where: PurePath = PureWindowsPath(str(path))
    else:
        where = Path(path) if isinstance(path, str) else path
        if isinstance(where, Path):
            where = Path(os.path.abspath(where))
    env = os.environ if env is None else env
    exists = exists or (lambda candidate: os.path.exists(candidate))
    synced = synced_folder(where, env=env, exists=exists)
    if synced is not None:
        tool, folder = synced
        return LocationWarning("synced", tool, folder, _synced_message(where, tool, folder))
    if windows:
        text = str(where)
        if text.startswith("\\\\") and not text.startswith("\\\\?\\"):
            share = "\\".join(text.split("\\")[:4])
            return LocationWarning(
                "network", "网络共享", share, _network_message(where, "网络共享", share)
            )
        drive = where.drive
        if drive and len(drive) == 2 and drive[1] == ":":
            kind = (drive_type or _windows_drive_type)(drive + "\\")
            if kind == DRIVE_REMOTE:
                return LocationWarning(
                    "network", "网络驱动器", drive, _network_message(where, "网络驱动器", drive)
                )
        return None
    found = network_mount(where, parse_mounts(_read_mounts() if mounts is None else mounts))
    if found is not None:
        fstype, point = found
        return LocationWarning("network", fstype, point, _network_message(where, fstype, point))
    return None
