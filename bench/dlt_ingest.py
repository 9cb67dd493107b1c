"""dlt's ``rest_api`` source into DuckDB against a served sandbox (the bench environment only).

Figures mirror :mod:`bench.ours_ingest`: per vendor, wall and CPU seconds, server-counted
requests, and the rows dlt normalised (``records`` = rows of top-level tables, ``rows`` = all
tables, nested child tables included), plus dlt's own extract / normalize / load split.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.control import SandboxControl, requests_between, sandbox_base_url
from bench.vendors import COMPARED_VENDORS

DLT_ENV = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "RUNTIME__LOG_LEVEL": "WARNING",
}
"""No telemetry calls home during a measurement; dlt's own defaults otherwise (loader format too)."""


def row_counts(normalize_counts: Mapping[str, int]) -> dict[str, int]:
    """``records`` (top-level tables) and ``rows`` (every table) from dlt's normalize row counts,
    leaving out dlt's own ``_dlt_*`` bookkeeping tables."""
    data = {table: rows for table, rows in normalize_counts.items() if not table.startswith("_dlt")}
    return {
        "records": sum(rows for table, rows in data.items() if "__" not in table),
        "rows": sum(data.values()),
    }


def ingest(env: Mapping[str, str], workdir: Path) -> dict[str, Any]:
    """Run both vendors' dlt pipelines once (state and DuckDB files kept in ``workdir``)."""
    os.environ.update(DLT_ENV)
    from bench.dlt_source import dlt_pipeline, hubspot_source, xero_source  # dlt is imported here

    control = SandboxControl(sandbox_base_url(env))
    vendors: dict[str, Any] = {}
    try:
        for vendor in COMPARED_VENDORS:
            before = control.api_requests()
            started, cpu = time.perf_counter(), time.process_time()
            source = (
                hubspot_source(env)
                if vendor == "hubspot"
                else xero_source(env, workdir / "dlt_xero_token.json")
            )
            pipeline = dlt_pipeline(workdir, vendor)
            pipeline.run(source)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
            calls = requests_between(before, control.api_requests())
            trace = pipeline.last_trace
            vendors[vendor] = {
                **row_counts(trace.last_normalize_info.row_counts),
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "requests": calls[vendor],
                "token_requests": calls["xero-identity"] if vendor == "xero" else 0,
                "phases": {
                    step.step: (step.finished_at - step.started_at).total_seconds()
                    for step in trace.steps
                    if step.step in ("extract", "normalize", "load")
                },
            }
    finally:
        control.close()
    return {"vendors": vendors}
