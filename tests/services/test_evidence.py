"""Evidence files on real photos made here: hashing, deduplication, EXIF, flags, bad files."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.domain.ledger import InspectionKind
from app.services import evidence_files
from app.services.context import Services
from app.services.evidence import EvidenceError, EvidenceFlag, EvidenceStore
from app.services.evidence_files import MAX_EVIDENCE_BYTES, sniff
from app.storage import Storage, WriteError
from tests.services.photos import CAPTURED, TENGZHOU, jpeg, png, stamp_file
from tests.services.test_status import Ledger

NOW = datetime(2021, 7, 16, 9, 0, 0)
TODAY = date(2021, 10, 31)


@pytest.fixture
def services(storage: Storage) -> Services:
    return Services.for_storage(storage)


@pytest.fixture
def record(services: Services) -> str:
    return _record(services, date(2021, 7, 15))


def _record(services: Services, on: date, title: str = "窗口服务") -> str:
    measure = Ledger(services.storage).measure(title=title)
    return services.inspections.record(
        measure,
        kind=InspectionKind.COVERT,
        checked_on=on,
        inspector="张三",
        today=TODAY,
    )


def _blobs(store: EvidenceStore) -> list[Path]:
    base = store.root / "sha256"
    return sorted(p for p in base.glob("*/*")) if base.is_dir() else []


def _rows(storage: Storage) -> int:
    return storage.db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# ---- A photo from the phone ----------------------------------------------------------------------


def test_a_photo_is_stored_by_its_hash_and_the_original_is_untouched(
    services: Services, record: str, tmp_path: Path
) -> None:
    original = jpeg(tmp_path / "IMG_0001.JPG", modified=CAPTURED + timedelta(minutes=2))
    before = _snapshot(original)
    store = services.evidence
    assert store.root == services.storage.path.with_name("ledger.sqlite.evidence")

    added = store.add(original, inspection_id=record, now=NOW)

    assert _snapshot(original) == before  # bytes and modification time
    sha = hashlib.sha256(before[0]).hexdigest()
    evidence = added.evidence
    assert added.new_file and not added.already_attached
    assert evidence.sha256 == sha
    assert evidence.path == store.root / "sha256" / sha[:2] / sha
    assert evidence.path.read_bytes() == before[0]
    assert _blobs(store) == [evidence.path]
    assert evidence.original_name == "IMG_0001.JPG"
    assert evidence.size == len(before[0]) and evidence.size_text.endswith("KB")
    assert evidence.media_type == "image/jpeg" and evidence.type_name == "JPEG 图片"
    assert evidence.captured_at == CAPTURED
    assert evidence.gps == pytest.approx(TENGZHOU, abs=1e-4)
    assert evidence.file_modified_at == CAPTURED + timedelta(minutes=2)
    assert evidence.imported_at == NOW
    assert evidence.inspection_id == record and not evidence.missing
    assert evidence.flags == ()  # time, place and date all agree
    assert store.verify(evidence.id)
    # The thumbnail: a JPEG of at most 256 pixels, made from the copy.
    assert evidence.thumbnail == store.root / "thumbs" / sha[:2] / f"{sha}.jpg"
    with Image.open(evidence.thumbnail) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 256
    assert store.open_path(evidence.id) == evidence.path


def test_the_same_photo_twice_is_stored_once(
    services: Services, record: str, tmp_path: Path
) -> None:
    store = services.evidence
    storage = services.storage
    photo = jpeg(tmp_path / "a.jpg")
    first = store.add(photo, inspection_id=record, now=NOW)
    changes = storage.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]

    again = store.add(photo, inspection_id=record, now=NOW)
    assert again.already_attached and not again.new_file
    assert again.evidence.id == first.evidence.id
    assert storage.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == changes

    # The same bytes under another name, as evidence of another record: a second row, one file.
    copy = tmp_path / "微信图片_20210720.jpg"
    shutil.copyfile(photo, copy)
    other = _record(services, date(2021, 7, 15), "另一项措施")
    second = store.add(copy, inspection_id=other, now=NOW)
    assert not second.new_file and not second.already_attached
    assert second.evidence.id != first.evidence.id
    assert second.evidence.sha256 == first.evidence.sha256
    assert second.evidence.original_name == "微信图片_20210720.jpg"
    assert _blobs(store) == [first.evidence.path]
    assert _rows(storage) == 2
    # Both are flagged: one photo is evidence of two different records.
    assert store.get(first.evidence.id).has(EvidenceFlag.REUSED)
    assert second.evidence.has(EvidenceFlag.REUSED)


def test_south_and_west_are_negative(services: Services, record: str, tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "santiago.jpg", gps=(-33.4489, -70.6693))
    evidence = services.evidence.add(photo, inspection_id=record, now=NOW).evidence
    assert evidence.gps == pytest.approx((-33.4489, -70.6693), abs=1e-4)


def test_a_screenshot_without_exif_is_flagged(
    services: Services, record: str, tmp_path: Path
) -> None:
    shot = png(tmp_path / "截图.png", modified=datetime(2021, 6, 1, 8, 0))
    evidence = services.evidence.add(shot, inspection_id=record, now=NOW).evidence
    assert evidence.media_type == "image/png"
    assert evidence.captured_at is None and evidence.gps is None
    codes = {flag.code for flag in evidence.flags}
    assert codes == {
        EvidenceFlag.NO_CAPTURE_TIME,
        EvidenceFlag.NO_GPS,
        EvidenceFlag.FAR_FROM_DATE,  # judged by the file's date when there is no capture time
    }
    far = next(f for f in evidence.flags if f.code is EvidenceFlag.FAR_FROM_DATE)
    assert far.message == "文件日期 2021-06-01 与检查日期 2021-07-15 相差 44 天。"


def test_capture_time_file_time_and_inspection_date_disagree(
    services: Services, tmp_path: Path
) -> None:
    record = _record(services, date(2021, 7, 1))
    photo = jpeg(
        tmp_path / "old.jpg",
        gps=None,
        modified=CAPTURED + timedelta(days=2, hours=23),
    )
    evidence = services.evidence.add(photo, inspection_id=record, now=NOW).evidence
    messages = {flag.code: flag.message for flag in evidence.flags}
    assert messages[EvidenceFlag.TIME_MISMATCH] == (
        "拍摄时间 2021-07-15 10:30 与文件时间 2021-07-18 09:30 相差 2天23小时。"
    )
    assert messages[EvidenceFlag.FAR_FROM_DATE] == (
        "拍摄日期 2021-07-15 与检查日期 2021-07-01 相差 14 天。"
    )
    assert EvidenceFlag.NO_GPS in messages
    assert EvidenceFlag.MISSING not in messages


def test_a_camera_clock_in_the_future_is_flagged(
    services: Services, record: str, tmp_path: Path
) -> None:
    photo = jpeg(tmp_path / "future.jpg", captured=datetime(2021, 7, 16, 18, 0))
    evidence = services.evidence.add(photo, inspection_id=record, now=NOW).evidence
    assert evidence.has(EvidenceFlag.CAPTURED_AFTER_IMPORT)


def test_the_thumbnail_is_turned_upright_and_the_copy_is_not(
    services: Services, record: str, tmp_path: Path
) -> None:
    photo = jpeg(tmp_path / "portrait.jpg", orientation=6, size=(640, 480))
    evidence = services.evidence.add(photo, inspection_id=record, now=NOW).evidence
    with Image.open(evidence.thumbnail) as thumb:
        assert thumb.size == (192, 256)  # rotated by the EXIF orientation
    with Image.open(evidence.path) as stored:
        assert stored.size == (640, 480) and stored.getexif()[0x0112] == 6
    # Drawn again on request when it is gone.
    evidence.thumbnail.unlink()
    assert services.evidence.thumbnail(evidence.id) == evidence.thumbnail
    assert evidence.thumbnail.is_file()


def test_documents_are_evidence_too(services: Services, record: str, tmp_path: Path) -> None:
    pdf = tmp_path / "整改报告.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    stamp_file(pdf, datetime(2021, 3, 1, 9, 0))
    evidence = services.evidence.add(pdf, inspection_id=record, now=NOW).evidence
    assert evidence.media_type == "application/pdf" and evidence.thumbnail is None
    assert evidence.flags == ()  # an old document is no reason for suspicion
    note = tmp_path / "记录.txt"
    note.write_text("窗口人员称需要先到三楼盖章。", encoding="utf-8")
    assert services.evidence.add(note, inspection_id=record).evidence.media_type == "text/plain"


# ---- Bad files change nothing ------------------------------------------------------------------


def _refused(services: Services, path: Path, record: str, match: str, **kwargs) -> None:
    store = services.evidence
    rows, blobs = _rows(services.storage), _blobs(store)
    with pytest.raises(EvidenceError, match=match) as raised:
        store.add(path, inspection_id=record, **kwargs)
    assert isinstance(raised.value, WriteError)  # the UI shows it like any refused save
    assert _rows(services.storage) == rows and _blobs(store) == blobs


def test_a_text_file_named_jpg_is_refused(services: Services, record: str, tmp_path: Path) -> None:
    fake = tmp_path / "现场照片.jpg"
    fake.write_text("这不是照片", encoding="utf-8")
    _refused(services, fake, record, r"扩展名是 \.jpg，但内容不是图片（看起来是文本文件）")


def test_a_truncated_photo_is_refused(services: Services, record: str, tmp_path: Path) -> None:
    whole = jpeg(tmp_path / "whole.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    _refused(services, cut, record, "已损坏或不完整")


def test_a_huge_file_is_refused_without_reading_it(
    services: Services, record: str, tmp_path: Path
) -> None:
    huge = tmp_path / "录像.mp4"
    with open(huge, "wb") as handle:  # sparse: no disk is used
        handle.truncate(MAX_EVIDENCE_BYTES + 1)
    _refused(services, huge, record, "超过了 50 MB 的上限")
    small = jpeg(tmp_path / "small.jpg")
    _refused(services, small, record, "超过了 1 KB 的上限", limit=1024)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda folder: folder / "没有这个文件.jpg", "找不到文件"),
        (lambda folder: folder, "是一个文件夹"),
        (lambda folder: _empty(folder / "空.jpg"), "是空的"),
    ],
)
def test_missing_folders_and_empty_files_are_refused(
    services: Services, record: str, tmp_path: Path, make, match: str
) -> None:
    _refused(services, make(tmp_path), record, match)


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_an_unreadable_file_is_refused(
    services: Services, record: str, tmp_path: Path, monkeypatch
) -> None:
    locked = jpeg(tmp_path / "locked.jpg")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # As root every file is readable, so the operating system's refusal is played here.
    monkeypatch.setattr(evidence_files, "open", denied, raising=False)
    _refused(services, locked, record, "没有权限读取文件“locked.jpg”")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_refused_without_waiting_for_it(
    services: Services, record: str, tmp_path: Path
) -> None:
    pipe = tmp_path / "管道.jpg"
    os.mkfifo(pipe)  # opening it for reading would block until somebody writes
    _refused(services, pipe, record, "不是普通文件")


def test_a_pixel_bomb_is_refused(
    services: Services, record: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(evidence_files, "MAX_IMAGE_PIXELS", 100 * 100)
    _refused(services, jpeg(tmp_path / "big.jpg"), record, r"尺寸过大（640×480 像素）")


def test_the_file_must_belong_somewhere_that_exists(
    services: Services, record: str, tmp_path: Path
) -> None:
    photo = jpeg(tmp_path / "a.jpg")
    store = services.evidence
    with pytest.raises(EvidenceError, match="请先选择"):
        store.add(photo)
    with pytest.raises(EvidenceError, match="检查记录不存在"):
        store.add(photo, inspection_id="nope")
    with pytest.raises(EvidenceError, match="问题不存在"):
        store.add(photo, finding_id="nope")
    assert _rows(services.storage) == 0 and _blobs(store) == []


def test_a_read_only_database_writes_no_file(
    services: Services, record: str, tmp_path: Path
) -> None:
    services.storage.close()
    read_only = Storage.open(services.storage.path, read_only=True)
    try:
        store = EvidenceStore.for_storage(read_only)
        with pytest.raises(WriteError):
            store.add(jpeg(tmp_path / "a.jpg"), inspection_id=record)
        assert _blobs(store) == []
    finally:
        read_only.close()


# ---- Where evidence belongs ----------------------------------------------------------------------


def test_evidence_of_an_item_a_finding_and_a_recheck_belongs_to_the_record(
    services: Services, record: str, tmp_path: Path
) -> None:
    checklists = services.checklists
    repo = services.repository
    item = checklists.add_custom(record, "窗口是否公示收费标准？")
    store = services.evidence
    on_item = store.add(jpeg(tmp_path / "1.jpg", seed=1), answer_id=item).evidence
    assert on_item.inspection_id == record and on_item.answer_id == item
    assert checklists.answer(item).evidence_count == 1
    finding = checklists.raise_finding(item, description="未公示收费标准")
    recheck = repo.insert(
        "rechecks",
        {"finding_id": finding, "checked_on": "2021-08-02", "inspector": "李四", "result": "pass"},
    )
    # A recheck photo is judged against the recheck's date, not the inspection's.
    on_recheck = store.add(
        jpeg(tmp_path / "2.jpg", seed=2, captured=datetime(2021, 8, 2, 15, 0)), recheck_id=recheck
    ).evidence
    assert (on_recheck.finding_id, on_recheck.inspection_id) == (finding, record)
    assert not on_recheck.has(EvidenceFlag.FAR_FROM_DATE)
    assert [e.id for e in store.for_recheck(recheck)] == [on_recheck.id]
    assert [e.id for e in store.for_finding(finding)] == [on_item.id, on_recheck.id]
    assert [e.id for e in store.for_inspection(record)] == [on_item.id, on_recheck.id]
    assert [e.id for e in store.for_answer(item)] == [on_item.id]
    other = _record(services, date(2021, 7, 15), "另一项措施")
    with pytest.raises(EvidenceError, match="互不对应"):
        store.add(jpeg(tmp_path / "3.jpg", seed=3), inspection_id=other, answer_id=item)


def test_removing_restoring_and_notes(services: Services, record: str, tmp_path: Path) -> None:
    store = services.evidence
    photo = jpeg(tmp_path / "a.jpg")
    evidence = store.add(photo, inspection_id=record).evidence
    store.set_note(evidence.id, "综合窗口，无人值守")
    store.remove(evidence.id)
    assert store.for_inspection(record) == []
    assert evidence.path.is_file()  # the file stays: the row can come back
    # Adding the same file to the same record again brings the same row back.
    back = store.add(photo, inspection_id=record)
    assert back.evidence.id == evidence.id and back.evidence.note == "综合窗口，无人值守"
    assert _rows(services.storage) == 1
    with pytest.raises(EvidenceError, match="不存在"):
        store.set_note("nope", "x")


def test_a_missing_file_is_reported_and_re_adding_brings_it_back(
    services: Services, record: str, tmp_path: Path
) -> None:
    store = services.evidence
    photo = jpeg(tmp_path / "a.jpg")
    evidence = store.add(photo, inspection_id=record).evidence
    evidence.path.unlink()
    shown = store.get(evidence.id)
    assert shown.missing and shown.has(EvidenceFlag.MISSING)
    assert [e.id for e in store.missing(record)] == [evidence.id]
    assert [e.id for e in store.missing()] == [evidence.id]
    assert not store.verify(evidence.id)
    with pytest.raises(EvidenceError, match="已不在证据文件夹中"):
        store.open_path(evidence.id)
    again = store.add(photo, inspection_id=record)
    assert again.already_attached and again.new_file
    assert not store.get(evidence.id).missing and store.verify(evidence.id)


def test_a_damaged_stored_copy_is_replaced_by_the_good_bytes(
    services: Services, record: str, tmp_path: Path
) -> None:
    store = services.evidence
    photo = jpeg(tmp_path / "a.jpg")
    evidence = store.add(photo, inspection_id=record).evidence
    evidence.path.write_bytes(b"damaged")
    assert not store.verify(evidence.id)
    other = _record(services, date(2021, 7, 15), "另一项措施")
    store.add(photo, inspection_id=other)
    assert store.verify(evidence.id)


def test_garbage_is_collected_and_evidence_is_not(
    services: Services, record: str, tmp_path: Path
) -> None:
    store = services.evidence
    kept = store.add(jpeg(tmp_path / "kept.jpg", seed=1), inspection_id=record).evidence
    removed = store.add(jpeg(tmp_path / "removed.jpg", seed=2), inspection_id=record).evidence
    store.remove(removed.id)  # tombstoned rows keep their files (they can be restored)
    orphan = store.blob_path("ab" + "0" * 62)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a killed process")
    temporary = kept.path.parent / ".~ducha-0123456789abcdef.tmp"
    temporary.write_bytes(b"half")
    young = store.collect_garbage()  # the default keeps files younger than an hour
    assert young.blobs == 0 and orphan.exists()
    report = store.collect_garbage(older_than=timedelta(0), now=datetime.now() + timedelta(1))
    assert (report.blobs, report.temporary) == (1, 1)
    assert not orphan.exists() and not temporary.exists()
    assert kept.path.is_file() and removed.path.is_file() and kept.thumbnail.is_file()


def test_an_in_memory_ledger_needs_a_folder(tmp_path: Path) -> None:
    memory = Storage.open_memory()
    try:
        with pytest.raises(EvidenceError, match="指定证据文件夹"):
            EvidenceStore.for_storage(memory)
        store = EvidenceStore.for_storage(memory, tmp_path / "evidence")
        assert store.root == tmp_path / "evidence"
    finally:
        memory.close()


# ---- Any bytes at all --------------------------------------------------------------------------


def _real_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


_REAL = _real_jpeg()
_HEADS = [
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"II*\x00",
    b"BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00",
    b"%PDF-",
    b"\x00\x00\x00\x18ftypheic",
]
_BYTES = st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda head, tail: head + tail, st.sampled_from(_HEADS), st.binary(max_size=512)),
    st.integers(min_value=0, max_value=len(_REAL)).map(lambda cut: _REAL[:cut]),
    st.tuples(st.integers(min_value=0, max_value=len(_REAL) - 1), st.integers(1, 255)).map(
        lambda flip: _REAL[: flip[0]] + bytes([_REAL[flip[0]] ^ flip[1]]) + _REAL[flip[0] + 1 :]
    ),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=_BYTES, suffix=st.sampled_from([".jpg", ".png", ".pdf", ".txt", ".bin", ""]))
def test_any_bytes_are_added_or_refused_cleanly(
    services: Services, record: str, tmp_path: Path, data: bytes, suffix: str
) -> None:
    store = services.evidence
    path = tmp_path / f"证据{suffix}"
    path.write_bytes(data)
    rows, blobs = _rows(services.storage), set(_blobs(store))
    try:
        added = store.add(path, inspection_id=record)
    except EvidenceError as error:
        assert str(error)
        assert _rows(services.storage) == rows and set(_blobs(store)) == blobs
        return
    evidence = added.evidence
    assert evidence.path.read_bytes() == data == path.read_bytes()
    assert evidence.media_type == sniff(data[:8192])
    assert set(_blobs(store)) == blobs | {evidence.path}
