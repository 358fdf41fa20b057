"""Journal files: one batch of one laptop's change entries, compressed, named by its content.

    journal/<device>/<seq, 8 digits>-<latest HLC>-<sha256 of the body, 32 hex>[-r<n>].jsonl.gz

The body (gzip) is UTF-8 JSON lines: a header, then one entry per line as an array
``[table, row_id, field, value, hlc, base_hlc]`` (the device is the header's). docs/sync-format.md.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from app.limits import MAX_ID_CHARS
from app.storage.changelog import ChangeEntry
from app.storage.hlc import hlc_to_int

BATCH_FORMAT = "ducha-sync-batch"
BATCH_VERSION = 1
NAME = re.compile(r"^(\d{8})-(\d{13}-\d{5})-([0-9a-f]{32})(?:-r(\d{1,3}))?\.jsonl\.gz$")
DEVICE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_BATCH_BYTES = 512 * 1024 * 1024  # decompressed: a bigger body is not one of ours
MAX_NAME_CHARS = 64  # a table or column name
MAX_VALUE_CHARS = 10_000_000  # one text value (a template, a document's JSON)


class BatchError(ValueError):
    """A journal file that is not a whole, valid batch (torn, damaged, foreign)."""


@dataclass(frozen=True)
class BatchName:
    seq: int
    hlc: str
    digest: str
    retry: int
    name: str

    @classmethod
    def parse(cls, name: str) -> BatchName | None:
        match = NAME.match(name)
        if match is None:
            return None  # "… (conflicted copy)", ".sync-conflict-…", anything else
        seq, hlc, digest, retry = match.groups()
        return cls(int(seq), hlc, digest, int(retry or 0), name)


@dataclass(frozen=True)
class Batch:
    device: str
    seq: int
    schema: int
    first_local_seq: int
    last_local_seq: int
    entries: list[ChangeEntry]


def file_name(seq: int, hlc: str, body: bytes, retry: int = 0) -> str:
    digest = hashlib.sha256(body).hexdigest()[:32]
    return f"{seq:08d}-{hlc}-{digest}{f'-r{retry}' if retry else ''}.jsonl.gz"


def encode(batch: Batch) -> tuple[bytes, bytes]:
    """(body, file bytes): the body is what the name's hash covers."""
    header = {
        "format": BATCH_FORMAT,
        "version": BATCH_VERSION,
        "device": batch.device,
        "seq": batch.seq,
        "schema": batch.schema,
        "count": len(batch.entries),
        "first_local_seq": batch.first_local_seq,
        "last_local_seq": batch.last_local_seq,
    }
    lines = [json.dumps(header, ensure_ascii=False, sort_keys=True)]
    for e in batch.entries:
        if e.device != batch.device:
            raise ValueError("a batch holds one device's entries")
        lines.append(
            json.dumps(
                [e.table, e.row_id, e.field, e.value, e.hlc, e.base_hlc],
                ensure_ascii=False,
                allow_nan=False,
                separators=(",", ":"),
            )
        )
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return body, gzip.compress(body, compresslevel=6, mtime=0)


def decode(data: bytes, name: BatchName, device: str) -> tuple[dict[str, Any], Batch]:
    """The header and the batch of a journal file; BatchError when it is not whole and valid
    or not what its name and folder say. The header's version is checked by the caller."""
    try:
        body = _gunzip(data)
    except (OSError, EOFError, zlib.error) as error:
        raise BatchError(f"文件已损坏或不完整（{error}）") from error
    if hashlib.sha256(body).hexdigest()[:32] != name.digest:
        raise BatchError("文件内容与文件名中的校验值不符（文件已损坏或被改动）")
    try:
        # Lines end at "\n" only: json.dumps leaves U+2028, U+2029 and U+0085 unescaped, and
        # str.splitlines would break a value at them.
        first, _newline, rest = body.decode("utf-8").partition("\n")
        header = json.loads(first)
        if not isinstance(header, dict) or header.get("format") != BATCH_FORMAT:
            raise BatchError("不是督查台账的同步批次文件")
        if header.get("device") != device or header.get("seq") != name.seq:
            raise BatchError("文件头中的设备或序号与文件所在位置不符")
        if not isinstance(header.get("version"), int):
            raise BatchError("文件头缺少格式版本")
        if header["version"] > BATCH_VERSION:
            return header, Batch(device, name.seq, int(header.get("schema", 0)), 0, 0, [])
        lines = rest[:-1] if rest.endswith("\n") else rest
        rows = json.loads("[" + lines.replace("\n", ",") + "]") if lines else []  # one parse
        if _all_valid(rows, len(lines)):
            entries = [ChangeEntry(t, r, f, v, h, device, b) for t, r, f, v, h, b in rows]
        else:
            entries = [_entry(row, device) for row in rows]  # the first bad row's reason
        if len(entries) != header["count"]:
            raise BatchError("批次中的条目数与文件头不符")
        batch = Batch(
            device,
            name.seq,
            int(header["schema"]),
            int(header["first_local_seq"]),
            int(header["last_local_seq"]),
            entries,
        )
    except BatchError:
        raise
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise BatchError(f"文件内容格式不正确（{error}）") from error
    return header, batch


_SCALARS = (str, int, float, bool, type(None))


def _entry(row: Any, device: str) -> ChangeEntry:
    """One entry line, checked for the shapes our writer gives: a file whose name matches its
    body may still be foreign or crafted, and nothing of the wrong type may reach the merge."""
    if not isinstance(row, list) or len(row) != 6:
        raise BatchError("批次中有一条变更的格式不正确（应为 6 项）")
    table, row_id, field, value, hlc, base = row
    if not all(
        isinstance(text, str) and 0 < len(text) <= MAX_NAME_CHARS for text in (table, field)
    ):
        raise BatchError("批次中有一条变更的表名或字段名不正确")
    if not isinstance(row_id, str) or not 0 < len(row_id) <= MAX_ID_CHARS:
        raise BatchError("批次中有一条变更的记录编号不正确")
    if not isinstance(value, _SCALARS) or (isinstance(value, float) and value != value):
        raise BatchError("批次中有一条变更的值不是文字或数字")
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise BatchError("批次中有一条变更的值过长，不是本程序写的同步批次")
    for clock in (hlc, base) if base is not None else (hlc,):
        if not isinstance(clock, str):
            raise BatchError("批次中有一条变更的时间戳不正确")
        hlc_to_int(clock)  # ValueError: reported as a format error
    return ChangeEntry(table, row_id, field, value, hlc, device, base)


_SCALAR_TYPES = frozenset(_SCALARS)


def _all_valid(rows: list[Any], text_chars: int) -> bool:
    """Whether every row passes ``_entry``'s checks, checked column by column (a few C-level
    passes over 20,000 rows instead of a function call each). False when not sure: the rows
    then go through ``_entry`` one by one, which says what is wrong with the first bad one."""
    try:
        if not rows:
            return True
        if set(map(type, rows)) != {list} or set(map(len, rows)) != {6}:
            return False
        tables, row_ids, fields, values, hlcs, bases = zip(*rows, strict=True)
        for name in {*tables, *fields}:
            if type(name) is not str or not 0 < len(name) <= MAX_NAME_CHARS:
                return False
        if set(map(type, row_ids)) != {str}:
            return False
        if min(map(len, row_ids)) == 0 or max(map(len, row_ids)) > MAX_ID_CHARS:
            return False
        types = set(map(type, values))
        if not types <= _SCALAR_TYPES:
            return False
        if float in types and any(v != v for v in values if type(v) is float):  # NaN
            return False
        if (
            str in types
            and text_chars > MAX_VALUE_CHARS  # else no value can be longer than the limit
            and max(len(v) for v in values if type(v) is str) > MAX_VALUE_CHARS
        ):
            return False
        clocks = set(hlcs) | (set(bases) - {None})
        for clock in clocks:
            if type(clock) is not str:
                return False
            hlc_to_int(clock)
    except (ValueError, TypeError):
        return False
    return True


def _gunzip(data: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=31)
    body = decompressor.decompress(data, MAX_BATCH_BYTES)
    if decompressor.unconsumed_tail:
        raise BatchError("文件解压后过大，不是本程序写的同步批次")
    if not decompressor.eof:
        raise EOFError("压缩数据不完整")
    return body
