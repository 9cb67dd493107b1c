"""``python -m bench [run] [--scales small,default] [--runs N] ...`` and ``python -m bench docs``.

``run`` (the default) measures and writes ``bench-results.json`` and ``docs/benchmarks.md``; the
scales it did not measure keep their earlier figures, marked as carried over. ``docs`` regenerates
the page from the results file alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.report import render
from bench.runner import DEFAULT_SCALES, PLANS, Settings, carry_over, plans_for, run
from bench.sandbox_process import REPO_ROOT

RESULTS = REPO_ROOT / "bench-results.json"
DOCS = REPO_ROOT / "docs" / "benchmarks.md"


def write_docs(results_path: Path, docs_path: Path) -> None:
    docs_path.write_text(render(json.loads(results_path.read_text())))


def _read_json(path: Path) -> dict | None:
    """The previous results, if any: the scales this run skips are carried over from them."""
    return json.loads(path.read_text()) if path.exists() else None


def _write_json(path: Path, document: dict) -> None:
    """Write through a temporary file and rename, so an interrupted run leaves the old results."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", choices=("run", "docs"), default="run")
    parser.add_argument(
        "--scales",
        default=",".join(DEFAULT_SCALES),
        help=f"comma list of {', '.join(f'{p.name} ({p.scale:g})' for p in PLANS.values())}",
    )
    parser.add_argument("--runs", type=int, default=None, help="runs of our ingest per scale")
    parser.add_argument("--dlt-runs", type=int, default=None, help="runs of dlt's ingest per scale")
    parser.add_argument("--e2e-runs", type=int, default=None, help="full + daily materializations per scale")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--docs", type=Path, default=DOCS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
        names = [name.strip() for name in args.scales.split(",") if name.strip()]
        unknown = sorted(set(names) - PLANS.keys())
        if unknown:
            raise SystemExit(f"unknown scale(s) {unknown}: choose from {sorted(PLANS)}")
        plans = plans_for(names, runs=args.runs, dlt_runs=args.dlt_runs, e2e_runs=args.e2e_runs)
        previous = _read_json(args.results)
        _write_json(args.results, carry_over(run(Settings(plans=plans)), previous))
    write_docs(args.results, args.docs)
    print(f"wrote {args.docs}" + (f" and {args.results}" if args.command == "run" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
