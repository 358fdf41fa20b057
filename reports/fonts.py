"""Chinese fonts for PDF documents: found by the family name inside the font files, always embedded.

A document asks for faces by their 公文 role — 宋体, 黑体, 仿宋, 楷体, 小标宋 (``Face``) — and
``load_fonts`` finds a file for each in the system's font folders by reading the family names
stored in the font itself (its ``name`` table, English and Chinese), never by the file name:
simfang.ttf is 仿宋 on Windows because it says "FangSong"/"仿宋" inside. Only TrueType outlines
(``glyf``) are taken, because reportlab embeds those (a subset of the glyphs used) and refuses
CFF-based OpenType such as Noto CJK as shipped. A face that is not installed is replaced by the
next in its ``SUBSTITUTES`` list, and ``FontReport`` says what was used and what was substituted
— the document still embeds every glyph, it just looks different. reportlab's built-in
``STSong-Light`` CID font is never used: it is not embedded, so printers and viewers without
Chinese font packs show blanks or another face.

Faces are looked up (in this order of preference) by these family names (Windows ships the
first of each; Debian the TrueType faces of /work/shared/guides/gbt9704.md, "Fonts"):

- 宋体: SimSun, NSimSun; AR PL SungtiL GB (fonts-arphic-gbsn00lp), AR PL UMing (fonts-arphic-uming)
- 黑体: SimHei, Microsoft YaHei; WenQuanYi Zen Hei, WenQuanYi Micro Hei (fonts-wqy-*)
- 仿宋: FangSong, FangSong_GB2312 (Debian has none with full GB2312: substituted)
- 楷体: KaiTi, KaiTi_GB2312; AR PL KaitiM GB (fonts-arphic-gkai00mp), LXGW WenKai
- 小标宋: 方正小标宋简体 (user-installed), 华文中宋 STZhongsong

A 公文 names its fonts as government PCs do (仿宋_GB2312, 黑体, 楷体_GB2312, 宋体, 方正小标宋简体):
``load_named_fonts`` finds a face for each such name (``face_for_name`` says which face a name
stands for), the office's own mapping first (family names or font files, from the profile), and
marks each stand-in; ``load_latin_font`` finds a Latin face by its family. ``missing_glyphs`` lists
the characters of a text a face lacks (the 公文 PDF's preflight), ``glyph_extent`` where a text's
ink is (placing the 发文机关标志 by its top edge).

No Qt here (reports/ is file formats only). Reading a font's names takes a few kilobytes of the
file; the folders are scanned once per process.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
# Characters every face used for Chinese documents must have: common simplified characters
# (营 and 环 are among those cwTeX FangSong lacks) and the punctuation of every document.
PROBE_CHARACTERS = "督查整改通知记录营环部门，。、；：？！（）《》“”"
MAX_FONT_FILE_BYTES = 200 * 1024 * 1024  # the largest CJK families (TTC) are ~50 MB


class Face(StrEnum):
    """A font as a 公文 names it."""

    SONG = "宋体"
    HEI = "黑体"
    FANGSONG = "仿宋"
    KAI = "楷体"
    XIAOBIAOSONG = "小标宋"


# Family names as stored inside the font files (any language), best first.
FAMILIES: dict[Face, tuple[str, ...]] = {
    Face.SONG: (
        "SimSun",
        "宋体",
        "NSimSun",
        "新宋体",
        "AR PL SungtiL GB",
        "文鼎ＰＬ简报宋",
        "AR PL UMing CN",
        "AR PL UMing TW",
        "AR PL UMing HK",
    ),
    Face.HEI: (
        "SimHei",
        "黑体",
        "FZHei-B01S",
        "方正黑体简体",
        "FZHei-B01",
        "方正黑体_GBK",
        "Microsoft YaHei",
        "微软雅黑",
        "WenQuanYi Zen Hei",
        "文泉驿正黑",
        "文泉驛正黑",
        "WenQuanYi Micro Hei",
        "文泉驿微米黑",
        "文泉驛微米黑",
    ),
    Face.FANGSONG: (
        "FangSong",
        "仿宋",
        "FangSong_GB2312",
        "仿宋_GB2312",
        "FZFangSong-Z02S",
        "方正仿宋简体",
        "FZFangSong-Z02",
        "方正仿宋_GBK",
        "STFangsong",
        "华文仿宋",
    ),
    Face.KAI: (
        "KaiTi",
        "楷体",
        "KaiTi_GB2312",
        "楷体_GB2312",
        "FZKai-Z03S",
        "方正楷体简体",
        "FZKai-Z03",
        "方正楷体_GBK",
        "STKaiti",
        "华文楷体",
        "AR PL KaitiM GB",
        "文鼎ＰＬ简中楷",
        "LXGW WenKai",
        "霞鹜文楷",
    ),
    Face.XIAOBIAOSONG: (
        "FZXiaoBiaoSong-B05S",
        "方正小标宋简体",
        "FZXiaoBiaoSong-B05",
        "方正小标宋_GBK",
        "STZhongsong",
        "华文中宋",
    ),
}
# What stands in for a face that is not installed, in order.
SUBSTITUTES: dict[Face, tuple[Face, ...]] = {
    Face.SONG: (Face.FANGSONG, Face.KAI, Face.HEI),
    Face.FANGSONG: (Face.SONG, Face.KAI, Face.HEI),
    Face.KAI: (Face.FANGSONG, Face.SONG, Face.HEI),
    Face.HEI: (Face.SONG, Face.FANGSONG, Face.KAI),
    Face.XIAOBIAOSONG: (Face.SONG, Face.HEI, Face.FANGSONG, Face.KAI),
}
_REGULAR = {"regular", "normal", "book", "roman", "常规", "標準", "标准", ""}


class FontError(Exception):
    """No usable Chinese font: the message says what to install."""


@dataclass(frozen=True)
class FontFile:
    """One face inside a font file (a .ttc holds several), with the names it gives itself."""

    path: Path
    index: int
    families: tuple[str, ...]  # family and full names, in every language the file has
    subfamily: str
    postscript: str
    truetype: bool  # glyf outlines: reportlab can embed it

    @property
    def family(self) -> str:
        """The name to show: the first family name (English when the file has one)."""
        return self.families[0] if self.families else self.path.stem

    @property
    def regular(self) -> bool:
        return self.subfamily.strip().casefold() in _REGULAR


@dataclass(frozen=True)
class FontChoice:
    """The file used for one requested face (or one font name a document asks for)."""

    requested: Face
    found: Face  # the face whose family matched (== requested unless substituted)
    family: str
    path: Path
    index: int
    name: str  # the name registered with reportlab
    asked: str = ""  # the font name the document uses ("仿宋_GB2312"); "" = the face itself
    # Set when the name is not one of a face's own names (an office's "方正仿宋_GBK"): whether
    # the file found is something else than that font.
    stand_in: bool | None = None

    @property
    def substituted(self) -> bool:
        if self.stand_in is not None:
            return self.stand_in
        return self.found is not self.requested

    @property
    def label(self) -> str:
        """The name shown to people: the document's font name, or the face."""
        return self.asked or self.requested.value

    @property
    def note(self) -> str:
        """One Chinese line: what is used for this face."""
        where = f"{self.family}（{self.path}" + (
            f"，第 {self.index + 1} 款）" if self.index else "）"
        )
        if self.substituted:
            return f"{self.label}：本机未安装，以{self.found.value} {where}代替"
        return f"{self.label}：{where}"


@dataclass(frozen=True)
class FontSet:
    """The faces of one document, registered with reportlab and ready to use."""

    choices: tuple[FontChoice, ...]

    def name(self, face: Face) -> str:
        """The reportlab font name to draw ``face`` with."""
        for choice in self.choices:
            if choice.requested is face:
                return choice.name
        raise KeyError(f"{face.value} was not loaded")

    def choice(self, face: Face) -> FontChoice:
        for choice in self.choices:
            if choice.requested is face:
                return choice
        raise KeyError(f"{face.value} was not loaded")

    def named(self, name: str) -> FontChoice:
        """The choice for a font name given to ``load_named_fonts`` ("仿宋_GB2312")."""
        for choice in self.choices:
            if choice.asked == name:
                return choice
        raise KeyError(f"{name} was not loaded")

    @property
    def substituted(self) -> tuple[FontChoice, ...]:
        return tuple(choice for choice in self.choices if choice.substituted)

    def report(self) -> list[str]:
        """What was used and what was substituted, one Chinese line per face."""
        return [choice.note for choice in self.choices]

    def missing_glyphs(self, face: Face | FontChoice, text: str) -> str:
        """The characters of ``text`` the face's file has no glyph for (each once, in order)."""
        name = face.name if isinstance(face, FontChoice) else self.name(face)
        return missing_glyphs(name, text)


def missing_glyphs(font_name: str, text: str) -> str:
    """The characters of ``text`` the registered font ``font_name`` has no glyph for."""
    from reportlab.pdfbase import pdfmetrics

    have = pdfmetrics.getFont(font_name).face.charToGlyph
    seen: dict[str, None] = {}
    for char in text:
        if not char.isspace() and ord(char) not in have:
            seen.setdefault(char)
    return "".join(seen)


def glyph_extent(font_name: str, text: str) -> tuple[float, float]:
    """The lowest and highest ink of ``text``'s glyphs in the registered font, in em above the
    baseline (from each glyph's ``glyf`` bounding box): where the characters' edges are, for
    placing a mark or a rule by the ink rather than by the line (GB/T 9704 measures the
    发文机关标志's top edge). (−0.12, 0.88) when no glyph has outlines."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font_name).face
    glyf = face.table.get("glyf")
    data = getattr(face, "_ttf_data", None)  # reportlab keeps the file's bytes here
    positions = getattr(face, "glyphPos", None)
    if glyf is None or data is None or positions is None:
        return -0.12, 0.88
    low = high = None
    for char in set(text):
        glyph = face.charToGlyph.get(ord(char))
        if glyph is None or glyph + 1 >= len(positions):
            continue
        if positions[glyph + 1] == positions[glyph]:
            continue  # no outline (a space)
        at = glyf["offset"] + positions[glyph]
        _contours, _x_min, y_min, _x_max, y_max = struct.unpack(">hhhhh", data[at : at + 10])
        low = y_min if low is None else min(low, y_min)
        high = y_max if high is None else max(high, y_max)
    if low is None or high is None:
        return -0.12, 0.88
    units = face.unitsPerEm or 1000
    return low / units, high / units


# ---- Finding fonts ---------------------------------------------------------------------------


def font_folders() -> list[Path]:
    """Where this system keeps fonts (system-wide and per-user), existing folders only."""
    home = Path.home()
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = os.environ.get("LOCALAPPDATA")
        candidates = [windir / "Fonts"]
        if local:
            candidates.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        candidates = [
            Path("/System/Library/Fonts"),
            Path("/System/Library/Fonts/Supplemental"),
            Path("/Library/Fonts"),
            home / "Library" / "Fonts",
        ]
    else:
        data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
        candidates = [
            Path("/usr/share/fonts"),
            Path("/usr/local/share/fonts"),
            data_home / "fonts",
            home / ".fonts",
        ]
    return [folder for folder in candidates if folder.is_dir()]


def load_fonts(faces: Iterable[Face], *, folders: Sequence[str | Path] | None = None) -> FontSet:
    """Find, check and register a font for every face (substituting where needed).

    Raises FontError when not even a substitute is installed. ``folders`` replaces the system's
    font folders (tests, or an office that keeps its fonts on a share)."""
    wanted = list(dict.fromkeys(Face(face) for face in faces))
    chosen: dict[Face, tuple[Face, FontFile]] = {}
    available = _available(tuple(str(f) for f in (folders or font_folders())))
    choices = []
    for face in wanted:
        found = None
        for candidate in (face, *SUBSTITUTES[face]):
            if candidate not in chosen:
                file = _best(available, candidate)
                if file is None:
                    continue
                chosen[candidate] = (candidate, file)
            found = chosen[candidate]
            break
        if found is None:
            raise FontError(_missing_message(face))
        matched, file = found
        choices.append(
            FontChoice(face, matched, file.family, file.path, file.index, _register(file))
        )
    return FontSet(tuple(choices))


# Words in font names that tell the face (checked in this order: 仿宋 before 宋).
_FACE_WORDS: tuple[tuple[Face, tuple[str, ...]], ...] = (
    (Face.XIAOBIAOSONG, ("小标宋", "xiaobiaosong", "中宋", "zhongsong")),
    (Face.FANGSONG, ("仿宋", "fangsong")),
    (Face.KAI, ("楷", "kai")),
    (Face.HEI, ("黑", "hei", "雅黑", "yahei")),
    (Face.SONG, ("宋", "song", "明", "ming")),
)


def face_for_name(name: str) -> tuple[Face, bool]:
    """The face a font name stands for, and whether the name is one of that face's own names
    (仿宋_GB2312 → 仿宋, True; 方正仿宋_GBK → 仿宋, True; "汉仪仿宋" → 仿宋, False; an unknown
    name → 宋体, False)."""
    key = _key(name)
    for face, families in FAMILIES.items():
        if key == _key(face.value) or any(key == _key(family) for family in families):
            return face, True
    for face, words in _FACE_WORDS:
        if any(word in key for word in words):
            return face, False
    return Face.SONG, False


def load_named_fonts(
    names: Iterable[str],
    *,
    preferred: Mapping[str, Sequence[str]] | None = None,
    folders: Sequence[str | Path] | None = None,
) -> FontSet:
    """A font for each font name a document uses ("仿宋_GB2312", "黑体", "方正小标宋简体"):
    the families (names inside font files) or file paths ``preferred`` gives for the name first
    (an office's own mapping), then the name itself, then the faces of ``FAMILIES`` for the face
    the name stands for, then that face's substitutes. Raises FontError when nothing is found."""
    preferred = preferred or {}
    available = _available(tuple(str(f) for f in (folders or font_folders())))
    choices = []
    for name in dict.fromkeys(names):
        face, own = face_for_name(name)
        wanted = [*preferred.get(name, ()), *(() if own else (name,))]
        file = _preferred_file(available, wanted)
        if file is not None:
            exact = not own and _key(name) in {_key(f) for f in file.families}
            stand_in = None if own or preferred.get(name) else not exact
            choices.append(
                FontChoice(
                    face, face, file.family, file.path, file.index, _register(file), name, stand_in
                )
            )
            continue
        found = None
        for candidate in (face, *SUBSTITUTES[face]):
            file = _best(available, candidate)
            if file is not None:
                found = (candidate, file)
                break
        if found is None:
            raise FontError(_missing_message(face))
        matched, file = found
        # A name of the face's own: substituted when another face stands in, or when the
        # office's own choice for it is missing.
        stand_in = True if (not own or preferred.get(name)) else None
        choices.append(
            FontChoice(
                face, matched, file.family, file.path, file.index, _register(file), name, stand_in
            )
        )
    return FontSet(tuple(choices))


def load_latin_font(
    name: str,
    *,
    preferred: Mapping[str, Sequence[str]] | None = None,
    folders: Sequence[str | Path] | None = None,
) -> FontChoice | None:
    """The Latin face ``name`` ("Times New Roman") for letters and digits, found by its family
    name (or the office's mapping), registered; None when this machine has no TrueType face of
    that name (the caller draws them in the Chinese face and says so)."""
    available = _available(tuple(str(f) for f in (folders or font_folders())))
    for item in [*(preferred or {}).get(name, ()), name]:
        path = Path(item).expanduser()
        if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
            files = read_font_names(path)
        else:
            files = [f for f in available if _key(item) in {_key(n) for n in f.families}]
        for file in sorted(files, key=lambda f: (not f.regular, f.index)):
            if file.truetype:
                family, index = file.family, file.index
                registered = _register(file)
                return FontChoice(
                    Face.SONG, Face.SONG, family, file.path, index, registered, name, False
                )
    return None


def _preferred_file(available: Sequence[FontFile], wanted: Sequence[str]) -> FontFile | None:
    """The first of ``wanted`` (family names or font file paths) that is an embeddable Chinese
    face on this machine."""
    for item in wanted:
        path = Path(item).expanduser()
        if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
            files = sorted(read_font_names(path), key=lambda f: (not f.regular, f.index))
        else:
            files = sorted(
                (f for f in available if _key(item) in {_key(n) for n in f.families}),
                key=lambda f: (not f.regular, f.index),
            )
        for file in files:
            if file.truetype and _covers(file):
                return file
    return None


def _missing_message(face: Face) -> str:
    names = "、".join(f.value for f in (face, *SUBSTITUTES[face]))
    if sys.platform.startswith("win"):
        hint = "Windows 自带宋体（simsun.ttc）和黑体（simhei.ttf），请检查 C:\\Windows\\Fonts。"
    else:
        hint = "请安装一种 TrueType 中文字体，如 Debian/Ubuntu 上的 fonts-wqy-microhei。"
    return f"本机找不到可嵌入 PDF 的中文字体（{names}都没有）。{hint}"


def _best(available: Sequence[FontFile], face: Face) -> FontFile | None:
    """The installed file for ``face``: the first family of its list that is there, regular
    style before bold or light, and only files that have the common Chinese characters."""
    by_family: dict[str, list[FontFile]] = {}
    for file in available:
        for family in file.families:
            by_family.setdefault(_key(family), []).append(file)
    for family in FAMILIES[face]:
        files = sorted(by_family.get(_key(family), ()), key=lambda f: (not f.regular, f.index))
        for file in files:
            if file.truetype and _covers(file):
                return file
    return None


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).casefold()


@lru_cache(maxsize=64)
def _covers(file: FontFile) -> bool:
    """Whether the face has a glyph for every probe character (reads the whole font once)."""
    try:
        from reportlab.pdfbase.ttfonts import TTFontFile

        face = TTFontFile(str(file.path), subfontIndex=file.index)
    except Exception:  # a damaged file, or one reportlab cannot read: not usable
        return False
    return all(ord(char) in face.charToGlyph for char in PROBE_CHARACTERS)


_registered: dict[tuple[str, int], str] = {}


def _register(file: FontFile) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    key = (str(file.path), file.index)
    if key not in _registered:
        stem = re.sub(r"[^A-Za-z0-9]", "", file.postscript or file.family) or "CJK"
        digest = hashlib.sha1(f"{key[0]}:{key[1]}".encode()).hexdigest()[:6]
        name = f"{stem[:40]}-{digest}"
        pdfmetrics.registerFont(TTFont(name, key[0], subfontIndex=file.index))
        _registered[key] = name
    return _registered[key]


@lru_cache(maxsize=8)
def _available(folders: tuple[str, ...]) -> tuple[FontFile, ...]:
    files: list[FontFile] = []
    for path in _font_paths(folders):
        files.extend(read_font_names(path))
    return tuple(files)


def _font_paths(folders: Iterable[str]) -> Iterator[Path]:
    seen: set[Path] = set()
    for folder in folders:
        for root, _dirs, names in os.walk(folder):
            for name in sorted(names):
                if name.lower().endswith(FONT_SUFFIXES):
                    path = Path(root) / name
                    if path not in seen:
                        seen.add(path)
                        yield path


# ---- Reading the names inside a font file -----------------------------------------------------

_NAME_IDS = {1: "family", 2: "subfamily", 4: "full", 6: "postscript", 16: "family", 17: "sub"}
_TRUETYPE_TAGS = (b"\x00\x01\x00\x00", b"true")


def read_font_names(path: str | Path) -> list[FontFile]:
    """Every face in a .ttf/.otf/.ttc file with the names it stores; [] for an unreadable file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FONT_FILE_BYTES:
            return []
        with open(path, "rb") as handle:
            head = handle.read(12)
            if head[:4] == b"ttcf":
                count = struct.unpack(">I", head[8:12])[0]
                if count > 256:
                    return []
                offsets = struct.unpack(f">{count}I", handle.read(4 * count))
            else:
                offsets = (0,)
            return [
                face
                for index, offset in enumerate(offsets)
                if (face := _read_face(handle, path, index, offset)) is not None
            ]
    except (OSError, struct.error, ValueError):
        return []


def _read_face(handle, path: Path, index: int, offset: int) -> FontFile | None:
    handle.seek(offset)
    header = handle.read(12)
    if len(header) < 12:
        return None
    tag, count = header[:4], struct.unpack(">H", header[4:6])[0]
    tables: dict[bytes, tuple[int, int]] = {}
    directory = handle.read(16 * count)
    for at in range(0, len(directory) - 15, 16):
        table_tag, _checksum, table_offset, length = struct.unpack(
            ">4sIII", directory[at : at + 16]
        )
        tables[table_tag] = (table_offset, length)
    if b"name" not in tables:
        return None
    name_offset, name_length = tables[b"name"]
    handle.seek(name_offset)
    data = handle.read(min(name_length, 1 << 20))
    names = _names(data)
    families = list(dict.fromkeys(names.get("family", []) + names.get("full", [])))
    return FontFile(
        path=path,
        index=index,
        families=tuple(families),
        subfamily=(names.get("sub") or names.get("subfamily") or [""])[0],
        postscript=(names.get("postscript") or [""])[0],
        truetype=tag in _TRUETYPE_TAGS and b"glyf" in tables,
    )


def _names(data: bytes) -> dict[str, list[str]]:
    """name id kind → its strings, English (Windows, US) first, then the others."""
    if len(data) < 6:
        return {}
    _format, count, strings = struct.unpack(">HHH", data[:6])
    found: list[tuple[int, str, str]] = []
    for at in range(6, min(6 + 12 * count, len(data) - 11), 12):
        platform, encoding, language, name_id, length, offset = struct.unpack(
            ">HHHHHH", data[at : at + 12]
        )
        kind = _NAME_IDS.get(name_id)
        if kind is None:
            continue
        raw = data[strings + offset : strings + offset + length]
        text = _decode(raw, platform, encoding)
        if text:
            rank = 0 if (platform, language) == (3, 0x409) else 1 if platform == 3 else 2
            found.append((rank, kind, text.strip("\x00 ")))
    result: dict[str, list[str]] = {}
    for _rank, kind, text in sorted(found, key=lambda item: item[0]):
        if text and text not in result.setdefault(kind, []):
            result[kind].append(text)
    return result


def _decode(raw: bytes, platform: int, encoding: int) -> str:
    try:
        if platform in (0, 3):
            if platform == 3 and encoding == 3:  # Windows PRC (GB2312), seen in old fonts
                return raw.replace(b"\x00", b"").decode("gb2312")
            return raw.decode("utf-16-be")
        if platform == 1:
            if encoding == 25:  # Macintosh simplified Chinese
                return raw.decode("gb2312")
            if encoding == 2:  # Macintosh traditional Chinese
                return raw.decode("big5")
            return raw.decode("mac_roman")
    except UnicodeDecodeError:
        return ""
    return ""
