"""Client lives: from a won deal (or the opening book) to churn, with the upsells bought meanwhile.

Joins the deal generator (upsell deals) and the invoice generator (billing what was won), so it
inherits both.
"""

from __future__ import annotations

import random

from sandbox.simulation import names
from sandbox.simulation.clock import DAY_MS, month_start
from sandbox.simulation.entities import Client, CrmRecord, Owner
from sandbox.simulation.params import CLIENT_SHAPE, DEAL_SHAPE, LAGS
from sandbox.simulation.timeline.base import lag_ms
from sandbox.simulation.timeline.deals import DealsMixin
from sandbox.simulation.timeline.invoices import InvoicesMixin
from sandbox.xero.catalog import guid


class ClientsMixin(DealsMixin, InvoicesMixin):
    """Clients, their Xero contact link and the upsell deals offered until the churn notice."""

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
        """Turn a won company into a client: Xero contact, tenure, billing and future upsells."""
        shape = CLIENT_SHAPE
        created = won_ms + lag_ms(rng, LAGS.win_to_billing_days)
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
