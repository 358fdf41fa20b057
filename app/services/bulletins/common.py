"""Small shared pieces of drafting: how dates, shares and sentences are written in a draft."""

from __future__ import annotations

import calendar
from datetime import date

from app.documents.model import format_date

_CLAUSE_END = "。；;，,、：: \u3000\n"


def day_text(day: date | None) -> str:
    """2021年9月30日, or "" for no date."""
    return format_date(day) if day else ""


def period_label(start: date, end: date) -> str:
    """A period as a title writes it: 2021年9月 (a whole month), 2021年9月1日至15日,
    2021年9月1日至10月15日, 2021年12月20日至2022年1月10日."""
    if start == end:
        return format_date(start)
    if start.year == end.year and start.month == end.month:
        if start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
            return f"{start.year}年{start.month}月"
        return f"{format_date(start)}至{end.day}日"
    if start.year == end.year:
        if start == date(start.year, 1, 1) and end == date(end.year, 12, 31):
            return f"{start.year}年"
        return f"{format_date(start)}至{end.month}月{end.day}日"
    return f"{format_date(start)}至{format_date(end)}"


def month_start(day: date) -> date:
    return day.replace(day=1)


def share(part: int, total: int) -> str:
    """45.3% (one decimal, none when whole); 0% of nothing."""
    if total <= 0:
        return "0%"
    text = f"{part * 100 / total:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def clause(text: str) -> str:
    """A sentence ready to be embedded: its final punctuation and spaces removed."""
    return (text or "").strip().rstrip(_CLAUSE_END).strip()


def measure_number(area_no: int | None, no: int | None) -> str:
    """序号 "1.5"; "5" for a measure outside any numbered area; "" without a number."""
    if no is None:
        return ""
    return f"{area_no}.{no}" if area_no is not None else str(no)


def number_text(value: float) -> str:
    """92.5 → "92.5", 3.0 → "3"."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
