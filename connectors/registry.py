"""Every source Milemarker lands, in one place: the orchestrator, checks and docs test iterate this.

Adding a source is a connector package with a ``CATALOG``, one entry here, and the Dagster
resource named by ``resource_key`` (``dagster_project/defs/resources.py``), whose ``streams()``
returns the connector's streams. The key is a plain string so the connectors stay free of Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.catalog import SourceCatalog
from connectors.connectwise.catalog import CATALOG as CONNECTWISE
from connectors.hubspot.catalog import CATALOG as HUBSPOT
from connectors.xero.catalog import CATALOG as XERO


@dataclass(frozen=True)
class Source:
    """A catalogue and the resource that reads it."""

    catalog: SourceCatalog
    resource_key: str


SOURCES: tuple[Source, ...] = (
    Source(HUBSPOT, resource_key="hubspot"),
    Source(XERO, resource_key="xero"),
    Source(CONNECTWISE, resource_key="connectwise"),
)
