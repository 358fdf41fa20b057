"""Plan metadata: title, document number, issuer and date (from a 通知 wrapper or the plan)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .lines import DATE_RE, DOCNO_RE, Line, is_org_line
from .textutil import cn_to_int, fold

_NOTICE = re.compile(r"^(?P<issuer>.*?)关于(?:印发|转发|下发)?(?P<inner>.+?)的(?:通知|函)$")
_TITLE_END = "。;；:：,，!！?？"
_TITLE_WORDS = re.compile(r"(?:方案|计划|意见|措施|要点|办法|清单|规划|通知|细则|任务|分工)$")


@dataclass(slots=True)
class Metadata:
    title: str = ""
    notice_title: str = ""
    doc_number: str = ""
    issuer: str = ""
    date: date | None = None
    title_offset: int | None = None


def parse_date(text: str) -> date | None:
    """The first full date in ``text``: 2021年6月18日, 2021 年6月18日, 二〇二一年六月十八日."""
    match = DATE_RE.search(fold(text).replace(" ", ""))
    if not match:
        return None
    year, month, day = (cn_to_int(match.group(k)) for k in ("y", "m", "d"))
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalize_doc_number(text: str) -> str:
    """滕政发[2021] 9 号 -> 滕政发〔2021〕9号."""
    match = DOCNO_RE.search(fold(text))
    if not match:
        return ""
    prefix = match.group("prefix")
    for word in ("文件",):
        prefix = prefix.removeprefix(word)
    return f"{prefix}〔{match.group('year')}〕{int(match.group('no'))}号"


def _title_like(line: Line) -> bool:
    # a 通知 of several issuers names them all before 关于: its title line may be long
    longest = 160 if _NOTICE.match(line.norm.replace(" ", "")) else 60
    return (
        line.kind == "text"
        and 2 <= len(line.norm) <= longest
        and line.norm[-1] not in _TITLE_END
        and "。" not in line.norm
    )


def extract(lines: list[Line], first_body_line: int) -> Metadata:
    """Read the head of the document (the lines before ``first_body_line``) and its dates."""
    meta = Metadata()
    content = [ln for ln in lines if ln.kind != "blank"]
    head = [ln for ln in content if ln.index < first_body_line][:40]

    for line in head:
        if line.kind == "docno":
            meta.doc_number = normalize_doc_number(line.norm)
            break
    if not meta.doc_number:
        for line in head[:6]:
            number = normalize_doc_number(line.norm)
            if number:
                meta.doc_number = number
                break

    # Title: the first run of title-like lines (a title may be broken over two or three lines).
    title_lines: list[Line] = []
    for line in head:
        if line.kind in ("docno", "date", "closing", "attach"):
            if title_lines:
                break
            continue
        if not _title_like(line):
            if title_lines:
                break
            continue
        if not title_lines and is_org_line(line.norm) and not _TITLE_WORDS.search(line.norm):
            meta.issuer = meta.issuer or re.sub(r"文件$", "", line.text.replace(" ", ""))
            continue
        title_lines.append(line)
        if len(title_lines) == 3 or _TITLE_WORDS.search(line.norm):
            break
    title = "".join(ln.text.replace(" ", "") for ln in title_lines)
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1]  # a web page's copy: 《…的通知》
    if title_lines:
        meta.title_offset = title_lines[0].start
    notice = _NOTICE.match(title)
    if notice:
        meta.notice_title = title
        inner = notice.group("inner").strip()
        quoted = re.fullmatch(r"[《〈](.+)[》〉]", inner)
        meta.title = quoted.group(1) if quoted else inner
        if notice.group("issuer") and not meta.issuer:
            meta.issuer = notice.group("issuer")
    else:
        meta.title = title

    # Date: a line holding only a date; else a 印发 date; else any date near the head.
    for line in content:
        if line.kind == "date":
            meta.date = parse_date(line.norm)
            if meta.date:
                break
    if meta.date is None:
        for line in content:
            if line.kind == "closing" and "印发" in line.norm:
                meta.date = parse_date(line.norm)
                if meta.date:
                    break
    if meta.date is None:
        for line in head:
            found = parse_date(line.norm)
            if found:
                meta.date = found
                break

    # Issuer: else the signature above the date line.
    if not meta.issuer:
        previous: Line | None = None
        for line in content:
            if line.kind == "date" and previous is not None and is_org_line(previous.norm):
                meta.issuer = previous.text.replace(" ", "")
                break
            previous = line
    return meta
