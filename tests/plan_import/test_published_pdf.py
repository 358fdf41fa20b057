"""The sample as a published PDF, typeset by two producers, reads back exactly like its text.

Offices receive plans as the PDF on the government website, in the 公文 layout (28 characters
a line, 22 lines a page, "— 12 —" page numbers, a 版记 on the last page). published.py builds
two such PDFs of the sample: LibreOffice converting our GB/T 9704 Word file, and reportlab's
own CJK wrapping (ragged right). Read with the layout reader (app/plan_import/pdf_layout.py),
both must give the 19 areas and 201 measures of the text with the same departments, deadlines
and targets, field by field. (The line reader before it took a line of running text that
started a PDF line for a heading: 20 areas, every later measure filed wrongly.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.plan_import import ParsedPlan, parse_file
from app.plan_import.reader import read_source

from .published import libreoffice_pdf, reportlab_pdf, sample_gongwen
from .sample import SAMPLE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLE.exists(), reason="sample plan not available"),
]
_BLANKS = re.compile(r"\s+")


def _bare(text: str) -> str:
    """Text without blanks: a PDF keeps no spaces between Chinese characters."""
    return _BLANKS.sub("", text)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("published")
    document = sample_gongwen(SAMPLE.read_text(encoding="utf-8"))
    return {
        "reportlab": reportlab_pdf(document, folder / "reportlab.pdf"),
        "libreoffice": libreoffice_pdf(document, folder / "libreoffice"),
    }


@pytest.fixture(scope="module")
def text_plan() -> ParsedPlan:
    return parse_file(SAMPLE)


def _fields(plan: ParsedPlan) -> dict[str, object]:
    return {
        "plan": (plan.title, plan.doc_number, plan.issuer, plan.date, plan.notice_title),
        "areas": [(a.no, a.title, a.inferred, a.written_no, len(a.measures)) for a in plan.areas],
        "departments": [(d.name, d.aliases, d.is_group) for d in plan.departments],
        "warnings": sorted((w.code, w.area_no or 0, w.measure_no or 0) for w in plan.warnings),
    }


def _measure_fields(plan: ParsedPlan) -> list[tuple[object, ...]]:
    return [
        (
            area.no,
            m.no,
            _bare(m.title),
            _bare(m.text),
            m.lead,
            m.responsible,
            m.cooperating,
            [(d.kind, d.due, _bare(d.raw), d.recurrence, d.months) for d in m.deadlines],
            [(t.op, t.value, t.unit, _bare(t.metric)) for t in m.targets],
            m.confidence,
        )
        for area in plan.areas
        for m in area.measures
    ]


@pytest.mark.parametrize("producer", ["libreoffice", "reportlab"])
def test_published_pdf_parses_like_the_text(
    published: dict[str, Path], text_plan: ParsedPlan, producer: str
) -> None:
    plan = parse_file(published[producer])
    assert len(plan.areas) == 19 and len(plan.measures) == 201
    assert _fields(plan) == _fields(text_plan)
    expected = _measure_fields(text_plan)
    got = _measure_fields(plan)
    for want, have in zip(expected, got, strict=True):  # one measure at a time: a clear diff
        assert have == want


@pytest.mark.parametrize("producer", ["libreoffice", "reportlab"])
def test_page_furniture_is_dropped(published: dict[str, Path], producer: str) -> None:
    source = read_source(published[producer])
    assert source.kind == "pdf" and source.pages > 70
    lines = source.text.split("\n")
    assert not [line for line in lines if re.fullmatch(r"[—\s\d]+", line)]  # "— 12 —"
    assert not [line for line in lines if line.startswith(("抄送", "抄 送"))]  # the 版记
    assert not [line for line in lines if line.endswith("印发")]
    # Every paragraph of the sample is one line of the text, as in the sample itself.
    sample = {_bare(line) for line in SAMPLE.read_text(encoding="utf-8").split("\n")}
    measures = [line for line in lines if re.match(r"\d+\.", line)]
    assert len(measures) == 201 + 1  # and "2." of the 附件说明
    assert sum(_bare(line) in sample for line in measures) == 201
    assert source.notes == []
