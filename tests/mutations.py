"""Hypothesis strategies that damage a valid .docx/.xlsx the ways files get damaged or forged.

Each strategy takes the bytes of a real package and draws a damaged copy: truncated, bytes
flipped, one XML part replaced (by noise, by XML-shaped text, or by a mutilated copy of
itself), the sizes in the zip directory falsified, or parts added.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.zipcraft import rebuild, understate

# Reproducible in CI: the same examples on every run, and no example database on disk.
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

XML_FRAGMENTS = [
    "<",
    ">",
    "/>",
    "</",
    '="',
    '"',
    "&amp;",
    "&#0;",
    "&#xFFFF;",
    "&lt;",
    "&undefined;",
    "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    "<![CDATA[",
    "]]>",
    "<?xml version='1.0'?>",
    "w:",
    "p",
    "r",
    "t",
    "c",
    "v",
    "f",
    "row",
    "sheetData",
    "body",
    "tbl",
    ' r="A1"',
    ' r="XFD1048576"',
    ' r="0"',
    ' t="s"',
    ' t="b"',
    ' t="inlineStr"',
    ' s="999"',
    "编号",
    "进展填报",
    "M-",
    "\x00",
    "\ufffd",
    " ",
    "\n",
]

xml_text = st.lists(st.sampled_from(XML_FRAGMENTS), max_size=60).map("".join).map(str.encode)


def part_names(data: bytes) -> list[str]:
    return [info.filename for info in zipfile.ZipFile(io.BytesIO(data)).infolist()]


def truncated(data: bytes) -> st.SearchStrategy[bytes]:
    return st.integers(0, len(data) - 1).map(lambda n: data[:n])


def flipped(data: bytes) -> st.SearchStrategy[bytes]:
    def flip(changes: list[tuple[int, int]]) -> bytes:
        damaged = bytearray(data)
        for position, mask in changes:
            damaged[position] ^= mask
        return bytes(damaged)

    change = st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255))
    return st.lists(change, min_size=1, max_size=8).map(flip)


def _mutilated(original: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    text = bytearray(original)
    for start, length, insert in cuts:
        start %= max(len(text), 1)
        text[start : start + length] = insert
    return bytes(text)


def part_replaced(data: bytes, names: list[str] | None = None) -> st.SearchStrategy[bytes]:
    """One part (of ``names``, default all) replaced by noise, XML-ish text or a mutilated self."""
    names = names or part_names(data)
    cut = st.tuples(st.integers(0, 1 << 20), st.integers(0, 64), xml_text)

    @st.composite
    def strategy(draw: st.DrawFn) -> bytes:
        name = draw(st.sampled_from(names))
        original = zipfile.ZipFile(io.BytesIO(data)).read(name)
        content = draw(
            st.one_of(
                st.binary(max_size=2_000),
                xml_text,
                st.lists(cut, min_size=1, max_size=6).map(lambda cuts: _mutilated(original, cuts)),
            )
        )
        return rebuild(data, replace={name: lambda _old: [content]})

    return strategy()


def sizes_falsified(data: bytes) -> st.SearchStrategy[bytes]:
    sizes = st.sampled_from([0, 1, 1000, 1 << 31, (1 << 32) - 1])
    return st.tuples(st.sampled_from(part_names(data)), sizes).map(
        lambda pair: understate(data, pair[0], pair[1])
    )


def parts_added(data: bytes) -> st.SearchStrategy[bytes]:
    name = st.sampled_from(["extra.xml", "word/extra.xml", "xl/worksheets/sheet9.xml", "../x"])
    return st.dictionaries(name, st.binary(max_size=500), min_size=1, max_size=3).map(
        lambda parts: rebuild(data, add=parts)
    )


def damaged(data: bytes, names: list[str] | None = None) -> st.SearchStrategy[bytes]:
    """Any of the above."""
    return st.one_of(
        truncated(data),
        flipped(data),
        part_replaced(data, names),
        sizes_falsified(data),
        parts_added(data),
    )
