"""Where journal files are exchanged: a small interface, and the shared folder that implements it.

A share is a mailbox of immutable files: it can list a folder, read a file and write a new one,
never overwrite or delete anything. Another carrier (a USB stick's folder is already this one;
WebDAV or a database file later) implements the same five methods. Paths are relative, with
``/`` between parts.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Protocol

from app.files import TEMP_PREFIX, write_new


class Share(Protocol):
    def folders(self, path: str) -> list[str]:
        """Names of the folders directly inside ``path`` ([] when it does not exist)."""
        ...

    def files(self, path: str) -> list[str]:
        """Names of the files directly inside ``path`` ([] when it does not exist); never
        half-written ones."""
        ...

    def read(self, path: str) -> bytes: ...

    def size(self, path: str) -> int | None:
        """The file's size in bytes, None when it is not there."""
        ...

    def write_new(self, path: str, data: bytes) -> None:
        """Write a new file; ``FileExistsError`` if one of that name exists (left unchanged)."""
        ...


RENAME_RETRIES = 5  # antivirus and indexers make renames on Windows fail for a moment


class FolderShare:
    """A folder (a network drive, a USB stick, a folder synced by another tool)."""

    def __init__(self, root: str | Path, *, retry_delay_s: float = 0.2) -> None:
        self.root = Path(root)
        self.retry_delay_s = retry_delay_s

    def _path(self, path: str) -> Path:
        parts = [part for part in path.split("/") if part]
        if any(part in (".", "..") for part in parts):
            raise ValueError(f"not a share path: {path!r}")
        return self.root.joinpath(*parts)

    def folders(self, path: str) -> list[str]:
        try:
            return sorted(entry.name for entry in os.scandir(self._path(path)) if entry.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            return []

    def files(self, path: str) -> list[str]:
        try:
            entries = list(os.scandir(self._path(path)))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(
            entry.name
            for entry in entries
            if entry.is_file() and not entry.name.startswith(TEMP_PREFIX)
        )

    def read(self, path: str) -> bytes:
        return self._path(path).read_bytes()

    def size(self, path: str) -> int | None:
        try:
            return self._path(path).stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write_new(self, path: str, data: bytes) -> None:
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(RENAME_RETRIES):
            try:
                write_new(target, lambda stream: stream.write(data))
                break
            except FileExistsError:
                raise
            except PermissionError as error:  # WinError 32: the file is in use a moment
                if attempt + 1 == RENAME_RETRIES:
                    raise
                _ = error
            except OSError as error:
                if error.errno not in (errno.EBUSY, errno.EAGAIN) or attempt + 1 == RENAME_RETRIES:
                    raise
            time.sleep(self.retry_delay_s * (attempt + 1))
        # Read it back: a torn write (a pulled stick, a dropped connection) shows here.
        if self.read(path) != data:
            raise OSError(errno.EIO, f"共享文件夹中的文件写入后读回不一致：{target}")
