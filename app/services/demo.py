"""A deterministic synthetic ledger, for benchmarks and for trying the app on a big database."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage import Repository

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


CHUNK = 5_000  # measures per transaction: keeps the WAL small on very large ledgers


def build_demo(repository: Repository, *, measures: int, seed: int = 1) -> str:
    """One plan with ``measures`` measures; the same seed always gives the same ledger content.

    Written in chunks of ``CHUNK`` measures, one transaction each: a single transaction over
    100,000 measures would grow the WAL to gigabytes before it could be checkpointed.
    """
    rng = random.Random(seed)
    repo = repository
    with repo.transaction():
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
    for first in range(0, measures, CHUNK):
        with repo.transaction():
            _add_measures(
                repo,
                rng,
                plan_id,
                area_ids,
                department_ids,
                range(first, min(measures, first + CHUNK)),
            )
    return plan_id


def _add_measures(
    repo: Repository,
    rng: random.Random,
    plan_id: str,
    area_ids: list[str],
    department_ids: list[str],
    indices: range,
) -> None:
    measure_rows = []
    for index in indices:
        title = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
        measure_rows.append(
            {
                "plan_id": plan_id,
                "area_id": area_ids[index // MEASURES_PER_AREA],
                "no": index % MEASURES_PER_AREA + 1,
                "title": title,
                "text": f"{title}。按照统一部署，{rng.randint(6, 12)}月底前完成相关工作。",
                "position": index + 1,
            }
        )
    measure_ids = repo.insert_many("measures", measure_rows)
    assignments, milestones, targets = [], [], []
    for measure_id in measure_ids:
        chosen = rng.sample(department_ids, 3)
        for position, (department_id, role) in enumerate(
            zip(chosen, ("lead", "responsible", "responsible"), strict=True)
        ):
            if role == "responsible" and rng.random() < 0.4:
                continue
            assignments.append(
                {
                    "measure_id": measure_id,
                    "department_id": department_id,
                    "role": role,
                    "position": position,
                }
            )
        for _ in range(rng.choice((1, 1, 2))):
            due = BASE + timedelta(days=rng.randint(10, 540))
            done = None
            if rng.random() < 0.35:
                done = (due + timedelta(days=rng.randint(-40, 20))).isoformat()
            milestones.append(
                {
                    "measure_id": measure_id,
                    "raw": f"{due.month}月底前",
                    "due": due.isoformat(),
                    "kind": "date",
                    "completed_on": done,
                }
            )
        if rng.random() < 0.3:
            value = float(rng.choice((80, 90, 92, 95)))
            targets.append(
                {
                    "measure_id": measure_id,
                    "raw": f"达到{value:g}%以上",
                    "metric": "完成率",
                    "op": ">=",
                    "value": value,
                    "unit": "%",
                }
            )
    repo.insert_many("assignments", assignments)
    repo.insert_many("milestones", milestones)
    repo.insert_many("targets", targets)
