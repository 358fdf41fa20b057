"""Reading .txt/.docx/.pdf (and .doc) into text; every failure is a PlanReadError."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from app.plan_import import PlanReadError, parse_file, read_document
from app.plan_import.reader import _read_legacy

from .makedocs import cjk_font, write_docx, write_image_pdf, write_pdf
from .sample import SAMPLE

needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="sample plan not available")
FONT = cjk_font()


def _summary(path: Path) -> tuple[object, ...]:
    plan = parse_file(path)
    return (
        (plan.title, plan.doc_number, plan.issuer, plan.date),
        [(a.no, a.title, a.inferred) for a in plan.areas],
        [
            (
                m.no,
                m.title,
                m.lead,
                m.responsible,
                m.cooperating,
                [(d.kind, d.due, d.raw) for d in m.deadlines],
                [(t.op, t.value, t.unit) for t in m.targets],
            )
            for m in plan.measures
        ],
        [(d.name, d.aliases, d.is_group) for d in plan.departments],
        sorted((w.code, w.area_no or 0, w.measure_no or 0) for w in plan.warnings),
    )


@needs_sample
def test_docx_parses_like_the_txt(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    write_docx(SAMPLE.read_text(encoding="utf-8"), path)
    assert _summary(path) == _summary(SAMPLE)


@needs_sample
@pytest.mark.skipif(FONT is None, reason="no CJK TrueType font installed (e.g. fonts-wqy-microhei)")
def test_pdf_parses_like_the_txt(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    assert FONT is not None
    write_pdf(SAMPLE.read_text(encoding="utf-8"), path, FONT)
    text = read_document(path)
    assert "滕政发〔2021〕9号" in text
    assert _summary(path) == _summary(SAMPLE)


def test_docx_tables_in_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "table.docx"
    rows = [["序号", "工作任务", "牵头单位"], ["1", "推进改革", "市发展和改革局"]]
    write_docx("第一段\n第二段", path, table_rows=rows)
    assert read_document(path).split("\n") == [
        "第一段",
        "序号\t工作任务\t牵头单位",
        "1\t推进改革\t市发展和改革局",
        "第二段",
    ]


def test_gbk_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    text = "某市方案\n一、任务\n1.推进改革。6月底前完成。（牵头部门：市财政局）\n"
    path.write_bytes(text.encode("gbk"))
    assert read_document(path) == text
    assert parse_file(path).measures[0].lead == ["市财政局"]


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes("\ufeff第一行\r\n第二行\r\n".encode())
    assert read_document(path) == "第一行\n第二行\n"


def test_content_decides_the_format(tmp_path: Path) -> None:
    path = tmp_path / "named-wrong.txt"
    write_docx("某市方案\n正文", path)
    assert read_document(path) == "某市方案\n正文"


@pytest.mark.parametrize("content", [b"", b"   \n\r\n  ", "\u3000\n".encode()])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(PlanReadError) as error:
        read_document(path)
    assert "空" in error.value.message or "没有文字" in error.value.message


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    with pytest.raises(PlanReadError, match="不是文本文件"):
        read_document(path)


def test_garbage_named_docx_and_pdf(tmp_path: Path) -> None:
    for name, content in [("a.docx", b"PK\x03\x04garbage"), ("b.pdf", b"%PDF-1.4 garbage")]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(PlanReadError):
            read_document(path)
    path = tmp_path / "c.docx"
    path.write_bytes(os.urandom(64).replace(b"\x00", b"\x01") + b"\x00")
    with pytest.raises(PlanReadError):
        read_document(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanReadError, match="找不到文件"):
        read_document(tmp_path / "nope.docx")
    with pytest.raises(PlanReadError, match="文件夹"):
        read_document(tmp_path)


@pytest.mark.skipif(FONT is None, reason="no CJK TrueType font installed (e.g. fonts-wqy-microhei)")
def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    assert FONT is not None
    write_pdf("某市方案\n1.推进改革。", path, FONT, encrypt="secret")
    with pytest.raises(PlanReadError, match="加密"):
        read_document(path)


def test_image_only_pdf(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    write_image_pdf(path)
    with pytest.raises(PlanReadError, match="扫描件"):
        read_document(path)


def test_doc_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(PlanReadError, match="另存为") as error:
        read_document(path)
    assert ".docx" in error.value.message


def test_encrypted_office_file(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(PlanReadError, match="加密"):
        _read_legacy(data, tmp_path / "locked.docx")


@pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice is not installed (python3 dev.py test installs it when root; else: "
    "sudo apt-get install -y --no-install-recommends libreoffice-writer-nogui)",
)
@needs_sample
def test_doc_and_wps_through_libreoffice(tmp_path: Path) -> None:  # pragma: no cover - soffice
    """A .doc made by LibreOffice reads like the text; the same file named .wps (WPS saves its
    .wps in the Word binary format) goes the same way, by its content."""
    import subprocess

    docx_path = tmp_path / "plan.docx"
    write_docx(SAMPLE.read_text(encoding="utf-8"), docx_path)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    profile = (
        tmp_path / "lo-profile"
    ).as_uri()  # a private profile: no clash with a running soffice
    subprocess.run(
        [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    if not (tmp_path / "plan.doc").exists():  # e.g. LibreOffice installed without Writer
        pytest.skip("LibreOffice could not make a .doc here (is its Writer component installed?)")
    expected = _summary(SAMPLE)
    assert _summary(tmp_path / "plan.doc") == expected
    wps = tmp_path / "方案.wps"
    wps.write_bytes((tmp_path / "plan.doc").read_bytes())
    assert _summary(wps) == expected


def test_docx_task_table(tmp_path: Path) -> None:
    """A 任务分工表 in a .docx: merged section rows become areas, rows become measures."""
    import docx

    document = docx.Document()
    document.add_paragraph("某市2022年重点任务分工表")
    document.add_paragraph("2022年3月1日")
    rows = [
        ["序号", "重点任务", "牵头单位", "责任单位", "完成时限"],
        ["一、政务服务", "", "", "", ""],
        ["1", "推行一网通办。", "市行政审批服务局", "市大数据中心", "2022年6月底前"],
        ["2", "推进跨省通办。", "市行政审批服务局", "市直相关部门", "长期坚持"],
    ]
    table = document.add_table(rows=len(rows), cols=5)
    for row, values in zip(table.rows, rows, strict=True):
        if values[1] == "":
            merged = row.cells[0].merge(row.cells[4])
            merged.text = values[0]
        else:
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    path = tmp_path / "table.docx"
    document.save(str(path))
    plan = parse_file(path)
    assert [(a.no, a.title) for a in plan.areas] == [(1, "政务服务")]
    assert [(m.no, m.title, m.lead, m.responsible) for m in plan.measures] == [
        (1, "推行一网通办", ["市行政审批服务局"], ["市大数据中心"]),
        (2, "推进跨省通办", ["市行政审批服务局"], ["市直相关部门"]),
    ]
    assert plan.measures[0].deadlines[0].due is not None


def test_docx_content_controls_are_read(tmp_path: Path) -> None:
    """Paragraphs wrapped in a content control (w:sdt) are not lost."""
    import copy

    import docx
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    document = docx.Document()
    document.add_paragraph("第一段")
    inner = document.add_paragraph("控件里的段落")
    sdt = OxmlElement("w:sdt")
    content = OxmlElement("w:sdtContent")
    content.append(copy.deepcopy(inner._p))
    sdt.append(content)
    inner._p.addprevious(sdt)
    inner._p.getparent().remove(inner._p)
    document.add_paragraph("第三段")
    assert document.element.body.find(qn("w:sdt")) is not None
    path = tmp_path / "sdt.docx"
    document.save(str(path))
    assert read_document(path).split("\n") == ["第一段", "控件里的段落", "第三段"]


# ---- A workbook chosen as a plan -----------------------------------------------------------

TASK_TABLE = [
    ["序号", "重点任务", "牵头单位", "责任单位", "完成时限"],
    ["一、政务服务", None, None, None, None],
    ["1", "推行一网通办。", "市行政审批服务局", "市大数据中心", "2022年6月底前"],
    ["2", "推进跨省通办。", "市行政审批服务局", "市直相关部门", "长期坚持"],
]


def _task_table_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["某市2022年重点任务分工表"])
    for row in TASK_TABLE:
        sheet.append(row)
    sheet.merge_cells("A3:E3")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls_like() -> bytes:
    """The head of an .xls: the OLE signature and, in its directory, the "Workbook" stream."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le")


@pytest.mark.parametrize("name", ["任务分工表.xls", "任务分工表.et"], ids=["xls", "wps-et"])
def test_an_old_workbook_gets_advice_that_fits(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "文件已损坏", not "open it in Word": save the table as .xlsx."""
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # with or without LibreOffice
    path = tmp_path / name
    path.write_bytes(_xls_like())
    with pytest.raises(PlanReadError) as caught:
        read_document(path)
    message = caught.value.message
    assert f"“{name}”是旧版 Excel、WPS 或 OpenDocument 表格，不能直接导入" in message
    assert "另存为” .xlsx" in message
    assert "损坏" not in message and "Word 打开该文件" not in message


@pytest.mark.parametrize("name", ["任务分工表.xlsx", "任务分工表.docx"], ids=["xlsx", "named-docx"])
def test_an_xlsx_task_table_imports(tmp_path: Path, name: str) -> None:
    """The content decides: an .xlsx named .docx is read as the workbook it is."""
    path = tmp_path / name
    path.write_bytes(_task_table_xlsx())
    plan = parse_file(path)
    assert plan.title == "某市2022年重点任务分工表"
    assert [(a.no, a.title) for a in plan.areas] == [(1, "政务服务")]
    assert [(m.no, m.title, m.lead, m.responsible) for m in plan.measures] == [
        (1, "推行一网通办", ["市行政审批服务局"], ["市大数据中心"]),
        (2, "推进跨省通办", ["市行政审批服务局"], ["市直相关部门"]),
    ]


def test_a_truncated_xlsx_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "任务分工表.xlsx"
    path.write_bytes(_task_table_xlsx()[:3000])
    with pytest.raises(PlanReadError) as caught:
        read_document(path)
    assert "已损坏" in caught.value.message


def test_following_the_advice_imports_the_task_table(tmp_path: Path) -> None:
    """Pasted into Notepad: Excel copies cells with tabs and rows with CRLF."""
    rows = [["某市2022年重点任务分工表"], ["2022年3月1日"], *TASK_TABLE]
    pasted = "\r\n".join("\t".join(cell or "" for cell in row) for row in rows) + "\r\n"
    path = tmp_path / "任务分工表.txt"
    path.write_text(pasted, encoding="utf-8")
    plan = parse_file(path)
    assert [(a.no, a.title) for a in plan.areas] == [(1, "政务服务")]
    assert [(m.no, m.title, m.lead, m.responsible) for m in plan.measures] == [
        (1, "推行一网通办", ["市行政审批服务局"], ["市大数据中心"]),
        (2, "推进跨省通办", ["市行政审批服务局"], ["市直相关部门"]),
    ]


def test_a_doc_mentioning_workbook_is_still_a_doc(tmp_path: Path, monkeypatch) -> None:
    """The .xls test looks for the "Workbook" stream; a .doc (WordDocument) is not taken for one."""
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    path = tmp_path / "方案.doc"
    path.write_bytes(_xls_like() + "WordDocument".encode("utf-16-le"))
    with pytest.raises(PlanReadError) as caught:
        read_document(path)
    assert "LibreOffice" in caught.value.message and "Excel" not in caught.value.message
