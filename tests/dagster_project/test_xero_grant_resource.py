"""A Xero Custom Connection as Dagster binds and runs it: ``XERO_GRANT_TYPE=client_credentials``."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from cli_sandbox import CONFIG

from dagster_project.defs.resources import (
    CREDENTIAL_VARS,
    HttpResource,
    SandboxResource,
    XeroResource,
    resources,
)
from sandbox.service.server import run_sandbox


def test_a_custom_connection_binds_without_a_refresh_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*CREDENTIAL_VARS, "XERO_GRANT_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XERO_GRANT_TYPE", "client_credentials")
    monkeypatch.setenv("XERO_CLIENT_ID", "a-connection")
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="set XERO_CLIENT_SECRET too"):
        resources()
    monkeypatch.setenv("XERO_CLIENT_SECRET", "its-secret")
    monkeypatch.setenv("XERO_REFRESH_TOKEN", "left-over")  # ignored in this mode, not an error
    xero = resources().resources["xero"]
    assert isinstance(xero, XeroResource) and xero.grant == "client_credentials"
    assert xero.client_secret == dg.EnvVar("XERO_CLIENT_SECRET") and xero.refresh_token is None
    monkeypatch.setenv("XERO_GRANT_TYPE", "password")
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="XERO_GRANT_TYPE='password' is not one of"):
        resources()


def test_the_xero_resource_reads_through_a_custom_connection(tmp_path: Path) -> None:
    with run_sandbox(CONFIG) as sandbox:
        xero = XeroResource(
            client_id=sandbox.credentials.xero_custom_client_id,
            client_secret=sandbox.credentials.xero_custom_client_secret,
            grant="client_credentials",
            api_url=sandbox.xero_api_url,
            token_url=sandbox.xero_token_url,
            connections_url=sandbox.xero_connections_url,
            token_store=str(tmp_path / "xero_token.json"),
            sandbox=SandboxResource(),
            http=HttpResource(),
        )
        accounts = next(stream for stream in xero.streams() if stream.name == "accounts")
        rows = sum(batch.num_rows for _, batch in accounts.read(None))
        assert rows == len(sandbox.business.xero_collection("Accounts")) > 0
    assert not (tmp_path / "xero_token.json").exists()
