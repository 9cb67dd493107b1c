"""Per-stream timings of a real landing: a HubSpot stream read over HTTP from the sandbox.

The request count must match what the sandbox itself served, retries included: engineer-facing
benchmarks and the Dagster UI read it as "API calls this stream cost".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from connectors.hubspot import hubspot_streams
from dagster_project.loader.landing import land_stream
from sandbox.clients import hubspot_config
from sandbox.service.faults import FaultKind
from sandbox.service.server import Sandbox, run_sandbox
from sandbox.simulation.config import SandboxConfig

SANDBOX = SandboxConfig(seed=5, scale=0.05, as_of=date(2025, 6, 30))


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with run_sandbox(SANDBOX, port=0) as sandbox:
        yield sandbox


def served(sb: Sandbox) -> int:
    return sb.stats()["requests"].get("hubspot", 0)


def test_requests_count_what_the_api_served_retries_included(sb: Sandbox) -> None:
    deals = next(s for s in hubspot_streams(hubspot_config(sb)) if s.name == "deals")
    sb.faults.script(r"/crm/v3/objects/deals\?", FaultKind.HTTP_503, count=2)
    before = served(sb)
    with duckdb.connect() as con:
        landing = land_stream(con, deals)

    timings = landing.timings
    assert sb.stats()["faults_injected"] == {"http_503": 2}
    assert timings.requests == served(sb) - before
    assert timings.requests >= 4, "properties, server clock, one page at least, and two retries"
    assert timings.fetch_seconds > 0 and timings.parse_seconds > 0 and timings.land_seconds > 0
