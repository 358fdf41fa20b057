"""No English reaches the user: SQLite and OS errors are wrapped in a Chinese sentence that says
what to do, and the evidence preview labels its facts in Chinese."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from app.services.evidence import Evidence
from app.storage.errors import user_message
from ui.dialogs.evidence_preview import metadata_rows


def _io_error() -> sqlite3.Error:
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorname = "SQLITE_IOERR"  # as SQLite sets it
    return error


def test_a_disk_error_in_the_count_line_is_a_chinese_sentence(qtbot, services, monkeypatch):
    from app.paths import SAMPLE_PLAN
    from app.plan_import import parse_file
    from tests.ui.test_ledger_page import _page

    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    page = _page(qtbot, services)

    def failing(_path, _query):
        raise _io_error()

    monkeypatch.setattr("ui.pages.ledger_page.count_rows_in_file", failing)
    page.apply_filters()
    qtbot.waitUntil(lambda: page.count_text().startswith("统计失败"), timeout=5000)
    text = page.count_text()
    assert "磁盘错误" in text and "请检查磁盘" in text
    # The only Latin text left is SQLite's own words, in parentheses inside the sentence.
    assert "（disk I/O error）" in text


def test_user_messages_wrap_what_sqlite_and_the_os_say() -> None:
    message = user_message(_io_error(), Path("/data/台账.sqlite"))
    assert message.startswith("读写数据库文件 /data/台账.sqlite 时发生磁盘错误")
    assert "请检查磁盘" in message
    other = user_message(sqlite3.OperationalError("no such table: x"), Path("/d.sqlite"))
    assert other.startswith("读取数据库时出错（no such table: x）。请按 F5 重试")
    missing = user_message(FileNotFoundError(2, "No such file or directory", "/tmp/a.xlsx"))
    assert missing.startswith("读写“/tmp/a.xlsx”时出错（No such file or directory）。请检查")
    odd = user_message(ValueError("bad"))
    assert odd.startswith("发生了意外错误（ValueError：bad）。请重试")


def _evidence(tmp_path: Path) -> Evidence:
    return Evidence(
        id="e",
        sha256="ab" * 32,
        original_name="IMG_0001.jpg",
        size=2048,
        media_type="image/jpeg",
        captured_at=datetime(2021, 7, 15, 10, 30),
        gps_lat=35.0842,
        gps_lon=117.1531,
        file_modified_at=datetime(2021, 7, 15, 10, 30),
        imported_at=datetime(2021, 7, 16, 9, 0),
        inspection_id="r",
        answer_id=None,
        finding_id=None,
        recheck_id=None,
        note="",
        path=tmp_path / "blob",
        thumbnail=None,
        missing=False,
    )


def test_evidence_facts_have_chinese_labels(tmp_path: Path) -> None:
    rows = dict(metadata_rows(_evidence(tmp_path)))
    assert rows["拍摄时间（照片记录）"] == "2021-07-15 10:30:00"
    assert rows["拍摄地点（定位）"] == "北纬 35.08420°，东经 117.15310°"
    assert rows["文件校验码"].startswith("abababab")
    assert all(not any("A" <= ch <= "Z" for ch in label) for label in rows), list(rows)
