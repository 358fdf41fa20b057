"""Limits on what the app reads from outside files, and the guards that enforce them.

Every reader of a file that comes from outside (plan documents, returned progress sheets; later
records JSON, sync journals and evidence photos) checks it here *before* handing the bytes to a
library (python-docx, openpyxl, pypdf, json): the file's size, and for .docx/.xlsx packages the
zip directory and the real uncompressed size of every part. A file over a limit is refused at
once with one Chinese sentence that names the limit and the file's size (``LimitExceeded``);
the reader turns it into its own error type.

Every limit is set far above anything a real file needs (the reasons are next to each number and
in README.md, 限制), so that only broken, hostile or mistaken files meet them: refusing a real
plan would be worse than reading a slow one.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

KiB = 1024
MiB = 1024 * KiB

# ---- Plan documents ------------------------------------------------------------------------------

# The sample plan (201 measures, 70 pages) is 40,641 characters; a 公文 page holds ~620. Two
# million characters is ~3,000 pages or ~10,000 measures: no government plan comes near it, and
# parsing that much still takes only seconds.
MAX_PLAN_CHARS = 2_000_000
# Any encoding of 2,000,000 characters fits in 8 MB (UTF-8, 4 bytes for the rarest); 16 MB leaves
# room for padding and blank lines.
MAX_PLAN_TEXT_BYTES = 16 * MiB
# A plan in .docx or PDF with photos or scanned attachments may be tens of MB; its text never is.
MAX_PLAN_FILE_BYTES = 100 * MiB
# A 公文 plan of 3,000 pages would already be over the character limit.
MAX_PDF_PAGES = 3_000

# ---- Task tables in a workbook (任务分工表 .xlsx) ------------------------------------------

# A 任务分工 has tens to a few hundred rows (one or a few per task); 20,000 rows is ~10,000
# measures, as many as the character limit allows.
MAX_PLAN_TABLE_ROWS = 20_000  # all sheets together, counted while reading
# Such a table has 4-10 columns; a cell with content beyond the 60th is refused, never dropped.
MAX_PLAN_TABLE_COLUMNS = 60
# A workbook of a plan has one sheet, sometimes one per area.
MAX_PLAN_TABLE_SHEETS = 200

# ---- Progress sheets -----------------------------------------------------------------------------

# A department's exported sheet is 10–100 KB; a department may paste screenshots into it.
MAX_SHEET_FILE_BYTES = 20 * MiB
# A department has at most a few hundred items in a round (the sample's busiest: 77); 10,000 rows
# is far beyond any plan. Rows are counted from the sheet's dimension and again while reading.
MAX_SHEET_ROWS = 10_000
# The sheet has 15 columns; columns further right cannot hold its headers and are not read.
MAX_SHEET_COLUMNS = 100
# "_meta" has 10 key/value rows.
MAX_META_ROWS = 1_000

# ---- Records JSON (import-records) ---------------------------------------------------------

# Generous for a season of field work, small enough that a wrong or hostile file cannot exhaust
# memory or time.
MAX_RECORDS_FILE_BYTES = 32 * MiB
MAX_RECORDS_ENTRIES = 50_000  # objects of any kind in one file
MAX_RECORDS_STRING_CHARS = 20_000  # one text (a summary, a 整改情况)
MAX_RECORDS_DEPTH = 16  # nesting of JSON arrays and objects
MAX_ID_CHARS = 100

# ---- Evidence files ----------------------------------------------------------------------------

MAX_EVIDENCE_BYTES = 50 * MiB  # one photo or document: phones make 3-15 MB, scans more
MAX_IMAGE_PIXELS = 120_000_000  # a 108-megapixel phone photo still fits; a "pixel bomb" not

# ---- Reports -------------------------------------------------------------------------------------

# A refused file lists its first 200 errors — enough to see every kind of mistake in it — and
# then only how many more there are (a 500,000-row sheet once produced 500,000 lines). Per file,
# so that one bad file does not hide the errors of the others in its batch.
# A colleague's database file (merge-db): the 100,000-measure demo ledger is ~0.3 GB.
MAX_MERGE_DB_BYTES = 4 * 1024 * MiB

MAX_LISTED_ERRORS = 200


@dataclass(frozen=True)
class PackageLimits:
    """Limits for one kind of zip package (.docx, .xlsx)."""

    label: str  # what the file is, for messages: "Word 文档", "Excel 工作簿"
    max_entries: int  # parts in the zip directory
    max_unpacked: int  # all parts together, uncompressed
    max_part: int  # one part, uncompressed: an XML part becomes a tree several times its size
    max_ratio: int = 200  # uncompressed : compressed, for a part bigger than RATIO_FLOOR


# Real Office XML compresses 3–30 times (the sample .docx: 3×, its styles: 29×; a Word table of
# 20,000 empty cells: 160×); zip bombs are a few parts of repeated bytes at 300–1,000×. A part
# over the floor that expands more than 200 times is refused; small parts may compress as they like.
RATIO_FLOOR = 8 * MiB

# A .docx is 10–50 parts; document.xml for 2,000,000 characters of heavily formatted text stays
# under 64 MB; images are stored compressed, so their unpacked size is about their file size.
DOCX_LIMITS = PackageLimits("Word 文档", 10_000, 256 * MiB, 64 * MiB)
# A progress sheet is 11 parts of 2–30 KB; 10,000 rows of long answers stay under 64 MB of XML.
XLSX_LIMITS = PackageLimits("Excel 工作簿", 1_000, 128 * MiB, 64 * MiB)


class LimitExceeded(ValueError):
    """A file over one of the limits; ``message`` is for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def size_text(size: int) -> str:
    """A byte count as people say it: 512 字节, 37 KB, 2.7 MB, 100 MB, 1 GB."""
    if size < KiB:
        return f"{size} 字节"
    for unit, scale in (("KB", KiB), ("MB", MiB), ("GB", 1024 * MiB)):
        if size < 1024 * scale or unit == "GB":
            value = size / scale
            text = f"{value:.0f}" if unit == "KB" or value >= 100 else f"{value:.1f}"
            return f"{text.removesuffix('.0')} {unit}"
    raise AssertionError("unreachable")


def count_text(count: int) -> str:
    """10000 → "10,000": people read large counts with separators."""
    return f"{count:,}"


def unlisted_errors_note(unlisted: Mapping[str, int]) -> str:
    """ "另有 N 处错误未列出…" for {file name: errors not listed}; "" when there are none."""
    counts = {name: count for name, count in unlisted.items() if count}
    if not counts:
        return ""
    files = "，".join(f"{name} {count_text(count)} 处" for name, count in counts.items())
    return (
        f"另有 {count_text(sum(counts.values()))} 处错误未列出"
        f"（每个文件只列出前 {MAX_LISTED_ERRORS} 处）：{files}。"
    )


def read_bytes_limited(path: Path, max_bytes: int, what: str, *, name: str | None = None) -> bytes:
    """The file's bytes, or ``LimitExceeded`` when it is bigger than ``max_bytes``.

    Checks the size before reading and reads at most one byte more than the limit, so neither a
    huge file nor a device or pipe that never ends is read into memory. ``what`` names the kind
    of file in the message ("实施方案文件"), ``name`` the file (default: its name; "" when the
    caller's report names it already). OSError passes through: each reader has its own words for
    a missing or locked file.
    """
    name = path.name if name is None else name
    check_size(name, path.stat().st_size, max_bytes, what)
    with path.open("rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitExceeded(
            f"{_file(name)}超过{what}的上限 {size_text(max_bytes)}，未读取。"
            "请确认选择的文件是否正确。"
        )
    return data


def check_size(name: str, size: int, max_bytes: int, what: str) -> None:
    if size > max_bytes:
        raise LimitExceeded(
            f"{_file(name)}大小为 {size_text(size)}，超过{what}的上限 {size_text(max_bytes)}，"
            "未读取。请确认选择的文件是否正确。"
        )


def _file(name: str) -> str:
    """How messages name the file: 文件“x.docx”, or just 文件 where the caller names it."""
    return f"文件“{name}”" if name else "文件"


def check_chars(name: str, count: int, limit: int = MAX_PLAN_CHARS) -> None:
    if count > limit:
        raise LimitExceeded(
            f"“{name}”中的文字共 {count_text(count)} 字，超过实施方案的上限"
            f" {count_text(limit)} 字，未导入。请确认选择的是实施方案本身，"
            "或把方案分成几个文件分别导入。"
        )


# ---- Zip packages --------------------------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_LOCAL_HEADER = b"PK\x03\x04"
_CHUNK = 256 * KiB
_PROGRESS_STEP = 4 * MiB

Progress = Callable[[int, int], None]


def check_package(
    data: bytes, name: str, limits: PackageLimits, progress: Progress | None = None
) -> None:
    """Refuse a .docx/.xlsx whose zip would take too much to open, before any library opens it.

    In order, each step cheap before the next: the entry count from the end-of-directory record
    (before Python builds the directory), then the declared sizes and ratios, then every part is
    inflated in a stream with a cap, counting the bytes it really produces: the declared sizes
    are only what the file says about itself. ``progress(done, total)`` gets compressed bytes.

    Raises ``LimitExceeded``; a file that is not a readable zip raises ``zipfile.BadZipFile`` or
    another ``ValueError``/``OSError`` (the caller calls it damaged).
    """
    declared = _declared_entries(data)
    if declared is not None and declared > limits.max_entries:
        raise LimitExceeded(_too_many_parts(name, limits, declared))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise LimitExceeded(_too_many_parts(name, limits, len(infos)))
        total = sum(info.file_size for info in infos)
        if total > limits.max_unpacked:
            raise LimitExceeded(_too_big_unpacked(name, len(data), total, limits))
        for info in infos:
            if info.file_size > limits.max_part:
                raise LimitExceeded(_too_big_part(name, info.filename, info.file_size, limits))
            if _over_ratio(info.file_size, info.compress_size, limits):
                raise LimitExceeded(
                    _too_compressed(name, info.filename, info.file_size, info.compress_size, limits)
                )
        inflated = done = 0
        for info in infos:
            budget = min(limits.max_part, limits.max_unpacked - inflated)
            inflated += _inflated_size(data, archive, info, budget, limits, name)
            done += info.compress_size
            if progress is not None:
                progress(min(done, len(data)), len(data))


def _over_ratio(size: int, compressed: int, limits: PackageLimits) -> bool:
    return size > RATIO_FLOOR and size > limits.max_ratio * max(compressed, 1)


def _declared_entries(data: bytes) -> int | None:
    """The entry count the end-of-central-directory record declares (zip64 too), or None."""
    at = data.rfind(_EOCD, max(0, len(data) - 22 - 65_535))
    if at < 0 or at + 22 > len(data):
        return None
    (entries,) = struct.unpack_from("<H", data, at + 10)
    if entries != 0xFFFF:
        return entries
    locator = at - 20
    if locator < 0 or data[locator : locator + 4] != _EOCD64_LOCATOR:
        return None
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 56 > len(data) or data[record : record + 4] != _EOCD64:
        return None
    (entries64,) = struct.unpack_from("<Q", data, record + 32)
    return entries64


def _inflated_size(
    data: bytes,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: int,
    limits: PackageLimits,
    name: str,
) -> int:
    """Bytes the part really inflates to; refused as soon as it passes ``budget`` or the ratio."""

    def check(produced: int, consumed: int) -> None:
        if produced > budget:
            if budget < limits.max_part:  # the package as a whole ran over, not this part
                raise LimitExceeded(_too_big_unpacked(name, len(data), None, limits))
            raise LimitExceeded(_too_big_part(name, info.filename, None, limits))
        if _over_ratio(produced, consumed, limits):
            raise LimitExceeded(_too_compressed(name, info.filename, produced, consumed, limits))

    if info.flag_bits & 0x1:  # encrypted: no library can read it without the password either
        return info.file_size
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # bzip2/lzma, which Office never writes: zipfile stops at the declared size (checked).
        produced = 0
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                produced += len(chunk)
                check(produced, info.compress_size)
        return produced
    start = _data_start(data, info)
    end = min(len(data), start + info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        check(end - start, end - start)
        return end - start
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    position = start
    while position < end and not inflater.eof:
        pending = data[position : min(end, position + _CHUNK)]
        position += len(pending)
        while pending and not inflater.eof:
            # at most just over the budget is ever held in memory
            try:
                out = inflater.decompress(pending, min(_CHUNK, budget - produced + 1))
            except zlib.error as error:
                raise zipfile.BadZipFile(f"{info.filename!r}: {error}") from None
            pending = inflater.unconsumed_tail
            produced += len(out)
            check(produced, position - start - len(pending))
    produced += len(inflater.flush())  # what is left in zlib's window: at most 32 KB
    check(produced, end - start)
    return produced


def _data_start(data: bytes, info: zipfile.ZipInfo) -> int:
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != _LOCAL_HEADER:
        raise zipfile.BadZipFile(f"bad local header for {info.filename!r}")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    return offset + 30 + name_length + extra_length


def _too_many_parts(name: str, limits: PackageLimits, count: int) -> str:
    return (
        f"{_file(name)}中有 {count_text(count)} 个组成部分，超过上限"
        f" {count_text(limits.max_entries)} 个，文件可能已损坏或不是 {limits.label}，未读取。"
    )


def _too_big_unpacked(name: str, size: int, unpacked: int | None, limits: PackageLimits) -> str:
    amount = f"为 {size_text(unpacked)}" if unpacked is not None else "超过"
    return (
        f"{_file(name)}（{size_text(size)}）解压后{amount}，超过上限"
        f" {size_text(limits.max_unpacked)}，文件可能已损坏或是恶意构造的，未读取。"
    )


def _too_big_part(name: str, part: str, size: int | None, limits: PackageLimits) -> str:
    amount = f"为 {size_text(size)}" if size is not None else "超过"
    return (
        f"{_file(name)}中的“{part}”解压后{amount}，超过单个组成部分的上限"
        f" {size_text(limits.max_part)}，文件可能已损坏或是恶意构造的，未读取。"
    )


def _too_compressed(name: str, part: str, size: int, compressed: int, limits: PackageLimits) -> str:
    ratio = size // max(compressed, 1)
    return (
        f"{_file(name)}中的“{part}”压缩比异常（{size_text(compressed)} 解压为"
        f" {size_text(size)}，约 {count_text(ratio)} 倍，上限 {limits.max_ratio} 倍），"
        "疑似恶意构造的压缩文件，未读取。"
    )
