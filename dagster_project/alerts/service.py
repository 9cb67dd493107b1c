"""From what a run did to what is sent: what the Dagster sensors call (:func:`alert_on_run`,
:func:`release_held`), and the channel test (:func:`send_test_alert`).

Settings are read from goals.yml on every call, so editing the alerts block takes effect at the
next sensor tick with no reload. A file whose alerts block is invalid (or that cannot be read)
logs the located mistakes and sends nothing; the run that finished is not affected either way. No
block at all means no alerting, and nothing is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from dagster_project.alerts.channels import ChannelError, sender_for
from dagster_project.alerts.dispatch import Delivery, Dispatcher
from dagster_project.alerts.events import TEST, Alert, AlertSeverity, Fact
from dagster_project.alerts.goal_alerts import goal_alert, goal_state
from dagster_project.alerts.outcomes import CheckOutcome
from dagster_project.alerts.quality_alerts import check_state, quality_alert
from dagster_project.alerts.run_alerts import EndedRun, run_alert
from dagster_project.alerts.secrets import known_secrets
from dagster_project.alerts.settings import AlertSettings, load_alert_settings
from dagster_project.alerts.state import AlertState
from dagster_project.config.goals_source import GoalsFileError
from dagster_project.config.organisation import Organisation, load_organisation


def alert_on_run(
    ended: EndedRun | None,
    outcomes: Sequence[CheckOutcome],
    *,
    goals_file: Path,
    dagster_home: Path,
    now: datetime,
    environ: Mapping[str, str],
    log: logging.Logger,
) -> Delivery | None:
    """Alert on a finished run: its end if it failed or was canceled (``ended``), and the changes in
    its checks' outcomes. None when alerts are not configured or their settings are invalid."""
    dispatcher = load_dispatcher(goals_file, dagster_home, environ, log)
    if dispatcher is None:
        return None
    alerts = raise_alerts(ended, outcomes, dispatcher.state, dispatcher.secrets, now)
    return dispatcher.dispatch(alerts, now)


def release_held(
    *, goals_file: Path, dagster_home: Path, now: datetime, environ: Mapping[str, str], log: logging.Logger
) -> Delivery | None:
    """Send the alerts held during quiet hours that are now due (None: alerts not configured)."""
    dispatcher = load_dispatcher(goals_file, dagster_home, environ, log)
    return None if dispatcher is None else dispatcher.dispatch([], now)


def send_test_alert(goals_file: Path, environ: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Send one test alert to every channel at once, whatever ``on``, the cap and quiet hours say
    (nothing is recorded): each channel's label and ``sent`` or its redacted error.

    Raises ``GoalsFileError`` when the alerts block is invalid; an empty result means there is none.
    """
    settings = load_alert_settings(goals_file)
    if settings is None:
        return {}
    secrets = known_secrets(settings, environ)
    alert = Alert(
        kind=TEST,
        severity=AlertSeverity.INFO,
        title="Test alert from Milemarker",
        text=f"This channel is set up: alerts from {goals_file.name} will arrive here.",
        raised_at=now,
        facts=(Fact("Goals file", str(goals_file)),),
    )
    results = {}
    for channel in settings.channels:
        try:
            warning = sender_for(channel, environ, secrets).send(alert)
        except ChannelError as error:
            results[channel.key] = f"failed: {error}"
        else:
            results[channel.key] = f"sent ({warning})" if warning else "sent"
    return results


def raise_alerts(
    ended: EndedRun | None,
    outcomes: Sequence[CheckOutcome],
    state: AlertState,
    secrets: frozenset[str],
    now: datetime,
) -> list[Alert]:
    """Record the run's end and each check's state; the alerts for what changed, run first."""
    latest = {outcome.subject: outcome for outcome in outcomes}  # a check evaluated twice: its last word
    observations = [
        (subject, goal_state(outcome) if outcome.is_goal else check_state(outcome))
        for subject, outcome in latest.items()
    ]
    if ended is not None:
        observations.append((ended.subject, ended.end.value))
    changed = state.observe(observations, now)
    alerts = [run_alert(ended, secrets, now)] if ended is not None and ended.subject in changed else []
    for subject, outcome in latest.items():
        if subject not in changed:
            continue
        previous = changed[subject]
        alert = (
            goal_alert(outcome, previous, now)
            if outcome.is_goal
            else quality_alert(outcome, previous, secrets, now)
        )
        if alert is not None:
            alerts.append(alert)
    return alerts


def load_dispatcher(
    goals_file: Path, dagster_home: Path, environ: Mapping[str, str], log: logging.Logger
) -> Dispatcher | None:
    """The dispatcher for the file's alerts block as it is now; None (logged) when there is none to use."""
    settings = usable_settings(goals_file, log)
    if settings is None:
        return None
    return Dispatcher(
        settings=settings,
        state=AlertState.under(dagster_home),
        timezone=_organisation_zone(goals_file, log),
        environ=environ,
        secrets=known_secrets(settings, environ),
        log=log,
    )


def usable_settings(goals_file: Path, log: logging.Logger) -> AlertSettings | None:
    """The file's alerts block; None when there is none, or (logged) when it cannot be used."""
    try:
        return load_alert_settings(goals_file)
    except (GoalsFileError, OSError) as error:
        log.error("alerts: nothing sent, the alerts settings cannot be used: %s", error)
        return None


def _organisation_zone(goals_file: Path, log: logging.Logger) -> ZoneInfo:
    """The organisation's time zone; while its block is invalid, the default zone (logged): alerts
    about a broken file matter more than their day boundary."""
    try:
        return ZoneInfo(load_organisation(goals_file).timezone)
    except ValidationError as error:
        default = Organisation().timezone
        log.warning(
            "alerts: the organisation block is invalid, days and quiet hours use %s: %s", default, error
        )
        return ZoneInfo(default)
