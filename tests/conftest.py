"""Test setup: headless Qt, and no test ever touches the real user's settings or database."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SANDBOX = Path(tempfile.mkdtemp(prefix="ducha-tests-"))
os.environ["XDG_CONFIG_HOME"] = str(_SANDBOX / "config")
os.environ["XDG_DATA_HOME"] = str(_SANDBOX / "data")

from app.storage import Storage  # noqa: E402
from ui.mime_types import register_file_types  # noqa: E402

register_file_types()  # as create_application does, before Qt's MIME database is used


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def storage(db_path: Path):
    opened = Storage.open(db_path)
    yield opened
    opened.close()


def add_sample_plan(storage: Storage, *, areas: int = 2, measures_per_area: int = 3) -> str:
    """A small plan written through the repository, as an importer would."""
    repo = storage.repository
    with repo.transaction():
        plan_id = repo.insert(
            "plans",
            {
                "title": "滕州市深入优化营商环境创新突破行动落实方案",
                "doc_number": "滕政发〔2021〕9号",
            },
        )
        position = 0
        for area_no in range(1, areas + 1):
            area_id = repo.insert(
                "areas",
                {"plan_id": plan_id, "no": area_no, "title": f"领域{area_no}", "position": area_no},
            )
            for measure_no in range(1, measures_per_area + 1):
                position += 1
                repo.insert(
                    "measures",
                    {
                        "plan_id": plan_id,
                        "area_id": area_id,
                        "no": measure_no,
                        "title": f"措施{area_no}-{measure_no}",
                        "text": f"措施{area_no}-{measure_no}。6月底前完成。",
                        "position": position,
                    },
                )
    return plan_id
