"""A ``GongwenDocument`` as a PDF laid out by GB/T 9704-2012, drawn with reportlab.

``render_pdf(document, target, profile)`` writes a new .pdf (through app/files.py: an existing file
is never replaced) or into a binary stream, and returns a ``RenderReport``; ``preflight(document,
profile)`` says, before anything is issued, which fonts stand in for which and which characters of
the document the chosen faces lack. The layout is reports/gongwen_pdf_layout.py's (the DOCX's
layout, page for page), the lines reports/gongwen_pdf_lines.py's (the 28-character grid, Chinese
line breaking).

Fonts: each font name of the profile (仿宋_GB2312, 黑体, 楷体_GB2312, 宋体, 方正小标宋简体) is found
on this machine by the family name inside the font files (reports/fonts.py: the office's own
mapping ``OfficeProfile.pdf_fonts`` first, then the usual Windows and Linux faces), and embedded as
a subset. A face that is not installed is replaced by another and the report names each
replacement. reportlab's non-embedded ``STSong-Light`` is never used, nor Helvetica.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.documents.model import GongwenDocument
from app.documents.profile import DEFAULT_PROFILE, OfficeProfile
from app.documents.validation import ensure_valid
from app.files import write_new
from reports import fonts as font_files
from reports.fonts import FontChoice, FontSet, load_named_fonts
from reports.gongwen_pdf_layout import ROLES, lay_out
from reports.gongwen_pdf_lines import em_width
from reports.gongwen_pdf_ops import ImageOp, Layout, LineOp, TextOp

MM = 72 / 25.4
# What each role's text is, for messages.
ROLE_NAMES = {
    "issuer": "发文机关标志",
    "title": "标题",
    "body": "正文",
    "heading1": "一级标题",
    "heading2": "二级标题",
    "heading3": "三级标题",
    "heading4": "四级标题",
    "label": "附件标识和密级",
    "signer_names": "签发人姓名",
    "page_number": "页码",
    "latin": "数字和字母",
}


class MissingGlyphsError(Exception):
    """The chosen faces lack characters of the document (the message lists them, in Chinese)."""


@dataclass(frozen=True)
class FaceCheck:
    """One font name of the document: what draws it and what it lacks."""

    font: str  # the font name the document uses ("仿宋_GB2312")
    roles: tuple[str, ...]  # what it draws, in Chinese ("正文", "三级标题", …)
    family: str  # the face embedded
    path: Path
    substituted: bool
    note: str  # reports/fonts.py's line: "仿宋_GB2312：本机未安装，以宋体 … 代替"
    missing: str  # characters of the document the face has no glyph for


@dataclass(frozen=True)
class Preflight:
    """What the PDF of a document will embed, checked before it is issued."""

    faces: tuple[FaceCheck, ...]
    latin_missing: str = ""  # the profile's Latin face, when it is not installed

    @property
    def ok(self) -> bool:
        """Every character of the document has a glyph in its face."""
        return not any(face.missing for face in self.faces)

    @property
    def substitutions(self) -> tuple[str, ...]:
        """One Chinese warning per font that another face stands in for."""
        found = [
            f"字体“{face.font}”（{'、'.join(face.roles)}）{face.note.partition('：')[2]}。"
            for face in self.faces
            if face.substituted
        ]
        if self.latin_missing:
            found.append(
                f"西文字体“{self.latin_missing}”本机未安装，数字和字母改用中文字体的半角字形。"
            )
        return tuple(found)

    @property
    def missing(self) -> dict[str, str]:
        """Font name → the characters its face lacks (only fonts that lack some)."""
        return {face.font: face.missing for face in self.faces if face.missing}

    def messages(self) -> list[str]:
        """Everything to show before issuing: each substitution, each lacking face."""
        lines = list(self.substitutions)
        for face in self.faces:
            if face.missing:
                lines.append(
                    f"字体“{face.font}”（{face.family}）缺少 {len(face.missing)} 个字："
                    f"{'、'.join(face.missing)}。这些字在 PDF 中无法显示，"
                    "请安装含这些字的字体（或在版式配置中指定），或改用常用字后重试。"
                )
        return lines


@dataclass(frozen=True)
class RenderReport:
    """What ``render_pdf`` wrote."""

    path: Path | None  # None when written to a stream
    pages: int
    end_block_page: int  # the 版记's page (1-based)
    blank_page: bool  # a blank page stands before the 版记's page
    preflight: Preflight
    fonts: tuple[str, ...]  # one line per face used (reports/fonts.py's notes)

    @property
    def warnings(self) -> list[str]:
        return self.preflight.messages()


@dataclass(frozen=True)
class ProfileFonts:
    """The faces of a profile's font names, registered with reportlab."""

    fontset: FontSet
    roles: dict[str, str]  # role → registered font name
    names: dict[str, str]  # role → the profile's font name
    latin: FontChoice | None
    latin_missing: str


def load_profile_fonts(profile: OfficeProfile = DEFAULT_PROFILE) -> ProfileFonts:
    """The faces for the profile's font names, registered with reportlab (FontError when this
    machine has no embeddable Chinese face at all)."""
    names = {role: getattr(profile.fonts, role) for role in ROLES}
    folders = [*profile.font_folders, *font_files.font_folders()]
    fontset = load_named_fonts(names.values(), preferred=profile.pdf_fonts, folders=folders)
    roles = {role: fontset.named(name).name for role, name in names.items()}
    latin, latin_missing = None, ""
    if profile.fonts.latin:
        latin = font_files.load_latin_font(
            profile.fonts.latin, preferred=profile.pdf_fonts, folders=folders
        )
        if latin is None:
            latin_missing = profile.fonts.latin
    return ProfileFonts(fontset, roles, names, latin, latin_missing)


def _layout(document: GongwenDocument, profile: OfficeProfile) -> tuple[ProfileFonts, Layout]:
    fonts = load_profile_fonts(profile)
    latin = fonts.latin.name if fonts.latin else None
    return fonts, lay_out(document, profile, fonts.roles, latin)


def _preflight(fonts: ProfileFonts, layout: Layout) -> Preflight:
    drawn = layout.text_by_role
    checks = []
    for name in dict.fromkeys(fonts.names.values()):
        choice = fonts.fontset.named(name)
        roles = [r for r, n in fonts.names.items() if n == name]
        text = "".join(drawn.get(role, "") for role in roles)
        checks.append(
            FaceCheck(
                name,
                tuple(ROLE_NAMES[role] for role in roles),
                choice.family,
                choice.path,
                choice.substituted,
                choice.note,
                font_files.missing_glyphs(choice.name, text),
            )
        )
    if fonts.latin is not None:
        text = drawn.get("latin", "")
        checks.append(
            FaceCheck(
                fonts.latin.asked,
                (ROLE_NAMES["latin"],),
                fonts.latin.family,
                fonts.latin.path,
                False,
                fonts.latin.note,
                font_files.missing_glyphs(fonts.latin.name, text),
            )
        )
    return Preflight(tuple(checks), fonts.latin_missing)


def preflight(document: GongwenDocument, profile: OfficeProfile = DEFAULT_PROFILE) -> Preflight:
    """Which faces the PDF of ``document`` would embed, which stand in for missing ones, and
    every character of the document a chosen face lacks — laid out exactly as ``render_pdf``
    would, nothing written. Call it before issuing (``Preflight.ok``, ``.messages()``)."""
    fonts, layout = _layout(document, profile)
    return _preflight(fonts, layout)


def render_pdf(
    document: GongwenDocument,
    target: str | Path | BinaryIO,
    profile: OfficeProfile = DEFAULT_PROFILE,
    *,
    require_complete: bool = False,
) -> RenderReport:
    """Write ``document`` as PDF to a new file ``target`` (``FileExistsError`` if the name is
    taken: nothing is replaced) or to a binary stream. Raises ``DocumentInvalid`` (Chinese
    messages) before writing anything when the document breaks a GB/T 9704 rule, and with
    ``require_complete`` ``MissingGlyphsError`` when a face lacks a character of it."""
    ensure_valid(document)
    fonts, layout = _layout(document, profile)
    checked = _preflight(fonts, layout)
    if require_complete and not checked.ok:
        raise MissingGlyphsError("\n".join(checked.messages()))

    def write(handle: BinaryIO) -> None:
        _draw(layout, document, profile, fonts.roles["body"], handle)

    path = write_new(target, write) if isinstance(target, str | Path) else None
    if path is None:
        write(target)  # type: ignore[arg-type]
    return RenderReport(
        path,
        len(layout.pages),
        layout.end_block_page,
        layout.placement.blank_page,
        checked,
        tuple(fonts.fontset.report()),
    )


def pdf_bytes(document: GongwenDocument, profile: OfficeProfile = DEFAULT_PROFILE) -> bytes:
    buffer = io.BytesIO()
    render_pdf(document, buffer, profile)
    return buffer.getvalue()


# ---- Drawing ------------------------------------------------------------------------------------


def _show(canvas, text, op: TextOp, y: float) -> None:
    """Draw ``op.text`` so that every glyph is where the layout put it in every viewer: reportlab
    writes a TrueType subset's glyphs as one string each, and pdfminer (pdfplumber) does not
    apply the character spacing after a string's last glyph — so each subset's run starts at
    its own computed position instead of relying on the spacing to get there."""
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(op.font)
    step = op.scale / 100
    x, at = op.x, 0
    for _subset, codes in font.splitString(op.text, canvas._doc):
        part = op.text[at : at + len(codes)]
        text.setTextOrigin(x, y)
        text.textOut(part)
        x += sum((em_width(op.font, char) * op.size + op.char_space) * step for char in part)
        at += len(codes)


def _rgb(hex_color: str | None) -> tuple[float, float, float]:
    if not hex_color:
        return 0.0, 0.0, 0.0
    value = hex_color.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _draw(
    layout: Layout,
    document: GongwenDocument,
    profile: OfficeProfile,
    initial_font: str,
    handle: BinaryIO,
) -> None:
    from reportlab.pdfgen.canvas import Canvas

    width = profile.page_width_mm * MM
    height = profile.page_height_mm * MM
    # invariant: the same document gives the same bytes (an issued PDF's SHA-256 is stored).
    canvas = Canvas(
        handle,
        pagesize=(width, height),
        invariant=1,
        pageCompression=1,
        initialFontName=initial_font,
        initialFontSize=profile.body_size_pt,
    )
    canvas.setTitle(document.title.replace("\n", ""))
    canvas.setAuthor(document.signature)
    canvas.setSubject(document.number or "GB/T 9704-2012")
    canvas.setCreator("督查台账 (GB/T 9704-2012)")
    for page in layout.pages:
        text = canvas.beginText()
        state: dict[str, object] = {}
        for op in page.ops:
            if isinstance(op, TextOp):
                if state.get("font") != (op.font, op.size):
                    text.setFont(op.font, op.size)
                    state["font"] = (op.font, op.size)
                if state.get("space") != op.char_space:
                    text.setCharSpace(op.char_space)
                    state["space"] = op.char_space
                if state.get("scale") != op.scale:
                    text.setHorizScale(op.scale)
                    state["scale"] = op.scale
                if state.get("color") != op.color:
                    text.setFillColorRGB(*_rgb(op.color))
                    state["color"] = op.color
                _show(canvas, text, op, height - op.baseline)
        canvas.drawText(text)
        for op in page.ops:
            if isinstance(op, LineOp):
                canvas.setStrokeColorRGB(*_rgb(op.color))
                canvas.setLineWidth(op.width)
                canvas.line(op.x0, height - op.y0, op.x1, height - op.y1)
            elif isinstance(op, ImageOp):
                canvas.drawImage(
                    op.path,
                    op.x,
                    height - op.top - op.height,
                    op.width,
                    op.height,
                    mask="auto",
                )
        canvas.showPage()
    canvas.save()
