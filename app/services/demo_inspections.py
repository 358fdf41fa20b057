"""明察暗访 for the demo ledger: plans, records, checklist answers, findings in every stage.

Drawn by ``app/services/demo.py`` inside its one transaction, from a random stream of their own
(``Random(f"inspections-{seed}")``), so the ledger's measures are what they were before records
existed, and each measure draws all of its numbers in one go (the content does not depend on
``CHUNK``). Rows are written through ``Repository.insert_many`` in the shapes the services write:

- plans (``InspectionPlans.create``): monthly 明察 and 暗访 rounds from July 2021, with methods,
  sites, inspectors, a 督查结论 and feedback per department once over, and the inspected
  departments as their scope;
- records (``Inspections.record``): one measure each, of a plan (its mode), on a working day of
  the plan's period, the measure's lead as the inspected department; some 暗访 disclosed;
- checklist answers (``ChecklistService``): one per milestone (deadline) and target of the
  measure and a few from the office's usual questions, with verdicts and measured values;
- findings (``ChecklistService.raise_finding``): each from a 不符合 item (which names it), with a
  category, severity, department and a 整改期限 as a date or N working days (counted with the
  office's calendar); and their workflow as ``Findings`` writes it — ``finding_events`` for each
  move, a ``rechecks`` row for each 复查, ``rectification``/``reported_on`` from the last report,
  ``rectified_on`` = the day of the passing 复查 (cleared by a 撤销销号). Every move is a legal one
  of ``FINDING_TRANSITIONS``, dated on or after the previous one and on or before ``DEMO_END``.

About ``DEFAULT_FINDINGS_PER_MEASURE`` findings per measure (3 per 10 measures); ``findings``
changes the total (about; records are drawn at random): more findings per record and more of
the measures inspected.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from app.domain.inspection import FindingAction, FindingStage, next_stage
from app.services.measured import describe_target, format_number, meets

if TYPE_CHECKING:
    from app.domain.workdays import WorkCalendar
    from app.storage import Repository

DEFAULT_FINDINGS_PER_MEASURE = 0.3
MAX_FINDINGS_PER_MEASURE = 50
FIRST_MONTH = date(2021, 7, 1)
MONTHS = 17  # July 2021 to November 2022
DEMO_END = date(2022, 12, 31)  # no workflow step is dated later
MAX_FINDINGS_PER_RECORD = 150  # a Poisson draw's cap, far above the largest mean (50 / 0.95)

INSPECTORS = (
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄敏",
    "周杰",
    "吴婷",
    "徐亮",
    "孙悦",
)
OPEN_METHODS = ("实地查看", "查阅资料", "走访企业")
COVERT_METHODS = ("模拟办事", "电话暗访", "网上办事体验")
SITES = (
    "市政务服务中心 综合窗口",
    "市政务服务中心 不动产登记窗口",
    "市政务服务中心 企业开办专区",
    "市民中心 社保医保窗口",
    "12345政务服务便民热线",
    "市政务服务网",
    "经济开发区 企业服务中心",
    "龙泉街道 便民服务中心",
)
# The office's usual questions (custom items): (text, category of a finding from it).
OPEN_QUESTIONS = (
    ("是否建立工作台账，资料是否完整？", "政策落实"),
    ("牵头部门是否定期调度、按时报送进展？", "政策落实"),
    ("政策文件是否按规定公开？", "信息公开"),
    ("企业反映的问题是否及时回应？", "服务态度"),
)
COVERT_QUESTIONS = (
    ("是否一次性告知全部所需材料和办理流程？", "办事效率"),
    ("工作人员是否在岗、态度热情、用语规范？", "服务态度"),
    ("是否存在违规收费或指定中介服务？", "违规收费"),
    ("办事指南与实际要求是否一致？", "信息公开"),
    ("是否要求提供已取消的证明材料？", "办事效率"),
)
FAILURE_NOTES = (
    "现场核实与台账不符",
    "工作人员未能说明原因",
    "群众反映多次往返",
    "资料缺失，无法提供",
    "进度明显滞后",
)
RECTIFICATIONS = (
    "已完成整改，补齐相关资料并建立长效机制。",
    "已约谈窗口负责人，组织业务培训，规范服务用语。",
    "已调整办理流程，压缩办理时限，并在窗口公示。",
    "已取消相关材料要求，更新办事指南。",
    "已制定整改方案，明确责任人和完成时限，逐项推进。",
)
RECHECK_PASS_NOTES = ("复查通过，整改到位。", "现场复查，问题已解决。")
RECHECK_FAIL_NOTES = ("复查发现问题依然存在，退回重改。", "整改措施未落实到位，退回重改。")
SEVERITIES = (("minor", 60), ("major", 30), ("serious", 10))
RECTIFY_WORKDAYS = (5, 10, 15, 20, 30)
# How far a finding's 整改 gets (weights): the last move made, if its dates come by DEMO_END.
FATES = (
    ("pending", 10),
    ("rectifying", 12),
    ("reported", 12),
    ("closed", 50),
    ("sent_back", 8),
    ("closed_after_fail", 6),
    ("reopened", 2),
)


@dataclass(frozen=True)
class DemoPlan:
    row: dict[str, Any]
    methods: tuple[str, ...]
    sites: tuple[str, ...]
    inspectors: tuple[str, ...]


@dataclass
class DrawnFinding:
    row: dict[str, Any]  # without inspection_id, measure_id
    events: list[dict[str, Any]]  # without finding_id
    rechecks: list[dict[str, Any]]  # without finding_id


@dataclass
class DrawnAnswer:
    row: dict[str, Any]  # without inspection_id, ref_id, finding_id
    ref: tuple[str, int] | None  # ("milestones" | "targets", index in the measure's list)
    finding: int | None  # index into the record's findings


@dataclass
class DrawnRecord:
    plan: int  # index into the plans
    row: dict[str, Any]  # without measure_id, inspection_plan_id
    answers: list[DrawnAnswer] = field(default_factory=list)
    findings: list[DrawnFinding] = field(default_factory=list)


class DemoInspections:
    """Draws and writes the 明察暗访 part of one demo build."""

    def __init__(
        self,
        repository: Repository,
        calendar: WorkCalendar,
        *,
        seed: int,
        measures: int,
        findings: int | None,
    ) -> None:
        self.repo = repository
        self.calendar = calendar
        self.rng = random.Random(f"inspections-{seed}")
        total = round(measures * DEFAULT_FINDINGS_PER_MEASURE) if findings is None else findings
        ratio = total / measures if measures else 0.0
        # A fifth of the measures inspected at the default ratio, more for more findings.
        self.record_chance = min(0.95, ratio * 2 / 3)
        self.per_record = ratio / self.record_chance if self.record_chance else 0.0
        self.plans = self._draw_plans(measures)
        self.plan_ids: list[str] = []
        self.scope: dict[int, dict[str, None]] = {}  # plan → departments inspected, in order
        self._due_cache: dict[tuple[str, int], str] = {}

    # ---- Plans -------------------------------------------------------------------------------

    def _draw_plans(self, measures: int) -> list[DemoPlan]:
        rng = self.rng
        count = max(2, min(240, measures // 250))
        plans, batches = [], {}
        for number in range(count):
            mode = "covert" if number % 3 == 1 else "open"
            month = number * MONTHS // count
            year, month0 = divmod(FIRST_MONTH.month - 1 + month, 12)
            starts = date(FIRST_MONTH.year + year, month0 + 1, 1)
            ends = starts + timedelta(days=rng.randint(14, 27))
            key = (starts, mode)
            batches[key] = batches.get(key, 0) + 1
            label = "明察" if mode == "open" else "暗访"
            methods = tuple(rng.sample(OPEN_METHODS if mode == "open" else COVERT_METHODS, 2))
            sites = tuple(rng.sample(SITES, rng.randint(1, 3)))
            inspectors = tuple(rng.sample(INSPECTORS, rng.randint(2, 3)))
            concluded = ends + timedelta(days=rng.randint(5, 12))
            over = concluded <= DEMO_END
            row = {
                "name": f"{starts.year}年{starts.month}月{label}（第{batches[key]}批）",
                "mode": mode,
                "starts_on": starts.isoformat(),
                "ends_on": ends.isoformat(),
                "methods": _json(methods),
                "sites": _json(sites),
                "inspectors": _json(inspectors),
                "conclusion": "督查发现的问题已逐一反馈相关部门，要求限期整改并报送整改情况。"
                if over
                else "",
                "concluded_on": concluded.isoformat() if over else None,
                "created_on": (starts - timedelta(days=7)).isoformat(),
                "created_by": inspectors[0],
            }
            plans.append(DemoPlan(row, methods, sites, inspectors))
        return plans

    def insert_plans(self) -> None:
        self.plan_ids = self.repo.insert_many("inspection_plans", [p.row for p in self.plans])

    def insert_scope_and_feedback(self) -> None:
        """What each plan inspected (its departments) and, once it is over, the day its 督查结论
        was fed back to each of them."""
        rng = self.rng
        scope, feedback = [], []
        for index, departments in sorted(self.scope.items()):
            plan = self.plans[index].row
            for department_id in departments:
                scope.append(
                    {
                        "inspection_plan_id": self.plan_ids[index],
                        "measure_id": None,
                        "department_id": department_id,
                    }
                )
                if plan["concluded_on"]:
                    day = date.fromisoformat(plan["concluded_on"]) + timedelta(
                        days=rng.randint(1, 5)
                    )
                    feedback.append(
                        {
                            "inspection_plan_id": self.plan_ids[index],
                            "department_id": department_id,
                            "fed_back_on": min(day, DEMO_END).isoformat(),
                            "note": "书面反馈督查结论",
                        }
                    )
        self.repo.insert_many("inspection_plan_scope", scope)
        self.repo.insert_many("inspection_feedback", feedback)

    # ---- Records -----------------------------------------------------------------------------

    def draw(
        self,
        title: str,
        assignments: Sequence[dict[str, Any]],
        milestones: Sequence[dict[str, Any]],
        targets: Sequence[dict[str, Any]],
    ) -> DrawnRecord | None:
        """The record of one measure (or None: not inspected), with its answers and findings."""
        rng = self.rng
        if rng.random() >= self.record_chance:
            return None
        plan_index = rng.randrange(len(self.plans))
        plan = self.plans[plan_index]
        starts = date.fromisoformat(plan.row["starts_on"])
        ends = date.fromisoformat(plan.row["ends_on"])
        day = starts + timedelta(days=rng.randint(0, (ends - starts).days))
        if day.weekday() >= 5:  # a Saturday or Sunday: the Friday before, or the Monday after
            friday = day - timedelta(days=day.weekday() - 4)
            day = friday if friday >= starts else day + timedelta(days=7 - day.weekday())
        covert = plan.row["mode"] == "covert"
        inspectors = rng.sample(plan.inspectors, rng.randint(1, min(2, len(plan.inspectors))))
        method, place = rng.choice(plan.methods), rng.choice(plan.sites)
        lead = next(a["department_id"] for a in assignments if a["role"] == "lead")
        others = [a["department_id"] for a in assignments if a["role"] != "lead"]
        count = min(MAX_FINDINGS_PER_RECORD, _poisson(rng, self.per_record))
        concluded = plan.row["concluded_on"]
        disclosed = None
        if covert and concluded and rng.random() < 0.5:
            disclosed = min(
                date.fromisoformat(concluded) + timedelta(days=rng.randint(5, 20)), DEMO_END
            )
        record = DrawnRecord(
            plan_index,
            {
                "kind": plan.row["mode"],
                "checked_on": day.isoformat(),
                "inspector": "、".join(inspectors),
                "place": place,
                "summary": f"{method}，检查“{title}”落实情况，"
                + (f"发现问题 {count} 个。" if count else "未发现问题。"),
                "method": method,
                "department_id": lead,
                "state": "draft"
                if day.year == 2022 and day.month >= 11 and rng.random() < 0.1
                else "final",
                "disclosed_on": disclosed.isoformat() if disclosed else None,
                "created_by": inspectors[0],
            },
        )
        self.scope.setdefault(plan_index, {}).setdefault(lead)
        self._draw_answers(record, day, milestones, targets, covert, count)
        for answer in record.answers:
            if answer.finding is not None:
                department = lead if not others or rng.random() < 0.8 else rng.choice(others)
                record.findings.append(self._draw_finding(answer, day, department, plan))
        return record

    def _draw_answers(
        self,
        record: DrawnRecord,
        day: date,
        milestones: Sequence[dict[str, Any]],
        targets: Sequence[dict[str, Any]],
        covert: bool,
        count: int,
    ) -> None:
        rng = self.rng
        answers = record.answers
        for index, milestone in enumerate(milestones):
            due = date.fromisoformat(milestone["due"])
            expected = f"{due.year}年{due.month}月{due.day}日前完成"
            if due > day:
                expected += "（检查时尚未到期，查看进展）"
            answers.append(
                DrawnAnswer(
                    _answer_row(
                        "deadline", f"是否按期完成：{milestone['raw']}完成相关工作", expected
                    ),
                    ("milestones", index),
                    None,
                )
            )
        for index, target in enumerate(targets):
            text = f"{target['metric']}{target['raw']}"
            expected = describe_target(
                target["op"], target["value"], target["unit"], target["metric"]
            )
            row = _answer_row("target", text, expected)
            row.update(op=target["op"], value=target["value"], unit=target["unit"])
            answers.append(DrawnAnswer(row, ("targets", index), None))
        questions = COVERT_QUESTIONS if covert else OPEN_QUESTIONS
        for text, _category in rng.sample(questions, 2):
            answers.append(DrawnAnswer(_answer_row("custom", text, ""), None, None))
        while len(answers) < count:  # more problems than items: the inspector added some
            text, _category = rng.choice(questions)
            row = _answer_row("custom", f"{text.rstrip('？')}（第 {len(answers) + 1} 处）", "")
            answers.append(DrawnAnswer(row, None, None))
        failing = set(rng.sample(range(len(answers)), count))
        for position, answer in enumerate(answers, start=1):
            row = answer.row
            row["position"] = position
            fails = position - 1 in failing
            if fails:
                answer.finding = len([a for a in answers[: position - 1] if a.finding is not None])
            if row["op"] is not None:
                value = _measured_value(rng, row["op"], row["value"], fails)
                row["measured"] = value
                row["measured_text"] = f"{format_number(value)}{row['unit']}"
                row["verdict"] = "pass" if meets(row["op"], row["value"], value) else "fail"
            elif fails:
                row["verdict"] = "fail"
            else:
                row["verdict"] = rng.choices(("pass", "partial", "na"), (80, 12, 8))[0]
            if fails:
                row["note"] = rng.choice(FAILURE_NOTES)

    def _draw_finding(
        self, answer: DrawnAnswer, found: date, department: str, plan: DemoPlan
    ) -> DrawnFinding:
        rng = self.rng
        row = answer.row
        parts = [row["text"].rstrip("？?")]
        if row["op"] is not None:
            goal = describe_target(row["op"], row["value"], row["unit"])
            parts.append(f"实测 {row['measured_text']}，目标 {goal}：未达标")
        parts.append(row["note"])
        category = _category(row)
        severity = rng.choices([s for s, _w in SEVERITIES], [w for _s, w in SEVERITIES])[0]
        workdays: int | None = None
        if rng.random() < 0.7:
            workdays = rng.choice(RECTIFY_WORKDAYS)
            due = self._add_workdays(found, workdays)
        else:
            due = found + timedelta(days=rng.randint(15, 60))
        finding = {
            "department_id": department,
            "description": "；".join(parts) + "。",
            "found_on": found.isoformat(),
            "rectify_by": due.isoformat(),
            "rectified_on": None,
            "category": category,
            "severity": severity,
            "rectify_workdays": workdays,
            "stage": "pending",
            "rectification": "",
            "reported_on": None,
        }
        events, rechecks = self._workflow(finding, found, due, plan)
        return DrawnFinding(finding, events, rechecks)

    def _workflow(
        self, finding: dict[str, Any], found: date, due: date, plan: DemoPlan
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Moves of the 整改 workflow as ``Findings`` makes them, until the fate is reached or
        the next move would come after ``DEMO_END``; sets the finding's stage fields."""
        rng = self.rng
        fate = rng.choices([f for f, _w in FATES], [w for _f, w in FATES])[0]
        plan_moves: list[FindingAction] = []
        if fate != "pending":
            if rng.random() < 0.7:
                plan_moves.append(FindingAction.START)
            if fate != "rectifying":
                plan_moves.append(FindingAction.REPORT)
            if fate in ("closed", "reopened"):
                plan_moves.append(FindingAction.RECHECK_PASS)
            if fate in ("sent_back", "closed_after_fail"):
                plan_moves.append(FindingAction.RECHECK_FAIL)
            if fate == "closed_after_fail":
                plan_moves += [FindingAction.REPORT, FindingAction.RECHECK_PASS]
            if fate == "reopened":
                plan_moves.append(FindingAction.REOPEN)
        late = rng.random() < 0.25
        stage = FindingStage.PENDING
        day = found
        events: list[dict[str, Any]] = []
        rechecks: list[dict[str, Any]] = []
        reported = 0
        for action in plan_moves:
            if action is FindingAction.START:
                day += timedelta(days=rng.randint(0, 4))
            elif action is FindingAction.REPORT:
                if reported == 0 and not late:
                    day = max(day, due - timedelta(days=rng.randint(0, max(0, (due - day).days))))
                elif reported == 0:
                    day = max(day, due) + timedelta(days=rng.randint(1, 30))
                else:
                    day += timedelta(days=rng.randint(3, 15))
            elif action is FindingAction.REOPEN:
                day += timedelta(days=rng.randint(5, 30))
            else:
                day += timedelta(days=rng.randint(1, 10))
            if day > DEMO_END:
                break
            target = next_stage(stage, action)
            assert target is not None, (stage, action)
            note = ""
            if action is FindingAction.REPORT:
                reported += 1
                finding["rectification"] = note = rng.choice(RECTIFICATIONS)
                finding["reported_on"] = day.isoformat()
            elif action in (FindingAction.RECHECK_PASS, FindingAction.RECHECK_FAIL):
                passed = action is FindingAction.RECHECK_PASS
                note = rng.choice(RECHECK_PASS_NOTES if passed else RECHECK_FAIL_NOTES)
                rechecks.append(
                    {
                        "checked_on": day.isoformat(),
                        "inspector": rng.choice(plan.inspectors),
                        "result": "pass" if passed else "fail",
                        "note": note,
                    }
                )
                finding["rectified_on"] = day.isoformat() if passed else finding["rectified_on"]
            elif action is FindingAction.REOPEN:
                note = "销号有误，撤销销号"
                finding["rectified_on"] = None
            events.append(
                {
                    "happened_on": day.isoformat(),
                    "stage": target.value,
                    "action": action.value,
                    "note": note,
                    "actor": "",
                }
            )
            stage = target
        finding["stage"] = stage.value
        return events, rechecks

    def _add_workdays(self, start: date, count: int) -> date:
        key = (start.isoformat(), count)
        if key not in self._due_cache:
            self._due_cache[key] = self.calendar.add_workdays(start, count).isoformat()
        return date.fromisoformat(self._due_cache[key])

    # ---- Writing one chunk ------------------------------------------------------------------

    def insert(
        self,
        drawn: Sequence[tuple[str, dict[str, list[str]], DrawnRecord]],
    ) -> None:
        """Write the records of a chunk: (measure id, its child ids by table, the record)."""
        repo = self.repo
        if not drawn:
            return
        record_ids = repo.insert_many(
            "inspections",
            [
                {
                    "measure_id": measure_id,
                    **record.row,
                    "inspection_plan_id": self.plan_ids[record.plan],
                }
                for measure_id, _children, record in drawn
            ],
        )
        finding_rows = []
        for record_id, (measure_id, _children, record) in zip(record_ids, drawn, strict=True):
            for finding in record.findings:
                finding_rows.append(
                    {"inspection_id": record_id, "measure_id": measure_id, **finding.row}
                )
        finding_ids = iter(repo.insert_many("findings", finding_rows))
        answers, events, rechecks = [], [], []
        for record_id, (_measure_id, children, record) in zip(record_ids, drawn, strict=True):
            ids = [next(finding_ids) for _ in record.findings]
            for finding_id, finding in zip(ids, record.findings, strict=True):
                events += [{"finding_id": finding_id, **event} for event in finding.events]
                rechecks += [{"finding_id": finding_id, **recheck} for recheck in finding.rechecks]
            for answer in record.answers:
                ref = children[answer.ref[0]][answer.ref[1]] if answer.ref else None
                answers.append(
                    {
                        "inspection_id": record_id,
                        **answer.row,
                        "ref_id": ref,
                        "finding_id": ids[answer.finding] if answer.finding is not None else None,
                    }
                )
        repo.insert_many("checklist_answers", answers)
        repo.insert_many("finding_events", events)
        repo.insert_many("rechecks", rechecks)


def _answer_row(source: str, text: str, expected: str) -> dict[str, Any]:
    return {
        "position": 0,
        "source": source,
        "text": text,
        "expected": expected,
        "op": None,
        "value": None,
        "unit": "",
        "verdict": None,
        "measured": None,
        "measured_text": "",
        "note": "",
    }


def _measured_value(rng: random.Random, op: str, target: float, fails: bool) -> float:
    """A measured value that meets the target, or misses it when ``fails``."""
    step = max(1.0, abs(target) * 0.1)
    if op in (">=", ">"):
        value = target + rng.uniform(0, step) if not fails else target - rng.uniform(0.5, step)
    elif op in ("<=", "<"):
        value = target - rng.uniform(0, step) if not fails else target + rng.uniform(0.5, step)
    else:
        value = target if not fails else target + rng.choice((-1, 1)) * rng.uniform(0.5, step)
    value = round(value, 1)
    if meets(op, target, value) == fails:  # rounding crossed the line: step over it
        value = round(target + (1 if (op in (">=", ">")) != fails else -1) * step, 1)
    return value


def _category(row: dict[str, Any]) -> str:
    if row["source"] == "custom":
        base = row["text"].split("（第 ")[0]
        base = base if base.endswith("？") else base + "？"
        for text, category in (*OPEN_QUESTIONS, *COVERT_QUESTIONS):
            if text == base:
                return category
        return "其他"
    if row["source"] == "target":
        return "办事效率" if row["unit"] in ("工作日", "小时", "分钟", "日", "天") else "政策落实"
    return "政策落实"


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _json(items: Sequence[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)
