"""``milemarker doctor``'s ConnectWise PSA checks: can the API member read what a run reads, and
does it see cost rates?

One call per list a run reads (``pageSize=1``, ids only), so a security role missing one area
shows as its own line; then a page of recent time entries, to tell whether the role hides cost: a
role without cost access sends no ``hourlyCost`` on any entry (a WARN: every hour would be costed at
the member's current rate, which has no history); a few entries without one are costed that way.
"""

from __future__ import annotations

import dataclasses

from connectors.base import ConnectorError
from connectors.connectwise.client import ConnectWiseClient
from connectors.connectwise.config import ConnectWiseConfig
from connectors.connectwise.records import items_of, list_decoder
from connectors.connectwise.tables import ENDPOINTS, TIME_ENTRIES
from dagster_project.cli.checks import Check, Status
from dagster_project.cli.xero_org import QUICK

_COST_SAMPLE = 200


def connectwise_checks(config: ConnectWiseConfig) -> list[Check]:
    """Access to every list, then whether time entries carry their cost."""
    client = ConnectWiseClient(dataclasses.replace(config, http=QUICK))
    denied: list[str] = []
    try:
        for endpoint in ENDPOINTS:
            response, _ = client.http.request(
                "GET",
                client.url(endpoint.path),
                params={"pageSize": 1, "fields": "id"},
                headers=client.headers,
                accept=(200, 403),
                decode=lambda body: body,
            )
            if response.status_code == 403:
                denied.append(f"/{endpoint.path}")
        _, page = client.get(
            TIME_ENTRIES.path,
            decode=list_decoder(TIME_ENTRIES.table),
            params={"pageSize": _COST_SAMPLE, "orderBy": "id desc"},
        )
    except ConnectorError as error:
        return [Check(Status.FAIL, "connectwise connection", str(error), "check the CONNECTWISE_* settings")]
    finally:
        client.close()
    site = config.base_url.split("/apis/")[0]
    checks = [Check(Status.OK, "connectwise connection", f"{config.company_id} at {site}")]
    if denied:
        checks.append(
            Check(
                Status.FAIL,
                "connectwise access",
                f"the API member may not read {', '.join(denied)}",
                "give its security role Inquire access to those areas",
            )
        )
    else:
        checks.append(Check(Status.OK, "connectwise access", f"all {len(ENDPOINTS)} lists readable"))
    entries = items_of(page)
    missing = entries.field("hourlyCost").null_count if len(entries) else 0
    total = len(entries)
    if total and missing == total:
        checks.append(
            Check(
                Status.WARN,
                "connectwise cost rates",
                f"none of the {total} latest time entries has its hourlyCost: the role hides cost",
                "let the API member's role see cost (else every hour costs the member's current rate)",
            )
        )
    else:
        without = f"; {missing} without one are costed at the member's current rate" if missing else ""
        checks.append(
            Check(
                Status.OK,
                "connectwise cost rates",
                f"{total - missing} of the {total} latest time entries carry their cost{without}",
            )
        )
    return checks
