"""草稿 → 待审核 → 已签发: who may move a document, what each state allows, and the freezing of an
issued version (its DOCX and PDF, with SHA-256, checked
again; a change is a new version that keeps the old one and its files); issuing discloses the
暗访 records a bulletin cites."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from app.documents.model import Paragraph
from app.domain.inspection import UserRole
from app.services.bulletins import (
    BulletinDrafting,
    BulletinError,
    BulletinKind,
    Bulletins,
    BulletinState,
    DraftRequest,
)
from app.services.bulletins.frozen import FrozenFiles, available_renderers
from app.storage import Storage
from tests.services.bulletins.checker import failed_checkpoints, failed_pdf_checkpoints
from tests.services.bulletins.conftest import become, ready_for_issue, supervisor
from tests.services.bulletins.dump import dump
from tests.services.bulletins.ledger import AS_OF, COVERT_PROBLEM, LEAD, TODAY

INSPECTION = DraftRequest(BulletinKind.INSPECTION, AS_OF)
PROGRESS = DraftRequest(BulletinKind.PROGRESS, AS_OF)
ISSUED_ON = date(2021, 9, 3)
LATER = date(2021, 12, 1)


def test_a_draft_goes_to_review_and_a_supervisor_issues_it(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    bulletin_id = bulletins.create(drafting.draft(INSPECTION), today=TODAY)
    created = bulletins.get(bulletin_id)
    assert (created.state, created.version, created.number, created.created_by) == (
        BulletinState.DRAFT,
        1,
        "",
        "张三",
    )
    assert created.request["kind"] == "inspection" and created.request["as_of"] == "2021-08-31"
    bulletins.submit(bulletin_id, today=TODAY)
    waiting = bulletins.get(bulletin_id)
    assert (waiting.state, waiting.submitted_on, waiting.submitted_by) == (
        BulletinState.REVIEW,
        TODAY,
        "张三",
    )
    supervisor(storage)
    issued = bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    document = issued.bulletin.document
    assert issued.bulletin.state is BulletinState.ISSUED
    assert (issued.bulletin.number, document.number) == (
        "滕政办督〔2021〕1号",
        "滕政办督〔2021〕1号",
    )
    assert (document.date, issued.bulletin.issued_on, issued.bulletin.issued_by) == (
        ISSUED_ON,
        ISSUED_ON,
        "王科长",
    )
    assert "docx" in issued.formats


def test_the_issued_docx_is_stored_with_its_hash_and_passes_every_checkpoint(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins, tmp_path: Path
) -> None:
    bulletin_id = ready_for_issue(drafting, bulletins, INSPECTION)
    supervisor(storage)
    bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    stored = bulletins.get(bulletin_id).file("docx")
    assert stored is not None and stored.path is not None
    assert (
        stored.path
        == FrozenFiles.root_for(storage.path) / "sha256" / stored.sha256[:2] / stored.sha256
    )
    data = stored.path.read_bytes()
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (stored.sha256, stored.size)
    assert bulletins.verify(bulletin_id) == []
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "滕政办督〔2021〕1号" in text and "2021年9月3日" in text
    copy = bulletins.save_copy(bulletin_id, "docx", tmp_path / "通报.docx")
    assert copy.read_bytes() == data
    with pytest.raises(BulletinError, match="已存在"):
        bulletins.save_copy(bulletin_id, "docx", copy)
    failed, summary = failed_checkpoints(copy)
    assert (failed, summary) == ([], "docx: 19/19 GB/T 9704 checkpoints")


def test_a_tampered_or_missing_frozen_file_is_reported(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    bulletin_id = ready_for_issue(drafting, bulletins, PROGRESS)
    supervisor(storage)
    bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    stored = bulletins.get(bulletin_id).file("docx")
    data = stored.path.read_bytes()
    stored.path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert bulletins.verify(bulletin_id) == [
        f"DOCX 文件内容与签发时不符（已被改动）（SHA-256 {stored.sha256[:12]}…）。"
    ]
    stored.path.write_bytes(data + b"x")
    assert "文件大小与签发时不符" in bulletins.verify(bulletin_id)[0]
    stored.path.unlink()
    assert "文件缺失" in bulletins.verify(bulletin_id)[0]
    with pytest.raises(BulletinError, match="文件缺失，不能导出"):
        bulletins.save_copy(bulletin_id, "docx", stored.path.with_name("copy.docx"))


def test_the_issued_pdf_is_stored_with_its_hash_too(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins, tmp_path: Path
) -> None:
    bulletin_id = ready_for_issue(drafting, bulletins, INSPECTION)
    supervisor(storage)
    issued = bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    assert set(issued.formats) == {"docx", "pdf"}
    stored = issued.bulletin.file("pdf")
    assert stored is not None and stored.path.read_bytes().startswith(b"%PDF")
    assert hashlib.sha256(stored.path.read_bytes()).hexdigest() == stored.sha256
    assert bulletins.verify(bulletin_id) == []
    copy = bulletins.save_copy(bulletin_id, "pdf", tmp_path / "通报.pdf")
    assert failed_pdf_checkpoints(copy)[0] == []


def test_an_issued_document_is_kept_as_word_and_pdf() -> None:
    assert set(available_renderers()) == {"docx", "pdf"}


def test_only_a_supervisor_sends_back_or_issues(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    bulletin_id = ready_for_issue(drafting, bulletins, PROGRESS)
    changes = storage.db["changes"].count
    for name, role in (("张三", UserRole.INSPECTOR), ("赵六", UserRole.OFFICE)):
        become(storage, name, role)
        with pytest.raises(BulletinError, match="只有审核人（科长）可以签发"):
            bulletins.issue(bulletin_id, today=LATER)
        with pytest.raises(BulletinError, match="只有审核人（科长）可以退回修改"):
            bulletins.send_back(bulletin_id)
    assert storage.db["changes"].count == changes
    assert bulletins.get(bulletin_id).state is BulletinState.REVIEW
    supervisor(storage)
    bulletins.send_back(bulletin_id)
    assert bulletins.get(bulletin_id).state is BulletinState.DRAFT


def test_what_each_state_allows(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    draft = drafting.draft(PROGRESS)
    bulletin_id = bulletins.create(draft, today=TODAY)
    with pytest.raises(BulletinError, match="草稿要先送审"):
        bulletins.issue(bulletin_id, today=LATER)
    with pytest.raises(BulletinError, match="只有待审核的公文可以退回修改"):
        bulletins.send_back(bulletin_id)
    edited = replace(draft.document, body=[Paragraph("改写后的正文。")])
    bulletins.update(bulletin_id, edited)
    assert bulletins.get(bulletin_id).document.body == [Paragraph("改写后的正文。")]

    bulletins.submit(bulletin_id, today=TODAY)
    with pytest.raises(BulletinError, match="已在审核中"):
        bulletins.submit(bulletin_id, today=TODAY)
    with pytest.raises(BulletinError, match="正在审核，不能修改"):
        bulletins.update(bulletin_id, draft.document)
    with pytest.raises(BulletinError, match="正在审核"):
        bulletins.set_code(bulletin_id, "滕政办")

    bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    for attempt, message in (
        (lambda: bulletins.update(bulletin_id, draft.document), "已签发的公文不能修改"),
        (lambda: bulletins.set_code(bulletin_id, "滕政办"), "已签发的公文不能修改"),
        (lambda: bulletins.discard(bulletin_id), "已签发的公文不能删除"),
        (lambda: bulletins.submit(bulletin_id), "已签发，不能再送审"),
        (lambda: bulletins.issue(bulletin_id, today=LATER), "已签发，不能再签发"),
    ):
        with pytest.raises(BulletinError, match=message):
            attempt()
    with pytest.raises(BulletinError, match="签发日期不能晚于今天"):
        bulletins.issue(bulletin_id, on=date(2030, 1, 1), today=LATER)


def test_a_change_after_issue_is_version_2_and_version_1_keeps_its_files(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    first = ready_for_issue(drafting, bulletins, INSPECTION)
    bulletins.issue(first, on=ISSUED_ON, today=LATER)
    original = bulletins.get(first)
    second = bulletins.correct(first, today=LATER)
    with pytest.raises(BulletinError, match="已有一份未签发的更正稿（第 2 版）"):
        bulletins.correct(first, today=LATER)
    draft = bulletins.get(second)
    assert (draft.version, draft.series_id, draft.supersedes, draft.state, draft.number) == (
        2,
        first,
        first,
        BulletinState.DRAFT,
        "滕政办督〔2021〕1号",
    )
    with pytest.raises(BulletinError, match="沿用原文号"):
        bulletins.set_code(second, "滕政办")
    corrected = replace(
        draft.document, body=[*draft.document.body, Paragraph("本通报第三部分有误，特此更正。")]
    )
    bulletins.update(second, corrected)
    bulletins.submit(second, today=LATER)
    issued = bulletins.issue(second, on=date(2021, 9, 10), today=LATER).bulletin
    assert (issued.version, issued.number, issued.document.date) == (
        2,
        "滕政办督〔2021〕1号",
        date(2021, 9, 10),
    )
    assert issued.file("docx").sha256 != original.file("docx").sha256
    # Version 1 is unchanged: its text, its files, its hashes.
    kept = bulletins.get(first)
    assert (kept.state, kept.issued_on, dump(kept.document)) == (
        BulletinState.ISSUED,
        ISSUED_ON,
        dump(original.document),
    )
    assert kept.files == original.files and bulletins.verify(first) == []
    assert bulletins.verify(second) == []
    assert [(v.version, v.state) for v in bulletins.versions(second)] == [
        (1, BulletinState.ISSUED),
        (2, BulletinState.ISSUED),
    ]
    with pytest.raises(BulletinError, match="请在最新的第 2 版上更正"):
        bulletins.correct(first, today=LATER)
    with pytest.raises(BulletinError, match="只有已签发的公文才需要更正"):
        bulletins.correct(bulletins.create(drafting.draft(PROGRESS), today=LATER))


def test_issuing_discloses_the_covert_records_it_cites(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    covert = storage.db.execute("SELECT id FROM inspections WHERE kind = 'covert'").fetchone()[0]
    bulletin_id = ready_for_issue(drafting, bulletins, INSPECTION)
    become(storage, "李四", UserRole.INSPECTOR)
    assert COVERT_PROBLEM not in dump(drafting.draft(INSPECTION).document)
    supervisor(storage)
    issued = bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    assert issued.disclosed == (covert,)
    assert storage.db.execute(
        "SELECT disclosed_on FROM inspections WHERE id = ?", [covert]
    ).fetchone() == ("2021-09-03",)
    # Now every drafter sees it, and the issued bulletin is visible to all.
    become(storage, "李四", UserRole.INSPECTOR)
    assert COVERT_PROBLEM in dump(drafting.draft(INSPECTION).document)
    assert bulletins.get(bulletin_id).state is BulletinState.ISSUED
    # A bulletin that cites no 暗访 record discloses nothing.
    supervisor(storage)
    other = ready_for_issue(drafting, bulletins, PROGRESS)
    assert bulletins.issue(other, on=ISSUED_ON, today=LATER).disclosed == ()


def test_a_notice_citing_a_covert_finding_discloses_its_record(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    notice = DraftRequest(BulletinKind.NOTICE, AS_OF, department_name=LEAD)
    bulletin_id = ready_for_issue(drafting, bulletins, notice)
    supervisor(storage)
    assert len(bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER).disclosed) == 1


def test_a_failed_issue_writes_nothing_and_leaves_no_file(
    storage: Storage, drafting: BulletinDrafting, ledger_path: Path
) -> None:
    def broken(document, stream, profile) -> None:
        stream.write(b"half a file")
        raise OSError("磁盘已满")

    from reports.gongwen_docx import render_docx

    failing = Bulletins.for_storage(storage, renderers={"docx": render_docx, "pdf": broken})
    bulletin_id = ready_for_issue(drafting, failing, INSPECTION)
    supervisor(storage)
    changes = storage.db["changes"].count
    with pytest.raises(BulletinError, match="生成签发文件时出错，没有签发：磁盘已满"):
        failing.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    assert storage.db["changes"].count == changes
    assert storage.db.execute("SELECT COUNT(*) FROM bulletin_files").fetchone() == (0,)
    assert storage.db.execute(
        "SELECT COUNT(*) FROM inspections WHERE disclosed_on IS NOT NULL"
    ).fetchone() == (0,)
    folder = FrozenFiles.root_for(ledger_path)
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert failing.get(bulletin_id).state is BulletinState.REVIEW
    # A failure after the files were placed takes them back too.
    placing = Bulletins.for_storage(storage)
    original = placing._disclose

    def refuse(*args):
        raise BulletinError("不能签发：测试")

    placing._disclose = refuse  # type: ignore[method-assign]
    with pytest.raises(BulletinError, match="测试"):
        placing.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    placing._disclose = original  # type: ignore[method-assign]
    assert not any(p.is_file() for p in folder.rglob("*"))
    assert placing.issue(bulletin_id, on=ISSUED_ON, today=LATER).bulletin.number == (
        "滕政办督〔2021〕1号"
    )


def test_a_draft_without_a_code_cannot_be_issued(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    draft = drafting.draft(PROGRESS)
    draft.code = ""
    bulletin_id = bulletins.create(draft, today=TODAY)
    bulletins.submit(bulletin_id, today=TODAY)
    supervisor(storage)
    with pytest.raises(BulletinError, match="没有机关代字，无法编发文字号"):
        bulletins.issue(bulletin_id, today=LATER)
    bulletins.send_back(bulletin_id)
    bulletins.set_code(bulletin_id, "滕政办督")
    bulletins.submit(bulletin_id, today=TODAY)
    assert bulletins.issue(bulletin_id, today=LATER).bulletin.number == "滕政办督〔2021〕1号"


def test_a_discarded_draft_is_gone(drafting: BulletinDrafting, bulletins: Bulletins) -> None:
    bulletin_id = bulletins.create(drafting.draft(PROGRESS), today=TODAY)
    bulletins.discard(bulletin_id)
    assert bulletins.list() == []
    with pytest.raises(BulletinError, match="不存在或已删除"):
        bulletins.get(bulletin_id)


def test_a_blob_left_by_a_killed_issue_is_found(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    bulletin_id = ready_for_issue(drafting, bulletins, PROGRESS)
    supervisor(storage)
    bulletins.issue(bulletin_id, on=ISSUED_ON, today=LATER)
    assert bulletins.unreferenced_files() == []
    stray = bulletins.files.path("ab" + "0" * 62)  # placed, then the process was killed
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"PK")
    assert bulletins.unreferenced_files() == [stray]
