"""Progress of long commands on stderr (app/cli/feedback.py): shown on a terminal or when the
work is long, never mixed into stdout, silent for quick work in logs and tests."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from app.cli.feedback import StderrProgress
from app.paths import SAMPLE_PLAN

ROOT = Path(__file__).resolve().parent.parent


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_quick_work_in_a_log_prints_nothing() -> None:
    stream, clock = io.StringIO(), _Clock()
    progress = StderrProgress("正在解析", stream=stream, clock=clock)
    for done in range(0, 1001, 100):
        clock.now += 0.05
        progress(done, 1000)
    progress.finish()
    assert stream.getvalue() == ""


def test_long_work_in_a_log_prints_a_line_now_and_then() -> None:
    stream, clock = io.StringIO(), _Clock()
    progress = StderrProgress("正在解析", stream=stream, clock=clock)
    for done in range(0, 1001, 50):  # 20 reports over 6 seconds
        clock.now += 0.3
        progress(done, 1000)
    progress.stage("正在写入台账（201 项措施）")
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "正在解析… 15%"  # the first report after one second
    assert len(lines) == 4 and lines[-1] == "正在写入台账（201 项措施）…"
    assert all("\r" not in line for line in lines)


def test_quick_commands_print_no_progress(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["parse", str(SAMPLE_PLAN)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["plan"]["title"] and err == ""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_sees_progress_on_stderr_and_clean_json_on_stdout(tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "parse", str(SAMPLE_PLAN)],
            stdout=subprocess.PIPE,
            stderr=follower,
            cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            check=False,
            timeout=120,
        )
    finally:
        os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert result.returncode == 0
    assert json.loads(result.stdout)["plan"]["title"]  # nothing but JSON on stdout
    text = seen.decode("utf-8", "replace")
    assert text.startswith("\r\x1b[K正在读取并解析“tengzhou-2021-9.txt”… 0%")  # updated in place
    assert text.endswith("\r\x1b[K")  # and cleared before the command ends
