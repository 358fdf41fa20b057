"""Service promises in a measure's text: what an inspector can check at the window."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.plan_import import find_targets
from app.plan_import.promises import find_promises


def _one(text: str, kind: str):
    found = [p for p in find_promises(text) if p.kind == kind]
    assert len(found) == 1, [(p.kind, p.question) for p in find_promises(text)]
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "question"),
    [
        ("为企业提供“一站式”免费代办服务。", "free", "是否收取了费用？"),
        ("推动工程建设项目审批开工前“零收费”改革。", "free", "是否收取了费用？"),
        ("采购人对诚信供应商免收履约保证金或减低缴纳比例。", "free", "是否收取了履约保证金？"),
        (
            "办理施工许可时无需建设单位提供中标通知书。",
            "no_request",
            "是否仍需建设单位提供中标通知书？",
        ),
        (
            "推行告知承诺制，不再强制要求用户提供村委会证明。",
            "no_request",
            "是否仍强制要求用户提供村委会证明？",
        ),
        ("小微企业低压电力接入工程，免于办理行政许可。", "no_request", "是否仍要求办理行政许可？"),
        (
            "不得强制用户签订申请用电承诺书等。",
            "prohibited",
            "是否存在强制用户签订申请用电承诺书的情况？",
        ),
        ("坚决杜绝超期限发放案款情形。", "prohibited", "是否存在超期限发放案款的情况？"),
        ("实现企业开办领域的“零跑腿”。", "zero_visits", "办事是否需要到现场（当面）办理？"),
        ("达到“全程网上办，最多跑一次”的目标。", "one_visit", "办成这件事要到现场几次？"),
        (
            "对符合条件的市场主体设立登记，实现“即报即得”。",
            "on_the_spot",
            "是否当场办结（不需等待或再次来办）？",
        ),
        ("实施简易注销“全程网办”。", "online", "能否全程网上办理（不必到现场）？"),
        ("推广税费事项网上办掌上办。", "mobile", "能否在手机上（掌上）办理？"),
        (
            "线下实行“一窗受理”。",
            "one_window",
            "是否在一个窗口（综合窗口）受理，不必在多个窗口间往返？",
        ),
        ("并一次性告知方案存在的问题。", "notify_once", "是否一次性告知全部所需材料和存在的问题？"),
        (
            "竣工综合验收备案时可以容缺。",
            "tolerate",
            "次要材料欠缺时是否容缺受理（先办理、后补齐）？",
        ),
        (
            "在继续推行首问负责制、一次告知、限时办结等基础上。",
            "first_contact",
            "是否落实首问负责制（首位接待人员负责到底）？",
        ),
        ("完善延时服务，为老年人提供服务保障。", "service_hours", "是否提供延时服务？"),
        (
            "强化窗口无权否决机制宣传力度。",
            "no_veto",
            "是否存在窗口工作人员直接否决（拒绝受理）办事申请的情况？",
        ),
        (
            "实现通过联合验收并签订移交协议即可办理备案。",
            "condition",
            "是否做到“通过联合验收并签订移交协议即可办理备案”？",
        ),
        ("9月底前完成流程再造并公示流程。", "disclosure", "是否已按要求公开（公示）？"),
    ],
)
def test_each_kind_of_promise_becomes_a_question(text: str, kind: str, question: str) -> None:
    promise = _one(text, kind)
    assert promise.question == question
    assert text[promise.span[0] : promise.span[1]].startswith(promise.raw)
    assert promise.raw in promise.quote or promise.quote.strip("…") in text


def test_measurable_promises_carry_their_target() -> None:
    free = _one("为企业提供“一站式”免费代办服务。", "free")
    assert (free.quantity, free.op, free.value, free.unit) == ("收取费用", "=", 0.0, "元")
    once = _one("达到“全程网上办，最多跑一次”的目标。", "one_visit")
    assert (once.quantity, once.op, once.value, once.unit) == ("到现场次数", "<=", 1.0, "次")
    none = _one("提供就业“零跑腿”服务。", "zero_visits")
    assert (none.op, none.value, none.unit) == ("=", 0.0, "次")
    # A prohibition about charging is measured as money charged.
    fee = _one("不得以任何名义直接或通过关联企业向用户收取不合理费用。", "prohibited")
    assert (fee.op, fee.value, fee.unit) == ("=", 0.0, "元")
    # … but 加收资料 is about documents, not money.
    assert _one("杜绝额外加收资料问题。", "prohibited").op is None


def test_counts_written_in_chinese_numerals() -> None:
    text = (
        "适用普通程序审理的案件延期开庭次数不超过两次，"
        "适用简易程序和小额诉讼程序的案件延期开庭不超过一次。"
    )
    twice, once = find_promises(text)
    assert (twice.kind, twice.quantity, twice.op, twice.value, twice.unit) == (
        "count_limit",
        "案件延期开庭次数",
        "<=",
        2,
        "次",
    )
    assert twice.question == "案件延期开庭次数是否不超过两次？"
    assert (once.value, once.unit) == (1, "次")


def test_a_promise_never_overlaps_a_target() -> None:
    text = "纳入“一张表单”的，接入环节不超过１个，不再单独提供材料。"
    spans = [t.span for t in find_targets(text)]
    assert spans  # 不超过１个 is a target
    kinds = [p.kind for p in find_promises(text, targets=spans)]
    assert "count_limit" not in kinds
    assert kinds == ["no_request"]
    # Without the target spans it would be read as a count limit.
    assert "count_limit" in [p.kind for p in find_promises(text)]


def test_a_rate_is_not_an_online_promise() -> None:
    text = "依申请政务服务事项网上可办率要达到95%以上，可全程网办率不低于80%。"
    assert [p.kind for p in find_promises(text)] == []


def test_hotline_is_not_mistaken_for_on_the_spot() -> None:
    kinds = [p.kind for p in find_promises("打造“e呼善应、接诉即办”服务品牌。")]
    assert kinds == ["hotline"]
    # 交房即办证 is a programme's name, not "done on the spot".
    assert find_promises("扩大“交房（地）即办证”覆盖面。") == []


def test_the_same_question_is_asked_once() -> None:
    text = "实现“一网通办”。推动“全程网办”。网上办理更便利。"
    assert [p.kind for p in find_promises(text)] == ["online"]


def test_the_object_of_a_bare_provide_comes_from_before() -> None:
    promise = _one("可通过工程审批系统获取的材料，不再要求建设单位提供；", "no_request")
    assert promise.question == "是否仍要求建设单位提供（可通过工程审批系统获取的材料）？"


def test_a_count_of_steps_or_papers() -> None:
    steps = _one("接入环节不超过两个环节，办理“零跑腿”。", "count_limit")
    assert (steps.raw, steps.value, steps.unit) == ("不超过两个环节", 2, "个")
    # Full-width digits are read, and the phrase keeps the characters as written.
    papers = _one("申请材料不超过２份材料。", "count_limit")
    assert (papers.raw, papers.value, papers.unit) == ("不超过２份材料", 2, "份")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="免费无需不再得提供办理即可零跑腿最多一次网通窗受告知承诺，。；两3个环节份材料公开示",
        max_size=80,
    )
)
def test_any_text_gives_well_formed_promises(text: str) -> None:
    for promise in find_promises(text):
        start, end = promise.span
        assert 0 <= start < end <= len(text)
        assert text[start:end].startswith(promise.raw)
        assert promise.question.endswith("？")
        assert (promise.op is None) == (promise.value is None)
