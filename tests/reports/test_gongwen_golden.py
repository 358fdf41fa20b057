"""Golden test: the sample 通报's DOCX, summarised element by element (alignment, indents, line
spacing, borders, faces and sizes, text; tables by grid and rows; section breaks), must equal
tests/reports/golden/gongwen_sample.txt. A change to the layout shows up here as a readable diff;
after checking it (and looking at the pages), regenerate with UPDATE_GOLDEN=1."""

from __future__ import annotations

import io
import os
from pathlib import Path

import docx
from docx.oxml.ns import qn

from app.documents.sample import sample_bulletin
from reports.gongwen_docx import docx_bytes

GOLDEN = Path(__file__).parent / "golden" / "gongwen_sample.txt"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _attributes(element, names) -> str:
    if element is None:
        return ""
    return ",".join(f"{n}={element.get(qn('w:' + n))}" for n in names if element.get(qn("w:" + n)))


def _paragraph(p) -> str:
    ppr = p.find(f"{W}pPr")
    parts = []
    if ppr is not None:
        flags = [
            tag
            for tag in ("keepNext", "keepLines", "pageBreakBefore")
            if ppr.find(f"{W}{tag}") is not None
        ]
        parts.append("+".join(flags))
        parts.append(_attributes(ppr.find(f"{W}jc"), ["val"]))
        parts.append(_attributes(ppr.find(f"{W}ind"), ["left", "right", "firstLine", "hanging"]))
        parts.append(_attributes(ppr.find(f"{W}spacing"), ["before", "line"]))
        for side in ("top", "bottom"):
            border = ppr.find(f"{W}pBdr/{W}{side}")
            if border is not None:
                parts.append(f"{side}:{_attributes(border, ['sz', 'color'])}")
        if ppr.find(f"{W}sectPr") is not None:
            parts.append("section-end")
    runs = []
    for run in p.iter(f"{W}r"):
        text = "".join(
            "⏎" if node.tag == f"{W}br" else node.text or ""
            for node in run
            if node.tag in (f"{W}t", f"{W}br")
        )
        if not text:
            continue
        fonts = run.find(f"{W}rPr/{W}rFonts")
        size = run.find(f"{W}rPr/{W}sz")
        color = run.find(f"{W}rPr/{W}color")
        style = f"{fonts.get(qn('w:eastAsia'))}/{int(size.get(qn('w:val'))) / 2:g}"
        if color is not None:
            style += f"/{color.get(qn('w:val'))}"
        runs.append(f"[{style}]{text}")
    return "P " + " ".join(part for part in parts if part) + " | " + "".join(runs)


def summary(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    lines = []
    for child in document.element.body:
        if child.tag == f"{W}p":
            lines.append(_paragraph(child))
        elif child.tag == f"{W}tbl":
            widths = [c.get(qn("w:w")) for c in child.find(f"{W}tblGrid")]
            rows = child.findall(f"{W}tr")
            headers = sum(1 for r in rows if r.find(f"{W}trPr/{W}tblHeader") is not None)
            floating = child.find(f"{W}tblPr/{W}tblpPr") is not None
            lines.append(
                f"T grid={'/'.join(widths)} rows={len(rows)} header={headers} floating={floating}"
            )
            for row in rows[:2] + rows[-1:]:
                cells = [
                    "".join(t.text or "" for t in c.iter(f"{W}t")) for c in row.findall(f"{W}tc")
                ]
                lines.append("  R " + " | ".join(cells))
        elif child.tag == f"{W}sectPr":
            kind = child.find(f"{W}type")
            lines.append(f"S {kind.get(qn('w:val')) if kind is not None else 'nextPage'}")
    return "\n".join(lines) + "\n"


def test_the_sample_bulletin_matches_its_golden_summary() -> None:
    produced = summary(docx_bytes(sample_bulletin()))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(produced, encoding="utf-8")
    assert produced == GOLDEN.read_text(encoding="utf-8")


def test_rendering_is_deterministic() -> None:
    assert summary(docx_bytes(sample_bulletin())) == summary(docx_bytes(sample_bulletin()))
