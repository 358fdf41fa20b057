"""Running a command, killing it, and judging what it left behind.

A row of the matrix (``Row``) says how to build the database *before* the command and how to
run the command. The harness runs it once uninterrupted through the launcher, which records
every SQL statement and the calls of watched functions; kill points are placed from that
record (``POINTS``), so they follow the code when it changes. After each kill:

1. ``main.py export`` works (the first thing to open the database after the kill), and
   ``PRAGMA integrity_check`` / ``foreign_key_check`` are clean;
2. the exported tables equal either the before-state exactly or the
   after-state of the uninterrupted run (ids differ between runs, so that comparison is
   made with every UUID replaced by a placeholder; the export holds no timestamps);
3. every file under a name the uninterrupted run wrote is complete and the same as that run's
   (a temporary file under another name may be left: a kill leaves no one to clean up);
4. running the command again normally succeeds, and from the before-state it gives the
   after-state.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import main
from app.storage import Storage
from app.storage.export import export_database

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("launcher.py")
DB_NAME = "ledger.sqlite"
RUN_TIMEOUT = 120  # seconds; a hung command fails the row instead of the whole suite
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")

BEFORE, AFTER, PARTIAL = "before", "after", "PARTIAL"
MISSED = "not killed"


class NotAllOrNothing(AssertionError):
    """A kill left a partial import, a broken database or a half-written file behind, or the
    command failed when run again."""


class KillPointMissed(AssertionError):
    """A kill point was never reached: the code changed under the row, which needs adapting."""


@dataclass(frozen=True)
class Kill:
    """One way to die: a launcher kill spec, or an external SIGKILL after ``delay`` seconds."""

    name: str
    spec: dict[str, Any] | None = None
    delay: float | None = None
    expect: str | None = None  # BEFORE or AFTER when only one of them is right


@dataclass(frozen=True)
class Record:
    """What an uninterrupted run did, and how long it takes without the recording."""

    statements: list[str]
    calls: dict[str, int]
    seconds: float

    def indices(self, *prefixes: str) -> list[int]:
        """1-based numbers of the statements starting with any of ``prefixes``."""
        wanted = tuple(prefix.upper() for prefix in prefixes)
        return [n for n, sql in enumerate(self.statements, 1) if sql.upper().startswith(wanted)]


@dataclass(frozen=True)
class Row:
    """One command of the matrix.

    ``prepare(folder)`` builds the before-state in an empty folder: ``folder / DB_NAME`` (or
    no database at all) and any input files. ``args(folder)`` is the command line after
    ``main.py``. ``outputs`` names the sub-folder the command writes files into and
    ``read_output`` turns one such file into comparable data (raising if it is not a whole
    file). ``rerun`` is the command line for running it again after a kill (default: the
    same). ``watch`` names functions whose calls the record counts (for the row's own kill
    points); ``settings`` sets module constants in every run ("module:NAME" → value).
    ``generic`` picks the kill points of ``POINTS`` (and "random") it gets; ``points``
    adds kill points of its own.
    """

    name: str
    prepare: Callable[[Path], None]
    args: Callable[[Path], list[str]]
    outputs: str | None = None
    read_output: Callable[[Path], Any] | None = None
    rerun: Callable[[Path], list[str]] | None = None
    watch: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    generic: tuple[str, ...] = ("first-write", "middle-write", "each-commit", "random")
    points: dict[str, Callable[[Record], list[Kill]]] = field(default_factory=dict)
    random_kills: int = 2


@dataclass(frozen=True)
class State:
    tables: dict[str, dict[str, dict[str, Any]]]
    change_count: int

    def normalized(self) -> dict[str, Any]:
        """Order-free and id-free: what two runs of the same command on the same input share."""
        return {
            "change_count": self.change_count,
            "tables": {
                table: sorted(
                    json.dumps(_without_ids(row), sort_keys=True, ensure_ascii=False)
                    for row in rows.values()
                )
                for table, rows in self.tables.items()
            },
        }

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.tables.items() if rows}


@functools.cache
def new_ledger_state() -> State:
    """What a brand-new database holds: no plans, only the lists every ledger is seeded with."""
    with tempfile.TemporaryDirectory() as tmp:
        storage = Storage.open(Path(tmp) / DB_NAME, create=True)
        try:
            dump = export_database(storage)
        finally:
            storage.close()
    return State(dump["tables"], dump["change_count"])


def _without_ids(value: Any) -> Any:
    if isinstance(value, str):
        return UUID.sub("<id>", value)
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_ids(item) for item in value]
    return value


# ---- Running ---------------------------------------------------------------------------------


def launch(
    row: Row, folder: Path, spec: dict[str, Any], *, delay: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the row's command through the launcher; SIGKILL it from outside after ``delay``."""
    command = [
        sys.executable,
        str(LAUNCHER),
        json.dumps({"set": row.settings, "watch": list(row.watch), **spec}),
        "--",
        *row.args(folder),
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    if delay is not None:
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
    try:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"{row.name}: the command hung for {RUN_TIMEOUT} s") from None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def run_main(args: list[str], settings: dict[str, Any] | None = None) -> tuple[int, str, str]:
    """``main.main`` in this process, as a user's next command would run; (code, out, err).

    ``settings`` are the row's module constants, set for the run as the launcher sets them.
    """
    out, err = io.StringIO(), io.StringIO()
    saved = []
    try:
        for target, value in (settings or {}).items():
            module_name, _, name = target.partition(":")
            module = importlib.import_module(module_name)
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, value)
        with redirect_stdout(out), redirect_stderr(err):
            code = main.main(args)
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)
    return code, out.getvalue(), err.getvalue()


def state_of(folder: Path) -> State:
    """Read the database after a kill through ``main.py export``, then check its integrity.

    Export goes first because it is what a user's next command meets: a hot journal to roll
    back or a WAL to recover (a read-only open, for one, cannot roll a hot journal back).
    """
    db = folder / DB_NAME
    if not db.exists():
        return new_ledger_state()  # nothing written yet is the same as a fresh ledger
    code, out, err = run_main(["export", "--db", str(db)])
    with closing(sqlite3.connect(db)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    assert code == 0, f"export after the kill failed (integrity_check: {integrity}): {err}"
    assert integrity == [("ok",)], f"integrity_check: {integrity}"
    assert foreign == [], f"foreign_key_check: {foreign}"
    dump = json.loads(out)
    return State(dump["tables"], dump["change_count"])


def outcome(state: State, before: State, after: State) -> str:
    if state == before:
        return BEFORE
    if state.normalized() == after.normalized():
        return AFTER
    return PARTIAL


def outputs_of(row: Row, folder: Path) -> dict[str, Path]:
    if row.outputs is None or not (folder / row.outputs).is_dir():
        return {}
    return {path.name: path for path in sorted((folder / row.outputs).iterdir())}


# ---- The reference run -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A row made ready: its before-state folder and what an uninterrupted run does to it."""

    row: Row
    template: Path
    before: State
    after: State
    record: Record
    files: dict[str, Any]  # name → read_output of each file the uninterrupted run wrote


def prepare_case(row: Row, workspace: Path) -> Case:
    template = workspace / "before"
    template.mkdir(parents=True)
    row.prepare(template)
    before = state_of(_copy(template, workspace / "before-read"))
    reference = _copy(template, workspace / "reference")
    record_path = workspace / "record.json"
    done = launch(row, reference, {"record": str(record_path)})
    assert done.returncode == 0, f"{row.name}: the uninterrupted run failed:\n{done.stderr}"
    recorded = json.loads(record_path.read_text(encoding="utf-8"))
    after = state_of(reference)
    wrote = bool(row.outputs and outputs_of(row, reference))
    assert after != before or wrote, (
        f"{row.name}: the command changed nothing; the row tests nothing"
    )
    # Random kills hit a run without the recording's tracing: time one such run.
    plain = _copy(template, workspace / "plain")
    start = time.perf_counter()
    done = launch(row, plain, {})
    seconds = time.perf_counter() - start
    assert done.returncode == 0, f"{row.name}: the uninterrupted run failed:\n{done.stderr}"
    assert state_of(plain).normalized() == after.normalized(), f"{row.name}: runs differ"
    files = {}
    for name, path in outputs_of(row, reference).items():
        assert row.read_output is not None
        files[name] = row.read_output(path)
    return Case(
        row,
        template,
        before,
        after,
        Record(recorded["statements"], recorded["calls"], seconds),
        files,
    )


def _copy(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder)
    return folder


# ---- Kill points every row gets ------------------------------------------------------------------


def first_write(record: Record) -> list[Kill]:
    writes = record.indices(*WRITE_VERBS)
    return [
        Kill(
            f"before statement {writes[0]} (the first write)",
            {"kill": {"statement": writes[0]}},
            expect=BEFORE,
        )
    ]


def middle_write(record: Record) -> list[Kill]:
    writes = record.indices(*WRITE_VERBS)
    middle = writes[len(writes) // 2]
    return [
        Kill(
            f"before statement {middle} (the middle write of {len(writes)})",
            {"kill": {"statement": middle}},
        )
    ]


def each_commit(record: Record, cap: int = 1) -> list[Kill]:
    """Just before and just after the first and the last ``cap`` COMMITs."""
    commits = record.indices("COMMIT")
    count = len(commits)
    chosen = sorted(
        set(range(1, min(cap, count) + 1)) | set(range(max(1, count - cap + 1), count + 1))
    )
    kills = []
    for nth in chosen:
        last = nth == count
        kills.append(
            Kill(f"just before COMMIT {nth} of {count}", {"kill": {"sql": "COMMIT", "nth": nth}})
        )
        kills.append(
            Kill(
                f"just after COMMIT {nth} of {count}",
                {"kill": {"sql": "COMMIT", "nth": nth, "after": True}},
                expect=AFTER if last else None,
            )
        )
    return kills


def random_kills(row: Row, record: Record, seed: int) -> list[Kill]:
    """External SIGKILLs at seeded random moments of an uninterrupted run's duration."""
    rng = random.Random(f"{row.name}/{seed}")
    return [
        Kill(f"external kill -9 after {delay:.3f} s (seed {seed})", delay=delay)
        for delay in sorted(
            rng.uniform(0.15, 1.0) * record.seconds for _ in range(row.random_kills)
        )
    ]


POINTS: dict[str, Callable[[Record], list[Kill]]] = {
    "first-write": first_write,
    "middle-write": middle_write,
    "each-commit": each_commit,
}


# ---- Judging one kill --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    kill: Kill
    outcome: str
    problems: list[str]

    def line(self, row: Row) -> str:
        mark = "ok" if not self.problems else "FAIL: " + " / ".join(self.problems)
        return f"{row.name} × {self.kill.name} → {self.outcome} ({mark})"


def try_kills(case: Case, kills: list[Kill], workspace: Path) -> list[Verdict]:
    """Each kill in a copy of the before-state. The next command runs while this process
    judges the last one: two processes at a time, no more (the machines are shared)."""
    folders = [workspace / f"kill-{n}" for n in range(len(kills))]
    with ThreadPoolExecutor(max_workers=1) as pool:
        runs = [
            pool.submit(_kill_run, case, kill, folder)
            for kill, folder in zip(kills, folders, strict=True)
        ]
        return [
            _judge(case, kill, folder, run.result())
            for kill, folder, run in zip(kills, folders, runs, strict=True)
        ]


def _kill_run(case: Case, kill: Kill, folder: Path) -> subprocess.CompletedProcess[str]:
    _copy(case.template, folder)
    return launch(case.row, folder, kill.spec or {}, delay=kill.delay)


def _judge(case: Case, kill: Kill, folder: Path, done: subprocess.CompletedProcess[str]) -> Verdict:
    row = case.row
    if kill.delay is None and done.returncode != -signal.SIGKILL:
        return Verdict(
            kill,
            MISSED,
            [
                f"the kill point was never reached (exit {done.returncode}): the code changed, "
                f"adapt the row {row.name!r}. {done.stderr[-300:]}"
            ],
        )
    if done.returncode not in (0, -signal.SIGKILL):
        return Verdict(kill, "error", [f"exit {done.returncode}: {done.stderr[-500:]}"])
    try:
        state = state_of(folder)
    except AssertionError as problem:
        return Verdict(kill, "UNREADABLE", [str(problem)])
    result = outcome(state, case.before, case.after)
    problems = []
    if result == PARTIAL:
        problems.append(_partial(state, case))
    elif kill.expect is not None and result != kill.expect:
        problems.append(f"expected the {kill.expect}-state")
    problems += _check_outputs(case, folder)
    code, _out, err = run_main((row.rerun or row.args)(folder), row.settings)
    if code != 0:
        problems.append(f"running it again failed (exit {code}): {err[-300:]}")
    elif result != AFTER and state_of(folder).normalized() != case.after.normalized():
        problems.append("running it again did not give the after-state")
    return Verdict(kill, result, problems)


def _partial(state: State, case: Case) -> str:
    before, after, now = case.before.counts(), case.after.counts(), state.counts()
    tables = sorted(set(before) | set(after) | set(now))
    rows = ", ".join(
        f"{table} {before.get(table, 0)}/{after.get(table, 0)}/{now.get(table, 0)}"
        for table in tables
        if now.get(table, 0) != after.get(table, 0) or now.get(table, 0) != before.get(table, 0)
    )
    return (
        "partly applied (rows before/after/now: "
        f"{rows}; change log {case.before.change_count}/{case.after.change_count}/"
        f"{state.change_count})"
    )


def _check_outputs(case: Case, folder: Path) -> list[str]:
    problems = []
    for name, path in outputs_of(case.row, folder).items():
        if name not in case.files:
            continue  # a temporary name: not mistaken for a finished file
        assert case.row.read_output is not None
        try:
            content = case.row.read_output(path)
        except Exception as problem:  # whatever a torn file makes the reader raise
            problems.append(f"{name} is left half-written under its final name ({problem})")
            continue
        if content != case.files[name]:
            problems.append(f"{name} differs from what the uninterrupted run wrote")
    return problems


def check(row: Row, verdicts: list[Verdict]) -> None:
    """Print the row's lines of the matrix; raise if any kill went wrong."""
    for verdict in verdicts:
        print(verdict.line(row))
    missed = [verdict.line(row) for verdict in verdicts if verdict.outcome == MISSED]
    if missed:
        raise KillPointMissed("\n".join(missed))
    failed = [verdict.line(row) for verdict in verdicts if verdict.problems]
    if failed:
        raise NotAllOrNothing("\n".join(failed))
