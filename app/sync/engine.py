"""Sync through a share: send this laptop's new change entries, merge everyone else's.

Export: this laptop's own entries logged since its last batch become the next batch files of
``journal/<device>/`` (written new, read back; a batch written before a crash but not yet
recorded is found on the share and recorded, never written twice under another number).
Import: per other device, its batches in sequence order after the last one applied here; each
batch is verified (hash, header) and applied with its "applied" mark in one transaction; a gap,
a damaged file or a batch from a newer version stops that device (later syncs go on from
there). Merging is ``Repository.apply``: per field the highest (HLC, device) wins, so every
laptop ends with the same data in any order of syncs. docs/sync-format.md.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from app import __version__
from app.progress import Cancelled, Progress, part
from app.storage import Storage
from app.storage.changelog import ChangeEntry, read_changes_with_seq
from app.storage.hlc import MAX_DRIFT_MS, HLCTimestamp
from app.storage.repository import write_transaction
from app.sync.journal import (
    BATCH_VERSION,
    DEVICE,
    Batch,
    BatchError,
    BatchName,
    decode,
    encode,
    file_name,
)
from app.sync.share import Share

SHARE_FORMAT = "ducha-sync-share"
SHARE_VERSION = 1
FORMAT_FILE = "FORMAT.json"
BATCH_ENTRIES = 20_000  # entries per batch file (a whole-row insert's entries stay together)
COMMIT_ENTRIES = 100_000  # batches of one device applied in one transaction, up to this many
MAX_RETRY_NAMES = 20


class ShareFormatError(Exception):
    """The share was written by a newer version, or is not a sync share at all."""


@dataclass
class SyncReport:
    sent: int = 0  # batch files written to the share
    sent_entries: int = 0
    received: int = 0  # other laptops' batch files read and verified
    applied: int = 0  # batches applied here
    skipped: int = 0  # batch files not applied now (waiting behind a gap, newer format, ...)
    entries_applied: int = 0
    superseded: int = 0
    duplicates: int = 0
    pending: int = 0  # entries waiting for rows they need (Repository.apply)
    conflicts: int = 0
    resurrected: int = 0  # deleted rows edited later elsewhere: brought back, flagged
    blobs_sent: int = 0  # evidence files written to the share
    blobs_received: int = 0  # evidence files fetched from it
    blobs_missing: int = 0  # evidence rows whose file is neither here nor on the share (yet)
    far_future: int = 0  # entries stamped more than MAX_DRIFT_MS ahead of this laptop's clock
    ignored_files: list[str] = field(default_factory=list)  # not batch names (conflict copies)
    problems: list[dict[str, str]] = field(default_factory=list)  # could not be applied
    warnings: list[dict[str, str]] = field(default_factory=list)  # applied, but look at it
    cancelled: bool = False  # stopped by the user between batches (what was done stays done)

    def problem(self, device: str, file: str, reason: str) -> None:
        self.problems.append({"device": device, "file": file, "reason": reason})

    def warning(self, device: str, file: str, reason: str) -> None:
        self.warnings.append({"device": device, "file": file, "reason": reason})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_share(share: Share) -> None:
    """Refuse a share written by a newer format; make FORMAT.json on a new one."""
    if FORMAT_FILE not in share.files(""):
        data = json.dumps({"format": SHARE_FORMAT, "version": SHARE_VERSION}).encode()
        with contextlib.suppress(FileExistsError):  # another laptop made it meanwhile
            share.write_new(FORMAT_FILE, data)
    data = share.read(FORMAT_FILE)  # OSError: the share cannot be reached (the caller says so)
    try:
        info = json.loads(data)
    except ValueError as error:
        raise ShareFormatError(
            f"共享文件夹中的 {FORMAT_FILE} 无法读取（{error}）。"
            "请确认选择的是督查台账的同步文件夹，或把该文件移走后重试。"
        ) from error
    if not isinstance(info, dict) or info.get("format") != SHARE_FORMAT:
        raise ShareFormatError(
            f"所选文件夹不是督查台账的同步文件夹（{FORMAT_FILE} 的内容不对）。请选择正确的文件夹。"
        )
    version = info.get("version")
    if not isinstance(version, int) or version > SHARE_VERSION:
        raise ShareFormatError(
            f"共享文件夹由更新版本的督查台账写入（同步格式版本 {version}，"
            f"本程序支持 {SHARE_VERSION}）。请先把本程序升级到最新版本，再同步；"
            "共享文件夹中的内容不会被改动。"
        )


def sync(
    storage: Storage,
    share: Share,
    *,
    batch_entries: int = BATCH_ENTRIES,
    progress: Progress | None = None,
) -> SyncReport:
    """Send, then receive. ``progress(done, total)`` is called between batches (in thousandths
    of the whole); when it raises ``Cancelled`` the sync stops there and the report says
    ``cancelled``: every batch written or applied before stays so (each in its own
    transaction, its file written whole), and the next sync goes on from there."""
    check_share(share)
    report = SyncReport()
    from app.sync.blobs import fetch_blobs, send_blobs

    try:
        export_changes(
            storage, share, report, batch_entries=batch_entries, progress=part(progress, 0, 0.25)
        )
        if progress is not None:
            progress(250, 1000)
        send_blobs(storage, share, report)
        if progress is not None:
            progress(300, 1000)
        import_changes(storage, share, report, progress=part(progress, 0.3, 0.95))
        if progress is not None:
            progress(950, 1000)
        fetch_blobs(storage, share, report)
    except Cancelled:
        report.cancelled = True
    from app.sync.status import record_run, run_of

    record_run(storage, run_of(report, str(getattr(share, "root", ""))))
    return report


# ---- Export -------------------------------------------------------------------------------------


def _sent_state(storage: Storage) -> tuple[int, int]:
    row = storage.db.execute(
        "SELECT seq, last_local_seq FROM sync_sent ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return (row[0], row[1]) if row else (0, 0)


def _record_sent(storage: Storage, batch: Batch, name: str, size: int) -> None:
    with write_transaction(storage.db):
        storage.db.execute(
            "INSERT INTO sync_sent (seq, first_local_seq, last_local_seq, name, size)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO UPDATE SET name = excluded.name,"
            " size = excluded.size",
            [batch.seq, batch.first_local_seq, batch.last_local_seq, name, size],
        )


def _heal_own(storage: Storage, share: Share, report: SyncReport, listed: set[str]) -> None:
    """Write again, under a new retry name, every batch of ours whose file on the share is not
    the size we wrote (emptied or cut short after we checked it, say by another sync tool).
    A file missing from the listing is left alone: a listing can be stale."""
    device = storage.device_id
    for seq, first_local, last_local, name, size in storage.db.execute(
        "SELECT seq, first_local_seq, last_local_seq, name, size FROM sync_sent ORDER BY seq"
    ).fetchall():
        if name not in listed or share.size(f"journal/{device}/{name}") == size:
            continue
        entries = [
            entry
            for local, entry in read_changes_with_seq(storage.db, first_local)
            if local <= last_local and entry.device == device
        ]
        retry = max(
            (n.retry for n in map(BatchName.parse, listed) if n is not None and n.seq == seq),
            default=0,
        )
        report.warning(device, name, "本机写入共享文件夹的这一批次文件已不完整，已重新写入。")
        _send(storage, share, report, seq, first_local, last_local, entries, retry + 1)


def export_changes(
    storage: Storage,
    share: Share,
    report: SyncReport,
    *,
    batch_entries: int = BATCH_ENTRIES,
    progress: Progress | None = None,
) -> None:
    device = storage.device_id
    folder = f"journal/{device}"
    last_batch, last_local = _sent_state(storage)
    # Batches written before a crash, before they were recorded here.
    listed = set(share.files(folder))
    found: dict[int, list[BatchName]] = {}
    for name in filter(None, map(BatchName.parse, listed)):
        if name.seq > last_batch:
            found.setdefault(name.seq, []).append(name)
    while last_batch + 1 in found:
        batch = None
        for name in sorted(found[last_batch + 1], key=lambda n: n.retry):
            try:
                data = share.read(f"{folder}/{name.name}")
                _header, batch = decode(data, name, device)
            except (OSError, BatchError):
                continue
            _record_sent(storage, batch, name.name, len(data))
            break
        if batch is None:
            break
        last_batch, last_local = batch.seq, batch.last_local_seq
    _heal_own(storage, share, report, listed)

    pending: list[ChangeEntry] = []
    first = last = last_local
    total = max(_last_local_seq(storage) - last_local, 1)
    for seq, entry in read_changes_with_seq(storage.db, last_local):
        if len(pending) >= batch_entries and seq != last:
            if not _send(storage, share, report, last_batch + 1, first, last, pending):
                return
            if progress is not None:
                progress(last - last_local, total)  # may stop here: that batch is recorded
            last_batch, pending, first = last_batch + 1, [], last
        last = seq
        if entry.device == device:
            pending.append(entry)
    if pending:
        _send(storage, share, report, last_batch + 1, first, last, pending)


def _last_local_seq(storage: Storage) -> int:
    return storage.db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]


def _send(
    storage: Storage,
    share: Share,
    report: SyncReport,
    seq: int,
    first_local: int,
    last_local: int,
    entries: list[ChangeEntry],
    first_retry: int = 0,
) -> bool:
    device = storage.device_id
    batch = Batch(device, seq, storage.schema_version, first_local, last_local, entries)
    body, data = encode(batch)
    hlc = max(entry.hlc for entry in entries)
    for retry in range(first_retry, first_retry + MAX_RETRY_NAMES):
        name = file_name(seq, hlc, body, retry)
        path = f"journal/{device}/{name}"
        try:
            share.write_new(path, data)
        except FileExistsError:
            try:
                same = share.read(path) == data
            except OSError:
                same = False
            if not same:
                continue  # a torn copy of this batch under that name: write it anew
        except OSError as error:
            report.problem(
                device, name, f"写入共享文件夹失败：{error}。请检查共享文件夹后重新同步。"
            )
            return False
        _record_sent(storage, batch, name, len(data))
        report.sent += 1
        report.sent_entries += len(entries)
        return True
    report.problem(device, f"{seq:08d}", "同一批次多次写入都未成功，请检查共享文件夹后重新同步。")
    return False


# ---- Import -------------------------------------------------------------------------------------


def import_changes(
    storage: Storage, share: Share, report: SyncReport, *, progress: Progress | None = None
) -> None:
    devices = [device for device in share.folders("journal") if device != storage.device_id]
    for index, device in enumerate(devices):
        if not DEVICE.match(device):
            report.ignored_files.append(f"journal/{device}/")
            continue
        stage = part(progress, index / len(devices), (index + 1) / len(devices))
        _import_device(storage, share, report, device, stage)


def _import_device(
    storage: Storage,
    share: Share,
    report: SyncReport,
    device: str,
    progress: Progress | None = None,
) -> None:
    folder = f"journal/{device}"
    by_seq: dict[int, list[BatchName]] = {}
    for file in share.files(folder):
        name = BatchName.parse(file)
        if name is None:
            report.ignored_files.append(f"{folder}/{file}")
        else:
            by_seq.setdefault(name.seq, []).append(name)
    row = storage.db.execute(
        "SELECT MAX(seq) FROM sync_applied WHERE device = ?", [device]
    ).fetchone()
    last = row[0] or 0
    group: list[tuple[int, Batch, str]] = []
    size = 0
    waiting = sum(1 for seq in by_seq if seq > last)
    for ready in _ready_batches(storage, share, report, device, by_seq, last):
        group.append(ready)
        size += len(ready[1].entries)
        if size >= COMMIT_ENTRIES:
            _apply_group(storage, report, device, group)
            group, size = [], 0
        if progress is not None:  # a cancel here drops the group not applied yet (read again
            progress(ready[0] - last, waiting)  # by the next sync)
    if group:
        _apply_group(storage, report, device, group)


def _ready_batches(
    storage: Storage,
    share: Share,
    report: SyncReport,
    device: str,
    by_seq: dict[int, list[BatchName]],
    last: int,
) -> Iterator[tuple[int, Batch, str]]:
    """The device's batches after ``last``, read and verified, in order; stops (and reports
    why) at a gap, a batch with no whole file or a batch from a newer version."""
    folder = f"journal/{device}"
    waiting = sorted(seq for seq in by_seq if seq > last)
    for index, seq in enumerate(waiting):
        rest = len(waiting) - index
        if seq != last + 1:
            report.problem(
                device,
                by_seq[seq][0].name,
                f"缺少该设备第 {last + 1} 至 {seq - 1} 批的同步文件（可能尚未复制完成）；"
                "其后的批次暂不合并，待缺少的文件到达后再次同步即可。",
            )
            report.skipped += rest
            return
        chosen = _read_one(share, report, device, folder, by_seq[seq])
        if chosen is None:
            report.skipped += rest
            return
        header, batch, name = chosen
        report.received += 1
        if header["version"] > BATCH_VERSION or batch.schema > storage.schema_version:
            report.problem(
                device,
                name,
                "该批次由更新版本的督查台账写入，本程序暂不能合并；文件保留在共享文件夹中，"
                "请升级本程序后再同步。",
            )
            report.skipped += rest
            return
        limit = time.time_ns() // 1_000_000 + MAX_DRIFT_MS
        # Text HLCs (13 + 5 digits) sort as their times: one comparison per entry, no parse
        # (a malformed one is refused when the batch is applied).
        first_ahead = HLCTimestamp(limit + 1, 0).encode()
        ahead = sum(1 for e in batch.entries if e.hlc >= first_ahead)
        if ahead:
            report.far_future += ahead
            report.warning(
                device,
                name,
                f"该批次中有 {ahead} 条修改的时间比本机时钟晚 {MAX_DRIFT_MS // 60000} 分钟以上"
                "（那台电脑的时钟可能不准）。修改已合并；请核对那台电脑的日期和时间。",
            )
        yield seq, batch, name
        last = seq


def _apply_group(
    storage: Storage, report: SyncReport, device: str, group: list[tuple[int, Batch, str]]
) -> None:
    """Apply batches and their "applied" marks in one transaction (all or none of them)."""
    repo = storage.repository
    now = datetime.now(UTC).isoformat(timespec="seconds")
    results = []
    with repo.transaction():
        for seq, batch, name in group:
            results.append(repo.apply(batch.entries))
            storage.db.execute(
                "INSERT INTO sync_applied (device, seq, name, applied_at) VALUES (?, ?, ?, ?)",
                [device, seq, name, now],
            )
    for applied in results:
        report.applied += 1
        report.entries_applied += applied.applied
        report.superseded += applied.superseded
        report.duplicates += applied.duplicates
        report.conflicts += applied.conflicts
        report.resurrected += applied.resurrected
    report.pending = repo.pending_count()


def _read_one(
    share: Share, report: SyncReport, device: str, folder: str, names: list[BatchName]
) -> tuple[dict[str, Any], Batch, str] | None:
    """The batch of one sequence number: the first file of it that is whole and valid."""
    reasons = []
    good: list[tuple[dict[str, Any], Batch, str]] = []
    for name in sorted(names, key=lambda n: n.retry):
        try:
            header, batch = decode(share.read(f"{folder}/{name.name}"), name, device)
        except OSError as error:
            reasons.append(f"{name.name}：无法读取（{error}）")
            continue
        except BatchError as error:
            reasons.append(f"{name.name}：{error}")
            continue
        good.append((header, batch, name.name))
    if not good:
        report.problem(
            device,
            names[0].name,
            "该批次的文件都不完整或已损坏（" + "；".join(reasons) + "）。该设备的后续批次暂不合并。"
            "请在写入它的电脑上再同步一次（文件不完整时它会重写这一批次）；若仍不能合并，"
            "请用“merge-db”合并那台电脑的数据库文件。",
        )
        return None
    if len({BatchName.parse(name).digest for _h, _b, name in good}) > 1:  # type: ignore[union-attr]
        report.problem(
            device,
            good[0][2],
            "该设备的同一批次有内容不同的两个文件（该电脑的数据库可能被换成过旧的备份）。"
            "这一设备的后续批次暂不合并，请联系管理员检查。",
        )
        return None
    return good[0]


def summary_text(report: SyncReport) -> str:
    return (
        f"督查台账 {__version__}：发送 {report.sent} 批，收到 {report.received} 批，"
        f"合并 {report.applied} 批，冲突 {report.conflicts} 处，问题 {len(report.problems)} 个"
    )


def log_digests(storage: Storage) -> dict[str, str]:
    """Per device, a SHA-256 of the (table, row, field, HLC) of its entries in this database:
    two laptops that applied the same changes have the same digests (a convergence check)."""
    import hashlib

    by_device: dict[str, list[tuple[str, str, str, str]]] = {}
    for _seq, e in read_changes_with_seq(storage.db):
        by_device.setdefault(e.device, []).append((e.table, e.row_id, e.field, e.hlc))
    digests = {}
    for device, keys in sorted(by_device.items()):
        digest = hashlib.sha256()
        for key in sorted(keys):
            digest.update(("\t".join(key) + "\n").encode())
        digests[device] = digest.hexdigest()
    return digests
