"""Sales reps and the HubSpot records (companies, contacts) every other generator builds on.

Kept apart because all generators create records through ``_new``/``_associate``, which enforce one
property layout per object type, and pick owners through ``_owner_at``.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sandbox.simulation import names
from sandbox.simulation.clock import DAY_MS, hs_datetime, rng_for
from sandbox.simulation.entities import CrmRecord, Owner, Ref
from sandbox.simulation.params import REP_LEAVES_AFTER_DAYS, REP_PROFILES, REPS_PER_SCALE, LeadSource
from sandbox.simulation.timeline.base import TimelineState


class RecordsMixin(TimelineState):
    """Owners, companies and contacts, and the low-level record and association writers."""

    # -- people ------------------------------------------------------------------------------
    def _owners(self) -> list[Owner]:
        """The reps, plus one hired to replace the rep who leaves (index ``count``)."""
        rng = rng_for(self.seed, "owners")
        count = max(2, round(REPS_PER_SCALE * self.scale))
        leaver = 1
        leave_ms = self.calendar.at(self.start + timedelta(days=REP_LEAVES_AFTER_DAYS), 17 * 3600)
        owners = []
        for index in range(count + 1):
            first, last = names.person(rng)
            profile = REP_PROFILES[index % len(REP_PROFILES)]
            hired = self.start - timedelta(days=rng.randint(20, 50)) if index < count else None
            created = self.calendar.at(hired, 10 * 3600) if hired else leave_ms + 3 * DAY_MS
            owners.append(
                Owner(
                    index=index,
                    id=rng.randint(10_000_000, 99_999_999),
                    user_id=rng.randint(1_000_000, 9_999_999),
                    first_name=first,
                    last_name=last,
                    email=f"{first.lower()}.{last.lower()}{index}@northbridge-it.com",
                    created_ms=created,
                    archived_ms=leave_ms if index == leaver else None,
                    lead_weight=profile.lead_weight,
                    activity_level=profile.activity_level,
                    connect_skill=profile.connect_skill,
                )
            )
        return owners

    def _owner_at(self, ms: int, rng: random.Random, preferred: Owner | None = None) -> Owner:
        """The preferred owner if still employed at ``ms``, else a weighted pick among active reps."""

        def active(o: Owner) -> bool:
            return o.created_ms <= ms and (o.archived_ms is None or o.archived_ms > ms)

        if preferred is not None and active(preferred):
            return preferred
        pool = [o for o in self.owners if active(o)]
        return rng.choices(pool, weights=[o.lead_weight for o in pool])[0]

    # -- HubSpot records -----------------------------------------------------------------------
    def _new(self, object_type: str, created_ms: int, values: dict[str, Any]) -> CrmRecord:
        """Append a record, checking every record of a type shares one property layout."""
        fields = self._fields.get(object_type)
        if fields is None:
            fields = self._fields[object_type] = {name: i for i, name in enumerate(values)}
        if len(values) != len(fields) or any(fields.get(name) != i for i, name in enumerate(values)):
            raise ValueError(f"{object_type} record built with a different property layout")
        records = self.records[object_type]
        record = CrmRecord(len(records), created_ms, fields, tuple(values.values()))
        records.append(record)
        return record

    def _associate(self, from_type: str, from_serial: int, to_type: str, to_serial: int) -> None:
        """Store an association in the direction the timeline keeps (``ASSOCIATION_PAIRS``)."""
        self.associations[(from_type, to_type)].append((from_serial, to_serial))

    def _company(
        self,
        rng: random.Random,
        ms: int,
        owner: Owner,
        source: str | None,
        canadian: bool,
        stage: str = "lead",
    ) -> CrmRecord:
        """A company record for a lead, in the US or Canada."""
        serial = len(self.records["companies"])
        name = names.company_name(serial, self.seed)
        city = rng.choice([c for c in names.CITIES if (c[2] == "Canada") == canadian])
        return self._new(
            "companies",
            ms,
            {
                "name": name,
                "domain": names.domain_for(name),
                "industry": rng.choice(names.INDUSTRIES),
                "numberofemployees": str(rng.choice((8, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150))),
                "city": city[0],
                "state": city[1],
                "country": city[2],
                "lifecyclestage": stage,
                "xero_contact_id": None,
                "lead_source": source,
                "hubspot_owner_id": str(owner.id),
                "hs_merged_object_ids": None,
                "createdate": hs_datetime(ms),
            },
        )

    def _contact(
        self,
        rng: random.Random,
        ms: int,
        owner: Owner,
        stage: str,
        first: str,
        last: str,
        email: str,
        company: CrmRecord | None,
        source: LeadSource | None,
    ) -> CrmRecord:
        """A contact record, stamped with the lifecycle date of the stage it starts in."""
        values: dict[str, Any] = {
            "firstname": first,
            "lastname": last,
            "email": email,
            "phone": f"+1 {rng.randint(201, 989)}-555-{rng.randint(0, 9999):04d}",
            "jobtitle": rng.choice(names.JOB_TITLES),
            "company": company.get("name") if company else None,
            "lifecyclestage": stage,
            "hs_lead_status": "NEW" if stage == "lead" else None,
            "hs_analytics_source": rng.choice(source.analytics_sources) if source else "OFFLINE",
            "lead_source": source.name if source else None,
            "associatedcompanyid": Ref("companies", company.serial) if company else None,
            "hubspot_owner_id": str(owner.id),
            "hs_merged_object_ids": None,
            "createdate": hs_datetime(ms),
            "hubspotscore": "0",
        }
        for step in ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"):
            values[f"hs_lifecyclestage_{step}_date"] = hs_datetime(ms) if step == stage else None
        record = self._new("contacts", ms, values)
        if company is not None:
            self._associate("contacts", record.serial, "companies", company.serial)
        return record

    @staticmethod
    def _stage(contact: CrmRecord, company: CrmRecord | None, stage: str, ms: int) -> None:
        """Move a contact (and its company) to a lifecycle stage at ``ms``."""
        contact.change(ms, "lifecyclestage", stage)
        contact.change(ms, f"hs_lifecyclestage_{stage}_date", hs_datetime(ms))
        if company is not None:
            company.change(ms, "lifecyclestage", stage)
