"""Real adverse conditions for the storage-error tests: read-only files and folders, a lock held
by another process.

Tests (and CI) run as root, and root ignores permission bits: a test that chmods a file to 0444
and then writes to it as root proves nothing. So:

- ``InProcessReadOnly`` makes a path read-only for this very process: plain permission bits when
  not root, the immutable flag (``chattr +i``, which binds root too) when root;
- ``ReadOnlyCli`` runs ``main.py`` in a subprocess for which permission bits are real: as this
  user when not root, as the unprivileged user ``nobody`` (``setpriv``) when root, or as root on
  ``chattr +i`` paths when ``setpriv`` cannot run the checkout.

Each skips with the reason when the machine offers none of these.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534
SETPRIV = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True, check=False)
    return done.returncode == 0


def _chattr_works(folder: Path) -> bool:
    probe = folder / ".immutable-probe"
    probe.write_text("x", encoding="utf-8")
    try:
        if not _chattr("+i", probe):
            return False
        try:
            probe.write_text("y", encoding="utf-8")
        except PermissionError:
            return True
        return False
    finally:
        _chattr("-i", probe)
        probe.unlink()


class InProcessReadOnly:
    """Makes files and folders read-only for the running test process; undone at teardown."""

    def __init__(self, folder: Path) -> None:
        self.immutable = IS_ROOT
        if self.immutable and not _chattr_works(folder):
            pytest.skip(
                "running as root, which ignores permission bits, and `chattr +i` is not "
                "available here: a read-only file cannot be made for this process"
            )
        self._locked: list[tuple[Path, int]] = []

    def lock(self, path: Path) -> None:
        mode = path.stat().st_mode
        if self.immutable:
            assert _chattr("+i", path), f"chattr +i {path}"
        else:
            path.chmod(stat.S_IMODE(mode) & ~0o222)
        self._locked.append((path, mode))

    def unlock_all(self) -> None:
        while self._locked:
            path, mode = self._locked.pop()
            if self.immutable:
                _chattr("-i", path)
            else:
                path.chmod(stat.S_IMODE(mode))


@contextmanager
def in_process_read_only(folder: Path) -> Iterator[InProcessReadOnly]:
    """For a fixture: skips when impossible, undoes every lock at the end."""
    guard = InProcessReadOnly(folder)
    try:
        yield guard
    finally:
        guard.unlock_all()


class ReadOnlyCli:
    """A work folder and a way to run main.py in a process for which read-only is read-only."""

    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="ducha-readonly-"))
        self.work.chmod(0o777)
        self._immutable: list[Path] = []
        self._modes: list[tuple[Path, int]] = []
        self.prefix: list[str] = []
        self.how = "permission bits"
        if IS_ROOT:
            if self._setpriv_runs_the_checkout():
                self.prefix = SETPRIV
                self.how = "permission bits, as the unprivileged user nobody"
            elif _chattr_works(self.work):
                self.how = "chattr +i, as root"
            else:
                self.cleanup()
                pytest.skip(
                    "running as root, which ignores permission bits; `setpriv` cannot run "
                    "this checkout as nobody and `chattr +i` is not available"
                )

    def _setpriv_runs_the_checkout(self) -> bool:
        if shutil.which("setpriv") is None:
            return False
        done = subprocess.run(
            [*SETPRIV, sys.executable, "-c", "import main"],
            cwd=ROOT,
            capture_output=True,
            env=self.env(),
            check=False,
        )
        return done.returncode == 0

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.work),
            "XDG_DATA_HOME": str(self.work / "data"),
            "XDG_CONFIG_HOME": str(self.work / "config"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def folder(self, name: str) -> Path:
        """A folder the command's user can write to (until locked)."""
        path = self.work / name
        path.mkdir()
        path.chmod(0o777)
        return path

    def share(self, path: Path) -> None:
        """Let the command's user write ``path`` (a file this process made)."""
        path.chmod(0o666)

    def lock(self, path: Path) -> None:
        if self.prefix or not IS_ROOT:
            mode = path.stat().st_mode
            path.chmod(stat.S_IMODE(mode) & ~0o222)
            self._modes.append((path, mode))
        else:
            assert _chattr("+i", path), f"chattr +i {path}"
            self._immutable.append(path)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.prefix, sys.executable, str(ROOT / "main.py"), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            env=self.env(),
            timeout=120,
            check=False,
        )

    def cleanup(self) -> None:
        for path in reversed(self._immutable):
            _chattr("-i", path)
        for path, mode in reversed(self._modes):
            path.chmod(stat.S_IMODE(mode))
        shutil.rmtree(self.work, ignore_errors=True)


@contextmanager
def read_only_cli() -> Iterator[ReadOnlyCli]:
    """For a fixture: skips when impossible, removes the work folder at the end."""
    runner = ReadOnlyCli()
    try:
        yield runner
    finally:
        runner.cleanup()


_HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
release_after = float(sys.argv[2])
if release_after >= 0:
    time.sleep(release_after)
else:
    sys.stdin.read()
connection.execute("ROLLBACK")
connection.close()
"""


@contextmanager
def write_lock_held_by_another_process(
    path: Path, *, release_after: float | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the database's write lock (BEGIN IMMEDIATE) inside the block.

    With ``release_after`` it lets go by itself after that many seconds; otherwise when the
    block ends.
    """
    wait = -1 if release_after is None else release_after
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), str(wait)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=60)
