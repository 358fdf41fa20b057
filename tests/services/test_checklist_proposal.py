"""The checklist proposed for a measure of the sample plan (滕政发〔2021〕9号): golden cases.

Each case is what an inspector gets for that measure, item by item: (source, ref, text,
expected, op, value, unit). ``ref`` is the promise kind for promises (deadlines and targets of a
parsed plan have no ids yet). The inspection is dated 2021-07-15, so later deadlines say so.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.inspection import AnswerSource
from app.paths import SAMPLE_PLAN
from app.plan_import import ParsedMeasure, parse_text
from app.services.checklist_proposal import (
    MilestoneFact,
    TargetFact,
    facts_from_parsed,
    propose_checklist,
)

ON = date(2021, 7, 15)

GOLDEN = {
    "拓展电子证照应用场景，实现“电子两证”全面应用": [
        (
            "deadline",
            None,
            "是否按期完成：8月底前，增加窗口扫码设备、对接上级业务系统，申请人扫描证件二维码或录入代码信息，即可通过全省电子证照库调取相关信息，无…",
            "2021年8月31日前完成（检查时尚未到期，查看进展）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "condition",
            "是否做到“申请人扫描证件二维码或录入代码信息，即可通过全省电子证照库调取相关信息”？",
            "做到（原文：即可通过全省电子证照库调取相关信息）",
            None,
            None,
            "",
        ),
        ("promise", "no_request", "是否仍需人工核验？", "否（原文：无需人工核验）", None, None, ""),
    ],
    "拓展“政银合作”新模式，提升企业开办便利化水平": [
        (
            "deadline",
            None,
            "是否按期完成：9月底前，扩充2家“政银合作”银行，签订政银合作协议",
            "2021年9月30日前完成（检查时尚未到期，查看进展）",
            None,
            None,
            "",
        ),
        ("target", None, "扩充2家“政银合作”银行", "政银合作银行（家）≥ 2", ">=", 2.0, "家"),
        (
            "promise",
            "free",
            "是否收取了费用？",
            "未收取任何费用（原文：为企业提供开业登记、银行开户等业务的“一站式”免费代办服务）",
            "=",
            0.0,
            "元",
        ),
        (
            "promise",
            "agency",
            "是否提供帮办代办服务？",
            "提供（原文：为企业提供开业登记、银行开户等业务的“一站式”免费代办服务）",
            None,
            None,
            "",
        ),
    ],
    "持续优化企业开办流程": [
        ("target", None, "0.5个工作日完成预审", "预审用时（工作日）≤ 0.5", "<=", 0.5, "工作日"),
        ("target", None, "0.5个工作日完成审批", "审批用时（工作日）≤ 0.5", "<=", 0.5, "工作日"),
        (
            "promise",
            "online",
            "能否全程网上办理（不必到现场）？",
            "能全程网上办理（原文：…办理、社保登记、医保登记、公积金登记等业务“一网通办”、随时可办）",
            None,
            None,
            "",
        ),
    ],
    "试行企业开办“掌上全程办”": [
        (
            "deadline",
            None,
            "是否按期完成：7月底前，结合“爱山东•枣庄”移动政务服务平台企业开办模块的优化完善，试行企业开办全程无纸化办理和“零见面”审批，且能实…",
            "2021年7月31日前完成（检查时尚未到期，查看进展）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "mobile",
            "能否在手机上（掌上）办理？",
            "能在手机上办理（原文：试行企业开办“掌上全程办”）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "zero_visits",
            "办事是否需要到现场（当面）办理？",
            "不需要到现场（原文：试行企业开办全程无纸化办理和“零见面”审批）",
            "=",
            0.0,
            "次",
        ),
    ],
    "提升企业注销便利度，优化审批流程": [
        (
            "deadline",
            None,
            "是否按期完成：7月底前，实现涉企注销业务办理进度和结果实时共享，实现市场主体退出全生命周期便捷登记服务，提高企业注销便利化水平",
            "2021年7月31日前完成（检查时尚未到期，查看进展）",
            None,
            None,
            "",
        ),
        (
            "target",
            None,
            "简易注销公告时间由45天压缩为20天",
            "简易注销公告时间（天）≤ 20",
            "<=",
            20.0,
            "天",
        ),
        (
            "target",
            None,
            "在30日内申请的简易注销登记",
            "申请的简易注销登记用时（日）≤ 30",
            "<=",
            30.0,
            "日",
        ),
        ("target", None, "1个工作日内予以办结", "办结用时（工作日）≤ 1", "<=", 1.0, "工作日"),
        (
            "promise",
            "condition",
            "是否做到“异议情形不存在或错误的，即可受理该申请”？",
            "做到（原文：即可受理该申请）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "online",
            "能否全程网上办理（不必到现场）？",
            "能全程网上办理（原文：实施简易注销“全程网办”）",
            None,
            None,
            "",
        ),
    ],
    "共享工程建设项目招投标信息": [
        (
            "deadline",
            None,
            "是否按期完成：…相关部门根据共享信息加强监管，简化施工许可申请材料，６月底前，办理施工许可时无需建设单位提供中标通知书…",
            "2021年6月30日前完成",
            None,
            None,
            "",
        ),
        (
            "promise",
            "no_request",
            "是否仍需建设单位提供中标通知书？",
            "否（原文：办理施工许可时无需建设单位提供中标通知书）",
            None,
            None,
            "",
        ),
    ],
    "推行项目竣工联合验收，合并验收备案手续": [
        (
            "deadline",
            None,
            "是否按期完成：加快推行竣工联合验收，６月底前，将“人防工程竣工验收备案”“建设工程竣工验收备案”“建设工程竣工档案验收”“建设工程消防…",
            "2021年6月30日前完成",
            None,
            None,
            "",
        ),
        (
            "target",
            None,
            "建设单位承诺在３个月内",
            "建设单位承诺用时（个月）≤ 3",
            "<=",
            3.0,
            "个月",
        ),
        (
            "promise",
            "commitment",
            "是否实行告知承诺制（书面承诺后即予办理，不再索要有关证明）？",
            "已实行（原文：建设工程城建档案验收实行告知承诺制）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "condition",
            "是否做到“建设单位承诺在３个月内按要求提交城建档案验收材料，即可出具建设工程档案验收意见或移交证明”？",
            "做到（原文：即可出具建设工程档案验收意见或移交证明（告知承诺））",
            None,
            None,
            "",
        ),
        (
            "promise",
            "no_request",
            "是否仍要求建设单位提供（可通过工程审批系统获取的材料）？",
            "否（原文：不再要求建设单位提供）",
            None,
            None,
            "",
        ),
    ],
    "整合低风险项目审批服务事项、分阶段审批": [
        (
            "deadline",
            None,
            "是否按期完成：6月底前，将低风险项目开工前行政审批、市政服务等事项合并为１个政务服务事项",
            "2021年6月30日前完成",
            None,
            None,
            "",
        ),
        ("target", None, "市政服务等事项合并为１个", "市政服务等事项（个）= 1", "=", 1.0, "个"),
        ("target", None, "市政接入等合并为１个", "市政接入等（个）= 1", "=", 1.0, "个"),
        (
            "target",
            None,
            "主流程审批时间不超过11个工作日",
            "主流程审批时间（工作日）≤ 11",
            "<=",
            11.0,
            "工作日",
        ),
    ],
    "简化排水接入": [
        ("target", None, "接入环节不超过１个", "接入环节（个）≤ 1", "<=", 1.0, "个"),
        (
            "promise",
            "no_request",
            "是否仍单独提供材料？",
            "否（原文：不再单独提供材料）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "notify_once",
            "是否一次性告知全部所需材料和存在的问题？",
            "一次性告知（原文：并一次性告知方案存在的问题）",
            None,
            None,
            "",
        ),
    ],
    "压减用电报装环节和申请资料": [
        (
            "promise",
            "prohibited",
            "是否存在额外加收资料的情况？",
            "不存在（原文：杜绝额外加收资料问题）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "prohibited",
            "是否存在以环保治理等其他理由干扰用户办电的情况？",
            "不存在（原文：不得以环保治理等其他理由干扰用户办电）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "commitment",
            "是否实行告知承诺制（书面承诺后即予办理，不再索要有关证明）？",
            "已实行（原文：推行告知承诺制）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "no_request",
            "是否仍强制要求用户提供村委会证明？",
            "否（原文：不再强制要求用户提供村委会证明）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "prohibited",
            "是否存在增设或变相设置用电报装业务办理环节、前置条件的情况？",
            "不存在（原文：不得增设或变相设置用电报装业务办理环节、前置条件）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "prohibited",
            "是否存在强制用户签订申请用电承诺书的情况？",
            "不存在（原文：不得强制用户签订申请用电承诺书等）",
            None,
            None,
            "",
        ),
    ],
    "推广“智能办税一点通”": [
        (
            "deadline",
            None,
            "是否按期完成：6月底前，推行“引导式+体验式”的全新办税新模式，引导纳税人使用“智能办税一点通”APP,实现纳税人在综合性办税服务厅…",
            "2021年6月30日前完成",
            None,
            None,
            "",
        ),
        (
            "promise",
            "one_window",
            "是否在一个窗口（综合窗口）受理，不必在多个窗口间往返？",
            "一窗受理（原文：实行“一厅通办”“一网通办”）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "online",
            "能否全程网上办理（不必到现场）？",
            "能全程网上办理（原文：实行“一厅通办”“一网通办”）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "one_visit",
            "办成这件事要到现场几次？",
            "最多一次（原文：最多跑一次”和真正实现群众“只进一扇门、只跑一次”的目标）",
            "<=",
            1.0,
            "次",
        ),
    ],
    "推行一站式诉讼服务": [
        (
            "target",
            None,
            "对当事人提交的网上立案申请原则上24小时内",
            "当事人提交的网上立案申请用时（小时）≤ 24",
            "<=",
            24.0,
            "小时",
        ),
        ("target", None, "平均审核时间最长不超过3日", "平均审核时间（日）≤ 3", "<=", 3.0, "日"),
        ("target", None, "热线服务接通率实现100%", "热线服务接通率（%）≥ 100", ">=", 100.0, "%"),
        (
            "target",
            None,
            "对当事人网上提出的诉讼费减缓免申请7日内",
            "当事人网上提出的诉讼费减缓免申请用时（日）≤ 7",
            "<=",
            7.0,
            "日",
        ),
        (
            "promise",
            "online",
            "能否全程网上办理（不必到现场）？",
            "能全程网上办理（原文：实现“一站办好”、“一网办好”、“一号办好”、“一次办好”）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "one_visit",
            "办成这件事要到现场几次？",
            "最多一次（原文：实现“一站办好”、“一网办好”、“一号办好”、“一次办好”）",
            "<=",
            1.0,
            "次",
        ),
    ],
    "缩短案件审理周期": [
        (
            "target",
            None,
            "民商事案件的平均审理期限保持在45日以内",
            "民商事案件的平均审理期限（日）≤ 45",
            "<=",
            45.0,
            "日",
        ),
        (
            "promise",
            "count_limit",
            "案件延期开庭次数是否不超过两次？",
            "不超过两次（原文：适用普通程序审理的案件延期开庭次数不超过两次）",
            "<=",
            2,
            "次",
        ),
        (
            "promise",
            "count_limit",
            "案件延期开庭次数是否不超过一次？",
            "不超过一次（原文：适用简易程序和小额诉讼程序的案件延期开庭不超过一次）",
            "<=",
            1,
            "次",
        ),
    ],
    "畅通供应商融资渠道": [
        (
            "promise",
            "no_request",
            "是否仍向诚信记录良好的供应商收取投标保证金？",
            "否（原文：不再向诚信记录良好的供应商收取投标保证金）",
            "=",
            0.0,
            "元",
        ),
        (
            "promise",
            "free",
            "是否收取了履约保证金？",
            "未收取履约保证金（原文：采购人对诚信供应商免收履约保证金或减低缴纳比例）",
            "=",
            0.0,
            "元",
        ),
    ],
    "提升全市政务服务大厅服务水平": [
        (
            "deadline",
            None,
            "是否按期完成：9月底，研究制定政务服务中心帮办代办标准，规范帮办代办服务",
            "2021年9月30日前完成（检查时尚未到期，查看进展）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "agency",
            "是否提供帮办代办服务？",
            "提供（原文：认真落实“季度服务明星”评选办法和帮办代办人员绩效考核办法）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "first_contact",
            "是否落实首问负责制（首位接待人员负责到底）？",
            "已落实（原文：在继续推行首问负责制、一次告知、限时办结等基础上）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "notify_once",
            "是否一次性告知全部所需材料和存在的问题？",
            "一次性告知（原文：在继续推行首问负责制、一次告知、限时办结等基础上）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "time_limit",
            "是否在承诺时限内办结？",
            "按时办结（原文：在继续推行首问负责制、一次告知、限时办结等基础上）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "no_veto",
            "是否存在窗口工作人员直接否决（拒绝受理）办事申请的情况？",
            "不存在（原文：强化“吐槽找茬”和窗口无权否决机制宣传力度）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "service_hours",
            "是否提供预约服务？",
            "提供（原文：完善预约服务、延时服务、上门服务）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "service_hours",
            "是否提供延时服务？",
            "提供（原文：完善预约服务、延时服务、上门服务）",
            None,
            None,
            "",
        ),
        (
            "promise",
            "service_hours",
            "是否提供上门服务？",
            "提供（原文：完善预约服务、延时服务、上门服务）",
            None,
            None,
            "",
        ),
    ],
}


@pytest.fixture(scope="module")
def measures() -> dict[str, ParsedMeasure]:
    plan = parse_text(SAMPLE_PLAN.read_text(encoding="utf-8"), SAMPLE_PLAN.name)
    return {measure.title: measure for measure in plan.measures}


def _proposal(measure: ParsedMeasure, on: date | None = ON):
    milestones, targets = facts_from_parsed(measure)
    return propose_checklist(measure.text, milestones, targets, title=measure.title, on=on)


@pytest.mark.parametrize("title", list(GOLDEN))
def test_golden_proposals(measures: dict[str, ParsedMeasure], title: str) -> None:
    items = _proposal(measures[title])
    got = [(i.source.value, i.ref_id, i.text, i.expected, i.op, i.value, i.unit) for i in items]
    assert got == GOLDEN[title]


def test_the_sample_has_fifteen_varied_golden_measures(measures) -> None:
    assert len(GOLDEN) == 15 and set(GOLDEN) <= set(measures)
    sources = {item[0] for items in GOLDEN.values() for item in items}
    kinds = {item[1] for items in GOLDEN.values() for item in items if item[0] == "promise"}
    assert sources == {"deadline", "target", "promise"}
    assert len(kinds) >= 15  # free, no_request, prohibited, one_visit, count_limit, …


def test_every_measure_gets_its_deadlines_and_targets(measures) -> None:
    assert len(measures) == 201
    promises = 0
    for measure in measures.values():
        items = _proposal(measure)
        deadlines = [i for i in items if i.source is AnswerSource.DEADLINE]
        targets = [i for i in items if i.source is AnswerSource.TARGET]
        assert len(deadlines) == len(measure.deadlines), measure.title
        assert len(targets) == len(measure.targets), measure.title
        for item in items:
            assert item.text.strip(), measure.title
            if item.source is not AnswerSource.DEADLINE:
                assert (item.op is None) == (item.value is None)
        for item, target in zip(targets, measure.targets, strict=True):
            assert item.measurable and item.value == target.value and item.unit == target.unit
            assert target.raw.strip() in item.text
            assert item.expected  # "审批用时（工作日）≤ 0.5"
        # The order: deadlines, then targets, then promises.
        order = [i.source for i in items]
        assert order == sorted(order, key=[*AnswerSource].index)
        promises += len(items) - len(deadlines) - len(targets)
    assert promises > 100  # the sample promises a lot


def test_a_deadline_already_due_is_not_marked_pending(measures) -> None:
    measure = measures["持续优化企业开办流程"]
    assert not measure.deadlines  # its targets only
    [deadline] = [
        i
        for i in _proposal(measures["试行企业开办“掌上全程办”"], date(2021, 8, 1))
        if i.source is AnswerSource.DEADLINE
    ]
    assert deadline.expected == "2021年7月31日前完成"
    [deadline] = [
        i
        for i in _proposal(measures["试行企业开办“掌上全程办”"], None)
        if i.source is AnswerSource.DEADLINE
    ]
    assert deadline.expected == "2021年7月31日前完成"


def test_stored_facts_with_ids_and_odd_spans() -> None:
    """Ids become ref ids; a span that no longer fits the text (edited) does not break it."""
    text = "6月底前，窗口办理时间压缩至4个工作日。每季度开展一次回访。"
    milestones = [
        MilestoneFact("m1", "6月底前", date(2021, 6, 30), "date", (0, 19)),
        MilestoneFact("m2", "每季度", None, "recurring", (500, 600)),
        MilestoneFact("m3", "长期坚持", None, "ongoing", None),
    ]
    at = text.index("压缩至")
    span = (at, at + len("压缩至4个工作日"))
    targets = [TargetFact("t1", "压缩至4个工作日", "窗口办理时间", "<=", 4.0, "工作日", span)]
    items = propose_checklist(text, milestones, targets, title="压缩办理时间")
    assert [(i.source.value, i.ref_id) for i in items[:4]] == [
        ("deadline", "m1"),
        ("deadline", "m2"),
        ("deadline", "m3"),
        ("target", "t1"),
    ]
    assert items[0].text == "是否按期完成：6月底前，窗口办理时间压缩至4个工作日"
    assert items[1].text == "是否按周期开展：压缩办理时间" and items[1].expected == "每季度按期开展"
    assert items[2].expected == "长期坚持，持续推进"
    assert items[3].text == "窗口办理时间压缩至4个工作日"
    assert items[3].expected == "窗口办理时间（工作日）≤ 4"
