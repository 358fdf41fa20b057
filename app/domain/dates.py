"""Dates as people type them: 2021-07-01, 2021.7.1, 2021/7/1, 20210701, 2021年7月1日.

One reading for the whole app: the date editor in every dialog and the 截至 field use it, and so
do the returned 调度 sheets (app/services/progress/checks.py) for dates typed as text. A text
that is not a whole date is refused with a reason; it is never read as some other date.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

MIN_YEAR = 1900  # an earlier four-digit year is a typo (0221, 1021), not a ledger date
MAX_YEAR = 2999
EXAMPLE = "2021-07-01"
ACCEPTED = "2021-07-01、2021.7.1、2021/7/1、20210701 或 2021年7月1日"

# Characters an input method may produce for the separators, before NFKC folds the rest
# (full-width digits, ．／－ and spaces are folded by NFKC itself).
_SEPARATORS = str.maketrans({"。": ".", "、": "/", "—": "-", "–": "-", "−": "-"})
_TIME = r"(?P<time>\s+\d{1,2}:\d{2}(?::\d{2})?)?"  # "2021-07-30 00:00:00": a spreadsheet's text
# re.ASCII: only 0-9 are digits here (NFKC has already folded full-width ones).
_NUMERIC = re.compile(
    rf"(?P<y>\d{{4}})\s*(?P<sep>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*(?P<d>\d{{1,2}}){_TIME}",
    re.ASCII,
)
_CHINESE = re.compile(
    rf"(?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*(?P<end>[日号])?{_TIME}",
    re.ASCII,
)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII)


class DateTextError(ValueError):
    """The text is not a whole, valid date; the message (Chinese) says why and what to type."""


def read_date(text: str) -> date:
    """The date ``text`` spells out in full; raises DateTextError with the reason otherwise."""
    shown = text.strip()
    folded = unicodedata.normalize("NFKC", shown).translate(_SEPARATORS).strip()
    if not folded:
        raise DateTextError(f"请填写日期，如 {EXAMPLE}。")
    match = _match(folded)
    if match is None:
        raise DateTextError(f"“{shown}”不是日期，请按 {EXAMPLE} 的格式填写（也可写 {ACCEPTED}）。")
    year, month, day = (int(match.group(part)) for part in "ymd")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateTextError(f"“{shown}”的年份不对，请填写 {MIN_YEAR}—{MAX_YEAR} 年间的日期。")
    if not 1 <= month <= 12:
        raise DateTextError(f"“{shown}”不是有效的日期：月份应在 1 到 12 之间。")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateTextError(f"“{shown}”不是有效的日期：{year}年{month}月只有 {days} 天。")
    return date(year, month, day)


def parse_date_text(text: str) -> date | None:
    """The date ``text`` spells out in full, or None (never a guess)."""
    try:
        return read_date(text)
    except DateTextError:
        return None


def date_text_problem(text: str) -> str | None:
    """Why ``text`` is not a date (Chinese), or None when it is one."""
    try:
        read_date(text)
    except DateTextError as error:
        return str(error)
    return None


def is_complete_date_text(text: str) -> bool:
    """Whether ``text`` is a date that more typing cannot turn into another one: its day has
    two digits or is closed by 日 (2021-07-01, 20210701, 2021年7月1日, not 2021-7-1, which may be
    the start of 2021-7-15). An editor can take such a date at once, the others once typed."""
    if parse_date_text(text) is None:
        return False
    match = _match(unicodedata.normalize("NFKC", text).translate(_SEPARATORS).strip())
    assert match is not None  # it parsed
    closed = match.re is not _COMPACT and bool(match.group("time"))
    closed = closed or (match.re is _CHINESE and bool(match.group("end")))
    return closed or len(match.group("d")) == 2


def _match(text: str) -> re.Match[str] | None:
    return _NUMERIC.fullmatch(text) or _CHINESE.fullmatch(text) or _COMPACT.fullmatch(text)
