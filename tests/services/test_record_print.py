"""What is gathered for printing a record and a 整改通知, and who may print them."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date
from pathlib import Path

import pytest

from app.domain.inspection import UserRole
from app.services.evidence_files import size_text
from app.services.record_print import (
    PrintError,
    PrintFileExists,
    RecordPrint,
    print_notice_file,
    print_record_file,
    save_notice_pdf,
    save_record_pdf,
)
from app.storage import Storage
from tests.services.printing import TODAY, PrintFixture, make_record


@pytest.fixture
def fixture(storage: Storage, tmp_path: Path) -> PrintFixture:
    return make_record(storage, tmp_path)


def _printer(fixture: PrintFixture) -> RecordPrint:
    return RecordPrint.for_storage(fixture.storage)


def _size(path: Path) -> str:
    return size_text(path.stat().st_size)


def test_the_record_sheet_holds_everything_on_the_record(fixture: PrintFixture, tmp_path) -> None:
    sheet = _printer(fixture).record_sheet(fixture.record, today=TODAY)
    gathered = dataclasses.asdict(sheet)
    assert gathered.pop("record_id") == fixture.record
    thumbnails = [entry.pop("thumbnail") for entry in gathered["evidence"]]
    assert all(path is not None and path.is_file() for path in thumbnails)

    def item(
        number, text, expected, verdict, measured="", met=None, note="", evidence=0, finding=None
    ):
        return {
            "number": number,
            "text": text,
            "expected": expected,
            "verdict": verdict,
            "measured": measured,
            "met": met,
            "note": note,
            "evidence": evidence,
            "finding": finding,
        }

    assert gathered == {
        "kind": "暗访",
        "confidential": True,
        "draft": False,
        "plan": "2021年7月营商环境暗访",
        "checked_on": date(2021, 7, 15),
        "inspectors": "张三、李四",
        "place": "市政务服务中心 综合窗口",
        "method": "暗访（模拟办事）",
        "department": "市行政审批服务局",
        "measure": "持续优化企业开办流程"
        "（滕州市深入优化营商环境创新突破行动落实方案，开办企业，第 4 项）",
        "summary": "以办事群众身份咨询企业开办，窗口要求提供已取消的材料。",
        "items": (
            item(1, "0.5个工作日完成预审", "预审用时（工作日）≤ 0.5", "符合", "0.5个工作日", True),
            item(
                2,
                "0.5个工作日完成审批",
                "审批用时（工作日）≤ 0.5",
                "不符合",
                "6小时（合 0.75工作日）",
                False,
                "窗口称需等待后台审批，次日上午才出结果",
                1,
                1,
            ),
            item(
                3,
                "能否全程网上办理（不必到现场）？",
                "能全程网上办理（原文：…办理、社保登记、医保登记、公积金登记等业务“一网通办”、随时可办）",
                "基本符合",
            ),
            item(4, "窗口是否公示办事指南、申请材料清单和收费标准？", "", "符合"),
            item(5, "工作人员是否在岗、佩戴工作牌，落实首问负责？", "", "符合"),
            item(
                6,
                "是否一次性告知全部所需材料和办理流程？",
                "",
                "不符合",
                note="要求提供营业执照复印件（已明确取消），未一次性告知",
                evidence=1,
                finding=2,
            ),
            item(7, "是否存在推诿、刁难、态度生硬等情况？", "", "符合"),
            item(8, "排队等候用时（分钟）", "", "符合", "25分钟"),
            item(
                9, "收取费用（元）：是否存在违规收费或指定中介服务？", "= 0元", "符合", "0元", True
            ),
            item(10, "是否提供“好差评”评价渠道？", "", "不适用"),
        ),
        "findings": (
            {
                "number": 1,
                "description": "0.5个工作日完成审批；实测 6小时（合 0.75工作日），"
                "目标 ≤ 0.5工作日：未达标；窗口称需等待后台审批，次日上午才出结果。",
                "category": "办事效率",
                "severity": "较重",
                "department": "市行政审批服务局",
                "rectify": "2021年7月22日（5个工作日）",
                "stage": "整改中",
                "rectified_on": None,
            },
            {
                "number": 2,
                "description": "是否一次性告知全部所需材料和办理流程；"
                "要求提供营业执照复印件（已明确取消），未一次性告知。",
                "category": "政策落实",
                "severity": "一般",
                "department": "市行政审批服务局",
                "rectify": "2021年7月30日",
                "stage": "整改中",
                "rectified_on": None,
            },
        ),
        "evidence": (
            {
                "number": 1,
                "name": "IMG_0715.jpg",
                "kind": f"JPEG 图片，{_size(tmp_path / 'IMG_0715.jpg')}",
                "captured": "2021-07-15 10:30",
                "location": "35.08420, 117.15310",
                "attached_to": "检查项 6\n问题 2",  # the item's photo went with its finding
                "flags": (),
                "note": "",
            },
            {
                "number": 2,
                "name": "IMG_0716.jpg",
                "kind": f"JPEG 图片，{_size(tmp_path / 'IMG_0716.jpg')}",
                "captured": "2021-07-15 10:42",
                "location": "",
                "attached_to": "检查项 2\n问题 1",
                "flags": ("无定位",),
                "note": "",
            },
            {
                "number": 3,
                "name": "screenshot.png",
                "kind": f"PNG 图片，{_size(tmp_path / 'screenshot.png')}",
                "captured": "",
                "location": "",
                "attached_to": "检查记录",
                "flags": ("无拍摄时间", "无定位", "日期不符"),  # the file is from today
                "note": "",
            },
        ),
        "printed_on": TODAY,
        "issuer": "市政府办公室督查室",
    }


def test_a_disclosed_draft_is_marked_as_such(fixture: PrintFixture) -> None:
    repo = fixture.storage.repository
    repo.update("inspections", fixture.record, {"state": "draft"})
    fixture.services.inspections.disclose(fixture.record, date(2021, 8, 1), today=TODAY)
    sheet = _printer(fixture).record_sheet(fixture.record, today=TODAY)
    assert (sheet.draft, sheet.confidential) == (True, False)


# ---- 暗访 confidentiality -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role", "allowed"),
    [
        ("李四", UserRole.INSPECTOR, True),  # an inspector of the plan
        ("王五", UserRole.INSPECTOR, False),  # another inspector
        ("赵六", UserRole.SUPERVISOR, True),
        ("办公室", UserRole.OFFICE, False),
        ("", UserRole.INSPECTOR, False),  # an anonymous user (the record names 张三)
    ],
)
def test_only_who_may_see_the_record_may_print_it(
    fixture: PrintFixture, tmp_path: Path, name: str, role: UserRole, allowed: bool
) -> None:
    fixture.services.identity.set(name, role)
    printer = _printer(fixture)
    target = tmp_path / "out" / "record.pdf"
    target.parent.mkdir()
    if allowed:
        assert printer.write_record(fixture.record, target).path == target
        return
    with pytest.raises(PrintError, match="该检查记录不存在或已删除"):  # the same as a missing one
        printer.write_record(fixture.record, target)
    assert not target.exists() and list(target.parent.iterdir()) == []
    with pytest.raises(PrintError, match="没有未整改的问题"):  # its findings are hidden too
        printer.notice(fixture.department, as_of=date(2021, 8, 5))


def test_after_the_bulletin_anyone_may_print_it(fixture: PrintFixture) -> None:
    fixture.services.inspections.disclose(fixture.record, date(2021, 8, 1), today=TODAY)
    fixture.services.identity.set("王五", UserRole.INSPECTOR)
    sheet = _printer(fixture).record_sheet(fixture.record, today=TODAY)
    assert sheet.confidential is False and len(sheet.findings) == 2


def test_a_deleted_or_unknown_record_is_not_printed(fixture: PrintFixture) -> None:
    with pytest.raises(PrintError, match="不存在"):
        _printer(fixture).record_sheet("no-such-record")


# ---- 整改通知 -----------------------------------------------------------------------------------


def test_the_notice_lists_open_findings_with_their_state_at_its_date(fixture: PrintFixture) -> None:
    printer = _printer(fixture)
    notice = printer.notice(fixture.department, as_of=date(2021, 8, 5))
    assert notice.department == "市行政审批服务局"
    assert [
        (f.number, f.state, f.due, f.due_text, f.overdue_days, f.recheck_note, f.source)
        for f in notice.findings
    ] == [
        (
            1,
            "退回重改",
            date(2021, 7, 22),
            "2021年7月22日（5个工作日）",
            10,  # working days (14 calendar days)
            "再次暗访仍需次日出件",
            "暗访（模拟办事，市政务服务中心 综合窗口）",
        ),
        (
            2,
            "整改中",
            date(2021, 7, 30),
            "2021年7月30日",
            4,  # working days
            "",
            "暗访（模拟办事，市政务服务中心 综合窗口）",
        ),
    ]
    assert notice.awaiting == ()
    assert notice.report_overdue_by == date(2021, 8, 10)  # 3 working days after Thursday 5 August
    assert (notice.covert, notice.records) == (2, (fixture.record,))

    # On 21 July finding 1 had been reported (待复查), finding 2 taken on on the 19th.
    earlier = printer.notice(fixture.department, as_of=date(2021, 7, 21))
    assert [(f.number, f.state, f.overdue_days) for f in earlier.findings] == [(1, "整改中", 0)]
    assert [(f.number, f.state, f.description[:5]) for f in earlier.awaiting] == [
        (1, "待复查", "0.5个工")
    ]
    assert earlier.report_overdue_by is None and earlier.earliest_due == date(2021, 7, 30)
    # On the 18th: finding 1 being rectified since the 16th, finding 2 not yet taken on.
    first = printer.notice(fixture.department, as_of=date(2021, 7, 18))
    assert [f.state for f in first.findings] == ["整改中", "待整改"]


def test_a_notice_leaves_out_closed_findings_and_other_departments(fixture: PrintFixture) -> None:
    findings = fixture.services.findings
    findings.report(fixture.missing_notice, "已取消该材料要求。", date(2021, 7, 26), today=TODAY)
    findings.recheck(fixture.missing_notice, date(2021, 7, 28), passed=True, today=TODAY)
    printer = _printer(fixture)
    notice = printer.notice(fixture.department, as_of=date(2021, 8, 5))
    assert [f.description[:10] for f in notice.findings] == ["0.5个工作日完成审"]
    # Before it was 销号 it was still open.
    assert len(printer.notice(fixture.department, as_of=date(2021, 7, 27)).findings) == 1
    assert len(printer.notice(fixture.department, as_of=date(2021, 7, 27)).awaiting) == 1
    other = printer.department_id("市财政局")
    with pytest.raises(PrintError, match="市财政局截至2021年8月5日没有未整改的问题"):
        printer.notice(other, as_of=date(2021, 8, 5))


def test_departments_are_named_by_name_or_alias(fixture: PrintFixture) -> None:
    repo = fixture.storage.repository
    repo.insert("department_aliases", {"department_id": fixture.department, "alias": "市审批局"})
    printer = _printer(fixture)
    assert printer.department_id(" 市审批局 ") == fixture.department
    with pytest.raises(PrintError, match="部门名录中没有“市审批服务局”"):
        printer.department_id("市审批服务局")


# ---- Files --------------------------------------------------------------------------------------


def test_an_existing_file_is_never_replaced(fixture: PrintFixture, tmp_path: Path) -> None:
    printer = _printer(fixture)
    target = tmp_path / "记录.pdf"
    target.write_bytes(b"somebody's file")
    with pytest.raises(PrintFileExists, match="已存在"):
        printer.write_record(fixture.record, target)
    sheet = printer.record_sheet(fixture.record, today=TODAY)
    with pytest.raises(PrintFileExists):
        save_record_pdf(sheet, target)
    assert target.read_bytes() == b"somebody's file"
    # Replacing is for a save dialog that asked.
    assert save_record_pdf(sheet, target, overwrite=True).pages >= 1
    assert target.read_bytes().startswith(b"%PDF")


def test_the_suffix_is_added_and_the_result_says_what_was_written(
    fixture: PrintFixture, tmp_path: Path
) -> None:
    notice = _printer(fixture).notice(fixture.department, as_of=date(2021, 8, 5))
    printed = save_notice_pdf(notice, tmp_path / "整改通知")
    assert printed.path == tmp_path / "整改通知.pdf" and printed.path.is_file()
    assert printed.pages == 1
    assert [line.split("：")[0] for line in printed.fonts] == ["黑体", "宋体"]
    assert set(printed.substituted) <= set(printed.fonts)
    assert printed.as_json()["file"] == str(printed.path)


def test_the_whole_job_runs_on_a_worker_with_a_connection_of_its_own(
    fixture: PrintFixture, db_path: Path, tmp_path: Path
) -> None:
    """What the desktop app hands to run_in_background: nothing of the app's connection is used."""
    results: dict[str, object] = {}

    def work() -> None:
        try:
            results["record"] = print_record_file(db_path, fixture.record, tmp_path / "r.pdf")
            results["notice"] = print_notice_file(
                db_path, fixture.department, tmp_path / "n.pdf", as_of=date(2021, 8, 5)
            )
        except Exception as problem:  # reported to the test thread
            results["error"] = problem

    worker = threading.Thread(target=work)
    worker.start()
    # Meanwhile the app's own connection keeps working on this thread.
    fixture.services.checklists.set_note(
        fixture.services.checklists.answers(fixture.record)[0].id, "补记"
    )
    worker.join(timeout=60)
    assert "error" not in results, results.get("error")
    assert results["record"].path.is_file() and results["notice"].path.is_file()
    fixture.services.identity.set("王五", UserRole.INSPECTOR)  # the same rule on that connection
    with pytest.raises(PrintError, match="不存在"):
        print_record_file(db_path, fixture.record, tmp_path / "r2.pdf")


def test_characters_the_fonts_lack_are_reported(fixture: PrintFixture, tmp_path: Path) -> None:
    fixture.storage.repository.update(
        "inspections", fixture.record, {"summary": "窗口人员姓名中有生僻字𠀾，无法录入系统。"}
    )
    printed = _printer(fixture).write_record(fixture.record, tmp_path / "r.pdf", today=TODAY)
    # An Extension B character: the Debian faces and SimSun lack it. Read the face used directly.
    from reportlab.pdfbase.ttfonts import TTFontFile

    from reports.fonts import Face, load_fonts

    song = load_fonts([Face.SONG]).choice(Face.SONG)
    lacks = ord("𠀾") not in TTFontFile(str(song.path), subfontIndex=song.index).charToGlyph
    assert printed.missing == ("𠀾" if lacks else "")
    assert printed.as_json()["missing_characters"] == printed.missing


def test_without_chinese_fonts_nothing_is_written(
    fixture: PrintFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reports.fonts

    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setattr(reports.fonts, "font_folders", lambda: [empty])
    target = tmp_path / "out.pdf"
    with pytest.raises(PrintError, match="本机找不到可嵌入 PDF 的中文字体"):
        _printer(fixture).write_record(fixture.record, target, today=TODAY)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~ducha-")] == []
