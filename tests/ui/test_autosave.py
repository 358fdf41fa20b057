"""The autosaver: the latest write of each field after a pause, at once on flush, refusals said."""

from __future__ import annotations

from app.storage import WriteError
from ui.widgets.autosave import Autosaver


def test_the_latest_write_of_a_field_runs_once_after_the_pause(qtbot) -> None:
    saver = Autosaver(delay_ms=50)
    written: list[str] = []
    for text in ("a", "ab", "abc"):
        saver.schedule("summary", lambda text=text: written.append(text))
    assert written == [] and saver.is_pending("summary")
    qtbot.waitUntil(lambda: written == ["abc"], timeout=2000)
    assert not saver.pending()


def test_flush_writes_now_and_a_refusal_is_said_and_dropped(qtbot) -> None:
    saver = Autosaver(delay_ms=10_000)
    failed: list[tuple[str, str]] = []
    saved: list[str] = []
    saver.sig_failed.connect(lambda key, message: failed.append((key, message)))
    saver.sig_saved.connect(saved.append)

    def refuse() -> None:
        raise WriteError("检查日期不能晚于今天。")

    def broken() -> None:
        raise ValueError("bad")

    saver.schedule("date", refuse)
    saver.schedule("note", lambda: None)
    saver.schedule("place", broken)
    assert saver.flush() is False
    assert saved == ["note"]
    assert failed[0] == ("date", "检查日期不能晚于今天。")
    assert failed[1][0] == "place" and "ValueError" in failed[1][1]
    assert not saver.pending() and saver.flush() is True


def test_paused_writes_wait_for_resume(qtbot) -> None:
    saver = Autosaver(delay_ms=20)
    written: list[str] = []
    saver.pause()
    saver.schedule("summary", lambda: written.append("x"))
    assert saver.flush() is False and saver.pending()
    qtbot.wait(60)
    assert written == []
    saver.resume()
    qtbot.waitUntil(lambda: written == ["x"], timeout=2000)
