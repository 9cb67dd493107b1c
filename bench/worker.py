"""One measured run in a fresh interpreter: ``python -m bench.worker TASK ARGS.json OUT.json``.

Each run gets its own process so that its peak RSS is its own, nothing warmed by an earlier run
is reused (imports, caches, connection pools), and a crash cannot take the orchestrator down.
The result is written as JSON to OUT.json with the process's peak RSS added.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench.memory import own_peak_rss_bytes


def _ours(args: Mapping[str, Any]) -> dict[str, Any]:
    from bench.ours_ingest import ingest

    return ingest(args["env"], Path(args["workdir"]))


def _dlt(args: Mapping[str, Any]) -> dict[str, Any]:
    from bench.dlt_ingest import ingest

    return ingest(args["env"], Path(args["workdir"]))


def _e2e(args: Mapping[str, Any]) -> dict[str, Any]:
    from bench.e2e import materialize

    return materialize(args)


TASKS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {"ours": _ours, "dlt": _dlt, "e2e": _e2e}


def main(argv: list[str]) -> int:
    task, args_path, out_path = argv
    result = TASKS[task](json.loads(Path(args_path).read_text()))
    result["peak_rss_bytes"] = own_peak_rss_bytes()
    Path(out_path).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
