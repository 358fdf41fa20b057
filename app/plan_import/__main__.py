"""``python -m app.plan_import FILE [--summary]``: parse a plan document and print its JSON.

For trying the parser on a new document; the app itself calls ``parse_file``.
"""

from __future__ import annotations

import argparse
import json
import sys

from .parser import parse_file
from .reader import PlanReadError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.plan_import", description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--summary", action="store_true", help="counts and warnings only")
    args = parser.parse_args(argv)
    try:
        plan = parse_file(args.file)
    except PlanReadError as error:
        print(error.message, file=sys.stderr)
        return 1
    if not args.summary:
        print(json.dumps(plan.to_json(), ensure_ascii=False, indent=1))
        return 0
    measures = plan.measures
    kinds: dict[str, int] = {}
    for measure in measures:
        for deadline in measure.deadlines:
            kinds[deadline.kind] = kinds.get(deadline.kind, 0) + 1
    print(f"{plan.title} {plan.doc_number} {plan.issuer} {plan.date}")
    print(f"areas {len(plan.areas)}, measures {len(measures)}")
    print(f"measures without departments {sum(1 for m in measures if not m.departments)}")
    print(f"deadlines by kind {kinds}")
    print(f"targets {sum(len(m.targets) for m in measures)}, departments {len(plan.departments)}")
    for warning in plan.warnings:
        where = f" [{warning.area_no}.{warning.measure_no}]" if warning.area_no else ""
        print(f"warning {warning.code}{where}: {warning.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
