"""Deals: amounts, stage paths with skips and regressions, and the accidental duplicate deals.

Shared by new business (``leads``) and upsells (``clients``); a deal books its meetings
(``activities``) as it is created, so this mixin builds on that one.
"""

from __future__ import annotations

import math
import random
from typing import Any

from sandbox.hubspot.fx import HOME_CURRENCY, deal_amount
from sandbox.simulation.clock import DAY_MS, hs_datetime
from sandbox.simulation.entities import CrmRecord, DealFact, Owner
from sandbox.simulation.params import (
    CLOSED_LOST_REASONS,
    DEAL_SHAPE,
    DEAL_STAGES,
    LAGS,
    OPEN_STAGES,
    PIPELINE_ID,
    STAGE_PROBABILITY,
)
from sandbox.simulation.timeline.activities import ActivitiesMixin
from sandbox.simulation.timeline.base import MINUTE, lag_ms


def _number(value: float) -> str:
    """HubSpot's number string: integers without decimals, others with two."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


class DealsMixin(ActivitiesMixin):
    """Deal records with their stage history and the facts the truth is computed from."""

    def _amounts(self, rng: random.Random, upsell: bool) -> tuple[float, float]:
        """USD ``(mrr, project)`` of a new deal; a deal always has one of the two."""
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
            t += lag_ms(rng, LAGS.stage_dwell)
            path.append((t, OPEN_STAGES[nxt]))
            if 2 <= nxt < 4 and rng.random() < shape.regress:
                t += lag_ms(rng, LAGS.stage_dwell / 2)
                path.append((t, OPEN_STAGES[nxt - 1]))
                t += lag_ms(rng, LAGS.stage_dwell / 2)
                path.append((t, OPEN_STAGES[nxt]))
            k = nxt
        t += lag_ms(rng, LAGS.proposal_to_close if to_proposal else LAGS.stage_dwell * 1.5)
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
        ms = created + int(rng.uniform(2, 90) * MINUTE)
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
