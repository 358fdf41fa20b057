"""The printed record and 整改通知, read back from the PDF: A4, fonts embedded, texts, line starts,
a checklist running over pages with its header repeated, thumbnails of the photos."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.domain.inspection import Verdict
from app.domain.ledger import InspectionKind
from app.services.record_print import RecordPrint, save_notice_pdf, save_record_pdf
from app.storage import Storage
from tests.reports.pdfcheck import (
    A4,
    bad_line_starts,
    fonts,
    images,
    lines,
    page_sizes,
    page_texts,
    squeeze,
)
from tests.services.printing import TODAY, PrintFixture, make_record

HEADER = squeeze("序号检查内容标准 / 目标结论实测说明")


@pytest.fixture
def fixture(storage: Storage, tmp_path: Path) -> PrintFixture:
    return make_record(storage, tmp_path)


def _record_pdf(fixture: PrintFixture, record: str, path: Path) -> Path:
    printer = RecordPrint.for_storage(fixture.storage)
    return printer.write_record(record, path, today=TODAY).path


def _assert_paper(path: Path) -> None:
    """A4 pages, every font embedded (never STSong-Light), no line starting with ，。 etc."""
    assert all(abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5 for w, h in page_sizes(path)), (
        page_sizes(path)
    )
    used = fonts(path)
    assert used and all(used.values()), used
    assert not any("STSong" in name for name in used)
    assert bad_line_starts(path) == []


def test_the_record_on_paper(fixture: PrintFixture, tmp_path: Path) -> None:
    path = _record_pdf(fixture, fixture.record, tmp_path / "record.pdf")
    _assert_paper(path)
    text = "".join(page_texts(path))
    sheet = RecordPrint.for_storage(fixture.storage).record_sheet(fixture.record, today=TODAY)
    expected = [
        "暗访记录",
        "通报前注意保密",
        "暗访检查记录",
        f"记录编号：{sheet.reference}",
        "2021年7月营商环境暗访",
        "暗访（模拟办事）",
        "2021年7月15日",
        "市政务服务中心综合窗口",
        "张三、李四",
        "市行政审批服务局",
        sheet.summary,
        *(item.text for item in sheet.items),
        "6小时（合0.75工作日）未达标",
        "已列为问题1",
        *(finding.description for finding in sheet.findings),
        "2021年7月22日（5个工作日）",
        "IMG_0715.jpg",
        "35.08420,117.15310",
        "screenshot.png",
        "无拍摄时间、无定位、日期不符",
        "检查人（签字）",
        "被检查单位（签章）",
    ]
    for piece in expected:
        assert squeeze(piece) in text, piece
    assert sum(images(path)) == 3  # a thumbnail of each photo and of the screenshot


def test_a_long_checklist_runs_over_pages_with_its_header_on_each(
    fixture: PrintFixture, tmp_path: Path
) -> None:
    services = fixture.services
    record = services.inspections.record(
        fixture.measure,
        kind=InspectionKind.OPEN,
        checked_on=date(2021, 9, 10),
        inspector="张三",
        place="市民中心",
        today=TODAY,
    )
    checklists = services.checklists
    for number in range(1, 61):
        answer = checklists.add_custom(
            record,
            f"第{number}项：窗口是否按照“一次告知”要求，向办事群众说明所需材料、办理时限和收费标准，"
            "并在办结后告知评价渠道？",
            expected="全部告知，且与办事指南一致。",
        )
        checklists.set_verdict(answer, Verdict.FAIL if number % 7 == 0 else Verdict.PASS)
        if number % 5 == 0:
            checklists.set_note(answer, "工作人员称：材料清单以窗口口头告知为准；未提供书面清单。")
    path = _record_pdf(fixture, record, tmp_path / "long.pdf")
    _assert_paper(path)
    pages = page_texts(path)
    assert len(pages) >= 4
    last = next(n for n, text in enumerate(pages) if "二、发现问题" in text)
    assert last >= 2  # the checklist ran over at least three pages
    for number, text in enumerate(pages[: last + 1], start=1):
        assert HEADER in text, f"page {number} has no table header"
    # Each page's header is the first thing below the top margin on continuation pages.
    for page in range(2, last + 2):
        first = min(
            (line for line in lines(path) if line.page == page), key=lambda found: found.top
        )
        assert first.text.strip() in ("序号", "检查内容")
    all_text = "".join(pages)
    for number in (1, 30, 60):
        assert f"第{number}项：窗口是否按照“一次告知”要求" in all_text
    assert "二、发现问题未发现问题。" in all_text


def test_a_note_longer_than_a_page_is_split_not_lost(fixture: PrintFixture, tmp_path) -> None:
    checklists = fixture.services.checklists
    answer = checklists.answers(fixture.record)[3]
    note = "".join(f"第{n}次回访，窗口答复：材料齐全即可受理；" for n in range(1, 200))
    checklists.set_note(answer.id, note)
    path = _record_pdf(fixture, fixture.record, tmp_path / "note.pdf")
    _assert_paper(path)
    text = "".join(page_texts(path))
    assert "第1次回访" in text and "第199次回访，窗口答复：材料齐全即可受理；" in text


def test_the_notice_on_paper(fixture: PrintFixture, tmp_path: Path) -> None:
    printer = RecordPrint.for_storage(fixture.storage)
    notice = printer.notice(fixture.department, as_of=date(2021, 8, 5))
    path = save_notice_pdf(notice, tmp_path / "notice.pdf").path
    _assert_paper(path)
    text = "".join(page_texts(path))
    for piece in [
        "整改通知",
        "市行政审批服务局：",
        "发现你单位存在以下2个问题，截至2021年8月5日尚未整改到位",
        "整改措施、整改结果和佐证材料",
        "于2021年8月10日前报送整改情况",
        *(finding.description for finding in notice.findings),
        "退回重改已逾期10个工作日",
        "复查意见：再次暗访仍需次日出件",
        "整改中已逾期4个工作日",
        "市政府办公室督查室2021年8月5日",
    ]:
        assert squeeze(piece) in text, piece


def test_a_notice_with_findings_awaiting_recheck_lists_them_apart(
    fixture: PrintFixture, tmp_path: Path
) -> None:
    notice = RecordPrint.for_storage(fixture.storage).notice(
        fixture.department, as_of=date(2021, 7, 21)
    )
    path = save_notice_pdf(notice, tmp_path / "notice.pdf").path
    _assert_paper(path)
    text = "".join(page_texts(path))
    assert "已报送整改情况、待复查的问题（无需再次报送）" in text
    assert "已逾期" not in text
    # The count in the text is the count of the problems listed (both lists).
    to_do, waiting = len(notice.findings), len(notice.awaiting)
    assert to_do and waiting
    assert squeeze(f"存在以下 {to_do + waiting} 个问题") in text, text[:200]
    assert squeeze(f"其中 {to_do} 个尚未整改到位，{waiting} 个已报送整改情况") in text


def test_a_record_without_evidence_folder_still_prints(fixture: PrintFixture, tmp_path) -> None:
    sheet = RecordPrint(fixture.storage.repository).record_sheet(fixture.record, today=TODAY)
    assert sheet.evidence == ()
    path = save_record_pdf(sheet, tmp_path / "bare.pdf").path
    _assert_paper(path)
    assert "三、证据材料无。" in "".join(page_texts(path))


def test_a_notice_with_everything_reported_asks_for_nothing(
    fixture: PrintFixture, tmp_path: Path
) -> None:
    fixture.services.findings.report(
        fixture.missing_notice, "已取消该材料要求。", date(2021, 7, 20), today=TODAY
    )
    notice = RecordPrint.for_storage(fixture.storage).notice(
        fixture.department, as_of=date(2021, 7, 21)
    )
    assert notice.findings == () and len(notice.awaiting) == 2
    path = save_notice_pdf(notice, tmp_path / "notice.pdf").path
    _assert_paper(path)
    text = "".join(page_texts(path))
    assert "问题均已报送整改情况，待督查室复查（见下表），暂无需报送" in text
    assert "待整改问题清单" not in text and "报送时限" not in text


def test_a_photo_whose_file_is_gone_is_listed_without_a_thumbnail(
    fixture: PrintFixture, tmp_path: Path
) -> None:
    store = fixture.services.evidence
    [first, *_rest] = store.for_inspection(fixture.record)
    first.path.unlink()
    store.thumbnail_path(first.sha256).unlink()
    path = _record_pdf(fixture, fixture.record, tmp_path / "record.pdf")
    _assert_paper(path)
    assert sum(images(path)) == 2
    assert "IMG_0715.jpg" in "".join(page_texts(path))
    assert "文件缺失" in "".join(page_texts(path))
