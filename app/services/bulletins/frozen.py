"""The frozen files of issued documents: their DOCX and PDF, content-addressed beside the database.

    <db folder>/<db file name>.documents/sha256/<first two hex>/<hash>

like evidence (app/services/evidence.py): a blob is written once (temporary name, fsync, a
no-clobber move: app/files.py) and never changed; its ``bulletin_files`` row holds the SHA-256
and size, so ``verify`` can tell a file that went missing or was altered. A process killed after
a blob was placed and before its row was committed leaves a blob no row refers to; it is
harmless (``unreferenced`` lists such blobs).

Rendering: ``render_files`` draws a document in every format this installation can write —
Word (reports/gongwen_docx.py) and PDF (reports/gongwen_pdf.py), laid out alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.files import explain_write_error, replace_file, sha256_of, write_new
from app.services.bulletins.model import BulletinError

if TYPE_CHECKING:
    from app.documents.model import GongwenDocument
    from app.documents.profile import OfficeProfile
    from app.storage import Storage

FOLDER_SUFFIX = ".documents"
BLOB_FOLDER = "sha256"
FORMATS = ("docx", "pdf")

Renderer = Callable[["GongwenDocument", io.BytesIO, "OfficeProfile"], object]


@dataclass(frozen=True)
class Rendered:
    format: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def available_renderers() -> dict[str, Renderer]:
    """format → ``render(document, stream, profile)``: every format an issued one is kept in."""
    from reports.gongwen_docx import render_docx
    from reports.gongwen_pdf import render_pdf

    return {"docx": render_docx, "pdf": render_pdf}


def render_files(
    document: GongwenDocument,
    profile: OfficeProfile,
    renderers: dict[str, Renderer] | None = None,
) -> list[Rendered]:
    """The document in each format, as bytes (nothing written yet)."""
    result = []
    for name, render in (renderers or available_renderers()).items():
        stream = io.BytesIO()
        render(document, stream, profile)
        result.append(Rendered(name, stream.getvalue()))
    return result


class FrozenFiles:
    def __init__(self, root: str | Path | None) -> None:
        self.root = Path(root) if root is not None else None

    @staticmethod
    def root_for(db_path: str | Path) -> Path:
        path = Path(db_path).absolute()
        return path.with_name(path.name + FOLDER_SUFFIX)

    @classmethod
    def for_storage(cls, storage: Storage) -> FrozenFiles:
        return cls(cls.root_for(storage.path) if storage.path is not None else None)

    def path(self, sha256: str) -> Path:
        if self.root is None:
            raise BulletinError("内存中的数据库没有保存公文文件的文件夹。")
        return self.root / BLOB_FOLDER / sha256[:2] / sha256

    def place(self, rendered: Rendered) -> bool:
        """Store the bytes; True when the blob was written now (False: it was already there)."""
        blob = self.path(rendered.sha256)
        try:
            if blob.exists():
                if blob.stat().st_size == len(rendered.data) and sha256_of(blob) == rendered.sha256:
                    return False
                replace_file(blob, lambda handle: handle.write(rendered.data))  # a damaged copy
                return False
            blob.parent.mkdir(parents=True, exist_ok=True)
            try:
                write_new(blob, lambda handle: handle.write(rendered.data))
            except FileExistsError:
                return False  # another process stored the same bytes meanwhile
            return True
        except OSError as error:
            raise BulletinError(
                f"无法保存签发的公文文件（{self.root}）：{explain_write_error(error)}"
            ) from error

    def remove(self, sha256: str) -> None:
        """Take back a blob this process just wrote (its row was not committed)."""
        with contextlib.suppress(OSError, BulletinError):
            os.unlink(self.path(sha256))

    def problem(self, sha256: str, size: int) -> str | None:
        """What is wrong with a stored file, or None when it is whole."""
        blob = self.path(sha256)
        if not blob.is_file():
            return "文件缺失"
        if blob.stat().st_size != size:
            return "文件大小与签发时不符（已被改动）"
        if sha256_of(blob) != sha256:
            return "文件内容与签发时不符（已被改动）"
        return None

    def unreferenced(self, referenced: set[str]) -> list[Path]:
        """Blobs no ``bulletin_files`` row refers to (left by a process killed while issuing)."""
        if self.root is None or not (self.root / BLOB_FOLDER).is_dir():
            return []
        return sorted(
            path
            for path in (self.root / BLOB_FOLDER).glob("*/*")
            if path.is_file() and path.name not in referenced
        )
