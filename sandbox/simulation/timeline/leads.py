"""Origins: leads arriving each day and everything they turn into, plus the opening book.

Every life of the business starts here; a qualified lead becomes new business (a deal, maybe a
client), so this mixin sits on top of all the others. New business lives here rather than in
``deals`` because it creates clients, and clients create (upsell) deals.
"""

from __future__ import annotations

import math
import random
from datetime import date

from sandbox.hubspot.fx import FOREIGN_CURRENCY, HOME_CURRENCY
from sandbox.simulation import names
from sandbox.simulation.clock import DAY_MS, rng_for
from sandbox.simulation.entities import CrmRecord, LeadFact, Owner, Ref, RefList
from sandbox.simulation.params import (
    CLIENT_SHAPE,
    DUPLICATE_CONTACT_RATE,
    LAGS,
    LEAD_SOURCES,
    MONTH_WEIGHTS,
    WEEKDAY_WEIGHTS,
    LeadSource,
)
from sandbox.simulation.timeline.base import HOUR, lag_ms, poisson
from sandbox.simulation.timeline.clients import ClientsMixin


def _office_seconds(rng: random.Random) -> float:
    """Seconds after local midnight for something done in office hours (08:00-18:00, some to 21:30)."""
    if rng.random() < 0.9:
        return 8 * 3600 + rng.random() * 10 * 3600
    return 18 * 3600 + rng.random() * 3.5 * 3600


class LeadsMixin(ClientsMixin):
    """Lead arrivals, their lifecycle, duplicates, new business and the clients already on the books."""

    def _leads_of(self, day: date) -> None:
        """Every lead arriving on ``day``: a seasonal, growing Poisson count per lead source."""
        growth = self.growth(day)
        seasonal = WEEKDAY_WEIGHTS[day.weekday()] * MONTH_WEIGHTS[day.month - 1] * growth * self.scale
        seasonal *= self.volume_factor(day)
        for source_index, source in enumerate(LEAD_SOURCES):
            lam = source.monthly_leads * 12 / 365.25 * seasonal
            count = poisson(rng_for(self.seed, "arrivals", day.toordinal(), source_index), lam)
            for i in range(count):
                self._lead(rng_for(self.seed, "lead", day.toordinal(), source_index, i), day, source)

    def _lead(self, rng: random.Random, day: date, source: LeadSource) -> None:
        """One lead's whole life: junk or a company contact, its lifecycle, prospecting and duplicates."""
        t0 = self.calendar.at(day, _office_seconds(rng))
        owner = self._owner_at(t0, rng)
        first, last = names.person(rng)
        if rng.random() < source.junk_rate:
            email = f"{first.lower()}{rng.randint(1, 9999)}@{rng.choice(names.FREE_MAIL)}"
            junk = self._contact(rng, t0, owner, "lead", first, last, email, None, source)
            junk.archived_ms = t0 + lag_ms(rng, LAGS.junk_archive)
            self.lead_facts.append(
                LeadFact(junk.serial, source.name, owner.index, t0, archived_ms=junk.archived_ms)
            )
            return
        canadian = rng.random() < CLIENT_SHAPE.cad_share
        company = self._company(rng, t0, owner, source.name, canadian)
        email = f"{first.lower()}.{last.lower()}@{company.get('domain')}"
        contact = self._contact(rng, t0, owner, "lead", first, last, email, company, source)
        fact = LeadFact(contact.serial, source.name, owner.index, t0)
        self.lead_facts.append(fact)

        qualified = rng.random() < source.qualify_rate
        via_mql = rng.random() < source.mql_rate
        t = t0
        if via_mql:
            t += lag_ms(rng, LAGS.lead_to_mql)
            self._stage(contact, company, "marketingqualifiedlead", t)
            contact.change(t, "hs_lead_status", "IN_PROGRESS")
        work_end = t0 + 21 * DAY_MS
        if qualified:
            t += lag_ms(rng, LAGS.mql_to_sql if via_mql else LAGS.lead_to_sql_direct)
            self._stage(contact, company, "salesqualifiedlead", t)
            contact.change(t, "hs_lead_status", "CONNECTED")
            fact.qualified_ms = work_end = t
            if rng.random() < source.appointment_rate:
                t += lag_ms(rng, LAGS.sql_to_appointment)
                self._new_business(rng, t, contact, company, owner, source, fact, canadian)
            else:
                contact.change(t + lag_ms(rng, 20), "hs_lead_status", "BAD_TIMING")
        else:
            contact.change(max(t, t0) + lag_ms(rng, 25), "hs_lead_status", "UNQUALIFIED")
        self._prospecting(rng, contact, owner, t0, work_end, source.name == "outbound")
        if rng.random() < DUPLICATE_CONTACT_RATE:
            self._duplicate(rng, contact, company, owner, source, t0)

    def _duplicate(
        self,
        rng: random.Random,
        winner: CrmRecord,
        company: CrmRecord,
        owner: Owner,
        source: LeadSource,
        t0: int,
    ) -> None:
        """The same person comes back under a personal address; a rep merges them into the original."""
        created = t0 + int(rng.uniform(5, 60) * DAY_MS)
        first, last = winner.get("firstname"), winner.get("lastname")
        email = f"{first.lower()}.{last.lower()}{rng.randint(10, 99)}@{rng.choice(names.FREE_MAIL)}"
        loser = self._contact(rng, created, owner, "lead", first, last, email, company, source)
        merged = created + int(rng.uniform(1, 20) * DAY_MS)
        loser.archived_ms = merged
        winner.change(merged, "hs_merged_object_ids", RefList((Ref("contacts", loser.serial),)))
        self.lead_facts.append(LeadFact(loser.serial, source.name, owner.index, created, archived_ms=merged))

    def _opening_book(self, day: date) -> None:
        """Clients the MSP already had when its CRM history starts (imported on the first day)."""
        count = round(CLIENT_SHAPE.opening_clients * self.scale)
        for i in range(count):
            crng = rng_for(self.seed, "opening", i)
            ms = self.calendar.at(day, 9 * 3600 + i * 7)
            owner = self._owner_at(ms, crng)
            source = crng.choice(LEAD_SOURCES)
            canadian = crng.random() < CLIENT_SHAPE.cad_share
            company = self._company(crng, ms, owner, source.name, canadian, stage="customer")
            first, last = names.person(crng)
            email = f"{first.lower()}.{last.lower()}@{company.get('domain')}"
            contact = self._contact(crng, ms, owner, "customer", first, last, email, company, None)
            mrr = round(crng.lognormvariate(math.log(CLIENT_SHAPE.opening_mrr_median), 0.5) / 25) * 25
            self._client(
                crng,
                company,
                contact,
                ms - 30 * DAY_MS,
                mrr,
                0.0,
                source.name,
                canadian,
                owner,
                first_month=self.start_month,
            )

    def _new_business(
        self,
        rng: random.Random,
        t: int,
        contact: CrmRecord,
        company: CrmRecord,
        owner: Owner,
        source: LeadSource,
        fact: LeadFact,
        canadian: bool,
    ) -> None:
        """An appointment with a qualified lead: the new-business deal and, if won, the client."""
        self._stage(contact, company, "opportunity", t)
        contact.change(t, "hs_lead_status", "OPEN_DEAL")
        fact.appointment_ms = t
        contacts = [contact]
        if rng.random() < 0.5:
            first, last = names.person(rng)
            ms = t + int(rng.uniform(1, 48) * HOUR)
            email = f"{first.lower()}.{last.lower()}@{company.get('domain')}"
            contacts.append(self._contact(rng, ms, owner, "opportunity", first, last, email, company, source))
        to_proposal = rng.random() < source.proposal_rate
        won = to_proposal and rng.random() < source.win_rate
        mrr, project = self._amounts(rng, upsell=False)
        _, deal_fact = self._deal(
            rng,
            t,
            company,
            contacts,
            owner,
            source.name,
            "newbusiness",
            to_proposal,
            won,
            mrr,
            project,
            FOREIGN_CURRENCY if canadian else HOME_CURRENCY,
        )
        fact.proposal_ms = deal_fact.proposal_ms
        if won and deal_fact.close_ms is not None:
            fact.won_ms = deal_fact.close_ms
            for person in contacts:
                self._stage(person, company if person is contact else None, "customer", deal_fact.close_ms)
            self._client(
                rng,
                company,
                contact,
                deal_fact.close_ms,
                mrr,
                project,
                source.name,
                canadian,
                owner,
            )
