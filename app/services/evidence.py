"""Evidence files (证据): photos and documents attached to records, items, findings and rechecks.

Files are stored content-addressed beside the database, in ``<db file>.evidence/``:

    sha256/<first two hex>/<hash>      the file as it was added, byte for byte, never changed
    thumbs/<first two hex>/<hash>.jpg  a 256-pixel JPEG thumbnail of an image (EXIF-rotated)

Adding a file reads it once (never writing to it: its bytes and times stay as they were), checks
it (evidence_files.py: size limit, content sniffed, images decoded), then, holding the database's
write lock, puts the blob in place (temporary name, fsync, no-clobber move: app/files.py) and
inserts the ``evidence`` row. So a row always has its blob; a process killed after the blob was
placed and before the row was committed leaves a blob nobody references — garbage that
``collect_garbage`` removes. The same bytes are stored once: adding them again to the same
record/item/finding/recheck returns the row already there; adding them to another one adds a
second row pointing at the same blob (and both are flagged 重复使用).

Flags (computed when read, never stored): 文件缺失, 拍摄时间与文件时间不一致, 拍摄日期与检查日期
相差较大, 无拍摄时间, 无定位信息, 拍摄时间晚于导入时间, 重复使用.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.files import TEMP_PREFIX, explain_write_error, replace_file, sha256_of, write_new
from app.services.evidence_files import (
    DECODABLE,
    EvidenceError,
    EvidenceFile,
    make_thumbnail,
    read_evidence_file,
    size_text,
    type_name,
)
from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository, Storage

EVIDENCE_FOLDER_SUFFIX = ".evidence"
BLOB_FOLDER = "sha256"
THUMB_FOLDER = "thumbs"
# EXIF capture time and the file's modification time further apart than this are flagged.
TIME_MISMATCH = timedelta(hours=1)
# A photo taken more than this many days before or after the inspection (or recheck) is flagged.
DATE_TOLERANCE_DAYS = 1
# Files (temporary or unreferenced) younger than this are left alone by collect_garbage.
GARBAGE_AGE = timedelta(hours=1)

_COLUMNS = (
    "e.id, e.sha256, e.original_name, e.size, e.media_type, e.captured_at, e.gps_lat, e.gps_lon,"
    " e.file_modified_at, e.imported_at, e.inspection_id, e.answer_id, e.finding_id,"
    " e.recheck_id, e.note"
)


class EvidenceFlag(StrEnum):
    MISSING = "missing"
    TIME_MISMATCH = "time_mismatch"
    FAR_FROM_DATE = "far_from_date"
    NO_CAPTURE_TIME = "no_capture_time"
    NO_GPS = "no_gps"
    CAPTURED_AFTER_IMPORT = "captured_after_import"
    REUSED = "reused"

    @property
    def label(self) -> str:
        return {
            "missing": "文件缺失",
            "time_mismatch": "时间不一致",
            "far_from_date": "日期不符",
            "no_capture_time": "无拍摄时间",
            "no_gps": "无定位",
            "captured_after_import": "拍摄时间异常",
            "reused": "重复使用",
        }[self.value]


@dataclass(frozen=True)
class Flag:
    code: EvidenceFlag
    message: str


@dataclass(frozen=True)
class Evidence:
    """One evidence row, with where its file is and what looks wrong about it."""

    id: str
    sha256: str
    original_name: str
    size: int
    media_type: str
    captured_at: datetime | None
    gps_lat: float | None
    gps_lon: float | None
    file_modified_at: datetime | None
    imported_at: datetime
    inspection_id: str | None
    answer_id: str | None
    finding_id: str | None
    recheck_id: str | None
    note: str
    path: Path
    thumbnail: Path | None
    missing: bool
    flags: tuple[Flag, ...] = ()

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def gps(self) -> tuple[float, float] | None:
        if self.gps_lat is None or self.gps_lon is None:
            return None
        return (self.gps_lat, self.gps_lon)

    @property
    def size_text(self) -> str:
        return size_text(self.size)

    @property
    def type_name(self) -> str:
        return type_name(self.media_type)

    def has(self, code: EvidenceFlag) -> bool:
        return any(flag.code is code for flag in self.flags)


@dataclass(frozen=True)
class Added:
    """What ``add`` did: ``new_file`` (the blob was written now), ``already_attached`` (the
    same bytes were already evidence of the same thing: nothing was written)."""

    evidence: Evidence
    new_file: bool
    already_attached: bool


@dataclass
class GarbageReport:
    blobs: int = 0
    thumbnails: int = 0
    temporary: int = 0
    bytes_freed: int = 0


class EvidenceStore:
    def __init__(self, repository: Repository, root: str | Path) -> None:
        self.repo = repository
        self.db = repository.db
        self.root = Path(root)

    @staticmethod
    def root_for(db_path: str | Path) -> Path:
        """``<folder>/<name>.evidence`` beside the database file."""
        path = Path(db_path).absolute()
        return path.with_name(path.name + EVIDENCE_FOLDER_SUFFIX)

    @classmethod
    def for_storage(cls, storage: Storage, root: str | Path | None = None) -> EvidenceStore:
        if root is None:
            if storage.path is None:
                raise EvidenceError("内存中的数据库没有证据文件夹，请指定证据文件夹。")
            root = cls.root_for(storage.path)
        return cls(storage.repository, root)

    # ---- Paths ------------------------------------------------------------------------------

    def blob_path(self, sha256: str) -> Path:
        return self.root / BLOB_FOLDER / sha256[:2] / sha256

    def thumbnail_path(self, sha256: str) -> Path:
        return self.root / THUMB_FOLDER / sha256[:2] / f"{sha256}.jpg"

    # ---- Adding -------------------------------------------------------------------------------

    def add(
        self,
        path: str | Path,
        *,
        inspection_id: str | None = None,
        answer_id: str | None = None,
        finding_id: str | None = None,
        recheck_id: str | None = None,
        note: str = "",
        now: datetime | None = None,
        limit: int | None = None,
    ) -> Added:
        """Add the file at ``path`` as evidence of a record, an item, a finding or a recheck.

        Raises EvidenceError (a WriteError) with a Chinese message for a bad file or a target
        that does not exist; nothing is written then. ``limit`` overrides MAX_EVIDENCE_BYTES."""
        target = self._attachment(inspection_id, answer_id, finding_id, recheck_id)
        found = read_evidence_file(path, limit=limit)
        existing = self._same_attachment(found.sha256, target)
        attached = existing is not None and not existing[1]
        if attached and self.blob_path(found.sha256).is_file():
            return Added(self.get(existing[0]), new_file=False, already_attached=True)
        imported_at = (now or datetime.now()).replace(microsecond=0)
        with self.repo.transaction():
            new_file = self._place(found)  # also brings back the file of a row shown as missing
            try:
                if existing is not None:  # already here, or removed from here: bring it back
                    self.repo.restore("evidence", existing[0])
                    row_id = existing[0]
                else:
                    row_id = self.repo.insert(
                        "evidence", _row(found, target, note.strip(), imported_at)
                    )
            except BaseException:
                if new_file:  # still under the write lock: nobody can reference it yet
                    with contextlib.suppress(OSError):
                        os.unlink(self.blob_path(found.sha256))
                raise
        if found.media_type in DECODABLE:
            self._thumbnail(found.sha256)
        return Added(self.get(row_id), new_file=new_file, already_attached=attached)

    def _place(self, found: EvidenceFile) -> bool:
        """Put the blob in place; True when it was written now (False: it was there)."""
        blob = self.blob_path(found.sha256)
        try:
            if blob.exists():
                if blob.stat().st_size == found.size and sha256_of(blob) == found.sha256:
                    return False
                # A damaged copy of our own blob (not a user's file): replace it whole.
                replace_file(blob, lambda handle: handle.write(found.data))
                return False
            blob.parent.mkdir(parents=True, exist_ok=True)
            try:
                write_new(blob, lambda handle: handle.write(found.data))
            except FileExistsError:
                return False  # written by another process meanwhile (same bytes)
            return True
        except OSError as error:
            raise EvidenceError(
                f"无法把“{found.name}”存入证据文件夹：{explain_write_error(error)}"
            ) from error

    # ---- Reading ------------------------------------------------------------------------------

    def get(self, evidence_id: str) -> Evidence:
        rows = self._read("e.id = ?", [evidence_id], include_deleted=True)
        if not rows:
            raise EvidenceError("该证据不存在。")
        return rows[0]

    def for_inspection(self, inspection_id: str) -> list[Evidence]:
        """All evidence of a record: its own, its items', its findings' and their rechecks'."""
        return self._read("e.inspection_id = ?", [inspection_id])

    def for_answer(self, answer_id: str) -> list[Evidence]:
        return self._read("e.answer_id = ?", [answer_id])

    def for_finding(self, finding_id: str) -> list[Evidence]:
        return self._read("e.finding_id = ?", [finding_id])

    def for_recheck(self, recheck_id: str) -> list[Evidence]:
        return self._read("e.recheck_id = ?", [recheck_id])

    def missing(self, inspection_id: str | None = None) -> list[Evidence]:
        """Live evidence whose file is not in the evidence folder (of one record, or all)."""
        if inspection_id is None:
            rows = self._read("1 = 1", [])
        else:
            rows = self.for_inspection(inspection_id)
        return [row for row in rows if row.missing]

    def open_path(self, evidence_id: str) -> Path:
        """The stored file, to open or preview (read-only: never edit it in place)."""
        evidence = self.get(evidence_id)
        if evidence.missing:
            raise EvidenceError(
                f"证据“{evidence.original_name}”的文件已不在证据文件夹中"
                f"（{self.root}），请找到原文件后重新添加。"
            )
        return evidence.path

    def thumbnail(self, evidence_id: str) -> Path | None:
        """The thumbnail of an image (drawn now if it is not there yet), or None."""
        evidence = self.get(evidence_id)
        if evidence.missing or evidence.media_type not in DECODABLE:
            return None
        return self._thumbnail(evidence.sha256)

    def verify(self, evidence_id: str) -> bool:
        """Whether the stored file is still exactly the bytes that were added."""
        evidence = self.get(evidence_id)
        try:
            return sha256_of(evidence.path) == evidence.sha256
        except OSError:
            return False

    # ---- Editing ------------------------------------------------------------------------------

    def set_note(self, evidence_id: str, note: str) -> None:
        self._live(evidence_id)
        self.repo.update("evidence", evidence_id, {"note": note.strip()})

    def remove(self, evidence_id: str) -> None:
        """Take the evidence off (tombstoned; the file stays, so it can be restored)."""
        self._live(evidence_id)
        self.repo.delete("evidence", evidence_id)

    def restore(self, evidence_id: str) -> None:
        self.get(evidence_id)
        self.repo.restore("evidence", evidence_id)

    # ---- Garbage ------------------------------------------------------------------------------

    def collect_garbage(
        self, *, older_than: timedelta = GARBAGE_AGE, now: datetime | None = None
    ) -> GarbageReport:
        """Remove blobs and thumbnails no evidence row (live or removed) refers to, and
        temporary files left by a process that was killed, when older than ``older_than``.

        The folder is scanned first; the removal holds the write lock, so no file being added
        right now can be taken for garbage. For a worker thread, use
        ``evidence_housekeeping.collect_garbage_in_file`` (a connection of its own)."""
        return sweep_garbage(
            self.root, self.repo.transaction, self.db.conn, older_than=older_than, now=now
        )

    # ---- Internals ----------------------------------------------------------------------------

    def _attachment(
        self,
        inspection_id: str | None,
        answer_id: str | None,
        finding_id: str | None,
        recheck_id: str | None,
    ) -> dict[str, str | None]:
        """The row's links, completed upwards: an item's or a finding's record, a recheck's
        finding and record. Every given link must be live and agree with the others."""
        if not any((inspection_id, answer_id, finding_id, recheck_id)):
            raise EvidenceError("请先选择证据所属的检查记录、检查项、问题或复查。")
        links: dict[str, str | None] = {
            "inspection_id": inspection_id,
            "answer_id": answer_id,
            "finding_id": finding_id,
            "recheck_id": recheck_id,
        }
        if recheck_id:
            recheck = self._row("rechecks", recheck_id, "该复查记录不存在或已删除。")
            links["finding_id"] = _agree(finding_id, recheck["finding_id"])
        if links["finding_id"]:
            finding = self._row("findings", links["finding_id"], "该问题不存在或已删除。")
            links["inspection_id"] = _agree(links["inspection_id"], finding["inspection_id"])
        if answer_id:
            answer = self._row("checklist_answers", answer_id, "该检查项不存在或已删除。")
            links["inspection_id"] = _agree(links["inspection_id"], answer["inspection_id"])
        if links["inspection_id"]:
            self._row("inspections", links["inspection_id"], "该检查记录不存在或已删除。")
        return links

    def _row(self, table: str, row_id: str, message: str) -> dict[str, Any]:
        row = self.repo.get(table, row_id)
        if row is None or row["deleted"]:
            raise EvidenceError(message)
        return row

    def _live(self, evidence_id: str) -> dict[str, Any]:
        return self._row("evidence", evidence_id, "该证据不存在或已删除。")

    def _same_attachment(self, sha: str, links: dict[str, str | None]) -> tuple[str, bool] | None:
        """(id, deleted) of a row with these bytes and exactly these links, live ones first."""
        row = self.db.execute(
            "SELECT id, deleted FROM evidence WHERE sha256 = ?"
            " AND inspection_id IS ? AND answer_id IS ? AND finding_id IS ? AND recheck_id IS ?"
            " ORDER BY deleted, rowid LIMIT 1",
            [
                sha,
                links["inspection_id"],
                links["answer_id"],
                links["finding_id"],
                links["recheck_id"],
            ],
        ).fetchone()
        return None if row is None else (row[0], bool(row[1]))

    def _thumbnail(self, sha: str) -> Path | None:
        target = self.thumbnail_path(sha)
        if target.exists():
            return target
        blob = self.blob_path(sha)
        if not blob.exists():
            return None
        return target if make_thumbnail(blob, write_new, target) else None

    def _read(
        self, where: str, params: list[Any], *, include_deleted: bool = False
    ) -> list[Evidence]:
        alive = "" if include_deleted else " AND e.deleted = 0"
        rows = self.db.execute(
            f"SELECT {_COLUMNS},"
            " COALESCE(r.checked_on, i.checked_on),"
            " (SELECT COUNT(*) FROM evidence o WHERE o.sha256 = e.sha256 AND o.deleted = 0"
            "  AND o.id <> e.id AND o.inspection_id IS NOT e.inspection_id)"
            " FROM evidence e"
            " LEFT JOIN rechecks r ON r.id = e.recheck_id"
            " LEFT JOIN inspections i ON i.id = e.inspection_id"
            f" WHERE {where}{alive} ORDER BY e.imported_at, e.rowid",
            params,
        ).fetchall()
        return [self._evidence(row) for row in rows]

    def _evidence(self, row: tuple) -> Evidence:
        (
            row_id,
            sha,
            name,
            size,
            media_type,
            captured,
            lat,
            lon,
            modified,
            imported,
            inspection_id,
            answer_id,
            finding_id,
            recheck_id,
            note,
            reference,
            reused,
        ) = row
        path = self.blob_path(sha)
        missing = not path.is_file()
        thumb = self.thumbnail_path(sha)
        item = Evidence(
            row_id,
            sha,
            name,
            size,
            media_type,
            _when(captured),
            lat,
            lon,
            _when(modified),
            _when(imported) or datetime.min,
            inspection_id,
            answer_id,
            finding_id,
            recheck_id,
            note,
            path,
            thumb if thumb.is_file() else None,
            missing,
        )
        flags = evidence_flags(
            item, date.fromisoformat(reference) if reference else None, reused=bool(reused)
        )
        return replace(item, flags=tuple(flags))


def evidence_flags(
    evidence: Evidence, reference: date | None, *, reused: bool = False
) -> list[Flag]:
    """What looks wrong about one piece of evidence. ``reference`` is the date it should be
    from (the inspection's, or the recheck's); ``reused``: the same file is evidence elsewhere."""
    flags: list[Flag] = []
    if evidence.missing:
        flags.append(
            Flag(
                EvidenceFlag.MISSING,
                "文件缺失：证据文件已不在证据文件夹中（可能被移动或删除），请找到原文件后重新添加。",
            )
        )
    photo = evidence.media_type in DECODABLE
    captured, modified = evidence.captured_at, evidence.file_modified_at
    if photo and captured is None:
        flags.append(
            Flag(
                EvidenceFlag.NO_CAPTURE_TIME,
                "无拍摄时间：可能是截图，或经聊天软件转发、编辑过的图片。",
            )
        )
    if photo and evidence.gps is None:
        flags.append(
            Flag(EvidenceFlag.NO_GPS, "无定位信息：照片中没有 GPS 位置，无法核对拍摄地点。")
        )
    if captured is not None and modified is not None and abs(captured - modified) > TIME_MISMATCH:
        flags.append(
            Flag(
                EvidenceFlag.TIME_MISMATCH,
                f"拍摄时间 {_show(captured)} 与文件时间 {_show(modified)} 相差"
                f" {_duration(abs(captured - modified))}。",
            )
        )
    if captured is not None and captured - evidence.imported_at > TIME_MISMATCH:
        flags.append(
            Flag(
                EvidenceFlag.CAPTURED_AFTER_IMPORT,
                f"拍摄时间 {_show(captured)} 晚于导入时间 {_show(evidence.imported_at)}，"
                "拍摄设备的时间可能设置有误。",
            )
        )
    when = captured or (modified if photo else None)
    if when is not None and reference is not None:
        days = abs((when.date() - reference).days)
        if days > DATE_TOLERANCE_DAYS:
            what = "拍摄日期" if captured is not None else "文件日期"
            flags.append(
                Flag(
                    EvidenceFlag.FAR_FROM_DATE,
                    f"{what} {when.date().isoformat()} 与检查日期 {reference.isoformat()}"
                    f" 相差 {days} 天。",
                )
            )
    if reused:
        flags.append(
            Flag(EvidenceFlag.REUSED, "重复使用：同一文件也是另一条检查记录的证据，请核实。")
        )
    return flags


# ---- Helpers ---------------------------------------------------------------------------------


def _agree(given: str | None, actual: str | None) -> str | None:
    if given and actual and given != actual:
        raise EvidenceError("证据所属的检查记录、检查项、问题和复查互不对应，请重新选择。")
    return actual or given


def _row(
    found: EvidenceFile, links: dict[str, str | None], note: str, imported_at: datetime
) -> dict[str, Any]:
    return {
        "sha256": found.sha256,
        "original_name": found.name,
        "size": found.size,
        "media_type": found.media_type,
        "captured_at": found.captured_at.isoformat() if found.captured_at else None,
        "gps_lat": found.gps[0] if found.gps else None,
        "gps_lon": found.gps[1] if found.gps else None,
        "file_modified_at": found.modified_at.isoformat() if found.modified_at else None,
        "imported_at": imported_at.isoformat(),
        **links,
        "note": note,
    }


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _show(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    return f"{minutes}分钟"


__all__ = [
    "Added",
    "Evidence",
    "EvidenceError",
    "EvidenceFlag",
    "EvidenceStore",
    "Flag",
    "GarbageReport",
    "WriteError",
    "evidence_flags",
]


def sweep_garbage(
    root: Path,
    hold_write_lock: Callable[[], contextlib.AbstractContextManager[Any]],
    connection: sqlite3.Connection,
    *,
    older_than: timedelta = GARBAGE_AGE,
    now: datetime | None = None,
) -> GarbageReport:
    """``collect_garbage`` over the evidence folder ``root`` of the database ``connection``.

    Files older than ``older_than`` are listed without the lock (most runs find none and never
    take it); then, holding the write lock (``hold_write_lock()``, while which no evidence can
    be added), the referenced hashes are read and the listed files still unreferenced go."""
    cutoff = (now or datetime.now()).timestamp() - older_than.total_seconds()
    candidates: list[tuple[Path, str]] = []
    for folder, is_blob in ((BLOB_FOLDER, True), (THUMB_FOLDER, False)):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*/*")):
            try:
                if not path.is_file() or path.stat().st_mtime > cutoff:
                    continue
            except OSError:
                continue
            if path.name.startswith(TEMP_PREFIX):
                candidates.append((path, "temporary"))
            else:
                candidates.append((path, "blobs" if is_blob else "thumbnails"))
    report = GarbageReport()
    if not candidates:
        return report
    with hold_write_lock():
        referenced = {row[0] for row in connection.execute("SELECT DISTINCT sha256 FROM evidence")}
        for path, kind in candidates:
            if kind != "temporary":
                sha = path.name if kind == "blobs" else path.name.removesuffix(".jpg")
                if sha in referenced:
                    continue
            try:
                stat = path.stat()
                if stat.st_mtime > cutoff:  # written again since it was listed
                    continue
                path.unlink()
            except OSError:
                continue
            setattr(report, kind, getattr(report, kind) + 1)
            report.bytes_freed += stat.st_size
    return report
