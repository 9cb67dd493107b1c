"""A separate process the crash and concurrency tests can SIGKILL or race against.

``child.py land <warehouse>``: land every HubSpot and Xero stream into ``<warehouse>`` through
the production landing code (``land_stream``, one transaction per stream, the path the Dagster
assets take), over one connection held for the whole run, talking to the sandbox named by the
usual environment variables (``Sandbox.env()``). It prints ``landing <stream>`` and
``committed <stream>`` lines, flushed, so a test can aim a kill.

``child.py export <warehouse> <directory> <times>``: export every table of the ``marts`` schema
``<times>`` times over with the production export code, so a reader can race the atomic renames.

Pacing is switched off (the sandbox enforces no limits here), as ``sandbox.clients``
does for in-process tests.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.loader.landing import land_stream
from dagster_project.warehouse.connection import open_warehouse
from dagster_project.warehouse.exports import DbtRun, Mart, export_marts
from sandbox.clients import env_streams


def land(warehouse: Path) -> None:
    streams = env_streams(os.environ, warehouse.parent / "xero_token.json")
    with open_warehouse(warehouse) as con:
        for stream in streams:
            print(f"landing {stream.vendor}/{stream.name}", flush=True)
            land_stream(con, stream)
            print(f"committed {stream.vendor}/{stream.name}", flush=True)


def export(warehouse: Path, directory: Path, times: int) -> None:
    with open_warehouse(warehouse, read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    unknown = DbtRun(invocation_id=None, as_of_date=None)
    marts = [(Mart(name=table, schema="marts", table=table), unknown) for (table,) in tables]
    for _ in range(times):
        export_marts(warehouse, marts, directory, generated_at=datetime.now(UTC))
        print("exported", flush=True)


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "land":
        land(Path(arguments[0]))
    else:
        export(Path(arguments[0]), Path(arguments[1]), int(arguments[2]))
