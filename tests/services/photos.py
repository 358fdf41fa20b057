"""Real photos for evidence tests, made with Pillow: JPEGs with EXIF capture time and GPS."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw

CAPTURED = datetime(2021, 7, 15, 10, 30, 0)
TENGZHOU = (35.0842, 117.1531)  # 滕州市政务服务中心, roughly


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def picture(size: tuple[int, int] = (640, 480), seed: int = 0) -> Image.Image:
    """A picture with some detail (a flat colour compresses to almost nothing)."""
    image = Image.new("RGB", size, (40 + seed * 7 % 200, 120, 200 - seed * 3 % 150))
    draw = ImageDraw.Draw(image)
    for step in range(0, size[0], 16):
        draw.line([(step, 0), (size[0] - step, size[1])], fill=(step % 255, seed % 255, 90))
    draw.rectangle([20, 20, 120, 80], fill=(250, 250, 250))
    return image


def jpeg(
    path: Path,
    *,
    captured: datetime | None = CAPTURED,
    gps: tuple[float, float] | None = TENGZHOU,
    orientation: int | None = None,
    size: tuple[int, int] = (640, 480),
    seed: int = 0,
    modified: datetime | None = None,
) -> Path:
    """A JPEG as a phone writes it: DateTimeOriginal, GPS latitude/longitude with their refs."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if captured is not None:
        stamp = captured.strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = stamp
        exif[ExifTags.Base.DateTime] = stamp
    if gps is not None:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[ExifTags.GPS.GPSLatitudeRef] = "N" if gps[0] >= 0 else "S"
        info[ExifTags.GPS.GPSLatitude] = _dms(gps[0])
        info[ExifTags.GPS.GPSLongitudeRef] = "E" if gps[1] >= 0 else "W"
        info[ExifTags.GPS.GPSLongitude] = _dms(gps[1])
    picture(size, seed).save(path, "JPEG", exif=exif, quality=88)
    stamp_file(path, modified or captured)
    return path


def png(path: Path, *, seed: int = 1, modified: datetime | None = None) -> Path:
    """A screenshot-like PNG: no EXIF at all."""
    picture((320, 200), seed).save(path, "PNG")
    stamp_file(path, modified)
    return path


def stamp_file(path: Path, moment: datetime | None) -> None:
    if moment is not None:
        when = moment.timestamp()
        os.utime(path, (when, when))
