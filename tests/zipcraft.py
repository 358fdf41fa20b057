"""Building hostile .docx/.xlsx packages in tests: zip bombs, lying sizes, many parts.

Everything is built in memory from a real package, a few MB at most; nothing big is committed.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Iterable

# One paragraph of Word XML; repeated, it deflates about 300 times (a real bomb's ratio).
PARAGRAPH = "<w:p><w:r><w:t>一</w:t></w:r></w:p>".encode()


def repeated(unit: bytes, size: int) -> Iterable[bytes]:
    """``unit`` repeated to ``size`` bytes, in chunks."""
    chunk = unit * max(1, (1 << 20) // len(unit))
    written = 0
    while written < size:
        piece = chunk[: size - written]
        written += len(piece)
        yield piece


def rebuild(
    data: bytes,
    *,
    replace: dict[str, Callable[[bytes], Iterable[bytes]]] | None = None,
    add: dict[str, bytes] | None = None,
    compresslevel: int = 9,
) -> bytes:
    """A copy of the package ``data`` with parts replaced (old bytes → new chunks) or added."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in replace:
                with target.open(info.filename, "w") as part:
                    for chunk in replace[info.filename](content):
                        part.write(chunk)
            else:
                target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def inflate_docx_body(data: bytes, size: int) -> bytes:
    """A .docx whose document.xml is a valid document with ``size`` bytes of paragraphs."""

    def body(xml: bytes) -> Iterable[bytes]:
        head, tail = xml.split(b"<w:body>", 1)
        yield head + b"<w:body>"
        yield from repeated(PARAGRAPH, size)
        yield tail

    return rebuild(data, replace={"word/document.xml": body})


def understate(data: bytes, part: str, size: int) -> bytes:
    """The same package, but the zip says ``part`` inflates to ``size`` bytes (both headers)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    patched = bytearray(data)
    struct.pack_into("<I", patched, info.header_offset + 22, size)  # local header
    end = data.rfind(b"PK\x05\x06")
    (directory,) = struct.unpack_from("<I", data, end + 16)
    at = directory
    while data[at : at + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, at + 28)
        name = data[at + 46 : at + 46 + name_length].decode("utf-8", "replace")
        if name == part:
            struct.pack_into("<I", patched, at + 24, size)  # central directory
            return bytes(patched)
        at += 46 + name_length + extra_length + comment_length
    raise AssertionError(f"{part} is not in the central directory")
