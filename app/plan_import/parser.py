"""Plan parser: line classifier -> structure builder -> per-measure extractors.

``parse_text`` never raises on any input; everything it infers or doubts becomes a warning.

1. Lines are classified (lines.py): numbered items with their style, 附件 markers, closing
   matter, dates, document numbers, text.
2. Lines are grouped into blocks: each numbered item (or break line, or heading-shaped line)
   starts one, following text lines continue it. All blocks are joined into one flat text
   (line breaks inside a block removed, "\\n" between blocks), and the extractors run once over
   it: department groups, deadlines, targets.
3. Structure: the document is cut into regions at 附件 markers. In each region the numbering
   level whose items name departments is the measure level (1. in the sample's attachment;
   （一） or 一、 in other plans); the nearest numbered heading above a measure is its area.
   Areas whose items name no department (工作目标, 基本原则, 保障措施 …) are background. A short
   unnumbered line between two measures, followed by a measure, is a heading that lost its
   numeral: its number is inferred and a warning raised.
4. Measures collect the groups, deadlines and targets inside their span; the department
   directory is learned from all names, and every name is mapped to its canonical form.

``progress(done, total)`` is called between these stages (``_STAGES`` calls in all, none per
line: parsing runs at millions of characters a second, so each stage of the largest allowed plan
takes well under a second) and may raise ``Cancelled``, which passes through.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from app.progress import Progress, part, report

from . import departments as dep
from .confidence import assess
from .deadlines import find_deadlines
from .directory import city_prefixes, directory_from_tally
from .layout_checks import check_layout
from .lines import DEPTH, Line, classify, heading_shaped
from .metadata import Metadata, extract
from .model import (
    Deadline,
    DepartmentRef,
    ParsedArea,
    ParsedMeasure,
    ParsedPlan,
    ParseWarning,
    SourceDocument,
    Span,
    Target,
)
from .names import looks_like_department, split_written
from .targets import find_targets
from .textutil import FlatText, Segment, fold, fold_short, int_to_cn

_BREAK_KINDS = frozenset({"attach", "closing", "date", "docno", "header"})
# A time limit given under its label (a task table's 完成时限 column, or 时限：… in the text).
_TIME_LABEL = re.compile(
    r"(?:完成时限|完成时间|完成期限|时间节点|时限要求|时限)[ \t]*:[ \t]*(?P<value>[^;。)\n]{1,30})"
)
# A line ending with a department group: （牵头单位：X）, （X牵头，Y参与）, (X负责)。
_GROUP_TAIL = re.compile(
    r"\([^()]*(?:牵头|负责|参与|配合|协助|协办|单位|部门)[^()]*\)[ \t]*[。;.]?$"
)
# A line ending with departments named in prose: "……。市政务服务局牵头，市大数据局参与。"
_PROSE_TAIL = re.compile(r"(?:牵头|负责|参与|配合|协助)[ \t]*[。;]$")
_ROW_LABELS = {"lead": "牵头单位", "responsible": "责任单位", "cooperating": "配合单位"}
_SENTENCE_DONE = ("。", ")", ";", "）", "；")
_BACKGROUND_TITLE = re.compile(
    r"指导思想|基本原则|工作原则|总体要求|工作目标|主要目标|保障措施|组织保障|组织领导|组织实施"
    r"|工作要求|实施步骤|工作步骤|有关要求|工作机制"
)


@dataclass(slots=True)
class _Measure:
    """A measure found by the structure builder: its item line and extent."""

    head: Line
    first_block: int
    last_block: int
    end: int  # source offset after its last non-blank character
    flat_start: int = 0
    flat_end: int = 0
    no: int = 0  # for an unnumbered paragraph: its place in its area (else the head's number)


@dataclass(slots=True)
class _AreaDraft:
    no: int
    title: str
    start: int | None
    inferred: bool = False
    implicit: bool = False
    measures: list[_Measure] = field(default_factory=list)
    parent_title: str = ""
    split: bool = False  # made from a heading item over unnumbered paragraph measures
    outer: _AreaDraft | None = None  # the area in effect before it


def _heading_line(line: Line) -> bool:
    """An item line that reads as a heading: short, no full stop, no department group."""
    return (
        line.cells is None
        and line.end - line.body <= 40
        and not any(ch in line.norm[line.body - line.start :] for ch in "。;()")
    )


class _Document:
    """The classified lines, their blocks, the flat text and what the extractors found in it."""

    def __init__(self, text: str, progress: Progress | None = None) -> None:
        self.text = text
        self.norm = fold(text)
        self.lines = lines = classify(text, self.norm)
        report(progress, 1, _STAGES)
        count = len(lines)
        self.prev_line = prev_line = [-1] * count  # previous non-blank line
        self.next_line = next_line = [-1] * count  # next non-blank line
        last = -1
        for line in lines:
            prev_line[line.index] = last
            if line.kind != "blank":
                last = line.index
        last = -1
        for line in reversed(lines):
            next_line[line.index] = last
            if line.kind != "blank":
                last = line.index
        self.first_item = next((ln.index for ln in lines if ln.kind == "item"), count)
        # (only text lines can be heading-like: the test is skipped for the others)
        self.heading_like = [line.kind == "text" and self._heading_like(line) for line in lines]
        self._build_blocks()
        report(progress, 2, _STAGES)
        self.first_leads = dep.first_listed_leads(self.flat.norm, folded=True)
        self.groups = dep.find_groups(
            self.flat.raw, first_leads=self.first_leads, norm=self.flat.norm
        )
        self.named_blocks = {
            bisect_right(self.flat.starts, g.start) - 1 for g in self.groups if g.found
        }
        report(progress, 3, _STAGES)

    def _heading_like(self, line: Line) -> bool:
        if not heading_shaped(line) or line.index < self.first_item:
            return False
        before = self.prev_line[line.index]
        after = self.next_line[line.index]
        if before < 0 or after < 0 or self.lines[after].kind != "item":
            return False
        previous = self.lines[before]
        return previous.kind in ("text", "item") and previous.norm.endswith(_SENTENCE_DONE)

    def _build_blocks(self) -> None:
        """Each item, break line or heading-like line starts a block; text lines continue it."""
        ranges: list[tuple[int, int]] = []
        lines = self.lines
        self.block_of = block_of = [-1] * len(lines)
        rows: dict[int, list[Segment]] = {}
        for line in lines:
            if line.kind == "blank":
                continue
            if line.cells is not None:
                rows[len(ranges)] = _row_segments(line)
                ranges.append((line.start, line.end))
                block_of[line.index] = len(ranges) - 1
                continue
            previous = lines[self.prev_line[line.index]] if ranges else None
            starts = (
                previous is None
                or line.kind != "text"
                or self.heading_like[line.index]
                or line.index < self.first_item
                or previous.kind in _BREAK_KINDS
                # a paragraph of its own: after a line that a department group ends, or after
                # an item line that stands as a heading ("（一）优化政务服务", "2.宣传")
                or bool(_GROUP_TAIL.search(previous.norm))
                or bool(_PROSE_TAIL.search(previous.norm))
                or (previous.kind == "item" and _heading_line(previous))
            )
            if starts:
                ranges.append((line.start, line.end))
            else:
                ranges[-1] = (ranges[-1][0], line.end)
            block_of[line.index] = len(ranges) - 1
        self.block_ranges = ranges
        flat_ranges: list[tuple[int, int] | list[Segment]] = list(ranges)
        for index, segments in rows.items():
            flat_ranges[index] = segments
        self.flat = FlatText(self.text, ranges=flat_ranges, folded=self.norm)

    def block_flat_end(self, block: int) -> int:
        starts = self.flat.starts
        return starts[block + 1] - 1 if block + 1 < len(starts) else len(self.flat)

    def flat_of(self, offset_in_line: int, line: Line) -> int:
        """Flat offset of a source offset on the first line of that line's block."""
        if line.cells is not None:  # a table row's block starts with its task text
            return self.flat.starts[self.block_of[line.index]]
        return self.flat.starts[self.block_of[line.index]] + (offset_in_line - line.start)


def _text_end(measure: _Measure) -> int:
    """Where a measure's text ends: its end, or for a table row the end of its task cells."""
    cells = measure.head.cells
    if cells is None:
        return measure.end
    return max(b for role, _, b in cells if role == "task")


def _row_segments(line: Line) -> list[Segment]:
    """A table row as the extractors should read it: its task text, then its other columns as
    a labelled department group: 任务（牵头单位：X；责任单位：Y；完成时限：Z）."""
    assert line.cells is not None
    segments: list[Segment] = []
    tasks = [(a, b) for role, a, b in line.cells if role == "task"]
    for index, (a, b) in enumerate(tasks):
        if index:
            segments.append(("。", a))
        segments.append((a, b))
    labelled = [
        (role, a, b) for role, a, b in line.cells if role in _ROW_LABELS or role == "deadline"
    ]
    if labelled:
        anchor = labelled[0][1]
        segments.append(("（", anchor))
        for index, (role, a, b) in enumerate(labelled):
            label = _ROW_LABELS.get(role, "完成时限")
            segments.append((("；" if index else "") + label + "：", a))
            segments.append((a, b))
        segments.append(("）", labelled[-1][2] - 1))
    return segments


class _Builder:
    def __init__(self, doc: _Document) -> None:
        self.doc = doc
        self.lines = doc.lines
        self.warnings: list[ParseWarning] = []
        self._direct: dict[str, int] = {}

    def warn(
        self,
        code: str,
        message: str,
        offset: int | None = None,
        area_no: int | None = None,
        measure_no: int | None = None,
        span: Span | None = None,
    ) -> None:
        """Record a warning; ``span`` is the phrase it is about (``offset`` defaults to its
        start). Which area and measure it is in is worked out at the end (_locate)."""
        if offset is None and span is not None:
            offset = span[0]
        self.warnings.append(ParseWarning(code, message, offset, area_no, measure_no, span))

    # -- structure ------------------------------------------------------------------------

    def _extent(self, start_index: int, depth: int | None) -> tuple[int, int]:
        """(index of the last non-blank line, index of the line that stops the block).

        A block runs until an item at depth <= ``depth`` (any item when None), a break line, or
        (at measure level) a heading that lost its numeral.
        """
        last = start_index
        index = self.doc.next_line[start_index]
        while index >= 0:
            line = self.lines[index]
            if line.kind in _BREAK_KINDS:
                break
            if line.kind == "item" and (depth is None or line.depth <= depth):
                break
            if depth is not None and self._lost_numeral(index, depth):
                break
            last = index
            index = self.doc.next_line[index]
        return last, (index if index >= 0 else len(self.lines))

    def _lost_numeral(self, index: int, depth: int) -> bool:
        if not self.doc.heading_like[index]:
            return False
        after = self.lines[self.doc.next_line[index]]
        return after.depth == depth

    def _block_title(self, line: Line) -> str:
        block = self.doc.block_of[line.index]
        start = self.doc.flat_of(line.body, line)
        return _title_of(self.doc.flat.raw, start, self.doc.block_flat_end(block))

    def regions(self) -> list[list[int]]:
        regions: list[list[int]] = [[]]
        for line in self.lines:
            if line.kind == "attach":
                regions.append([])
            elif line.kind != "blank":
                regions[-1].append(line.index)
        return [r for r in regions if r]

    def _owners(self, region: list[int]) -> tuple[dict[str, int], dict[str, int]]:
        """(style -> items of that style that own a block naming departments, style -> items).

        A named block belongs, at each numbering level, to the item of that level it lies
        under: a group written on its own line after sub-items (1)(2) belongs to their 1."""
        block_of, named_blocks = self.doc.block_of, self.doc.named_blocks
        items: dict[str, int] = {}
        owners: dict[str, set[int]] = {}
        direct: dict[str, int] = {}  # items whose own block names departments
        open_items: dict[str, int] = {}
        credited: set[int] = set()
        for index in region:
            line = self.lines[index]
            block = block_of[index]
            if line.kind == "item" and line.style:
                depth = line.depth
                open_items = {s: i for s, i in open_items.items() if DEPTH[s] < depth}
                open_items[line.style] = index
                items[line.style] = items.get(line.style, 0) + 1
                if block in named_blocks:
                    direct[line.style] = direct.get(line.style, 0) + 1
            elif line.kind in _BREAK_KINDS:
                open_items = {}
            if block in named_blocks and block not in credited:
                credited.add(block)
                for style, item in open_items.items():
                    owners.setdefault(style, set()).add(item)
        self._direct = direct
        return {style: len(found) for style, found in owners.items()}, items

    def _measure_style(self, owned: dict[str, int], items: dict[str, int]) -> str | None:
        """The numbering level of the measures: the one whose items most often own departments,
        among the levels where at least half the items do; on a tie the one whose items name
        them in their own paragraph, then the inner one (a group written after sub-items (1)(2)
        belongs to the item they detail)."""
        if not owned:
            return None
        eligible = {s: n for s, n in owned.items() if n >= 0.5 * items.get(s, n)} or owned
        direct = self._direct
        return min(eligible, key=lambda s: (-eligible[s], -direct.get(s, 0), -DEPTH[s]))

    def build(self) -> tuple[list[_AreaDraft], bool]:
        counted: list[tuple[list[int], dict[str, int], dict[str, int]]] = []
        for region in self.regions():
            owned, items = self._owners(region)
            counted.append((region, owned, items))
        best_total = max((max(c[1].values(), default=0) for c in counted), default=0)
        drafts: list[_AreaDraft] = []
        if best_total > 0:
            for region, owned, items in counted:
                style = self._measure_style(owned, items)
                if style is None or owned[style] < 0.2 * best_total:
                    continue
                drafts.extend(self.walk(region, DEPTH[style]))
            drafts = [a for a in drafts if any(self._has_names(m) for m in a.measures)]
            return [a for a in drafts if a.measures], True
        best: tuple[int, int, list[int]] | None = None
        for region, _, items in counted:
            for style, count in items.items():
                if best is None or (count, DEPTH[style]) > (best[0], best[1]):
                    best = (count, DEPTH[style], region)
        if best is not None:
            drafts = [
                a for a in self.walk(best[2], best[1]) if not _BACKGROUND_TITLE.search(a.title)
            ]
            drafts = [
                a
                for a in drafts
                if not all(_BACKGROUND_TITLE.search(self._block_title(m.head)) for m in a.measures)
            ]
        return [a for a in drafts if a.measures], False

    def _has_names(self, measure: _Measure) -> bool:
        return any(
            b in self.doc.named_blocks for b in range(measure.first_block, measure.last_block + 1)
        )

    def walk(self, region: list[int], depth: int) -> list[_AreaDraft]:
        """Areas and measures of one region, measures being items at ``depth``."""
        areas: list[_AreaDraft] = []
        current: _AreaDraft | None = None
        parents: list[Line] = []  # the open headings above the current line, outermost first
        has_headings = any(
            self.lines[i].kind == "item" and self.lines[i].depth < depth for i in region
        )
        heading_like = self.doc.heading_like
        position = 0
        while position < len(region):
            index = region[position]
            line = self.lines[index]
            line_depth = line.depth
            if line.kind == "item" and line_depth < depth:
                parents = [p for p in parents if p.depth < line_depth] + [line]
                parent = parents[-2] if len(parents) > 1 else None
                current = _AreaDraft(
                    line.number or 0,
                    self._block_title(line),
                    line.start,
                    parent_title=self._block_title(parent) if parent else "",
                )
                areas.append(current)
            elif (
                heading_like[index]
                and current is not None
                and not current.implicit
                and self._lost_numeral(index, depth)
            ):
                number = (current.no or 0) + 1
                current = _AreaDraft(
                    number, line.text, line.start, inferred=True, parent_title=current.parent_title
                )
                areas.append(current)
                self.warn(
                    "section_numeral_missing",
                    f"标题“{line.text}”缺少序号，已按上下文推定为“{int_to_cn(number)}、”",
                    line.start,
                    number,
                    span=(line.start, line.end),
                )
            elif line.kind == "item" and line_depth == depth:
                last, stop = self._extent(index, depth)
                if stop >= region[-1] + 1 or not self._measure_after(region, stop, depth):
                    last = self._without_closing(index, last)  # the region's last measure
                paragraphs = self._paragraph_measures(index, last)
                if paragraphs:  # "（一）优化政务服务" over unnumbered paragraphs, each a measure
                    outer = current if current is None or not current.split else current.outer
                    current = _AreaDraft(
                        line.number or 0,
                        self._block_title(line),
                        line.start,
                        parent_title=self._block_title(parents[-1]) if parents else "",
                        split=True,
                        outer=outer,
                    )
                    areas.append(current)
                    current.measures.extend(paragraphs)
                    self.warn(
                        "measure_unnumbered",
                        f"“{current.title}”下的措施没有编号，已按段落分为 {len(paragraphs)} 条",
                        line.start,
                        span=(line.start, line.end),
                    )
                    position = bisect_left(region, stop, position)
                    continue
                if current is not None and current.split:
                    current = current.outer
                if current is None:
                    current = _AreaDraft(0 if has_headings else 1, "", None, implicit=True)
                    areas.append(current)
                current.measures.append(self._measure(line, last))
                position = bisect_left(region, stop, position)
                continue
            position += 1
        return areas

    def _measure(self, head: Line, last: int, no: int = 0) -> _Measure:
        doc = self.doc
        last_block = doc.block_of[last]
        return _Measure(
            head,
            doc.block_of[head.index],
            last_block,
            self.lines[last].end,
            doc.flat_of(head.body, head),
            doc.block_flat_end(last_block),
            no,
        )

    def _measure_after(self, region: list[int], stop: int, depth: int) -> bool:
        """Whether another item at ``depth`` follows ``stop`` in the region."""
        at = bisect_left(region, stop)
        return any(
            self.lines[i].kind == "item" and self.lines[i].depth == depth for i in region[at:]
        )

    def _blocks_of(self, index: int, last: int) -> list[int]:
        """The first lines of the blocks from line ``index`` to line ``last``."""
        firsts: list[int] = []
        block = -1
        line = index
        while 0 <= line <= last:
            if self.doc.block_of[line] != block:
                block = self.doc.block_of[line]
                firsts.append(line)
            line = self.doc.next_line[line]
        return firsts

    def _without_closing(self, index: int, last: int) -> int:
        """The last measure of a region ends at its department group: paragraphs after it that
        name no department are the document's closing words ("各单位要于年底前报送……"),
        not part of the measure (their time limits are the document's, not its)."""
        firsts = self._blocks_of(index, last)
        named = self.doc.named_blocks
        block_of = self.doc.block_of
        keep = len(firsts)
        while keep > 1:
            start = firsts[keep - 1]
            previous = self.lines[self.doc.prev_line[start]]
            if block_of[start] in named or not _GROUP_TAIL.search(previous.norm):
                break
            if self.lines[start].kind != "text":
                break
            keep -= 1
        if keep == len(firsts):
            return last
        cut = firsts[keep]
        self.warn(
            "closing_paragraph",
            "最后一条措施之后的段落没有写明责任部门，视为全文的结束语，不计入该措施"
            "（其中的时限也不计入）",
            self.lines[cut].start,
            span=(self.lines[cut].start, self.lines[last].end),
        )
        return self.doc.prev_line[cut]

    def _paragraph_measures(self, index: int, last: int) -> list[_Measure]:
        """The measures under an item that is only a heading ("（一）优化政务服务") and is
        followed by two or more paragraphs, each naming its own departments; else []."""
        head = self.lines[index]
        if not _heading_line(head) or head.cells is not None:
            return []
        firsts = self._blocks_of(index, last)[1:]
        named = self.doc.named_blocks
        block_of = self.doc.block_of
        if len(firsts) < 2 or any(self.lines[i].kind != "text" for i in firsts):
            return []
        if sum(block_of[i] in named for i in firsts) < 2:
            return []
        measures: list[_Measure] = []
        pending_start: int | None = None  # unnamed paragraphs before the first named one
        for position, first in enumerate(firsts):
            following = position + 1 < len(firsts)
            end_line = self.doc.prev_line[firsts[position + 1]] if following else last
            if block_of[first] not in named:
                if measures:  # a paragraph continuing the measure above
                    measures[-1] = self._measure(measures[-1].head, end_line, measures[-1].no)
                elif pending_start is None:
                    pending_start = first
                continue
            start_line = pending_start if pending_start is not None else first
            pending_start = None
            paragraph = self.lines[start_line]
            paragraph_head = Line(
                paragraph.index,
                paragraph.start,
                paragraph.end,
                paragraph.text,
                paragraph.norm,
                "text",
                None,
                None,
                paragraph.start,
            )
            measures.append(self._measure(paragraph_head, end_line, len(measures) + 1))
        return measures


_GROUP_START = re.compile(r"[（(](?:牵头|责任|配合)")
_YEAR_BEFORE = re.compile(
    r"\d{4}\s*年\s*(?:度\s*)?(?:之|以)?前$|[〇零○一二三四五六七八九]{4}\s*年\s*(?:之|以)?前$"
)


def _head_end(doc: _Document, measure: _Measure) -> int | None:
    """Where the item's own line ends in the flat text, when that line reads as a heading of
    its own (short, no full stop: "2.宣传" above its text), else None."""
    head = measure.head
    if head.cells is not None or "。" in head.norm or head.end - head.body > 40:
        return None
    if doc.block_ranges[doc.block_of[head.index]][1] <= head.end:
        return None  # the block is this one line
    return doc.flat_of(head.end, head)


def _title_of(flat: str, start: int, end: int, head_end: int | None = None) -> str:
    """The lead phrase of an item: up to the first 。 (else its first department group), or
    its own line when that stands as a heading (``head_end``)."""
    if head_end is not None and start < head_end <= end:
        return flat[start:head_end].strip().rstrip(":：;；,，")
    stop = flat.find("。", start, end)
    line_end = flat.find("\n", start, end)
    if line_end >= 0 and (stop < 0 or line_end < stop):
        stop = line_end
    if stop < 0:
        group = _GROUP_START.search(flat, start, end)
        stop = group.start() if group else min(end, start + 80)
    return flat[start:stop].strip().rstrip(":：;；,，")


def _outside_groups(
    clause: tuple[int, int], phrase: tuple[int, int], groups: list[dep.Group]
) -> tuple[int, int]:
    """Trim a deadline's clause so that it holds no department group."""
    start, end = clause
    for group in groups:
        if start < group.end <= phrase[0]:
            start = group.end
        elif phrase[1] <= group.start < end:
            end = group.start
    return (start, end)


def _remap_deadline(item: Deadline, flat: FlatText) -> Deadline:
    """Move a deadline's spans (offsets into the flat text) onto the source text, in place."""
    span, source = item.span, item.source
    if span and source and span[0] <= source[0] and source[1] <= span[1]:
        shift = flat.shift(*span)  # one lookup when its clause lies on one source line
        if shift is not None:
            item.span = (span[0] + shift, span[1] + shift)
            item.source = (source[0] + shift, source[1] + shift)
            return item
    if item.span:
        item.span = flat.span(*item.span)
    if item.source:
        item.source = flat.span(*item.source)
    return item


def _remap_target(item: Target, flat: FlatText) -> Target:
    """Move a target's span onto the source text, in place."""
    if item.span:
        item.span = flat.span(*item.span)
    return item


def parse_text(
    text: str,
    source_name: str = "",
    progress: Progress | None = None,
    *,
    source: SourceDocument | None = None,
) -> ParsedPlan:
    """Parse a plan's text. Never raises (but a ``Cancelled`` from ``progress`` passes);
    doubtful findings become ``plan.warnings`` and each measure's ``confidence``. ``source``,
    what the reader knows about the text (``read_source``), adds its notes and layout checks."""
    try:
        return _parse(text if isinstance(text, str) else str(text), source_name, progress, source)
    except Exception as error:  # a safety net: report, never crash the import dialog
        plan = ParsedPlan(source_name=source_name)
        plan.warnings.append(
            ParseWarning(
                "internal_error",
                f"解析时出现内部错误（{type(error).__name__}），结果可能不完整，请检查原文",
            )
        )
        return plan


def parse_file(path: str | Path, progress: Progress | None = None) -> ParsedPlan:
    """Read a plan document (see ``read_document``) and parse it. Raises ``PlanReadError``."""
    from .reader import read_source

    path = Path(path)
    source = read_source(path, part(progress, 0.0, READ_SHARE))
    return parse_text(source.text, path.name, part(progress, READ_SHARE, 1.0), source=source)


READ_SHARE = 0.7  # of read + parse: reading a .docx or PDF takes longer than parsing its text
_STAGES = 6


def _parse(
    text: str,
    source_name: str,
    progress: Progress | None = None,
    source: SourceDocument | None = None,
) -> ParsedPlan:
    report(progress, 0, _STAGES)
    doc = _Document(text, progress)
    builder = _Builder(doc)
    if source is not None and source.text == text:
        builder.warnings.extend(replace(note) for note in source.notes)
    meta: Metadata = extract(doc.lines, doc.first_item)
    plan = ParsedPlan(
        title=meta.title,
        doc_number=meta.doc_number,
        issuer=meta.issuer,
        date=meta.date,
        notice_title=meta.notice_title,
        source_name=source_name,
    )
    year = meta.date.year if meta.date else None
    if year is None:
        title_year = re.search(r"(\d{4})\s*年", fold(meta.title))
        if title_year:
            year = int(title_year.group(1))
            builder.warn("date_missing", f"未找到发文日期，时限年份按标题推定为{year}年")
        else:
            builder.warn("date_missing", "未找到发文日期，未写年份的时限无法换算为具体日期")
    if not meta.title:
        builder.warn("title_missing", "未识别到方案标题")

    drafts, dept_mode = builder.build()
    report(progress, 4, _STAGES)
    if not dept_mode and drafts:
        builder.warn("no_departments_anywhere", "全文未识别到任何责任部门，已按编号结构推断措施")
    if not drafts:
        builder.warn("no_measures", "未识别到任何措施条目")

    _fill(plan, drafts, builder, year)
    report(progress, 5, _STAGES)
    _check_numbering(plan, builder)
    _apply_directory(plan, builder, meta)
    _check_measures(plan, builder, year_known=year is not None)
    if source is not None and source.paragraphs and source.text == text:
        check_layout(plan, source.paragraphs, builder.warn)
    _locate(plan, builder.warnings)
    plan.warnings = sorted(
        builder.warnings, key=lambda w: (w.offset is None, w.offset if w.offset is not None else 0)
    )
    assess(plan, plan.warnings)
    report(progress, _STAGES, _STAGES)
    return plan


def _fill(plan: ParsedPlan, drafts: list[_AreaDraft], builder: _Builder, year: int | None) -> None:
    doc = builder.doc
    flat = doc.flat
    measures = [m for draft in drafts for m in draft.measures]
    starts = [m.flat_start for m in measures]
    needs_scan = bool(measures)
    deadlines = find_deadlines(flat.raw, year, norm=flat.norm) if needs_scan else []
    targets = find_targets(flat.raw, norm=flat.norm) if needs_scan else []

    def owner(flat_offset: int) -> int:
        index = bisect_right(starts, flat_offset) - 1
        if index >= 0 and flat_offset < measures[index].flat_end:
            return index
        return -1

    parsed = [
        ParsedMeasure(
            m.no or m.head.number or 0,  # no
            _title_of(flat.raw, m.flat_start, m.flat_end, _head_end(doc, m)),  # title
            doc.text[m.head.body : _text_end(m)],  # text
            (m.head.start, m.end),  # span
            m.head.body,  # text_start
        )
        for m in measures
    ]
    for m, measure in zip(measures, parsed, strict=True):
        if m.head.guessed:
            builder.warn(
                "measure_number_guessed",
                f"“{measure.no}.”后紧跟数字（“{measure.title[:12]}”），已按编号顺序认作第"
                f"{measure.no}条措施：请核对",
                span=(m.head.start, m.head.body),
            )
    area_of: list[int] = []
    for area_index, draft in enumerate(drafts):
        area_of.extend([area_index] * len(draft.measures))

    by_measure: list[list[dep.Group]] = [[] for _ in measures]
    for group in doc.groups:
        index = owner(group.start)
        if index >= 0:
            by_measure[index].append(group)
    for index, groups in enumerate(by_measure):
        if not groups:
            continue
        if any(g.kind != "prose" and g.found for g in groups):
            # the measure's own brackets or labels say who does it; names in its prose
            # ("市审批局负责搭建……") describe the work
            groups = by_measure[index] = [g for g in groups if g.kind != "prose"]
        scoped = len(groups) > 1 and sum(1 for g in groups if g.found) > 1
        previous_end = measures[index].flat_start
        measure = parsed[index]
        departments = measure.departments
        for group in groups:
            if not scoped:
                covers = None
            elif group.kind == "prose":  # names first, then the sentence they are for
                covers = flat.span(group.start, min(group.covers[1], measures[index].flat_end))
            else:
                covers = flat.span(previous_end, group.start)
            previous_end = group.end
            # The names are made canonical once the directory is known (_apply_directory).
            # One lookup per group when it lies on one source line (the usual case).
            base = group.base
            shift = flat.shift(group.start, group.end)
            if shift is not None:
                base += shift
                departments.extend(
                    [
                        DepartmentRef(name, role, covers, raw, (start + base, end + base))
                        for raw, role, start, end, name, _ in group.found
                    ]
                )
            else:
                departments.extend(
                    [
                        DepartmentRef(name, role, covers, raw, flat.span(start + base, end + base))
                        for raw, role, start, end, name, _ in group.found
                    ]
                )
            if group.doubtful:
                builder.warn(
                    "department_roles_unclear",
                    group.doubtful,
                    flat.src(group.start),
                    drafts[area_of[index]].no,
                    measure.no,
                    span=flat.span(group.start, group.end),
                )
    found_at: list[int] = []  # flat offsets of the deadlines found, for the labelled values
    for deadline in deadlines:
        index = owner(deadline.source[0] if deadline.source else -1)
        if index >= 0:
            if deadline.source:
                found_at.append(deadline.source[0])
            if deadline.span and deadline.source:
                deadline.span = _outside_groups(deadline.span, deadline.source, by_measure[index])
            parsed[index].deadlines.append(_remap_deadline(deadline, flat))
    found_at.sort()
    for label in _TIME_LABEL.finditer(flat.norm):
        index = owner(label.start())
        value = label.group("value").strip()
        if index < 0 or not value:
            continue
        start, end = label.start("value"), label.end("value")
        at = bisect_left(found_at, start)
        if at < len(found_at) and found_at[at] < end:
            continue  # understood
        builder.warn(
            "deadline_not_understood",
            f"完成时限“{flat.raw[start:end].strip()}”没有识别出日期，请核对并填写",
            span=flat.span(start, end),
        )
    for target in targets:
        start = target.span[0] if target.span else -1
        index = owner(start)
        if index >= 0 and not any(g.start <= start < g.end for g in by_measure[index]):
            parsed[index].targets.append(_remap_target(target, flat))

    renumber = len({d.no for d in drafts}) < len(drafts)
    if renumber:
        builder.warn(
            "area_numbers_repeated",
            "各部分的序号有重复（如多个“（一）”分属不同上级标题），已按出现顺序重新编号",
        )
    position = 0
    for number, draft in enumerate(drafts, start=1):
        area = ParsedArea(
            no=number if renumber else draft.no,
            title=draft.title,
            inferred=draft.inferred,
            written_no=draft.no,
            parent_title=draft.parent_title,
        )
        area.measures = parsed[position : position + len(draft.measures)]
        position += len(draft.measures)
        start = draft.start if draft.start is not None else area.measures[0].span[0]
        area.span = (start, area.measures[-1].span[1])
        if draft.implicit and draft.no == 0:
            first = area.measures[0]
            builder.warn(
                "measures_outside_section",
                "部分措施位于任何标题之前，已单独归为一组",
                first.span[0],
                None,
                first.no,
                span=first.span,
            )
        plan.areas.append(area)


def _check_numbering(plan: ParsedPlan, builder: _Builder) -> None:
    previous_no = 0
    for area in plan.areas:
        for index, measure in enumerate(area.measures):
            # expected: the next number, or 1 at the start of an area
            if measure.no != previous_no + 1 and not (index == 0 and measure.no == 1):
                where = f"“{area.title}”中" if area.title else ""
                if previous_no == 0:
                    message = f"措施编号不连续：{where}第一条措施的编号是{measure.no}"
                else:
                    message = f"措施编号不连续：{where}第{previous_no}条之后是第{measure.no}条"
                number = (measure.span[0], max(measure.span[0], measure.text_start))
                builder.warn(
                    "measure_numbering", message, measure.span[0], area.no, measure.no, number
                )
            previous_no = measure.no


def _apply_directory(plan: ParsedPlan, builder: _Builder, meta: Metadata) -> None:
    # Plans write the same names again and again: the work is done once per written form.
    times = Counter(ref.raw for measure in plan.measures for ref in measure.departments)
    split = {raw: split_written(raw) for raw in times}  # as written -> (name, aliases)
    tally: dict[tuple[str, tuple[str, ...]], int] = {}  # (name, aliases) -> times written
    for raw, count in times.items():  # in order of first appearance
        tally[split[raw]] = tally.get(split[raw], 0) + count
    directory, notes = directory_from_tally(tally, cities=city_prefixes(meta.issuer))
    lookup = directory.lookup
    groups = {e.name for e in directory.entries if e.is_group}
    written = _first_written(plan, split)
    for note in notes:
        # Where the first name of the note is first written (the abbreviation, the one of two
        # similar names that comes first): the place to check.
        place = next((written[name] for name in note.names if name in written), None)
        if place is None:
            builder.warn(note.code, note.message)
        else:
            area, measure, source = place
            builder.warn(note.code, note.message, None, area.no, measure.no, source)
    resolved: dict[str, tuple[str, bool, bool]] = {}  # (canonical, is a group, plausible name)
    for raw, (name, _) in split.items():
        canonical = lookup.get(fold_short(name), name)
        resolved[raw] = (canonical, canonical in groups, looks_like_department(name))
    unknown: set[str] = set()
    for area in plan.areas:
        for measure in area.measures:
            for ref in measure.departments:
                ref.name, ref.is_group, plausible = resolved[ref.raw]
                if plausible or split[ref.raw][0] in unknown:
                    continue
                unknown.add(split[ref.raw][0])
                builder.warn(
                    "department_unknown_form",
                    f"无法识别的部门写法：“{ref.raw}”，请核对",
                    ref.source[0] if ref.source else None,
                    area.no,
                    measure.no,
                    ref.source,
                )
    plan.departments = directory.entries


def _first_written(
    plan: ParsedPlan, split: dict[str, tuple[str, tuple[str, ...]]]
) -> dict[str, tuple[ParsedArea, ParsedMeasure, Span]]:
    """Folded department name -> where it is first written (area, measure, its source span)."""
    found: dict[str, tuple[ParsedArea, ParsedMeasure, Span]] = {}
    for area in plan.areas:
        for measure in area.measures:
            for ref in measure.departments:
                if ref.source is None:
                    continue
                key = fold_short(split[ref.raw][0]) if ref.raw in split else fold_short(ref.raw)
                found.setdefault(key, (area, measure, ref.source))
    return found


def _locate(plan: ParsedPlan, warnings: list[ParseWarning]) -> None:
    """Give each warning the indices of its area and measure: the measure whose span holds its
    offset (else the area, e.g. a heading's), or the one its numbers name."""
    measures = [
        (measure.span[0], measure.span[1], area_index, measure_index)
        for area_index, area in enumerate(plan.areas)
        for measure_index, measure in enumerate(area.measures)
    ]
    starts = [start for start, *_ in measures]
    for warning in warnings:
        offset = warning.span[0] if warning.span else warning.offset
        if offset is not None:
            index = bisect_right(starts, offset) - 1
            if index >= 0 and offset < measures[index][1]:
                _, _, area_index, measure_index = measures[index]
                _place(plan, warning, area_index, measure_index)
                continue
            for area_index, area in enumerate(plan.areas):
                if area.span and area.span[0] <= offset < area.span[1]:
                    _place(plan, warning, area_index, None)
                    break
            continue
        for area_index, area in enumerate(plan.areas):
            if warning.area_no is None or area.no != warning.area_no:
                continue
            if warning.measure_no is None:
                _place(plan, warning, area_index, None)
                break
            numbered = [i for i, m in enumerate(area.measures) if m.no == warning.measure_no]
            if numbered:
                _place(plan, warning, area_index, numbered[0])
                break


def _place(
    plan: ParsedPlan, warning: ParseWarning, area_index: int, measure_index: int | None
) -> None:
    area = plan.areas[area_index]
    warning.area_index = area_index
    if warning.area_no is None and area.no:  # 0: measures before any heading
        warning.area_no = area.no
    if measure_index is not None:
        warning.measure_index = measure_index
        if warning.measure_no is None:
            warning.measure_no = area.measures[measure_index].no


def _valid_with_a_year(raw: str) -> bool:
    """Whether a deadline phrase resolves once a year is known (6月底前: yes; 13月底前: no)."""
    probe = find_deadlines(raw, 2000)
    return bool(probe) and probe[0].due is not None


# A paragraph that starts like a numbered item the parser did not take for one ("1·", "2)")
# and a lead label of its own: several measures may have been read as one.
_NUMBER_LIKE_START = re.compile(r"[ \t]*\d{1,3}[ \t]*[^\d\s%年月日万亿个项件家元]")
_LEAD_LABEL = re.compile(r"牵头(?:责任)?(?:单位|部门)[ \t]*[:：]")


def _check_merged(measure: ParsedMeasure, area_no: int, builder: _Builder) -> None:
    lines = measure.text.split("\n")
    if len(lines) < 3 or len(_LEAD_LABEL.findall(measure.text)) < 2:
        return
    starts = [line for line in lines[1:] if _NUMBER_LIKE_START.match(fold(line))]
    if len(starts) < 1:
        return
    builder.warn(
        "measure_maybe_merged",
        f"第{measure.no}条措施中另有以数字开头的段落（“{starts[0].strip()[:12]}”），"
        "且写有多处牵头单位：可能是几条措施被读成了一条，请核对编号",
        measure.span[0],
        area_no,
        measure.no,
        measure.span,
    )


def _check_measures(plan: ParsedPlan, builder: _Builder, *, year_known: bool) -> None:
    doc_date: date | None = plan.date
    for area in plan.areas:
        for measure in area.measures:
            if not measure.departments:
                builder.warn(
                    "measure_without_department",
                    f"第{measure.no}条措施“{measure.title}”未识别到责任部门",
                    measure.span[0],
                    area.no,
                    measure.no,
                    measure.span,
                )
            elif not measure.lead and len(set(measure.responsible)) > 1:
                # Several departments, none named to lead: who is chased first is unclear.
                where = measure.departments[0].source or measure.span
                builder.warn(
                    "measure_without_lead",
                    f"第{measure.no}条措施“{measure.title}”未找到牵头部门"
                    f"（列了 {len(set(measure.responsible))} 个责任部门），请核对",
                    where[0],  # a located warning's offset is where its span starts
                    area.no,
                    measure.no,
                    where,
                )
            _check_merged(measure, area.no, builder)
            for deadline in measure.deadlines:
                offset = deadline.source[0] if deadline.source else None
                if deadline.due is not None and _YEAR_BEFORE.search(fold(deadline.raw)):
                    builder.warn(
                        "deadline_year_end",
                        f"时限“{deadline.raw}”已按{deadline.due.year}年底计算"
                        f"（也可能指{deadline.due.year}年之前），请核对",
                        offset,
                        area.no,
                        measure.no,
                        deadline.source,
                    )
                if deadline.kind == "date" and deadline.due is None:
                    if not year_known and _valid_with_a_year(deadline.raw):
                        continue  # only the year is missing: reported once (date_missing)
                    builder.warn(
                        "deadline_unresolved",
                        f"无法换算时限“{deadline.raw}”的具体日期",
                        offset,
                        area.no,
                        measure.no,
                        deadline.source,
                    )
                elif (
                    deadline.kind == "date"
                    and deadline.due is not None
                    and doc_date is not None
                    and (doc_date - deadline.due).days > 31
                ):
                    builder.warn(
                        "deadline_before_document",
                        f"时限“{deadline.raw}”（{deadline.due.isoformat()}）早于发文日期，请核对年份",
                        offset,
                        area.no,
                        measure.no,
                        deadline.source,
                    )
