"""What a page of a 公文 PDF holds: text at a baseline, rules, images — in points from the page's
top-left corner. reports/gongwen_pdf_layout.py and gongwen_pdf_tables.py make them,
reports/gongwen_pdf.py draws them with reportlab (whose origin is bottom-left)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.gongwen_end_block import EndBlockPlacement


@dataclass(frozen=True)
class TextOp:
    x: float
    baseline: float
    text: str
    font: str  # registered reportlab font name
    size: float
    char_space: float = 0.0
    color: str | None = None  # "FF0000"; None = black
    scale: float = 100.0  # horizontal scaling, percent


@dataclass(frozen=True)
class LineOp:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    color: str | None = None


@dataclass(frozen=True)
class ImageOp:
    path: str
    x: float
    top: float
    width: float
    height: float


Op = TextOp | LineOp | ImageOp


@dataclass
class PageLayout:
    ops: list[Op] = field(default_factory=list)
    numbered: bool = True


@dataclass
class Layout:
    pages: list[PageLayout]
    placement: EndBlockPlacement
    end_block_page: int  # 1-based
    # Every character drawn, per role of ROLES (and "latin"), each once in order of appearance.
    text_by_role: dict[str, str] = field(default_factory=dict)
