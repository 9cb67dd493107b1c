"""The event timeline: every lead, deal, activity and client of the business with its whole future.

Generation walks *origin days* in order. Each origin (a lead arriving, the opening book of clients)
draws everything that will ever happen to it from ``rng_for(seed, kind, day, index)``: its
lifecycle, its deals and their stage paths, its activities, whether it becomes a client, when that
client churns and which upsells it buys. Nothing depends on the clock, so a timeline generated up to
day D and extended to D+5 is identical to one generated up to D+5 directly; the views then show only
what happened before ``now``.

Recurring billing (monthly invoices, licence bills, overheads) is not expanded here: ``ledger``
derives it from the compact ``Client``/``Recurring`` lives on demand.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from sandbox.hubspot.fx import FOREIGN_CURRENCY, HOME_CURRENCY, deal_amount
from sandbox.simulation import names
from sandbox.simulation.clock import DAY_MS, OrgCalendar, hs_datetime, month_index, month_start, rng_for
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.entities import (
    Client,
    CrmRecord,
    DealFact,
    LeadFact,
    LedgerDoc,
    Line,
    Owner,
    Recurring,
    Ref,
    RefList,
)
from sandbox.simulation.params import (
    ACTIVITY,
    ANNUAL_GROWTH,
    CALL_DISPOSITIONS,
    CLIENT_SHAPE,
    CLOSED_LOST_REASONS,
    DEAL_SHAPE,
    DEAL_STAGES,
    DUPLICATE_CONTACT_RATE,
    LAGS,
    LEAD_SOURCES,
    MONTH_WEIGHTS,
    OPEN_STAGES,
    PIPELINE_ID,
    REP_LEAVES_AFTER_DAYS,
    REP_PROFILES,
    REPS_PER_SCALE,
    STAGE_PROBABILITY,
    WEEKDAY_WEIGHTS,
    LeadSource,
)
from sandbox.xero.catalog import SERVICE_ITEMS, SUPPLIERS, fx_rate, guid

HUBSPOT_TYPES = ("contacts", "companies", "deals", "calls", "emails", "meetings", "tasks")
ASSOCIATION_PAIRS = (
    ("contacts", "companies"),
    ("deals", "companies"),
    ("deals", "contacts"),
    ("calls", "contacts"),
    ("emails", "contacts"),
    ("meetings", "contacts"),
    ("tasks", "contacts"),
)
"""Association directions stored by the timeline; the view serves the reverse ones too."""

_HOUR = 3_600_000
_MINUTE = 60_000
_CALL_SECONDS = {"Connected": (120, 1500), "Left voicemail": (25, 70), "Left live message": (30, 120)}
"""Call duration range by disposition (others: 0-30 s of ringing)."""


def business_start(config: SandboxConfig) -> date:
    """First day of the simulated history: 1 January, ``history_years`` years before ``as_of``'s year.

    Anchoring on a year boundary (not on ``as_of`` itself) is what lets a clock advanced from D
    agree exactly with a business built at D+n: both start on the same day as long as D and D+n
    fall in the same calendar year.
    """
    return date(config.as_of.year - config.history_years, 1, 1)


def _number(value: float) -> str:
    """HubSpot's number string: integers without decimals, others with two."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _lag_ms(rng: random.Random, mean_days: float) -> int:
    """A positive delay with the given mean (gamma, shape 2: rarely instant, occasionally long)."""
    return max(_MINUTE, int(rng.gammavariate(2.0, mean_days / 2.0) * DAY_MS))


def _poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw: Knuth for small means, rounded normal for large ones (scale 20+ days)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _office_seconds(rng: random.Random) -> float:
    """Seconds after local midnight for something done in office hours (08:00-18:00, some to 21:30)."""
    if rng.random() < 0.9:
        return 8 * 3600 + rng.random() * 10 * 3600
    return 18 * 3600 + rng.random() * 3.5 * 3600


class Timeline:
    """All lives generated so far, in append-only lists; see the module docstring."""

    def __init__(self, config: SandboxConfig) -> None:
        self.seed = config.seed
        self.scale = config.scale
        self.volume_factor = config.volume_factor
        self.start = business_start(config)
        self.start_month = month_index(self.start)
        self.calendar = OrgCalendar(config.timezone, self.start - timedelta(days=60), config.as_of)
        self.records: dict[str, list[CrmRecord]] = {t: [] for t in HUBSPOT_TYPES}
        self._fields: dict[str, dict[str, int]] = {}
        self.associations: dict[tuple[str, str], list[tuple[int, int]]] = {p: [] for p in ASSOCIATION_PAIRS}
        self.owners = self._owners()
        self._disposition_weights = {
            o.index: list(
                accumulate(
                    w * (o.connect_skill if label == "Connected" else 1.0)
                    for label, _, _, w in CALL_DISPOSITIONS
                )
            )
            for o in self.owners
        }
        self.clients: list[Client] = []
        self.recurring: list[Recurring] = []
        self.docs: list[LedgerDoc] = []
        self.deal_facts: list[DealFact] = []
        self.lead_facts: list[LeadFact] = []
        self.generated_through = self.start - timedelta(days=1)
        self.extend_to(config.as_of)

    # -- driving -----------------------------------------------------------------------------
    def extend_to(self, last_day: date) -> None:
        """Generate every origin day up to ``last_day`` (inclusive), in order."""
        day = self.generated_through + timedelta(days=1)
        while day <= last_day:
            if day == self.start:
                self._opening_book(day)
            self._leads_of(day)
            day += timedelta(days=1)
        self.generated_through = max(self.generated_through, last_day)

    def growth(self, day: date) -> float:
        """Business size multiplier relative to the start (compounding ``ANNUAL_GROWTH``)."""
        return (1 + ANNUAL_GROWTH) ** ((day - self.start).days / 365.25)

    # -- people ------------------------------------------------------------------------------
    def _owners(self) -> list[Owner]:
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
        contact.change(ms, "lifecyclestage", stage)
        contact.change(ms, f"hs_lifecyclestage_{stage}_date", hs_datetime(ms))
        if company is not None:
            company.change(ms, "lifecyclestage", stage)

    # -- origins -------------------------------------------------------------------------------
    def _leads_of(self, day: date) -> None:
        growth = self.growth(day)
        seasonal = WEEKDAY_WEIGHTS[day.weekday()] * MONTH_WEIGHTS[day.month - 1] * growth * self.scale
        seasonal *= self.volume_factor(day)
        for source_index, source in enumerate(LEAD_SOURCES):
            lam = source.monthly_leads * 12 / 365.25 * seasonal
            count = _poisson(rng_for(self.seed, "arrivals", day.toordinal(), source_index), lam)
            for i in range(count):
                self._lead(rng_for(self.seed, "lead", day.toordinal(), source_index, i), day, source)

    def _lead(self, rng: random.Random, day: date, source: LeadSource) -> None:
        t0 = self.calendar.at(day, _office_seconds(rng))
        owner = self._owner_at(t0, rng)
        first, last = names.person(rng)
        if rng.random() < source.junk_rate:
            email = f"{first.lower()}{rng.randint(1, 9999)}@{rng.choice(names.FREE_MAIL)}"
            junk = self._contact(rng, t0, owner, "lead", first, last, email, None, source)
            junk.archived_ms = t0 + _lag_ms(rng, LAGS.junk_archive)
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
            t += _lag_ms(rng, LAGS.lead_to_mql)
            self._stage(contact, company, "marketingqualifiedlead", t)
            contact.change(t, "hs_lead_status", "IN_PROGRESS")
        work_end = t0 + 21 * DAY_MS
        if qualified:
            t += _lag_ms(rng, LAGS.mql_to_sql if via_mql else LAGS.lead_to_sql_direct)
            self._stage(contact, company, "salesqualifiedlead", t)
            contact.change(t, "hs_lead_status", "CONNECTED")
            fact.qualified_ms = work_end = t
            if rng.random() < source.appointment_rate:
                t += _lag_ms(rng, LAGS.sql_to_appointment)
                self._new_business(rng, t, contact, company, owner, source, fact, canadian)
            else:
                contact.change(t + _lag_ms(rng, 20), "hs_lead_status", "BAD_TIMING")
        else:
            contact.change(max(t, t0) + _lag_ms(rng, 25), "hs_lead_status", "UNQUALIFIED")
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

    # -- deals ---------------------------------------------------------------------------------
    def _amounts(self, rng: random.Random, upsell: bool) -> tuple[float, float]:
        shape = DEAL_SHAPE
        mrr_median = shape.upsell_mrr_median if upsell else shape.mrr_median
        project_median = shape.upsell_project_median if upsell else shape.project_median
        mrr = (
            round(rng.lognormvariate(math.log(mrr_median), shape.mrr_sigma) / 25) * 25
            if rng.random() < shape.mrr_share
            else 0.0
        )
        project = (
            round(rng.lognormvariate(math.log(project_median), shape.project_sigma) / 100) * 100
            if rng.random() < shape.project_share or mrr == 0
            else 0.0
        )
        return float(mrr), float(max(project, 0.0 if mrr else 500.0))

    def _stage_path(
        self, rng: random.Random, created: int, to_proposal: bool, won: bool
    ) -> list[tuple[int, str]]:
        """Stage entries ``(ms, stage)``: skips and the odd regression included, closed at the end."""
        shape = DEAL_SHAPE
        k = 1 if rng.random() < shape.start_at_qualifiedtobuy else 0
        target = 4 if to_proposal else rng.randint(k, 3)
        path = [(created, OPEN_STAGES[k])]
        t = created
        while k < target:
            nxt = k + 2 if k + 2 <= target and rng.random() < shape.skip_stage else k + 1
            t += _lag_ms(rng, LAGS.stage_dwell)
            path.append((t, OPEN_STAGES[nxt]))
            if 2 <= nxt < 4 and rng.random() < shape.regress:
                t += _lag_ms(rng, LAGS.stage_dwell / 2)
                path.append((t, OPEN_STAGES[nxt - 1]))
                t += _lag_ms(rng, LAGS.stage_dwell / 2)
                path.append((t, OPEN_STAGES[nxt]))
            k = nxt
        t += _lag_ms(rng, LAGS.proposal_to_close if to_proposal else LAGS.stage_dwell * 1.5)
        path.append((t, "closedwon" if won else "closedlost"))
        return path

    def _deal(
        self,
        rng: random.Random,
        created: int,
        company: CrmRecord,
        contacts: list[CrmRecord],
        owner: Owner,
        source: str | None,
        dealtype: str,
        to_proposal: bool,
        won: bool,
        mrr: float,
        project: float,
        currency: str,
    ) -> tuple[CrmRecord, DealFact]:
        """A deal with its stage path; ``mrr`` and ``project`` are USD, quoted in ``currency``."""
        if currency != HOME_CURRENCY:
            mrr, project = (deal_amount(self.seed, value, created) for value in (mrr, project))
        path = self._stage_path(rng, created, to_proposal, won)
        label = "Managed Services" if mrr else "Project"
        if dealtype == "existingbusiness":
            label = "Upsell: " + rng.choice(
                (
                    "Security Bundle",
                    "Cloud Migration",
                    "Additional Seats",
                    "Backup & DR",
                    "Network Refresh",
                    "Compliance Program",
                )
            )
        values: dict[str, Any] = {
            "dealname": f"{company.get('name')} - {label}",
            "amount": _number(project + 12 * mrr),
            "dealstage": path[0][1],
            "pipeline": PIPELINE_ID,
            "closedate": hs_datetime(created + DEAL_SHAPE.expected_close_days * DAY_MS),
            "createdate": hs_datetime(created),
            "dealtype": dealtype,
            "hs_is_closed": "false",
            "hs_is_closed_won": "false",
            "hs_deal_stage_probability": STAGE_PROBABILITY[path[0][1]],
            "closed_lost_reason": None,
            "deal_currency_code": currency,
            "mrr_amount": _number(mrr),
            "project_amount": _number(project),
            "lead_source": source,
            "hubspot_owner_id": str(owner.id),
            "hs_merged_object_ids": None,
        }
        for stage in DEAL_STAGES:
            values[f"hs_v2_date_entered_{stage.id}"] = (
                hs_datetime(created) if stage.id == path[0][1] else None
            )
        deal = self._new("deals", created, values)
        for ms, stage in path[1:]:
            deal.change(ms, "dealstage", stage)
            deal.change(ms, "hs_deal_stage_probability", STAGE_PROBABILITY[stage])
            deal.change(ms, f"hs_v2_date_entered_{stage}", hs_datetime(ms))
        close_ms = path[-1][0]
        deal.change(close_ms, "hs_is_closed", "true")
        deal.change(close_ms, "hs_is_closed_won", "true" if won else "false")
        deal.change(close_ms, "closedate", hs_datetime(close_ms))
        if not won:
            deal.change(close_ms, "closed_lost_reason", rng.choice(CLOSED_LOST_REASONS))
        self._associate("deals", deal.serial, "companies", company.serial)
        for contact in contacts:
            self._associate("deals", deal.serial, "contacts", contact.serial)
        proposal_ms = next((ms for ms, stage in path if stage == "contractsent"), None)
        fact = DealFact(
            deal.serial,
            created,
            close_ms,
            won,
            dealtype,
            source,
            mrr,
            project,
            None,
            proposal_ms,
            owner.index,
            currency,
        )
        self.deal_facts.append(fact)
        self._meetings(rng, deal, path, contacts[0], owner)
        if rng.random() < DEAL_SHAPE.junk_deal_rate:
            self._junk_deal(rng, created, values, company, owner)
        return deal, fact

    def _junk_deal(
        self, rng: random.Random, created: int, values: dict[str, Any], company: CrmRecord, owner: Owner
    ) -> None:
        """A rep creates the same deal twice by mistake and deletes the copy a day or two later."""
        ms = created + int(rng.uniform(2, 90) * _MINUTE)
        copy = dict(
            values,
            createdate=hs_datetime(ms),
            dealstage="appointmentscheduled",
            hs_deal_stage_probability=STAGE_PROBABILITY["appointmentscheduled"],
        )
        for stage in DEAL_STAGES:
            copy[f"hs_v2_date_entered_{stage.id}"] = (
                hs_datetime(ms) if stage.id == "appointmentscheduled" else None
            )
        junk = self._new("deals", ms, copy)
        junk.archived_ms = ms + int(rng.uniform(0.5, 3) * DAY_MS)
        self._associate("deals", junk.serial, "companies", company.serial)
        self.deal_facts.append(
            DealFact(
                junk.serial,
                ms,
                None,
                False,
                copy["dealtype"],
                copy["lead_source"],
                0.0,
                0.0,
                junk.archived_ms,
                None,
                owner.index,
                copy["deal_currency_code"],
            )
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
        self._stage(contact, company, "opportunity", t)
        contact.change(t, "hs_lead_status", "OPEN_DEAL")
        fact.appointment_ms = t
        contacts = [contact]
        if rng.random() < 0.5:
            first, last = names.person(rng)
            ms = t + int(rng.uniform(1, 48) * _HOUR)
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

    # -- activities ----------------------------------------------------------------------------
    def _activity(
        self, object_type: str, contact: CrmRecord, created: int, values: dict[str, Any]
    ) -> CrmRecord:
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
        calls = _poisson(
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
        for _ in range(_poisson(rng, ACTIVITY.emails_per_lead * level)):
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
        for _ in range(_poisson(rng, ACTIVITY.tasks_per_lead * level)):
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
                task.change(ms + _lag_ms(rng, 2), "hs_task_status", "COMPLETED")
            elif roll < 0.9:
                task.change(ms + _lag_ms(rng, 3), "hs_task_status", "DEFERRED")

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
            end = start + rng.choice((30, 45, 60)) * _MINUTE
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

    # -- clients and billing -------------------------------------------------------------------
    def _client(
        self,
        rng: random.Random,
        company: CrmRecord,
        contact: CrmRecord,
        won_ms: int,
        mrr: float,
        project: float,
        source: str | None,
        canadian: bool,
        owner: Owner,
        first_month: int | None = None,
    ) -> None:
        shape = CLIENT_SHAPE
        created = won_ms + _lag_ms(rng, LAGS.win_to_billing_days)
        start_month = first_month if first_month is not None else self.calendar.local_month(created) + 1
        tenure = 1
        while rng.random() >= shape.monthly_churn:
            tenure += 1
        churn_month = start_month + tenure
        notice = self.calendar.at(month_start(churn_month - 1), 0) + int(rng.uniform(5, 20) * DAY_MS)
        roll = rng.random()
        kind = (
            "id_only"
            if roll < shape.id_only_share
            else ("fuzzy_name" if roll < shape.id_only_share + shape.fuzzy_name_share else "exact_name")
        )
        serial = len(self.clients)
        base = company.get("name")
        name = {
            "exact_name": base,
            "fuzzy_name": names.fuzzy_variant(base, rng),
            "id_only": names.legal_name(rng, serial, self.seed),
        }[kind]
        domain = company.get("domain") if kind != "id_only" else names.domain_for(name)
        client = Client(
            serial=serial,
            company_serial=company.serial,
            name=name,
            email=f"accounts@{domain}",
            currency="CAD" if canadian else "USD",
            created_ms=created,
            start_month=start_month,
            churn_month=churn_month,
            churn_notice_ms=notice,
            archived_ms=self.calendar.at(month_start(churn_month), 0)
            + shape.archive_after_churn_days * DAY_MS,
            match_kind=kind,
            seats=max(5, int(company.get("numberofemployees"))),
            lead_source=source,
        )
        self.clients.append(client)
        if kind == "id_only" or rng.random() < 0.1:
            company.change(
                max(created, company.created_ms) + int(rng.uniform(0.5, 4) * DAY_MS),
                "xero_contact_id",
                guid(self.seed, client.key),
            )
        self._billing(rng, client, created, mrr, project)
        self._upsells(rng, client, company, contact, owner, created)

    def _billing(self, rng: random.Random, client: Client, ms: int, mrr: float, project: float) -> None:
        """Start a repeating invoice for the recurring value and invoice the one-off project."""
        if mrr > 0:
            self._repeating(client, ms, mrr)
        if project > 0:
            self._project(rng, client, ms, project)

    def _repeating(self, client: Client, ms: int, mrr: float) -> None:
        shape = CLIENT_SHAPE
        start_month = max(client.start_month, self.calendar.local_month(ms) + 1)
        rate = fx_rate(self.seed, month_start(start_month)) if client.currency == "CAD" else 1.0
        tax = 0.0 if client.currency == "CAD" else shape.sales_tax_rate
        split = (
            ("MS-SUPPORT", shape.managed_share),
            ("CL-M365", shape.cloud_share),
            ("SEC-EDR", shape.security_share),
        )
        lines = []
        for code, share in split:
            item = SERVICE_ITEMS[code]
            amount = round(mrr * share * rate, 2)
            quantity = float(client.seats) if code == "MS-SUPPORT" else 1.0
            lines.append(
                Line(
                    code,
                    item.description,
                    quantity,
                    round(amount / quantity, 2),
                    item.account,
                    item.service_line,
                    None,
                    tax,
                )
            )
        self.recurring.append(Recurring(len(self.recurring), client.serial, ms, start_month, tuple(lines)))

    def _invoice_life(
        self, rng: random.Random, created: int
    ) -> tuple[list[tuple[int, str]], int | None, bool]:
        """Status transitions, payment instant and whether it was voided, for a one-off sales invoice."""
        shape = CLIENT_SHAPE
        events = [(created, "AUTHORISED")]
        if rng.random() < 0.1:  # drafted first; half go through approval (SUBMITTED) before authorising
            events = [(created, "DRAFT")]
            if rng.random() < 0.5:
                events.append((created + int(rng.uniform(0.1, 1) * DAY_MS), "SUBMITTED"))
            events.append((events[-1][0] + int(rng.uniform(0.2, 2) * DAY_MS), "AUTHORISED"))
        if rng.random() < shape.void_rate:
            events.append((events[-1][0] + int(rng.uniform(3, 10) * DAY_MS), "VOIDED"))
            return events, None, True
        paid = (
            None if rng.random() < shape.unpaid_rate else events[-1][0] + _lag_ms(rng, shape.payment_lag_days)
        )
        return events, paid, False

    def _sales_invoice(
        self,
        rng: random.Random,
        client: Client,
        key: tuple[Any, ...],
        created: int,
        lines: tuple[Line, ...],
        reference: str,
    ) -> None:
        day = self.calendar.local_day(created)
        rate = fx_rate(self.seed, day) if client.currency == "CAD" else 1.0
        events, paid, voided = self._invoice_life(rng, created)
        self.docs.append(
            LedgerDoc(
                key,
                "ACCREC",
                client.key,
                day,
                day + timedelta(days=30),
                lines,
                client.currency,
                rate,
                events,
                reference,
                None,
                paid,
                self.calendar.local_day(paid) if paid else None,
            )
        )
        if voided:  # reissued the day it was voided
            self._sales_invoice(rng, client, (*key, "reissue"), events[-1][0] + 2 * _HOUR, lines, reference)
        elif rng.random() < CLIENT_SHAPE.credit_note_rate:
            credit_ms = created + int(rng.uniform(5, 20) * DAY_MS)
            first = lines[0]
            credit = Line(
                first.item_code,
                f"Credit: {first.description}",
                1.0,
                round(first.line_amount * rng.uniform(0.1, 0.3), 2),
                first.account_code,
                first.service_line,
                None,
                first.tax_rate,
            )
            credit_day = self.calendar.local_day(credit_ms)
            self.docs.append(
                LedgerDoc(
                    (*key, "credit"),
                    "ACCRECCREDIT",
                    client.key,
                    credit_day,
                    None,
                    (credit,),
                    client.currency,
                    fx_rate(self.seed, credit_day) if client.currency == "CAD" else 1.0,
                    [(credit_ms, "AUTHORISED")],
                    reference,
                )
            )
        if rng.random() < CLIENT_SHAPE.deleted_draft_rate:
            self.docs.append(
                LedgerDoc(
                    (*key, "draft"),
                    "ACCREC",
                    client.key,
                    day,
                    day + timedelta(days=30),
                    lines,
                    client.currency,
                    rate,
                    [(created - _HOUR, "DRAFT"), (created - _HOUR // 2, "DELETED")],
                    reference,
                )
            )

    def _project(self, rng: random.Random, client: Client, ms: int, project_usd: float) -> None:
        shape = CLIENT_SHAPE
        item = SERVICE_ITEMS["PRJ-FIXED"]
        tax = 0.0 if client.currency == "CAD" else shape.sales_tax_rate
        finish = ms + int(rng.uniform(30, 75) * DAY_MS)
        parts = (
            [(0.5, ms + _HOUR, "deposit"), (0.5, finish, "completion")]
            if rng.random() < shape.project_deposit_share
            else [(1.0, finish, "completion")]
        )
        serial = len(self.docs)
        for share, created, label in parts:
            day = self.calendar.local_day(created)
            rate = fx_rate(self.seed, day) if client.currency == "CAD" else 1.0
            amount = round(project_usd * share * rate, 2)
            line = Line(
                "PRJ-FIXED",
                f"{item.description} ({label})",
                1.0,
                amount,
                item.account,
                item.service_line,
                None,
                tax,
            )
            self._sales_invoice(rng, client, ("project", serial, label), created, (line,), f"Project {label}")
        option = client.name
        if rng.random() < shape.contractor_share:
            billed = finish + int(rng.uniform(1, 10) * DAY_MS)
            day = self.calendar.local_day(billed)
            cost = round(project_usd * shape.contractor_cost_ratio * rng.uniform(0.8, 1.2), 2)
            line = Line(
                None, f"Contract engineering - {client.name}", 1.0, cost, "5100", "Projects", option, 0.0
            )
            paid = billed + _lag_ms(rng, 30)
            self.docs.append(
                LedgerDoc(
                    ("contractor", serial),
                    "ACCPAY",
                    ("supplier", SUPPLIERS["5100"]),
                    day,
                    day + timedelta(days=30),
                    (line,),
                    "USD",
                    1.0,
                    [(billed, "AUTHORISED")],
                    f"CE-{serial:06d}",
                    None,
                    paid,
                    self.calendar.local_day(paid),
                )
            )
        if rng.random() < shape.hardware_share:
            spent = ms + int(rng.uniform(3, 15) * DAY_MS)
            day = self.calendar.local_day(spent)
            cost = round(project_usd * shape.hardware_cost_ratio * rng.uniform(0.7, 1.3), 2)
            line = Line(None, f"Hardware for {client.name}", 1.0, cost, "5200", "Projects", option, 0.0)
            events = [(spent, "AUTHORISED")]
            if rng.random() < 0.05:
                events.append((spent + int(rng.uniform(1, 5) * DAY_MS), "DELETED"))
            self.docs.append(
                LedgerDoc(
                    ("hardware", serial),
                    "SPEND",
                    ("supplier", SUPPLIERS["5200"]),
                    day,
                    None,
                    (line,),
                    "USD",
                    1.0,
                    events,
                    f"HW-{serial:06d}",
                )
            )

    def _upsells(
        self,
        rng: random.Random,
        client: Client,
        company: CrmRecord,
        contact: CrmRecord,
        owner: Owner,
        since: int,
    ) -> None:
        """Upsell deals offered while the client stays (a Poisson process until the churn notice)."""
        shape = DEAL_SHAPE
        t = since
        while True:
            t += int(rng.expovariate(shape.upsell_per_client_year) * 365.25 * DAY_MS)
            if client.churn_notice_ms is not None and t >= client.churn_notice_ms:
                return
            deal_owner = self._owner_at(t, rng, owner)
            to_proposal = rng.random() < 0.75
            won = to_proposal and rng.random() < shape.upsell_win_rate / 0.75
            mrr, project = self._amounts(rng, upsell=True)
            _, fact = self._deal(
                rng,
                t,
                company,
                [contact],
                deal_owner,
                client.lead_source,
                "existingbusiness",
                to_proposal,
                won,
                mrr,
                project,
                client.currency,
            )
            if (
                won
                and fact.close_ms is not None
                and (client.churn_notice_ms is None or fact.close_ms < client.churn_notice_ms)
            ):
                self._billing(rng, client, fact.close_ms, mrr, project)
