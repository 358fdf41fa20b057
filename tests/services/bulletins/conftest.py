"""Fixtures of the bulletin tests: the fixture ledger (ledger.py), built once, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.domain.inspection import UserRole
from app.services.bulletins import BulletinDrafting, Bulletins
from app.services.identity import Identity
from app.storage import Storage
from tests.services.bulletins.ledger import INSPECTOR, build


@pytest.fixture(scope="session")
def ledger_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bulletin-ledger")
    path = folder / "ledger.sqlite"
    build(path, folder)
    return path


@pytest.fixture
def ledger_path(ledger_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ledger.sqlite"
    shutil.copyfile(ledger_template, target)
    return target


@pytest.fixture
def storage(ledger_path: Path):
    """Overrides conftest's ``storage``: the fixture ledger, 张三 (督查员) at the keyboard."""
    opened = Storage.open(ledger_path)
    yield opened
    opened.close()


@pytest.fixture
def drafting(storage: Storage) -> BulletinDrafting:
    return BulletinDrafting(storage.repository)


@pytest.fixture
def bulletins(storage: Storage) -> Bulletins:
    return Bulletins.for_storage(storage)


def become(storage: Storage, name: str, role: UserRole) -> None:
    Identity(storage).set(name, role)


def supervisor(storage: Storage) -> None:
    become(storage, "王科长", UserRole.SUPERVISOR)


def inspector(storage: Storage) -> None:
    become(storage, INSPECTOR, UserRole.INSPECTOR)


def ready_for_issue(
    drafting: BulletinDrafting, bulletins: Bulletins, request, *, today=None
) -> str:
    """A stored draft of ``request`` sent for review; returns its id."""
    from tests.services.bulletins.ledger import TODAY

    bulletin_id = bulletins.create(drafting.draft(request), today=today or TODAY)
    bulletins.submit(bulletin_id, today=today or TODAY)
    return bulletin_id
