"""Fuzzing the plan reader: whatever the bytes, read_document returns text that parse_text
parses, or raises PlanReadError — never anything else (tests/mutations.py: how files are
damaged)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.plan_import import PlanReadError, parse_text, read_document
from tests.mutations import FUZZ, damaged, flipped, truncated

from .makedocs import write_docx

PLAN = (
    "关于印发某方案的通知\n一、优化营商环境\n"
    "1.推进一网通办，6月底前完成。（牵头单位：市行政审批服务局；责任单位：市大数据中心）\n"
    "2.压缩开办时间至1个工作日。（牵头单位：市市场监管局）\n"
)
SUFFIXES = [".txt", ".docx", ".pdf", ".doc", ".wps", ".odt", ""]

_folder = Path(tempfile.mkdtemp(prefix="plan-fuzz-"))


def _read(data: bytes, suffix: str) -> None:
    """The property: text that parses, or a PlanReadError with a message."""
    path = _folder / f"方案{suffix}"
    path.write_bytes(data)
    try:
        text = read_document(path)
    except PlanReadError as error:
        assert error.message
        return
    assert isinstance(text, str) and text.strip()
    parse_text(text, path.name)


def _docx() -> bytes:
    path = _folder / "base.docx"
    write_docx(PLAN, path)
    return path.read_bytes()


def _pdf() -> bytes:
    from .makedocs import cjk_font, write_pdf

    font = cjk_font()
    if font is None:
        return b""
    path = _folder / "base.pdf"
    write_pdf(PLAN, path, font)
    return path.read_bytes()


DOCX = _docx()
PDF = _pdf()


@settings(FUZZ, max_examples=150)
@given(st.binary(max_size=4_000), st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(data: bytes, suffix: str) -> None:
    _read(data, suffix)


@settings(FUZZ, max_examples=100)
@given(
    st.sampled_from([b"PK\x03\x04", b"%PDF-1.7\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf"]),
    st.binary(max_size=2_000),
    st.sampled_from(SUFFIXES),
)
def test_bytes_behind_a_real_signature(magic: bytes, rest: bytes, suffix: str) -> None:
    _read(magic + rest, suffix)


def test_the_base_documents_read() -> None:
    assert "推进一网通办" in read_document(_folder / "base.docx")


@settings(FUZZ, max_examples=120)
@given(damaged(DOCX, ["word/document.xml", "[Content_Types].xml", "word/_rels/document.xml.rels"]))
def test_damaged_docx(data: bytes) -> None:
    _read(data, ".docx")


@pytest.mark.skipif(not PDF, reason="no CJK font installed to make a PDF")
@settings(FUZZ, max_examples=60)
@given(st.one_of(truncated(PDF), flipped(PDF)) if PDF else st.just(b""))
def test_damaged_pdf(data: bytes) -> None:
    _read(data, ".pdf")
