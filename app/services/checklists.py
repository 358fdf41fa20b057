"""Guided inspection records: the checklist of a record, its answers, and checklist templates.

A record's checklist starts from what the measure itself promises (checklist_proposal.py:
deadlines, targets, service promises) plus templates the office keeps. Each item is answered
符合 / 基本符合 / 不符合 / 不适用, with a measured value checked against the item's target, a note
and evidence (app/services/evidence.py). The UI saves field by field: every setter here is one
small transaction through ``Repository``. ``raise_finding`` turns an item into a finding and links
it, in one transaction; the finding itself is written by ``Findings.add`` (findings.py), the one
way a finding is created.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.domain.inspection import AnswerSource, Severity, Verdict
from app.services.calendar import HolidayTable
from app.services.checklist_proposal import (
    MilestoneFact,
    ProposedItem,
    TargetFact,
    propose_checklist,
)
from app.services.findings import FindingDraft, Findings, categories
from app.services.measured import (
    MeasuredCheck,
    MeasuredValueError,
    check_value,
    describe_target,
    measured_in,
    meets,
    parse_measured,
)
from app.services.visibility import inspection_visible, viewer_of
from app.storage import WriteError
from app.storage.migrations import seed_id
from app.storage.schema import COMPARATORS

if TYPE_CHECKING:
    from app.storage import Repository

# Categories (问题类别, the seeded list) a finding raised from an item gets by default.
_FEE_KINDS = {"free"}
_EFFICIENCY_KINDS = {
    "zero_visits",
    "one_visit",
    "one_submission",
    "on_the_spot",
    "time_limit",
    "online",
    "mobile",
    "one_window",
    "count_limit",
}
_ATTITUDE_KINDS = {"first_contact", "notify_once", "no_veto", "service_hours", "agency", "hotline"}
_TIME_UNITS = {"工作日", "小时", "分钟", "日", "天", "个月"}
FALLBACK_CATEGORY = "其他"

# Templates the office can start from (created on request, with fixed ids so two laptops that
# both create them end up with one copy each after a sync). Items: (text, op, value, unit).
STARTER_TEMPLATES: dict[str, tuple[str, tuple[tuple[str, str | None, float | None, str], ...]]] = {
    "窗口服务（模拟办事）": (
        "暗访政务服务窗口时逐项查看",
        (
            ("窗口是否公示办事指南、申请材料清单和收费标准？", None, None, ""),
            ("工作人员是否在岗、佩戴工作牌，落实首问负责？", None, None, ""),
            ("是否一次性告知全部所需材料和办理流程？", None, None, ""),
            ("是否存在推诿、刁难、态度生硬等情况？", None, None, ""),
            ("排队等候用时（分钟）", None, None, "分钟"),
            ("收取费用（元）：是否存在违规收费或指定中介服务？", "=", 0.0, "元"),
            ("是否提供“好差评”评价渠道？", None, None, ""),
        ),
    ),
    "电话暗访": (
        "拨打咨询或投诉电话时逐项记录",
        (
            ("电话是否接通？", None, None, ""),
            ("答复是否准确、完整？", None, None, ""),
            ("工作人员是否态度热情、用语规范？", None, None, ""),
            ("是否一次性告知所需材料和办理流程？", None, None, ""),
        ),
    ),
    "网上办事体验": (
        "在政务服务网或“爱山东”APP 上试办时逐项记录",
        (
            ("事项能否在网上找到并申报？", None, None, ""),
            ("办事指南与实际要求是否一致？", None, None, ""),
            ("是否仍要求到现场或提交纸质材料？", None, None, ""),
            ("网上申报后办结用时（工作日）", None, None, "工作日"),
        ),
    ),
}

_ANSWER_COLUMNS = (
    "id, inspection_id, position, source, ref_id, text, expected, op, value, unit, verdict,"
    " measured, measured_text, note, finding_id"
)


@dataclass(frozen=True)
class Answer:
    """One item of a record's checklist, as saved."""

    id: str
    inspection_id: str
    position: int
    source: AnswerSource
    ref_id: str | None
    text: str
    expected: str
    op: str | None
    value: float | None
    unit: str
    verdict: Verdict | None
    measured: float | None
    measured_text: str
    note: str
    finding_id: str | None
    evidence_count: int = 0

    @property
    def measurable(self) -> bool:
        return self.op is not None and self.value is not None

    @property
    def check(self) -> MeasuredCheck | None:
        """The measured value against the target (None until both are there)."""
        if not self.measurable or self.measured is None:
            return None
        assert self.op is not None and self.value is not None
        return check_value(self.op, self.value, self.unit, self.measured, self.measured_text)

    @property
    def disagrees(self) -> bool:
        """The verdict says 符合 while the number misses the target, or 不符合 while it meets it."""
        check = self.check
        if check is None or self.verdict is None:
            return False
        if self.verdict is Verdict.PASS:
            return not check.met
        if self.verdict is Verdict.FAIL:
            return check.met
        return False


@dataclass(frozen=True)
class TemplateItem:
    id: str
    position: int
    text: str
    op: str | None
    value: float | None
    unit: str


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    note: str
    items: tuple[TemplateItem, ...]


class ChecklistService:
    def __init__(self, repository: Repository, findings: Findings | None = None) -> None:
        """``findings``: the 整改 service findings are created through (with the office's
        working-day calendar); by default one on the holiday table as it is now."""
        self.repo = repository
        self.db = repository.db
        if findings is None:
            findings = Findings(repository, HolidayTable(repository).calendar())
        self.findings = findings

    # ---- Proposal ---------------------------------------------------------------------------

    def propose(self, inspection_id: str) -> list[ProposedItem]:
        """The items the measure of this record suggests (deadlines, targets, promises)."""
        inspection = self._inspection(inspection_id)
        return self.propose_for_measure(
            inspection["measure_id"], on=date.fromisoformat(inspection["checked_on"])
        )

    def propose_for_measure(self, measure_id: str, *, on: date | None = None) -> list[ProposedItem]:
        measure = self.repo.get("measures", measure_id)
        if measure is None or measure["deleted"]:
            raise WriteError("该措施不存在或已删除。")
        milestones = [
            MilestoneFact(row_id, raw, date.fromisoformat(due) if due else None, kind, _span(a, b))
            for row_id, raw, due, kind, a, b in self.db.execute(
                "SELECT id, raw, due, kind, span_start, span_end FROM milestones"
                " WHERE measure_id = ? AND deleted = 0 ORDER BY span_start, due, rowid",
                [measure_id],
            )
        ]
        targets = [
            TargetFact(row_id, raw, metric, op, value, unit, _span(a, b))
            for row_id, raw, metric, op, value, unit, a, b in self.db.execute(
                "SELECT id, raw, metric, op, value, unit, span_start, span_end FROM targets"
                " WHERE measure_id = ? AND deleted = 0 ORDER BY span_start, rowid",
                [measure_id],
            )
        ]
        return propose_checklist(
            measure["text"], milestones, targets, title=measure["title"], on=on
        )

    def template_proposal(self, template_id: str) -> list[ProposedItem]:
        """A template's items, as items to add to a record."""
        template = self.template(template_id)
        return [
            ProposedItem(
                AnswerSource.TEMPLATE,
                item.id,
                item.text,
                describe_target(item.op, item.value, item.unit)
                if item.op is not None and item.value is not None
                else "",
                item.op,
                item.value,
                item.unit,
            )
            for item in template.items
        ]

    # ---- Creating a record's checklist ------------------------------------------------------

    def create_answers(
        self,
        inspection_id: str,
        items: Iterable[ProposedItem],
        *,
        template_ids: Sequence[str] = (),
    ) -> list[str]:
        """Add ``items`` and the items of ``template_ids`` to the record, after those it has.

        An item the record already has (the same milestone, target or template item; for
        promises and custom items the same text) is not added twice, so proposing again after
        the measure changed adds only what is new. One transaction; returns the new ids."""
        self._inspection(inspection_id)
        chosen = list(items)
        for template_id in template_ids:
            chosen += self.template_proposal(template_id)
        for item in chosen:
            _check_target(item.op, item.value)
            if not item.text.strip():
                raise WriteError("检查项的内容不能为空。")
        existing = self.answers(inspection_id)
        have = {_key(a.source, a.ref_id, a.text) for a in existing}
        position = max((a.position for a in existing), default=0)
        created: list[str] = []
        with self.repo.transaction():
            for item in chosen:
                key = _key(item.source, item.ref_id, item.text)
                if key in have:
                    continue
                have.add(key)
                position += 1
                created.append(
                    self.repo.insert(
                        "checklist_answers",
                        {
                            "inspection_id": inspection_id,
                            "position": position,
                            "source": AnswerSource(item.source).value,
                            "ref_id": item.ref_id,
                            "text": item.text.strip(),
                            "expected": item.expected.strip(),
                            "op": item.op,
                            "value": None if item.value is None else float(item.value),
                            "unit": item.unit,
                        },
                    )
                )
        return created

    def start(self, inspection_id: str, *, template_ids: Sequence[str] = ()) -> list[str]:
        """The whole proposal plus the chosen templates, in one go."""
        return self.create_answers(
            inspection_id, self.propose(inspection_id), template_ids=template_ids
        )

    def add_custom(
        self,
        inspection_id: str,
        text: str,
        *,
        expected: str = "",
        op: str | None = None,
        value: float | None = None,
        unit: str = "",
    ) -> str:
        """An item the inspector adds on the spot (at the end of the list)."""
        self._inspection(inspection_id)
        if not text.strip():
            raise WriteError("请填写检查项的内容。")
        _check_target(op, value)
        position = self._last_position("checklist_answers", "inspection_id", inspection_id) + 1
        return self.repo.insert(
            "checklist_answers",
            {
                "inspection_id": inspection_id,
                "position": position,
                "source": AnswerSource.CUSTOM.value,
                "text": text.strip(),
                "expected": expected.strip(),
                "op": op,
                "value": None if value is None else float(value),
                "unit": unit.strip(),
            },
        )

    def remove(self, answer_id: str) -> None:
        """Take an item off the checklist (tombstoned; its evidence stays with the record)."""
        answer = self.answer(answer_id)
        if answer.finding_id is not None and self._live("findings", answer.finding_id):
            raise WriteError("这一项已转为问题，不能删除；请先处理（删除）该问题。")
        self.repo.delete("checklist_answers", answer_id)

    def move(self, answer_id: str, index: int) -> None:
        """Put an item at ``index`` (0-based) of its checklist."""
        answer = self.answer(answer_id)
        order = [a.id for a in self.answers(answer.inspection_id)]
        self._reorder("checklist_answers", order, answer_id, index)

    # ---- Answering, field by field ----------------------------------------------------------

    def set_verdict(self, answer_id: str, verdict: Verdict | str | None) -> Answer:
        answer = self.answer(answer_id)
        value = None if verdict is None else _verdict(verdict).value
        self.repo.update("checklist_answers", answer.id, {"verdict": value})
        return self.answer(answer_id)

    def set_measured(self, answer_id: str, text: str) -> Answer:
        """The measured value as typed ("6小时", "92.5%", "1小时30分").

        For an item with a target it is stored in the target's unit and checked: when the
        verdict is empty, or still the one the previous value suggested, it follows the new
        value (符合 / 不符合); a verdict the inspector chose otherwise is kept. An unreadable
        value is refused (nothing saved) for an item with a target; for other items it is kept
        as text."""
        answer = self.answer(answer_id)
        typed = text.strip()
        values: dict[str, Any] = {"measured_text": typed}
        if not typed:
            values["measured"] = None
        elif answer.measurable:
            try:
                values["measured"] = measured_in(typed, answer.unit)
            except MeasuredValueError as error:
                raise WriteError(str(error)) from error
        else:  # kept as typed; a single number is kept as a number too
            try:
                pairs = parse_measured(typed)
            except MeasuredValueError:
                pairs = []
            values["measured"] = pairs[0][0] if len(pairs) == 1 else None
        if answer.measurable:
            previous = answer.check
            automatic = answer.verdict is None or (
                previous is not None and answer.verdict is previous.verdict
            )
            if automatic:
                measured = values["measured"]
                if measured is None:
                    values["verdict"] = None
                else:
                    assert answer.op is not None and answer.value is not None
                    values["verdict"] = (
                        Verdict.PASS if meets(answer.op, answer.value, measured) else Verdict.FAIL
                    ).value
        self.repo.update("checklist_answers", answer.id, values)
        return self.answer(answer_id)

    def set_note(self, answer_id: str, note: str) -> Answer:
        answer = self.answer(answer_id)
        self.repo.update("checklist_answers", answer.id, {"note": note.strip()})
        return self.answer(answer_id)

    def set_text(self, answer_id: str, text: str) -> Answer:
        answer = self.answer(answer_id)
        if not text.strip():
            raise WriteError("检查项的内容不能为空。")
        self.repo.update("checklist_answers", answer.id, {"text": text.strip()})
        return self.answer(answer_id)

    def set_expected(self, answer_id: str, expected: str) -> Answer:
        answer = self.answer(answer_id)
        self.repo.update("checklist_answers", answer.id, {"expected": expected.strip()})
        return self.answer(answer_id)

    def set_target(
        self, answer_id: str, op: str | None, value: float | None, unit: str = ""
    ) -> Answer:
        """Give an item a target (or take it away); a measured value already typed is re-read."""
        answer = self.answer(answer_id)
        _check_target(op, value)
        values: dict[str, Any] = {
            "op": op,
            "value": None if value is None else float(value),
            "unit": unit.strip(),
        }
        if answer.measured_text and op is not None:
            try:
                values["measured"] = measured_in(answer.measured_text, unit.strip())
            except MeasuredValueError as error:
                raise WriteError(f"已填的实测值不能按新目标比较：{error}") from error
        self.repo.update("checklist_answers", answer.id, values)
        return self.answer(answer_id)

    # ---- Turning an item into a finding -----------------------------------------------------

    def propose_finding(self, answer_id: str) -> FindingDraft:
        """What ``raise_finding`` would write for this item, to prefill the finding editor:
        the item, its measured check and its note as the description, the category the item
        suggests, the default responsible department, severity 一般, no 整改期限."""
        answer = self.answer(answer_id)
        inspection = self._inspection(answer.inspection_id)
        category = _category_for(answer)
        return FindingDraft(
            self._describe(answer),
            department_id=self._department(inspection["measure_id"], inspection, None),
            category=category if category in categories(self.db) else None,
        )

    def raise_finding(
        self,
        answer_id: str,
        *,
        description: str | None = None,
        department_id: str | None = None,
        category: str | None = None,
        severity: Severity | str = Severity.MINOR,
        rectify_by: date | None = None,
        rectify_workdays: int | None = None,
    ) -> str:
        """Turn a 不符合 (or 基本符合) item into a finding; returns the finding's id.

        In one transaction: the finding, written by ``Findings.add`` (the one way a finding
        is created: open, 待整改, found on the record's date, with its rules and the 暗访
        visibility), the item's ``finding_id`` (and its verdict 不符合 if it had none), and the
        item's evidence attached to the finding too. The responsible department defaults to
        the record's inspected department when it is one of the measure's, else the lead."""
        answer = self.answer(answer_id)
        if answer.finding_id is not None and self._live("findings", answer.finding_id):
            raise WriteError("这一项已经转为问题，不能重复转。")
        if answer.verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE):
            raise WriteError(
                f"这一项的结论是“{answer.verdict.label}”，不能转为问题；请先把结论改为“不符合”。"
            )
        inspection = self._inspection(answer.inspection_id)
        found_on = date.fromisoformat(inspection["checked_on"])
        measure_id = inspection["measure_id"]
        text = (description if description is not None else self._describe(answer)).strip()
        if not text:
            raise WriteError("请填写问题描述。")
        department_id = self._department(measure_id, inspection, department_id)
        category = self._category(category if category is not None else _category_for(answer))
        try:
            severity = Severity(severity)
        except ValueError:
            raise WriteError("问题的严重程度应为“一般”“较重”或“严重”。") from None
        if rectify_workdays is not None:
            if isinstance(rectify_workdays, bool) or not isinstance(rectify_workdays, int):
                raise WriteError("整改期限的工作日数应为整数。")
            if rectify_workdays < 1:
                raise WriteError("整改期限至少为 1 个工作日。")
            computed = self.findings.calendar.add_workdays(found_on, rectify_workdays)
            if rectify_by is not None and rectify_by != computed:
                raise WriteError("整改期限请只填工作日数或日期中的一个。")
            rectify_by = None  # the same date: Findings counts it from the working days
        if rectify_by is not None and rectify_by < found_on:
            raise WriteError("整改期限早于检查日期，请重新填写。")
        draft = FindingDraft(
            text,
            department_id=department_id,
            rectify_by=rectify_by,
            category=None if category not in categories(self.db) else category,
            severity=severity,
            rectify_workdays=rectify_workdays,
        )
        evidence_ids = [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM evidence"
                " WHERE answer_id = ? AND deleted = 0 AND finding_id IS NULL",
                [answer.id],
            )
        ]
        with self.repo.transaction():
            finding_id = self.findings.add(answer.inspection_id, draft)
            values: dict[str, Any] = {"finding_id": finding_id}
            if answer.verdict is None:
                values["verdict"] = Verdict.FAIL.value
            self.repo.update("checklist_answers", answer.id, values)
            for evidence_id in evidence_ids:
                self.repo.update("evidence", evidence_id, {"finding_id": finding_id})
        return finding_id

    # ---- Reading ------------------------------------------------------------------------------

    def answers(self, inspection_id: str) -> list[Answer]:
        """The record's checklist in order, with how much evidence each item has.

        A record the current user may not see (暗访) is "不存在或已删除", as a missing one."""
        self._inspection(inspection_id)
        counts = dict(
            self.db.execute(
                "SELECT e.answer_id, COUNT(*) FROM evidence e JOIN checklist_answers a"
                " ON a.id = e.answer_id WHERE a.inspection_id = ? AND e.deleted = 0"
                " GROUP BY e.answer_id",
                [inspection_id],
            ).fetchall()
        )
        return [
            _answer(row, counts.get(row[0], 0))
            for row in self.db.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM checklist_answers"
                " WHERE inspection_id = ? AND deleted = 0 ORDER BY position, rowid",
                [inspection_id],
            )
        ]

    def answer(self, answer_id: str) -> Answer:
        """One item; an item of a record the current user may not see (暗访), or of a deleted
        record, is "不存在或已删除" — every setter reads the item through here first."""
        row = self.db.execute(
            f"SELECT {_ANSWER_COLUMNS} FROM checklist_answers WHERE id = :id AND deleted = 0"
            " AND EXISTS (SELECT 1 FROM inspections i WHERE i.id = checklist_answers.inspection_id"
            f" AND i.deleted = 0 AND {inspection_visible('i')})",
            {"id": answer_id, **viewer_of(self.db).params()},
        ).fetchone()
        if row is None:
            raise WriteError("该检查项不存在或已删除。")
        (count,) = self.db.execute(
            "SELECT COUNT(*) FROM evidence WHERE answer_id = ? AND deleted = 0", [answer_id]
        ).fetchone()
        return _answer(row, count)

    # ---- Templates ----------------------------------------------------------------------------

    def templates(self) -> list[Template]:
        items: dict[str, list[TemplateItem]] = {}
        for template_id, *fields in self.db.execute(
            "SELECT template_id, id, position, text, op, value, unit FROM checklist_template_items"
            " WHERE deleted = 0 ORDER BY template_id, position, rowid"
        ):
            items.setdefault(template_id, []).append(TemplateItem(*fields))
        return [
            Template(row_id, name, note, tuple(items.get(row_id, ())))
            for row_id, name, note in self.db.execute(
                "SELECT id, name, note FROM checklist_templates WHERE deleted = 0"
                " ORDER BY name, rowid"
            )
        ]

    def template(self, template_id: str) -> Template:
        for template in self.templates():
            if template.id == template_id:
                return template
        raise WriteError("该检查模板不存在或已删除。")

    def create_template(
        self,
        name: str,
        *,
        note: str = "",
        items: Sequence[str | tuple[str, str | None, float | None, str]] = (),
        row_id: str | None = None,
    ) -> str:
        """A new template with its items (texts, or (text, op, value, unit)) in order."""
        name = name.strip()
        self._check_template_name(name)
        drafts = [(item, None, None, "") if isinstance(item, str) else item for item in items]
        for text, op, value, _unit in drafts:
            if not text.strip():
                raise WriteError("模板中的检查项内容不能为空。")
            _check_target(op, value)
        with self.repo.transaction():
            template_id = self.repo.insert(
                "checklist_templates", {"name": name, "note": note.strip()}, row_id=row_id
            )
            for position, (text, op, value, unit) in enumerate(drafts, start=1):
                self.repo.insert(
                    "checklist_template_items",
                    _item_values(template_id, position, text, op, value, unit),
                    row_id=None
                    if row_id is None
                    else seed_id(f"template-item:{row_id}", str(position)),
                )
        return template_id

    def create_starter_templates(self) -> list[str]:
        """The starter templates (STARTER_TEMPLATES) not there yet; returns the new ids."""
        created = []
        names = {template.name for template in self.templates()}
        for name, (note, items) in STARTER_TEMPLATES.items():
            row_id = seed_id("checklist-template", name)
            if name in names or self.repo.get("checklist_templates", row_id) is not None:
                continue
            created.append(self.create_template(name, note=note, items=items, row_id=row_id))
        return created

    def rename_template(self, template_id: str, name: str) -> None:
        self.template(template_id)
        name = name.strip()
        self._check_template_name(name, except_id=template_id)
        self.repo.update("checklist_templates", template_id, {"name": name})

    def set_template_note(self, template_id: str, note: str) -> None:
        self.template(template_id)
        self.repo.update("checklist_templates", template_id, {"note": note.strip()})

    def delete_template(self, template_id: str) -> None:
        """Tombstone a template; records that used it keep their items."""
        self.template(template_id)
        self.repo.delete("checklist_templates", template_id)

    def add_template_item(
        self,
        template_id: str,
        text: str,
        *,
        op: str | None = None,
        value: float | None = None,
        unit: str = "",
        index: int | None = None,
    ) -> str:
        """Add an item (at the end, or at ``index``, 0-based)."""
        self.template(template_id)
        if not text.strip():
            raise WriteError("请填写检查项的内容。")
        _check_target(op, value)
        position = self._last_position("checklist_template_items", "template_id", template_id) + 1
        with self.repo.transaction():
            item_id = self.repo.insert(
                "checklist_template_items",
                _item_values(template_id, position, text, op, value, unit),
            )
            if index is not None:
                order = [item.id for item in self.template(template_id).items]
                self._reorder("checklist_template_items", order, item_id, index)
        return item_id

    def set_template_item_text(self, item_id: str, text: str) -> None:
        self._template_item(item_id)
        if not text.strip():
            raise WriteError("检查项的内容不能为空。")
        self.repo.update("checklist_template_items", item_id, {"text": text.strip()})

    def set_template_item_target(
        self, item_id: str, op: str | None, value: float | None, unit: str = ""
    ) -> None:
        self._template_item(item_id)
        _check_target(op, value)
        self.repo.update(
            "checklist_template_items",
            item_id,
            {"op": op, "value": None if value is None else float(value), "unit": unit.strip()},
        )

    def remove_template_item(self, item_id: str) -> None:
        self._template_item(item_id)
        self.repo.delete("checklist_template_items", item_id)

    def move_template_item(self, item_id: str, index: int) -> None:
        item = self._template_item(item_id)
        order = [entry.id for entry in self.template(item["template_id"]).items]
        self._reorder("checklist_template_items", order, item_id, index)

    # ---- Internals ----------------------------------------------------------------------------

    def _inspection(self, inspection_id: str) -> dict[str, Any]:
        """The record, if the current user may see it (the 暗访 rule); else "不存在或已删除"."""
        return self.findings.visible_record(inspection_id)

    def _template_item(self, item_id: str) -> dict[str, Any]:
        item = self.repo.get("checklist_template_items", item_id)
        if (
            item is None
            or item["deleted"]
            or not self._live("checklist_templates", item["template_id"])
        ):
            raise WriteError("该模板检查项不存在或已删除。")
        return item

    def _live(self, table: str, row_id: str) -> bool:
        row = self.repo.get(table, row_id)
        return row is not None and not row["deleted"]

    def _check_template_name(self, name: str, *, except_id: str | None = None) -> None:
        if not name:
            raise WriteError("请填写模板名称。")
        for template in self.templates():
            if template.name == name and template.id != except_id:
                raise WriteError(f"已有名为“{name}”的检查模板，请换一个名称。")

    def _last_position(self, table: str, parent: str, parent_id: str) -> int:
        (position,) = self.db.execute(
            f"SELECT COALESCE(MAX(position), 0) FROM {table} WHERE {parent} = ? AND deleted = 0",
            [parent_id],
        ).fetchone()
        return int(position)

    def _reorder(self, table: str, order: list[str], row_id: str, index: int) -> None:
        order = [entry for entry in order if entry != row_id]
        index = max(0, min(index, len(order)))
        order.insert(index, row_id)
        with self.repo.transaction():
            for position, entry in enumerate(order, start=1):
                self.repo.update(table, entry, {"position": position})

    def _describe(self, answer: Answer) -> str:
        parts = [answer.text.rstrip("？?")]
        check = answer.check
        if check is not None:
            parts.append(check.summary)
        elif answer.measured_text:
            parts.append(f"实测：{answer.measured_text}")
        if answer.note:
            parts.append(answer.note)
        return "；".join(parts) + "。"

    def _department(
        self, measure_id: str, inspection: dict[str, Any], department_id: str | None
    ) -> str | None:
        ordered = [
            row[0]
            for row in self.db.execute(
                "SELECT s.department_id FROM assignments s JOIN departments d"
                " ON d.id = s.department_id WHERE s.measure_id = ? AND s.deleted = 0"
                " AND d.deleted = 0 GROUP BY s.department_id ORDER BY MIN(CASE s.role"
                " WHEN 'lead' THEN 0 WHEN 'responsible' THEN 1 ELSE 2 END), MIN(s.position)",
                [measure_id],
            )
        ]
        inspected = inspection.get("department_id")
        if department_id is None:
            if inspected in ordered:
                return inspected
            return ordered[0] if ordered else None
        if department_id not in ordered:
            raise WriteError("责任部门不是这项措施的牵头或责任部门，请从措施的部门中选择。")
        return department_id

    def _category(self, name: str) -> str:
        names = [
            row[0]
            for row in self.db.execute(
                "SELECT name FROM vocabulary WHERE list = 'category' AND deleted = 0"
                " ORDER BY position, rowid"
            )
        ]
        if name in names:
            return name
        if name == FALLBACK_CATEGORY or not names:
            return name
        raise WriteError(f"问题类别“{name}”不在类别列表中，请从列表中选择。")


# ---- Helpers ---------------------------------------------------------------------------------


def _span(start: int | None, end: int | None) -> tuple[int, int] | None:
    return None if start is None or end is None else (start, end)


def _key(source: AnswerSource | str, ref_id: str | None, text: str) -> tuple[str, str]:
    source = AnswerSource(source)
    if ref_id and source in (AnswerSource.DEADLINE, AnswerSource.TARGET, AnswerSource.TEMPLATE):
        return (source.value, ref_id)
    return (source.value, text.strip())


def _verdict(verdict: Verdict | str) -> Verdict:
    try:
        return Verdict(verdict)
    except ValueError:
        raise WriteError("结论应为“符合”“基本符合”“不符合”或“不适用”。") from None


def _check_target(op: str | None, value: float | None) -> None:
    if (op is None) != (value is None):
        raise WriteError("目标的比较方式和数值要一起填写（例如 ≤ 0.5），或都不填。")
    if op is not None and op not in COMPARATORS:
        raise WriteError(f"目标的比较方式“{op}”无法识别，请用 ≥、≤、=、> 或 <。")
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise WriteError("目标值必须是数字。")


def _item_values(
    template_id: str, position: int, text: str, op: str | None, value: float | None, unit: str
) -> dict[str, Any]:
    return {
        "template_id": template_id,
        "position": position,
        "text": text.strip(),
        "op": op,
        "value": None if value is None else float(value),
        "unit": unit.strip(),
    }


def _answer(row: tuple, evidence_count: int) -> Answer:
    (
        row_id,
        inspection_id,
        position,
        source,
        ref_id,
        text,
        expected,
        op,
        value,
        unit,
        verdict,
        measured,
        measured_text,
        note,
        finding_id,
    ) = row
    return Answer(
        row_id,
        inspection_id,
        position,
        AnswerSource(source),
        ref_id,
        text,
        expected,
        op,
        value,
        unit,
        Verdict(verdict) if verdict else None,
        measured,
        measured_text,
        note,
        finding_id,
        evidence_count,
    )


def _category_for(answer: Answer) -> str:
    """The category a finding from this item most likely belongs to (the office can change it)."""
    kind = answer.ref_id if answer.source is AnswerSource.PROMISE else None
    if kind in _FEE_KINDS or answer.unit == "元":
        return "违规收费"
    if kind == "disclosure":
        return "信息公开"
    if kind in _ATTITUDE_KINDS:
        return "服务态度"
    if kind in _EFFICIENCY_KINDS or answer.unit in _TIME_UNITS:
        return "办事效率"
    return "政策落实"
