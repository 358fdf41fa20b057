"""The sample plan (滕政发〔2021〕9号): bundled in resources/, else in shared/ beside the repo."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NAME = "tengzhou-2021-9.txt"
_CANDIDATES = [
    ROOT / "resources" / "plans" / _NAME,
    ROOT.parent / "shared" / "samples" / "plans" / _NAME,
]
SAMPLE = next((path for path in _CANDIDATES if path.exists()), _CANDIDATES[0])
