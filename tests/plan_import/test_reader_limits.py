"""Plan documents over a limit are refused at once with the limit and the size; long reads
report progress and can be cancelled (app/limits.py, app/progress.py)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from app import limits
from app.plan_import import PlanReadError, parse_file, parse_text, read_document
from app.plan_import.reader import _convert
from app.progress import Cancelled
from tests.zipcraft import inflate_docx_body, rebuild, understate

from .makedocs import write_docx
from .sample import SAMPLE


@pytest.fixture(scope="module")
def small_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("一、优化营商环境")
    document.add_paragraph("1.推进一网通办。（牵头单位：市行政审批服务局）")
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _refused(path: Path, *expected: str) -> str:
    with pytest.raises(PlanReadError) as raised:
        read_document(path)
    message = raised.value.message
    for text in expected:
        assert text in message, message
    assert path.name in message
    return message


# ---- Zip packages --------------------------------------------------------------------------------


def test_a_docx_whose_document_inflates_past_the_part_limit_is_refused(
    tmp_path: Path, small_docx: bytes
) -> None:
    size = limits.DOCX_LIMITS.max_part + (1 << 20)  # 65 MB of paragraphs, 0.2 MB in the zip
    path = tmp_path / "炸弹.docx"
    path.write_bytes(inflate_docx_body(small_docx, size))
    assert path.stat().st_size < 300_000
    _refused(path, "word/document.xml", "解压后为 65", "上限 64 MB", "未读取")


def test_a_docx_that_understates_its_sizes_is_measured_while_inflating(
    tmp_path: Path, small_docx: bytes
) -> None:
    """The zip directory says 1 KB; the guard counts what the bytes really inflate to and stops
    at the first 8 MB, where the ratio gives the bomb away (python-docx would have called it
    damaged at best, after inflating it)."""
    bomb = inflate_docx_body(small_docx, limits.DOCX_LIMITS.max_part + (1 << 20))
    path = tmp_path / "说谎.docx"
    path.write_bytes(understate(bomb, "word/document.xml", 1024))
    message = _refused(path, "word/document.xml", "压缩比异常", "上限 200 倍")
    assert "解压为 8" in message  # measured, not declared


def test_a_docx_part_compressed_like_a_bomb_is_refused(tmp_path: Path, small_docx: bytes) -> None:
    """32 MB (under the part limit) deflated more than 200 times: the ratio gives it away."""
    path = tmp_path / "高压缩.docx"
    path.write_bytes(inflate_docx_body(small_docx, 32 << 20))
    _refused(path, "压缩比异常", "上限 200 倍")


def test_a_docx_with_too_many_parts_is_refused(tmp_path: Path, small_docx: bytes) -> None:
    count = limits.DOCX_LIMITS.max_entries + 1
    path = tmp_path / "碎片.docx"
    path.write_bytes(rebuild(small_docx, add={f"word/media/p{i}.xml": b"x" for i in range(count)}))
    _refused(path, "组成部分", "上限 10,000 个")


def test_the_real_documents_pass_the_guard(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    write_docx(SAMPLE.read_text(encoding="utf-8"), path)
    assert read_document(path).startswith(SAMPLE.read_text(encoding="utf-8").split("\n")[0])


# ---- Text -------------------------------------------------------------------------------------


def test_a_text_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "超大方案.txt"
    path.write_bytes(b"1. " + b"x" * (limits.MAX_PLAN_TEXT_BYTES + 10))
    _refused(path, "大小为 16 MB", "上限 16 MB")


def test_a_text_longer_than_the_character_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "很长.txt"
    line = "一" * 999 + "\n"
    path.write_text(line * (limits.MAX_PLAN_CHARS // len(line) + 1), encoding="utf-8")
    _refused(path, "2,000,000 字", "2,001,000 字")


def test_a_docx_longer_than_the_character_limit_is_refused_while_walking(
    tmp_path: Path, small_docx: bytes
) -> None:
    paragraph = ("<w:p><w:r><w:t>" + "一" * 1000 + "</w:t></w:r></w:p>").encode()
    count = limits.MAX_PLAN_CHARS // 1001 + 5

    def body(xml: bytes):
        head, tail = xml.split(b"<w:body>", 1)
        yield head + b"<w:body>" + paragraph * count + tail

    path = tmp_path / "很长.docx"
    path.write_bytes(rebuild(small_docx, replace={"word/document.xml": body}))
    _refused(path, "超过实施方案的上限 2,000,000 字")


def test_a_pdf_with_too_many_pages_is_refused_before_extracting(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(limits.MAX_PDF_PAGES + 1):
        writer.add_blank_page(595, 842)
    path = tmp_path / "三千页.pdf"
    with path.open("wb") as stream:
        writer.write(stream)
    _refused(path, "3,001 页", "上限 3,000 页")


# ---- Progress and cancel -------------------------------------------------------------------------


def _recording() -> tuple[list[tuple[int, int]], object]:
    calls: list[tuple[int, int]] = []
    return calls, lambda done, total: calls.append((done, total))


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_reading_and_parsing_report_progress_to_the_end(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"plan.{kind}"
    text = SAMPLE.read_text(encoding="utf-8")
    if kind == "txt":
        path.write_text(text, encoding="utf-8")
    else:
        write_docx(text, path)
    calls, progress = _recording()
    plan = parse_file(path, progress)
    assert len(plan.measures) == 201
    assert calls[0] == (0, 1000) and calls[-1] == (1000, 1000)
    fractions = [done / total for done, total in calls]
    assert fractions == sorted(fractions)
    assert 5 <= len(calls) <= 100  # a few dozen reports, never one per line


def test_pdf_pages_report_progress(tmp_path: Path) -> None:
    from .makedocs import cjk_font, write_pdf

    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font installed")
    path = tmp_path / "plan.pdf"
    write_pdf(SAMPLE.read_text(encoding="utf-8"), path, font)
    calls, progress = _recording()
    read_document(path, progress)
    pages = {total for _, total in calls if total > 1}
    assert len(pages) == 1 and pages.pop() > 10  # one report per page


def _cancel_after(reports: int):
    seen = [0]

    def progress(done: int, total: int) -> None:
        seen[0] += 1
        if seen[0] > reports:
            raise Cancelled

    return progress


@pytest.mark.parametrize("reports", [0, 2])
def test_a_cancel_passes_through_reading_unchanged(
    tmp_path: Path, small_docx: bytes, reports: int
) -> None:
    """Not turned into "the file is damaged" by the reader's safety net."""
    path = tmp_path / "plan.docx"
    path.write_bytes(small_docx)
    with pytest.raises(Cancelled):
        read_document(path, _cancel_after(reports))


@pytest.mark.parametrize("reports", [0, 3])
def test_a_cancel_passes_through_parsing_unchanged(reports: int) -> None:
    """parse_text never raises — except for the user's cancel."""
    with pytest.raises(Cancelled):
        parse_text(SAMPLE.read_text(encoding="utf-8"), "sample.txt", _cancel_after(reports))


def test_a_cancel_stops_libreoffice(tmp_path: Path) -> None:
    """The conversion of a .doc polls its LibreOffice process; cancelling kills it."""
    pid_file = tmp_path / "pid"
    command = ["sh", "-c", f"echo $$ > {pid_file}; exec sleep 30"]
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if pid_file.exists() and pid_file.read_text().strip():
            raise Cancelled

    with pytest.raises(Cancelled):
        _convert(command, progress)
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped
    assert _convert(["true"], None)
