"""Fixtures for the 调度 tests: a database with the sample plan and a round, copied per test."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.paths import SAMPLE_PLAN
from app.plan_import import parse_text
from app.services.plan_store import PlanStore
from app.services.progress import (
    ProgressService,
)
from app.storage import Storage
from tests.services.progress.support import DUE, EXPORTED, ROUND


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plan and one round, imported once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "ledger.sqlite"
    opened = Storage.open(path)
    plan = PlanStore(opened.repository).import_plan(
        parse_text(SAMPLE_PLAN.read_text("utf-8"), SAMPLE_PLAN.name)
    )
    ProgressService(opened.repository).create_round(ROUND, plan.plan_id, DUE, EXPORTED)
    copy = path.with_name("copy.sqlite")
    with closing(sqlite3.connect(copy)) as target:  # a WAL database is more than its file
        opened.db.conn.backup(target)
    opened.close()
    return copy


@pytest.fixture
def storage(template: Path, db_path: Path):
    """Overrides conftest's ``storage``: the same kind of database, with the sample in it."""
    shutil.copyfile(template, db_path)
    opened = Storage.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def service(storage: Storage) -> ProgressService:
    return ProgressService(storage.repository)


@pytest.fixture
def round_id(service: ProgressService) -> str:
    found = service.find_round(ROUND)
    assert found is not None
    return found.id
