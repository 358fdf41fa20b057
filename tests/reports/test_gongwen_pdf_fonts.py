"""Fonts of the 公文 PDF: found by the names inside the files for each font name of the profile,
the office's own mapping first, each substitution named, and a preflight that lists every
character of the document the chosen faces lack — before anything is written."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest

import reports.fonts
from app.documents.model import Paragraph
from app.documents.profile import DEFAULT_PROFILE, Fonts
from app.documents.sample import sample_bulletin
from reports.fonts import Face, FontError, face_for_name, glyph_extent, load_fonts
from reports.gongwen_pdf import MissingGlyphsError, preflight, render_pdf
from tests.reports.pdfcheck import fonts as pdf_fonts

P = DEFAULT_PROFILE
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SUNG = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
KAI = Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf")
LIBERATION = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
INSTALL = "apt-get install -y fonts-wqy-microhei fonts-arphic-gbsn00lp fonts-arphic-gkai00mp"
needs_fonts = pytest.mark.skipif(
    not (WQY.is_file() and SUNG.is_file() and KAI.is_file()),
    reason=f"the Debian Chinese TrueType faces are not installed; to run: {INSTALL}",
)


@pytest.fixture
def only(monkeypatch, tmp_path):
    """The system has no font folders; the profile's folder holds the given files."""
    empty = tmp_path / "system"
    empty.mkdir()
    monkeypatch.setattr(reports.fonts, "font_folders", lambda: [empty])

    def profile(*files: Path, **changes):
        folder = tmp_path / "office-fonts"
        folder.mkdir(exist_ok=True)
        for file in files:
            shutil.copy(file, folder / file.name)
        return P.with_changes(font_folders=(str(folder),), **changes)

    return profile


@pytest.mark.parametrize(
    ("name", "face", "own"),
    [
        ("仿宋_GB2312", Face.FANGSONG, True),
        ("仿宋", Face.FANGSONG, True),
        ("方正仿宋_GBK", Face.FANGSONG, True),
        ("楷体_GB2312", Face.KAI, True),
        ("黑体", Face.HEI, True),
        ("宋体", Face.SONG, True),
        ("方正小标宋简体", Face.XIAOBIAOSONG, True),
        ("华文中宋", Face.XIAOBIAOSONG, True),
        ("汉仪仿宋", Face.FANGSONG, False),
        ("思源黑体", Face.HEI, False),
        ("Some Font", Face.SONG, False),
    ],
)
def test_a_font_name_stands_for_a_face(name: str, face: Face, own: bool) -> None:
    assert face_for_name(name) == (face, own)


@needs_fonts
def test_the_sample_passes_preflight_and_names_each_substitution(only) -> None:
    checked = preflight(sample_bulletin(), only(WQY, SUNG, KAI))
    assert checked.ok and checked.missing == {}
    by_font = {face.font: face for face in checked.faces}
    assert set(by_font) == {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
    assert by_font["仿宋_GB2312"].roles == ("正文", "三级标题", "四级标题")
    # The Debian faces have no 仿宋 or 小标宋: 宋体 stands in, and the warning says so.
    substituted = {face.font for face in checked.faces if face.substituted}
    assert substituted == {"方正小标宋简体", "仿宋_GB2312"}
    warning = next(w for w in checked.substitutions if "仿宋_GB2312" in w)
    assert "本机未安装" in warning and "AR PL SungtiL GB" in warning and "正文" in warning


@needs_fonts
def test_characters_a_face_lacks_are_listed_before_anything_is_written(only, tmp_path) -> None:
    profile = only(WQY, SUNG, KAI)
    sample = sample_bulletin()
    body = [*sample.body, Paragraph("联系人：王喆、李堃，电话12345。")]
    document = replace(sample, body=body)
    checked = preflight(document, profile)
    assert not checked.ok
    assert checked.missing == {"仿宋_GB2312": "喆堃"}  # not in GB2312, nor in AR PL SungtiL GB
    [message] = [m for m in checked.messages() if "缺少" in m]
    assert "仿宋_GB2312" in message and "喆、堃" in message and "2 个字" in message
    path = tmp_path / "通报.pdf"
    with pytest.raises(MissingGlyphsError, match="喆、堃"):
        render_pdf(document, path, profile, require_complete=True)
    assert not path.exists()
    # A draft may still be written: the report carries the same warning.
    report = render_pdf(document, path, profile)
    assert path.exists() and message in report.warnings


@needs_fonts
def test_with_only_one_chinese_face_every_other_role_is_substituted_and_said(only) -> None:
    profile = only(WQY)
    checked = preflight(sample_bulletin(), profile)
    assert checked.ok
    assert {face.family for face in checked.faces} == {"WenQuanYi Micro Hei"}
    assert [face.font for face in checked.faces if not face.substituted] == ["黑体"]
    assert len(checked.substitutions) == 4
    assert all("以黑体 WenQuanYi Micro Hei" in w for w in checked.substitutions)
    buffer = io.BytesIO()
    render_pdf(sample_bulletin(), buffer, profile)
    used = pdf_fonts(io.BytesIO(buffer.getvalue()))
    assert used and all(used.values()) and all("WenQuanYi" in name for name in used)


@needs_fonts
def test_the_office_maps_a_font_name_to_a_family_or_a_file(only, tmp_path) -> None:
    # The office's 仿宋_GB2312 is the file it names; its 黑体 a family by its inside name.
    fangsong = tmp_path / "仿宋_GB2312.ttf"  # the file name says nothing: it is AR PL KaitiM GB
    shutil.copy(KAI, fangsong)
    profile = only(
        WQY, SUNG, pdf_fonts={"仿宋_GB2312": (str(fangsong),), "黑体": ("AR PL SungtiL GB",)}
    )
    checked = preflight(sample_bulletin(), profile)
    by_font = {face.font: face for face in checked.faces}
    assert (by_font["仿宋_GB2312"].family, by_font["仿宋_GB2312"].path) == (
        "AR PL KaitiM GB",
        fangsong,
    )
    assert by_font["黑体"].family == "AR PL SungtiL GB"
    assert not by_font["仿宋_GB2312"].substituted and not by_font["黑体"].substituted
    buffer = io.BytesIO()
    render_pdf(sample_bulletin(), buffer, profile)
    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        body = [c for c in pdf.pages[1].chars if c["text"] == "门"]
    assert body and all("GBZenKai" in c["fontname"] for c in body)  # drawn in the mapped face


@needs_fonts
def test_an_office_mapping_to_a_missing_font_is_a_substitution(only) -> None:
    profile = only(WQY, SUNG, pdf_fonts={"宋体": ("方正书宋_GBK",)})
    checked = preflight(sample_bulletin(), profile)
    song = next(face for face in checked.faces if face.font == "宋体")
    assert song.substituted and song.family == "AR PL SungtiL GB"


def test_no_chinese_face_at_all_is_an_error_that_says_what_to_install(only) -> None:
    profile = only()
    with pytest.raises(FontError, match="找不到可嵌入 PDF 的中文字体"):
        preflight(sample_bulletin(), profile)


@needs_fonts
@pytest.mark.skipif(not LIBERATION.is_file(), reason="fonts-liberation2 is not installed")
def test_a_latin_face_draws_letters_and_digits(only) -> None:
    profile = only(WQY, SUNG, LIBERATION, fonts=replace(Fonts(), latin="Liberation Serif"))
    buffer = io.BytesIO()
    report = render_pdf(sample_bulletin(), buffer, profile)
    assert not any("西文字体" in w for w in report.warnings)
    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        chars = pdf.pages[0].chars
    assert {c["fontname"].split("+")[-1] for c in chars if c["text"] == "2"} == {"LiberationSerif"}
    assert all("Liberation" not in c["fontname"] for c in chars if c["text"] == "年")


@needs_fonts
def test_a_missing_latin_face_is_said(only) -> None:
    profile = only(WQY, fonts=replace(Fonts(), latin="Times New Roman"))
    checked = preflight(sample_bulletin(), profile)
    assert any("西文字体“Times New Roman”本机未安装" in w for w in checked.substitutions)


@needs_fonts
def test_glyph_extent_reads_the_ink_from_the_outlines() -> None:
    font = load_fonts([Face.SONG]).name(Face.SONG)
    low, high = glyph_extent(font, "滕")
    assert -0.2 < low < 0 < 0.7 < high < 0.95
    assert glyph_extent(font, "一")[1] < high  # a flat character's ink is lower
    assert glyph_extent(font, " ") == (-0.12, 0.88)  # no outline: the em box
