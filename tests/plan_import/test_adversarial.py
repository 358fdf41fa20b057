"""Inputs that make careless regexes backtrack for ever must still parse.

No timing assertions here (speed is measured in bench/run.py); a hang guard stops a run that
would otherwise never finish, so CI fails instead of timing out.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.plan_import import parse_text

HANG_SECONDS = 60


@contextmanager
def hang_guard() -> Iterator[None]:
    if sys.platform == "win32":
        yield
        return

    def expired(_signum, _frame):
        raise TimeoutError(f"parse_text still running after {HANG_SECONDS} s: runaway regex?")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "unit",
    [
        "（",
        "(牵头单位:",
        "牵头单位：",
        "1、",
        "一、",
        "（一）",
        "每年",
        "2021年",
        "6月",
        "1.2",
        "、市财政局",
        "等",
        "\t",
        "长期",
        "。（牵头部门：市财政局）",
        "1.推进改革。（市发改委、市财政局）\n",
        "优化金融服务\n1.推进。（牵头部门：市财政局）\n",
    ],
)
def test_repetitive_input_finishes(unit: str) -> None:
    text = unit * (60_000 // len(unit))
    with hang_guard():
        plan = parse_text(text)
    assert all(w.code != "internal_error" for w in plan.warnings)


def test_many_similar_department_names() -> None:
    names = "、".join(f"市第{i}号工作专班管理局" for i in range(3000))
    text = f"一、任务\n1.推进改革。（牵头部门：{names}）\n"
    with hang_guard():
        plan = parse_text(text)
    assert len(plan.departments) == 3000
