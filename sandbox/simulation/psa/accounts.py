"""The PSA's commercial records: companies, agreements with their additions, and projects.

All are read off the timeline's client lives, so they agree with HubSpot and Xero by construction:
a client company per Xero client (named as the CRM names it, now and then spelled differently), an
agreement per repeating invoice (billAmount = the monthly invoice, additions = its lines), a project
per invoiced project. Nothing here depends on the clock except what is visible (``PsaModel``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sandbox.simulation import names
from sandbox.simulation.clock import DAY_MS, month_start, rng_for
from sandbox.simulation.entities import Client, LedgerDoc
from sandbox.simulation.params import CLIENT_SHAPE
from sandbox.simulation.psa.catalog import INTERNAL_COMPANY_ID, PSA_SHAPE
from sandbox.simulation.timeline import Timeline

_HOUR_MS = 3_600_000
_UNIT_COST_RATIO = {"CL-M365": CLIENT_SHAPE.licence_cost_ratio, "SEC-EDR": CLIENT_SHAPE.security_cost_ratio}
OWN_COMPANY_NAME = "Our MSP (Internal)"


@dataclass(slots=True)
class CompanyFact:
    """A PSA company: ``kind`` Client/Prospect/Owner; a prospect that signs becomes the client."""

    id: int
    identifier: str
    name: str
    website: str | None
    entered_ms: int
    hubspot_serial: int | None = None
    client: Client | None = None
    client_ms: int | None = None
    inactive_ms: int | None = None
    deleted_ms: int | None = None


@dataclass(frozen=True, slots=True)
class AdditionFact:
    id: int
    agreement_id: int
    product: str
    description: str
    quantity: float
    unit_price: float
    unit_cost: float


@dataclass(slots=True)
class AgreementFact:
    """A managed-services agreement billing one repeating invoice's lines every month."""

    id: int
    company_id: int
    client: Client
    name: str
    bill_amount: float
    currency: str
    start_day: date
    entered_ms: int
    start_month: int
    end_month: int | None  # first month not billed (the client's churn)
    cancelled_ms: int | None
    additions: list[AdditionFact] = field(default_factory=list)

    def active_in(self, month: int) -> bool:
        return self.start_month <= month and (self.end_month is None or month < self.end_month)


@dataclass(frozen=True, slots=True)
class ProjectFact:
    id: int
    company_id: int
    client: Client
    name: str
    amount_usd: float
    budget_hours: float
    start_ms: int
    finish_ms: int


@dataclass
class Books:
    companies: list[CompanyFact]
    agreements: list[AgreementFact]
    projects: list[ProjectFact]
    company_of_client: dict[int, int]


def _identifier(name: str, company_id: int) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name)[:22] + str(company_id)


def _companies(timeline: Timeline, now_ms: int) -> tuple[list[CompanyFact], dict[int, int]]:
    """The owner company, prospects (every ``prospect_every``-th CRM company) and client companies."""
    seed, calendar = timeline.seed, timeline.calendar
    own = CompanyFact(
        INTERNAL_COMPANY_ID,
        "OurMSP",
        OWN_COMPANY_NAME,
        "ourmsp.example",
        calendar.at(timeline.start, 8 * 3600),
    )
    by_hubspot: dict[int, CompanyFact] = {}
    for record in timeline.records["companies"]:
        if record.serial % PSA_SHAPE.prospect_every or record.created_ms >= now_ms:
            continue
        company_id = 101 + 2 * record.serial
        name = record.get("name")
        by_hubspot[record.serial] = CompanyFact(
            company_id,
            _identifier(name, company_id),
            name,
            record.get("domain"),
            record.created_ms + 2 * DAY_MS,
            record.serial,
        )
    company_of_client: dict[int, int] = {}
    clients: list[CompanyFact] = []
    for client in timeline.clients:
        rng = rng_for(seed, "psa", "company", client.serial)
        entered = client.created_ms - int(rng.uniform(0.1, 2) * DAY_MS)  # set up before the agreement
        if entered >= now_ms:
            continue
        company = by_hubspot.get(client.company_serial)
        if company is None:
            record = timeline.records["companies"][client.company_serial]
            hubspot_name = record.get("name")
            name = names.fuzzy_variant(hubspot_name, rng) if rng.random() < 0.15 else hubspot_name
            company_id = 100 + 2 * client.serial
            company = CompanyFact(
                company_id,
                _identifier(name, company_id),
                name[:50],
                record.get("domain"),
                entered,
                client.company_serial,
            )
            clients.append(company)
        company.client, company.client_ms = client, entered
        company.entered_ms = min(company.entered_ms, entered)
        if client.churn_month is not None:
            company.inactive_ms = calendar.at(month_start(client.churn_month), 7 * 3600)
            if rng.random() < PSA_SHAPE.soft_delete_rate and client.archived_ms is not None:
                company.deleted_ms = client.archived_ms + int(rng.uniform(1, 30) * DAY_MS)
        company_of_client[client.serial] = company.id
    companies = [c for c in (own, *by_hubspot.values(), *clients) if c.entered_ms < now_ms]
    companies.sort(key=lambda c: c.id)
    return companies, company_of_client


def _agreements(timeline: Timeline, now_ms: int, company_of_client: dict[int, int]) -> list[AgreementFact]:
    """One agreement per repeating invoice template, its lines as additions."""
    out = []
    first_of_client: set[int] = set()
    for template in timeline.recurring:
        if template.created_ms >= now_ms:
            continue
        client = timeline.clients[template.client_serial]
        if client.churn_month is not None and template.start_month >= client.churn_month:
            continue
        agreement_id = template.serial + 1
        kind = "Managed Services" if client.serial not in first_of_client else "Managed Services Add-on"
        first_of_client.add(client.serial)
        agreement = AgreementFact(
            agreement_id,
            company_of_client[client.serial],
            client,
            f"{kind} - {client.name}"[:100],
            round(sum(line.line_amount for line in template.lines), 2),
            client.currency,
            month_start(template.start_month),
            template.created_ms,
            template.start_month,
            client.churn_month,
            client.churn_notice_ms,
        )
        for position, line in enumerate(template.lines):
            unit_cost = round(line.unit_amount * _UNIT_COST_RATIO.get(line.item_code or "", 0.0), 2)
            agreement.additions.append(
                AdditionFact(
                    3 * template.serial + position + 1,
                    agreement_id,
                    line.item_code or "",
                    line.description,
                    line.quantity,
                    line.unit_amount,
                    unit_cost,
                )
            )
        out.append(agreement)
    return out


def _projects(timeline: Timeline, now_ms: int, company_of_client: dict[int, int]) -> list[ProjectFact]:
    """One project per invoiced project (its deposit and completion invoices), started when won."""
    parts: dict[int, dict[str, LedgerDoc]] = defaultdict(dict)
    for doc in timeline.docs:
        if len(doc.key) == 3 and doc.key[0] == "project":
            parts[doc.key[1]][doc.key[2]] = doc
    out = []
    for serial, docs in sorted(parts.items()):
        completion = docs["completion"]
        rng = rng_for(timeline.seed, "psa", "project", serial)
        deposit = docs.get("deposit")
        start = (
            deposit.created_ms - _HOUR_MS
            if deposit
            else completion.created_ms - int(rng.uniform(30, 75) * DAY_MS)
        )
        client = timeline.clients[completion.contact_key[1]]
        start = max(start, client.created_ms)
        if start >= now_ms:
            continue
        amount = sum(line.line_amount / doc.rate for doc in docs.values() for line in doc.lines)
        budget = max(4.0, round(amount / PSA_SHAPE.project_hour_value * 2) / 2)
        out.append(
            ProjectFact(
                serial + 1,
                company_of_client[client.serial],
                client,
                f"{client.name[:60]} - Project {serial}",
                round(amount, 2),
                budget,
                start,
                completion.created_ms,
            )
        )
    return out


def build_books(timeline: Timeline, now_ms: int) -> Books:
    """Companies, agreements and projects entered before ``now_ms``."""
    companies, company_of_client = _companies(timeline, now_ms)
    return Books(
        companies,
        _agreements(timeline, now_ms, company_of_client),
        _projects(timeline, now_ms, company_of_client),
        company_of_client,
    )
