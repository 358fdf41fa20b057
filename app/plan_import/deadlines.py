"""Deadlines (时限) in a measure's text, normalized against the document's year.

Kinds:

* ``date`` -- one due date: 6月底前 / ６月底前 / 6月底 / 6月份 -> 30 June; 上旬/中旬/下旬 -> the
  10th / 20th / month end; 年底前 / 年内 / 全年 / 12月底前 -> 31 December; explicit years
  (2022年6月底前, 2019年上半年 -> 30 June; 到2025年 -> 31 December).
* ``recurring`` -- 每季度, 每年2月底前, 按月: no single date; ``recurrence`` names the cycle.
* ``ongoing`` -- 长期坚持, 持续推进 written as a time limit (its own clause, or after 时限：).
* ``period`` -- 3年内, 五年内: kept as a period of ``months``, not as this year's deadline.

Service-time promises (1个工作日内办结, 压缩至4个工作日) are targets (targets.py), not deadlines.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

from .model import Deadline
from .textutil import cn_to_int, fold

_S = r"[ \t]*"  # blanks (never a line break: the parser joins blocks with "\n")
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_YEAR = r"(?:(?<!\d)\d{4}|[〇零○一二三四五六七八九]{4})"
_BEFORE = rf"(?:{_S}(?:之前|以前|前|止))?"
_CN_COUNT = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"
_REL = r"(?:今|本|当|明|次)(?=年)"  # 今年 / 明年 …: this year or the next
_NEXT_YEAR = ("明", "次")

_CYCLES = {
    "季度": "quarter",
    "季": "quarter",
    "半年": "half-year",
    "年度": "year",
    "年": "year",
    "月": "month",
    "周": "week",
    "旬": "ten-days",
}

# One pattern, branches in priority order (at one position the first branch that matches wins,
# and the leftmost match wins overall, so 2021年底 is one deadline, not 2021年 and 年底). Each
# branch opens with a lookahead for the characters it can start with: a branch that cannot
# match is left at one character test.
_YEAR_START = r"(?=[\d〇零○一二三四五六七八九今本当明次])"
_CN_NUMERALS = "〇零○一二三四五六七八九十"
# What a bare year is a deadline for: 2023年实现全覆盖, 2024年基本建成 (not 2023年起, 2023年度目标).
_ACHIEVE = (
    r"(?:完成|实现|建成|达到|覆盖|形成|启用|上线|落地|推开|出台|见效|取得|建立|健全|投用|投运|竣工)"
)
_MONTH_START = r"(?=[\d十一二三四五六七八九])"
_BRANCHES = [
    # 每季度, 每年2月底前, 按月
    rf"(?=[每按])(?P<rec>每(?:个)?(?P<cyc>季度|半年|年度|季|年|月|周|旬)"
    rf"(?:(?:的)?{_S}{_MONTH}{_S}月{_S}(?:底|末|上旬|中旬|下旬|{_DAY}{_S}日)?{_BEFORE})?"
    r"|按(?P<cyc2>季度|季|月|周)(?![度份]))",
    # 到2025年 (its end)
    rf"(?=[截到至于])(?P<by>(?:截止到|截至|截止|到|至|于){_S}(?P<by_y>{_YEAR}){_S}年"
    r"(?![\d度上下第一二三四月底末内份初]))",
    # 2022年6月底前, 2021年6月30日
    rf"{_YEAR_START}(?P<ym>(?P<ym_y>{_YEAR}|{_REL}){_S}年{_S}(?P<ym_m>{_MONTH}){_S}月{_S}"
    rf"(?P<ym_suf>(?P<ym_d>{_DAY}){_S}[日号]|底|末|份|上旬|中旬|下旬|初|中)?{_BEFORE})",
    # 2019年上半年, 2021年底, 2022年第一季度
    rf"{_YEAR_START}(?P<yp>(?P<yp_y>{_YEAR}|{_REL}){_S}年{_S}(?:度{_S})?"
    rf"(?P<yp_part>上半年|下半年|年底|年末|底|末|内|第?[一二三四1-4]季度)(?:末|底)?{_BEFORE})",
    # 2024年前, 2023年度前, 2023年实现……, 2022—2023年完成 (the end of that year)
    rf"{_YEAR_START}(?P<yy>(?:{_YEAR}{_S}[—\-－~～至到]{_S})?(?P<yy_y>{_YEAR}){_S}年{_S}"
    rf"(?:度{_S})?(?:(?:之前|以前|前)(?![后\d{_CN_NUMERALS}])|(?=(?:全面|基本|力争|要|将)?{_S}{_ACHIEVE})))",
    # 3年内, 五年内, 用3年时间
    r"(?=[\d一二两三四五六七八九十用利经])"
    rf"(?P<per>(?<![\d.])(?P<per_n>{_CN_COUNT}){_S}(?:个)?{_S}年{_S}"
    rf"(?:以内|之内|内|左右时间|时间)|(?:用|利用|经过){_S}(?P<per_n2>{_CN_COUNT}){_S}年)",
    # 6月、8月、9月 (each month's end)
    rf"{_MONTH_START}(?P<ml>(?<![\d.])"
    rf"(?P<ml_list>{_MONTH}{_S}月(?:{_S}[、和及,]{_S}{_MONTH}{_S}月)+)"
    rf"(?:{_S}(?P<ml_suf>底|末|份))?{_BEFORE})",
    # 6月底前, ６月底, 6月份, 9月中旬前, 6月30日前 (and 13月底: kept, unresolved, for a warning)
    rf"{_MONTH_START}(?P<mo>(?<![\d.个第])(?P<mo_m>{_MONTH}|\d{{2}}){_S}月{_S}"
    rf"(?P<mo_suf>(?P<mo_d>{_DAY}){_S}[日号]|底|末|份|上旬|中旬|下旬){_BEFORE})",
    # 上半年, 三季度
    r"(?=[上下第一二三四1-4])"
    rf"(?P<hq>(?<!每)(?P<hq_part>上半年|下半年|第?[一二三四1-4]季度)(?:末|底)?{_BEFORE})",
    # 年底前, 年内, 全年
    r"(?=[年全])(?P<ye>(?<![\d〇零○一二两三四五六七八九十每今明本次当])"
    rf"(?:年底|年末|年内|全年|年度内)(?!龄){_BEFORE})",
    # 长期坚持, 持续推进 (kept only where they stand as a time limit of their own)
    r"(?=[长持常])"
    r"(?P<on>长期坚持|长期推进|长期执行|持续推进|持续开展|持续实施|常态化推进|常态化开展|长期)",
]
# The lookahead lets the engine skip, at one character test, positions where no branch can start.
_GATE = r"(?=[\d〇零○一二两三四五六七八九十每按到至截于用利经上下第今本当明次年全长持常])"
_DEADLINE = re.compile(_GATE + "(?:" + "|".join(_BRANCHES) + ")")
# Dates contain one of these characters; the pattern only runs in windows around them. The few
# phrases without one (每周, 按周, 长期坚持 …) are found by ``_OTHERS``, which scans fast.
_ANCHORS = "月年季"
_OTHERS = re.compile(  # tried where one of _OTHERS_FIRST is
    r"每个?[周旬]|按周|长期坚持|长期推进|长期执行|持续推进|持续开展|持续实施|常态化推进|常态化开展|长期"
)
_OTHERS_FIRST = "每按长持常"
_WINDOW_BEFORE = 12
_WINDOW_AFTER = 12
_ONGOING_BEFORE = set("，,;；。:：(（、\n") | {""}
_ONGOING_AFTER = set("，,;；。)）\n") | {""}
_CLAUSE_END = re.compile(r"[。;；!！?？\n]")
_TIME_LABEL_BEFORE = re.compile(r"(?:时限|时间|期限)[ \t]*[:：][ \t]*$")
_LIST_ITEM = re.compile(rf"({_MONTH}){_S}月")
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def _year_in(written: str | None, year: int | None) -> int | None:
    """An explicit year (2022, 二〇二二), or 今年/明年 relative to the document's year."""
    if not written:
        return year
    if written in ("今", "本", "当"):
        return year
    if written in _NEXT_YEAR:
        return None if year is None else year + 1
    return cn_to_int(written)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_end(year: int, month: int) -> date:
    # calendar.monthrange(year, month)[1], without the weekday it also computes
    return date(year, month, _MONTH_DAYS[month] + (month == 2 and calendar.isleap(year)))


@lru_cache(maxsize=1024)  # a plan repeats its dates (6月底前 …)
def _resolve(
    year: int | None, month: int | None, suffix: str | None, day: int | None
) -> date | None:
    """Due date for year/month plus a suffix (底, 上旬, …) or an explicit day; None if invalid."""
    if year is None or month is None or not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    if day is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    if suffix in ("上旬", "初"):
        return date(year, month, 10)
    if suffix in ("中旬", "中"):
        return date(year, month, 20)
    return _month_end(year, month)


def _part_due(year: int | None, part: str) -> date | None:
    if year is None or not 1 <= year <= 9999:
        return None
    if part == "上半年":
        return date(year, 6, 30)
    if part in ("下半年", "年底", "年末", "底", "末", "内"):
        return date(year, 12, 31)
    quarter = cn_to_int(part.strip("第季度"))
    if quarter in _QUARTER_END:
        month, day = _QUARTER_END[quarter]
        return date(year, month, day)
    return None


def _positions(norm: str, chars: str) -> list[int]:
    """Where these characters are, in order (str.find is much faster than a regex scan)."""
    found: list[int] = []
    for ch in chars:
        at = norm.find(ch)
        while at >= 0:
            found.append(at)
            at = norm.find(ch, at + 1)
    found.sort()
    return found


def _windows(norm: str) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for at in _positions(norm, _ANCHORS):
        lo = max(0, at - _WINDOW_BEFORE)
        hi = min(len(norm), at + 1 + _WINDOW_AFTER)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


class _Clauses:
    """The sentence boundaries around each deadline: the nearest clause ends before and after.

    The text is searched backwards in its reversed copy, so each lookup reads only the clause.
    """

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self.reversed = norm[::-1]

    def around(self, start: int, end: int) -> tuple[int, int]:
        size = len(self.norm)
        before = _CLAUSE_END.search(self.reversed, size - start)  # the last end before start
        left = size - before.start() if before else 0
        after = _CLAUSE_END.search(self.norm, end)  # the first end at or after end
        if after:
            right = after.start()
            if self.norm[right] != "\n":
                right += 1  # keep the 。 or ；
        else:
            right = size
        while left < right and self.norm[left] in " \t":
            left += 1
        return (left, right)


def _is_past(norm: str, end: int) -> bool:
    """ "6月份已经完成…": an accomplishment, not a deadline."""
    return norm[end : end + 4].lstrip(" ,，").startswith("已")


def _ongoing_here(norm: str, start: int, end: int) -> bool:
    before = norm[start - 1] if start > 0 else ""
    after = norm[end] if end < len(norm) else ""
    if before in _ONGOING_BEFORE and after in _ONGOING_AFTER:
        return True
    return bool(_TIME_LABEL_BEFORE.search(norm, max(0, start - 8), start))


def find_deadlines(text: str, year: int | None, *, norm: str | None = None) -> list[Deadline]:
    """All deadlines in ``text``, in reading order; spans are offsets into ``text``.

    ``year`` is the document's year, used when a date gives no year (None: such dates keep
    ``due=None``). Full-width digits are accepted. ``norm`` may pass ``fold(text)`` if known.
    """
    if norm is None:
        norm = fold(text)
    found: list[Deadline] = []
    clauses: _Clauses | None = None
    for lo, hi in _windows(norm):
        for m in _DEADLINE.finditer(norm, lo, hi):
            start, end = m.span()
            kind = m.lastgroup
            if end == start or kind == "on" or _is_past(norm, end):
                continue  # 长期坚持 and the like: found below
            if clauses is None:
                clauses = _Clauses(norm)
            clause = clauses.around(start, end)
            if kind == "ml":
                found.extend(_month_list(m, text, year, clause))
            else:
                found.append(_deadline(m, kind, text, year, clause))
    others = False
    for m in _others(norm):
        start, end = m.span()
        phrase = m.group()
        if _is_past(norm, end):
            continue
        if phrase[0] in "每按":
            if any(d.source and d.source[0] <= start < d.source[1] for d in found):
                continue
            kind = "recurring"
        elif _ongoing_here(norm, start, end):
            kind = "ongoing"
        else:
            continue
        if clauses is None:
            clauses = _Clauses(norm)
        recurrence = _CYCLES[phrase[-1]] if kind == "recurring" else None
        found.append(
            Deadline(
                text[start:end], None, kind, clauses.around(start, end), (start, end), recurrence
            )
        )
        others = True
    if others:
        found.sort(key=lambda d: d.source or (0, 0))
    return found


def _others(norm: str) -> list[re.Match[str]]:
    """``_OTHERS.finditer(norm)``, trying the pattern only where a phrase can start."""
    found: list[re.Match[str]] = []
    done = 0  # matches do not overlap: the next one starts after the last
    for at in _positions(norm, _OTHERS_FIRST):
        if at >= done:
            m = _OTHERS.match(norm, at)
            if m is not None:
                found.append(m)
                done = m.end()
    return found


def _deadline(
    m: re.Match[str], kind: str | None, text: str, year: int | None, clause: tuple[int, int]
) -> Deadline:
    source = m.span()
    raw = text[source[0] : source[1]]
    if kind == "mo":  # the usual 6月底前
        day = cn_to_int(m["mo_d"]) if m["mo_d"] else None
        return Deadline(
            raw, _resolve(year, cn_to_int(m["mo_m"]), m["mo_suf"], day), "date", clause, source
        )
    if kind == "rec":
        cycle = _CYCLES[m["cyc"] or m["cyc2"]]
        return Deadline(raw, None, "recurring", clause, source, recurrence=cycle)
    if kind == "per":
        count = cn_to_int(m["per_n"] or m["per_n2"] or "")
        return Deadline(raw, None, "period", clause, source, months=count * 12 if count else None)
    if kind == "on":
        return Deadline(raw, None, "ongoing", clause, source)
    due: date | None = None
    if kind == "by":
        due = _part_due(cn_to_int(m["by_y"]), "底")
    elif kind == "ym":
        day = cn_to_int(m["ym_d"]) if m["ym_d"] else None
        due = _resolve(_year_in(m["ym_y"], year), cn_to_int(m["ym_m"]), m["ym_suf"], day)
    elif kind == "yp":
        due = _part_due(_year_in(m["yp_y"], year), m["yp_part"])
    elif kind == "yy":
        due = _part_due(cn_to_int(m["yy_y"]), "底")
    elif kind == "hq":
        due = _part_due(year, m["hq_part"])
    elif kind == "ye":
        due = _part_due(year, "底")
    return Deadline(raw, due, "date", clause, source)


def _month_list(
    m: re.Match[str], text: str, year: int | None, clause: tuple[int, int]
) -> list[Deadline]:
    """6月、8月、9月 -> one deadline per month (a shared 底/份 suffix applies to each)."""
    items: list[Deadline] = []
    listed = m["ml_list"]
    list_start = m.start("ml_list")
    for item in _LIST_ITEM.finditer(listed):
        start = list_start + item.start()
        end = list_start + item.end()
        if item.end() == len(listed):
            end = m.end()  # the shared suffix belongs to the last month
        due = _resolve(year, cn_to_int(item.group(1)), m["ml_suf"], None)
        items.append(Deadline(text[start:end], due, "date", clause, (start, end)))
    return items


def parse_deadline(phrase: str, year: int | None) -> Deadline | None:
    """The first deadline in ``phrase`` (e.g. "6月底前", year 2021 -> due 2021-06-30), or None."""
    found = find_deadlines(phrase, year)
    return found[0] if found else None
