"""Files through the share, content-addressed: ``blobs/sha256/<2 hex>/<sha256>``.

Two kinds of rows refer to files by hash: evidence (``evidence``, the files in ``<db>.evidence/``)
and the frozen Word and PDF of issued documents (``bulletin_files``, in ``<db>.documents/``). The
rows travel in the journal like any other row; their files go separately, once each, named by
their SHA-256. Sending: every blob here that a row refers to and that is not known to be on the
share (``sync_blobs``) is checked and written. Receiving: every row whose file is missing here is
looked for on the share, read, checked against its hash and put in place. A row may arrive before
its file (the file is reported as still missing and fetched by a later sync); a damaged file on
the share is never put in place.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from app.files import write_new
from app.services.bulletins.frozen import FrozenFiles
from app.services.evidence import EvidenceStore
from app.storage import Storage
from app.storage.repository import write_transaction
from app.sync.share import Share

BLOBS = "blobs/sha256"


class FileKind(NamedTuple):
    """Files that rows refer to by hash: also what merge-db copies (app/sync/dbfile.py)."""

    label: str  # what the files are called in messages
    query: str  # the hashes the rows here refer to
    local: Callable[[str], Path]  # where a file with that hash is kept on this laptop
    root_for: Callable[[Path], Path]  # the folder of such files beside a database file


def file_kinds(storage: Storage) -> list[FileKind]:
    if storage.path is None:
        return []
    evidence = EvidenceStore.for_storage(storage)
    documents = FrozenFiles.for_storage(storage)
    return [
        FileKind(
            "证据文件",
            "SELECT DISTINCT sha256 FROM evidence",
            evidence.blob_path,
            EvidenceStore.root_for,
        ),
        FileKind(
            "公文存档文件",
            "SELECT DISTINCT sha256 FROM bulletin_files",
            documents.path,
            FrozenFiles.root_for,
        ),
    ]


def _referenced(storage: Storage) -> Iterator[tuple[str, str, Path]]:
    """(label, sha256, the local path) of every file a row here refers to."""
    for label, query, path, _root_for in file_kinds(storage):
        for (sha,) in storage.db.execute(query).fetchall():
            yield label, sha, path(sha)


class _Listing:
    """The share's blob folders, listed once per sync."""

    def __init__(self, share: Share) -> None:
        self.share = share
        self._folders: dict[str, set[str]] = {}

    def has(self, sha: str) -> bool:
        folder = sha[:2]
        if folder not in self._folders:
            self._folders[folder] = set(self.share.files(f"{BLOBS}/{folder}"))
        return sha in self._folders[folder]

    def add(self, sha: str) -> None:
        self._folders.setdefault(sha[:2], set()).add(sha)


def send_blobs(storage: Storage, share: Share, report) -> None:
    known = {row[0] for row in storage.db.execute("SELECT sha256 FROM sync_blobs")}
    listing = _Listing(share)
    sent: list[str] = []
    for label, sha, local in _referenced(storage):
        if sha in known:
            continue
        if not local.is_file():
            continue  # not here either (it arrives with a later sync)
        if not listing.has(sha):
            data = local.read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:
                report.warning(
                    storage.device_id,
                    str(local),
                    f"本机的这个{label}已损坏，未发送。请在本机重新添加（或重新导出）该文件。",
                )
                continue
            try:
                share.write_new(f"{BLOBS}/{sha[:2]}/{sha}", data)
            except FileExistsError:
                pass  # another laptop sent the same file meanwhile
            except OSError as error:
                report.problem(storage.device_id, sha, f"{label}写入共享文件夹失败：{error}")
                continue
            listing.add(sha)
            report.blobs_sent += 1
        sent.append(sha)
    if sent:
        with write_transaction(storage.db):
            storage.db.conn.executemany(
                "INSERT OR IGNORE INTO sync_blobs (sha256) VALUES (?)", [(s,) for s in sent]
            )


def fetch_blobs(storage: Storage, share: Share, report) -> None:
    listing = _Listing(share)
    for label, sha, local in list(_referenced(storage)):
        if local.is_file():
            continue
        if not listing.has(sha):
            report.blobs_missing += 1
            continue
        try:
            data = share.read(f"{BLOBS}/{sha[:2]}/{sha}")
        except OSError as error:
            report.warning("", sha, f"无法读取共享文件夹中的{label}（{error}），下次同步时再试。")
            report.blobs_missing += 1
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            report.warning(
                "",
                f"{BLOBS}/{sha[:2]}/{sha}",
                f"共享文件夹中的这个{label}已损坏（内容与校验值不符），未取回；"
                "请在添加它的电脑上再同步一次。",
            )
            report.blobs_missing += 1
            continue
        local.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # placed by another process meanwhile
            write_new(local, lambda handle, data=data: handle.write(data))
        report.blobs_received += 1
