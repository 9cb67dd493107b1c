"""``milemarker doctor``: is everything a run needs in place? One line per check: OK / WARN / FAIL.

Every vendor is checked where runs would read them: the real API when its credentials are set,
else a sandbox started here (the line says so), exactly as Dagster's resources choose. The sandbox
is a small one (scale 0.05): every check reads metadata, which does not grow with the business,
and it enforces the real rate limits so that the headroom checks see the vendors' headers.
Then the files: the warehouse and Dagster's home. Exit status 1 when a check fails.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from connectors.connectwise.config import CREDENTIAL_VARS as CONNECTWISE_VARS
from connectors.connectwise.config import ConnectWiseConfig
from connectors.hubspot.config import TOKEN_VAR, HubspotConfig
from connectors.xero.config import XeroConfig, credential_vars, env_grant
from dagster_project.cli import hubspot_portal as hs
from dagster_project.cli.checks import Check, Status, report
from dagster_project.cli.connectwise_site import connectwise_checks
from dagster_project.cli.local_checks import (
    account_map_check,
    dagster_home,
    dagster_home_check,
    warehouse_check,
)
from dagster_project.cli.xero_org import xero_checks
from dagster_project.config.organisation import load_organisation
from dagster_project.config.source_settings import load_source_settings
from dagster_project.settings import goals_file_path, warehouse_path, xero_token_store
from sandbox.clients import connectwise_config, xero_config
from sandbox.service.faults import FaultProfile
from sandbox.service.limits import HubspotLimits, XeroLimits
from sandbox.service.server import Sandbox, start_sandbox
from sandbox.simulation.config import SandboxConfig


class _SandboxOnDemand:
    """Starts one sandbox the first time a vendor without credentials needs it."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._sandbox: Sandbox | None = None

    def __call__(self) -> Sandbox:
        if self._sandbox is None:
            seed = int(os.environ.get("MILEMARKER_SANDBOX_SEED", "42"))
            limits = FaultProfile(hubspot_limits=HubspotLimits(), xero_limits=XeroLimits())
            self._sandbox = self._stack.enter_context(
                start_sandbox(SandboxConfig(seed=seed, scale=0.05), faults=limits)
            )
        return self._sandbox


def hubspot_section(sandbox: _SandboxOnDemand, home_currency: str) -> list[Check]:
    token = os.environ.get(TOKEN_VAR)
    if token:
        source = []
        base_url = HubspotConfig.from_env(os.environ).base_url
    else:
        running = sandbox()
        token, base_url = running.credentials.hubspot_access_token, running.hubspot_base_url
        source = [Check(Status.OK, "hubspot", "HUBSPOT_ACCESS_TOKEN is not set: checking the sandbox")]
    portal = hs.read_portal(base_url, token)
    first = hs.token_check(portal)
    if first.status is not Status.OK:
        return [*source, first]
    return [
        *source,
        first,
        hs.scope_check(portal),
        hs.rate_limit_check(portal),
        hs.property_check(portal),
        hs.stage_map_check(portal, load_source_settings(goals_file_path()).hubspot),
        hs.currency_check(portal, home_currency),
    ]


def xero_section(sandbox: _SandboxOnDemand, scratch: Path, home_currency: str) -> list[Check]:
    """Credentials as ``dagster_project.defs.resources`` reads them: all of the grant's variables set
    select the real API, none the sandbox, whose token store goes in ``scratch`` (its tokens die
    with this command)."""
    try:
        grant = env_grant(os.environ)
    except ValueError as error:
        return [Check(Status.FAIL, "xero", str(error), "unset it, or name one of those grants")]
    names = credential_vars(grant)
    present = [name for name in names if os.environ.get(name)]
    if present and len(present) < len(names):
        missing = ", ".join(sorted(set(names) - set(present)))
        todo = "set them (docs/connect.md), or unset all Xero variables to use the sandbox"
        return [Check(Status.FAIL, "xero", f"{missing} not set", todo)]
    if present:
        return xero_checks(XeroConfig.from_env(os.environ, xero_token_store()), home_currency)
    unset = "XERO_CLIENT_ID/SECRET" + ("/REFRESH_TOKEN" if grant == "refresh_token" else "")
    source = Check(Status.OK, "xero", f"{unset} are not set: checking the sandbox")
    return [source, *xero_checks(xero_config(sandbox(), scratch / "xero_token.json"), home_currency)]


def connectwise_section(sandbox: _SandboxOnDemand) -> list[Check]:
    """The PSA as ``dagster_project.defs.resources`` chooses it: all four ``CONNECTWISE_*`` set read
    the real site; none set read the sandbox's PSA when no other vendor is real, else no PSA."""
    present = [name for name in CONNECTWISE_VARS if os.environ.get(name)]
    if present and len(present) < len(CONNECTWISE_VARS):
        missing = ", ".join(sorted(set(CONNECTWISE_VARS) - set(present)))
        return [
            Check(
                Status.FAIL,
                "connectwise",
                f"{missing} not set",
                "set them (docs/connect.md), or unset all four",
            )
        ]
    if present:
        return connectwise_checks(ConnectWiseConfig.from_env(os.environ))
    if any(os.environ.get(name) for name in (TOKEN_VAR, "XERO_CLIENT_ID")):
        return [
            Check(
                Status.OK,
                "connectwise",
                "no PSA configured: labour is not measured and client profitability allocates overhead by "
                "revenue share (set CONNECTWISE_* to measure it, docs/connect.md)",
            )
        ]
    source = Check(Status.OK, "connectwise", "CONNECTWISE_* are not set: checking the sandbox")
    return [source, *connectwise_checks(connectwise_config(sandbox()))]


def run_doctor() -> int:
    home_currency = load_organisation(goals_file_path()).currency
    with ExitStack() as stack:
        sandbox = _SandboxOnDemand(stack)
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="milemarker-doctor-")))
        checks = [
            *hubspot_section(sandbox, home_currency),
            *xero_section(sandbox, scratch, home_currency),
            *connectwise_section(sandbox),
            account_map_check(),
            warehouse_check(warehouse_path()),
            dagster_home_check(dagster_home()),
        ]
    return report(checks)
