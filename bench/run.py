#!/usr/bin/env python3
"""Benchmarks: each measurement is a ratio to a baseline measured in the same run.

    python3 bench/run.py [--repeat N] [--only NAME]

Machines here are shared and noisy, so absolute times mean little; each subject and its baseline
run interleaved, and the table reports medians and their ratio. No test asserts on these.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Result:
    name: str
    subject: str
    baseline: str
    subject_s: float
    baseline_s: float
    goal: float

    @property
    def ratio(self) -> float:
        return self.subject_s / self.baseline_s


@dataclass(frozen=True)
class Benchmark:
    name: str
    subject: str
    baseline: str
    goal: float
    prepare: Callable[[Path], tuple[Callable[[], float], Callable[[], float]]]
    """Returns (subject, baseline): each runs once and returns the seconds it measured."""
    unit: str = "s"  # or "bytes": subject and baseline return a size instead


def _startup_probe(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Spawn a GUI process; seconds from spawn to each stage it reports (``<stage> <epoch>``)."""
    start = time.time()
    result = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    stages = {}
    for line in result.stdout.splitlines():
        stage, _, stamp = line.partition(" ")
        stages[stage] = float(stamp) - start
    return stages


def prepare_startup(workdir: Path, stage: str) -> tuple[Callable[[], float], Callable[[], float]]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(workdir / "config"),
    }
    db = workdir / "ledger.sqlite"
    app_args = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "--report-startup"]
    bare_args = [sys.executable, str(ROOT / "bench" / "bare_window.py")]
    _startup_probe(app_args, env)  # create the database once: later starts are everyday starts
    _startup_probe(bare_args, env)
    return (
        lambda: _startup_probe(app_args, env)[stage],
        lambda: _startup_probe(bare_args, env)["shown"],
    )


def _per_call(action: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        action()
    return (time.perf_counter() - start) / calls


def prepare_parse(_workdir: Path) -> tuple[Callable[[], float], Callable[[], float]]:
    import re

    from app.paths import SAMPLE_PLAN
    from app.plan_import import parse_text

    pattern = re.compile(r"(?:牵头|责任|配合)(?:部门|单位)[:：]")

    def read_and_scan() -> None:
        for line in SAMPLE_PLAN.read_text(encoding="utf-8").split("\n"):
            pattern.search(line)

    def read_and_parse() -> None:
        parse_text(SAMPLE_PLAN.read_text(encoding="utf-8"), SAMPLE_PLAN.name)

    read_and_parse()  # warm imports and compiled regexes
    return lambda: _per_call(read_and_parse, 20), lambda: _per_call(read_and_scan, 20)


def prepare_parse_scaling(_workdir: Path) -> tuple[Callable[[], float], Callable[[], float]]:
    from app.paths import SAMPLE_PLAN
    from app.plan_import import parse_text

    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    tenfold = "\n".join([text] * 10)
    parse_text(text)
    return (
        lambda: _per_call(lambda: parse_text(tenfold), 2),
        lambda: _per_call(lambda: parse_text(text), 4) * 10,
    )


def prepare_parse_pdf(workdir: Path) -> tuple[Callable[[], float], Callable[[], float]]:
    """The sample as a published 公文 PDF (reportlab's own CJK wrapping, GB/T 9704 layout:
    tests/plan_import/published.py), read by its layout and parsed, against pdfplumber's bare
    text extraction of the same file."""
    import pdfplumber

    from app.paths import SAMPLE_PLAN
    from app.plan_import import parse_file
    from tests.plan_import.published import reportlab_pdf, sample_gongwen

    path = workdir / "published.pdf"
    reportlab_pdf(sample_gongwen(SAMPLE_PLAN.read_text(encoding="utf-8")), path)

    def bare_text() -> None:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()

    plan = parse_file(path)  # warm imports; and check it is the plan
    assert len(plan.measures) == 201, len(plan.measures)
    return lambda: _per_call(lambda: parse_file(path), 1), lambda: _per_call(bare_text, 1)


CACHE = ROOT / "bench" / ".cache"
LEDGER_MEASURES = int(os.environ.get("DUCHA_BENCH_MEASURES", "100000"))


def demo_database(measures: int = LEDGER_MEASURES, seed: int = 1) -> Path:
    """A synthetic ledger, built once (several minutes for 100k) and kept in bench/.cache."""
    from app.services.demo import DEMO_VERSION, build_demo
    from app.storage import Storage

    # The demo's version in the name: a cache built by an older demo (say, without findings)
    # is not used for benchmarks that need what the new one builds.
    path = CACHE / f"demo-v{DEMO_VERSION}-{measures}-{seed}.sqlite"
    if path.exists():
        # A cache from an older schema is migrated in place; the backup Storage.open keeps
        # before migrating is of no use for a cache and would double its size on disk.
        Storage.open(path).close()
        for backup in CACHE.glob(f"{path.stem}.v*-backup-*{path.suffix}"):
            backup.unlink()
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".sqlite.tmp")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    print(f"building a {measures}-measure demo ledger in {path} (once)…", file=sys.stderr)
    storage = Storage.open(partial)
    build_demo(storage.repository, measures=measures, seed=seed)
    storage.close()
    # Checkpointed by a connection of its own: the builder's may still hold a statement open,
    # which makes SQLite refuse the checkpoint ("database table is locked").
    storage = Storage.open(partial)
    storage.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    storage.close()
    partial.rename(path)
    return path


DEMO_BUILD_MEASURES = int(os.environ.get("DUCHA_BENCH_DEMO_MEASURES", "5000"))


def prepare_demo_build(workdir: Path) -> tuple[Callable[[], float], Callable[[], float]]:
    """``build_demo`` into a new file vs plain SQLite appending as many rows to one table.

    The baseline has no indexes and no Python per row: the floor a build could approach.
    """
    import itertools
    import sqlite3

    from app.services.demo import build_demo
    from app.storage import Storage
    from app.storage.changelog import entry_count
    from app.storage.schema import SYNCED_TABLES

    names = (workdir / f"build-{n}.sqlite" for n in itertools.count())

    def remove(path: Path) -> None:
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()

    def build() -> float:
        path = next(names)
        start = time.perf_counter()
        storage = Storage.open(path)
        build_demo(storage.repository, measures=DEMO_BUILD_MEASURES)
        storage.close()
        elapsed = time.perf_counter() - start
        remove(path)
        return elapsed

    # Once, to count the rows: one per synced row and one per logged field, as the text change
    # log of schema 1-5 wrote them (its entries: the baseline did not change with the log).
    path = next(names)
    storage = Storage.open(path)
    build_demo(storage.repository, measures=DEMO_BUILD_MEASURES)
    rows = entry_count(storage.db) + sum(storage.db[table].count for table in SYNCED_TABLES)
    storage.close()
    remove(path)
    row_id = "00000000-0000-4000-8000-000000000000"

    def raw() -> float:
        path = next(names)
        start = time.perf_counter()
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE t (id TEXT, title TEXT, text TEXT, n INTEGER)")
        with connection:
            connection.executemany(
                "INSERT INTO t VALUES (?, ?, ?, ?)",
                ((row_id, "推进企业开办流程", "按照统一部署完成", n) for n in range(rows)),
            )
        connection.close()
        elapsed = time.perf_counter() - start
        remove(path)
        return elapsed

    return build, raw


LOG_SIZE_MEASURES = int(os.environ.get("DUCHA_BENCH_LOG_SIZE_MEASURES", str(DEMO_BUILD_MEASURES)))
LOG_TABLES = ("changes", "field_clock", "history", "log_tables", "log_fields", "log_devices")


def prepare_log_size(workdir: Path) -> tuple[Callable[[], float], Callable[[], float]]:
    """A demo ledger's database file vs the same database without its change log (both
    vacuumed): what the change log costs on disk (issue 12 point 1: at most 2.5×)."""
    import shutil
    import sqlite3

    from app.services.demo import build_demo
    from app.storage import Storage

    path = workdir / "log-size.sqlite"
    storage = Storage.open(path)
    build_demo(storage.repository, measures=LOG_SIZE_MEASURES)
    storage.close()
    bare = workdir / "log-size-bare.sqlite"
    for target, drop in ((path, ()), (bare, LOG_TABLES)):
        if drop:
            shutil.copy(path, target)
        connection = sqlite3.connect(target)
        connection.execute("PRAGMA journal_mode = DELETE")
        for table in drop:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.commit()
        connection.execute("VACUUM")
        connection.close()
    return (lambda: float(path.stat().st_size)), (lambda: float(bare.stat().st_size))


SYNC_DEVICES = 10
SYNC_ENTRIES = int(os.environ.get("DUCHA_BENCH_SYNC_ENTRIES", "100000"))


def _journal_share(share: Path, devices: int, entries_per_device: int, batches: int) -> int:
    """A share holding ``devices`` laptops' journals: each inserts plans (whole rows, 7 fields)
    and retitles some; ``batches`` files per device. Returns the number of entries."""
    import uuid

    from app.storage.changelog import ChangeEntry
    from app.storage.hlc import HLCTimestamp
    from app.sync.engine import check_share
    from app.sync.journal import Batch, encode, file_name
    from app.sync.share import FolderShare

    folder = FolderShare(share)
    check_share(folder)
    total = 0
    wall = 1_700_000_000_000
    for d in range(devices):
        device = f"bench-device-{d:02d}"
        entries: list[ChangeEntry] = []
        n = 0
        while len(entries) < entries_per_device:
            n += 1
            row_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{device}/{n}"))
            hlc = HLCTimestamp(wall + n, d).encode()
            values = {
                "title": f"第{n}号方案（{device}）",
                "doc_number": f"演示发〔2021〕{n}号",
                "issuer": "演示市人民政府",
                "issued_on": "2021-06-01",
                "source_name": "bench",
                "deleted": 0,
                "kind": "plan",
            }
            entries += [ChangeEntry("plans", row_id, f, v, hlc, device) for f, v in values.items()]
            if n % 3 == 0:
                later = HLCTimestamp(wall + n, d + 50).encode()
                entries.append(ChangeEntry("plans", row_id, "title", f"改{n}", later, device, hlc))
        entries = entries[:entries_per_device]
        # Cut only between rows, so that each insert stays whole in one batch.
        size = -(-len(entries) // batches)
        start = 0
        for seq in range(1, batches + 1):
            end = min(len(entries), start + size)
            while 0 < end < len(entries) and entries[end].row_id == entries[end - 1].row_id:
                end += 1
            chunk = entries[start:end]
            start = end
            if not chunk:
                continue
            body, data = encode(Batch(device, seq, 6, 0, 0, chunk))
            name = file_name(seq, max(e.hlc for e in chunk), body)
            folder.write_new(f"journal/{device}/{name}", data)
            total += len(chunk)
    return total


def prepare_sync_import(workdir: Path) -> tuple[Callable[[], float], Callable[[], float]]:
    """Importing 10 laptops' journals (100,000 entries) into a new database vs executemany of
    as many rows into one unindexed table in one transaction (issue 12 point 9: under 4x)."""
    import itertools
    import sqlite3

    from app.storage import Storage
    from app.sync.engine import SyncReport, import_changes
    from app.sync.share import FolderShare

    share = workdir / "share"
    total = _journal_share(share, SYNC_DEVICES, SYNC_ENTRIES // SYNC_DEVICES, 5)
    names = (workdir / f"import-{n}.sqlite" for n in itertools.count())
    row = ("plans", "00000000-0000-4000-8000-000000000000", "title", "第1号方案", "x", "d", None)

    def subject() -> float:
        path = next(names)
        storage = Storage.open(path)
        start = time.perf_counter()
        report = SyncReport()
        import_changes(storage, FolderShare(share), report)
        elapsed = time.perf_counter() - start
        assert report.entries_applied == total and not report.problems, report
        storage.close()
        return elapsed

    def baseline() -> float:
        path = next(names)
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g)")
        start = time.perf_counter()
        with connection:
            connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", [row] * total)
        elapsed = time.perf_counter() - start
        connection.close()
        return elapsed

    return subject, baseline


def prepare_sync_noop(workdir: Path) -> tuple[Callable[[], float], Callable[[], float]]:
    """A sync that finds nothing new on a share of 1,000 batch files: its time beyond listing
    the folders, against the budget of 0.2 s (issue 12 point 9; ratio under 1 meets it)."""
    import os as _os

    from app.storage import Storage
    from app.sync import FolderShare, sync

    share = workdir / "share"
    _journal_share(share, SYNC_DEVICES, 3300, 112)
    files = sum(1 for _path in (share / "journal").rglob("*.jsonl.gz"))
    storage = Storage.open(workdir / "noop.sqlite")
    first = sync(storage, FolderShare(share))
    assert first.applied == files and not first.problems, first

    def listing() -> float:
        start = time.perf_counter()
        for device in _os.scandir(share / "journal"):
            list(_os.scandir(device.path))
        return time.perf_counter() - start

    def subject() -> float:
        start = time.perf_counter()
        report = sync(storage, FolderShare(share))
        elapsed = time.perf_counter() - start
        assert report.applied == 0 and report.sent == 0, report
        return max(0.0, elapsed - listing())

    return subject, lambda: 0.2


def prepare_ledger(_workdir: Path, light_filter: bool):
    """First paint of the ledger table (or after a filter) vs the raw query for the same rows."""
    from datetime import date

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.domain.ledger import Light
    from app.services.status import LedgerFilter, LedgerStatus
    from app.storage import Storage
    from ui.models.ledger_table import LedgerTableModel
    from ui.pages.ledger_page import make_table

    app = QApplication.instance() or QApplication([])
    storage = Storage.open(demo_database())
    status = LedgerStatus(storage.db)
    as_of = date(2021, 9, 30)
    chosen = LedgerFilter(lights=frozenset({Light.RED})) if light_filter else LedgerFilter()
    query = status.query(chosen, as_of=as_of)
    rows = LedgerTableModel.FIRST_BATCH

    def raw() -> float:
        start = time.perf_counter()
        fetched = storage.db.conn.execute(query.sql, query.params).fetchmany(rows)
        elapsed = time.perf_counter() - start
        assert len(fetched) == rows
        return elapsed

    model = LedgerTableModel()
    view = make_table(model)
    view.resize(1100, 700)
    view.show()
    app.processEvents()

    def paint() -> float:
        model.set_source(None)
        app.processEvents()
        start = time.perf_counter()
        model.set_source(
            lambda sort, descending: status.cursor(
                status.query(chosen, as_of=as_of, sort=sort, descending=descending)
            )
        )
        view.viewport().repaint()  # paint synchronously, now
        elapsed = time.perf_counter() - start
        assert model.rowCount() == rows
        return elapsed

    paint()
    raw()
    return paint, raw


FINDINGS = int(os.environ.get("DUCHA_BENCH_FINDINGS", "300000"))
FINDINGS_PER_RECORD = 10


def findings_database(findings: int = FINDINGS, seed: int = 1) -> Path:
    """A 2,000-measure demo ledger with ``findings`` findings (10 per inspection record, a fifth
    of the records 暗访, in plans of their own), built once into bench/.cache.

    The rows go in through ``Repository.insert_many`` (change log and all), as a sync or an
    import would write them; the current user is a named 督查员, so every row is checked by the
    暗访 rule in full."""
    import random
    from datetime import date, timedelta

    from app.domain.inspection import DEFAULT_CATEGORIES, UserRole
    from app.services.demo import build_demo
    from app.services.identity import Identity
    from app.storage import Storage

    path = CACHE / f"findings-{findings}-{seed}.sqlite"
    if path.exists():
        Storage.open(path).close()
        for backup in CACHE.glob(f"{path.stem}.v*-backup-*{path.suffix}"):
            backup.unlink()
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".sqlite.tmp")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    print(f"building a ledger with {findings:,} findings in {path} (once)…", file=sys.stderr)
    storage = Storage.open(partial)
    repo, db = storage.repository, storage.db
    build_demo(repo, measures=2000, seed=seed)
    Identity(storage).set("张三", UserRole.INSPECTOR)
    rng = random.Random(seed)
    leads = db.execute(
        "SELECT measure_id, department_id FROM assignments WHERE role = 'lead'"
    ).fetchall()
    people = ["张三", "李四", "王五", "赵六", "钱七", "孙八"]
    start = date(2021, 1, 4)
    db.disable_wal()
    with repo.transaction():
        plans = repo.insert_many(
            "inspection_plans",
            [
                {
                    "name": f"{2021 + n // 12}年{n % 12 + 1}月{'暗访' if n % 3 == 0 else '明察'}",
                    "mode": "covert" if n % 3 == 0 else "open",
                    "starts_on": (start + timedelta(days=30 * n)).isoformat(),
                    "ends_on": (start + timedelta(days=30 * n + 27)).isoformat(),
                    "inspectors": json.dumps(rng.sample(people, 2), ensure_ascii=False),
                    "created_on": start.isoformat(),
                }
                for n in range(36)
            ],
        )
        records = []
        for n in range(findings // FINDINGS_PER_RECORD):
            plan = rng.randrange(len(plans))
            measure, department = rng.choice(leads)
            records.append(
                {
                    "measure_id": measure,
                    "inspection_plan_id": plans[plan],
                    "kind": "covert" if plan % 3 == 0 else "open",
                    "checked_on": (start + timedelta(days=30 * plan + n % 28)).isoformat(),
                    "inspector": "、".join(rng.sample(people, 2)),
                    "department_id": department,
                    "summary": "窗口服务情况",
                }
            )
        record_ids = repo.insert_many("inspections", records)
        rows = []
        for record_id, record in zip(record_ids, records, strict=True):
            found = date.fromisoformat(record["checked_on"])
            for k in range(FINDINGS_PER_RECORD):
                due = found + timedelta(days=rng.choice((7, 15, 30)))
                stage = rng.choice(("pending", "rectifying", "awaiting_recheck", "closed"))
                done = due + timedelta(days=rng.randrange(-5, 10)) if stage == "closed" else None
                rows.append(
                    {
                        "inspection_id": record_id,
                        "measure_id": record["measure_id"],
                        "department_id": record["department_id"],
                        "description": f"第{k + 1}项：综合窗口未落实一次性告知，群众多次往返",
                        "category": rng.choice(DEFAULT_CATEGORIES),
                        "severity": rng.choice(("minor", "minor", "major", "serious")),
                        "found_on": found.isoformat(),
                        "rectify_by": due.isoformat(),
                        "stage": stage,
                        "rectified_on": max(done, found).isoformat() if done else None,
                    }
                )
            if len(rows) >= 50_000:
                repo.insert_many("findings", rows)
                rows = []
        repo.insert_many("findings", rows)
    db.enable_wal()
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    storage.close()
    partial.rename(path)
    return path


def prepare_findings(_workdir: Path, *, paint: bool = True, cold: bool = False):
    """First paint of the findings list vs the raw SQL for the same rows (``paint`` False:
    the model's own part only — the query, the first 100 rows and their cells — without
    Qt painting them). The view keeps the texts it laid out (dates, departments, states) from
    one query to the next, as after a filter change; ``cold``: it starts with none, as when
    the page is first opened."""
    from datetime import date

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.services.finding_list import FindingFilter, FindingList
    from app.storage import Storage
    from ui.models.inspection_tables import FindingTableModel
    from ui.widgets.inspection_tables import make_finding_table

    app = QApplication.instance() or QApplication([])
    storage = Storage.open(findings_database())
    finding_list = FindingList(storage.db)
    as_of = date(2023, 12, 31)
    query = finding_list.query(FindingFilter(), as_of=as_of)
    rows = FindingTableModel.FIRST_BATCH

    def raw() -> float:
        start = time.perf_counter()
        fetched = storage.db.conn.execute(query.sql, query.params).fetchmany(rows)
        elapsed = time.perf_counter() - start
        assert len(fetched) == rows
        return elapsed

    model = FindingTableModel()
    view = make_finding_table(model)
    view.resize(800, 560)  # the list beside the detail pane at 1366×768
    view.show()
    app.processEvents()

    def first_paint() -> float:
        model.set_source(None)
        app.processEvents()
        if cold:
            view.forget_texts()
        start = time.perf_counter()
        model.set_source(
            lambda sort, descending: finding_list.cursor(
                finding_list.query(FindingFilter(), as_of=as_of, sort=sort, descending=descending)
            )
        )
        if paint:
            view.viewport().repaint()  # paint synchronously, now
        elapsed = time.perf_counter() - start
        assert model.rowCount() == rows
        return elapsed

    first_paint()
    raw()
    return first_paint, raw


def prepare_findings_repaint(_workdir: Path):
    """Repainting the findings table: this model vs Qt's own QStandardItemModel holding the
    same cells (the floor: C++ all the way). What the first paint costs beyond the SQL."""
    from datetime import date

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication

    from app.services.finding_list import FindingFilter, FindingList
    from app.storage import Storage
    from ui.models.inspection_tables import FindingTableModel
    from ui.widgets.inspection_tables import make_finding_table

    app = QApplication.instance() or QApplication([])
    storage = Storage.open(findings_database())
    finding_list = FindingList(storage.db)
    as_of = date(2023, 12, 31)
    model = FindingTableModel()
    model.set_source(
        lambda sort, descending: finding_list.cursor(
            finding_list.query(FindingFilter(), as_of=as_of, sort=sort, descending=descending)
        )
    )
    plain = QStandardItemModel(model.rowCount(), model.columnCount())
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            item = QStandardItem(model.cell(row, column))
            for role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
                value = model.index(row, column).data(role)
                if value is not None:
                    item.setData(value, role)
            plain.setItem(row, column, item)
    views = []
    for shown in (model, plain):
        view = make_finding_table(model)
        view.setModel(shown)
        view.resize(800, 560)
        view.show()
        views.append(view)
    app.processEvents()

    def repaint(view) -> float:
        start = time.perf_counter()
        view.viewport().repaint()
        return time.perf_counter() - start

    return (lambda: repaint(views[0])), (lambda: repaint(views[1]))


GONGWEN_ROWS = 300  # the problem table of a 30-page 明察暗访情况通报 (32 pages with the body)
SOFFICE_FONTS = {  # the Windows names a 公文 uses → the Debian faces dev.py installs
    "仿宋_GB2312": "AR PL SungtiL GB",
    "宋体": "AR PL SungtiL GB",
    "方正小标宋简体": "AR PL SungtiL GB",
    "楷体_GB2312": "AR PL KaitiM GB",
    "黑体": "WenQuanYi Micro Hei",
}


class SkipBenchmark(Exception):
    """The benchmark cannot run here (the message says what to install)."""


def _soffice_converter(workdir: Path) -> Callable[[Path], float]:
    """LibreOffice headless converting a .docx to PDF, as an office would, timed from spawn to
    exit; a private profile (made once, before timing) and the fonts mapped as in the tests."""
    import shutil

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise SkipBenchmark(
            "LibreOffice is not installed: apt-get install -y libreoffice-writer-nogui"
        )
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{face}</string></edit>'
        "</match>"
        for name, face in SOFFICE_FONTS.items()
    )
    fonts_conf = workdir / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{rules}</fontconfig>',
        encoding="utf-8",
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_conf))
    profile = (workdir / "lo-profile").absolute().as_uri()

    def convert(docx: Path) -> float:
        out = workdir / "lo-out"
        start = time.perf_counter()
        subprocess.run(
            [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out), str(docx)],
            check=True, capture_output=True, env=env, timeout=600,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        (out / (docx.stem + ".pdf")).unlink()
        return seconds

    return convert


def prepare_gongwen(workdir: Path, subject: str) -> tuple[Callable[[], float], Callable[[], float]]:
    import io

    from app.documents.sample import sample_bulletin
    from reports.gongwen_docx import render_docx
    from reports.gongwen_pdf import render_pdf

    document = sample_bulletin(problem_count=GONGWEN_ROWS)
    docx = workdir / "通报.docx"
    render_docx(document, docx)
    convert = _soffice_converter(workdir)
    convert(docx)  # LibreOffice makes its profile on the first run: not timed
    render = render_pdf if subject == "pdf" else render_docx
    render(document, io.BytesIO())  # fonts found and registered once per process, as in the app

    def ours() -> float:
        start = time.perf_counter()
        render(document, io.BytesIO())
        return time.perf_counter() - start

    return ours, lambda: convert(docx)


BENCHMARKS = [
    Benchmark(
        "startup",
        "main.py → main window shown (offscreen)",
        "bare PySide6 QMainWindow script → shown",
        2.0,
        lambda workdir: prepare_startup(workdir, "shown"),
    ),
    Benchmark(
        "ready",
        "main.py → database open, ledger page built (offscreen)",
        "bare PySide6 QMainWindow script → shown",
        3.0,
        lambda workdir: prepare_startup(workdir, "ready"),
    ),
    Benchmark(
        "ledger_paint",
        f"ledger table first paint, {LEDGER_MEASURES:,} measures",
        "the raw SQL query for the same first screenful of rows",
        3.0,
        lambda workdir: prepare_ledger(workdir, light_filter=False),
    ),
    Benchmark(
        "ledger_filter",
        "ledger table repainted after filtering to red lights",
        "the raw SQL query for the same filtered rows",
        2.0,
        lambda workdir: prepare_ledger(workdir, light_filter=True),
    ),
    Benchmark(
        "findings_paint",
        f"findings list first paint, {FINDINGS:,} findings",
        "the raw SQL query for the same first screenful of rows",
        3.0,
        prepare_findings,
    ),
    Benchmark(
        "findings_cold",
        f"findings list first paint, {FINDINGS:,} findings, no text laid out before",
        "the raw SQL query for the same first screenful of rows",
        3.0,
        lambda workdir: prepare_findings(workdir, cold=True),
    ),
    Benchmark(
        "findings_draw",
        "findings table repaint, this model",
        "the same cells in Qt's QStandardItemModel (no Python per cell)",
        1.5,
        prepare_findings_repaint,
    ),
    Benchmark(
        "findings_model",
        "findings list model: query, first 100 rows and their cells, not painted",
        "the raw SQL query for the same first screenful of rows",
        1.5,
        lambda workdir: prepare_findings(workdir, paint=False),
    ),
    Benchmark(
        "demo_build",
        f"build_demo: a {DEMO_BUILD_MEASURES:,}-measure ledger into a new file",
        "plain SQLite: as many rows (change log included) appended to one unindexed table",
        7.0,  # one transaction measured 4.1-5.4x, the chunked build before it 6.0-6.6x
        prepare_demo_build,
    ),
    Benchmark(
        "gongwen_pdf",
        f"render_pdf: a 32-page 明察暗访情况通报 with a {GONGWEN_ROWS}-row problem table",
        "LibreOffice headless converting our DOCX of it to PDF (what an office would do)",
        0.2,  # at least 5× faster
        lambda workdir: prepare_gongwen(workdir, "pdf"),
    ),
    Benchmark(
        "gongwen_docx",
        f"render_docx: the same bulletin as Word ({GONGWEN_ROWS}-row table)",
        "LibreOffice headless converting that DOCX to PDF",
        0.2,
        lambda workdir: prepare_gongwen(workdir, "docx"),
    ),
    Benchmark(
        "log_size",
        f"database file of a {LOG_SIZE_MEASURES:,}-measure demo ledger",
        "the same database without its change log (both vacuumed)",
        2.5,  # issue 12 point 1; the text change log of schema 1-5 made it 9.7x at 20,000
        prepare_log_size,
        unit="bytes",
    ),
    Benchmark(
        "sync_import",
        f"sync: import {SYNC_ENTRIES:,} entries from {SYNC_DEVICES} laptops' journals, new db",
        "executemany of as many rows into one unindexed table, one transaction",
        4.0,  # issue 12 point 9
        prepare_sync_import,
    ),
    Benchmark(
        "sync_noop",
        "sync finding nothing new on a share of about 1,000 batch files, beyond listing them",
        "the budget: 0.2 s",
        1.0,  # issue 12 point 9
        prepare_sync_noop,
    ),
    Benchmark(
        "parse",
        "read + parse the sample plan (201 measures)",
        "read the file + one regex pass over its lines",
        20.0,
        prepare_parse,
    ),
    Benchmark(
        "parse_pdf",
        "read (by its layout) + parse the sample as a published 公文 PDF",
        "pdfplumber's bare text extraction of the same PDF",
        3.0,
        prepare_parse_pdf,
    ),
    Benchmark(
        "parse_10x",
        "parse the sample repeated 10 times",
        "10 × parsing the sample once (1.0 = linear)",
        1.5,
        prepare_parse_scaling,
    ),
]


def measure(benchmark: Benchmark, repeat: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="ducha-bench-") as tmp:
        subject, baseline = benchmark.prepare(Path(tmp))
        subject_times, baseline_times = [], []
        for _ in range(repeat):  # interleaved, so load spikes hit both sides alike
            baseline_times.append(baseline())
            subject_times.append(subject())
    return Result(
        benchmark.name,
        benchmark.subject,
        benchmark.baseline,
        statistics.median(subject_times),
        statistics.median(baseline_times),
        benchmark.goal,
    )


def _amount(value: float, unit: str) -> str:
    return f"{value / 1_000_000:.1f} MB" if unit == "bytes" else _seconds(value)


def _seconds(value: float) -> str:
    if value >= 0.01:
        return f"{value * 1000:.0f} ms"
    if value >= 0.001:
        return f"{value * 1000:.2f} ms"
    return f"{value * 1_000_000:.0f} µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", help="run one benchmark by name")
    parser.add_argument("--no-header", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHMARKS if args.only in (None, b.name)]
    if not chosen:
        parser.error(f"unknown benchmark {args.only!r}; known: {[b.name for b in BENCHMARKS]}")
    if not args.no_header:
        header = (
            f"{'name':<13} {'subject (median)':>17} {'baseline (median)':>18} {'ratio':>7}"
            f" {'goal':>6}"
        )
        print(header)
        print("-" * len(header), flush=True)
    if args.only is None:
        # Each benchmark in a process of its own: one's leftovers (a Qt app, a 1 GB
        # database, garbage-collector load) must not slow the next.
        for benchmark in chosen:
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--only",
                    benchmark.name,
                    "--repeat",
                    str(args.repeat),
                    "--no-header",
                ],
                check=True,
            )
        return 0
    for benchmark in chosen:
        try:
            result = measure(benchmark, 1 if benchmark.unit == "bytes" else args.repeat)
        except SkipBenchmark as reason:
            print(f"{benchmark.name:<13} skipped: {reason}", flush=True)
            continue
        verdict = "ok" if result.ratio < result.goal else "OVER"
        print(
            f"{result.name:<13} {_amount(result.subject_s, benchmark.unit):>17}"
            f" {_amount(result.baseline_s, benchmark.unit):>18}"
            f" {result.ratio:>6.2f}× <{result.goal:g}× {verdict}"
        )
        print(f"              subject: {result.subject}; baseline: {result.baseline}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
