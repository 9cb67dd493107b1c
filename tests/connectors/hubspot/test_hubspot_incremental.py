"""Later loads: a search window from the stored state, the archived pass, and the 10k rollover.

Each test advances this module's own sandbox clock, so the business moves on between tests too;
every assertion compares against the business as it stands after the advance.
"""

from __future__ import annotations

import dataclasses

import pyarrow as pa

from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.hubspot.objects import OBJECT_KINDS
from sandbox.service.server import Sandbox

OBJECT_TYPES = [kind.object_type for kind in OBJECT_KINDS]


def truth(sb: Sandbox, object_type: str) -> dict[int, tuple]:
    return {r.id: (r.updated_at, r.archived) for r in sb.business.hubspot_records(object_type)}


def landed(table: pa.Table) -> dict[int, tuple]:
    return {
        r["id"]: (r["updated_at"], r["_is_deleted"])
        for r in table.select(["id", "updated_at", "_is_deleted"]).to_pylist()
    }


def test_incremental_load_brings_new_changed_and_archived_records(
    sb: Sandbox, config: HubspotConfig, drain_all, merged
) -> None:
    first, states = drain_all(hubspot_streams(config))
    before = {t: truth(sb, t) for t in OBJECT_TYPES}
    sb.advance(7)
    second, new_states = drain_all(hubspot_streams(config), states)
    for object_type in OBJECT_TYPES:
        after = truth(sb, object_type)
        assert landed(merged(first[object_type], second[object_type], ["id"])) == after, object_type
        changed = {i for i, v in after.items() if before[object_type].get(i) != v}
        fetched = second[object_type].column("id").to_pylist()
        assert changed <= set(fetched), object_type
        assert len(set(fetched)) == len(fetched), f"{object_type}: duplicated ids"
        window_start = states[object_type]["window_end_ms"] - config.lookback.total_seconds() * 1000
        expected = {
            r.id
            for r in sb.business.hubspot_records(object_type)
            if r.archived or r.updated_at.timestamp() * 1000 >= window_start
        }
        assert set(fetched) == expected, f"{object_type}: fetched more or less than the window"
        assert new_states[object_type]["window_end_ms"] > states[object_type]["window_end_ms"]
    assert any(before["deals"].get(i) != v for i, v in truth(sb, "deals").items()), "the week changed no deal"


def test_changed_deals_bring_their_whole_stage_history(sb: Sandbox, config: HubspotConfig, drain) -> None:
    deals = next(s for s in hubspot_streams(config) if s.name == "deals")
    _, state = drain(deals)
    sb.advance(7)
    tables, _ = drain(deals, state)
    changed = set(tables["deals"].column("id").to_pylist())
    histories = {d.id: len(d.history.get("dealstage", ())) for d in sb.business.hubspot_records("deals")}
    history = tables["deal_stage_history"]
    assert set(history.column("deal_id").to_pylist()) <= changed
    for deal_id in changed:
        got = history.filter(pa.compute.equal(history.column("deal_id"), deal_id)).num_rows
        assert got == histories[deal_id], deal_id


def test_associations_of_changed_records_are_reread(sb: Sandbox, config: HubspotConfig, drain) -> None:
    stream = next(s for s in hubspot_streams(config) if s.name == "associations")
    _, state = drain(stream)
    sb.advance(3)
    tables, new_state = drain(stream, state)
    assert new_state["full_refresh_ms"] == state["full_refresh_ms"]  # an incremental pass, not a full one
    edges = sb.business.hubspot_associations("deals", "companies")
    got = tables["deal_companies"]
    for deal_id in set(got.column("deal_id").to_pylist()):
        rows = got.filter(pa.compute.equal(got.column("deal_id"), deal_id)).num_rows
        assert rows == len(edges[deal_id])


def test_search_restarts_on_id_before_the_result_cap(sb: Sandbox, config: HubspotConfig, drain) -> None:
    """A window matching far more records than the cap (here: all of them) is read exactly once each."""
    sb.hubspot_search_cap = 60
    capped = dataclasses.replace(config, search_result_cap=60, search_page_size=25)
    calls = next(s for s in hubspot_streams(capped) if s.name == "calls")
    tables, _ = drain(calls, {"window_end_ms": 0})  # window from the epoch: every live call matches
    live = {r.id for r in sb.business.hubspot_records("calls") if not r.archived}
    assert len(live) > 10 * 60
    ids = [
        i
        for i, deleted in zip(
            tables["calls"].column("id").to_pylist(),
            tables["calls"].column("_is_deleted").to_pylist(),
            strict=True,
        )
        if not deleted
    ]
    assert sorted(ids) == sorted(live)


def test_search_window_uses_the_server_clock(sb: Sandbox, config: HubspotConfig, drain) -> None:
    _, state = drain(next(s for s in hubspot_streams(config) if s.name == "tasks"), None)
    assert state == {"window_end_ms": int(sb.business.now.timestamp()) * 1000}
