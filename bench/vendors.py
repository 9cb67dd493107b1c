"""The vendors the benchmark measures, and which of them the ours-vs-dlt comparison covers.

Kept apart from :mod:`bench.runner` so the report (a pure function of the results) can name them
without importing what runs the measurements.
"""

from __future__ import annotations

VENDORS = ("hubspot", "xero", "connectwise")
"""Every vendor our ingest reads, as its streams' ``vendor`` and the sandbox's request counts name it."""
COMPARED_VENDORS = ("hubspot", "xero")
"""The vendors dlt reads too (:mod:`bench.dlt_source`): every ours-vs-dlt figure sums these alone,
so both sides of a ratio cover the same APIs (ours' grand total also has ConnectWise)."""
LABELS = {"hubspot": "HubSpot", "xero": "Xero", "connectwise": "ConnectWise"}
COMPARED_LABEL = " + ".join(LABELS[vendor] for vendor in COMPARED_VENDORS)
