"""The daily run's partitions: one per as-of day, in the organisation's time zone.

``materialize_all`` is partitioned by day (its config is a :class:`dagster.PartitionedConfig`): the
partition key is the as-of day, the day dbt computes the marts for (``as_of_date``) and, when a
source reads the embedded sandbox, the day the simulated business stands at, so a run for a past
day serves and lands that day's data. The assets themselves stay unpartitioned: the raw tables
are merged incrementally and the marts are rebuilt whole; what a partition records is which days
the daily run succeeded for. So the UI (Jobs -> materialize_all -> Partitions) shows every day's
run, and a missed or failed day is one click (or ``dagster job backfill``) to run again; the schedule
catches up missed days by itself (:mod:`dagster_project.defs.schedules`, :func:`days_to_run`).

A run without a partition (``make demo``, a launch from the Launchpad with run config) is still
allowed and takes its as-of day from the sandbox or today, as before.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

import dagster as dg

from dagster_project.config.run_schedule import DailyRun

PARTITION_TAG = "dagster/partition"
"""Dagster's own tag for the partition a run is for (here: its as-of day)."""


def as_of_partitions(daily: DailyRun, organisation_timezone: str) -> dg.DailyPartitionsDefinition:
    """Days from ``partitions_from`` through today (``end_offset=1``: today's day is a partition as
    soon as it starts where the organisation is, so the morning run is for today)."""
    return dg.DailyPartitionsDefinition(
        start_date=daily.partitions_from.isoformat(), timezone=organisation_timezone, end_offset=1
    )


def as_of_run_config(partition_key: str, dbt_op: str) -> dict[str, Any]:
    """The run config of the run for one as-of day: dbt's ``as_of_date`` (of the ``dbt_op`` step)
    and the sandbox's day.

    The sandbox's day is set even when no source reads it (it is then never started), so a run for
    a past day is consistent whichever sources are real.
    """
    day = date.fromisoformat(partition_key).isoformat()
    return {
        "ops": {dbt_op: {"config": {"as_of_date": day}}},
        "resources": {"sandbox": {"config": {"as_of": day}}},
    }


def as_of_partitioned_config(partitions: dg.DailyPartitionsDefinition, dbt_op: str) -> dg.PartitionedConfig:
    """The partitioned run config of the daily job (:func:`as_of_run_config` per day)."""
    return dg.PartitionedConfig(
        partitions_def=partitions, run_config_for_partition_key_fn=partial(as_of_run_config, dbt_op=dbt_op)
    )


def days_to_run(as_of: date, last_success: date | None, catch_up_days: int, first_day: date) -> list[date]:
    """The as-of days a tick for ``as_of`` launches, oldest first: the days missed since the last
    one that succeeded (at most ``catch_up_days`` back, never before ``first_day``), then ``as_of``.

    With no success on record (a new install) only ``as_of`` runs: a first tick is not a backfill.
    ``as_of`` itself always runs: the tick is the day's run, whatever ran for the day before it.
    """
    if last_success is None:
        return [as_of]
    start = max(last_success + timedelta(days=1), as_of - timedelta(days=catch_up_days), first_day)
    return [start + timedelta(days=offset) for offset in range(max((as_of - start).days, 0))] + [as_of]
