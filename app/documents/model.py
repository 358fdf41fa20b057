"""The official-document (公文, GB/T 9704-2012) model: plain data, no layout, no file format.

One ``GongwenDocument`` is what a drafting template produces, what the in-app editor changes,
what is stored (``app/documents/json_io.py``, versioned) and what both renderers (``reports/``:
DOCX now, PDF later) draw. It holds *text as the reader sees it* and the few facts the layout
needs (a heading's level, a table's header rows and column widths); every measurement (margins,
fonts, line pitch) lives in the office profile (``app/documents/profile.py``), so the same
document renders by another office's rules.

Conventions every producer must follow (``app/documents/validation.py`` checks them):

- Heading numbers (一、 （一） 1. （1）) are *not* part of ``Heading.text``: the renderer numbers
  headings in order, per level, restarting the lower levels, and restarting in each attachment.
  ``Heading.number`` overrides the automatic number when a draft needs a fixed one.
- ``recipients`` (主送机关) is written as shown, ending with the full-width colon "：".
- ``copy_to`` (抄送) holds the bodies one per item, without punctuation: the renderer joins them
  with "，" and ends with "。".
- Dates are ``datetime.date``; ``format_date`` gives the one written form, 2021年6月18日.
- A draft may leave ``number`` empty (the 发文字号 is assigned when the document is issued).

Bump ``SCHEMA_VERSION`` when a stored field changes meaning; ``json_io`` reads every older version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

SCHEMA_VERSION = 1

HEADING_LEVELS = (1, 2, 3, 4)
TEXT_SIZES = ("3号", "4号")  # body-size text, or the smaller size tables may use
WIDTH_UNITS = ("fraction", "chars")
ALIGNMENTS = ("left", "center", "right")

TextSize = Literal["3号", "4号"]
WidthUnit = Literal["fraction", "chars"]
Alignment = Literal["left", "center", "right"]

_CHINESE_NUMERALS = "〇一二三四五六七八九"


@dataclass
class Paragraph:
    """A body paragraph (indented 2 字 when rendered). Lines inside are not kept: one paragraph
    is one run of text; start a new ``Paragraph`` for a new paragraph."""

    text: str


@dataclass
class Heading:
    """A numbered heading: level 1 一、(黑体), 2 （一）(楷体), 3 1.(仿宋), 4 （1）(仿宋).

    ``body`` is text that runs on in the same paragraph in the body face, as in
    "（一）加强组织领导。各单位要……" (``text`` "加强组织领导。", ``body`` "各单位要……").
    ``number`` replaces the automatic number ("一、", "（二）", "3.", "（4）") when set."""

    level: int
    text: str
    body: str = ""
    number: str | None = None


@dataclass
class Table:
    """A table inside the type area. ``header`` rows repeat at the top of every page the table
    spans; ``rows`` are the body. ``widths`` are per column, as fractions of the type area
    (``width_unit="fraction"``, scaled to add up to 1) or in characters of the table's text size
    (``"chars"``, scaled down if they exceed the type area); ``None`` shares the width evenly.
    ``align`` is per column (default: header centred, body left). ``text_size`` "4号" is the
    smaller size GB/T 9704 allows in tables. ``caption`` is an optional line above the table."""

    header: list[list[str]]
    rows: list[list[str]]
    widths: list[float] | None = None
    width_unit: WidthUnit = "fraction"
    align: list[Alignment] | None = None
    text_size: TextSize = "3号"
    caption: str = ""

    @property
    def column_count(self) -> int:
        every = [*self.header, *self.rows]
        return max((len(row) for row in every), default=0)


@dataclass
class Figure:
    """An image (a path on this machine) centred in the type area, ``width`` a fraction of the
    type-area width, with an optional caption below it."""

    path: str
    caption: str = ""
    width: float = 1.0


Block = Paragraph | Heading | Table | Figure


@dataclass
class Attachment:
    """A 附件, bound after the body on its own pages: "附件" (or "附件2") top left, the title
    centred, then its blocks. ``title`` is also its name in the 附件说明."""

    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class GongwenDocument:
    """One 公文 (通报, 通知, …). Field order follows the page: 版头, 主体, 版记."""

    # 版头
    issuer_mark: str  # 发文机关标志: "××市人民政府办公室文件" or the office's name
    number: str  # 发文字号: 滕政办发〔2021〕9号 (empty in a draft)
    # 主体
    title: str  # "\n" marks where a long title breaks (else the renderer chooses)
    recipients: str  # 主送机关, ends with "："
    body: list[Block]
    signature: str  # 发文机关署名
    date: date  # 成文日期
    seal: bool = True  # a (red) seal is stamped over signature and date
    signers: list[str] = field(default_factory=list)  # 签发人 (上行文 only)
    copy_number: str = ""  # 份号, six digits, only for numbered copies
    classification: str = ""  # 密级和保密期限, e.g. "秘密★1年"
    urgency: str = ""  # 紧急程度: 特急 / 加急
    attachments: list[Attachment] = field(default_factory=list)
    note: str = ""  # 附注, e.g. "（此件公开发布）"
    # 版记
    copy_to: list[str] = field(default_factory=list)  # 抄送机关, one per item
    printer: str = ""  # 印发机关
    print_date: date | None = None  # 印发日期 (defaults to the 成文日期)
    version: int = SCHEMA_VERSION

    @property
    def printed_on(self) -> date:
        return self.print_date or self.date


# ---- Written forms -----------------------------------------------------------------------------


def format_date(day: date) -> str:
    """成文日期 / 印发日期 as GB/T 9704 writes them: Arabic numerals, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (heading numbers go no higher)."""
    if not 1 <= number <= 99:
        raise ValueError(f"heading number out of range: {number}")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _CHINESE_NUMERALS[ones]
    head = "" if tens == 1 else _CHINESE_NUMERALS[tens]
    return head + "十" + (_CHINESE_NUMERALS[ones] if ones else "")


def heading_number(level: int, ordinal: int) -> str:
    """The automatic number of the ``ordinal``-th heading of ``level``: 一、 （一） 1. （1）."""
    if level == 1:
        return f"{chinese_numeral(ordinal)}、"
    if level == 2:
        return f"（{chinese_numeral(ordinal)}）"
    if level == 3:
        return f"{ordinal}."
    if level == 4:
        return f"（{ordinal}）"
    raise ValueError(f"heading level must be 1–4, not {level}")


class HeadingCounter:
    """Numbers headings in reading order; a heading resets the counters of deeper levels."""

    def __init__(self) -> None:
        self._counts = [0, 0, 0, 0]

    def number(self, heading: Heading) -> str:
        index = heading.level - 1
        self._counts[index] += 1
        for deeper in range(index + 1, len(self._counts)):
            self._counts[deeper] = 0
        if heading.number is not None:
            return heading.number
        return heading_number(heading.level, self._counts[index])


def copy_to_line(bodies: list[str]) -> str:
    """The 抄送 text: "抄送：甲，乙，丙。" (empty when there is nobody to copy)."""
    names = [name.strip() for name in bodies if name.strip()]
    return f"抄送：{'，'.join(names)}。" if names else ""


def print_line_date(document: GongwenDocument) -> str:
    """The right half of the 印发 line: "2021年6月18日印发"."""
    return f"{format_date(document.printed_on)}印发"


def attachment_label(index: int, count: int) -> str:
    """ "附件" alone, or "附件1", "附件2", … when the document has several."""
    return "附件" if count == 1 else f"附件{index}"


def attachment_note_lines(document: GongwenDocument) -> list[str]:
    """The 附件说明 lines: ["附件：名称"], or ["附件：1.甲", "2.乙", …] for several (the
    renderer aligns the later names under the first)."""
    titles = [attachment.title.replace("\n", "") for attachment in document.attachments]
    if not titles:
        return []
    if len(titles) == 1:
        return [f"附件：{titles[0]}"]
    return [f"附件：1.{titles[0]}"] + [f"{i}.{t}" for i, t in enumerate(titles[1:], 2)]
