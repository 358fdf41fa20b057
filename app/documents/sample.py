"""A sample 明察暗访情况通报 for tests, demos and the engineers building on the model.

``sample_bulletin()`` has every part GB/T 9704 names for a 通报: 发文机关标志, 发文字号, a two-line
title, 主送, headings of all four levels (一、 （一） 1. （1）) with run-in text, quotation marks,
dashes and ellipses (the East-Asian-ambiguous characters), two attachments (a 40-row problem list
that spans pages and a short ranking), 附件说明, signature with seal, 成文日期, 附注, 抄送 and 印发.
The text is invented; department names are generic.
"""

from __future__ import annotations

from datetime import date

from app.documents.model import (
    Attachment,
    GongwenDocument,
    Heading,
    Paragraph,
    Table,
)

DEPARTMENTS = (
    "市发展改革委",
    "市教育局",
    "市公安局",
    "市民政局",
    "市住房城乡建设局",
    "市交通运输局",
    "市水务局",
    "市商务局",
    "市卫生健康委",
    "市市场监管局",
)
PROBLEMS = (
    "政务服务大厅“一窗受理”未全面落实，群众反映办事需多次排队",
    "整改台账更新不及时，部分事项完成时限已过仍显示“推进中”",
    "施工现场扬尘防治措施不到位，围挡破损、裸土未覆盖",
    "便民服务热线接通率偏低，工单回访记录不完整",
    "老旧小区改造项目进度滞后于计划，未按月报送进展",
    "窗口工作人员对新出台政策不熟悉，答复口径不一致",
    "公共场所消防通道被占用，巡查记录流于形式……",
    "重点项目审批“容缺受理”机制落实不到位",
)


def problem_rows(count: int = 40) -> list[list[str]]:
    """``count`` rows of the problem list: 序号, 责任单位, 问题描述, 整改时限."""
    rows = []
    for index in range(count):
        department = DEPARTMENTS[index % len(DEPARTMENTS)]
        problem = PROBLEMS[index % len(PROBLEMS)]
        deadline = f"2021年{7 + index % 5}月{10 + index % 20}日前"
        rows.append([str(index + 1), department, problem, deadline])
    return rows


def sample_bulletin(*, problem_count: int = 40) -> GongwenDocument:
    body = [
        Paragraph(
            "为深入贯彻落实市委、市政府关于优化营商环境和提升政务服务效能的决策部署，"
            "2021年5月下旬至6月上旬，市政府督查室采取“四不两直”方式，对全市10个部门、"
            "32个基层站所开展了明察暗访。现将有关情况通报如下。"
        ),
        Heading(1, "总体情况"),
        Paragraph(
            "从明察暗访情况看，各部门能够按照市政府部署要求，把优化营商环境作为“一把手”工程，"
            "建立工作台账，明确责任分工，大部分事项按时序推进，政务服务效能有了明显提升。"
            "市发展改革委、市商务局等单位主动对标先进地区，推出“一件事一次办”改革举措，"
            "企业和群众满意度持续提高。但也发现，一些部门仍存在思想认识不到位、工作作风不扎实、"
            "整改落实不彻底等问题，与市政府的要求和群众的期盼还有一定差距。"
        ),
        Heading(1, "发现的主要问题"),
        Heading(
            2,
            "政务服务仍有堵点。",
            body="部分窗口“一窗受理”流于形式，群众反映“来回跑”"
            "“多头跑”现象仍然存在；个别站所工作日午间无人值守，影响群众办事。",
        ),
        Heading(
            3,
            "窗口服务不规范。",
            body="督查组在3个服务大厅发现工作人员脱岗、玩手机等现象，"
            "首问负责、一次性告知等制度执行不到位。",
        ),
        Heading(4, "值守制度执行不严。", body="2个站所未落实午间轮岗，公示电话无人接听。"),
        Heading(4, "告知材料更新不及时。", body="部分办事指南仍为2019年版本，与现行政策不一致。"),
        Heading(
            3,
            "线上办理体验不佳。",
            body="网上办事平台部分事项只能“线上申报、线下办理”，"
            "材料重复提交，办理时限没有实质压缩。",
        ),
        Heading(
            2,
            "整改落实不够到位。",
            body="对上次督查反馈的问题，个别部门避重就轻、"
            "以文件落实整改，整改台账中有14项事项已过完成时限仍显示“推进中”。",
        ),
        Heading(
            2,
            "工作作风有待改进。",
            body="个别单位对群众反映的问题推诿扯皮，"
            "便民服务热线工单“回访率”与实际不符——回访记录中有的电话号码根本无法接通。",
        ),
        Heading(1, "下一步工作要求"),
        Heading(
            2,
            "立即整改销号。",
            body="各责任单位要对照问题清单（见附件1），逐项制定整改措施，"
            "明确责任人和完成时限，于2021年7月10日前将整改情况书面报送市政府督查室。",
        ),
        Heading(
            2,
            "建立长效机制。",
            body="各部门要举一反三，健全首问负责、限时办结、责任追究等制度，坚决防止问题反弹回潮。",
        ),
        Heading(
            2,
            "强化督查问责。",
            body="市政府督查室将适时组织“回头看”，"
            "对整改不力、敷衍塞责的单位和个人，按规定严肃追责问责。",
        ),
        Paragraph(
            "各部门要进一步提高政治站位，以更高标准、更实举措推进各项工作落实落地，"
            "切实把市委、市政府的决策部署转化为企业和群众可感可及的实际成效。"
        ),
    ]
    problem_table = Table(
        header=[["序号", "责任单位", "问题描述", "整改时限"]],
        rows=problem_rows(problem_count),
        widths=[3, 8, 16, 8],
        width_unit="chars",
        align=["center", "left", "left", "center"],
        text_size="4号",
    )
    ranking = Table(
        header=[["类别", "单位", "主要情况"]],
        rows=[
            ["红榜", "市发展改革委", "推行“一件事一次办”，平均办理时限压缩60%"],
            ["红榜", "市商务局", "建立企业诉求“直通车”，问题办结率100%"],
            ["黑榜", "市住房城乡建设局", "老旧小区改造进度滞后，整改台账更新不及时"],
        ],
        widths=[0.15, 0.3, 0.55],
        align=["center", "center", "left"],
        text_size="4号",
    )
    return GongwenDocument(
        issuer_mark="滕州市人民政府办公室",
        number="滕政办督〔2021〕9号",
        title="关于全市优化营商环境工作明察暗访情况的通报",
        recipients="各镇人民政府、街道办事处，市政府各部门，各有关单位：",
        body=body,
        signature="滕州市人民政府办公室",
        date=date(2021, 6, 18),
        seal=True,
        attachments=[
            Attachment("明察暗访发现问题清单", [problem_table]),
            Attachment("优化营商环境工作红黑榜", [ranking]),
        ],
        note="（此件公开发布）",
        copy_to=["市委办公室", "市人大常委会办公室", "市政协办公室", "市纪委监委"],
        printer="滕州市人民政府办公室",
        print_date=date(2021, 6, 18),
    )
