"""The same HubSpot and Xero streams, configured as a data team would with dlt's ``rest_api`` source.

The endpoint list is derived from the connectors' own catalogues (``OBJECT_KINDS``,
``ASSOCIATIONS``, ``ENDPOINTS``), so both tools read the same collections with the same page
sizes. What each side does per vendor:

* HubSpot: ``GET /crm/v3/objects/{type}`` with every property (names from the properties API, as
  ours), live and archived passes, ``paging.next.after`` cursor paging, deals with
  ``propertiesWithHistory=dealstage`` (50 a page), associations embedded through the list's
  ``associations=`` parameter (as dlt's verified HubSpot source reads them). ``write_disposition``
  merge on ``id`` and no incremental cursor: list endpoints take no modified-since filter, and
  ``rest_api``'s paginators cannot express search's 10,000-result window restart, so dlt re-reads
  HubSpot every run (as the verified source does).
* Xero: page-number paging (``page``/``pageSize`` up to 1,000, ``pagination.pageCount``), the
  ``Xero-Tenant-Id`` header, OAuth2 with a rotating refresh token (:class:`XeroRefreshTokenAuth`),
  and dlt's own incremental cursor on ``UpdatedDateUTC`` sent as ``If-Modified-Since`` for the
  collections that honour it.

Imports dlt: only the bench environment (``.venv-bench``) has it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import requests
from dlt.common.configuration.specs.base_configuration import configspec
from dlt.common.typing import TSecretStrValue
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.rest_api import rest_api_source

from connectors.hubspot.associations import ASSOCIATIONS
from connectors.hubspot.objects import OBJECT_KINDS
from connectors.xero.tables import ENDPOINTS, Endpoint

HUBSPOT_PAGE = 100
HUBSPOT_HISTORY_PAGE = 50
XERO_PAGE = 1000
EPOCH_MS_DATE = "/Date(0000000000000+0000)/"
"""``UpdatedDateUTC`` of the first run: the epoch. Xero's ``/Date(ms+0000)/`` strings all carry 13
digits, so their string order is their time order and dlt can take the max of them as they are."""
_MS_DATE = re.compile(r"/Date\((-?\d+)")


@configspec
class XeroRefreshTokenAuth(OAuth2ClientCredentials):
    """Xero's refresh-token grant: Basic client auth, and a refresh token that rotates on every use.

    The current refresh token lives in ``token_file`` (seeded with ``refresh_token``), so the next
    run (a new process) refreshes with the rotated one, as Xero requires.
    """

    refresh_token: TSecretStrValue = None
    token_file: str = None

    def _current_refresh_token(self) -> str:
        path = Path(self.token_file)
        return json.loads(path.read_text())["refresh_token"] if path.exists() else str(self.refresh_token)

    def build_access_token_request(self) -> dict[str, Any]:
        return {
            "auth": (self.client_id, self.client_secret),
            "data": {"grant_type": "refresh_token", "refresh_token": self._current_refresh_token()},
        }

    def parse_access_token(self, response_json: Any) -> str:
        Path(self.token_file).write_text(json.dumps({"refresh_token": response_json["refresh_token"]}))
        return str(response_json["access_token"])


def if_modified_since(value: str) -> str:
    """``/Date(1541176290160+0000)/`` -> ``2018-11-02T16:31:30`` (UTC, whole seconds, as Xero wants)."""
    match = _MS_DATE.match(value)
    if match is None:
        raise ValueError(f"not a Xero /Date()/ value: {value!r}")
    return datetime.fromtimestamp(int(match.group(1)) // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def hubspot_property_names(base_url: str, token: str) -> dict[str, list[str]]:
    """Every property of every object type, from the properties API (one call per type, as ours)."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        names: dict[str, list[str]] = {}
        for kind in OBJECT_KINDS:
            response = session.get(f"{base_url}/crm/v3/properties/{kind.object_type}", timeout=60)
            response.raise_for_status()
            names[kind.object_type] = [p["name"] for p in response.json()["results"]]
        return names


def _hubspot_object_resources(properties: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    associated: dict[str, list[str]] = {}
    for table in ASSOCIATIONS:
        associated.setdefault(table.from_type, []).append(table.to_type)
    resources = []
    for kind in OBJECT_KINDS:
        params: dict[str, Any] = {
            "limit": HUBSPOT_HISTORY_PAGE if kind.history_property else HUBSPOT_PAGE,
            "properties": ",".join(properties[kind.object_type]),
        }
        if kind.history_property:
            params["propertiesWithHistory"] = kind.history_property
        if kind.object_type in associated:
            params["associations"] = ",".join(associated[kind.object_type])
        for archived in (False, True):
            resources.append(
                {
                    "name": f"{kind.object_type}_archived" if archived else kind.object_type,
                    "table_name": kind.object_type,
                    "endpoint": {
                        "path": f"/crm/v3/objects/{kind.object_type}",
                        "params": {**params, "archived": str(archived).lower()},
                    },
                }
            )
    return resources


def hubspot_source(env: Mapping[str, str]) -> Any:
    """HubSpot owners, the deal pipeline and every CRM object type (see the module docstring)."""
    base_url = env["HUBSPOT_BASE_URL"]
    properties = hubspot_property_names(base_url, env["HUBSPOT_ACCESS_TOKEN"])
    owners = [
        {
            "name": "owners_archived" if archived else "owners",
            "table_name": "owners",
            "endpoint": {
                "path": "/crm/v3/owners",
                "params": {"limit": HUBSPOT_PAGE, "archived": str(archived).lower()},
            },
        }
        for archived in (False, True)
    ]
    pipelines = {
        "name": "deal_pipelines",
        "endpoint": {"path": "/crm/v3/pipelines/deals", "paginator": "single_page"},
    }
    return rest_api_source(
        {
            "client": {
                "base_url": base_url,
                "headers": {"Accept": "application/json"},
                "auth": {"type": "bearer", "token": env["HUBSPOT_ACCESS_TOKEN"]},
                "paginator": {"type": "cursor", "cursor_path": "paging.next.after", "cursor_param": "after"},
            },
            "resource_defaults": {
                "primary_key": "id",
                "write_disposition": "merge",
                "endpoint": {"data_selector": "results"},
            },
            "resources": [*owners, pipelines, *_hubspot_object_resources(properties)],
        },
        name="hubspot",
    )


def _xero_resource(endpoint: Endpoint) -> dict[str, Any]:
    params: dict[str, Any] = dict(endpoint.params)
    resource: dict[str, Any] = {
        "name": endpoint.stream,
        "primary_key": endpoint.id_column,
        "endpoint": {"path": endpoint.path, "data_selector": endpoint.path, "params": params},
    }
    if endpoint.paged:
        params["pageSize"] = XERO_PAGE
        resource["endpoint"]["paginator"] = {
            "type": "page_number",
            "base_page": 1,
            "page_param": "page",
            "total_path": "pagination.pageCount",
        }
    if endpoint.modified_since:
        params["order"] = "UpdatedDateUTC ASC"
        resource["endpoint"]["incremental"] = {
            "cursor_path": "UpdatedDateUTC",
            "initial_value": EPOCH_MS_DATE,
            "convert": if_modified_since,
        }
        resource["endpoint"]["headers"] = {"If-Modified-Since": "{incremental.start_value}"}
    return resource


def xero_source(env: Mapping[str, str], token_file: Path) -> Any:
    """Every Xero collection our connector reads (see the module docstring)."""
    auth = XeroRefreshTokenAuth(
        access_token_url=env["XERO_TOKEN_URL"],
        client_id=env["XERO_CLIENT_ID"],
        client_secret=env["XERO_CLIENT_SECRET"],
        refresh_token=env["XERO_REFRESH_TOKEN"],
        token_file=str(token_file),
        default_token_expiration=1800,
    )
    return rest_api_source(
        {
            "client": {
                "base_url": env["XERO_BASE_URL"],
                "headers": {"Accept": "application/json", "Xero-Tenant-Id": env["XERO_TENANT_ID"]},
                "auth": auth,
                "paginator": "single_page",
            },
            "resource_defaults": {"write_disposition": "merge"},
            "resources": [_xero_resource(endpoint) for endpoint in ENDPOINTS],
        },
        name="xero",
    )


def dlt_pipeline(workdir: Path, vendor: str) -> Any:
    """One pipeline per vendor, its state and DuckDB file under ``workdir`` (kept between runs)."""
    return dlt.pipeline(
        pipeline_name=f"bench_{vendor}",
        pipelines_dir=str(workdir / "pipelines"),
        destination=dlt.destinations.duckdb(str(workdir / f"dlt_{vendor}.duckdb")),
        dataset_name=f"raw_{vendor}",
    )
