"""Reading an evidence file: what it is (from its content), whether it is whole, its EXIF.

No database here: ``read_evidence_file`` reads a file the user picked (never writing to it) and
either returns everything the store needs, or raises ``EvidenceError`` with a Chinese message
that says what is wrong and what to do. Images are checked by decoding them with Pillow
(``verify()``, then a full ``load()``, which notices a truncated file); EXIF gives the capture
time (DateTimeOriginal, else DateTimeDigitized) and GPS position (decimal degrees, south and west
negative). ``make_thumbnail`` draws a JPEG thumbnail, EXIF orientation applied, from the stored
copy.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import math
import os
import stat
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageOps

from app.limits import MAX_EVIDENCE_BYTES, MAX_IMAGE_PIXELS
from app.storage import WriteError

THUMBNAIL_PIXELS = 256
THUMBNAIL_QUALITY = 82
_SNIFF_BYTES = 8192

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"}
    | {".heic", ".heif", ".avif"}
)
# Formats Pillow must be able to decode: a file of one of these that does not decode is damaged.
DECODABLE = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
)
_TYPE_NAMES = {
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "image/gif": "GIF 图片",
    "image/webp": "WebP 图片",
    "image/bmp": "BMP 图片",
    "image/tiff": "TIFF 图片",
    "image/heic": "HEIC 图片（苹果手机照片）",
    "image/avif": "AVIF 图片",
    "application/pdf": "PDF 文档",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPT 演示文稿",
    "application/x-ole-storage": "旧版 Office/WPS 文档",
    "application/zip": "压缩包",
    "application/vnd.rar": "RAR 压缩包",
    "application/x-7z-compressed": "7z 压缩包",
    "audio/mpeg": "MP3 录音",
    "audio/wav": "WAV 录音",
    "audio/amr": "AMR 录音",
    "audio/mp4": "M4A 录音",
    "video/mp4": "MP4 视频",
    "video/quicktime": "MOV 视频",
    "text/plain": "文本文件",
    "application/octet-stream": "未知类型的文件",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_BMP_HEADERS = {12, 40, 52, 56, 64, 108, 124}
_EXIF_TIME_FORMATS = (
    "%Y:%m:%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y:%m:%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)
_TAG_DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal  # 0x9003
_TAG_DATETIME_DIGITIZED = ExifTags.Base.DateTimeDigitized  # 0x9004


class EvidenceError(WriteError):
    """A file that cannot become evidence (or a store that cannot take it); nothing changed."""


@dataclass(frozen=True)
class EvidenceFile:
    """What was read from the user's file. ``data`` is its whole content."""

    name: str
    data: bytes
    sha256: str
    media_type: str
    modified_at: datetime | None
    captured_at: datetime | None = None
    gps: tuple[float, float] | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


def type_name(media_type: str) -> str:
    return _TYPE_NAMES.get(media_type, media_type or "未知类型的文件")


def size_text(size: int) -> str:
    """1536 -> "1.5 KB", 52428800 -> "50 MB"."""
    if size < 1024:
        return f"{size} 字节"
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if size < scale * 1024 or unit == "GB":
            value = size / scale
            return f"{value:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} 字节"  # pragma: no cover


def read_evidence_file(path: str | Path, *, limit: int | None = None) -> EvidenceFile:
    """Read and check ``path`` (never writing to it). Raises EvidenceError."""
    limit = MAX_EVIDENCE_BYTES if limit is None else limit
    path = Path(path)
    name = path.name
    data, modified_at = _read(path, limit)
    media_type = sniff(data[:_SNIFF_BYTES])
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES and not media_type.startswith("image/"):
        raise EvidenceError(
            f"“{name}”的扩展名是 {suffix}，但内容不是图片（看起来是{type_name(media_type)}），"
            "请确认选对了文件，或从原设备重新导出照片。"
        )
    found = EvidenceFile(name, data, hashlib.sha256(data).hexdigest(), media_type, modified_at)
    if media_type in DECODABLE:
        return _with_image(found)
    return found


def _read(path: Path, limit: int) -> tuple[bytes, datetime | None]:
    name = path.name or str(path)
    try:
        # Looked at before opening: opening a pipe or a device could block or never end.
        before = os.stat(path)
    except FileNotFoundError:
        raise EvidenceError(f"找不到文件“{name}”，它可能已被移动或删除，请重新选择。") from None
    except OSError as error:
        raise _unreadable(name, error) from error
    if stat.S_ISDIR(before.st_mode):
        raise EvidenceError(f"“{name}”是一个文件夹，请选择其中的文件。")
    if not stat.S_ISREG(before.st_mode):
        raise EvidenceError(f"“{name}”不是普通文件，请选择照片或文档文件。")
    if before.st_size > limit:
        raise _too_big(name, before.st_size, limit)
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise EvidenceError(f"“{name}”不是普通文件，请选择照片或文档文件。")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise EvidenceError(f"找不到文件“{name}”，它可能已被移动或删除，请重新选择。") from None
    except OSError as error:
        raise _unreadable(name, error) from error
    if len(data) > limit:  # it grew while being read
        raise _too_big(name, len(data), limit)
    if not data:
        raise EvidenceError(f"文件“{name}”是空的（0 字节），请确认选对了文件。")
    try:
        modified_at = datetime.fromtimestamp(status.st_mtime).replace(microsecond=0)
    except (OverflowError, OSError, ValueError):
        modified_at = None
    return data, modified_at


def _unreadable(name: str, error: OSError) -> EvidenceError:
    if isinstance(error, PermissionError):
        return EvidenceError(
            f"没有权限读取文件“{name}”，或它正被其他程序占用；请关闭该程序或把文件复制到本机后重试。"
        )
    reason = error.strerror or str(error)
    return EvidenceError(f"无法读取文件“{name}”（{reason}），请把文件复制到本机磁盘后重试。")


def _too_big(name: str, size: int, limit: int) -> EvidenceError:
    return EvidenceError(
        f"文件“{name}”有 {size_text(size)}，超过了 {size_text(limit)} 的上限；"
        "请压缩、截取后再添加，或只添加其中的关键页面。"
    )


# ---- What a file is ----------------------------------------------------------------------------


def sniff(head: bytes) -> str:
    """The media type of a file from its first bytes (never from its name)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if (
        head[:2] == b"BM"
        and len(head) >= 18
        and head[6:10] == b"\x00\x00\x00\x00"
        and int.from_bytes(head[14:18], "little") in _BMP_HEADERS
    ):
        return "image/bmp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "image/heic"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if b"xl/" in head:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if b"ppt/" in head:
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"
    if head.startswith(b"Rar!\x1a\x07"):
        return "application/vnd.rar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "application/x-7z-compressed"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        return controls <= len(text) // 100
    return False


# ---- Images ------------------------------------------------------------------------------------


def _with_image(found: EvidenceFile) -> EvidenceFile:
    """Decode the image fully (a damaged or truncated one is refused) and read its EXIF."""
    name = found.name
    damaged = EvidenceError(f"图片“{name}”已损坏或不完整，无法打开；请从拍摄设备重新导出后再添加。")
    try:
        with warnings.catch_warnings():
            # Pillow warns about corrupt EXIF and large images; the checks below decide.
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(found.data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise EvidenceError(
                        f"图片“{name}”尺寸过大（{width}×{height} 像素），请缩小后再添加。"
                    )
                image.verify()
            with Image.open(io.BytesIO(found.data)) as image:
                image.load()
                exif = image.getexif()
                captured_at = _captured_at(exif)
                gps = _gps(exif)
    except EvidenceError:
        raise
    except Exception as error:  # any decoder failure (truncated, corrupt, a bug) is damage
        raise damaged from error
    return EvidenceFile(
        found.name,
        found.data,
        found.sha256,
        found.media_type,
        found.modified_at,
        captured_at,
        gps,
        width,
        height,
    )


def _captured_at(exif: Image.Exif) -> datetime | None:
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # a broken sub-IFD means no capture time
        sub = {}
    for value in (
        sub.get(_TAG_DATETIME_ORIGINAL),
        sub.get(_TAG_DATETIME_DIGITIZED),
        exif.get(_TAG_DATETIME_ORIGINAL),
    ):
        parsed = parse_exif_time(value)
        if parsed is not None:
            return parsed
    return None


def parse_exif_time(value: Any) -> datetime | None:
    """ "2021:07:05 10:30:00" -> datetime(2021, 7, 5, 10, 30); None for blanks and nonsense."""
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="ignore")
    if not isinstance(value, str):
        return None
    text = value.strip().strip("\x00").strip()
    if not text or text.startswith("0000"):
        return None
    text = text[:19]
    for pattern in _EXIF_TIME_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if 1990 <= parsed.year <= 2100:
            return parsed
        return None
    return None


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    try:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # a broken GPS IFD means no position
        return None
    if not info:
        return None
    lat = _degrees(info.get(ExifTags.GPS.GPSLatitude), info.get(ExifTags.GPS.GPSLatitudeRef), "S")
    lon = _degrees(info.get(ExifTags.GPS.GPSLongitude), info.get(ExifTags.GPS.GPSLongitudeRef), "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    if lat == 0 and lon == 0:  # written by devices without a fix
        return None
    return (round(lat, 7), round(lon, 7))


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    """(deg, min, sec) rationals -> decimal degrees, negative for south / west."""
    if value is None:
        return None
    try:
        parts = (
            [float(part) for part in value] if isinstance(value, tuple | list) else [float(value)]
        )
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts or len(parts) > 3 or not all(math.isfinite(part) for part in parts):
        return None
    degrees = sum(part / (60**index) for index, part in enumerate(parts))
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", errors="ignore")
    if isinstance(ref, str) and ref.strip().strip("\x00").upper() == negative:
        degrees = -degrees
    return degrees


def make_thumbnail(source: Path, write_new: Callable[[Path, Callable], Path], target: Path) -> bool:
    """Draw ``source`` (an image) into a JPEG thumbnail at ``target`` (via ``write_new``, so it
    never replaces a file). Returns False when the image cannot be drawn."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(source) as image:
                image.draft("RGB", (THUMBNAIL_PIXELS * 2, THUMBNAIL_PIXELS * 2))
                image.load()
                oriented = ImageOps.exif_transpose(image)
                oriented.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
                picture = _flatten(oriented)
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=THUMBNAIL_QUALITY)
    except Exception:  # no thumbnail is shown as a file icon, never an error
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, lambda handle: handle.write(buffer.getvalue()))
    except FileExistsError:
        return True  # drawn by someone else meanwhile
    except OSError:
        return False
    return True


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
