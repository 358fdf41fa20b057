"""The checklist the app proposes for one measure: pure functions, no database.

From the measure itself, in this order:

1. **完成时限** — one item per milestone: "是否按期完成：8月底前，增加窗口扫码设备…", expected
   "2021年8月31日前完成" (a date not yet due at the inspection says so);
2. **目标值** — one item per target, measurable: "0.5个工作日完成审批", expected
   "审批用时（工作日）≤ 0.5" with op/value/unit, so a measured "6小时" is checked against it;
3. **服务承诺** — the promises in the text (app/plan_import/promises.py): 免费 → 是否收取了费用？
   (收取费用（元）= 0), 无需提供… → 是否仍需提供…？, 一次办好 → 到现场次数（次）≤ 1, …

A target written as a plain amount (新增30个, 实现100%, 扩充2家) is checked as "at least" that
amount; only one written as an exact result (合并为1个, 只需…开展1次) stays "=".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.inspection import AnswerSource
from app.plan_import.model import ParsedMeasure, Span
from app.plan_import.promises import find_promises
from app.services.measured import describe_target

_MAX_CLAUSE = 60
_BREAKS = "，,；;。：:、"
_TIME_UNITS = ("工作日", "小时", "分钟", "日", "天", "个月")
_TIME_WORDS = ("时间", "时限", "用时", "期限", "周期", "时长", "天数")
_EXACT_ENDINGS = ("为", "合并成", "整合成")
_METRIC_LEAD = ("在", "将", "把", "对", "使", "予以", "并")
_METRIC_TAIL = ("原则上", "要", "应", "须", "必须", "力争", "确保", "最长", "最短", "最多", "最少")
_METRIC_TAIL += ("合并为", "整合为", "压缩为", "调整为", "扩展至", "提升至", "为", "在", "于", "的")
_TIME_LEAD = ("完成", "予以", "实现")
_STOPS = "，,。；;：:、（(）)\n"


@dataclass(frozen=True)
class MilestoneFact:
    """A milestone as stored: ``span`` is its clause, as offsets into the measure's text."""

    id: str | None
    raw: str
    due: date | None
    kind: str  # date, recurring, ongoing, period
    span: Span | None = None


@dataclass(frozen=True)
class TargetFact:
    """A target as stored: ``span`` is the target phrase, as offsets into the measure's text."""

    id: str | None
    raw: str
    metric: str
    op: str | None
    value: float | None
    unit: str
    span: Span | None = None


@dataclass(frozen=True)
class ProposedItem:
    """One checklist item before it is an answer. ``quantity`` names what is measured."""

    source: AnswerSource
    ref_id: str | None
    text: str
    expected: str = ""
    op: str | None = None
    value: float | None = None
    unit: str = ""
    quantity: str = ""
    span: Span | None = None

    @property
    def measurable(self) -> bool:
        return self.op is not None and self.value is not None


def facts_from_parsed(measure: ParsedMeasure) -> tuple[list[MilestoneFact], list[TargetFact]]:
    """What plan import would store for ``measure`` (spans made relative to its text)."""

    def relative(span: Span | None) -> Span | None:
        if span is None:
            return None
        return (max(0, span[0] - measure.text_start), max(0, span[1] - measure.text_start))

    milestones = [
        MilestoneFact(None, d.raw, d.due, d.kind, relative(d.span)) for d in measure.deadlines
    ]
    targets = [
        TargetFact(None, t.raw, t.metric, t.op, t.value, t.unit, relative(t.span))
        for t in measure.targets
    ]
    return milestones, targets


def propose_checklist(
    text: str,
    milestones: Sequence[MilestoneFact],
    targets: Sequence[TargetFact],
    *,
    title: str = "",
    on: date | None = None,
) -> list[ProposedItem]:
    """The items to check for a measure with this text, milestones and targets.

    ``on`` is the inspection's date: a milestone due after it is marked 尚未到期."""
    items = [_deadline_item(text, title, m, on) for m in milestones]
    items += [_target_item(text, t) for t in targets]
    target_spans = [t.span for t in targets if _valid(t.span, text)]
    for promise in find_promises(text, targets=target_spans):  # type: ignore[arg-type]
        expected = f"{promise.expected}（原文：{promise.quote}）"
        items.append(
            ProposedItem(
                AnswerSource.PROMISE,
                promise.kind,
                promise.question,
                expected,
                promise.op,
                promise.value,
                promise.unit,
                promise.quantity,
                promise.span,
            )
        )
    return items


# ---- Deadlines ---------------------------------------------------------------------------------


def _deadline_item(
    text: str, title: str, milestone: MilestoneFact, on: date | None
) -> ProposedItem:
    clause = _clause(text, milestone.span, milestone.raw) or title or milestone.raw
    raw = milestone.raw.strip()
    if milestone.kind == "recurring":
        question, expected = "是否按周期开展", f"{raw}按期开展"
    elif milestone.kind == "ongoing":
        question, expected = "是否持续推进", f"{raw}，持续推进"
    elif milestone.kind == "period":
        question, expected = "是否按期推进", f"{raw}完成"
    else:
        question = "是否按期完成"
        due = milestone.due
        expected = f"{due.year}年{due.month}月{due.day}日前完成" if due else f"{raw}完成"
        if due is not None and on is not None and due > on:
            expected += "（检查时尚未到期，查看进展）"
    return ProposedItem(
        AnswerSource.DEADLINE,
        milestone.id,
        f"{question}：{clause}",
        expected,
        span=milestone.span,
    )


def _valid(span: Span | None, text: str) -> bool:
    return span is not None and 0 <= span[0] < span[1] <= len(text)


def _clause(text: str, span: Span | None, raw: str) -> str:
    """The milestone's clause, shortened to about ``_MAX_CLAUSE`` characters around ``raw``."""
    if not _valid(span, text):
        return ""
    assert span is not None
    clause = text[span[0] : span[1]].strip().rstrip("。；;")
    if len(clause) <= _MAX_CLAUSE:
        return clause
    at = clause.find(raw) if raw else 0
    start = max(0, min(at - 10, len(clause) - _MAX_CLAUSE)) if at > _MAX_CLAUSE - 20 else 0
    if start:  # begin where a clause begins, not in the middle of a word
        starts = [i + 1 for i, char in enumerate(clause[: max(at, start) + 1]) if char in _BREAKS]
        later = [i for i in starts if i >= start]
        start = later[0] if later else (starts[-1] if starts else start)
    lead = "…" if start else ""
    return lead + clause[start : start + _MAX_CLAUSE].rstrip("，,、") + "…"


# ---- Targets -----------------------------------------------------------------------------------


def _target_item(text: str, target: TargetFact) -> ProposedItem:
    phrase, named_by = _target_phrase(text, target)
    op = _checked_op(target)
    unit = target.unit or ""
    quantity = _quantity(named_by, unit)
    measurable = op is not None and target.value is not None
    return ProposedItem(
        AnswerSource.TARGET,
        target.id,
        phrase,
        describe_target(op, target.value, unit, quantity) if measurable else "",  # type: ignore[arg-type]
        op if measurable else None,
        target.value,
        unit,
        quantity,
        target.span,
    )


def _target_phrase(text: str, target: TargetFact) -> tuple[str, str]:
    """The target as written with what it is about, and the words naming what is measured.

    主流程审批时间不超过11个工作日 (the metric before it); 0.5个工作日完成审批 (after it); 扩充2家
    “政银合作”银行 (the metric before is only a verb: the words after say what is counted)."""
    metric, raw = target.metric.strip(), target.raw.strip()
    if not _valid(target.span, text):
        return (f"{metric}{raw}" if metric else raw), metric
    assert target.span is not None
    start, end = target.span
    before = (
        metric if metric and text[max(0, start - len(metric)) : start].strip() == metric else ""
    )
    if before:
        start -= len(text[:start]) - len(text[:start].rstrip()) + len(metric)
    after_end = end
    while after_end < len(text) and after_end - end < 16 and text[after_end] not in _STOPS:
        after_end += 1
    after = text[end:after_end].strip()
    if len(_clean(before)) >= 3:
        return text[start:end].strip(), before
    return text[start : end + len(text[end:after_end].rstrip())].strip(), after.strip('“”"')


def _checked_op(target: TargetFact) -> str | None:
    if target.op != "=":
        return target.op
    metric = target.metric.strip()
    if metric.endswith(_EXACT_ENDINGS) or "只需" in metric or "仅" in metric:
        return "="
    return ">="  # 新增30个, 实现100%: at least


def _quantity(metric: str, unit: str) -> str:
    """What is measured, named from the metric: "完成审批" + 工作日 -> "审批用时"."""
    words = _clean(metric)
    if unit in _TIME_UNITS and not any(word in words for word in _TIME_WORDS):
        for lead in _TIME_LEAD:
            if words.startswith(lead):
                words = words[len(lead) :]
        return f"{words}用时"
    return words or "实测值"


def _clean(metric: str) -> str:
    """The metric without the verbs and particles around it (在, 将, 原则上, 合并为 …)."""
    words = metric.strip().replace("“", "").replace("”", "")
    cut = words.find("由")  # 简易注销公告时间由45天 -> 简易注销公告时间
    if cut > 0:
        words = words[:cut]
    changed = True
    while changed:
        changed = False
        for lead in _METRIC_LEAD:
            if words.startswith(lead) and len(words) > len(lead):
                words, changed = words[len(lead) :], True
        for tail in _METRIC_TAIL:
            if words.endswith(tail) and len(words) > len(tail):
                words, changed = words[: -len(tail)], True
    return "" if words in _METRIC_LEAD or words in _METRIC_TAIL else words
