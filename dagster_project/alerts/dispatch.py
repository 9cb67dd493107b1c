"""Who gets which alert, when: the ``on`` filter, quiet hours, the daily cap, and channel failures.

* ``on`` selects the kinds of alert sent; the rest are dropped here (their state is still recorded,
  so turning a kind on later does not replay old news).
* During quiet hours (organisation time zone) new alerts are held in the state file until the quiet
  span ends; the first dispatch after that -- a run finishing, or the ``alerts_release_held``
  sensor's tick -- sends them, oldest first, ahead of any new ones.
* Each channel sends at most ``daily_cap`` alerts a day (organisation time zone). The first time
  alerts are suppressed on a day, the channel gets one extra note saying how many; later ones that
  day are counted in the state file only. A storm of alerts (a broken source failing every check)
  therefore costs a channel ``daily_cap + 1`` messages.
* A channel failure is logged (redacted) and never raised: that channel stops for the rest of this
  batch -- a dead endpoint would otherwise cost a timeout per alert and the sensor tick its deadline
  -- and every other channel still gets every alert. Failed alerts are not sent again later (HTTP
  retries a busy answer within the send: :mod:`dagster_project.alerts.channels`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from connectors.redaction import excerpt
from dagster_project.alerts.channels import ChannelError, Sender, sender_for
from dagster_project.alerts.events import SUPPRESSED, Alert, AlertSeverity
from dagster_project.alerts.settings import AlertSettings, Channel
from dagster_project.alerts.state import AlertState


@dataclass
class Delivery:
    """What one dispatch did: counts per channel (by its log label), and alerts held or dropped."""

    sent: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    suppressed: Counter[str] = field(default_factory=Counter)
    held: int = 0
    dropped: int = 0
    """Held alerts that did not fit in the state file's bound (logged)."""

    def summary(self) -> str:
        """One line for a sensor's log: ``sent slack:...=3; failed email:...=1``."""
        parts = [
            f"{what} " + ", ".join(f"{label}={count}" for label, count in sorted(counts.items()))
            for what, counts in (
                ("sent", self.sent),
                ("failed", self.failed),
                ("suppressed", self.suppressed),
            )
            if counts
        ]
        if self.held:
            parts.append(f"held {self.held} for the end of quiet hours")
        return "; ".join(parts) or "nothing to send"


@dataclass(frozen=True)
class Dispatcher:
    """Everything a dispatch needs besides the alerts: settings, state, clock zone, environment."""

    settings: AlertSettings
    state: AlertState
    timezone: ZoneInfo
    environ: Mapping[str, str]
    secrets: frozenset[str]
    log: logging.Logger

    def dispatch(self, alerts: Sequence[Alert], now: datetime) -> Delivery:
        """Send ``alerts`` (those ``on`` selects) and the held alerts now due, or hold them if quiet."""
        delivery = Delivery()
        wanted = [alert for alert in alerts if alert.kind in self.settings.on]
        local = now.astimezone(self.timezone)
        quiet = self.settings.quiet_hours
        if quiet is not None and quiet.holds(local.time()):
            if wanted:
                delivery.held = len(wanted)
                delivery.dropped = self.state.hold(wanted, quiet.ends_after(local))
                if delivery.dropped:
                    self.log.error("alerts: %d alert(s) dropped: too many already held", delivery.dropped)
            return delivery
        batch = [alert for alert in self.state.release(now) if alert.kind in self.settings.on] + wanted
        if batch:
            for channel in self.settings.channels:
                try:
                    self._deliver(channel, batch, local, delivery)
                except Exception as error:  # a bug in one channel must not cost the others their alerts
                    self.log.error(
                        "alerts: %s failed unexpectedly: %s", channel.key, excerpt(repr(error), self.secrets)
                    )
                    delivery.failed[channel.key] += 1
        return delivery

    def _deliver(self, channel: Channel, batch: Sequence[Alert], local: datetime, delivery: Delivery) -> None:
        try:
            sender = sender_for(channel, self.environ, self.secrets)
        except ChannelError as error:
            self.log.error(
                "alerts: %s cannot send (%d alert(s) not sent): %s", channel.key, len(batch), error
            )
            delivery.failed[channel.key] += len(batch)
            return
        allowance = self.state.take(channel.key, local.date(), len(batch), self.settings.daily_cap)
        if suppressed := len(batch) - allowance.allowed:
            delivery.suppressed[channel.key] += suppressed
        if _send_all(sender, batch[: allowance.allowed], delivery, self.log) and allowance.note_due:
            note = cap_note(allowance.suppressed_today, self.settings.daily_cap, local)
            _send_all(sender, [note], delivery, self.log)


def _send_all(sender: Sender, alerts: Iterable[Alert], delivery: Delivery, log: logging.Logger) -> bool:
    """Send in order; on the first failure log it, count the rest as failed and return False."""
    pending = list(alerts)
    for index, alert in enumerate(pending):
        try:
            warning = sender.send(alert)
        except ChannelError as error:
            unsent = len(pending) - index
            log.error("alerts: %s failed; %d alert(s) not sent: %s", sender.label, unsent, error)
            delivery.failed[sender.label] += unsent
            return False
        if warning:
            log.warning("alerts: %s: %s", sender.label, warning)
        delivery.sent[sender.label] += 1
    return True


def cap_note(suppressed_today: int, cap: int, local: datetime) -> Alert:
    """The one note a channel gets on a day its cap is reached."""
    return Alert(
        kind=SUPPRESSED,
        severity=AlertSeverity.INFO,
        title=f"{suppressed_today} more alert(s) suppressed today",
        text=(
            f"This channel reached its daily cap of {cap} alerts on {local:%d %b %Y}; {suppressed_today} "
            "more were not sent, and any later ones today will not be either, without another note. "
            "The Dagster UI lists every run and check. If days like this are routine, raise "
            "alerts.daily_cap in goals.yml."
        ),
        raised_at=local,
    )
