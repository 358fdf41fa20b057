"""Fonts are found by the names inside the files, substituted when missing, always embeddable."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from reports.fonts import Face, FontError, load_fonts, read_font_names

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # dev.py installs fonts-wqy-microhei
needs_wqy = pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-microhei is not installed")


def _sfnt(tag: bytes, family: str, *, glyf: bool = False) -> bytes:
    """A minimal font file: the offset table, a ``name`` table naming ``family`` and, with
    ``glyf``, an (empty) TrueType outline table."""
    name = family.encode("utf-16-be")
    table = struct.pack(">HHH", 0, 1, 18) + struct.pack(">HHHHHH", 3, 1, 0x409, 1, len(name), 0)
    table += name
    count = 2 if glyf else 1
    start = 12 + 16 * count
    header = tag + struct.pack(">HHHH", count, 16, 0, 0)
    records = struct.pack(">4sIII", b"name", 0, start, len(table))
    if glyf:
        records += struct.pack(">4sIII", b"glyf", 0, start + len(table), 0)
    return header + records + table


@needs_wqy
def test_a_face_is_found_by_the_family_inside_the_file_not_by_its_name(tmp_path: Path) -> None:
    shutil.copy(WQY, tmp_path / "simsun.ttc")  # named like Windows' 宋体, but it is 文泉驿微米黑
    fonts = load_fonts([Face.SONG, Face.HEI], folders=[tmp_path])
    hei, song = fonts.choice(Face.HEI), fonts.choice(Face.SONG)
    assert (hei.family, hei.path, hei.index, hei.substituted) == (
        "WenQuanYi Micro Hei",
        tmp_path / "simsun.ttc",
        0,  # not index 1, "WenQuanYi Micro Hei Mono"
        False,
    )
    assert song.substituted and song.found is Face.HEI and song.name == hei.name
    assert fonts.report() == [
        f"宋体：本机未安装，以黑体 WenQuanYi Micro Hei（{tmp_path / 'simsun.ttc'}）代替",
        f"黑体：WenQuanYi Micro Hei（{tmp_path / 'simsun.ttc'}）",
    ]
    assert [choice.requested for choice in fonts.substituted] == [Face.SONG]


@needs_wqy
def test_the_names_are_read_in_english_and_chinese() -> None:
    faces = read_font_names(WQY)
    assert [face.index for face in faces] == [0, 1]
    assert faces[0].families[0] == "WenQuanYi Micro Hei"
    assert "文泉驿微米黑" in faces[0].families
    assert faces[0].truetype and faces[0].regular


@needs_wqy
def test_glyphs_a_document_needs_are_checked(tmp_path: Path) -> None:
    shutil.copy(WQY, tmp_path / "wqy.ttc")
    fonts = load_fonts([Face.HEI], folders=[tmp_path])
    assert fonts.missing_glyphs(Face.HEI, "督查整改 ABC 2021") == ""
    assert fonts.missing_glyphs(Face.HEI, "𠀀督𠀀") == "𠀀"  # a CJK Extension B character


def test_a_cff_font_claiming_to_be_simsun_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "simsun.otf").write_bytes(_sfnt(b"OTTO", "SimSun"))
    [face] = read_font_names(tmp_path / "simsun.otf")
    assert face.families == ("SimSun",) and not face.truetype  # reportlab cannot embed CFF
    with pytest.raises(FontError, match="找不到可嵌入 PDF 的中文字体"):
        load_fonts([Face.SONG], folders=[tmp_path])


def test_a_truetype_file_without_the_common_characters_is_not_used(tmp_path: Path) -> None:
    # Says it is 宋体 and has TrueType outlines, but no glyph of 督查整改 (nor any other).
    (tmp_path / "fake.ttf").write_bytes(_sfnt(b"\x00\x01\x00\x00", "宋体", glyf=True))
    [face] = read_font_names(tmp_path / "fake.ttf")
    assert face.families == ("宋体",) and face.truetype
    with pytest.raises(FontError):
        load_fonts([Face.SONG], folders=[tmp_path])


def test_without_any_chinese_font_the_message_says_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "broken.ttf").write_bytes(b"not a font at all")
    assert read_font_names(tmp_path / "broken.ttf") == []
    with pytest.raises(FontError) as refused:
        load_fonts([Face.FANGSONG], folders=[tmp_path])
    message = str(refused.value)
    assert "仿宋、宋体、楷体、黑体都没有" in message
    assert "fonts-wqy-microhei" in message or "simsun.ttc" in message
