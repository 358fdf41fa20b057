"""Checks of a parsed PDF against how it was laid out: headings in the headings' font.

A published 公文 sets its section headings in their own face (一、 in 黑体, （一） in 楷体) and
its running text in 仿宋. The parser finds headings by their numbering and shape, not by their
font; when the two disagree, the structure the wizard shows may not be the document's:

* a heading the parser found, set in the body face while the other headings share another face
  (``pdf_heading_font``): perhaps a line of running text taken for a heading, which would file
  every measure after it under the wrong area;
* a short paragraph in the headings' face that the parser did not take for a heading, among the
  measures (``pdf_text_like_heading``): perhaps a heading the parser missed.

Both are warnings with the place to check; confidence.py makes them "low".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable

from .model import LaidParagraph, ParsedPlan, Span

_SUBSET = re.compile(r"^[A-Z]{6}\+")


def face(font: str) -> str:
    """A PDF font name without its subset tag: "BAAAAA+FangSong" -> "FangSong"."""
    return _SUBSET.sub("", font)


def check_layout(
    plan: ParsedPlan, paragraphs: list[LaidParagraph], warn: Callable[..., None]
) -> None:
    """Warn (``warn(code, message, offset, span=...)``) where the fonts of ``paragraphs``
    disagree with the headings of ``plan``."""
    if not paragraphs or not plan.areas:
        return
    starts = [p.start for p in paragraphs]

    def paragraph_at(offset: int) -> LaidParagraph | None:
        index = bisect_right(starts, offset) - 1
        if index >= 0 and paragraphs[index].start <= offset < max(
            paragraphs[index].end, paragraphs[index].start + 1
        ):
            return paragraphs[index]
        return None

    headings: list[tuple[str, Span, LaidParagraph]] = []
    for area in plan.areas:
        if area.span is None or not area.measures or area.span[0] >= area.measures[0].span[0]:
            continue  # no written heading
        found = paragraph_at(area.span[0])
        if found is not None:
            headings.append((area.title, (found.start, found.end), found))
    measure_heads = {id(p) for m in plan.measures if (p := paragraph_at(m.span[0])) is not None}
    body = Counter(face(p.font) for p in paragraphs if id(p) in measure_heads).most_common(1)
    if len(headings) < 3 or not body:
        return
    body_face = body[0][0]
    faces = Counter(face(p.font) for _, _, p in headings)
    heading_face, count = faces.most_common(1)[0]
    if heading_face == body_face or count < 0.6 * len(headings):
        return  # headings are not set apart by their face in this document
    for title, span, laid in headings:
        if face(laid.font) == body_face:
            warn(
                "pdf_heading_font",
                f"标题“{title}”在原文中是正文字体，而其他标题都是另一种字体，它可能不是标题"
                "（其后的措施可能归错了领域）：请对照原文核对",
                span[0],
                span=span,
            )
    heading_ids = {id(p) for _, _, p in headings}
    first = min(s[0] for _, s, _ in headings)
    last_measure = max(m.span[1] for m in plan.measures)
    for laid in paragraphs:
        if not first < laid.start < last_measure or id(laid) in heading_ids:
            continue
        if id(laid) in measure_heads or laid.centred or laid.end - laid.start > 30:
            continue
        if face(laid.font) == heading_face:
            warn(
                "pdf_text_like_heading",
                "原文中这一行与各领域标题的字体相同，但没有识别为标题；如果它是标题，"
                "其后的措施归错了领域：请对照原文核对",
                laid.start,
                span=(laid.start, laid.end),
            )
