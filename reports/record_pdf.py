"""One 明察暗访 record, or one department's 整改通知, as a plain A4 PDF (reportlab).

Plain dataclasses in (``RecordSheet``, ``RectificationNotice``: gathered by
app/services/record_print.py, which applies the 暗访 rule), a PDF out. The layout is a tidy
working document, not the official 通报 of GB/T 9704 (that comes with the bulletins):

- 检查记录: title (明察/暗访), a 保密 mark while a 暗访 record is undisclosed, the header (plan,
  method, date, place, inspectors, inspected unit, measure, what was found), 一、检查清单 (item,
  standard or target, verdict, measured value against the target, note; the table's header row
  is repeated on every page it runs onto), 二、发现问题, 三、证据材料 (thumbnails of photos,
  capture time, location, what each belongs to, its warnings), and lines for the signatures of
  检查人 and 被检查单位.
- 整改通知: to the department, its open findings with their 整改期限 (逾期 marked), what to report
  back (整改措施、整改结果及佐证材料) and by when, the findings already reported and awaiting 复查.

Every font is embedded (reports/fonts.py; 黑体 for headings, 宋体 for text, substituted where a
face is not installed), and text is broken into lines by the Chinese rules (reports/pdf_text.py).
No Qt here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports.fonts import Face, FontSet, load_fonts
from reports.pdf_text import CJKParagraph, numbered_canvas

FACES = (Face.HEI, Face.SONG)  # headings, text
PAGE = A4
MARGIN = 20 * mm
TEXT_WIDTH = PAGE[0] - 2 * MARGIN
THUMB_BOX = (30 * mm, 22 * mm)
GRID = colors.HexColor("#808080")
SHADE = colors.HexColor("#EDEDED")
MARK = colors.HexColor("#B00000")


# ---- What goes on paper ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordItem:
    """One checklist item as printed."""

    number: int
    text: str
    expected: str  # the standard or target (标准/目标)
    verdict: str  # 符合 / 基本符合 / 不符合 / 不适用, "" while unanswered
    measured: str  # "6小时（合 0.75工作日）", "" when nothing was measured
    met: bool | None  # the measured value against the target (None: no target or no value)
    note: str
    evidence: int  # evidence files attached to the item
    finding: int | None  # the number of the finding (问题) it was turned into


@dataclass(frozen=True)
class RecordFinding:
    number: int
    description: str
    category: str
    severity: str  # 一般 / 较重 / 严重
    department: str
    rectify: str  # "2021年10月11日（3个工作日）", "未定"
    stage: str  # 待整改 / 整改中 / 待复查 / 已销号
    rectified_on: date | None


@dataclass(frozen=True)
class EvidenceEntry:
    number: int
    name: str
    kind: str  # "JPEG 图片，1.2 MB"
    captured: str  # "2021-07-15 10:30", "" when the file has no capture time
    location: str  # "35.08420, 117.15310", ""
    attached_to: str  # 检查记录 / 检查项 3 / 问题 2 / 问题 2 的复查 (one per line)
    flags: tuple[str, ...]  # 文件缺失, 时间不一致, …
    thumbnail: Path | None  # a JPEG thumbnail of a photo, None for other files or when missing
    note: str = ""


@dataclass(frozen=True)
class RecordSheet:
    """A 检查记录 as gathered for printing (only for a user who may see the record)."""

    record_id: str
    kind: str  # 明察 / 暗访
    confidential: bool  # a 暗访 record no bulletin has cited yet
    draft: bool
    plan: str
    checked_on: date
    inspectors: str
    place: str
    method: str
    department: str
    measure: str
    summary: str
    items: tuple[RecordItem, ...]
    findings: tuple[RecordFinding, ...]
    evidence: tuple[EvidenceEntry, ...]
    printed_on: date
    issuer: str = "市政府办公室督查室"

    @property
    def title(self) -> str:
        return f"{self.kind}检查记录"

    @property
    def reference(self) -> str:
        """The short number printed on every page (the first characters of the record's id)."""
        return self.record_id.replace("-", "")[:8].upper()


@dataclass(frozen=True)
class NoticeFinding:
    number: int
    found_on: date
    source: str  # "暗访（市政务服务中心）"
    measure: str
    description: str
    category: str
    severity: str
    due: date | None
    due_text: str  # "2021年10月11日（5个工作日）", "未定"
    state: str  # 待整改 / 整改中 / 退回重改 / 待复查
    overdue_days: int  # working days past the 整改期限 at the notice's date, 0 when not overdue
    recheck_note: str = ""  # why the last 复查 sent it back


@dataclass(frozen=True)
class RectificationNotice:
    """A 整改通知 to one department: its findings still to rectify at ``as_of``."""

    department: str
    as_of: date
    findings: tuple[NoticeFinding, ...]  # still to rectify and report on
    awaiting: tuple[NoticeFinding, ...] = ()  # reported, waiting for the 复查
    report_overdue_by: date | None = None  # when the overdue ones must be reported
    issuer: str = "市政府办公室督查室"
    covert: int = 0  # findings from 暗访 records (the department learns of them now)
    records: tuple[str, ...] = field(default_factory=tuple)  # the records' ids

    @property
    def overdue(self) -> tuple[NoticeFinding, ...]:
        return tuple(f for f in self.findings if f.overdue_days > 0)

    @property
    def earliest_due(self) -> date | None:
        dues = [f.due for f in self.findings if f.due is not None and f.overdue_days == 0]
        return min(dues) if dues else None


@dataclass(frozen=True)
class Rendered:
    """What a builder wrote: the fonts it used (with substitutes), the number of pages, and the
    characters of the text the 宋体 face (or what stands in for it) has no glyph for: they print
    as blanks, so the caller should say so."""

    fonts: FontSet
    pages: int
    missing: str = ""


def _missing(fonts: FontSet, document: object) -> str:
    """Characters of every text in ``document`` (a dataclass) that the text face lacks."""
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(asdict(document))
    return fonts.missing_glyphs(Face.SONG, "".join(texts))


# ---- Styles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    mark: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    label: ParagraphStyle
    alert: ParagraphStyle
    head: ParagraphStyle
    small: ParagraphStyle
    right: ParagraphStyle


def _styles(fonts: FontSet) -> _Styles:
    hei, song = fonts.name(Face.HEI), fonts.name(Face.SONG)
    body = ParagraphStyle("body", fontName=song, fontSize=10.5, leading=17, alignment=TA_LEFT)
    cell = ParagraphStyle("cell", fontName=song, fontSize=9, leading=13)
    return _Styles(
        title=ParagraphStyle(
            "title", fontName=hei, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2
        ),
        mark=ParagraphStyle(
            "mark", fontName=hei, fontSize=10, leading=14, alignment=TA_RIGHT, textColor=MARK
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=cell, alignment=TA_CENTER, spaceAfter=8, textColor=colors.black
        ),
        heading=ParagraphStyle(
            "heading", fontName=hei, fontSize=12, leading=18, spaceBefore=10, spaceAfter=4
        ),
        body=body,
        cell=cell,
        label=ParagraphStyle("label", parent=cell, fontName=hei),
        alert=ParagraphStyle("alert", parent=cell, fontName=hei, textColor=MARK),
        head=ParagraphStyle("head", parent=cell, fontName=hei, alignment=TA_CENTER),
        small=ParagraphStyle("small", parent=cell, fontSize=8, leading=11),
        right=ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    )


def _p(text: str, style: ParagraphStyle) -> CJKParagraph:
    return CJKParagraph(text, style)


def date_text(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _grid(font: str, *, header: bool, extra: Sequence[tuple] = ()) -> TableStyle:
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 0), (-1, 0), "MIDDLE")]
    return TableStyle([*commands, *extra])


def _table(rows: list[list], widths: Sequence[float], style: TableStyle, **options) -> Table:
    return Table(rows, colWidths=list(widths), style=style, splitInRow=24, **options)


def _widths(*parts: float) -> list[float]:
    """Column widths in proportion to ``parts``, filling the text width."""
    total = sum(parts)
    return [TEXT_WIDTH * part / total for part in parts]


# ---- 检查记录 ---------------------------------------------------------------------------------


def write_record_pdf(
    sheet: RecordSheet, handle: BinaryIO, fonts: FontSet | None = None
) -> Rendered:
    """Write the record's PDF to ``handle``; returns the fonts used (for a report) and pages."""
    fonts = fonts or load_fonts(FACES)
    styles = _styles(fonts)
    story: list[Flowable] = []
    marks = []
    if sheet.confidential:
        marks.append("暗访记录　通报前注意保密")
    if sheet.draft:
        marks.append("草稿（记录尚未完成）")
    if marks:
        story.append(_p("　".join(marks), styles.mark))
    story.append(_p(sheet.title, styles.title))
    story.append(
        _p(
            f"记录编号：{sheet.reference}　　打印日期：{date_text(sheet.printed_on)}",
            styles.subtitle,
        )
    )
    story.append(_record_header(sheet, styles))
    story.append(_p("一、检查清单", styles.heading))
    if sheet.items:
        story.append(_checklist(sheet.items, styles))
    else:
        story.append(_p("本记录没有检查清单。", styles.body))
    story.append(_p("二、发现问题", styles.heading))
    if sheet.findings:
        story.append(_record_findings(sheet.findings, styles))
    else:
        story.append(_p("未发现问题。", styles.body))
    story.append(_p("三、证据材料", styles.heading))
    if sheet.evidence:
        story.append(_evidence(sheet.evidence, styles))
    else:
        story.append(_p("无。", styles.body))
    story.append(Spacer(1, 10 * mm))
    story.append(KeepTogether(_signatures(styles)))
    pages = _build(handle, story, fonts, f"{sheet.title}　{sheet.reference}", sheet.title)
    return Rendered(fonts, pages, _missing(fonts, sheet))


def _record_header(sheet: RecordSheet, styles: _Styles) -> Table:
    s = styles

    def row(label_a: str, value_a: str, label_b: str, value_b: str) -> list:
        return [
            _p(label_a, s.label),
            _p(value_a, s.cell),
            _p(label_b, s.label),
            _p(value_b, s.cell),
        ]

    rows = [
        row("督查方案", sheet.plan or "（不属于督查方案）", "检查方式", sheet.method or sheet.kind),
        row("检查日期", date_text(sheet.checked_on), "检查地点", sheet.place),
        row("检查人", sheet.inspectors, "被检查单位", sheet.department),
        [_p("检查措施", s.label), _p(sheet.measure, s.cell), "", ""],
        [_p("检查情况", s.label), _p(sheet.summary or "（未填写）", s.cell), "", ""],
    ]
    style = _grid(
        s.cell.fontName,
        header=False,
        extra=[
            ("BACKGROUND", (0, 0), (0, -1), SHADE),
            ("BACKGROUND", (2, 0), (2, 2), SHADE),
            ("SPAN", (1, 3), (3, 3)),
            ("SPAN", (1, 4), (3, 4)),
        ],
    )
    return _table(rows, _widths(18, 67, 20, 65), style)


def _checklist(items: Sequence[RecordItem], styles: _Styles) -> Table:
    s = styles
    header = [
        _p(text, s.head) for text in ("序号", "检查内容", "标准 / 目标", "结论", "实测", "说明")
    ]
    rows: list[list] = [header]
    for item in items:
        measured = item.measured
        if item.met is not None:
            measured += ("\n" if measured else "") + ("达标" if item.met else "未达标")
        notes = [item.note] if item.note else []
        if item.evidence:
            notes.append(f"附证据 {item.evidence} 份")
        if item.finding is not None:
            notes.append(f"已列为问题 {item.finding}")
        rows.append(
            [
                _p(str(item.number), s.head),
                _p(item.text, s.cell),
                _p(item.expected, s.cell),
                _p(item.verdict or "未填", s.alert if item.verdict == "不符合" else s.cell),
                _p(measured, s.cell),
                _p("\n".join(notes), s.cell),
            ]
        )
    return _table(
        rows,
        _widths(10, 56, 34, 14, 24, 32),
        _grid(s.cell.fontName, header=True),
        repeatRows=1,
    )


def _record_findings(findings: Sequence[RecordFinding], styles: _Styles) -> Table:
    s = styles
    header = [
        _p(text, s.head)
        for text in ("序号", "问题描述", "类别 / 程度", "责任单位", "整改期限", "状态")
    ]
    rows: list[list] = [header]
    for finding in findings:
        stage = finding.stage
        if finding.rectified_on:
            stage += f"\n{date_text(finding.rectified_on)}"
        rows.append(
            [
                _p(str(finding.number), s.head),
                _p(finding.description, s.cell),
                _p(f"{finding.category}\n{finding.severity}", s.cell),
                _p(finding.department, s.cell),
                _p(finding.rectify, s.cell),
                _p(stage, s.cell),
            ]
        )
    return _table(
        rows, _widths(10, 62, 20, 30, 26, 22), _grid(s.cell.fontName, header=True), repeatRows=1
    )


def _thumbnail(entry: EvidenceEntry, styles: _Styles) -> Flowable:
    if entry.thumbnail is None or not entry.thumbnail.is_file():
        text = "文件缺失" if "文件缺失" in entry.flags else "（非图片）"
        return _p(text, styles.small)
    try:
        width, height = ImageReader(str(entry.thumbnail)).getSize()
    except Exception:  # an unreadable thumbnail: the list still prints
        return _p("（缩略图无法读取）", styles.small)
    box_w, box_h = THUMB_BOX
    scale = min(box_w / width, box_h / height)
    return Image(str(entry.thumbnail), width=width * scale, height=height * scale)


def _evidence(entries: Sequence[EvidenceEntry], styles: _Styles) -> Table:
    s = styles
    header = [
        _p(text, s.head) for text in ("序号", "缩略图", "文件", "拍摄时间 / 定位", "所属", "提示")
    ]
    rows: list[list] = [header]
    for entry in entries:
        taken = entry.captured or "无拍摄时间"
        if entry.location:
            taken += f"\n{entry.location}"
        name = f"{entry.name}\n{entry.kind}"
        if entry.note:
            name += f"\n{entry.note}"
        rows.append(
            [
                _p(str(entry.number), s.head),
                _thumbnail(entry, s),
                _p(name, s.cell),
                _p(taken, s.cell),
                _p(entry.attached_to, s.cell),
                _p("、".join(entry.flags), s.cell),
            ]
        )
    style = _grid(s.cell.fontName, header=True, extra=[("ALIGN", (1, 1), (1, -1), "CENTER")])
    widths = [10 * mm, THUMB_BOX[0] + 6, 0, 32 * mm, 22 * mm, 24 * mm]
    widths[2] = TEXT_WIDTH - sum(widths)
    return _table(rows, widths, style, repeatRows=1)


def _signatures(styles: _Styles) -> list[Flowable]:
    line = "＿" * 10
    day = "　　　　年　　月　　日"
    rows = [
        [_p(f"检查人（签字）：{line}", styles.body), _p(f"日期：{day}", styles.body)],
        [_p(f"被检查单位（签章）：{line}", styles.body), _p(f"日期：{day}", styles.body)],
    ]
    table = Table(
        rows,
        colWidths=_widths(60, 40),
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles.body.fontName),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 10),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return [table]


# ---- 整改通知 -----------------------------------------------------------------------------------


def write_notice_pdf(
    notice: RectificationNotice, handle: BinaryIO, fonts: FontSet | None = None
) -> Rendered:
    """Write the 整改通知's PDF to ``handle``; returns the fonts used and pages."""
    fonts = fonts or load_fonts(FACES)
    s = _styles(fonts)
    story: list[Flowable] = [
        _p("整改通知", s.title),
        Spacer(1, 4 * mm),
        _p(f"{notice.department}：", s.body),
    ]
    count, waiting = len(notice.findings), len(notice.awaiting)
    if count and waiting:  # the count in the text is the count of the lists below
        intro = (
            f"　　在明察暗访督查中，发现你单位存在以下 {count + waiting} 个问题，截至"
            f"{date_text(notice.as_of)}，其中 {count} 个尚未整改到位，{waiting} 个已报送整改情况、"
            "待督查室复查。请认真对照，逐项整改。"
        )
    elif count:
        intro = (
            f"　　在明察暗访督查中，发现你单位存在以下 {count} 个问题，截至"
            f"{date_text(notice.as_of)}尚未整改到位。请认真对照，逐项整改。"
        )
    else:
        intro = (
            f"　　截至{date_text(notice.as_of)}，明察暗访督查发现你单位的问题均已报送整改情况，"
            "待督查室复查（见下表），暂无需报送。"
        )
    story.append(_p(intro, s.body))
    if count:
        asks = [
            "　　一、报送内容：每个问题的整改措施、整改结果和佐证材料（照片、文件、台账等）；"
            "确实不能按期完成的，说明原因、下一步措施和完成时限。",
        ]
        due = notice.earliest_due
        when = "　　二、报送时限：请在各问题的整改期限前，将整改情况书面报送" + notice.issuer
        when += f"（最近的整改期限为{date_text(due)}）。" if due else "。"
        asks.append(when)
        if notice.overdue:
            asks.append(
                f"　　三、已逾期的 {len(notice.overdue)} 个问题（表中标注“已逾期”），请立即整改，"
                f"并于{date_text(notice.report_overdue_by)}前报送整改情况。"
            )
        story += [_p(text, s.body) for text in asks]
        story.append(_p("待整改问题清单", s.heading))
        story.append(_notice_table(notice.findings, s))
    if notice.awaiting:
        story.append(_p("已报送整改情况、待复查的问题（无需再次报送）", s.heading))
        story.append(_notice_table(notice.awaiting, s))
    story.append(Spacer(1, 12 * mm))
    closing = [
        _p(notice.issuer, s.right),
        _p(date_text(notice.as_of), s.right),
        Spacer(1, 6 * mm),
        _p("联系人：＿＿＿＿＿＿　　联系电话：＿＿＿＿＿＿＿＿", s.body),
    ]
    story.append(KeepTogether(closing))
    pages = _build(
        handle, story, fonts, f"整改通知　{notice.department}", f"整改通知（{notice.department}）"
    )
    return Rendered(fonts, pages, _missing(fonts, notice))


def _notice_table(findings: Sequence[NoticeFinding], styles: _Styles) -> Table:
    s = styles
    header = [
        _p(text, s.head)
        for text in ("序号", "发现日期 / 来源", "问题描述", "类别 / 程度", "整改期限", "状态")
    ]
    rows: list[list] = [header]
    for finding in findings:
        description = finding.description
        if finding.measure:
            description += f"\n（涉及措施：{finding.measure}）"
        if finding.recheck_note:
            description += f"\n复查意见：{finding.recheck_note}"
        state = finding.state
        if finding.overdue_days:
            state += f"\n已逾期 {finding.overdue_days} 个工作日"
        rows.append(
            [
                _p(str(finding.number), s.head),
                _p(f"{date_text(finding.found_on)}\n{finding.source}", s.cell),
                _p(description, s.cell),
                _p(f"{finding.category}\n{finding.severity}", s.cell),
                _p(finding.due_text, s.cell),
                _p(state, s.alert if finding.overdue_days else s.cell),
            ]
        )
    return _table(
        rows,
        _widths(10, 30, 64, 18, 26, 22),
        _grid(s.cell.fontName, header=True),
        repeatRows=1,
    )


# ---- The document ---------------------------------------------------------------------------


def _build(
    handle: BinaryIO, story: list[Flowable], fonts: FontSet, footer: str, title: str
) -> None:
    song = fonts.name(Face.SONG)
    document = SimpleDocTemplate(
        handle,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=title,
        author="督查台账",
        creator="督查台账",
        initialFontName=song,
    )
    document.build(story, canvasmaker=numbered_canvas(song, 8, footer))
    return document.page
