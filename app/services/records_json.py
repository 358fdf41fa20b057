"""Reading a records file (docs/records-json.md): bytes → checked entries, or one clear error.

The format is ``{"format": "ducha-records", "version": 1, "plans": [...], "inspections": [...]}``.
This module knows only the file: sizes, JSON, keys, types, dates, ids. It never touches the
database; app/services/records_import.py checks the entries against it and applies them. Every
problem is a ``RecordsFileError`` naming the offending entry (``inspections[2].findings[0]``,
with its id when it has one) — the only exception reading raises, whatever the bytes.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

RECORDS_FORMAT = "ducha-records"
RECORDS_VERSION = 1

# Limits of one file: app/limits.py (re-exported here for the tests and docs).
from app.limits import (  # noqa: E402
    MAX_ID_CHARS,
    MAX_RECORDS_DEPTH,
    MAX_RECORDS_ENTRIES,
    MAX_RECORDS_FILE_BYTES,
    MAX_RECORDS_STRING_CHARS,
)

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]*", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
SEVERITY_NAMES = {
    "minor": "minor",
    "major": "major",
    "serious": "serious",
    "一般": "minor",
    "较重": "major",
    "严重": "serious",
}


class RecordsFileError(Exception):
    """A records file that cannot be imported; nothing was changed. ``where`` names the entry."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}：{message}" if where else message)
        self.where = where
        self.reason = message


# ---- The entries, as read ------------------------------------------------------------------
# ``fields`` holds only the keys the file gave (an update leaves the others as stored).


@dataclass
class EvidenceIn:
    where: str
    id: str
    fields: dict[str, Any]


@dataclass
class ReportIn:
    where: str
    id: str
    reported_on: date
    text: str


@dataclass
class RecheckIn:
    where: str
    id: str
    checked_on: date
    inspector: str
    passed: bool
    note: str | None
    evidence: list[EvidenceIn]


@dataclass
class FindingIn:
    where: str
    id: str
    fields: dict[str, Any]  # description, category, severity
    department: str | None  # a name or alias, None: not given
    rectify_workdays: int | None
    rectify_by: date | None
    reports: list[ReportIn]
    rechecks: list[RecheckIn]
    evidence: list[EvidenceIn]


@dataclass
class AnswerIn:
    where: str
    id: str
    fields: dict[str, Any]
    evidence: list[EvidenceIn]


@dataclass
class InspectionIn:
    where: str
    id: str
    fields: dict[str, Any]  # measure_id, kind, checked_on, inspector, place, summary, …
    plan_id: str | None
    plan_given: bool
    department: str | None
    answers: list[AnswerIn]
    findings: list[FindingIn]
    evidence: list[EvidenceIn]


@dataclass
class FeedbackIn:
    where: str
    department: str
    fed_back_on: date
    note: str


@dataclass
class PlanIn:
    where: str
    id: str
    fields: dict[str, Any]
    measures: list[str] | None
    departments: list[tuple[str, str]] | None  # (name, where)
    feedback: list[FeedbackIn]


@dataclass
class RecordsFile:
    plans: list[PlanIn] = field(default_factory=list)
    inspections: list[InspectionIn] = field(default_factory=list)

    @property
    def entry_count(self) -> int:
        count = len(self.plans) + sum(len(plan.feedback) for plan in self.plans)
        for inspection in self.inspections:
            count += 1 + len(inspection.answers) + len(inspection.evidence)
            count += sum(len(answer.evidence) for answer in inspection.answers)
            for finding in inspection.findings:
                count += 1 + len(finding.reports) + len(finding.evidence)
                count += sum(1 + len(recheck.evidence) for recheck in finding.rechecks)
        return count


# ---- Reading ---------------------------------------------------------------------------------


def read_records_file(path: str | Path) -> RecordsFile:
    """The file's entries; RecordsFileError for anything wrong with it (including reading it)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_RECORDS_FILE_BYTES + 1)
    except FileNotFoundError:
        raise RecordsFileError(f"找不到文件 {path}。请检查路径。") from None
    except IsADirectoryError:
        raise RecordsFileError(f"{path} 是文件夹，不是记录文件。") from None
    except OSError as error:
        raise RecordsFileError(f"无法读取 {path}：{error.strerror or error}。") from None
    return parse_records(data)


def parse_records(data: bytes) -> RecordsFile:
    """The entries of a records file's bytes; RecordsFileError and nothing else on any input."""
    if len(data) > MAX_RECORDS_FILE_BYTES:
        raise RecordsFileError(
            f"文件太大（超过 {MAX_RECORDS_FILE_BYTES // (1024 * 1024)} MB）。请分成几个文件导入。"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RecordsFileError("文件不是 UTF-8 编码的文本。请导出为 UTF-8 的 JSON 文件。") from None
    try:
        document = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant
        )
    except RecordsFileError:
        raise
    except RecursionError:
        raise RecordsFileError(f"JSON 嵌套太深（最多 {MAX_RECORDS_DEPTH} 层）。") from None
    except ValueError as error:
        detail = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        where = f"第 {error.lineno} 行第 {error.colno} 列" if hasattr(error, "lineno") else ""
        raise RecordsFileError(f"不是有效的 JSON（{detail}）。", where) from None
    _check_shape(document, 1)
    return _Reader().document(document)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            shown = key[:60].encode("utf-8", "backslashreplace").decode("utf-8")
            raise RecordsFileError(f"同一个对象里字段“{shown}”出现了两次。")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise RecordsFileError(f"JSON 中不能有 {name}。")


def _check_shape(value: Any, depth: int) -> None:
    """Depth and total size before anything else reads the document."""
    stack = [(value, depth)]
    entries = 0
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > MAX_RECORDS_DEPTH:
                raise RecordsFileError(f"JSON 嵌套太深（最多 {MAX_RECORDS_DEPTH} 层）。")
            if isinstance(item, dict):
                entries += 1
                for key in item:
                    _check_text(key)
                if entries > MAX_RECORDS_ENTRIES:
                    raise RecordsFileError(
                        f"条目太多（最多 {MAX_RECORDS_ENTRIES} 个）。请分成几个文件导入。"
                    )
                stack.extend((child, level + 1) for child in item.values())
            else:
                stack.extend((child, level + 1) for child in item)
        elif isinstance(item, str):
            _check_text(item)


def _check_text(text: str) -> None:
    if len(text) > MAX_RECORDS_STRING_CHARS:
        raise RecordsFileError(f"有一段文字太长（最多 {MAX_RECORDS_STRING_CHARS} 字）。")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (\ud800): not text SQLite can store
        raise RecordsFileError("文件中有无效的字符（不成对的 \\u 转义）。") from None


class _Object:
    """One JSON object being read: typed getters that name the entry in their errors."""

    def __init__(self, value: Any, where: str, known: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            raise RecordsFileError("应为一个对象（{…}）。", where)
        unknown = [key for key in value if key not in known]
        if unknown:
            raise RecordsFileError(
                f"不认识的字段“{unknown[0]}”（可用的字段：{'、'.join(known)}）。", where
            )
        self.value = value
        self.where = where

    def has(self, key: str) -> bool:
        return key in self.value

    def fail(self, key: str, message: str) -> RecordsFileError:
        return RecordsFileError(message, f"{self.where}.{key}")

    def id(self) -> str:
        value = self.value.get("id")
        if not isinstance(value, str) or not value:
            raise RecordsFileError("缺少编号“id”（一段文字）。", self.where)
        if len(value) > MAX_ID_CHARS or not _ID.fullmatch(value):
            raise self.fail(
                "id",
                f"编号“{value[:MAX_ID_CHARS]}”无效：只能用字母、数字和 . _ : -，"
                f"最多 {MAX_ID_CHARS} 个字符。",
            )
        return value

    def text(self, key: str, *, required: bool = False, limit: int = MAX_RECORDS_STRING_CHARS):
        if key not in self.value or self.value[key] is None:
            if required:
                raise RecordsFileError(f"缺少字段“{key}”。", self.where)
            return None
        value = self.value[key]
        if not isinstance(value, str):
            raise self.fail(key, "应为一段文字。")
        if len(value) > limit:
            raise self.fail(key, f"太长（最多 {limit} 字）。")
        if required and not value.strip():
            raise self.fail(key, "不能为空。")
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self.text(key, required=required, limit=10)
        if value is None:
            return None
        if not _DATE.fullmatch(value):
            raise self.fail(key, f"日期“{value}”应写成 YYYY-MM-DD，如 2021-07-01。")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(key, f"没有 {value} 这一天。") from None

    def moment(self, key: str) -> str | None:
        value = self.text(key, limit=40)
        if value is None:
            return None
        try:
            if _DATE.fullmatch(value):
                return date.fromisoformat(value).isoformat()
            return datetime.fromisoformat(value).isoformat()
        except ValueError:
            raise self.fail(key, f"时间“{value}”应写成 2021-07-01T09:30:00。") from None

    def integer(self, key: str, low: int, high: int) -> int | None:
        if key not in self.value or self.value[key] is None:
            return None
        value = self.value[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "应为整数。")
        if not low <= value <= high:
            raise self.fail(key, f"应在 {low} 到 {high} 之间。")
        return value

    def number(self, key: str, low: float = -1e12, high: float = 1e12) -> float | None:
        if key not in self.value or self.value[key] is None:
            return None
        value = self.value[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "应为数字。")
        if not math.isfinite(float(value)) or not low <= value <= high:
            raise self.fail(key, f"应在 {low:g} 到 {high:g} 之间。")
        return float(value)

    def choice(self, key: str, choices: dict[str, str], *, required: bool = False):
        value = self.text(key, required=required, limit=40)
        if value is None:
            return None
        if value not in choices:
            raise self.fail(key, f"“{value}”无效，应为 {'、'.join(dict.fromkeys(choices))} 之一。")
        return choices[value]

    def names(self, key: str) -> list[str] | None:
        """A list of short texts (names, sites, methods, ids)."""
        if key not in self.value or self.value[key] is None:
            return None
        value = self.value[key]
        if not isinstance(value, list):
            raise self.fail(key, "应为一个列表（[…]）。")
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip() or len(item) > 200:
                raise RecordsFileError(
                    "应为一段不空的文字（最多 200 字）。", f"{self.where}.{key}[{index}]"
                )
            result.append(item.strip())
        return result

    def objects(self, key: str) -> list[tuple[Any, str]]:
        if key not in self.value or self.value[key] is None:
            return []
        value = self.value[key]
        if not isinstance(value, list):
            raise self.fail(key, "应为一个列表（[…]）。")
        return [(item, f"{self.where}.{key}[{index}]") for index, item in enumerate(value)]


def _labelled(where: str, value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return f"{where}（编号 {value['id'][:MAX_ID_CHARS]}）"
    return where


_VERDICTS = {"pass": "pass", "partial": "partial", "fail": "fail", "na": "na"}
_VERDICTS.update({"符合": "pass", "基本符合": "partial", "不符合": "fail", "不适用": "na"})
_SOURCES = {s: s for s in ("deadline", "target", "promise", "template", "custom")}
_OPS = {op: op for op in (">=", "<=", "=", ">", "<")}
_KINDS = {"open": "open", "covert": "covert", "明察": "open", "暗访": "covert", "明查": "open"}
_STATES = {"draft": "draft", "final": "final"}
_RESULTS = {"pass": "pass", "fail": "fail", "通过": "pass", "未通过": "fail"}


class _Reader:
    def document(self, value: Any) -> RecordsFile:
        top = _Object(value, "文件", ("format", "version", "plans", "inspections"))
        if top.value.get("format") != RECORDS_FORMAT:
            raise RecordsFileError(
                f"这不是督查记录文件（“format”应为 “{RECORDS_FORMAT}”）。请检查所选文件。"
            )
        version = top.value.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise RecordsFileError("缺少版本号“version”（整数）。")
        if version != RECORDS_VERSION:
            raise RecordsFileError(
                f"记录文件的版本是 {version}，本程序只能导入版本 {RECORDS_VERSION}。"
                + ("请升级本程序后再导入。" if version > RECORDS_VERSION else "")
            )
        result = RecordsFile()
        for item, where in top.objects("plans"):
            result.plans.append(self.plan(item, _labelled(where.removeprefix("文件."), item)))
        for item, where in top.objects("inspections"):
            result.inspections.append(
                self.inspection(item, _labelled(where.removeprefix("文件."), item))
            )
        return result

    def plan(self, value: Any, where: str) -> PlanIn:
        keys = (
            "id", "name", "mode", "starts_on", "ends_on", "methods", "sites", "inspectors",
            "measures", "departments", "conclusion", "concluded_on", "feedback",
        )  # fmt: skip
        entry = _Object(value, where, keys)
        fields: dict[str, Any] = {}
        if entry.has("name"):
            fields["name"] = entry.text("name", required=True, limit=200)
        if entry.has("mode"):
            fields["mode"] = entry.choice("mode", _KINDS, required=True)
        for key in ("starts_on", "ends_on", "concluded_on"):
            if entry.has(key):
                fields[key] = entry.day(key)
        for key in ("methods", "sites", "inspectors"):
            if entry.has(key):
                fields[key] = entry.names(key) or []
        if entry.has("conclusion"):
            fields["conclusion"] = entry.text("conclusion") or ""
        departments = entry.names("departments")
        feedback = []
        for item, item_where in entry.objects("feedback"):
            part = _Object(item, item_where, ("department", "fed_back_on", "note"))
            feedback.append(
                FeedbackIn(
                    item_where,
                    part.text("department", required=True, limit=200).strip(),
                    part.day("fed_back_on", required=True),
                    part.text("note") or "",
                )
            )
        return PlanIn(
            where,
            entry.id(),
            fields,
            entry.names("measures"),
            None
            if departments is None
            else [(name, f"{where}.departments[{i}]") for i, name in enumerate(departments)],
            feedback,
        )

    def inspection(self, value: Any, where: str) -> InspectionIn:
        keys = (
            "id", "measure_id", "plan_id", "kind", "checked_on", "inspectors", "place",
            "summary", "method", "department", "state", "answers", "findings", "evidence",
        )  # fmt: skip
        entry = _Object(value, where, keys)
        fields: dict[str, Any] = {}
        if entry.has("measure_id"):
            fields["measure_id"] = entry.text("measure_id", required=True, limit=MAX_ID_CHARS)
        if entry.has("kind"):
            fields["kind"] = entry.choice("kind", _KINDS, required=True)
        if entry.has("checked_on"):
            fields["checked_on"] = entry.day("checked_on", required=True)
        if entry.has("inspectors"):
            names = entry.names("inspectors") or []
            if not names:
                raise entry.fail("inspectors", "请至少填写一名检查人。")
            if any("、" in name for name in names):
                raise entry.fail("inspectors", "每项只填一个人的姓名。")
            fields["inspector"] = "、".join(dict.fromkeys(names))
        for key in ("place", "summary", "method"):
            if entry.has(key):
                fields[key] = (entry.text(key) or "").strip()
        if entry.has("state"):
            fields["state"] = entry.choice("state", _STATES, required=True)
        plan_id = entry.text("plan_id", limit=MAX_ID_CHARS)
        department = entry.text("department", limit=200)
        return InspectionIn(
            where,
            entry.id(),
            fields,
            plan_id,
            entry.has("plan_id"),
            department.strip() if department else None,
            [self.answer(item, _labelled(w, item)) for item, w in entry.objects("answers")],
            [self.finding(item, _labelled(w, item)) for item, w in entry.objects("findings")],
            [self.evidence(item, _labelled(w, item)) for item, w in entry.objects("evidence")],
        )

    def finding(self, value: Any, where: str) -> FindingIn:
        keys = (
            "id", "description", "category", "severity", "department",
            "rectify_within_workdays", "rectify_by", "reports", "rechecks", "evidence",
        )  # fmt: skip
        entry = _Object(value, where, keys)
        fields: dict[str, Any] = {}
        if entry.has("description"):
            fields["description"] = entry.text("description", required=True, limit=2000)
        if entry.has("category"):
            fields["category"] = entry.text("category", required=True, limit=60).strip()
        if entry.has("severity"):
            fields["severity"] = entry.choice("severity", SEVERITY_NAMES, required=True)
        workdays = entry.integer("rectify_within_workdays", 1, 250)
        rectify_by = entry.day("rectify_by")
        if workdays is not None and rectify_by is not None:
            raise RecordsFileError(
                "整改期限只能填一种：rectify_within_workdays（工作日数）或 rectify_by（日期）。",
                where,
            )
        department = entry.text("department", limit=200)
        reports = []
        for item, item_where in entry.objects("reports"):
            item_where = _labelled(item_where, item)
            part = _Object(item, item_where, ("id", "reported_on", "text"))
            reports.append(
                ReportIn(
                    item_where,
                    part.id(),
                    part.day("reported_on", required=True),
                    part.text("text", required=True).strip(),
                )
            )
        rechecks = []
        for item, item_where in entry.objects("rechecks"):
            item_where = _labelled(item_where, item)
            keys = ("id", "checked_on", "inspector", "result", "note", "evidence")
            part = _Object(item, item_where, keys)
            rechecks.append(
                RecheckIn(
                    item_where,
                    part.id(),
                    part.day("checked_on", required=True),
                    part.text("inspector", required=True, limit=200).strip(),
                    part.choice("result", _RESULTS, required=True) == "pass",
                    part.text("note"),
                    [self.evidence(e, _labelled(w, e)) for e, w in part.objects("evidence")],
                )
            )
        return FindingIn(
            where,
            entry.id(),
            fields,
            department.strip() if department is not None else None,
            workdays,
            rectify_by,
            reports,
            rechecks,
            [self.evidence(item, _labelled(w, item)) for item, w in entry.objects("evidence")],
        )

    def answer(self, value: Any, where: str) -> AnswerIn:
        keys = (
            "id", "position", "source", "ref_id", "text", "expected", "op", "value", "unit",
            "verdict", "measured", "measured_text", "note", "finding_id", "evidence",
        )  # fmt: skip
        entry = _Object(value, where, keys)
        fields: dict[str, Any] = {}
        if entry.has("position"):
            fields["position"] = entry.integer("position", 0, 1_000_000)
        if entry.has("source"):
            fields["source"] = entry.choice("source", _SOURCES, required=True)
        if entry.has("text"):
            fields["text"] = entry.text("text", required=True).strip()
        for key, limit in (("ref_id", MAX_ID_CHARS), ("unit", 40)):
            if entry.has(key):
                fields[key] = entry.text(key, limit=limit)
        for key in ("expected", "measured_text", "note"):
            if entry.has(key):
                fields[key] = entry.text(key) or ""
        if entry.has("op"):
            fields["op"] = entry.choice("op", _OPS)
        if entry.has("verdict"):
            fields["verdict"] = entry.choice("verdict", _VERDICTS)
        for key in ("value", "measured"):
            if entry.has(key):
                fields[key] = entry.number(key)
        if entry.has("finding_id"):
            fields["finding_id"] = entry.text("finding_id", limit=MAX_ID_CHARS)
        if "unit" in fields and fields["unit"] is None:
            fields["unit"] = ""
        return AnswerIn(
            where,
            entry.id(),
            fields,
            [self.evidence(item, _labelled(w, item)) for item, w in entry.objects("evidence")],
        )

    def evidence(self, value: Any, where: str) -> EvidenceIn:
        keys = (
            "id", "sha256", "original_name", "size", "media_type", "captured_at", "gps_lat",
            "gps_lon", "file_modified_at", "imported_at", "note",
        )  # fmt: skip
        entry = _Object(value, where, keys)
        fields: dict[str, Any] = {}
        if entry.has("sha256"):
            digest = entry.text("sha256", required=True, limit=64).lower()
            if not _SHA256.fullmatch(digest):
                raise entry.fail("sha256", "应为 64 位十六进制的 SHA-256 值。")
            fields["sha256"] = digest
        if entry.has("original_name"):
            fields["original_name"] = entry.text("original_name", limit=260) or ""
        if entry.has("size"):
            fields["size"] = entry.integer("size", 0, 2**53)
        if entry.has("media_type"):
            fields["media_type"] = entry.text("media_type", limit=100) or ""
        for key in ("captured_at", "file_modified_at", "imported_at"):
            if entry.has(key):
                fields[key] = entry.moment(key)
        if entry.has("gps_lat"):
            fields["gps_lat"] = entry.number("gps_lat", -90, 90)
        if entry.has("gps_lon"):
            fields["gps_lon"] = entry.number("gps_lon", -180, 180)
        if entry.has("note"):
            fields["note"] = entry.text("note") or ""
        return EvidenceIn(where, entry.id(), fields)
