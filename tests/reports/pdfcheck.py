"""Reading a generated PDF back, as a reader's viewer would: pages, fonts, lines, images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

A4 = (595.28, 841.89)  # points
CLOSING = "，。、；：？！）》”"  # no line may start with one of these


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    text: str
    top: float
    x0: float


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(path).pages]


def fonts(path: Path) -> dict[str, bool]:
    """Every font any page uses → whether its file is embedded (what ``pdffonts`` shows)."""
    found: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            described = font
            if font.get("/Subtype") == "/Type0":
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded
    return found


def lines(path: Path) -> list[Line]:
    """The lines of text as drawn: a new line wherever the next character is not right after
    the previous one on the same baseline (a new row, a new table cell, a new paragraph)."""
    result: list[Line] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            current: list[dict] = []
            for char in page.chars:
                if current:
                    last = current[-1]
                    same_line = abs(char["top"] - last["top"]) < 0.5 * last["size"]
                    follows = last["x0"] - 0.5 <= char["x0"] <= last["x1"] + 1.5 * last["size"]
                    if not (same_line and follows):
                        result.append(_line(number, current))
                        current = []
                current.append(char)
            if current:
                result.append(_line(number, current))
    return result


def _line(page: int, chars: list[dict]) -> Line:
    return Line(page, "".join(c["text"] for c in chars), chars[0]["top"], chars[0]["x0"])


def bad_line_starts(path: Path) -> list[Line]:
    bad = []
    for line in lines(path):
        first = line.text.lstrip()[:1]
        if first and first in CLOSING:
            bad.append(line)
    return bad


def page_texts(path: Path) -> list[str]:
    """Each page's characters in drawing order, without whitespace (so that a text broken over
    lines of one paragraph or cell is found whole)."""
    with pdfplumber.open(path) as pdf:
        return [squeeze("".join(char["text"] for char in page.chars)) for page in pdf.pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def images(path: Path) -> list[int]:
    """How many images each page shows."""
    with pdfplumber.open(path) as pdf:
        return [len(page.images) for page in pdf.pages]
