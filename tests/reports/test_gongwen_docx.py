"""The 公文 DOCX reopened with python-docx and read as raw XML: every GB/T 9704 checkpoint that
is in the file (page, margins, grid, fonts, sizes, hints, theme, footers, tables, 版记), the
shared checker tool, and how the file is written (never over an existing file)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from app.documents.model import Figure, Paragraph, Table
from app.documents.profile import DEFAULT_PROFILE
from app.documents.sample import sample_bulletin
from app.documents.validation import DocumentInvalid
from reports.docx_xml import needs_east_asia_hint
from reports.gongwen_docx import docx_bytes, render_docx

ROOT = Path(__file__).resolve().parents[2]
# shared/ sits beside the checkout (CI) or at /work/shared (developers' worktrees).
CHECKER = next(
    (
        path
        for path in (
            ROOT.parent / "shared/tools/check_gongwen.py",
            Path("/work/shared/tools/check_gongwen.py"),
        )
        if path.exists()
    ),
    ROOT.parent / "shared/tools/check_gongwen.py",
)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gongwen") / "通报.docx"
    assert render_docx(sample_bulletin(), path) == path
    return path


@pytest.fixture(scope="module")
def reopened(sample_file):
    return docx.Document(str(sample_file))


@pytest.fixture(scope="module")
def parts(sample_file) -> dict[str, str]:
    with zipfile.ZipFile(sample_file) as package:
        return {
            name: package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith(".xml")
        }


def _runs(element):
    return list(element.iter(f"{W}r"))


def _run_text(run) -> str:
    return "".join(t.text or "" for t in run.iter(f"{W}t"))


def _fonts(run) -> dict[str, str]:
    found = run.find(f"{W}rPr/{W}rFonts")
    return {} if found is None else {k.split("}")[1]: v for k, v in found.attrib.items()}


def _size(run) -> int:
    return int(run.find(f"{W}rPr/{W}sz").get(qn("w:val")))


def _paragraph_starting(reopened, prefix: str):
    return next(p for p in reopened.paragraphs if p.text.startswith(prefix))


def test_page_size_margins_and_grid(reopened) -> None:
    for section in reopened.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)
        assert abs(section.top_margin - Mm(37)) < Mm(0.1)
        assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
        assert abs(section.left_margin - Mm(28)) < Mm(0.1)
        assert abs(section.right_margin - Mm(26)) < Mm(0.1)
        grid = section._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "lines"  # not linesAndChars: 14 chars in LibreOffice
        assert grid.get(qn("w:linePitch")) == "579"
        assert grid.get(qn("w:charSpace")) is None


def test_body_paragraphs_are_on_the_grid(reopened) -> None:
    body = [p for p in reopened.paragraphs if p.text.startswith(("为深入", "从明察", "各部门要"))]
    assert len(body) == 3
    for paragraph in body:
        spacing = paragraph._p.pPr.find(qn("w:spacing"))
        assert spacing.get(qn("w:line")) == "579" and spacing.get(qn("w:lineRule")) == "exact"
        indent = paragraph._p.pPr.find(qn("w:ind"))
        assert indent.get(qn("w:firstLine")) == "630"  # 2 字 = 2 × 15.75 pt
        assert paragraph._p.pPr.find(qn("w:widowControl")).get(qn("w:val")) == "0"
        for run in _runs(paragraph._p):
            assert _size(run) == 32  # 3号
            assert run.find(f"{W}rPr/{W}spacing").get(qn("w:val")) == "-5"  # −0.25 pt
            assert _fonts(run)["eastAsia"] == "仿宋_GB2312"


def test_headings_use_the_faces_of_their_level(reopened) -> None:
    expected = {
        "一、": "黑体",
        "（一）": "楷体_GB2312",
        "1.": "仿宋_GB2312",
        "（1）": "仿宋_GB2312",
    }
    for number, face in expected.items():
        paragraph = _paragraph_starting(reopened, number)
        runs = _runs(paragraph._p)
        assert _fonts(runs[0])["eastAsia"] == face, number
        assert _size(runs[0]) == 32
        assert paragraph._p.pPr.find(qn("w:ind")).get(qn("w:firstLine")) == "630"
        if len(runs) > 1:  # run-in text in the body face
            assert _fonts(runs[1])["eastAsia"] == "仿宋_GB2312"
    numbers = [
        p.text.split("、")[0] for p in reopened.paragraphs if re.match("^[一二三]、", p.text)
    ]
    assert numbers == ["一", "二", "三"]
    level2 = [p.text[:3] for p in reopened.paragraphs if re.match("^（[一二三四五]）", p.text)]
    assert level2 == [
        "（一）",
        "（二）",
        "（三）",
        "（一）",
        "（二）",
        "（三）",
    ]  # restart under 三、


def test_head_title_and_closing(reopened) -> None:
    paragraphs = reopened.paragraphs
    mark = next(p for p in paragraphs if p.text == "滕州市人民政府办公室")
    mark_run = _runs(mark._p)[0]
    assert mark_run.find(f"{W}rPr/{W}color").get(qn("w:val")) == "FF0000"
    assert _fonts(mark_run)["eastAsia"] == "方正小标宋简体"
    assert mark.alignment == 1  # centred
    number = next(p for p in paragraphs if p.text == "滕政办督〔2021〕9号")
    rule = number._p.getnext()
    top = rule.find(f"{W}pPr/{W}pBdr/{W}top")
    assert top.get(qn("w:color")) == "FF0000"
    assert rule.find(f"{W}pPr/{W}ind").get(qn("w:left")) == "0"  # as wide as the type area
    title = next(p for p in paragraphs if p.text.startswith("关于"))
    assert title.text == "关于全市优化营商环境\n工作明察暗访情况的通报"
    assert {_size(r) for r in _runs(title._p)} == {44}  # 2号
    assert _fonts(_runs(title._p)[0])["eastAsia"] == "方正小标宋简体"
    recipients = next(p for p in paragraphs if p.text.endswith("："))
    assert recipients._p.pPr.find(qn("w:ind")).get(qn("w:firstLine")) == "0"
    texts = [p.text for p in paragraphs]
    assert "附件：1.明察暗访发现问题清单" in texts and "2.优化营商环境工作红黑榜" in texts
    assert "2021年6月18日" in texts and "（此件公开发布）" in texts
    date = paragraphs[texts.index("2021年6月18日")]
    assert date.alignment == 2  # right
    assert date._p.pPr.find(qn("w:ind")).get(qn("w:right")) == "1260"  # 4 字 (with seal)


def test_every_run_names_its_east_asian_face_and_no_theme_font(parts) -> None:
    document = docx.Document(io.BytesIO(docx_bytes(sample_bulletin())))
    runs = _runs(document.element.body)
    for part in (document.sections[0].footer, document.sections[0].even_page_footer):
        runs += _runs(part._element)
    assert len(runs) > 150
    for run in runs:
        fonts = _fonts(run)
        assert fonts.get("eastAsia") and fonts.get("ascii") and fonts.get("hAnsi"), fonts
        assert not any(name.endswith("Theme") or name == "cstheme" for name in fonts), fonts
    for name, xml in parts.items():
        if name.startswith("word/") and not name.startswith("word/theme"):
            assert "Theme=" not in xml and "cstheme" not in xml, name
    theme = parts["word/theme/theme1.xml"]
    faces = set(re.findall(r'typeface="([^"]*)"', theme))
    assert faces == {"方正小标宋简体", "仿宋_GB2312"}
    assert "<a:font " not in theme  # no per-script fonts (ＭＳ 明朝 …) for WPS to miss
    assert "stylesWithEffects" not in "".join(parts)
    table = parts["word/fontTable.xml"]
    named = re.findall(r'<w:font w:name="([^"]+)"', table)
    assert set(named) == {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
    assert table.count('w:charset w:val="86"') == len(named)


def test_ambiguous_punctuation_gets_the_east_asian_hint(reopened) -> None:
    with_marks = without = 0
    for run in _runs(reopened.element.body):
        text = _run_text(run)
        hint = _fonts(run).get("hint")
        if any(c in text for c in "“”—…"):
            assert hint == "eastAsia", text
            with_marks += 1
        elif text:
            assert hint is None, text
            without += 1
    assert with_marks >= 8 and without > 20
    assert (
        needs_east_asia_hint("——")
        and needs_east_asia_hint("……")
        and not needs_east_asia_hint("通报")
    )


def test_footers_have_page_fields_odd_right_even_left(reopened) -> None:
    assert reopened.settings.odd_and_even_pages_header_footer
    first = reopened.sections[0]
    for footer, align, side in (
        (first.footer, "right", "right"),
        (first.even_page_footer, "left", "left"),
    ):
        xml = footer._element.xml
        assert "<w:instrText" in xml and " PAGE " in xml
        assert re.search(
            r'w:fldCharType="begin".*w:fldCharType="separate".*w:fldCharType="end"', xml, re.S
        )
        paragraph = footer._element.find(qn("w:p"))
        assert paragraph.find(f"{W}pPr/{W}jc").get(qn("w:val")) == align
        assert paragraph.find(f"{W}pPr/{W}ind").get(qn(f"w:{side}")) == "280"  # 1 字 of 4号
        texts = [_run_text(r) for r in _runs(paragraph)]
        assert texts[0] == "— " and texts[-1] == " —"
        for run in _runs(paragraph):
            assert _fonts(run)["eastAsia"] == "宋体" and _size(run) == 28
    # The number sits 7 mm below the type area: footer distance from the profile.
    assert Mm(20) < first.footer_distance < Mm(28)


def test_tables_have_grid_widths_and_repeating_header_rows(reopened) -> None:
    problem = reopened.tables[0]
    grid = problem._tbl.find(qn("w:tblGrid"))
    widths = [int(col.get(qn("w:w"))) for col in grid.findall(qn("w:gridCol"))]
    assert len(widths) == 4 and sum(widths) <= 8844 and sum(widths) > 8000
    assert widths[2] > widths[1] > widths[0]  # 3 : 8 : 16 : 8 characters
    rows = problem._tbl.findall(qn("w:tr"))
    assert len(rows) == 41
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(row.find(f"{W}trPr/{W}tblHeader") is None for row in rows[1:])
    assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)
    for row in rows[:3]:
        cells = row.findall(qn("w:tc"))
        assert [int(c.find(f"{W}tcPr/{W}tcW").get(qn("w:w"))) for c in cells] == widths
    assert problem._tbl.find(f"{W}tblPr/{W}tblLayout").get(qn("w:type")) == "fixed"
    sizes = {_size(run) for run in _runs(problem._tbl)}
    assert sizes == {28}  # 4号
    header_faces = {_fonts(run)["eastAsia"] for run in _runs(rows[0])}
    assert header_faces == {"黑体"}


def test_attachment_pages(reopened) -> None:
    labels = [p for p in reopened.paragraphs if p.text in ("附件1", "附件2")]
    assert [p.text for p in labels] == ["附件1", "附件2"]
    for label in labels:
        assert label._p.pPr.find(qn("w:pageBreakBefore")) is not None
        assert label._p.pPr.find(qn("w:ind")).get(qn("w:firstLine")) == "0"
        assert _fonts(_runs(label._p)[0])["eastAsia"] == "黑体"
        assert _size(_runs(label._p)[0]) == 32
    titles = [
        p
        for p in reopened.paragraphs
        if p.text in ("明察暗访发现问题清单", "优化营商环境工作红黑榜")
    ]
    assert len(titles) == 2 and all(t.alignment == 1 for t in titles)
    single = replace(sample_bulletin(), attachments=sample_bulletin().attachments[:1])
    texts = [p.text for p in docx.Document(io.BytesIO(docx_bytes(single))).paragraphs]
    assert "附件" in texts and "附件1" not in texts
    assert "附件：明察暗访发现问题清单" in texts


def test_end_block_is_a_floating_table_at_the_foot_with_its_rules(reopened) -> None:
    end = reopened.tables[-1]
    position = end._tbl.find(f"{W}tblPr/{W}tblpPr")
    assert position is not None and position.get(qn("w:vertAnchor")) == "margin"
    cells = [c.text for row in end.rows for c in row.cells]
    assert cells[0] == "抄送：市委办公室，市人大常委会办公室，市政协办公室，市纪委监委。"
    assert cells[-2:] == ["滕州市人民政府办公室", "2021年6月18日印发"]
    borders = end._tbl.find(f"{W}tblPr/{W}tblBorders")
    sizes = {
        side: borders.find(qn(f"w:{side}")).get(qn("w:sz")) for side in ("top", "bottom", "insideH")
    }
    assert sizes == {"top": "8", "bottom": "8", "insideH": "6"}  # 0.35 mm, 0.35 mm, 0.25 mm
    # Its bottom edge is the bottom of the type area: position + rows + rules = 225 mm.
    y = int(position.get(qn("w:tblpY")))
    rows = 3  # 抄送 takes two lines here, 印发 one
    height = rows * 579 + (8 + 8 + 6) * 20 / 8
    assert abs(y + height - Mm(225).twips) < 5
    assert end._tbl.getnext().tag == qn("w:p")  # the paragraph a floating table anchors to


def test_the_shared_checker_passes_every_checkpoint(sample_file) -> None:
    if not CHECKER.exists():
        pytest.skip(f"{CHECKER} is not on this machine")
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(sample_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert re.search(r"docx: (\d+)/\1 GB/T 9704 checkpoints", result.stdout), result.stdout


def test_figures_and_unsplit_tables_in_the_body(tmp_path) -> None:
    from PIL import Image

    picture = tmp_path / "现场.png"
    Image.new("RGB", (400, 300), "white").save(picture)
    document = sample_bulletin()
    document.body.insert(2, Figure(str(picture), caption="图1 现场照片", width=0.5))
    document.body.insert(3, Table(header=[["项目", "数量"]], rows=[["检查点", "32"]]))
    reopened = docx.Document(io.BytesIO(docx_bytes(document)))
    assert len(reopened.inline_shapes) == 1
    assert abs(reopened.inline_shapes[0].width - Mm(78)) < Mm(1)  # half of 156 mm
    assert "图1 现场照片" in [p.text for p in reopened.paragraphs]
    body_table = reopened.tables[0]
    assert [c.text for c in body_table.rows[0].cells] == ["项目", "数量"]
    assert {_size(run) for run in _runs(body_table._tbl)} == {32}  # 3号 unless asked for 4号


def test_never_writes_over_an_existing_file(tmp_path) -> None:
    target = tmp_path / "通报.docx"
    target.write_bytes(b"the user's own file")
    with pytest.raises(FileExistsError):
        render_docx(sample_bulletin(), target)
    assert target.read_bytes() == b"the user's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["通报.docx"]  # no temporary left


def test_writes_into_a_stream(tmp_path) -> None:
    buffer = io.BytesIO()
    assert render_docx(sample_bulletin(), buffer) is None
    assert docx.Document(io.BytesIO(buffer.getvalue())).paragraphs


def test_an_invalid_document_is_refused_before_anything_is_written(tmp_path) -> None:
    document = replace(sample_bulletin(), number="滕政办督[21]09号", recipients="各部门")
    target = tmp_path / "通报.docx"
    with pytest.raises(DocumentInvalid) as refused:
        render_docx(document, target)
    assert "六角括号" in str(refused.value) and "冒号" in str(refused.value)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_an_office_profile_changes_the_layout(tmp_path) -> None:
    profile = DEFAULT_PROFILE.with_changes(
        line_pitch_override_pt=29.2, page_number_placement="center", double_sided=False
    )
    reopened = docx.Document(io.BytesIO(docx_bytes(sample_bulletin(), profile)))
    grid = reopened.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "584"
    body = next(p for p in reopened.paragraphs if p.text.startswith("为深入"))
    assert body._p.pPr.find(qn("w:spacing")).get(qn("w:line")) == "584"
    for footer in (reopened.sections[0].footer, reopened.sections[0].even_page_footer):
        assert footer._element.find(f"{W}p/{W}pPr/{W}jc").get(qn("w:val")) == "center"


def test_a_draft_without_number_renders(tmp_path) -> None:
    draft = replace(sample_bulletin(), number="")
    draft.body.append(Paragraph("特此通报。"))
    assert docx.Document(io.BytesIO(docx_bytes(draft))).paragraphs
