"""An office's layout rules for 公文, as data. ``DEFAULT_PROFILE`` is GB/T 9704-2012.

Local practice differs in details (margins measured to the 版心 or the paper edge, 29.2 pt exact
line spacing, the page-number style, which font names the office's PCs have), so every number a
renderer uses comes from here, and a profile can be stored per office (``to_dict``/``from_dict``,
versioned like the document). The derived values (``line_pitch_pt``, ``char_spacing_pt``, the cell
width) are what make the 22 × 28 grid: renderers use those, never their own constants.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

PROFILE_VERSION = 1
MM_PER_PT = 25.4 / 72

# 字号 → points (the sizes Chinese office software offers by name).
CHINESE_SIZES = {
    "初号": 42.0,
    "小初": 36.0,
    "一号": 26.0,
    "小一": 24.0,
    "二号": 22.0,
    "小二": 18.0,
    "三号": 16.0,
    "小三": 15.0,
    "四号": 14.0,
    "小四": 12.0,
    "五号": 10.5,
    "小五": 9.0,
}
SIZE_ALIASES = {"2号": "二号", "3号": "三号", "4号": "四号"}

PageNumberPlacement = Literal["outside", "center"]


def size_pt(name: str) -> float:
    """Points of a 字号 name ("三号", "3号", "小四")."""
    return CHINESE_SIZES[SIZE_ALIASES.get(name, name)]


@dataclass(frozen=True)
class Fonts:
    """The font family names written into documents, per role (the names on government PCs).
    A renderer that must find real font files (PDF) maps these names to files itself."""

    issuer: str = "方正小标宋简体"  # 发文机关标志
    title: str = "方正小标宋简体"  # 标题, 附件标题
    body: str = "仿宋_GB2312"  # 正文, 发文字号, 署名, 版记, 三级和四级标题
    heading1: str = "黑体"  # 一、
    heading2: str = "楷体_GB2312"  # （一）
    heading3: str = "仿宋_GB2312"  # 1.
    heading4: str = "仿宋_GB2312"  # （1）
    label: str = "黑体"  # "附件" on attachment pages, 密级, 紧急程度
    signer_names: str = "楷体_GB2312"  # names after "签发人："
    page_number: str = "宋体"
    # Latin letters and digits: None = the same face as the Chinese text (half-width digits of
    # 仿宋_GB2312), or a name such as "Times New Roman".
    latin: str | None = None


@dataclass(frozen=True)
class OfficeProfile:
    name: str = "GB/T 9704-2012"
    version: int = PROFILE_VERSION
    # Page and type area (版心), millimetres.
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    margin_top_mm: float = 37.0
    margin_bottom_mm: float = 35.0
    margin_left_mm: float = 28.0
    margin_right_mm: float = 26.0
    lines_per_page: int = 22
    chars_per_line: int = 28
    # None: derived from the type area (225 mm / 22 lines = 28.95 pt); a number overrides it
    # (some offices use 29.2 pt or 28 pt exact spacing).
    line_pitch_override_pt: float | None = None
    # Sizes, points.
    body_size_pt: float = 16.0  # 3号
    title_size_pt: float = 22.0  # 2号
    issuer_size_pt: float = 42.0  # 发文机关标志 (初号); scaled narrower to fit the type area
    table_small_size_pt: float = 14.0  # 4号, for tables marked text_size "4号"
    end_block_size_pt: float = 14.0  # 版记, 4号
    page_number_size_pt: float = 14.0  # 4号
    fonts: Fonts = field(default_factory=Fonts)
    red: str = "FF0000"
    # 版头 geometry.
    issuer_top_mm: float = 35.0  # top edge of the 发文机关标志 below the top of the type area
    red_rule_gap_mm: float = 4.0  # from the 发文字号 down to the red rule
    red_rule_width_pt: float = 1.5
    # 版记 rules: first and last thick, the ones between thin.
    thick_rule_mm: float = 0.35
    thin_rule_mm: float = 0.25
    # Page numbers: "— 3 —", 4号宋体, 7 mm below the type area; odd pages right and even pages
    # left, 1 字 in ("outside"), or centred ("center", a local practice).
    page_number_gap_mm: float = 7.0
    page_number_placement: PageNumberPlacement = "outside"
    page_number_indent_chars: float = 1.0
    page_number_dashes: bool = True
    # Double-sided printing puts the 版记 on an even page (a blank page before it if needed).
    double_sided: bool = True
    # Mirror the left/right margins on even pages (订口 on the binding side of each page); off by
    # default: GB/T 9704 defines 订口 as the left margin.
    mirror_margins: bool = False
    # Mark a last page that holds no body text (only the 版记) with this line; "" = no mark.
    no_body_mark: str = "（此页无正文）"
    # PDF only (the PDF embeds font files; a .docx names fonts): for a font name of ``fonts``,
    # the fonts to embed, tried first — family names as stored inside font files, or font file
    # paths: {"仿宋_GB2312": ("方正仿宋_GBK", "D:/字体/仿宋_GB2312.ttf")}. Without an entry the
    # name itself and the usual faces for it are looked for (reports/fonts.py).
    pdf_fonts: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # More folders to look for font files in (a shared folder of the office's fonts), searched
    # together with the system's font folders.
    font_folders: tuple[str, ...] = ()

    # ---- Derived values ---------------------------------------------------------------------

    @property
    def type_width_pt(self) -> float:
        return (self.page_width_mm - self.margin_left_mm - self.margin_right_mm) / MM_PER_PT

    @property
    def type_height_pt(self) -> float:
        return (self.page_height_mm - self.margin_top_mm - self.margin_bottom_mm) / MM_PER_PT

    @property
    def line_pitch_twips(self) -> int:
        """Exact line spacing in twips: the type height shared by the lines, rounded down so that
        ``lines_per_page`` lines always fit (225 mm / 22 → 579)."""
        if self.line_pitch_override_pt is not None:
            return round(self.line_pitch_override_pt * 20)
        return math.floor(self.type_height_pt * 20 / self.lines_per_page)

    @property
    def line_pitch_pt(self) -> float:
        return self.line_pitch_twips / 20

    @property
    def char_spacing_twentieths(self) -> int:
        """Character spacing (w:spacing, twentieths of a point) that makes ``chars_per_line``
        body characters fit the type width: 442.2 pt / 28 = 15.79 pt per cell → −0.25 pt (−5)
        for 16 pt text. Rounded down so that the last character always fits."""
        cell = self.type_width_pt / self.chars_per_line
        return math.floor((cell - self.body_size_pt) * 20)

    @property
    def char_spacing_pt(self) -> float:
        return self.char_spacing_twentieths / 20

    @property
    def cell_pt(self) -> float:
        """The advance of one body character on the grid (16 pt − 0.25 pt)."""
        return self.body_size_pt + self.char_spacing_pt

    def chars_pt(self, chars: float) -> float:
        """Width of ``chars`` body characters (indents: 2 字 = ``chars_pt(2)``)."""
        return chars * self.cell_pt

    # ---- Storage ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfficeProfile:
        """A profile from ``to_dict`` output; unknown keys are refused (a typo would otherwise be
        silently ignored), missing keys take the GB/T 9704 default."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"版式配置中有无法识别的项：{'、'.join(unknown)}，请删除或改正后重试。"
            )
        values = dict(data)
        version = values.get("version", PROFILE_VERSION)
        if not isinstance(version, int) or version > PROFILE_VERSION:
            raise ValueError("版式配置来自更新版本的程序，请升级本程序后再打开。")
        if "fonts" in values:
            font_data = values["fonts"] or {}
            font_names = {f.name for f in fields(Fonts)}
            bad = sorted(set(font_data) - font_names)
            if bad:
                raise ValueError(f"版式配置的字体中有无法识别的项：{'、'.join(bad)}。")
            values["fonts"] = Fonts(**font_data)
        if "pdf_fonts" in values:
            values["pdf_fonts"] = _font_mapping(values["pdf_fonts"])
        if "font_folders" in values:
            folders = values["font_folders"] or []
            if isinstance(folders, str) or not all(isinstance(f, str) for f in folders):
                raise ValueError("版式配置的字体文件夹应是文件夹路径的列表。")
            values["font_folders"] = tuple(folders)
        values["version"] = PROFILE_VERSION
        return cls(**values)

    def with_changes(self, **changes: Any) -> OfficeProfile:
        return replace(self, **changes)


def _font_mapping(data: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, dict):
        raise ValueError("版式配置的 PDF 字体应是“字体名 → 字体列表”的对照表。")
    mapping: dict[str, tuple[str, ...]] = {}
    for name, faces in data.items():
        if isinstance(faces, str):
            faces = [faces]
        if not isinstance(name, str) or not all(isinstance(face, str) for face in faces or []):
            raise ValueError(f"版式配置中“{name}”的 PDF 字体应是字体名或字体文件路径的列表。")
        mapping[name] = tuple(faces)
    return mapping


DEFAULT_PROFILE = OfficeProfile()
