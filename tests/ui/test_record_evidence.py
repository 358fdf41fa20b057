"""Evidence in the record form: dropped or chosen, stored once, bad files refused, the missing
shown as missing, a real photo's EXIF and flags side by side, opened with the system."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_file
from app.services.context import Services
from app.storage import Storage
from tests.services.photos import CAPTURED, jpeg, png
from tests.ui.record_support import (  # noqa: F401  (close_forms: a fixture)
    active,
    changes,
    close_forms,
    drop,
    open_form,
    press,
    wait_added,
)
from ui.dialogs.evidence_preview import EvidencePreview, viewing_copy
from ui.dialogs.finding_editor import FindingEditor
from ui.dialogs.record_form import RecordForm
from ui.widgets.file_dialogs import FileDialogs, FilePurpose

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def services(storage: Storage) -> Services:
    services = Services.for_storage(storage)
    services.plans.import_plan(parse_file(SAMPLE_PLAN))
    return services


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "手机照片"
    folder.mkdir()
    return folder


def _row_point(form: RecordForm, row: int):
    rect = form.table.visualRect(form.table.model().index(row, form.table.COL_TEXT))
    return rect.center()


def _blobs(services: Services) -> list[Path]:
    root = services.evidence.root / "sha256"
    return [path for path in root.glob("*/*") if path.is_file()] if root.exists() else []


def _refusal(form: RecordForm) -> str:
    box = form.findChild(QMessageBox, "evidence_refused")
    return "" if box is None else box.text()


def test_photos_dropped_on_an_item_the_form_and_a_finding(qtbot, services, photos) -> None:
    form = open_form(qtbot, services)
    window = jpeg(photos / "IMG_0001.jpg")
    queue = jpeg(photos / "IMG_0002.jpg", seed=4)
    hall = png(photos / "大厅.png")

    # On the second row of the checklist: evidence of that item.
    assert drop(form.table.viewport(), [window, queue], _row_point(form, 1))
    wait_added(qtbot, form)
    second = form.table.answers()[1]
    assert form.table.currentRow() == 1 and form.table.row_text(1)[6] == "2"
    assert [e.original_name for e in services.evidence.for_answer(second.id)] == [
        "IMG_0001.jpg",
        "IMG_0002.jpg",
    ]
    assert [label.splitlines()[0] for label in form.panel.evidence.labels()] == [
        "IMG_0001.jpg",
        "IMG_0002.jpg",
    ]
    assert "已添加 2 个证据文件" in form.status_text()

    # Anywhere else on the window: evidence of the whole record.
    assert drop(form, [hall])
    wait_added(qtbot, form)
    [own] = [e for e in services.evidence.for_inspection(form.inspection_id) if e.answer_id is None]
    assert own.original_name == "大厅.png" and own.inspection_id == form.inspection_id
    assert len(form.record_evidence.evidence()) == 3

    # On the finding editor: evidence of the finding (and of its item).
    form.table.setCurrentCell(1, 2)
    form.table.setFocus()
    press(qtbot, Qt.Key.Key_3)
    press(qtbot, Qt.Key.Key_F2)
    editor = active(qtbot, form.findChild(FindingEditor))
    assert len(editor.evidence.evidence()) == 2  # the item's photos go with the finding
    editor.accept()
    finding_id = services.checklists.answer(second.id).finding_id
    assert finding_id and len(services.evidence.for_finding(finding_id)) == 2
    active(qtbot, form)
    press(qtbot, Qt.Key.Key_F2)  # the finding again, to add a photo to it
    editor = active(qtbot, form.findChild(FindingEditor))
    later = jpeg(photos / "IMG_0003.jpg", seed=9)
    assert drop(editor, [later])
    wait_added(qtbot, form)
    assert [e.original_name for e in editor.evidence.evidence()][-1] == "IMG_0003.jpg"
    assert "IMG_0003.jpg" in [e.original_name for e in services.evidence.for_finding(finding_id)]
    editor.reject()


def test_the_file_dialog_adds_several_files_with_progress(
    qtbot, services, photos, monkeypatch
) -> None:
    chosen = [jpeg(photos / f"IMG_{n}.jpg", seed=n) for n in range(5)]
    asked: list[FilePurpose] = []

    def open_files(self, parent, purpose, *, title=None):
        asked.append(purpose)
        return chosen

    monkeypatch.setattr(FileDialogs, "open_files", open_files)
    form = open_form(qtbot, services)
    form.table.setCurrentCell(0, 2)
    form.table.setFocus()
    press(qtbot, Qt.Key.Key_O, CTRL)
    assert asked == [FilePurpose.EVIDENCE]
    assert form.is_importing() and form._importing is not None
    dialog = form._importing.dialog
    assert dialog.labelText() == "正在添加 5 个证据文件…"  # shown if it takes a moment, with 取消
    wait_added(qtbot, form)
    first = form.table.answers()[0]
    assert len(services.evidence.for_answer(first.id)) == 5
    press(qtbot, Qt.Key.Key_O, CTRL | Qt.KeyboardModifier.ShiftModifier)
    wait_added(qtbot, form)
    assert asked == [FilePurpose.EVIDENCE] * 2
    assert "没有重复添加" not in form.status_text()  # the record itself is another place
    own = [e for e in services.evidence.for_inspection(form.inspection_id) if e.answer_id is None]
    assert len(own) == 5 and len(_blobs(services)) == 5  # the same bytes, stored once


def test_typing_while_files_are_added_waits_and_is_saved(qtbot, services, photos) -> None:
    form = open_form(qtbot, services)
    form.add_files([jpeg(photos / "a.jpg")], {"inspection_id": form.inspection_id})
    assert form.is_importing()
    form.header.summary.setFocus()
    qtbot.keyClicks(form.header.summary, "typed meanwhile")
    form.close()  # refused while the worker uses the database
    assert form.isVisible() and "完成后才能关闭" in form.status_text()
    wait_added(qtbot, form)
    qtbot.waitUntil(
        lambda: (
            services.repository.get("inspections", form.inspection_id)["summary"]
            == "typed meanwhile"
        ),
        timeout=3000,
    )


def test_the_same_photo_twice_is_stored_once(qtbot, services, photos) -> None:
    form = open_form(qtbot, services)
    photo = jpeg(photos / "IMG_0001.jpg")
    copy = photos / "副本.jpg"
    copy.write_bytes(photo.read_bytes())
    assert drop(form.table.viewport(), [photo], _row_point(form, 0))
    wait_added(qtbot, form)
    before = changes(services)
    assert drop(form.table.viewport(), [copy], _row_point(form, 0))
    wait_added(qtbot, form)
    assert "“IMG_0001.jpg”已经是这里的证据，没有重复添加" in form.status_text()
    assert changes(services) == before and len(_blobs(services)) == 1
    assert len(form.panel.evidence.evidence()) == 1


def test_a_text_file_named_jpg_is_refused_and_changes_nothing(qtbot, services, photos) -> None:
    form = open_form(qtbot, services)
    fake = photos / "现场照片.jpg"
    fake.write_text("这不是照片，是一段文字。", encoding="utf-8")
    good = jpeg(photos / "IMG_0001.jpg")
    before = changes(services)
    assert drop(form.table.viewport(), [fake], _row_point(form, 0))
    wait_added(qtbot, form)
    message = _refusal(form)
    assert "“现场照片.jpg”的扩展名是 .jpg，但内容不是图片" in message
    assert "证据和记录都没有改动" in message
    assert changes(services) == before and _blobs(services) == []
    assert services.evidence.for_inspection(form.inspection_id) == []
    assert (
        fake.read_text(encoding="utf-8") == "这不是照片，是一段文字。"
    )  # the user's file as it was
    # In a batch, the bad one is refused and the good one added.
    form.findChild(QMessageBox, "evidence_refused").close()
    assert drop(form.table.viewport(), [fake, good], _row_point(form, 0))
    wait_added(qtbot, form)
    assert [e.original_name for e in services.evidence.for_inspection(form.inspection_id)] == [
        "IMG_0001.jpg"
    ]
    assert "1 个文件未能添加" in form.status_text()


def test_a_huge_file_is_refused_with_the_reason(qtbot, services, photos, monkeypatch) -> None:
    import app.services.evidence_files as files

    monkeypatch.setattr(files, "MAX_EVIDENCE_BYTES", 10_000)
    form = open_form(qtbot, services)
    big = jpeg(photos / "大图.jpg", size=(1600, 1200))
    assert big.stat().st_size > 10_000
    assert drop(form, [big])
    wait_added(qtbot, form)
    assert (
        "大图.jpg" in _refusal(form) and services.evidence.for_inspection(form.inspection_id) == []
    )


def test_a_missing_file_is_shown_as_missing(qtbot, services, photos, monkeypatch) -> None:
    form = open_form(qtbot, services)
    assert drop(form, [jpeg(photos / "IMG_0001.jpg")])
    wait_added(qtbot, form)
    [evidence] = services.evidence.for_inspection(form.inspection_id)
    os.unlink(evidence.path)  # someone tidied the evidence folder
    form.reload()
    assert "1 个文件缺失" in form.record_evidence_label.text()
    [label] = form.record_evidence.labels()
    assert "文件缺失" in label
    preview = form.preview(form.record_evidence, evidence.id)
    assert preview.fact("文件状态") == "文件缺失" and "文件缺失" in preview.picture.text()
    assert not preview.open_button.isEnabled()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    assert preview.open_current() is False
    assert warned and "已不在证据文件夹中" in warned[0] and "重新添加" in warned[0]
    preview.close()
    # Adding the file again brings it back.
    assert drop(form, [photos / "IMG_0001.jpg"])
    wait_added(qtbot, form)
    assert "文件缺失" not in form.record_evidence.labels()[0]


def test_a_real_photos_exif_and_flags_side_by_side(qtbot, services, photos) -> None:
    form = open_form(qtbot, services)  # checked on 2021-07-15
    good = jpeg(photos / "IMG_20210715.jpg")  # EXIF 2021-07-15 10:30, GPS, file time the same
    odd = jpeg(
        photos / "IMG_20210712.jpg",
        captured=datetime(2021, 7, 12, 9, 0),
        gps=None,
        seed=5,
        modified=datetime(2021, 7, 14, 18, 0),
    )
    assert drop(form.table.viewport(), [good, odd], _row_point(form, 0))
    wait_added(qtbot, form)
    first, _second = form.panel.evidence.evidence()
    preview = active(qtbot, form.preview(form.panel.evidence, first.id))
    assert isinstance(preview, EvidencePreview)
    assert preview.fact("原文件名") == "IMG_20210715.jpg"
    assert preview.fact("拍摄时间（照片记录）") == CAPTURED.strftime("%Y-%m-%d %H:%M:%S")
    assert preview.fact("拍摄地点（定位）") == "北纬 35.08420°，东经 117.15310°"
    assert preview.fact("文件时间") == "2021-07-15 10:30:00"
    assert preview.fact("大小").endswith(f"（{good.stat().st_size:,} 字节）")
    assert "一致" in preview.flag_text()
    assert preview.picture.pixmap() is not None and not preview.picture.pixmap().isNull()
    press(qtbot, Qt.Key.Key_Right)  # the next one
    assert preview.fact("原文件名") == "IMG_20210712.jpg"
    assert preview.fact("拍摄地点（定位）") == "无"
    flags = preview.flag_text()
    assert "无定位" in flags and "时间不一致" in flags and "日期不符" in flags
    label = form.panel.evidence.labels()[1]
    assert "无定位" in label and "时间不一致" in label and "日期不符" in label
    preview.close()


def test_open_gives_a_copy_to_the_system_or_says_where_it_is(
    qtbot, services, photos, monkeypatch
) -> None:
    form = open_form(qtbot, services)
    photo = jpeg(photos / "IMG_0001.jpg")
    assert drop(form, [photo])
    wait_added(qtbot, form)
    [evidence] = services.evidence.for_inspection(form.inspection_id)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or False)
    preview = form.preview(form.record_evidence, evidence.id)
    assert preview.open_current() is False  # nothing on this machine opens .jpg
    copy = Path(opened[0].toLocalFile())
    assert copy.name == "IMG_0001.jpg" and copy.read_bytes() == photo.read_bytes()
    assert not copy.stat().st_mode & stat.S_IWUSR  # a copy, read-only: the evidence stays
    assert copy == viewing_copy(evidence.path, evidence)
    notice = preview.findChild(QMessageBox, "file_location_notice")
    assert notice is not None and "没有设置打开" in notice.text() and str(copy) in notice.text()
    assert evidence.path.read_bytes() == photo.read_bytes()
    preview.close()


def test_a_disk_full_while_adding_evidence_is_told_in_chinese(
    qtbot, services, photos, monkeypatch
) -> None:
    """The OS speaks English ("No space left on device"): the form says it in a Chinese
    sentence that says nothing was added, and nothing was stored."""
    form = open_form(qtbot, services)
    photo = jpeg(photos / "IMG_0001.jpg")
    before = changes(services)

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(services.evidence), "add", full)
    assert drop(form.table.viewport(), [photo], _row_point(form, 0))
    qtbot.waitUntil(lambda: "添加证据时出错" in form.status_text(), timeout=10_000)
    text = form.status_text()
    assert "文件没有添加" in text and "磁盘" in text
    assert changes(services) == before and _blobs(services) == []
