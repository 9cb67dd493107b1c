"""The event timeline: every lead, deal, activity and client of the business with its whole future.

Generation walks *origin days* in order. Each origin (a lead arriving, the opening book of clients)
draws everything that will ever happen to it from ``rng_for(seed, kind, day, index)``: its
lifecycle, its deals and their stage paths, its activities, whether it becomes a client, when that
client churns and which upsells it buys. Nothing depends on the clock, so a timeline generated up to
day D and extended to D+5 is identical to one generated up to D+5 directly; the views then show only
what happened before ``now``.

Recurring billing (monthly invoices, licence bills, overheads) is not expanded here: ``ledger``
derives it from the compact ``Client``/``Recurring`` lives on demand.

The generators are split by what they produce, one mixin per module, each inheriting the mixins it
calls so every cross-module call resolves statically (shared state is declared once in ``base``):

``records`` (owners, companies, contacts) <- ``activities`` (prospecting, meetings) <- ``deals``
(stage paths, junk deals) <- ``clients`` (client lives, upsells; also ``invoices``: billing) <-
``leads`` (arrivals, new business, duplicates, opening book) <- ``core.Timeline`` (driving).
"""

from sandbox.simulation.timeline.base import ASSOCIATION_PAIRS, HUBSPOT_TYPES, business_start
from sandbox.simulation.timeline.core import Timeline

__all__ = ["ASSOCIATION_PAIRS", "HUBSPOT_TYPES", "Timeline", "business_start"]
