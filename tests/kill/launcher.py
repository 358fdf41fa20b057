"""Run one ``main.py`` command and SIGKILL it at a chosen point (test-only; no production hooks).

    python tests/kill/launcher.py SPEC_JSON -- COMMAND ARGS...

SPEC_JSON is an object; every key is optional:

- ``"record": PATH`` — write what happened to PATH as JSON when the command ends normally: the
  head of every SQL statement the app ran (``"statements"``) and how often each watched
  function was called (``"calls"``). Tests read it from an uninterrupted run to place kills.
- ``"watch": ["module:Qualname", …]`` — functions whose calls are counted for ``record``.
- ``"set": {"module:NAME": value}`` — module constants to change first (e.g. a smaller chunk
  size, so that a small input still crosses the boundaries a big one would).
- ``"kill"``: where to die, one of
  - ``{"sql": PREFIX, "nth": N}``: just before the Nth statement whose head starts with PREFIX
    (``"COMMIT"``, ``"INSERT INTO measures"``); rows of an executemany count one by one;
  - ``{"sql": PREFIX, "nth": N, "after": true}``: just after it, i.e. before the next statement
    or when the database is closed, whichever comes first;
  - ``{"statement": N}``: just before the Nth statement of any kind;
  - ``{"call": "module:Qualname", "nth": N}``: on entry to the Nth call of that function;
  - ``{"call": …, "nth": N, "after": true}``: when that call returns.

Statements are seen through ``sqlite3.Connection.set_trace_callback`` on every connection the
command opens, which SQLite calls as each statement starts; functions are wrapped by replacing
the attribute before ``main`` is imported, so ``from x import f`` in lazily imported modules picks
up the wrapper too. The process dies by ``os.kill(getpid(), SIGKILL)``: no ``finally`` blocks, no
``atexit``, no flush — exactly what an external ``kill -9`` or a power cut of the process does.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: sys.path[0] is tests/kill
STATEMENT_HEAD = 60  # characters of each statement kept in the record


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Plan:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.kill: dict[str, Any] | None = spec.get("kill")
        self.statements: list[str] = []
        self.calls: dict[str, int] = {}
        self.matches = 0
        self.die_at_next_statement = False

    def on_statement(self, sql: str) -> None:
        head = " ".join(sql.split())[:STATEMENT_HEAD]
        self.statements.append(head)
        if self.die_at_next_statement:
            die()
        kill = self.kill
        if kill is None:
            return
        if "statement" in kill and len(self.statements) == kill["statement"]:
            die()
        if "sql" in kill and head.upper().startswith(kill["sql"].upper()):
            self.matches += 1
            if self.matches == kill["nth"]:
                if kill.get("after"):
                    self.die_at_next_statement = True
                else:
                    die()

    def on_close(self) -> None:
        if self.die_at_next_statement:
            die()

    def wrap(self, target: str) -> None:
        module_name, _, qualname = target.partition(":")
        owner: Any = importlib.import_module(module_name)
        *path, name = qualname.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
        kill = self.kill if self.kill and self.kill.get("call") == target else None

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            count = self.calls[target] = self.calls.get(target, 0) + 1
            if kill is not None and count == kill["nth"] and not kill.get("after"):
                die()
            result = original(*args, **kwargs)
            if kill is not None and count == kill["nth"] and kill.get("after"):
                die()
            return result

        setattr(owner, name, wrapper)


def install(plan: Plan, spec: dict[str, Any]) -> None:
    original_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = original_connect(*args, **kwargs)
        connection.set_trace_callback(plan.on_statement)
        return connection

    if plan.kill is not None or spec.get("record"):
        sqlite3.connect = connect  # type: ignore[assignment]
    for target, value in spec.get("set", {}).items():
        module_name, _, name = target.partition(":")
        setattr(importlib.import_module(module_name), name, value)
    targets = list(spec.get("watch", []))
    if plan.kill and "call" in plan.kill and plan.kill["call"] not in targets:
        targets.append(plan.kill["call"])
    for target in targets:
        plan.wrap(target)

    from app.storage.database import Storage

    close = Storage.close

    def close_then_maybe_die(self: Storage) -> None:
        plan.on_close()
        close(self)

    Storage.close = close_then_maybe_die  # type: ignore[method-assign]


def run(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(argv[0])
    command = argv[2:]
    plan = Plan(spec)
    install(plan, spec)
    import main

    code = main.main(command)
    if spec.get("record"):
        Path(spec["record"]).write_text(
            json.dumps({"statements": plan.statements, "calls": plan.calls}), encoding="utf-8"
        )
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
