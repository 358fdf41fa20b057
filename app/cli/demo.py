"""demo: a deterministic synthetic ledger (benchmarks, trying the app on a big database)."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_ERROR, EXIT_OK, error, open_storage, print_json


def add_commands(commands: argparse._SubParsersAction, db: argparse.ArgumentParser) -> dict:
    demo = commands.add_parser("demo", parents=[db], help="生成确定性的演示台账（用于性能测试）")
    demo.add_argument("--measures", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    return {"demo": cmd_demo}


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services.demo import build_demo

    if args.measures < 1:
        error("--measures 至少为 1。")
        return EXIT_ERROR
    storage = open_storage(args, "create")
    try:
        plan_id = build_demo(storage.repository, measures=args.measures, seed=args.seed)
    finally:
        storage.close()
    print_json({"plan_id": plan_id, "measures": args.measures, "seed": args.seed})
    return EXIT_OK
