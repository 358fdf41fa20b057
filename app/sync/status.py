"""What the 同步 page shows: this laptop's sync history, the devices seen, the conflicts, and a
supervisor's decision on one (which is itself a change that syncs).

History is local (this laptop's own runs, a JSON list in ``meta``, never synced). A conflict is
open until the field was written after both of its sides: by a decision here
(``resolve_conflict``: ``Repository.decide`` logs the chosen value with a new HLC, even when it is
the value the row has already), by a decision that came in from another laptop, or by a later
edit. So a decision made on one laptop closes the conflict on every laptop that syncs it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.domain.inspection import UserRole
from app.services.identity import read_current_user
from app.storage import Storage
from app.storage.changelog import WHOLE_ROW, row_key
from app.storage.hlc import HLCTimestamp, hlc_from_int, hlc_to_int
from app.storage.repository import write_transaction
from app.storage.schema import META_TABLE

HISTORY_KEY = "sync_history"
HISTORY_LIMIT = 100
TOMBSTONE = "deleted"

TABLE_LABELS = {
    "plans": "实施方案",
    "areas": "领域",
    "measures": "措施",
    "departments": "部门",
    "department_aliases": "部门别名",
    "assignments": "责任分工",
    "milestones": "节点",
    "targets": "目标",
    "rounds": "调度",
    "round_sheets": "调度填报表",
    "progress_files": "报回文件",
    "progress_reports": "进展报告",
    "target_actuals": "目标完成值",
    "holidays": "节假日",
    "inspections": "检查记录",
    "findings": "发现问题",
    "inspection_plans": "督查方案",
    "finding_events": "整改记录",
    "rechecks": "复查",
    "evidence": "证据材料",
    "bulletins": "通报",
    "bulletin_templates": "通报模板",
}
FIELD_LABELS = {
    TOMBSTONE: "删除标记",
    "title": "标题",
    "name": "名称",
    "content": "内容",
    "status": "状态",
    "deadline": "完成期限",
    "completed_on": "完成日期",
    "progress": "进展",
    "note": "备注",
    "description": "描述",
}
TITLE_FIELDS = ("title", "name", "content", "description", "summary")


class ConflictError(Exception):
    """A decision that cannot be made (not a supervisor, the conflict or row is gone)."""


@dataclass(frozen=True)
class SyncRun:
    at: str  # ISO time, UTC
    share: str
    sent: int
    received: int
    applied: int
    conflicts: int
    problems: int
    cancelled: bool = False
    failure: str = ""  # why the sync could not run at all


@dataclass(frozen=True)
class DeviceSeen:
    device: str
    batches: int  # batches of it applied here
    last_sync: str  # when the last of them was applied here (ISO, UTC); "" for this laptop
    last_change: str  # the time of its latest change known here (ISO, UTC), "" when none
    this_laptop: bool


@dataclass(frozen=True)
class Conflict:
    id: int
    table: str
    row_id: str
    field: str
    record: str  # "措施：完善督查制度"
    field_label: str
    kept_value: Any
    kept_device: str
    kept_hlc: str
    lost_value: Any
    lost_device: str
    lost_hlc: str
    resolved: bool


# ---- History ------------------------------------------------------------------------------------


def read_history(storage: Storage) -> list[SyncRun]:
    """This laptop's sync runs, newest first."""
    row = storage.db.execute(
        f"SELECT value FROM {META_TABLE} WHERE key = ?", [HISTORY_KEY]
    ).fetchone()
    if row is None:
        return []
    try:
        runs = json.loads(row[0])
        history = [SyncRun(**run) for run in runs if isinstance(run, dict)]
    except (ValueError, TypeError):
        return []  # a damaged history is not worth an error: it starts again
    return list(reversed(history))


def record_run(storage: Storage, run: SyncRun) -> None:
    runs = [run.__dict__ for run in reversed(read_history(storage))]
    runs = [*runs, run.__dict__][-HISTORY_LIMIT:]
    with write_transaction(storage.db):
        storage.db.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [HISTORY_KEY, json.dumps(runs, ensure_ascii=False)],
        )


def run_of(report: Any, share: str, *, failure: str = "") -> SyncRun:
    """The history line of a SyncReport (or of a sync that failed, with ``failure``)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if report is None:
        return SyncRun(now, share, 0, 0, 0, 0, 1, False, failure)
    return SyncRun(
        now,
        share,
        report.sent,
        report.received,
        report.applied,
        report.conflicts,
        len(report.problems),
        report.cancelled,
        failure,
    )


# ---- Devices ------------------------------------------------------------------------------------


def _hlc_time(value: int | None) -> str:
    if not value:
        return ""
    wall = HLCTimestamp.parse(hlc_from_int(value)).wall_ms
    return datetime.fromtimestamp(wall / 1000, UTC).isoformat(timespec="seconds")


def devices_seen(storage: Storage) -> list[DeviceSeen]:
    """Every device whose changes are here: this laptop first, then by last sync, newest first."""
    applied = {
        device: (count, last)
        for device, count, last in storage.db.execute(
            "SELECT device, COUNT(*), MAX(applied_at) FROM sync_applied GROUP BY device"
        )
    }
    latest = dict(storage.db.execute("SELECT device, max_hlc FROM log_devices"))
    devices = set(applied) | set(latest) | {storage.device_id}
    seen = [
        DeviceSeen(
            device,
            applied.get(device, (0, ""))[0],
            applied.get(device, (0, ""))[1] or "",
            _hlc_time(latest.get(device)),
            device == storage.device_id,
        )
        for device in devices
    ]
    mine = [d for d in seen if d.this_laptop]
    others = sorted(
        (d for d in seen if not d.this_laptop),
        key=lambda d: (d.last_sync, d.last_change),
        reverse=True,
    )
    return mine + others


# ---- Conflicts ----------------------------------------------------------------------------------


def _current_hlc(storage: Storage, table: str, row_id: str, field: str) -> int | None:
    log = storage.repository.log
    keys = log.keys
    table_key = keys.tables.get(table)
    if table_key is None:
        return None
    clocks = log.row_clocks(table_key, row_key(row_id))
    field_key = keys.fields.get((table_key, field))
    version = clocks.get(field_key) if field_key is not None else None
    if version is None:
        version = clocks.get(WHOLE_ROW)
    return None if version is None else version[0]


def _record_label(storage: Storage, table: str, row_id: str) -> str:
    label = TABLE_LABELS.get(table, table)
    row = storage.repository.get(table, row_id)
    if row:
        for name in TITLE_FIELDS:
            value = row.get(name)
            if isinstance(value, str) and value.strip():
                text = value.strip().replace("\n", " ")
                return f"{label}：{text[:40]}{'…' if len(text) > 40 else ''}"
    return f"{label}：{row_id[:8]}"


def list_conflicts(storage: Storage, *, include_resolved: bool = False) -> list[Conflict]:
    """The conflicts found here, newest first; open ones only unless ``include_resolved``."""
    conflicts = []
    for row in storage.db.execute(
        "SELECT id, tbl, row_id, field, kept_value, kept_hlc, kept_device, lost_value, lost_hlc,"
        " lost_device FROM sync_conflicts ORDER BY id DESC"
    ).fetchall():
        cid, table, row_id, field, kept, kept_hlc, kept_dev, lost, lost_hlc, lost_dev = row
        current = _current_hlc(storage, table, row_id, field)
        resolved = current is not None and current > max(hlc_to_int(kept_hlc), hlc_to_int(lost_hlc))
        if resolved and not include_resolved:
            continue
        conflicts.append(
            Conflict(
                cid,
                table,
                row_id,
                field,
                _record_label(storage, table, row_id),
                FIELD_LABELS.get(field, field),
                kept,
                kept_dev,
                kept_hlc,
                lost,
                lost_dev,
                lost_hlc,
                resolved,
            )
        )
    return conflicts


def describe_value(field: str, value: Any) -> str:
    if field == TOMBSTONE:
        return "已删除" if value else "保留（未删除）"
    if value is None:
        return "（空）"
    if isinstance(value, bytes):
        return f"（{len(value)} 字节的数据）"
    return str(value)


def resolve_conflict(storage: Storage, conflict_id: int, keep: str) -> Conflict:
    """A supervisor keeps one side (``keep``: "kept" or "lost") of a conflict: the value is
    written through the repository with a new HLC (later than both sides), so it syncs to
    every laptop and closes the conflict there too. Returns the conflict, now resolved."""
    if keep not in ("kept", "lost"):
        raise ValueError(keep)
    if read_current_user(storage.db).role is not UserRole.SUPERVISOR:
        raise ConflictError(
            "只有审核人（科长）可以决定冲突保留哪个值。请在“明察暗访”页的“当前用户”中设置身份。"
        )
    row = storage.db.execute(
        "SELECT tbl, row_id, field, kept_value, kept_hlc, lost_value, lost_hlc"
        " FROM sync_conflicts WHERE id = ?",
        [conflict_id],
    ).fetchone()
    if row is None:
        raise ConflictError("这条冲突记录已不存在，请刷新冲突列表。")
    table, row_id, field, kept, kept_hlc, lost, lost_hlc = row
    repo = storage.repository
    if repo.get(table, row_id) is None:
        raise ConflictError("冲突涉及的记录在本机还没有，请先同步一次再决定。")
    # The decision comes after both sides (and whatever came since) on every laptop.
    for hlc in (kept_hlc, lost_hlc):
        repo.clock.observe(hlc)
    current = _current_hlc(storage, table, row_id, field)
    if current is not None:
        repo.clock.observe(hlc_from_int(current))
    repo.decide(table, row_id, {field: kept if keep == "kept" else lost})
    return next(c for c in list_conflicts(storage, include_resolved=True) if c.id == conflict_id)
