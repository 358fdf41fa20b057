"""Writing files into the user's folders without ever destroying one.

Every writer of a user-visible file (progress sheets, the ledger workbook, and later sync
journals, Word and PDF documents) goes through this module, so that the rules hold everywhere:

- **Never replace a file by accident.** ``write_new`` writes to a temporary file in the target
  folder, flushes and fsyncs it, then moves it into place only if no file of that name exists:
  ``os.link`` (fails if the name is taken) and then the temporary name is removed; on Windows
  ``os.rename``, which refuses to replace. On a filesystem without hard links (FAT, some network
  shares) the name is first reserved with an exclusive create (``O_EXCL``) and the temporary
  file is renamed over that empty placeholder.
- **Replace only when asked, and atomically.** ``replace_file`` is for a file the user chose to
  replace (a save dialog asked): temporary file, fsync, ``os.replace``. A crash leaves the old
  file or the new one, never half a file.
- **All or nothing.** ``FileBatch`` writes several files under temporary names, and moves them
  into place together only when every one was written; ``discard`` (or an exception in its
  ``with`` block) removes them again — also after they were moved into place, so a database
  transaction that fails after ``publish`` takes its files with it.
- **Names every disk accepts.** ``safe_name`` makes a file name from any text: no characters
  Windows forbids, no reserved device names (CON, NUL, COM1…), no trailing dots or spaces, at
  most ``MAX_NAME_BYTES`` bytes of UTF-8 (a Chinese character takes 3), and a whole path within
  ``MAX_PATH_CHARS`` so it also opens on Windows without long-path support. ``free_name`` picks
  "名称（2）.xlsx", "名称（3）.xlsx", … when a name is taken.
- ``WrittenFiles`` remembers what this run wrote (and its SHA-256), so that a re-export in the
  same run may replace its own files while they are unchanged — and nothing else.

Temporary files are named ``.~ducha-<random>.tmp`` in the target folder (the same filesystem, so
the final move is a rename, not a copy). A process killed while writing can leave one behind;
every writer first removes such files older than ``STALE_TEMPORARY_AGE`` from the folder it
writes into (``remove_stale_temporaries``: only that exact pattern, only plain files). The
original of a file a batch replaces waits under ``.~ducha-<random>.bak`` while the batch
publishes — killed right then, it is the user's only copy, so no cleanup ever removes it.
No Qt here: app/ never imports it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

Writer = Callable[[BinaryIO], None]

# eCryptfs (encrypted home folders on Linux) allows 143 bytes per name, ext4/NTFS/APFS 255.
MAX_NAME_BYTES = 143
# Windows without long-path support: 260 UTF-16 units for drive, folders, name and the final NUL.
MAX_PATH_CHARS = 250
MIN_STEM_CHARS = 8  # a name is never cut shorter than this to fit a long folder path
TEMP_PREFIX = ".~ducha-"
TEMP_SUFFIX = ".tmp"
BACKUP_SUFFIX = ".bak"  # a replaced original, kept aside while a batch publishes
STALE_TEMPORARY_AGE = 3600.0  # seconds: no write takes this long, so its temporary is left over
ELLIPSIS = "…"
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation

_TEMPORARY = re.compile(re.escape(TEMP_PREFIX) + r"[0-9a-f]{16}" + re.escape(TEMP_SUFFIX))
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?", re.I)
# errno values meaning "this filesystem cannot make hard links" (vfat: EPERM; SMB: EOPNOTSUPP).
_NO_HARD_LINKS = frozenset(
    {errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}
    | {errno.EXDEV}
)


# ---- Names -------------------------------------------------------------------------------------


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_length(text: str) -> int:
    """Length as Windows counts it (characters outside the BMP take two units)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, max_bytes: int, *, mark: str = ELLIPSIS) -> str:
    """``text`` cut at a character boundary to at most ``max_bytes`` of UTF-8, ending in
    ``mark`` when it was cut (the mark counts towards the limit)."""
    if utf8_length(text) <= max_bytes:
        return text
    budget = max(0, max_bytes - utf8_length(mark))
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return cut.rstrip() + mark


def safe_name(
    stem: str,
    suffix: str = "",
    *,
    folder: str | Path | None = None,
    max_bytes: int = MAX_NAME_BYTES,
    max_path: int = MAX_PATH_CHARS,
) -> str:
    """``stem + suffix`` as a file name every common disk and Windows accept.

    Characters Windows forbids (``<>:"/\\|?*``, control characters) become "_"; leading and
    trailing spaces and trailing dots go; a reserved device name gets a leading "_"; an empty
    stem becomes "未命名". The stem is shortened (ending in "…") so that the name takes at most
    ``max_bytes`` bytes of UTF-8 and, when ``folder`` is given, the whole path at most
    ``max_path`` UTF-16 units — but never below ``MIN_STEM_CHARS`` characters for a long
    folder: writing then fails with the operating system's own error. ``suffix`` (".xlsx",
    "（2）.xlsx") is kept whole and must itself be safe.
    """
    cleaned = _ILLEGAL.sub("_", stem).strip().rstrip(". ") or "未命名"
    budget = max_bytes - utf8_length(suffix)
    if folder is not None:
        room = max_path - utf16_length(str(Path(folder).absolute())) - 1 - utf16_length(suffix)
        # UTF-16 units never exceed UTF-8 bytes, so a byte budget of ``room`` is safe for it.
        budget = min(budget, max(room, utf8_length(cleaned[:MIN_STEM_CHARS])))
    if utf8_length(cleaned) > budget:
        cleaned = shorten(cleaned, budget).rstrip(f". {ELLIPSIS}") + ELLIPSIS
        while utf8_length(cleaned) > budget and len(cleaned) > 1:  # tiny budgets
            cleaned = cleaned[:-2] + ELLIPSIS
    if _RESERVED.fullmatch(cleaned) or _RESERVED.fullmatch(cleaned + suffix):
        cleaned = f"_{cleaned}"
    return cleaned + suffix


def free_name(
    folder: str | Path,
    stem: str,
    suffix: str = "",
    *,
    taken: Iterable[str] = (),
    **limits: int,
) -> str:
    """The first of "stem.suffix", "stem（2）.suffix", … (each made by ``safe_name``) that
    names no file in ``folder`` and is not in ``taken``. Names compare without case, as on
    Windows and macOS. ``limits`` are passed on to ``safe_name``."""
    used = {name.casefold() for name in taken}
    used |= existing_names(folder)
    name = safe_name(stem, suffix, folder=folder, **limits)
    counter = 2
    while name.casefold() in used:
        name = safe_name(stem, f"（{counter}）{suffix}", folder=folder, **limits)
        counter += 1
    return name


def existing_names(folder: str | Path) -> set[str]:
    """Case-folded names of the entries in ``folder`` (empty when it does not exist)."""
    try:
        return {name.casefold() for name in os.listdir(folder)}
    except (FileNotFoundError, NotADirectoryError):
        return set()


def explain_write_error(error: OSError) -> str:
    """What went wrong writing a file and what to do, as one Chinese sentence."""
    code = error.errno
    if isinstance(error, FileExistsError):
        return "已有同名文件（为免覆盖，没有写入），请换一个名称或文件夹后重试。"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "磁盘空间不足，请腾出空间后重试。"
    if code == errno.EROFS:
        return "磁盘或文件夹是只读的，请换一个文件夹。"
    if isinstance(error, PermissionError):
        return "没有写入权限，或文件正在 Excel/WPS 中打开，请关闭该文件或换一个文件夹后重试。"
    if code == errno.ENAMETOOLONG:
        return "文件夹的路径太长，请选择路径较短的文件夹。"
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return "文件夹不存在，请检查路径。"
    reason = error.strerror or str(error)
    return f"{reason}，请检查文件夹是否存在、是否有写入权限、磁盘空间是否足够。"


# ---- Leftovers ---------------------------------------------------------------------------------


def remove_stale_temporaries(
    folder: str | Path, *, older_than: float = STALE_TEMPORARY_AGE, now: float | None = None
) -> int:
    """Remove the temporary files (``.~ducha-<16 hex>.tmp``) a killed write left in ``folder``
    that were last written more than ``older_than`` seconds ago; returns how many went.

    Nothing else is touched: not a file that merely looks similar, not a folder, not a
    replaced original waiting under its ``.bak`` name. A file that cannot be removed (in use
    on Windows, no permission) is left for next time: cleaning never makes a write fail."""
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:  # missing, not a folder, unreadable
        return 0
    for entry in entries:
        if not _TEMPORARY.fullmatch(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime > cutoff:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed += 1
    return removed


# ---- Writing one file --------------------------------------------------------------------------


def write_new(path: str | Path, write: Writer) -> Path:
    """Write a new file at ``path`` with ``write(handle)``; raises ``FileExistsError`` (and
    leaves the existing file alone) when a file of that name exists, before or after writing.
    Nothing of the new file is left behind when ``write`` raises."""
    target = Path(path)
    remove_stale_temporaries(target.parent)
    temporary = _write_temporary(target.parent, write)
    try:
        _move_new(temporary, target)
    finally:
        _remove(temporary)
    _sync_folder(target.parent)
    return target


def write_free(folder: str | Path, stem: str, suffix: str, write: Writer) -> Path:
    """Write a new file named by ``free_name`` (retrying if that name is taken meanwhile)."""
    folder = Path(folder)
    remove_stale_temporaries(folder)
    temporary = _write_temporary(folder, write)
    taken: set[str] = set()
    try:
        while True:
            target = folder / free_name(folder, stem, suffix, taken=taken)
            try:
                _move_new(temporary, target)
            except FileExistsError:
                taken.add(target.name)
                continue
            break
    finally:
        _remove(temporary)
    _sync_folder(folder)
    return target


def replace_file(path: str | Path, write: Writer) -> Path:
    """Write ``path``, replacing a file of that name atomically (only once fully written).

    Only for a file the user chose to replace. On Windows this fails with ``PermissionError``
    while the old file is open in Excel or WPS; the old file is then unchanged.
    """
    target = Path(path)
    remove_stale_temporaries(target.parent)
    temporary = _write_temporary(target.parent, write)
    try:
        os.replace(temporary, target)
    finally:
        _remove(temporary)
    _sync_folder(target.parent)
    return target


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class WrittenFiles:
    """The files this run wrote, with their content hashes.

    A file counts as this run's own only while its bytes are still the ones written: a sheet
    that was filled in and saved again (even under the same name) is somebody's work.
    """

    def __init__(self) -> None:
        self._hashes: dict[Path, str] = {}

    def record(self, path: str | Path) -> None:
        self._hashes[Path(path).absolute()] = sha256_of(path)

    def owns(self, path: str | Path) -> bool:
        key = Path(path).absolute()
        expected = self._hashes.get(key)
        if expected is None:
            return False
        try:
            return sha256_of(key) == expected
        except OSError:
            return False


# ---- Writing several files at once -------------------------------------------------------------


class FileBatch:
    """Files that appear in ``folder`` together or not at all.

    ``add`` writes each file under a temporary name at once (so a full disk or a failing
    writer is noticed before anything is visible); ``publish`` moves them all into place,
    undoing the ones already moved if one fails; ``discard`` removes temporary files and, after
    ``publish``, the published files too (restoring replaced ones). Used as a context manager,
    the batch is discarded when its block raises and finished (replaced originals deleted)
    when it does not. Folders the batch had to create are removed again when left empty.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._entries: list[_Entry] = []
        self._names: set[str] = set()
        self._created: list[Path] = []
        self._published = False

    def __enter__(self) -> FileBatch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.finish()
        else:
            self.discard()

    @property
    def paths(self) -> list[Path]:
        return [entry.target for entry in self._entries]

    def add(self, name: str, write: Writer, *, replace: bool = False) -> Path:
        """Write the file that will be ``folder/name``. ``replace=True`` allows replacing an
        existing file of that name (the caller's own, see ``WrittenFiles``); otherwise
        ``publish`` refuses with ``FileExistsError`` if the name is taken by then."""
        if self._published:
            raise RuntimeError("FileBatch.add after publish")
        if name.casefold() in self._names:
            raise ValueError(f"{name} is already in this batch")
        self._make_folder()
        if not self._entries:  # once per batch, before its first file
            remove_stale_temporaries(self.folder)
        temporary = _write_temporary(self.folder, write)
        self._names.add(name.casefold())
        target = self.folder / name
        self._entries.append(_Entry(target, temporary, replace))
        return target

    def publish(self) -> None:
        """Move every file into place, or none (raises after undoing what was moved)."""
        self._published = True
        try:
            for entry in self._entries:
                if entry.replace and entry.target.exists():
                    entry.backup = self.folder / _temporary_name(BACKUP_SUFFIX)
                    os.replace(entry.target, entry.backup)
                _move_new(entry.temporary, entry.target)
                entry.placed = True
                _remove(entry.temporary)
        except BaseException:
            self.discard()
            raise
        _sync_folder(self.folder)

    def finish(self) -> None:
        """After a successful publish (and whatever had to succeed with it): drop the
        originals of replaced files. Before publish it is the same as ``discard``."""
        if not self._published:
            self.discard()
            return
        for entry in self._entries:
            if entry.backup is not None:
                _remove(entry.backup)
                entry.backup = None

    def discard(self) -> None:
        """Remove every file of the batch, temporary or published; put replaced ones back."""
        for entry in reversed(self._entries):
            _remove(entry.temporary)
            if entry.placed:
                _remove(entry.target)
                entry.placed = False
            if entry.backup is not None:
                try:
                    os.replace(entry.backup, entry.target)
                except OSError:
                    pass  # the original stays under its .bak name (never cleaned): not lost
                else:
                    entry.backup = None
        for folder in reversed(self._created):
            try:
                folder.rmdir()
            except OSError:
                break  # not empty (someone put something there): keep it and its parents
        self._created.clear()

    def _make_folder(self) -> None:
        if self.folder.is_dir():
            return
        missing = []
        for folder in (self.folder, *self.folder.parents):
            if folder.exists():
                break
            missing.append(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._created.extend(reversed(missing))  # outermost first


class _Entry:
    def __init__(self, target: Path, temporary: Path, replace: bool) -> None:
        self.target = target
        self.temporary = temporary
        self.replace = replace
        self.placed = False
        self.backup: Path | None = None


# ---- Internals ---------------------------------------------------------------------------------


def _temporary_name(suffix: str = TEMP_SUFFIX) -> str:
    return f"{TEMP_PREFIX}{secrets.token_hex(8)}{suffix}"


def _write_temporary(folder: Path, write: Writer) -> Path:
    """A new file in ``folder`` holding what ``write`` wrote, flushed to disk."""
    while True:
        temporary = folder / _temporary_name()
        try:
            # 0o666 and the umask, as for any new file (mkstemp would make it private).
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        _remove(temporary)
        raise
    return temporary


def _move_new(temporary: Path, target: Path) -> None:
    """Give ``temporary`` the name ``target`` unless that name is taken (FileExistsError).
    ``temporary`` may still exist afterwards (the caller removes it)."""
    if os.name == "nt":
        os.rename(temporary, target)  # refuses to replace an existing file
        return
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        _reserve_and_rename(temporary, target)


def _reserve_and_rename(temporary: Path, target: Path) -> None:
    """Without hard links: claim the name with an exclusive create, then rename over the
    empty placeholder (a crash in between leaves an empty file, never a half-written one)."""
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(handle)
    try:
        os.replace(temporary, target)
    except BaseException:
        _remove(target)
        raise


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _sync_folder(folder: Path) -> None:
    """Make the new directory entry durable too (POSIX; a no-op where folders cannot be opened)."""
    if os.name == "nt":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
