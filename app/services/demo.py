"""A deterministic synthetic ledger, for benchmarks and for trying the app on a big database.

Measures with their departments, milestones and targets, and the 明察暗访 that go with them
(inspection plans, records, checklist answers, findings in every stage of the 整改 workflow:
app/services/demo_inspections.py), all in one transaction.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from app.services.calendar import HolidayTable
from app.services.demo_inspections import DemoInspections

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.storage import Repository

# Bump when the demo builds different content (benchmarks cache built demos by this version).
DEMO_VERSION = 2

DEMO_TITLE = "演示实施方案"
MEASURES_PER_AREA = 50
BASE = date(2021, 6, 18)
DEPARTMENT_NAMES = [
    "市发展和改革局",
    "市教育和体育局",
    "市工业和信息化局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市城乡水务局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康局",
    "市应急管理局",
    "市审计局",
    "市市场监督管理局",
    "市统计局",
    "市医疗保障局",
    "市行政审批服务局",
    "市大数据中心",
    "市税务局",
    "市生态环境局",
    "市综合行政执法局",
]
VERBS = ["推进", "完善", "优化", "落实", "深化", "建立", "提升", "规范", "拓展", "加快"]
OBJECTS = [
    "企业开办流程",
    "工程建设项目审批",
    "不动产登记",
    "纳税服务",
    "跨境贸易便利化",
    "政务服务事项",
    "信用监管机制",
    "知识产权保护",
    "公共资源交易",
    "中小投资者保护",
    "用电报装服务",
    "融资服务",
]


CHUNK = 5_000  # measures generated and inserted at a time: bounds the rows held in memory


def build_demo(
    repository: Repository, *, measures: int, seed: int = 1, findings: int | None = None
) -> str:
    """One plan with ``measures`` measures; the same seed always gives the same ledger content.

    About 3 findings per 10 measures come with it (``findings``: about that many instead), on
    records of monthly 明察 and 暗访 plans (app/services/demo_inspections.py).

    All of it is one transaction, so a kill or an error part-way leaves the database as it was,
    never a plan with areas and no measures. A database file in WAL mode is switched to a
    rollback journal for that transaction (``_rollback_journal``), so that 100,000 measures do
    not need a gigabyte of WAL beside the database. The content does not depend on ``CHUNK``:
    each measure draws all its random numbers in one go.
    """
    rng = random.Random(seed)
    repo = repository
    with _rollback_journal(repo.db), repo.transaction():
        plan_id = repo.insert(
            "plans",
            {
                "title": DEMO_TITLE,
                "doc_number": f"演示发〔2021〕{seed}号",
                "issuer": "演示市人民政府",
                "issued_on": BASE.isoformat(),
                "source_name": f"demo-{measures}-{seed}",
            },
        )
        department_ids = repo.insert_many(
            "departments", [{"name": name, "is_group": 0} for name in DEPARTMENT_NAMES]
        )
        area_count = max(1, -(-measures // MEASURES_PER_AREA))
        area_ids = repo.insert_many(
            "areas",
            [
                {
                    "plan_id": plan_id,
                    "no": no,
                    "title": f"领域{no}：{rng.choice(OBJECTS)}",
                    "position": no,
                }
                for no in range(1, area_count + 1)
            ],
        )
        inspections = DemoInspections(
            repo,
            HolidayTable(repo).calendar(),
            seed=seed,
            measures=measures,
            findings=findings,
        )
        inspections.insert_plans()
        for first in range(0, measures, CHUNK):
            drawn = []
            for index in range(first, min(measures, first + CHUNK)):
                measure = _draw_measure(rng, plan_id, area_ids, department_ids, index)
                record = inspections.draw(
                    measure.row["title"], measure.assignments, measure.milestones, measure.targets
                )
                drawn.append((measure, record))
            stored = _add_measures(repo, [measure for measure, _record in drawn])
            inspections.insert(
                [
                    (measure_id, children, record)
                    for (measure_id, children), (_measure, record) in zip(
                        stored, drawn, strict=True
                    )
                    if record is not None
                ]
            )
        inspections.insert_scope_and_feedback()
    return plan_id


@contextmanager
def _rollback_journal(db: Database) -> Iterator[None]:
    """Run one very large transaction with a rollback journal instead of the WAL, if possible.

    In WAL mode every page a transaction writes goes to the -wal file, which cannot be
    checkpointed before the transaction commits: the WAL grows as big as everything written.
    A rollback journal holds only the original content of pages that existed before and were
    changed; pages appended to the file need none. So the journal stays smaller than the
    database was, and a kill still leaves the database as it was (whoever opens it next rolls
    the hot journal back). Leaving WAL mode needs the only connection to the file: when another
    program has it open, the build stays in WAL mode (still one transaction, with a big WAL).
    In-memory databases, and a build inside a caller's transaction, are left as they are.
    """
    if db.journal_mode != "wal" or db.conn.in_transaction:
        yield
        return
    try:
        db.disable_wal()
    except sqlite3.OperationalError:  # another connection has the database open
        yield
        return
    try:
        yield
    finally:
        # If another program opened the file meanwhile, WAL stays off until the next
        # Storage.open, which turns it on again.
        with suppress(sqlite3.OperationalError):
            db.enable_wal()


@dataclass
class _Measure:
    row: dict[str, Any]
    assignments: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    targets: list[dict[str, Any]]


def _draw_measure(
    rng: random.Random, plan_id: str, area_ids: list[str], department_ids: list[str], index: int
) -> _Measure:
    """One measure and its children, without ids yet (``measure_id`` is filled in on insert)."""
    title = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
    row = {
        "plan_id": plan_id,
        "area_id": area_ids[index // MEASURES_PER_AREA],
        "no": index % MEASURES_PER_AREA + 1,
        "title": title,
        "text": f"{title}。按照统一部署，{rng.randint(6, 12)}月底前完成相关工作。",
        "position": index + 1,
    }
    assignments = []
    chosen = rng.sample(department_ids, 3)
    for position, (department_id, role) in enumerate(
        zip(chosen, ("lead", "responsible", "responsible"), strict=True)
    ):
        if role == "responsible" and rng.random() < 0.4:
            continue
        assignments.append({"department_id": department_id, "role": role, "position": position})
    milestones = []
    for _ in range(rng.choice((1, 1, 2))):
        due = BASE + timedelta(days=rng.randint(10, 540))
        done = None
        if rng.random() < 0.35:
            done = (due + timedelta(days=rng.randint(-40, 20))).isoformat()
        milestones.append(
            {
                "raw": f"{due.month}月底前",
                "due": due.isoformat(),
                "kind": "date",
                "completed_on": done,
            }
        )
    targets = []
    if rng.random() < 0.3:
        value = float(rng.choice((80, 90, 92, 95)))
        targets.append(
            {
                "raw": f"达到{value:g}%以上",
                "metric": "完成率",
                "op": ">=",
                "value": value,
                "unit": "%",
            }
        )
    return _Measure(row, assignments, milestones, targets)


def _add_measures(
    repo: Repository, drawn: list[_Measure]
) -> list[tuple[str, dict[str, list[str]]]]:
    """Insert the measures and their children; (measure id, child ids by table) for each."""
    measure_ids = repo.insert_many("measures", [measure.row for measure in drawn])
    children: list[dict[str, list[str]]] = [{} for _ in drawn]
    for table in ("assignments", "milestones", "targets"):
        ids = iter(
            repo.insert_many(
                table,
                [
                    {"measure_id": measure_id, **child}
                    for measure_id, measure in zip(measure_ids, drawn, strict=True)
                    for child in getattr(measure, table)
                ],
            )
        )
        for kids, measure in zip(children, drawn, strict=True):
            kids[table] = [next(ids) for _ in getattr(measure, table)]
    return list(zip(measure_ids, children, strict=True))


def demo_counts(db: Database, plan_id: str) -> dict[str, int]:
    """How many inspection records and findings the demo plan's measures have, and plans."""
    inspections, findings = db.execute(
        "SELECT (SELECT COUNT(*) FROM inspections i JOIN measures m ON m.id = i.measure_id"
        " WHERE m.plan_id = :plan), (SELECT COUNT(*) FROM findings f JOIN measures m"
        " ON m.id = f.measure_id WHERE m.plan_id = :plan)",
        {"plan": plan_id},
    ).fetchone()
    (plans,) = db.execute(
        "SELECT COUNT(DISTINCT i.inspection_plan_id) FROM inspections i JOIN measures m"
        " ON m.id = i.measure_id WHERE m.plan_id = ?",
        [plan_id],
    ).fetchone()
    return {"inspection_plans": plans, "inspections": inspections, "findings": findings}
