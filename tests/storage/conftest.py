"""Fixtures for the storage tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.storage_conditions import InProcessReadOnly, in_process_read_only


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[InProcessReadOnly]:
    """Makes paths really read-only for this process (also as root); undone afterwards."""
    with in_process_read_only(tmp_path) as guard:
        yield guard
