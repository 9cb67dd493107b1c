"""HubSpot CRM: one landing asset per raw table, grouped per stream (see ``defs/streams.py``)."""

import dagster as dg

from dagster_project.defs.streams import stream_assets

HUBSPOT_STREAMS = {
    "owners": ("owners",),
    "deal_pipelines": ("deal_pipelines", "deal_pipeline_stages"),
    "exchange_rates": ("exchange_rates",),
    "contacts": ("contacts",),
    "companies": ("companies",),
    "deals": ("deals", "deal_stage_history"),
    "calls": ("calls",),
    "emails": ("emails",),
    "meetings": ("meetings",),
    "tasks": ("tasks",),
    "associations": ("deal_companies", "deal_contacts", "contact_companies"),
}
"""Stream -> raw tables, as documented in docs/raw-tables.md."""


@dg.definitions
def hubspot_assets() -> dg.Definitions:
    return dg.Definitions(assets=stream_assets("hubspot", "hubspot", HUBSPOT_STREAMS))
