"""The shared GB/T 9704 checker (../shared/tools/check_gongwen.py) run on a generated file."""

from __future__ import annotations

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
    failed = [line.split(":", 1)[1].strip() for line in lines[:-1] if ":" in line]
    return failed, lines[-1]
