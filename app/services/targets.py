"""Recording a target's actual value by hand (e.g. found during an inspection)."""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

from app.storage import WriteError

if TYPE_CHECKING:
    from app.storage import Repository

DEFAULT_SOURCE = "督查室录入"


class TargetActuals:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository

    def record(
        self, target_id: str, value: float, measured_on: date, source: str = DEFAULT_SOURCE
    ) -> str:
        """Add a dated actual value; earlier values stay as history."""
        target = self.repo.get("targets", target_id)
        if target is None or target["deleted"]:
            raise WriteError("该目标不存在或已删除。")
        if not math.isfinite(value):
            raise WriteError("实际值必须是数字。")
        return self.repo.insert(
            "target_actuals",
            {
                "target_id": target_id,
                "value": float(value),
                "measured_on": measured_on.isoformat(),
                "source": source.strip() or DEFAULT_SOURCE,
            },
        )
