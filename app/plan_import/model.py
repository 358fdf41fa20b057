"""Data classes produced by the plan parser, and their JSON form (docs/plan-json.md).

All spans are half-open ``(start, end)`` character offsets into the text given to
``parse_text`` (for ``parse_file``: the text returned by ``read_document``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Span = tuple[int, int]
Role = Literal["lead", "responsible", "cooperating"]
DeadlineKind = Literal["date", "recurring", "ongoing", "period"]
TargetOp = Literal[">=", "<=", "=", ">", "<"]
Confidence = Literal["high", "medium", "low"]

ROLES: tuple[Role, ...] = ("lead", "responsible", "cooperating")


@dataclass(slots=True)
class DepartmentRef:
    """One department named for a measure.

    ``name`` is the canonical name from the plan's department directory, ``raw`` the form
    written at this place. ``span`` is the clause the naming parenthesis covers when a measure
    has several department groups (each for its own clause); ``None`` means the whole measure.
    ``source`` is where the name itself is written.
    """

    name: str
    role: Role
    span: Span | None = None
    raw: str = ""
    source: Span | None = None
    is_group: bool = False


@dataclass(slots=True)
class Deadline:
    """A time limit found in a measure.

    kind "date": ``due`` is the resolved date (``None`` if it could not be resolved);
    "recurring" (每季度, 每年2月底前): ``recurrence`` names the cycle; "ongoing" (长期坚持);
    "period" (3年内): ``months`` is its length. ``span`` is the clause (sentence) the deadline
    belongs to, ``source`` the deadline phrase itself.
    """

    raw: str
    due: date | None
    kind: DeadlineKind
    span: Span | None = None
    source: Span | None = None
    recurrence: str | None = None
    months: int | None = None


@dataclass(slots=True)
class Target:
    """A quantified target: 达到92％以上 -> metric, ">=", 92.0, "%"."""

    raw: str
    metric: str
    op: TargetOp
    value: float
    unit: str
    span: Span | None = None


@dataclass(slots=True)
class ParseWarning:
    """Something inferred or doubtful, shown to the user (message in Simplified Chinese).

    Where it is, so that the import wizard can lead there: ``span`` is the phrase the warning
    is about (a deadline, a department as written, a heading), ``offset`` its start;
    ``area_index``/``measure_index`` place it in ``ParsedPlan.areas[area_index].measures
    [measure_index]`` (the numbers ``area_no``/``measure_no`` may repeat in a badly numbered
    plan; the indices do not). Each is None where it does not apply (a plan-wide warning such
    as a missing date has none; a heading's warning has an area but no measure).

    Also exported as ``Warning`` (the name the app's design uses); prefer ``ParseWarning`` in code
    so the builtin stays visible.
    """

    code: str
    message: str
    offset: int | None = None
    area_no: int | None = None
    measure_no: int | None = None
    span: Span | None = None
    area_index: int | None = None
    measure_index: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "area_no": self.area_no,
            "measure_no": self.measure_no,
            "offset": self.offset,
            "span": list(self.span) if self.span else None,
        }


Warning = ParseWarning


@dataclass(slots=True)
class Doubt:
    """Why a measure needs checking: a warning about it (``code``, ``message``, ``span``) and
    how much it lowers the measure's confidence (``level`` "medium" or "low")."""

    code: str
    message: str
    level: Confidence
    span: Span | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "level": self.level,
            "span": list(self.span) if self.span else None,
        }


@dataclass(slots=True)
class ParsedMeasure:
    """One measure. ``span`` covers it in the source, number included; ``text`` is
    ``source[text_start : text_start + len(text)]`` (the measure without its number; for a row
    of a task table, its task cells).

    ``confidence`` is "high" unless something about the measure is doubtful: then ``doubts``
    says what (no department found, a time limit not understood, its heading guessed, its
    paragraph rebuilt from a PDF with doubt …) and the lowest level among them is its
    confidence (confidence.py)."""

    no: int
    title: str
    text: str
    span: Span
    text_start: int
    departments: list[DepartmentRef] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    confidence: Confidence = "high"
    doubts: list[Doubt] = field(default_factory=list)

    def names(self, role: Role) -> list[str]:
        """Canonical names with this role, in order of first appearance, without repeats."""
        seen: dict[str, None] = {}
        for ref in self.departments:
            if ref.role == role:
                seen.setdefault(ref.name, None)
        return list(seen)

    @property
    def lead(self) -> list[str]:
        return self.names("lead")

    @property
    def responsible(self) -> list[str]:
        return self.names("responsible")

    @property
    def cooperating(self) -> list[str]:
        return self.names("cooperating")

    def to_json(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "title": self.title,
            "text": self.text,
            "lead": self.lead,
            "responsible": self.responsible,
            "cooperating": self.cooperating,
            "deadlines": [
                {
                    "raw": d.raw,
                    "due": d.due.isoformat() if d.due else None,
                    "kind": d.kind,
                    "span": list(d.span) if d.span else None,
                    "source": list(d.source) if d.source else None,
                    "recurrence": d.recurrence,
                    "months": d.months,
                }
                for d in self.deadlines
            ],
            "targets": [
                {
                    "raw": t.raw,
                    "metric": t.metric,
                    "op": t.op,
                    "value": t.value,
                    "unit": t.unit,
                    "span": list(t.span) if t.span else None,
                }
                for t in self.targets
            ],
            "department_refs": [
                {
                    "name": r.name,
                    "role": r.role,
                    "raw": r.raw,
                    "span": list(r.span) if r.span else None,
                    "source": list(r.source) if r.source else None,
                    "is_group": r.is_group,
                }
                for r in self.departments
            ],
            "span": list(self.span),
            "text_start": self.text_start,
            "confidence": self.confidence,
            "doubts": [d.to_json() for d in self.doubts],
        }


@dataclass(slots=True)
class ParsedArea:
    """A section of measures (领域). ``no`` is unique within a plan: the heading's own number,
    except that headings numbered again under different parents are numbered 1..n in order
    (``written_no`` keeps the written number, ``parent_title`` the heading above)."""

    no: int
    title: str
    span: Span | None = None
    inferred: bool = False
    measures: list[ParsedMeasure] = field(default_factory=list)
    written_no: int | None = None
    parent_title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "title": self.title,
            "inferred": self.inferred,
            "written_no": self.written_no,
            "parent_title": self.parent_title,
            "span": list(self.span) if self.span else None,
            "measures": [m.to_json() for m in self.measures],
        }


@dataclass(slots=True)
class DepartmentEntry:
    """One department of the plan's directory: a canonical name and the other ways it is written."""

    name: str
    aliases: list[str] = field(default_factory=list)
    is_group: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases), "is_group": self.is_group}


@dataclass(slots=True)
class LaidParagraph:
    """A paragraph of text rebuilt from a PDF's layout: ``[start, end)`` in the text, the page
    it starts on, the font and size of its first line, and how that line is placed."""

    start: int
    end: int
    page: int
    font: str
    size: float
    indented: bool
    centred: bool
    lines: int


@dataclass(slots=True)
class SourceDocument:
    """What a reader made of a file: the text the parser reads, and what it knows about it.

    ``kind`` is "text", "word", "pdf", "workbook" or "legacy" (.doc/.wps through LibreOffice).
    ``notes`` are the reader's doubts about the structure it rebuilt (a PDF line it joined to
    the paragraph above although it starts like a numbered item, pages without text), with
    spans in ``text``; the parser passes them on as warnings. ``paragraphs`` (PDF only) say how
    each paragraph was laid out (its font, whether it was indented).
    """

    text: str
    kind: str = "text"
    notes: list[ParseWarning] = field(default_factory=list)
    paragraphs: list[LaidParagraph] = field(default_factory=list)
    pages: int = 0


@dataclass(slots=True)
class ParsedPlan:
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    date: date | None = None
    notice_title: str = ""
    source_name: str = ""
    areas: list[ParsedArea] = field(default_factory=list)
    departments: list[DepartmentEntry] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    @property
    def measures(self) -> list[ParsedMeasure]:
        return [m for a in self.areas for m in a.measures]

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": {
                "title": self.title,
                "doc_number": self.doc_number,
                "issuer": self.issuer,
                "date": self.date.isoformat() if self.date else None,
                "notice_title": self.notice_title,
                "source_name": self.source_name,
            },
            "areas": [a.to_json() for a in self.areas],
            "departments": [d.to_json() for d in self.departments],
            "warnings": [w.to_json() for w in self.warnings],
        }
