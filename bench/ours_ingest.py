"""Our connectors and ``land_stream`` against a served sandbox: sandbox -> landed raw tables.

Exactly what the Dagster raw assets do per stream (``land_stream`` into one DuckDB file, cursor
committed with the rows), minus Dagster, so the figure is the ingest path alone. The connectors get
the budgets the sandbox enforces (none: :data:`sandbox.clients.UNLIMITED`), as
``hubspot_config``/``xero_config``/``connectwise_config`` give an embedded sandbox.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from bench.control import SandboxControl, requests_between, sandbox_base_url
from connectors.base import Stream
from dagster_project.loader.landing import StreamLanding, land_stream
from sandbox.clients import env_streams

NOT_RECORDS = frozenset({("hubspot", "associations"), ("connectwise", "time_entry_ids")})
"""(vendor, stream) pairs that land bookkeeping, not API records: counted in rows, not in records.
HubSpot's association edges (dlt gets them inside the records) and ConnectWise's daily id listing
of recent time entries (how hard deletes are found; the entries themselves are records)."""


def vendor_streams(env: Mapping[str, str], token_store: Path) -> dict[str, list[Stream]]:
    """Every stream of every vendor (HubSpot, Xero, ConnectWise), pointed at the sandbox whose
    ``export`` lines are ``env``."""
    by_vendor: dict[str, list[Stream]] = {}
    for stream in env_streams(env, token_store):
        by_vendor.setdefault(stream.vendor, []).append(stream)
    return by_vendor


def landing_counts(landings: Sequence[StreamLanding]) -> dict[str, int]:
    """``records``: API records (each stream's first table: objects, documents, owners), not the
    child rows or the :data:`NOT_RECORDS` streams; ``rows``: every row received for every raw table."""
    records = sum(
        landing.tables[0].rows_received
        for landing in landings
        if (landing.vendor, landing.stream) not in NOT_RECORDS
    )
    rows = sum(table.rows_received for landing in landings for table in landing.tables)
    return {"records": records, "rows": rows}


def ingest(env: Mapping[str, str], workdir: Path) -> dict[str, Any]:
    """Land every stream once, vendor by vendor, into ``workdir/ours.duckdb``; per-vendor figures.

    Run it twice on the same ``workdir`` for a full load then an incremental one: the cursors live
    in the warehouse, the rotated Xero refresh token in ``workdir``. ``requests`` are the calls the
    sandbox counted for the vendor's API; Xero's token refreshes are ``token_requests``.
    """
    control = SandboxControl(sandbox_base_url(env))
    vendors: dict[str, Any] = {}
    try:
        with duckdb.connect(str(workdir / "ours.duckdb")) as con:
            for vendor, streams in vendor_streams(env, workdir / "xero_token.json").items():
                before = control.api_requests()
                started, cpu = time.perf_counter(), time.process_time()
                landings = [land_stream(con, stream) for stream in streams]
                seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
                calls = requests_between(before, control.api_requests())
                vendors[vendor] = {
                    **landing_counts(landings),
                    "seconds": seconds,
                    "cpu_seconds": cpu_seconds,
                    "requests": calls[vendor],
                    "token_requests": calls["xero-identity"] if vendor == "xero" else 0,
                }
    finally:
        control.close()
    return {"vendors": vendors}
