"""Service promises (服务承诺) in a measure's text, as things an inspector can check.

A promise is what a measure says the public will get at the window, on the phone or online:

    免费代办服务                  -> "free": 是否收取了费用？   收取费用（元）= 0
    无需建设单位提供中标通知书    -> "no_request": 是否仍需建设单位提供中标通知书？
    不得强制用户签订申请用电承诺书 -> "prohibited": 是否存在强制用户签订申请用电承诺书的情况？
    零跑腿 / 不见面               -> "zero_visits": 到现场次数（次）= 0
    最多跑一次 / 一次办好         -> "one_visit": 到现场次数（次）≤ 1
    即办 / 当场办结 / 即报即得    -> "on_the_spot": 是否当场办结？
    全程网办 / 一网通办 / 掌上办  -> "online": 能否全程网上办理？
    延期开庭不超过一次            -> "count_limit": 延期开庭次数（次）≤ 1
    签订移交协议即可办理备案      -> "condition": 是否做到“…即可办理备案”？

and a few more (一窗受理, 一次性告知, 告知承诺, 容缺, 帮办代办, 限时办结, 首问负责,
预约/延时/上门服务, 窗口无权否决, 接诉即办, 公开/公示). Numbers with a unit (0.5个工作日完成审批,
24小时内审核完毕, 不超过11个工作日) are targets (targets.py), not promises: a promise never
overlaps a target's span.

Each promise carries the question as an inspector would ask it, what a pass looks like, and,
where it can be measured, the quantity with op/value/unit, so a measured value can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .model import Span, TargetOp
from .textutil import cn_to_int, fold

# Stops that end the words a promise is about (its object, its clause).
_CLAUSE_STOP = "，,。；;：:！!？?\n"
_OBJECT_STOP = _CLAUSE_STOP + '（(）)“”"、'
_MAX_OBJECT = 30
_MAX_QUOTE = 48
_LEADING_VERBS = re.compile(r"^(?:实现|确保|推行|做到)")
_FEE_WORDS = ("收取", "收费", "缴纳", "缴费")
_TRAILING_NOUNS = ("问题", "情形", "现象", "行为", "情况", "等")

# A promise kind that can be measured: what is counted, and the target it must meet.
Measure = tuple[str, TargetOp, float, str]
_FEE: Measure = ("收取费用", "=", 0.0, "元")
_NO_VISIT: Measure = ("到现场次数", "=", 0.0, "次")
_ONE_VISIT: Measure = ("到现场次数", "<=", 1.0, "次")
_ONE_SUBMISSION: Measure = ("提交材料次数", "<=", 1.0, "次")

KIND_LABELS = {
    "free": "免费",
    "no_request": "无需提供/办理",
    "prohibited": "禁止事项",
    "zero_visits": "零跑腿",
    "one_visit": "最多跑一次",
    "one_submission": "一次提交材料",
    "on_the_spot": "即来即办",
    "online": "网上办理",
    "mobile": "掌上办理",
    "one_window": "一窗受理",
    "notify_once": "一次性告知",
    "commitment": "告知承诺",
    "tolerate": "容缺受理",
    "agency": "帮办代办",
    "time_limit": "限时办结",
    "first_contact": "首问负责",
    "service_hours": "预约/延时/上门服务",
    "no_veto": "窗口无权否决",
    "hotline": "接诉即办",
    "count_limit": "数量上限",
    "condition": "即可办理",
    "disclosure": "公开公示",
}


@dataclass(frozen=True, slots=True)
class Promise:
    """One promise: ``raw`` is the phrase as written, ``span`` where it is in the text, ``quote``
    the clause around it (as written, shortened with "…"). ``quantity``/``op``/``value``/``unit``
    are set when the promise can be measured (收取费用 = 0 元, 到现场次数 ≤ 1 次)."""

    kind: str
    raw: str
    span: Span
    quote: str
    question: str
    expected: str
    quantity: str = ""
    op: TargetOp | None = None
    value: float | None = None
    unit: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class _Found:
    """What a rule makes of one match: the question, what a pass is, and an optional measure."""

    question: str
    expected: str
    measure: Measure | None = None


_Rule = tuple[str, re.Pattern[str], Callable[[re.Match[str], str], _Found | None]]


def _object_after(norm: str, raw: str, start: int, *, stops: str = _OBJECT_STOP) -> str:
    """The words from ``start`` up to the next stop (at most ``_MAX_OBJECT`` characters)."""
    end = start
    while end < len(norm) and end - start < _MAX_OBJECT and norm[end] not in stops:
        end += 1
    return raw[start:end].strip()


def _words_before(norm: str, raw: str, end: int, *, limit: int = 16) -> str:
    """The words before ``end`` back to the previous stop (at most ``limit`` characters)."""
    start = end
    while start > 0 and end - start < limit and norm[start - 1] not in _OBJECT_STOP:
        start -= 1
    return raw[start:end].strip()


def _clause(norm: str, raw: str, start: int, end: int) -> str:
    """The clause holding ``[start, end)``, as written, shortened to about ``_MAX_QUOTE``."""
    left = start
    while left > 0 and norm[left - 1] not in _CLAUSE_STOP:
        left -= 1
    right = end
    while right < len(norm) and norm[right] not in _CLAUSE_STOP:
        right += 1
    lead, tail = "", ""
    if right - left > _MAX_QUOTE:
        room = max(0, _MAX_QUOTE - (end - start))
        new_left = max(left, start - room // 2)
        new_right = min(right, end + (room - (start - new_left)))
        lead = "…" if new_left > left else ""
        tail = "…" if new_right < right else ""
        left, right = new_left, new_right
    return lead + raw[left:right].strip() + tail


def _is_fee(words: str) -> bool:
    return any(word in words for word in _FEE_WORDS)


def _strip_trailing_noun(words: str) -> str:
    for noun in _TRAILING_NOUNS:
        if words.endswith(noun) and len(words) > len(noun) + 1:
            return words[: -len(noun)]
    return words


# ---- Rules -------------------------------------------------------------------------------------


def _free(m: re.Match[str], raw: str) -> _Found:
    what = m.group("what") if "what" in m.groupdict() and m.group("what") else ""
    if what:
        what = re.split(r"或|和|及|并", what, maxsplit=1)[0]
        return _Found(f"是否收取了{what}？", f"未收取{what}", _FEE)
    return _Found("是否收取了费用？", "未收取任何费用", _FEE)


def _no_request(m: re.Match[str], raw: str) -> _Found | None:
    word, rest = m.group("word"), m.group("rest").strip()
    if not rest:
        return None
    if rest.endswith(("提供", "提交")):  # "…获取的材料，不再要求建设单位提供": the object is before
        left = m.start()
        while left > 0 and m.string[left - 1] in "，, ":
            left -= 1
        if left < m.start():
            what = _words_before(m.string, raw, left, limit=20)
            if what:
                rest += f"（{what}）"
    if word in ("无需", "不需要", "不需"):
        question = f"是否仍需{rest}？"
    elif word in ("免于", "免予"):
        question = f"是否仍要求{rest}？"
    else:  # 不再
        question = f"是否仍{rest}？"
    return _Found(question, "否", _FEE if _is_fee(rest) else None)


def _submission_free(m: re.Match[str], raw: str) -> _Found:
    return _Found("是否仍要求提交（已承诺“免提交”的材料）？", "否")


def _prohibited(m: re.Match[str], raw: str) -> _Found | None:
    rest = _strip_trailing_noun(m.group("rest").strip())
    if len(rest) < 2:
        return None
    return _Found(f"是否存在{rest}的情况？", "不存在", _FEE if _is_fee(rest) else None)


def _fixed(question: str, expected: str, measure: Measure | None = None) -> Callable:
    def make(m: re.Match[str], raw: str) -> _Found:
        return _Found(question, expected, measure)

    return make


def _service_hours(m: re.Match[str], raw: str) -> _Found:
    return _Found(f"是否提供{m.group('what')}服务？", "提供")


_COUNT_UNITS = {"个": "个", "份": "份", "次": "次", "道": "道", "项": "项"}


def _count_limit(m: re.Match[str], raw: str) -> _Found | None:
    count = cn_to_int(m.group("n"))
    if count is None:
        return None
    unit = m.group("unit") or ""
    noun = m.group("noun") or ""
    if not unit and not noun:
        return None
    # What is counted: the words before, from the last 的 (适用普通程序审理的案件延期开庭次数).
    before = _words_before(m.string, raw, m.start(), limit=24)
    before = before.rsplit("的", 1)[-1]
    quantity = (before + noun) or "数量"
    if unit == "次" and not quantity.endswith("次数"):
        quantity += "次数"
    unit_name = unit or ("个" if noun == "环节" else "份" if noun == "材料" else "")
    written = f"{m.group('n')}{unit}{noun}"
    return _Found(
        f"{quantity}是否不超过{written}？", f"不超过{written}", (quantity, "<=", count, unit_name)
    )


def _condition(m: re.Match[str], raw: str) -> _Found | None:
    return None  # built from the clause in find_promises (it needs the whole clause)


_CN_NUM = "[0-9一二两三四五六七八九十]"
_RULES: list[_Rule] = [
    (
        "free",
        re.compile(r"免费(?!午餐)|零收费|(?:免收|不收取|免缴)(?P<what>[^，,。；;：:（(、]{1,12})"),
        _free,
    ),
    (
        "no_request",
        re.compile(r"(?P<word>无需|不需要|不需|不再|免于|免予)(?P<rest>[^，,。；;：:（(]{1,30})"),
        _no_request,
    ),
    ("no_request", re.compile(r"免提交"), _submission_free),
    (
        "prohibited",
        re.compile(r"(?P<word>不得|严禁|禁止|杜绝)(?P<rest>[^，,。；;：:（(]{1,40})"),
        _prohibited,
    ),
    (
        "zero_visits",
        re.compile(r"零跑腿|零见面|一次不跑|不见面(?:办理|审批|开标)?"),
        _fixed("办事是否需要到现场（当面）办理？", "不需要到现场", _NO_VISIT),
    ),
    (
        "one_visit",
        re.compile(r"最多跑一次|只跑一次|一次办好|一次办结|一次办成"),
        _fixed("办成这件事要到现场几次？", "最多一次", _ONE_VISIT),
    ),
    (
        "one_submission",
        re.compile(r"只交一次材料|只需提交一次材料"),
        _fixed("是否只需提交一次材料？", "只需提交一次", _ONE_SUBMISSION),
    ),
    (
        "on_the_spot",
        re.compile(
            r"即来即办|即到即办|即报即得|当场办结|当场办理|当场办|立等可取|即时办结|当天办结|当日办结|秒批|秒办|(?<!诉)即办(?![证理])"
        ),
        _fixed("是否当场办结（不需等待或再次来办）？", "当场办结"),
    ),
    (
        "online",
        re.compile(
            r"(?:全程网办|一网通办|全程网上办|网上办理|网上办|全程在线|网上可办|一网办好|一网受理)(?![率])"
        ),
        _fixed("能否全程网上办理（不必到现场）？", "能全程网上办理"),
    ),
    (
        "mobile",
        re.compile(r"掌上办理|掌上办|掌上可办|指尖办|掌上全程办"),
        _fixed("能否在手机上（掌上）办理？", "能在手机上办理"),
    ),
    (
        "one_window",
        re.compile(r"一窗受理|一窗通办|一厅通办|一窗办理|只到一个窗口|综合窗口(?!比例)"),
        _fixed("是否在一个窗口（综合窗口）受理，不必在多个窗口间往返？", "一窗受理"),
    ),
    (
        "notify_once",
        re.compile(r"一次性告知|一次告知"),
        _fixed("是否一次性告知全部所需材料和存在的问题？", "一次性告知"),
    ),
    (
        "commitment",
        re.compile(r"告知承诺"),
        _fixed("是否实行告知承诺制（书面承诺后即予办理，不再索要有关证明）？", "已实行"),
    ),
    (
        "tolerate",
        re.compile(r"容缺"),
        _fixed("次要材料欠缺时是否容缺受理（先办理、后补齐）？", "容缺受理"),
    ),
    (
        "agency",
        re.compile(r"帮办代办|代办服务|代办(?=标准|人员)"),
        _fixed("是否提供帮办代办服务？", "提供"),
    ),
    ("time_limit", re.compile(r"限时办结"), _fixed("是否在承诺时限内办结？", "按时办结")),
    (
        "first_contact",
        re.compile(r"首问负责"),
        _fixed("是否落实首问负责制（首位接待人员负责到底）？", "已落实"),
    ),
    ("service_hours", re.compile(r"(?P<what>预约|延时|上门|错时)服务"), _service_hours),
    (
        "no_veto",
        re.compile(r"无权否决|无否决权"),
        _fixed("是否存在窗口工作人员直接否决（拒绝受理）办事申请的情况？", "不存在"),
    ),
    (
        "hotline",
        re.compile(r"接诉即办|12345"),
        _fixed("诉求是否及时受理并按时答复？", "及时受理、按时答复"),
    ),
    (
        "count_limit",
        re.compile(
            rf"(?:不超过|不多于|最多|至多)(?P<n>{_CN_NUM}{{1,3}})(?P<unit>个|份|次|道|项)?"
            r"(?P<noun>环节|材料)?"
        ),
        _count_limit,
    ),
    ("condition", re.compile(r"即可"), _condition),
    (
        "disclosure",
        re.compile(
            r"(?:并|及时|予以|向社会|主动|网上)(?:公开|公示|公布)(?!透明)|公开公示"
            r"|(?:公开|公示)(?:流程|事项|办事指南|收费标准)"
        ),
        _fixed("是否已按要求公开（公示）？", "已公开"),
    ),
]


def _overlaps(span: Span, taken: Iterable[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def find_promises(
    text: str, *, targets: Sequence[Span] = (), norm: str | None = None
) -> list[Promise]:
    """The promises in ``text``, in reading order, each question once.

    ``targets`` are the spans of the measure's targets (offsets into ``text``): a promise never
    overlaps one (0.5个工作日完成审批 is checked as a target). ``norm`` may pass ``fold(text)``.
    """
    if norm is None:
        norm = fold(text)
    found: list[Promise] = []
    for kind, pattern, make in _RULES:
        for m in pattern.finditer(norm):
            start, end = m.span()
            if _overlaps((start, end), targets):
                continue
            if kind == "online" and norm[end : end + 3].lstrip('”"').startswith("率"):
                continue  # 全程网办率: a rate (a target), not a promise about one service
            if kind == "condition":
                promise = _condition_promise(norm, text, start, end)
            else:
                made = make(m, text)
                if made is None:
                    continue
                promise = _promise(kind, text, norm, (start, end), made)
            if promise is not None:
                found.append(promise)
    found.sort(key=lambda p: p.span)
    seen: set[tuple[str, str]] = set()
    unique: list[Promise] = []
    for promise in found:
        key = (promise.kind, promise.question)
        if key not in seen:
            seen.add(key)
            unique.append(promise)
    return unique


def _promise(kind: str, text: str, norm: str, span: Span, made: _Found) -> Promise:
    quantity, op, value, unit = made.measure or ("", None, None, "")
    # The question is built from ``text`` slices, so it keeps what was written (１ stays １).
    return Promise(
        kind=kind,
        raw=text[span[0] : span[1]],
        span=span,
        quote=_clause(norm, text, *span),
        question=made.question,
        expected=made.expected,
        quantity=quantity,
        op=op,
        value=value,
        unit=unit,
    )


def _condition_promise(norm: str, text: str, start: int, end: int) -> Promise | None:
    """…即可办理备案: the condition and what it promises, as one clause."""
    after = _object_after(norm, text, end)
    before = _words_before(norm, text, start, limit=24)
    if len(after) < 2:
        return None
    if not before:  # "…材料，即可出具…": the condition is the clause before the comma
        left = start
        while left > 0 and norm[left - 1] in "，, ":
            left -= 1
        before = _words_before(norm, text, left, limit=24)
        if not before:
            return None
        before += "，"
    before = _LEADING_VERBS.sub("", before)
    claim = f"{before}即可{after}"
    span = (start, end + len(after))
    return Promise(
        kind="condition",
        raw=text[start:end],
        span=span,
        quote=_clause(norm, text, start, span[1]),
        question=f"是否做到“{claim}”？",
        expected="做到",
    )
