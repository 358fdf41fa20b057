"""Plan-document import: read a government implementation plan and parse it into measures.

Public API (no Qt anywhere in this package):

    read_document(path) -> str                       # .txt .docx .pdf (.doc/.wps via LibreOffice)
    parse_text(text, source_name="") -> ParsedPlan   # never raises
    parse_file(path) -> ParsedPlan                   # read_document + parse_text
    ParsedPlan.to_json() -> dict                     # schema: docs/plan-json.md

Building blocks, usable on their own: ``find_deadlines`` / ``parse_deadline`` (deadlines.py),
``find_targets`` / ``parse_target`` (targets.py), ``Directory`` with ``build_directory`` /
``merge`` / ``split_alias`` / ``rename`` (directory.py).
"""

from __future__ import annotations

from .deadlines import find_deadlines, parse_deadline
from .directory import Directory, build_directory, merge, rename, split_alias
from .model import (
    Deadline,
    DepartmentEntry,
    DepartmentRef,
    ParsedArea,
    ParsedMeasure,
    ParsedPlan,
    ParseWarning,
    Target,
    Warning,
)
from .parser import parse_file, parse_text
from .reader import PlanReadError, read_document
from .targets import find_targets, parse_target

__all__ = [
    "Deadline",
    "DepartmentEntry",
    "DepartmentRef",
    "Directory",
    "ParseWarning",
    "ParsedArea",
    "ParsedMeasure",
    "ParsedPlan",
    "PlanReadError",
    "Target",
    "Warning",
    "build_directory",
    "find_deadlines",
    "find_targets",
    "merge",
    "parse_deadline",
    "parse_file",
    "parse_target",
    "parse_text",
    "read_document",
    "rename",
    "split_alias",
]
