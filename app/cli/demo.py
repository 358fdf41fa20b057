"""demo: a deterministic synthetic ledger (benchmarks, trying the app on a big database)."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_ERROR, EXIT_OK, error, open_storage, print_json


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    demo = commands.add_parser(
        "demo",
        parents=[db],
        help="生成确定性的演示台账（含明察暗访记录和发现问题，用于性能测试）",
    )
    demo.add_argument("--measures", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument(
        "--findings",
        type=int,
        metavar="N",
        help="发现问题的大致数量（默认每 10 项措施约 3 个）",
    )
    return {"demo": cmd_demo}


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services.demo import build_demo, demo_counts
    from app.services.demo_inspections import MAX_FINDINGS_PER_MEASURE

    if args.measures < 1:
        error("--measures 至少为 1。")
        return EXIT_ERROR
    if (
        args.findings is not None
        and not 0 <= args.findings <= MAX_FINDINGS_PER_MEASURE * args.measures
    ):
        error(
            f"--findings 应在 0 到 {MAX_FINDINGS_PER_MEASURE} × 措施数"
            f"（{MAX_FINDINGS_PER_MEASURE * args.measures}）之间。"
        )
        return EXIT_ERROR
    storage = open_storage(args, "create")
    try:
        plan_id = build_demo(
            storage.repository, measures=args.measures, seed=args.seed, findings=args.findings
        )
        counts = demo_counts(storage.db, plan_id)
    finally:
        storage.close()
    print_json({"plan_id": plan_id, "measures": args.measures, "seed": args.seed, **counts})
    return EXIT_OK
