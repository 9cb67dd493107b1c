"""Freshness policies (Dagster 1.13's ``FreshnessPolicy``) for every raw table and every mart.

Applied once to the assembled definitions (``definitions.py``) by selection, never per asset, so a
new stream or mart is covered the moment it exists:

- raw tables (every table of every registered source): WARN after 26 hours without a load (one
  daily run missed by a couple of hours), FAIL after 48 (two missed runs);
- marts: expected every day by one hour after the scheduled run, in the schedule's time zone.

Freshness policies supersede freshness checks since 1.12, and in 1.13 the OSS freshness daemon is
on by default (``freshness: enabled`` in dagster.yaml defaults to true), so nothing else is needed
for ``dagster dev`` to evaluate them.
"""

import warnings
from datetime import timedelta

import dagster as dg

from connectors.registry import SOURCES
from dagster_project.config.run_schedule import DailyRun, load_daily_run
from dagster_project.defs.streams import raw_table_keys
from dagster_project.settings import goals_file_path

RAW_ASSETS = dg.AssetSelection.assets(*(key for source in SOURCES for key in raw_table_keys(source.catalog)))
"""The sources' tables, not the whole raw layer: the goals file changes when someone edits it, not daily."""
MART_ASSETS = dg.AssetSelection.key_prefixes(["marts"])
RAW_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=48), warn_window=timedelta(hours=26)
)
MART_DEADLINE_AFTER_RUN = timedelta(hours=1)


def mart_freshness(daily: DailyRun) -> dg.FreshnessPolicy:
    """Marts are due ``MART_DEADLINE_AFTER_RUN`` after the daily run starts, and must be a day fresh."""
    return dg.FreshnessPolicy.cron(
        deadline_cron=daily.cron_after(MART_DEADLINE_AFTER_RUN),
        lower_bound_delta=timedelta(hours=24),
        timezone=daily.timezone,
    )


def with_freshness_policies(defs: dg.Definitions) -> dg.Definitions:
    """``defs`` with the raw and mart freshness policies set on every matching asset spec."""
    marts = mart_freshness(load_daily_run(goals_file_path()))
    with warnings.catch_warnings():
        # The documented way to set policies in bulk; its "preview" label is no news at every load.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return defs.map_resolved_asset_specs(
            func=lambda spec: spec.replace_attributes(freshness_policy=RAW_FRESHNESS), selection=RAW_ASSETS
        ).map_resolved_asset_specs(
            func=lambda spec: spec.replace_attributes(freshness_policy=marts), selection=MART_ASSETS
        )
