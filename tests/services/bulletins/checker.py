"""The shared GB/T 9704 checker (../shared/tools/check_gongwen.py) run on a generated file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# shared/ sits beside the checkout (CI) or at /work/shared (developers' worktrees).
CHECKER = next(
    (
        path
        for path in (
            ROOT.parent / "shared/tools/check_gongwen.py",
            Path("/work/shared/tools/check_gongwen.py"),
        )
        if path.exists()
    ),
    ROOT.parent / "shared/tools/check_gongwen.py",
)


def failed_checkpoints(path: Path) -> tuple[list[str], str]:
    """The checkpoints ``path`` fails (the checker's "missing: …" lines) and its summary line."""
    if not CHECKER.exists():
        pytest.skip(f"{CHECKER} is not on this machine")
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(path)], capture_output=True, text=True, check=False
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr
    failed = [line.split(":", 1)[1].strip() for line in lines[:-1] if line.startswith("missing:")]
    return failed, lines[-1]


LINE_START = "no line starts with closing punctuation"
PAGE_NUMBER = re.compile(r"^—\s?\d+\s?—$")


def line_start_faults(path: Path) -> list[str]:
    """Every line of ``path``'s text (pdftotext, content order, as the checker reads it) that
    starts with a mark the checker counts as closing punctuation."""
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    lines = [line.strip() for line in raw.stdout.splitlines() if line.strip()]
    return [line for line in lines if line[0] in "，。、；：？！）》〕】」』”’…—%"]


def failed_pdf_checkpoints(path: Path) -> tuple[list[str], str]:
    """``failed_checkpoints`` for a PDF, less one known false positive of the checker: it counts
    the page number's leading 一字线 as a line starting with closing punctuation, though GB/T
    9704 prescribes "— N —" (LibreOffice's PDF of our DOCX fails it alike). The checkpoint is
    dropped only when every line it flags is exactly a page number; any other line fails."""
    failed, summary = failed_checkpoints(path)
    if LINE_START in failed:
        faults = line_start_faults(path)
        assert faults and all(PAGE_NUMBER.match(line) for line in faults), faults
        failed = [name for name in failed if name != LINE_START]
    return failed, summary
