"""How sure the parser is of each measure: a level and the reasons, from the warnings.

Every warning the parser (or the reader, for a PDF) raises about a measure becomes a ``Doubt`` of
that measure; a warning about a heading (a numeral guessed, a font unlike the other headings)
becomes a doubt of every measure under it, since all of them may be filed wrongly. The measure's
``confidence`` is the lowest level of its doubts ("high" without any):

* "low" (存疑): what the ledger would record is probably wrong or incomplete: no department
  found, a paragraph a PDF may have cut or joined wrongly, a heading whose font says it is not
  one;
* "medium" (请核对): probably right but inferred: a heading whose numeral was guessed, a time
  limit not understood, roles of a department list not stated, a skip in the numbering, a
  measure taken from an unnumbered paragraph.

Notes about the department directory (an abbreviation unified, two similar names) and plan-wide
warnings (no date) are shown in the wizard's list of hints but lower no measure.
"""

from __future__ import annotations

from .model import Confidence, Doubt, ParsedPlan, ParseWarning

LEVELS: dict[str, Confidence] = {
    "measure_without_department": "low",
    "measure_maybe_merged": "low",
    "pdf_line_joined": "medium",
    "pdf_heading_font": "low",
    "pdf_text_like_heading": "low",
    "section_numeral_missing": "medium",
    "measure_unnumbered": "medium",
    "measure_numbering": "medium",
    "department_roles_unclear": "medium",
    "measure_without_lead": "medium",  # several departments, none named to lead
    "department_unknown_form": "medium",
    "deadline_unresolved": "medium",
    "deadline_not_understood": "medium",
    "deadline_before_document": "medium",
    "deadline_year_end": "medium",
    "measure_number_guessed": "medium",
    "table_row_cells": "medium",
}
# Codes about a heading: the doubt goes to every measure of its area.
AREA_CODES = frozenset({"section_numeral_missing", "pdf_heading_font", "measure_unnumbered"})
ORDER: dict[Confidence, int] = {"low": 0, "medium": 1, "high": 2}
LABELS: dict[Confidence, str] = {"low": "存疑", "medium": "请核对", "high": "确定"}


def assess(plan: ParsedPlan, warnings: list[ParseWarning]) -> None:
    """Set every measure's ``doubts`` and ``confidence`` from the located ``warnings``."""
    for measure in plan.measures:
        measure.doubts = []
    for warning in warnings:
        level = LEVELS.get(warning.code)
        if level is None or warning.area_index is None:
            continue
        area = plan.areas[warning.area_index]
        if warning.measure_index is not None:
            targets = [area.measures[warning.measure_index]]
        elif warning.code in AREA_CODES:
            targets = list(area.measures)
        else:
            continue
        for measure in targets:
            measure.doubts.append(Doubt(warning.code, warning.message, level, warning.span))
    for measure in plan.measures:
        measure.confidence = min(
            (d.level for d in measure.doubts), key=ORDER.__getitem__, default="high"
        )


def review_order(plan: ParsedPlan) -> list[tuple[int, int]]:
    """(area index, measure index) of the doubtful measures: "low" first, then "medium", each
    in document order. The wizard walks through them in this order."""
    found = [
        (ORDER[measure.confidence], area_index, measure_index)
        for area_index, area in enumerate(plan.areas)
        for measure_index, measure in enumerate(area.measures)
        if measure.confidence != "high"
    ]
    return [(area_index, measure_index) for _, area_index, measure_index in sorted(found)]
