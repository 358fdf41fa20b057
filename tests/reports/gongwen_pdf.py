"""Helpers for the 公文 DOCX tests: LibreOffice headless conversion and reading lines from a PDF.

LibreOffice lays the .docx out independently of our code, so its PDF shows whether the grid,
the 版记 and the page numbers hold in a real layout engine. The fonts named in the document
(仿宋_GB2312, 黑体, …) are Windows fonts; during tests a private fontconfig file maps them to the
Debian TrueType faces dev.py installs (AR PL SungtiL GB, AR PL KaitiM GB, WenQuanYi Micro Hei),
so every page is drawn in known faces. Nothing on the machine is changed.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_LINE = (
    "apt-get install -y --no-install-recommends libreoffice-writer-nogui "
    "fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-arphic-uming"
)
# Windows font names → Debian faces with full GB2312 coverage and 1 em Chinese advances.
FONT_ALIASES = {
    "仿宋_GB2312": "AR PL SungtiL GB",
    "仿宋": "AR PL SungtiL GB",
    "宋体": "AR PL SungtiL GB",
    "方正小标宋简体": "AR PL SungtiL GB",
    "楷体_GB2312": "AR PL KaitiM GB",
    "楷体": "AR PL KaitiM GB",
    "黑体": "WenQuanYi Micro Hei",
}
PT_PER_MM = 72 / 25.4


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip(f"LibreOffice is not installed; to run this test: {INSTALL_LINE}")
    return found


def fontconfig_file(folder: Path) -> Path:
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{face}</string></edit>'
        "</match>\n"
        for name, face in FONT_ALIASES.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{rules}</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def convert_to_pdf(docx_path: Path, work: Path, *, aliases: bool = True) -> Path:
    """``docx_path`` converted by LibreOffice headless (a private profile, blank pages kept)."""
    office = soffice()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if aliases:
        env["FONTCONFIG_FILE"] = str(fontconfig_file(work))
    profile = (work / "lo-profile").absolute().as_uri()
    export = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
    result = subprocess.run(
        [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            export,
            "--outdir",
            str(work),
            str(docx_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    pdf = work / (docx_path.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF: {result.stdout} {result.stderr}"
    return pdf


@dataclass
class Line:
    baseline: float
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    xs: list[float]
    fonts: frozenset[str]
    size: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    rules: list[tuple[float, float, float, float]]  # horizontal rules: x0, x1, y, width

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_pages(pdf_path: Path) -> list[Page]:
    import pdfplumber

    pages = []
    with pdfplumber.open(pdf_path) as pdf:
        for index, page in enumerate(pdf.pages, 1):
            rows: dict[int, list[dict]] = collections.defaultdict(list)
            for char in page.chars:
                if char["text"].strip():
                    # Grouped by baseline (the text matrix), not by the font's box: faces differ.
                    rows[round(float(page.height) - char["matrix"][5])].append(char)
            lines = []
            for _, chars in sorted(rows.items()):
                chars.sort(key=lambda c: c["x0"])
                lines.append(
                    Line(
                        baseline=float(page.height) - chars[0]["matrix"][5],
                        top=min(c["top"] for c in chars),
                        bottom=max(c["bottom"] for c in chars),
                        x0=chars[0]["x0"],
                        x1=chars[-1]["x1"],
                        text="".join(c["text"] for c in chars),
                        xs=[c["x0"] for c in chars],
                        fonts=frozenset(c["fontname"].split("+")[-1] for c in chars),
                        size=max(c["size"] for c in chars),
                    )
                )
            rules = [
                (edge["x0"], edge["x1"], edge["top"], edge.get("linewidth", 0) or 0)
                for edge in page.horizontal_edges
            ]
            pages.append(Page(index, float(page.width), float(page.height), lines, rules))
    return pages


def render_png(pdf_path: Path, folder: Path, pages: list[int], resolution: int = 70) -> list[Path]:
    """PNG files of ``pages`` (1-based) for looking at them (pdftoppm)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return []
    made = []
    for number in pages:
        stem = folder / f"{pdf_path.stem}-p{number}"
        subprocess.run(
            [
                tool,
                "-r",
                str(resolution),
                "-png",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(pdf_path),
                str(stem),
            ],
            check=True,
            timeout=60,
        )
        made.append(stem.with_suffix(".png"))
    return made
