"""The 公文 model: written forms (dates, heading numbers, 抄送, 附件说明), validation messages,
the JSON round trip, the office profile and title line breaking."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.documents.json_io import DocumentFormatError, from_json, to_dict, to_json
from app.documents.model import (
    Attachment,
    Figure,
    Heading,
    HeadingCounter,
    Paragraph,
    Table,
    attachment_note_lines,
    chinese_numeral,
    copy_to_line,
    format_date,
    heading_number,
)
from app.documents.profile import DEFAULT_PROFILE, OfficeProfile
from app.documents.sample import sample_bulletin
from app.documents.titles import break_candidates, title_lines
from app.documents.validation import DocumentInvalid, check_number, ensure_valid, problems


def test_dates_have_no_leading_zeros() -> None:
    assert format_date(date(2021, 6, 8)) == "2021年6月8日"
    assert format_date(date(2021, 10, 18)) == "2021年10月18日"


def test_heading_numbers_per_level_and_restart_below() -> None:
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)] == [
        "一", "九", "十", "十一", "二十", "二十一", "九十九",
    ]  # fmt: skip
    assert [heading_number(level, 2) for level in (1, 2, 3, 4)] == ["二、", "（二）", "2.", "（2）"]
    counter = HeadingCounter()
    levels = [1, 2, 2, 3, 4, 4, 3, 1, 2, 3]
    numbers = [counter.number(Heading(level, "x")) for level in levels]
    assert numbers == [
        "一、",
        "（一）",
        "（二）",
        "1.",
        "（1）",
        "（2）",
        "2.",
        "二、",
        "（一）",
        "1.",
    ]
    assert counter.number(Heading(1, "x", number="附：")) == "附："


def test_copy_to_and_attachment_notes() -> None:
    assert copy_to_line(["市委办公室", " 市纪委监委 ", ""]) == "抄送：市委办公室，市纪委监委。"
    assert copy_to_line([]) == ""
    document = sample_bulletin()
    assert attachment_note_lines(document) == [
        "附件：1.明察暗访发现问题清单",
        "2.优化营商环境工作红黑榜",
    ]
    one = replace(document, attachments=document.attachments[:1])
    assert attachment_note_lines(one) == ["附件：明察暗访发现问题清单"]
    assert attachment_note_lines(replace(document, attachments=[])) == []


def test_the_sample_is_valid() -> None:
    assert problems(sample_bulletin(), issued=True) == []


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("滕政办发〔2021〕9号", None),
        ("国办发〔2021〕123号", None),
        ("滕政办发〔21〕9号", "写全4位"),
        ("滕政办发[2021]9号", "六角括号"),
        ("滕政办发（2021）9号", "六角括号"),
        ("滕政办发【2021】9号", "六角括号"),
        ("滕政办发〔2021〕09号", "不编虚位"),
        ("滕政办发〔2021〕第9号", "不加“第”"),
        ("滕政办发〔2021〕9", "以“号”结尾"),
        ("〔2021〕9号", "机关代字"),
    ],
)
def test_document_numbers(number: str, expected: str | None) -> None:
    message = check_number(number)
    if expected is None:
        assert message is None
    else:
        assert message is not None and expected in message
        assert "滕政办发〔2021〕9号" in message  # says what to write instead


def test_a_draft_may_lack_a_number_but_an_issued_document_may_not() -> None:
    draft = replace(sample_bulletin(), number="")
    assert problems(draft) == []
    found = problems(draft, issued=True)
    assert [p.field for p in found] == ["number"] and "签发前" in found[0].message


def test_validation_messages_name_the_field_and_the_fix() -> None:
    document = replace(
        sample_bulletin(),
        recipients="各镇人民政府，市政府各部门",
        copy_to=["市委办公室。", "市委办公室。", "抄送：市政协办公室", ""],
        note="此件公开发布",
        title="关于明察暗访情况的通报。",
        copy_number="12",
        urgency="很急",
        body=[Heading(3, "跳级的标题"), Paragraph("  "), Heading(7, "层级不对")],
        printer="",
        print_date=date(2021, 6, 1),
    )
    found = {p.field: p.message for p in problems(document)}
    assert "全角冒号" in found["recipients"]
    assert "不要加标点" in found["copy_to[0]"]
    assert "不要写“抄送：”" in found["copy_to[2]"]
    assert "为空" in found["copy_to[3]"]
    assert "重复" in found["copy_to"]
    assert "圆括号" in found["note"]
    assert "不加标点" in found["title"]
    assert "6位" in found["copy_number"]
    assert "特急" in found["urgency"]
    assert "跳过了上一层级" in found["body[0]"]
    assert "为空" in found["body[1]"]
    assert "1—4" in found["body[2]"]
    assert "印发机关" in found["printer"]
    assert "早于成文日期" in found["print_date"]
    with pytest.raises(DocumentInvalid) as refused:
        ensure_valid(document)
    assert len(refused.value.problems) == len(problems(document))


def test_tables_and_figures_are_checked(tmp_path) -> None:
    document = sample_bulletin()
    document.body += [
        Table(header=[["a", "b"]], rows=[["1"]]),
        Table(header=[["a", "b"]], rows=[["1", "2"]], widths=[1, 2, 3]),
        Table(header=[["a"]], rows=[["1"]], text_size="5号", width_unit="cm"),
        Figure(str(tmp_path / "missing.png")),
    ]
    found = {p.field: p.message for p in problems(document)}
    base = len(sample_bulletin().body)
    assert "补齐" in found[f"body[{base}]"]
    assert "一一对应" in found[f"body[{base + 1}]"]
    assert "3号或4号" in found[f"body[{base + 2}]"] or "单位" in found[f"body[{base + 2}]"]
    assert "找不到图片" in found[f"body[{base + 3}]"]


def test_json_round_trip_keeps_everything(tmp_path) -> None:
    document = sample_bulletin()
    document.body.append(Figure("/tmp/图.png", caption="图1", width=0.6))
    document.body.append(Heading(2, "标题", body="正文", number="（甲）"))
    document.signers = ["张三", "李四"]
    document.attachments.append(Attachment("空附件"))
    text = to_json(document)
    data = json.loads(text)
    assert data["schema"] == "gongwen" and data["version"] == 1
    assert data["date"] == "2021-06-18"
    assert data["body"][0] == {"type": "paragraph", "text": document.body[0].text}
    assert from_json(text) == document
    assert from_json(text.encode("utf-8")) == document
    assert "滕政办督〔2021〕9号" in text  # stored as written, not escaped


@given(
    text=st.text(min_size=1, max_size=40),
    level=st.integers(1, 4),
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
)
def test_json_round_trip_of_any_text(text: str, level: int, day: date) -> None:
    document = replace(
        sample_bulletin(problem_count=2),
        title=text,
        body=[Heading(level, text, body=text), Paragraph(text)],
        date=day,
        print_date=None,
        copy_to=[text],
    )
    assert from_json(to_json(document)) == document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("schema"), "不是本程序保存的公文"),
        (lambda d: d.update(version=99), "更新版本"),
        (lambda d: d.update(version="1"), "版本号"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d.update(date="2021-13-01"), "日期"),
        (lambda d: d.update(date=20210618), "日期文字"),
        (lambda d: d.pop("title"), "title"),
        (lambda d: d["body"].append({"type": "poem", "text": "x"}), "body[16]"),
        (lambda d: d["body"][0].update(text=5), "body[0].text"),
        (lambda d: d["body"][1].update(level="一"), "整数"),
        (lambda d: d["body"][1].update(font="黑体"), "font"),
        (lambda d: d.update(seal="yes"), "seal"),
        (lambda d: d.update(copy_to="市委"), "copy_to 应是列表"),
        (lambda d: d["attachments"][0]["blocks"][0].update(rows=[["1", 2]]), "rows[0][1]"),
        (lambda d: d["attachments"][0]["blocks"][0].update(widths=["宽"]), "数字列表"),
    ],
)
def test_malformed_json_is_refused_with_the_place(change, message: str) -> None:
    data = to_dict(sample_bulletin())
    change(data)
    with pytest.raises(DocumentFormatError) as refused:
        from_json(json.dumps(data, ensure_ascii=False))
    assert message in str(refused.value)


def test_broken_json_is_refused() -> None:
    with pytest.raises(DocumentFormatError, match="不是有效的 JSON"):
        from_json('{"schema": "gongwen",')
    with pytest.raises(DocumentFormatError):
        from_json(b"\xff\xfe\x00")


def test_profile_derives_the_grid_from_the_type_area() -> None:
    profile = DEFAULT_PROFILE
    assert round(profile.type_width_pt, 1) == 442.2 and round(profile.type_height_pt, 1) == 637.8
    assert profile.line_pitch_twips == 579  # 225 mm / 22
    assert profile.char_spacing_twentieths == -5  # −0.25 pt
    assert profile.cell_pt * profile.chars_per_line <= profile.type_width_pt
    assert profile.line_pitch_pt * profile.lines_per_page <= profile.type_height_pt
    wider = profile.with_changes(margin_left_mm=25, margin_right_mm=25)
    assert wider.char_spacing_twentieths > profile.char_spacing_twentieths
    assert profile.with_changes(line_pitch_override_pt=29.2).line_pitch_twips == 584


def test_profile_round_trip_and_refusals() -> None:
    custom = DEFAULT_PROFILE.with_changes(
        name="滕州市政府办公室", margin_top_mm=36.5, double_sided=False
    )
    data = custom.to_dict()
    data["fonts"]["body"] = "仿宋"
    restored = OfficeProfile.from_dict(data)
    assert restored.margin_top_mm == 36.5 and restored.fonts.body == "仿宋"
    assert OfficeProfile.from_dict({}) == DEFAULT_PROFILE
    with pytest.raises(ValueError, match="margin_top"):
        OfficeProfile.from_dict({"margin_top": 37})
    with pytest.raises(ValueError, match="更新版本"):
        OfficeProfile.from_dict({"version": 9})
    with pytest.raises(ValueError, match="titel"):
        OfficeProfile.from_dict({"fonts": {"titel": "黑体"}})


def test_titles_break_as_a_trapezoid_at_word_boundaries() -> None:
    assert title_lines("关于全市优化营商环境工作明察暗访情况的通报", 20) == [
        "关于全市优化营商环境",
        "工作明察暗访情况的通报",
    ]
    assert title_lines("关于开展督查的通知", 20) == ["关于开展督查的通知"]
    assert title_lines("滕州市人民政府办公室\n关于开展督查的通知", 20) == [
        "滕州市人民政府办公室",
        "关于开展督查的通知",
    ]
    long = "滕州市人民政府办公室关于2021年度全市重点项目建设和优化营商环境工作专项督查情况的通报"
    lines = title_lines(long, 20)
    assert "".join(lines) == long and all(len(line) <= 20 for line in lines)
    assert not any(line.startswith(("，", "的通", "）")) for line in lines)
    assert "2021" in "".join(line for line in lines if "2021" in line)  # the year is not split
    text = "关于〔2021〕9号文件的通报"
    assert all(text[p - 1] != "〔" and text[p] != "〕" for p in break_candidates(text))


@given(st.text(alphabet="关于的和市政府办公室工作情况通报督查2021年", min_size=1, max_size=80))
def test_title_lines_never_lose_or_reorder_text(title: str) -> None:
    lines = title_lines(title, 20)
    assert "".join(lines) == title.strip()
    assert all(len(line) <= 20 for line in lines)
