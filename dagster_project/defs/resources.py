"""Resources: the warehouse, the two vendors, their HTTP settings, the embedded sandbox and dbt.

Which API a run talks to is decided here, once, when definitions load: a vendor whose credentials
are in the environment is bound to them (as ``EnvVar``s, so the UI shows variable names, never
values); a vendor without credentials reads from the embedded sandbox, which starts inside the run
on a free port and stops with it. The same connector code runs either way.
"""

import dataclasses
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from connectors.base import Stream
from connectors.connectwise import ConnectWiseConfig, connectwise_streams
from connectors.connectwise.config import CREDENTIAL_VARS as CONNECTWISE_CREDENTIAL_VARS
from connectors.connectwise.config import URL_VARS as CONNECTWISE_URL_VARS
from connectors.connectwise.streams import idle_connectwise_streams
from connectors.http import HttpSettings, RequestBudget
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.hubspot.config import TOKEN_VAR as HUBSPOT_TOKEN_VAR
from connectors.hubspot.config import URL_VARS as HUBSPOT_URL_VARS
from connectors.xero import XeroConfig, xero_streams
from connectors.xero.config import TENANT_VAR as XERO_TENANT_VAR
from connectors.xero.config import URL_VARS as XERO_URL_VARS
from connectors.xero.config import credential_vars, env_grant, grant_named
from dagster_project import settings
from dagster_project.config.organisation import load_organisation
from dagster_project.defs.dbt.cli import MilemarkerDbtCliResource
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.warehouse.connection import open_warehouse
from sandbox.clients import connectwise_config, hubspot_config, xero_config
from sandbox.service.server import Sandbox, start_sandbox
from sandbox.simulation.config import SandboxConfig

XERO_CREDENTIAL_VARS = credential_vars("refresh_token")
"""Together they select the real Xero API (the client id and secret alone with
``XERO_GRANT_TYPE=client_credentials``); ``XERO_TENANT_ID`` is optional (default: first tenant)."""
CREDENTIAL_VARS = (
    "HUBSPOT_ACCESS_TOKEN",
    *XERO_CREDENTIAL_VARS,
    "XERO_TENANT_ID",
    *CONNECTWISE_CREDENTIAL_VARS,
)
"""Every variable that points a vendor at its real API: with none of them set, all read the sandbox."""


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file every raw table, cursor and dbt model lives in."""

    path: str
    busy_wait_seconds: float = 600.0
    """How long a step waits for another process (another run, a DuckDB shell) to release the file
    before it fails naming that process; the wait is logged every few seconds."""

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection, closed on exit so that dbt can take the file lock next.

        Waits while another process holds the file, saying so in the run's log, and fails with
        ``WarehouseBusyError`` ("the warehouse <path> is in use by another process (pid N: ...)")
        once ``busy_wait_seconds`` have passed, before anything is written.
        """
        with open_warehouse(
            Path(self.path),
            read_only=read_only,
            wait_seconds=self.busy_wait_seconds,
            on_wait=dg.get_dagster_logger().warning,
        ) as con:
            yield con

    def wait_until_free(self) -> None:
        """Return once no other process holds the file (as :meth:`connect` waits), holding nothing.

        For a step whose writer is another process (dbt), which would otherwise fail at once with
        DuckDB's bare lock error when a second run holds the file.
        """
        with self.connect():
            pass


class HttpResource(dg.ConfigurableResource):
    """Timeouts, retries and budgets of every vendor call (``connectors.http.HttpSettings``).

    One resource shared by both vendors, so an operator behind a slow proxy raises one read
    timeout, and a test shortens back-off without touching connector code. Defaults are
    ``HttpSettings``'s own. The request budget is the run's: Dagster builds this resource once
    per run, and every ``settings()`` call of that run shares one counter.
    """

    connect_timeout: float = HttpSettings.connect_timeout
    read_timeout: float = HttpSettings.read_timeout
    retries: int = HttpSettings.retries
    """Transport retries per request (connection errors, 502/503/504)."""
    read_retries: int = HttpSettings.read_retries
    """Of those, retries after a read timeout: a stalled server costs (1 + read_retries) * read_timeout."""
    server_error_retries: int = HttpSettings.server_error_retries
    """Retries of a 500 (usually the server failing on this very request, not a passing fault)."""
    backoff_factor: float = HttpSettings.backoff_factor
    backoff_max: float = HttpSettings.backoff_max
    body_retries: int = HttpSettings.body_retries
    """Re-fetches of a 200 whose body is cut short, not JSON, or an HTML error page."""
    rate_limit_retries: int = HttpSettings.rate_limit_retries
    stream_deadline: float = HttpSettings.stream_deadline
    """Seconds a stream may take from its first request; past it the stream stops, cursor unchanged."""
    run_request_budget: int = HttpSettings.run_request_budget
    """Requests (retries included) one run may send to both vendors together."""

    _budget: RequestBudget | None = PrivateAttr(default=None)

    def settings(self) -> HttpSettings:
        if self._budget is None:
            self._budget = RequestBudget()
        return HttpSettings(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries=self.retries,
            read_retries=self.read_retries,
            server_error_retries=self.server_error_retries,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            body_retries=self.body_retries,
            rate_limit_retries=self.rate_limit_retries,
            stream_deadline=self.stream_deadline,
            run_request_budget=self.run_request_budget,
            budget=self._budget,
        )


class SandboxResource(dg.ConfigurableResource):
    """The simulated HubSpot + Xero business, served on 127.0.0.1 for the length of one run.

    Started lazily, on the first stream that needs it, so a run against real credentials never
    starts it. Bound as a top-level resource and nested (``configure_at_launch``) into both vendor
    resources, so one run shares one sandbox; seed, scale and as-of can be changed at launch.
    """

    seed: int = 42
    scale: float = 1.0
    as_of: str | None = None
    """ISO date the simulated business stands at; empty means today in the organisation's time zone."""
    in_use: bool = True
    """A vendor reads the sandbox (one has no credentials): then its day is the marts' as-of day."""

    _running: Sandbox | None = PrivateAttr(default=None)
    _scratch: tempfile.TemporaryDirectory[str] | None = PrivateAttr(default=None)

    def day(self) -> date:
        """The simulated business's day: the running sandbox's own, else ``as_of``, else today where
        the organisation is (the day dbt computes the marts for when nothing else says, so the two
        agree around midnight, and a run that crosses midnight keeps the day its data was served on)."""
        if self._running is not None:
            return self._running.business.as_of
        if self.as_of:
            return date.fromisoformat(self.as_of)
        return load_organisation(settings.goals_file_path()).today()

    def running(self) -> Sandbox:
        """The running sandbox (URLs and credentials), started on first use."""
        if self._running is None:
            config = SandboxConfig(seed=self.seed, scale=self.scale, as_of=self.day())
            self._running = start_sandbox(config, port=0)
        return self._running

    def scratch_dir(self) -> Path:
        """Run-scoped files (the sandbox's Xero token store): its tokens die with the process."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="milemarker-sandbox-")
        return Path(self._scratch.name)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._running is not None:
            self._running.stop()
            self._running = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


class HubspotResource(dg.ConfigurableResource):
    """HubSpot CRM: a private-app token, or the sandbox when none is configured."""

    access_token: str | None = None
    base_url: str = "https://api.hubapi.com"
    sandbox: SandboxResource
    http: HttpResource

    def streams(self) -> list[Stream]:
        http = self.http.settings()
        if self.access_token:
            return hubspot_streams(
                HubspotConfig(access_token=self.access_token, base_url=self.base_url, http=http)
            )
        return hubspot_streams(dataclasses.replace(hubspot_config(self.sandbox.running()), http=http))


class XeroResource(dg.ConfigurableResource):
    """Xero Accounting: an OAuth2 app's refresh token, a Custom Connection, or the sandbox.

    ``grant`` ``"refresh_token"``: the refresh token rotates on every use; the connector persists
    the current one in ``token_store``, which therefore outlives runs (the sandbox's store does
    not: its tokens die with the run). ``"client_credentials"`` (``XERO_GRANT_TYPE``): a Custom
    Connection's client id and secret are all it takes, and nothing is stored.
    """

    client_id: str | None = None
    client_secret: str | None = None
    refresh_token: str | None = None
    grant: str = "refresh_token"
    tenant_id: str | None = None
    api_url: str = "https://api.xero.com/api.xro/2.0"
    token_url: str = "https://identity.xero.com/connect/token"
    connections_url: str = "https://api.xero.com/Connections"
    token_store: str
    sandbox: SandboxResource
    http: HttpResource

    def streams(self) -> list[Stream]:
        http = self.http.settings()
        if _xero_reads_real_api(self.client_id, self.client_secret, self.refresh_token, self.grant):
            assert self.client_id and self.client_secret
            return xero_streams(
                XeroConfig(
                    client_id=self.client_id,
                    client_secret=self.client_secret,
                    refresh_token=self.refresh_token or "",
                    grant=grant_named(self.grant),
                    tenant_id=self.tenant_id,
                    api_url=self.api_url,
                    token_url=self.token_url,
                    connections_url=self.connections_url,
                    token_store_path=Path(self.token_store),
                    http=http,
                )
            )
        token_store = self.sandbox.scratch_dir() / "xero_token.json"
        return xero_streams(dataclasses.replace(xero_config(self.sandbox.running(), token_store), http=http))


class ConnectWiseResource(dg.ConfigurableResource):
    """ConnectWise PSA: an API member's keys, the sandbox's PSA, or none.

    ``source`` is decided when definitions load: ``real`` when the four ``CONNECTWISE_*``
    credentials are set; ``sandbox`` when no vendor has credentials (the whole business is the
    sandbox's, labour included); ``none`` when HubSpot or Xero read a real account but no PSA is
    configured -- the sandbox's technicians must not be mixed into a real business's books. With
    ``none`` the PSA tables are created empty and client profitability falls back to allocating
    overhead by revenue share (and says so in its ``overhead_method`` column).
    """

    source: str = "sandbox"
    company_id: str | None = None
    public_key: str | None = None
    private_key: str | None = None
    client_id: str | None = None
    base_url: str = ConnectWiseConfig.base_url
    sandbox: SandboxResource
    http: HttpResource

    def streams(self) -> list[Stream]:
        http = self.http.settings()
        if self.source == "real":
            assert self.company_id and self.public_key and self.private_key and self.client_id
            return connectwise_streams(
                ConnectWiseConfig(
                    company_id=self.company_id,
                    public_key=self.public_key,
                    private_key=self.private_key,
                    client_id=self.client_id,
                    base_url=self.base_url,
                    http=http,
                )
            )
        if self.source == "sandbox":
            return connectwise_streams(
                dataclasses.replace(connectwise_config(self.sandbox.running()), http=http)
            )
        dg.get_dagster_logger().info(
            "ConnectWise PSA not configured (no CONNECTWISE_* credentials): its tables stay empty and client "
            "profitability allocates overhead by revenue share"
        )
        return idle_connectwise_streams()


def _connectwise_credentials(sandbox_everywhere: bool) -> dict[str, dg.EnvVar | str | None]:
    """The PSA resource's credential fields and source (see :class:`ConnectWiseResource`)."""
    present = [name for name in CONNECTWISE_CREDENTIAL_VARS if os.environ.get(name)]
    if present and len(present) < len(CONNECTWISE_CREDENTIAL_VARS):
        missing = sorted(set(CONNECTWISE_CREDENTIAL_VARS) - set(present))
        raise dg.DagsterInvalidDefinitionError(
            f"ConnectWise credentials are incomplete: set {', '.join(missing)} too, or unset all of them."
        )
    source = "real" if present else ("sandbox" if sandbox_everywhere else "none")
    fields = ("company_id", "public_key", "private_key", "client_id")
    return {
        "source": source,
        **{field: _secret(name) for field, name in zip(fields, CONNECTWISE_CREDENTIAL_VARS, strict=True)},
    }


def _xero_reads_real_api(client_id: object, client_secret: object, refresh_token: object, grant: str) -> bool:
    """An app (id and secret) with a refresh token, or a Custom Connection, reads the real API."""
    return bool(client_id and client_secret) and (bool(refresh_token) or grant == "client_credentials")


def _secret(name: str) -> dg.EnvVar | None:
    """Bind a credential by name when it is set; ``None`` selects the sandbox."""
    return dg.EnvVar(name) if os.environ.get(name) else None


def _xero_credentials() -> dict[str, dg.EnvVar | str | None]:
    """The Xero resource's credential fields, for the grant ``XERO_GRANT_TYPE`` selects."""
    try:
        grant = env_grant(os.environ)
    except ValueError as error:
        raise dg.DagsterInvalidDefinitionError(f"{error}; unset it or name one of them.") from None
    names = credential_vars(grant)
    present = [name for name in names if os.environ.get(name)]
    if present and len(present) < len(names):
        missing = sorted(set(names) - set(present))
        raise dg.DagsterInvalidDefinitionError(
            f"Xero credentials are incomplete: set {', '.join(missing)} too, or unset all of them "
            "to use the sandbox."
        )
    # a Custom Connection has no XERO_REFRESH_TOKEN: zip stops at the client id and secret
    fields = ("client_id", "client_secret", "refresh_token")
    return {
        **{field: _secret(name) for field, name in zip(fields, names, strict=False)},
        "grant": grant,
        "tenant_id": _secret(XERO_TENANT_VAR) if present else None,
    }


def _sandbox(in_use: bool) -> SandboxResource:
    return SandboxResource.configure_at_launch(
        seed=int(os.environ.get("MILEMARKER_SANDBOX_SEED", "42")),
        scale=float(os.environ.get("MILEMARKER_SANDBOX_SCALE", "1.0")),
        as_of=os.environ.get("MILEMARKER_SANDBOX_AS_OF") or None,
        in_use=in_use,
    )


def _optional_urls(env_names: Mapping[str, str]) -> dict[str, str]:
    """URL overrides from the environment; unset ones keep the resource's real-API defaults."""
    return {field: os.environ[name] for field, name in env_names.items() if os.environ.get(name)}


@dg.definitions
def resources() -> dg.Definitions:
    hubspot_token, xero_credentials = _secret(HUBSPOT_TOKEN_VAR), _xero_credentials()
    xero_real = _xero_reads_real_api(
        xero_credentials["client_id"],
        xero_credentials["client_secret"],
        xero_credentials.get("refresh_token"),
        str(xero_credentials["grant"]),
    )
    sandbox = _sandbox(in_use=hubspot_token is None or not xero_real)
    connectwise_credentials = _connectwise_credentials(
        sandbox_everywhere=hubspot_token is None and not xero_real
    )
    http = HttpResource.configure_at_launch()
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(path=str(settings.warehouse_path())),
            "sandbox": sandbox,
            "http": http,
            "hubspot": HubspotResource(
                access_token=hubspot_token,
                sandbox=sandbox,
                http=http,
                **_optional_urls(HUBSPOT_URL_VARS),
            ),
            "xero": XeroResource(
                **xero_credentials,
                token_store=str(settings.xero_token_store()),
                sandbox=sandbox,
                http=http,
                **_optional_urls(XERO_URL_VARS),
            ),
            "connectwise": ConnectWiseResource(
                **connectwise_credentials,
                sandbox=sandbox,
                http=http,
                **_optional_urls(CONNECTWISE_URL_VARS),
            ),
            "dbt": MilemarkerDbtCliResource.leashed(DBT_PROJECT),
        }
    )
