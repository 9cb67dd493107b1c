"""The contract matrix: every stream x {static, dynamic, incremental}, its mocks, and the verdicts.

A case passes when the stream either lands schema-valid batches (every batch in the schema its
``TableSpec`` declares; on the incremental run, after taking the incremental request path) or
stops with a *named* error: an exception of a non-builtin class whose message names the vendor,
the stream and the path of the request it failed on. It fails on a request Prism rejects as
breaking the spec, an unnamed error (bare ``KeyError``...), a crash (the child died by a signal or
without a report) or a hang (no result within ``CASE_TIMEOUT`` seconds: the process group is
killed). Used by the pytest suite and by ``write_contracts_doc.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contract_prism import Prism
from contract_specs import connectwise, cut_cycles, merge_hubspot, trim_xero
from contract_token import TokenServer

from connectors.catalog import Sync
from connectors.connectwise import ConnectWiseConfig, connectwise_streams
from connectors.connectwise.catalog import CATALOG as CONNECTWISE_CATALOG
from connectors.connectwise.streams import iso
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.xero import XeroConfig
from connectors.xero.reports import PATH as REPORT_PATH
from connectors.xero.reports import XeroProfitAndLossStream
from connectors.xero.tables import ENDPOINTS

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().parent / "contract_runner.py"
MODES: tuple[str, ...] = ("static", "dynamic", "incremental")
SEED = 7
"""Prism's faker seed in dynamic mode: the same seed gives the same payloads run after run."""
FAKER_OPTIONS = {"maxItems": 3}
"""json-schema-faker options (the document's ``x-json-schema-faker``) in dynamic mode: arrays of at
most three items keep Xero's deeply nested invoices at ~2 MB and seconds to generate, not minutes."""
CASE_TIMEOUT = float(os.environ.get("CONTRACT_CASE_TIMEOUT", "40"))
WORKERS = int(os.environ.get("CONTRACT_WORKERS", "4"))
CURSOR_AGE_MS = 3_600_000
"""Incremental runs start from a cursor one hour old (HubSpot window end; Xero newest change;
ConnectWise newest ``lastUpdated``)."""

XERO_CONNECTIONS_PATH = urlsplit(
    {f.name: f.default for f in fields(XeroConfig)}["connections_url"]  # type: ignore[arg-type]
).path
"""The path the product calls for tenants (from ``XeroConfig``'s default URL): the test follows it."""

XERO_TENANT_ID = "fe79f7dd-b6d4-4a92-ba7b-538af6289c58"
"""The tenant of the spec's ``/Connections`` example, configured for the collection cases."""
XERO_TENANT_LOOKUP = "connections"
"""The Xero case without a configured tenant: it reads ``accounts`` after looking the tenant up.

Collection cases configure the tenant (``XERO_TENANT_ID``, as a product deployment may), so each
collection is judged on its own and a broken tenant lookup fails this one row, not all of them."""
XERO_LOOKUP_STREAM = "accounts"


def hubspot_stream_names() -> list[str]:
    """The product's HubSpot streams, in its order (constructing them makes no request)."""
    return [stream.name for stream in hubspot_streams(HubspotConfig(access_token="names-only"))]


def xero_stream_names() -> list[str]:
    return [XERO_TENANT_LOOKUP, *(endpoint.stream for endpoint in ENDPOINTS), XeroProfitAndLossStream.name]


def connectwise_stream_names() -> list[str]:
    """The product's ConnectWise streams, in its order (constructing them makes no request)."""
    config = ConnectWiseConfig(company_id="names", public_key="only", private_key="-", client_id="-")
    return [stream.name for stream in connectwise_streams(config)]


def xero_paths() -> list[str]:
    return [*(endpoint.path for endpoint in ENDPOINTS), REPORT_PATH]


@dataclass(frozen=True)
class Vendor:
    """What the matrix needs to know of one vendor; everything else is the same for all of them.

    ``document`` builds the OpenAPI document its Prism processes serve; ``incremental_mock`` is the
    mode the incremental run reads (the one that lets a stream reach its incremental request);
    ``state`` turns a cursor ``CURSOR_AGE_MS`` old into the stream state the incremental run
    passes; ``read_as`` maps a case that reads another product stream (Xero's tenant lookup) to it;
    ``job`` adds the settings the runner's config needs beyond the API URL.
    """

    name: str
    stream_names: Callable[[], list[str]]
    no_cursor: frozenset[str]
    document: Callable[[], dict[str, Any]]
    incremental_mock: str
    state: Callable[[int], dict[str, Any]]
    read_as: Mapping[str, str] = field(default_factory=dict)
    job: Callable[[Case, Prism, Mocks], dict[str, Any]] = lambda case, prism, mocks: {}


def _xero_job(case: Case, prism: Prism, mocks: Mocks) -> dict[str, Any]:
    """Tenant (none for the lookup case), the test's token endpoint and a token store per case."""
    return {
        "tenant_id": None if case.stream == XERO_TENANT_LOOKUP else XERO_TENANT_ID,
        "token_url": mocks.token.url,
        "connections_url": prism.url + XERO_CONNECTIONS_PATH,
        "token_store": str(mocks.scratch / f"{case.id}-token.json"),
    }


HUBSPOT = Vendor(
    "hubspot",
    hubspot_stream_names,
    no_cursor=frozenset({"owners", "deal_pipelines", "exchange_rates"}),
    document=merge_hubspot,
    # The static properties example is ``null``: an object stream would stop before it searches.
    incremental_mock="dynamic",
    state=lambda cursor: {"window_end_ms": cursor, "full_refresh_ms": cursor},
)
XERO = Vendor(
    "xero",
    xero_stream_names,
    no_cursor=frozenset(
        {*(e.stream for e in ENDPOINTS if not e.modified_since), XeroProfitAndLossStream.name}
    ),
    document=lambda: trim_xero(xero_paths()),
    # The examples are complete, and ``If-Modified-Since`` goes out on the first request.
    incremental_mock="static",
    state=lambda cursor: {"modified_since_ms": cursor},
    read_as={XERO_TENANT_LOOKUP: XERO_LOOKUP_STREAM},
    job=_xero_job,
)
CONNECTWISE = Vendor(
    "connectwise",
    connectwise_stream_names,
    no_cursor=frozenset(s.name for s in CONNECTWISE_CATALOG.streams if s.sync is Sync.FULL_REFRESH),
    document=connectwise,
    # No examples: static mode answers the schema's own sample values, and ``conditions`` goes out
    # on the first request.
    incremental_mock="static",
    state=lambda cursor: {"last_updated": iso(datetime.fromtimestamp(cursor / 1000, tz=UTC))},
)
VENDORS: dict[str, Vendor] = {vendor.name: vendor for vendor in (HUBSPOT, XERO, CONNECTWISE)}
"""Every vendor of the matrix, in the order of the results table."""


@dataclass(frozen=True)
class Case:
    vendor: str
    stream: str
    mode: str

    @property
    def id(self) -> str:
        return f"{self.vendor}-{self.stream}-{self.mode}"

    @property
    def read_stream(self) -> str:
        """The product stream this case reads (the Xero tenant-lookup case reads ``accounts``)."""
        return VENDORS[self.vendor].read_as.get(self.stream, self.stream)

    @property
    def has_cursor(self) -> bool:
        return self.read_stream not in VENDORS[self.vendor].no_cursor


def all_cases() -> list[Case]:
    return [
        Case(vendor.name, stream, mode)
        for vendor in VENDORS.values()
        for stream in vendor.stream_names()
        for mode in MODES
    ]


@dataclass
class Verdict:
    """What a case did: ``ok`` is the assertion; ``summary`` fits a table cell; ``detail`` explains."""

    case: Case
    ok: bool
    summary: str
    detail: str
    seconds: float
    report: dict[str, Any] = field(default_factory=dict)


@dataclass
class Mocks:
    """The running mocks: one Prism per vendor and mode (see ``Vendor.incremental_mock``), one token
    server (Xero's)."""

    prisms: dict[tuple[str, str], Prism]
    token: TokenServer
    scratch: Path

    def job(self, case: Case) -> dict[str, Any]:
        """What the runner needs to build and read the case's stream (``contract_runner.py``)."""
        vendor = VENDORS[case.vendor]
        mode = vendor.incremental_mock if case.mode == "incremental" else case.mode
        prism = self.prisms[(case.vendor, mode)]
        job: dict[str, Any] = {"vendor": case.vendor, "stream": case.read_stream, "api_url": prism.url}
        job.update(vendor.job(case, prism, self))
        if case.mode == "incremental":
            job["state"] = vendor.state(int(time.time() * 1000) - CURSOR_AGE_MS)
        job["result"] = str(self.scratch / f"{case.id}.json")
        return job


def _documents(scratch: Path, vendors: Iterable[str]) -> dict[tuple[str, str], Path]:
    """The documents Prism serves, one per vendor and mode (static, dynamic).

    Schema cycles are cut in both modes: dynamic mode cannot fake them at all, and static mode
    spends 4-10 s per Xero invoice, credit note or payment request validating its own answer
    against the recursive schema (30 ms once cut).
    """
    documents: dict[tuple[str, str], Path] = {}
    for vendor in vendors:
        for mode in ("static", "dynamic"):
            document = VENDORS[vendor].document()
            document["x-contract-cut-cycles"] = cut_cycles(document)
            if mode == "dynamic":
                document["x-json-schema-faker"] = FAKER_OPTIONS
            path = scratch / f"{vendor}-{mode}.json"
            path.write_text(json.dumps(document))
            documents[(vendor, mode)] = path
    return documents


@contextmanager
def running_mocks(vendors: Iterable[str] | None = None) -> Iterator[Mocks]:
    """Start the mocks the vendors need (all by default; in parallel), yield them, stop every one."""
    with tempfile.TemporaryDirectory(prefix="milemarker-contract-") as name:
        scratch = Path(name)
        documents = _documents(scratch, list(VENDORS) if vendors is None else vendors)
        prisms = {
            key: Prism(path, scratch / f"prism-{key[0]}-{key[1]}.log", dynamic=key[1] == "dynamic", seed=SEED)
            for key, path in documents.items()
        }
        token = TokenServer()
        try:
            token.start()
            for prism in prisms.values():
                prism.start()
            for prism in prisms.values():
                prism.wait_ready()
            yield Mocks(prisms, token, scratch)
        finally:
            for prism in prisms.values():
                prism.stop()
            token.stop()


def _run_child(job: dict[str, Any], timeout: float) -> tuple[str, int | None, str]:
    """Run the stream in a child process group; ``("timeout"|"exited", returncode, stderr tail)``."""
    with tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [sys.executable, str(RUNNER), json.dumps(job)],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            child.wait(timeout)
            status = "exited"
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            status = "timeout"
        stderr.seek(0)
        tail = stderr.read().decode(errors="replace").strip().splitlines()[-8:]
        return status, child.returncode, "\n".join(tail)


def named(report: dict[str, Any], case: Case) -> list[str]:
    """What the error message fails to name (empty: a named error). See the module docstring."""
    missing = []
    message = report.get("error_message", "").lower()
    if report.get("error_type", "").startswith("builtins."):
        missing.append(f"a project error class (got {report['error_type']})")
    if case.vendor not in message:
        missing.append(f"the vendor {case.vendor!r}")
    if case.read_stream.lower() not in message:
        missing.append(f"the stream {case.read_stream!r}")
    last = (report.get("requests") or {}).get("last")
    path = last["path"] if last else "/"
    if path.lower() not in message:
        missing.append(f"the endpoint path {path!r}")
    return missing


DOCUMENTED_DEVIATIONS = {
    "Request body property sorts.0 must be string": (
        "HubSpot search sorts: the live API is documented to take {propertyName, direction} objects "
        "(docs/vendor-contracts.md)"
    ),
}
"""Request violations the connector commits on purpose, where the spec and the live API disagree:
message -> why. Each is listed in docs/vendor-contracts.md; any other violation fails the case."""


def judge(case: Case, status: str, returncode: int | None, stderr: str, seconds: float, job: dict) -> Verdict:
    """Turn a child's exit and report into a verdict (order: hang, crash, spec, schema, outcome)."""
    if status == "timeout":
        return Verdict(case, False, "FAIL hang", f"no result within {CASE_TIMEOUT:.0f}s; killed", seconds)
    result = Path(job["result"])
    if returncode != 0 or not result.exists():
        how = f"signal {-returncode}" if returncode and returncode < 0 else f"exit {returncode}"
        return Verdict(case, False, "FAIL crash", f"child died ({how}) without a report: {stderr}", seconds)
    report = json.loads(result.read_text())
    rejected = [
        f"{key}: {violation['message']} (HTTP {violation['status']})"
        for key, violation in zip(report["violation_keys"], report["violations"], strict=True)
        if violation["location"][:1] == ["request"]
        and violation.get("severity") == "Error"
        and violation["message"] not in DOCUMENTED_DEVIATIONS
    ]
    if rejected:
        return Verdict(case, False, "FAIL request breaks spec", "; ".join(rejected), seconds, report)
    if report["schema_errors"]:
        return Verdict(case, False, "FAIL schema", "; ".join(report["schema_errors"]), seconds, report)
    if report["outcome"] == "landed":
        rows = sum(report["tables"].values())
        if case.mode == "incremental" and case.has_cursor and not report.get("incremental_path_used"):
            return Verdict(case, False, "FAIL no incremental path", "the cursor was ignored", seconds, report)
        plural = "" if rows == 1 else "s"
        return Verdict(
            case, True, f"lands ({rows} row{plural})", json.dumps(report["tables"]), seconds, report
        )
    text = f"{report['error_type']}: {report['error_message']}"
    missing = named(report, case)
    if missing:
        return Verdict(
            case, False, "FAIL unnamed error", f"{text} (does not name {', '.join(missing)})", seconds, report
        )
    unreached = case.mode == "incremental" and case.has_cursor and not report.get("incremental_path_used")
    return Verdict(
        case,
        True,
        "named error" + (" (before the incremental request)" if unreached else ""),
        text,
        seconds,
        report,
    )


def run_case(case: Case, mocks: Mocks) -> Verdict:
    job = mocks.job(case)
    started = time.monotonic()
    status, returncode, stderr = _run_child(job, CASE_TIMEOUT)
    return judge(case, status, returncode, stderr, time.monotonic() - started, job)


def run_cases(cases: Iterable[Case], mocks: Mocks, workers: int = WORKERS) -> dict[str, Verdict]:
    """Every case, ``workers`` child processes at a time (each stream has its own client and limiter)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = pool.map(lambda case: run_case(case, mocks), list(cases))
        return {verdict.case.id: verdict for verdict in verdicts}
