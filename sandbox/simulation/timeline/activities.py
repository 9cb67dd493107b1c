"""Sales activities: the calls, emails and tasks of prospecting, and the meetings of a deal.

Separate from the lead and deal generators because these are the bulk of the HubSpot records and
have their own realism (dispositions weighted by rep skill, call durations, meeting outcomes).
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.simulation.clock import DAY_MS, hs_datetime
from sandbox.simulation.entities import CrmRecord, Owner
from sandbox.simulation.params import ACTIVITY, CALL_DISPOSITIONS
from sandbox.simulation.timeline.base import MINUTE, lag_ms, poisson
from sandbox.simulation.timeline.records import RecordsMixin

_CALL_SECONDS = {"Connected": (120, 1500), "Left voicemail": (25, 70), "Left live message": (30, 120)}
"""Call duration range by disposition (others: 0-30 s of ringing)."""


class ActivitiesMixin(RecordsMixin):
    """Activity records associated to the contact they were spent on."""

    def _activity(
        self, object_type: str, contact: CrmRecord, created: int, values: dict[str, Any]
    ) -> CrmRecord:
        """Create an activity record already associated to the contact it concerns."""
        record = self._new(object_type, created, values)
        self._associate(object_type, record.serial, "contacts", contact.serial)
        return record

    def _prospecting(
        self, rng: random.Random, contact: CrmRecord, owner: Owner, start: int, end: int, outbound: bool
    ) -> None:
        """Calls, emails and tasks a rep spends on a lead while working it."""
        level = owner.activity_level
        window = max(end - start, DAY_MS)
        who = f"{contact.get('firstname')} {contact.get('lastname')}"
        calls = poisson(
            rng, (ACTIVITY.calls_per_lead + (ACTIVITY.outbound_extra_calls if outbound else 0)) * level
        )
        cum_weights = self._disposition_weights[owner.index]
        for _ in range(calls):
            ms = start + int(rng.random() * window)
            label, disposition, status, _ = rng.choices(CALL_DISPOSITIONS, cum_weights=cum_weights)[0]
            inbound = label == "Connected" and rng.random() < 0.15
            low, high = _CALL_SECONDS.get(label, (0, 30))
            duration = rng.randint(low, high)
            self._activity(
                "calls",
                contact,
                ms + duration * 1000,
                {
                    "hs_timestamp": hs_datetime(ms),
                    "hs_call_title": f"Call with {who}",
                    "hs_call_direction": "INBOUND" if inbound else "OUTBOUND",
                    "hs_call_disposition": disposition,
                    "hs_call_duration": str(duration * 1000),
                    "hs_call_status": status,
                    "hubspot_owner_id": str(owner.id),
                    "hs_createdate": hs_datetime(ms + duration * 1000),
                },
            )
        for _ in range(poisson(rng, ACTIVITY.emails_per_lead * level)):
            ms = start + int(rng.random() * window)
            direction = rng.choices(("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"), weights=(75, 20, 5))[0]
            bounced = direction == "EMAIL" and rng.random() < ACTIVITY.bounce_rate
            self._activity(
                "emails",
                contact,
                ms,
                {
                    "hs_timestamp": hs_datetime(ms),
                    "hs_email_subject": rng.choice(
                        (
                            "Quick question about your IT",
                            "Following up",
                            "Re: IT support options",
                            "Managed services overview",
                            "Security assessment offer",
                        )
                    ),
                    "hs_email_direction": direction,
                    "hs_email_status": "BOUNCED" if bounced else "SENT",
                    "hubspot_owner_id": str(owner.id),
                    "hs_createdate": hs_datetime(ms),
                },
            )
        for _ in range(poisson(rng, ACTIVITY.tasks_per_lead * level)):
            ms = start + int(rng.random() * window)
            task = self._activity(
                "tasks",
                contact,
                ms,
                {
                    "hs_timestamp": hs_datetime(ms + 2 * DAY_MS),
                    "hs_task_subject": f"Follow up with {who}",
                    "hs_task_status": "NOT_STARTED",
                    "hs_task_type": rng.choice(("CALL", "EMAIL", "TODO")),
                    "hs_task_priority": rng.choice(("LOW", "MEDIUM", "HIGH")),
                    "hubspot_owner_id": str(owner.id),
                    "hs_createdate": hs_datetime(ms),
                },
            )
            roll = rng.random()
            if roll < 0.8:
                task.change(ms + lag_ms(rng, 2), "hs_task_status", "COMPLETED")
            elif roll < 0.9:
                task.change(ms + lag_ms(rng, 3), "hs_task_status", "DEFERRED")

    def _meetings(
        self,
        rng: random.Random,
        deal: CrmRecord,
        path: list[tuple[int, str]],
        contact: CrmRecord,
        owner: Owner,
    ) -> None:
        """The first appointment booked when the deal is created, and a follow-up at the presentation."""
        company = deal.get("dealname").split(" - ")[0]
        booked = [(path[0][0], "First appointment", f"Discovery meeting - {company}")]
        booked += [
            (ms, "Follow-up", f"Proposal walkthrough - {company}")
            for ms, stage in path
            if stage == "presentationscheduled"
        ][:1]
        for ms, kind, title in booked:
            start = ms + int(rng.uniform(1, 6) * DAY_MS)
            end = start + rng.choice((30, 45, 60)) * MINUTE
            meeting = self._activity(
                "meetings",
                contact,
                ms,
                {
                    "hs_timestamp": hs_datetime(start),
                    "hs_meeting_title": title,
                    "hs_meeting_start_time": hs_datetime(start),
                    "hs_meeting_end_time": hs_datetime(end),
                    "hs_meeting_outcome": "SCHEDULED",
                    "hs_activity_type": kind,
                    "hubspot_owner_id": str(owner.id),
                    "hs_createdate": hs_datetime(ms),
                },
            )
            roll = rng.random()
            outcome = (
                "NO_SHOW"
                if roll < ACTIVITY.no_show_rate
                else "RESCHEDULED"
                if roll < ACTIVITY.no_show_rate + ACTIVITY.reschedule_rate
                else "COMPLETED"
            )
            meeting.change(end, "hs_meeting_outcome", outcome)
