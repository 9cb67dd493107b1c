"""When the digest and the weekly report go out, and to whom: what the Dagster sensor and the
``milemarker digest`` command call.

After the day's run of the newest as-of day succeeds, the digest of that day (and, on the
settings' weekday, the weekly report) goes to every channel of the ``alerts`` block, once per day:
the state file remembers the last day each was sent for, so a rerun of the day, a second
successful run or a sensor evaluated twice sends nothing new. Runs of earlier days (a catch-up or
a backfill) send nothing: yesterday's news is not news. A message that fails on a channel is
logged and not retried (as alerts are not).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from dagster_project.alerts.secrets import known_secrets
from dagster_project.alerts.service import usable_settings
from dagster_project.alerts.settings import DigestSettings
from dagster_project.alerts.state import AlertState
from dagster_project.config.organisation import load_organisation
from dagster_project.digest.daily import read_daily_digest
from dagster_project.digest.messages import Message, daily_message, send_message, weekly_message
from dagster_project.digest.weekly import read_weekly_report


def digest_messages(
    warehouse: Path, goals_file: Path, settings: DigestSettings, *, weekly: bool | None = None
) -> tuple[date, list[Message]]:
    """The warehouse's as-of day and the messages due for it: the digest when ``daily`` is on, the
    weekly report on its weekday. ``weekly`` True or False (a preview's choice) includes the digest
    and forces the report in or out."""
    digest = read_daily_digest(warehouse, goals_file)
    messages = [daily_message(digest)] if settings.daily or weekly is not None else []
    if weekly if weekly is not None else settings.weekly_on(digest.as_of):
        currency = load_organisation(goals_file).currency
        messages.append(weekly_message(read_weekly_report(warehouse, currency)))
    return digest.as_of, messages


def send_digests(
    *,
    as_of: date,
    warehouse: Path,
    goals_file: Path,
    dagster_home: Path,
    environ: Mapping[str, str],
    now: datetime,
    log: logging.Logger,
) -> dict[str, dict[str, str]] | None:
    """Send what is due after a successful run of ``as_of`` and not sent yet for that day: each
    message's name and its per-channel results. None when there are no channels (or their settings
    are invalid, logged)."""
    settings = usable_settings(goals_file, log)
    if settings is None:
        return None
    built, messages = digest_messages(warehouse, goals_file, settings.digest)
    if built != as_of:
        log.info(
            "digest: the warehouse is as of %s, not %s (a later run built it): nothing sent", built, as_of
        )
        return {}
    state = AlertState.under(dagster_home)
    due = state.observe([(f"digest:{message.name}", as_of.isoformat()) for message in messages], now)
    secrets = known_secrets(settings, environ)
    results = {}
    for message in messages:
        if f"digest:{message.name}" in due:
            results[message.name] = send_message(message, settings.channels, environ, secrets, now)
    return results
