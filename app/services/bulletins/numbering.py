"""发文字号: 机关代字〔年份〕序号号 — assigned when a document is issued, per 机关代字 and year.

GB/T 9704-2012 7.2.4: the year in 六角括号 〔〕, the serial number without leading zeros and
without "第". The serial is the next after the highest issued one of the same 机关代字 and year,
read inside the issuing transaction (``BEGIN IMMEDIATE``: two issues in one database wait for
each other), so numbers have no gaps and restart at 1 each year. The sequence belongs to the
机关代字, not to the kind: two kinds that share a 代字 share its numbers (two documents
滕政办督〔2021〕3号 would be a real duplicate whatever their kinds).

A 更正 (a new version of an issued document) keeps the number of the version it corrects.

Two laptops may each issue the next number before they sync; after the sync both documents are
there (nothing is lost) and ``duplicate_numbers`` lists them, so the office can renumber one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.documents.validation import check_number
from app.services.bulletins.model import BulletinError
from app.storage.changelog import field_version

if TYPE_CHECKING:
    from sqlite_utils import Database

CODE_EXAMPLE = "滕政办督"


def format_number(code: str, year: int, serial: int) -> str:
    """滕政办督〔2021〕9号."""
    return f"{code}〔{year}〕{serial}号"


def check_code(code: str) -> str:
    """The 机关代字 as stored (trimmed); BulletinError when it cannot make a 发文字号."""
    cleaned = code.strip()
    if not cleaned:
        raise BulletinError(
            f"没有机关代字，无法编发文字号。请在文稿或模板的【机关代字】中填写，如“{CODE_EXAMPLE}”。"
        )
    problem = check_number(format_number(cleaned, 2021, 1), required=True)
    if problem:
        raise BulletinError(
            f"机关代字“{cleaned}”不能用于发文字号：应只由汉字组成，如“{CODE_EXAMPLE}”"
            "（年份、序号和“号”字由程序加上）。"
        )
    return cleaned


def next_serial(db: Database, code: str, year: int) -> int:
    """The serial the next document of ``code`` issued in ``year`` gets (call it inside the
    write transaction that issues it)."""
    row = db.execute(
        "SELECT MAX(serial) FROM bulletins WHERE deleted = 0 AND state = 'issued'"
        " AND code = ? AND year = ?",
        [code, year],
    ).fetchone()
    return (row[0] or 0) + 1


@dataclass(frozen=True)
class NumberedDocument:
    id: str
    series_id: str
    version: int
    kind: str
    title: str
    issued_on: date | None
    issued_by: str
    device: str  # the laptop that issued it (from the change log)


@dataclass(frozen=True)
class DuplicateNumber:
    """One 发文字号 that two or more different documents carry."""

    number: str
    code: str
    year: int
    serial: int
    documents: tuple[NumberedDocument, ...]

    @property
    def message(self) -> str:
        titles = "、".join(f"“{d.title}”" for d in self.documents)
        return (
            f"发文字号“{self.number}”重复：{titles}都用了这个文号（可能是两台电脑各自签发后同步所致）。"
            "请核实后为其中一份重新编号。"
        )


def duplicate_numbers(db: Database) -> list[DuplicateNumber]:
    """Every 发文字号 held by more than one document (versions of one document don't count),
    newest year first."""
    groups = db.execute(
        "SELECT code, year, serial FROM bulletins WHERE deleted = 0 AND state = 'issued'"
        " AND serial IS NOT NULL GROUP BY code, year, serial"
        " HAVING COUNT(DISTINCT series_id) > 1 ORDER BY year DESC, code, serial"
    ).fetchall()
    result = []
    for code, year, serial in groups:
        rows = db.execute(
            "SELECT b.id, b.series_id, b.version, b.kind, b.title, b.issued_on, b.issued_by"
            " FROM bulletins b WHERE b.deleted = 0 AND b.state = 'issued'"
            " AND b.code = ? AND b.year = ? AND b.serial = ?"
            " ORDER BY b.issued_on, b.series_id, b.version",
            [code, year, serial],
        ).fetchall()
        result.append(
            DuplicateNumber(
                format_number(code, year, serial),
                code,
                year,
                serial,
                tuple(_numbered(db, row) for row in rows),
            )
        )
    return result


def _numbered(db: Database, row: tuple[Any, ...]) -> NumberedDocument:
    row_id, series_id, version, kind, title, issued_on, issued_by = row
    # The laptop that numbered it: whose write of ``serial`` the change log keeps.
    numbered_by = field_version(db, "bulletins", row_id, "serial")
    device = numbered_by[1] if numbered_by else ""
    return NumberedDocument(
        row_id,
        series_id,
        version,
        kind,
        title,
        date.fromisoformat(issued_on) if issued_on else None,
        issued_by,
        device or "",
    )
