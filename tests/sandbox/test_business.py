"""The simulated business: determinism, the clock, realism rules, and truth that matches the records.

Truth checks recompute each metric from the *served* shapes (HubspotRecord properties, Xero JSON
bodies) following ``truth()["definitions"]``, so they test the path the marts will take.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox.hubspot.view import ASSOCIATION_TYPES
from sandbox.simulation.business import SimulatedBusiness, write_truth
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.timeline import HUBSPOT_TYPES
from sandbox.xero.view import COLLECTIONS

AS_OF = date(2025, 6, 10)
SMALL = SandboxConfig(seed=7, scale=0.2, as_of=AS_OF)
TINY = SandboxConfig(seed=7, scale=0.1, as_of=AS_OF)  # for whole-business comparisons
ZONE = ZoneInfo(SMALL.timezone)
HS_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
XERO_DATE = re.compile(r"^/Date\((\d+)\+0000\)/$")


def digest(business: SimulatedBusiness) -> str:
    """A hash over everything the business serves: records, associations, documents, reports, truth."""
    h = hashlib.sha256()
    for object_type in HUBSPOT_TYPES:
        for r in business.hubspot_records(object_type):
            history = {k: [(c.value, c.timestamp.isoformat()) for c in v] for k, v in r.history.items()}
            h.update(
                repr(
                    (
                        r.id,
                        r.created_at,
                        r.updated_at,
                        sorted(r.properties.items()),
                        r.archived,
                        r.archived_at,
                        sorted(history.items()),
                    )
                ).encode()
            )
    for from_type, to_type in ASSOCIATION_TYPES:
        edges = business.hubspot_associations(from_type, to_type)
        h.update(repr(sorted((k, [(a.to_id, a.type_id) for a in v]) for k, v in edges.items())).encode())
    for collection in COLLECTIONS:
        for doc in business.xero_collection(collection):
            h.update(json.dumps([doc.id, doc.updated_at.isoformat(), doc.body], sort_keys=True).encode())
    h.update(
        json.dumps(
            business.xero_profit_and_loss(date(2024, 1, 1), date(2024, 12, 31)), sort_keys=True
        ).encode()
    )
    h.update(
        json.dumps(
            [business.hubspot_owners(), business.xero_organisation(), business.truth()], sort_keys=True
        ).encode()
    )
    return h.hexdigest()


@pytest.fixture(scope="module")
def biz() -> SimulatedBusiness:
    return SimulatedBusiness(SMALL)


@pytest.fixture(scope="module")
def truth(biz: SimulatedBusiness) -> dict[str, Any]:
    return dict(biz.truth())


def local_month(ts: datetime | str) -> str:
    moment = datetime.fromisoformat(ts.replace("Z", "+00:00")) if isinstance(ts, str) else ts
    return moment.astimezone(ZONE).strftime("%Y-%m")


def xero_day(value: str) -> date:
    match = XERO_DATE.match(value)
    assert match, value
    return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date()


# -- determinism and the clock -------------------------------------------------------------------
def test_same_config_builds_identical_business() -> None:
    assert digest(SimulatedBusiness(TINY)) == digest(SimulatedBusiness(TINY))


def test_other_seed_builds_a_different_business(biz: SimulatedBusiness) -> None:
    other = SimulatedBusiness(SandboxConfig(seed=8, scale=0.2, as_of=AS_OF))
    assert [r.properties["email"] for r in other.hubspot_records("contacts")[:20]] != [
        r.properties["email"] for r in biz.hubspot_records("contacts")[:20]
    ]


def test_advancing_the_clock_equals_building_later() -> None:
    advanced = SimulatedBusiness(TINY)
    before = {r.id: r for r in advanced.hubspot_records("deals")}
    advanced.advance(5)
    later = SimulatedBusiness(SandboxConfig(seed=7, scale=0.1, as_of=date(2025, 6, 15)))
    assert advanced.as_of == later.as_of and advanced.now == later.now
    assert digest(advanced) == digest(later)
    after = {r.id: r for r in advanced.hubspot_records("deals")}
    assert set(before) < set(after), "advancing adds records and keeps every id"
    changed = [i for i in before if after[i].updated_at != before[i].updated_at]
    assert changed, "five days of business move some deals forward"
    assert all(after[i].updated_at > before[i].updated_at for i in changed)


def test_now_is_end_of_local_day(biz: SimulatedBusiness) -> None:
    assert biz.now == datetime(2025, 6, 11, tzinfo=ZONE).astimezone(UTC)
    assert biz.now.tzinfo is not None and biz.as_of == AS_OF and biz.timezone == "America/New_York"
    with pytest.raises(ValueError):
        biz.advance(-1)


def test_nothing_visible_after_now(biz: SimulatedBusiness) -> None:
    now = biz.now
    for object_type in HUBSPOT_TYPES:
        for r in biz.hubspot_records(object_type):
            assert r.created_at < now and r.created_at <= r.updated_at < now
            assert r.archived_at is None or r.archived_at < now
            assert all(change.timestamp < now for changes in r.history.values() for change in changes)
    for collection in COLLECTIONS:
        for doc in biz.xero_collection(collection):
            assert doc.updated_at < now
            if "UpdatedDateUTC" in doc.body:
                assert int(XERO_DATE.match(doc.body["UpdatedDateUTC"]).group(1)) == round(
                    doc.updated_at.timestamp() * 1000
                )
    local_today = biz.now.astimezone(ZONE).date()
    assert all(xero_day(d.body["Date"]) < local_today for d in biz.xero_collection("Invoices"))
    assert all(
        datetime.fromisoformat(o["createdAt"].replace("Z", "+00:00")) < now for o in biz.hubspot_owners()
    )


# -- HubSpot shapes ------------------------------------------------------------------------------
def test_properties_are_strings_typed_by_the_properties_api(biz: SimulatedBusiness) -> None:
    for object_type in HUBSPOT_TYPES:
        definitions = {p["name"]: p for p in biz.hubspot_properties(object_type)}
        assert not any(name.startswith("hs_v2_") for name in definitions)
        for r in biz.hubspot_records(object_type)[:400]:
            assert r.properties["hs_object_id"] == str(r.id)
            modified = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
            assert (
                r.properties[modified]
                == r.updated_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.updated_at.microsecond // 1000:03d}Z"
            )
            for name, value in r.properties.items():
                if name.startswith("hs_v2_date_entered_"):
                    assert value is None or HS_DATETIME.match(value)
                    continue
                assert name in definitions, (object_type, name)
                if value is None:
                    continue
                assert isinstance(value, str)
                kind = definitions[name]["type"]
                if kind == "datetime":
                    assert HS_DATETIME.match(value), (name, value)
                elif kind == "number":
                    float(value)
                elif kind == "bool":
                    assert value in ("true", "false")
                elif (
                    kind == "enumeration" and definitions[name]["options"] and name != "hs_merged_object_ids"
                ):
                    assert value in {o["value"] for o in definitions[name]["options"]}, (name, value)


def test_ids_increase_with_creation_and_history_is_ordered(biz: SimulatedBusiness) -> None:
    for object_type in HUBSPOT_TYPES:
        records = biz.hubspot_records(object_type)
        assert [r.id for r in records] == sorted({r.id for r in records})
        assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(records))
    for deal in biz.hubspot_records("deals"):
        stages = deal.history["dealstage"]
        assert stages[-1].value == deal.properties["dealstage"]
        assert all(a.timestamp <= b.timestamp for a, b in itertools.pairwise(stages))
        entered = deal.properties[f"hs_v2_date_entered_{deal.properties['dealstage']}"]
        assert (
            entered is not None
            and datetime.fromisoformat(entered.replace("Z", "+00:00")) == stages[-1].timestamp
        )


def test_deals_skip_regress_and_carry_consistent_amounts(biz: SimulatedBusiness) -> None:
    order = [s["id"] for s in biz.hubspot_pipelines("deals")[0]["stages"]]
    skipped = regressed = 0
    for deal in biz.hubspot_records("deals"):
        p = deal.properties
        assert Decimal(p["amount"]) == Decimal(p["project_amount"]) + 12 * Decimal(p["mrr_amount"])
        assert p["hs_is_closed"] == ("true" if p["dealstage"] in ("closedwon", "closedlost") else "false")
        assert p["hs_is_closed_won"] == ("true" if p["dealstage"] == "closedwon" else "false")
        path = [
            order.index(c.value)
            for c in deal.history["dealstage"]
            if c.value not in ("closedwon", "closedlost")
        ]
        skipped += any(b - a > 1 for a, b in itertools.pairwise(path)) or path[0] > 0
        regressed += any(b < a for a, b in itertools.pairwise(path))
    assert skipped > 0 and regressed > 0
    assert {p["label"] for p in biz.hubspot_pipelines("deals")[0]["stages"]} >= {
        "Closed Won",
        "Contract Sent",
    }


def test_archiving_does_not_touch_the_modified_date(biz: SimulatedBusiness) -> None:
    archived = [r for t in ("contacts", "deals") for r in biz.hubspot_records(t) if r.archived]
    assert len(archived) > 20
    assert all(r.archived_at is not None and r.updated_at < r.archived_at for r in archived)

    def local(moment: datetime) -> date:
        return moment.astimezone(ZONE).date()

    # A contact archived this year, between two quarterly recalculations, a day or more after it was
    # created: the day before its archiving it must look exactly as it does once archived.
    candidates = [
        r
        for r in biz.hubspot_records("contacts")
        if r.archived
        and r.archived_at is not None
        and local(r.created_at) < local(r.archived_at)
        and local(r.created_at).year == 2025
        and (local(r.created_at).month - 1) // 3 == (local(r.archived_at).month - 1) // 3
    ]
    assert candidates
    record = candidates[0]
    day_before = local(record.archived_at).toordinal() - 1
    earlier = SimulatedBusiness(SandboxConfig(seed=7, scale=0.2, as_of=date.fromordinal(day_before)))
    before = next(r for r in earlier.hubspot_records("contacts") if r.id == record.id)
    assert not before.archived
    assert before.updated_at == record.updated_at and before.properties == record.properties


def test_merged_contacts(biz: SimulatedBusiness) -> None:
    contacts = {r.id: r for r in biz.hubspot_records("contacts")}
    winners = [r for r in contacts.values() if r.properties["hs_merged_object_ids"]]
    assert winners
    for winner in winners:
        assert not winner.archived
        for loser_id in winner.properties["hs_merged_object_ids"].split(";"):
            loser = contacts[int(loser_id)]
            assert loser.archived and loser.properties["lastname"] == winner.properties["lastname"]
            assert winner.updated_at >= loser.archived_at


def test_batch_update_shares_one_timestamp(biz: SimulatedBusiness) -> None:
    live = [r for r in biz.hubspot_records("contacts") if not r.archived]
    stamp, count = Counter(r.properties["lastmodifieddate"] for r in live).most_common(1)[0]
    assert count >= 0.5 * len(live) and count > 1000
    assert stamp.endswith("T07:00:00.000Z")


def test_associations_use_hubspot_type_ids(biz: SimulatedBusiness) -> None:
    deal_ids = {r.id for r in biz.hubspot_records("deals") if not r.archived}
    company_edges = biz.hubspot_associations("deals", "companies")
    assert set(company_edges) == deal_ids
    assert all(len(e) == 1 and e[0].type_id == 5 for e in company_edges.values())
    reverse = biz.hubspot_associations("companies", "deals")
    assert sum(len(v) for v in reverse.values()) == sum(len(v) for v in company_edges.values())
    assert {e.type_id for v in biz.hubspot_associations("calls", "contacts").values() for e in v} == {194}
    archived_contacts = {r.id for r in biz.hubspot_records("contacts") if r.archived}
    assert not archived_contacts & set(biz.hubspot_associations("contacts", "companies"))


def test_owners_and_one_leaver(biz: SimulatedBusiness) -> None:
    owners = biz.hubspot_owners()
    assert len(owners) >= 2 and all(o["type"] == "PERSON" for o in owners)
    assert all(o["id"] != str(o["userIdIncludingInactive"]) for o in owners)
    assert sum(o["archived"] for o in owners) == 1
    owner_ids = {o["id"] for o in owners}
    assert {r.properties["hubspot_owner_id"] for r in biz.hubspot_records("deals")} <= owner_ids


def test_call_dispositions_are_hubspot_guids(biz: SimulatedBusiness) -> None:
    dispositions = Counter(r.properties["hs_call_disposition"] for r in biz.hubspot_records("calls"))
    assert "f240bbac-87c9-4f6e-bf70-924b57d47db7" in dispositions and len(dispositions) == 6


# -- Xero shapes ---------------------------------------------------------------------------------
def test_xero_documents_shape(biz: SimulatedBusiness) -> None:
    invoices = [d.body for d in biz.xero_collection("Invoices")]
    assert {"AUTHORISED", "PAID", "VOIDED", "DELETED"} <= {i["Status"] for i in invoices}
    assert {"ACCREC", "ACCPAY"} == {i["Type"] for i in invoices}
    for inv in invoices:
        assert inv["LineAmountTypes"] == "Exclusive" and XERO_DATE.match(inv["Date"])
        assert round(sum(li["LineAmount"] for li in inv["LineItems"]), 2) == inv["SubTotal"]
        assert round(inv["SubTotal"] + inv["TotalTax"], 2) == inv["Total"]
        assert all(t["Name"] in ("Service Line", "Client") for li in inv["LineItems"] for t in li["Tracking"])
    cad = [i for i in invoices if i["CurrencyCode"] == "CAD"]
    assert cad and all(1.2 < i["CurrencyRate"] < 1.5 for i in cad)
    assert biz.xero_organisation()["Timezone"] == "EASTERNSTANDARDTIME"
    assert biz.xero_organisation()["BaseCurrency"] == "USD"
    paid = {d.body["Invoice"]["InvoiceID"] for d in biz.xero_collection("Payments")}
    assert paid == {i["InvoiceID"] for i in invoices if i["Status"] == "PAID"}


def test_voids_and_deletes_bump_updated_date(biz: SimulatedBusiness) -> None:
    for doc in biz.xero_collection("Invoices"):
        if doc.body["Status"] in ("VOIDED", "DELETED"):
            assert doc.updated_at.date() >= xero_day(doc.body["Date"]) or doc.body["Status"] == "DELETED"
            assert doc.updated_at > datetime.fromtimestamp(
                int(XERO_DATE.match(doc.body["Date"]).group(1)) / 1000, UTC
            )


def test_profit_and_loss_matches_truth(biz: SimulatedBusiness, truth: dict[str, Any]) -> None:
    report = biz.xero_profit_and_loss(date(2024, 3, 1), date(2024, 3, 31))
    sections = {row.get("Title"): row for row in report["Rows"] if row["RowType"] == "Section"}
    income = float(sections["Income"]["Rows"][-1]["Cells"][1]["Value"])
    cost = float(sections["Less Cost of Sales"]["Rows"][-1]["Cells"][1]["Value"])
    overhead = float(sections["Less Operating Expenses"]["Rows"][-1]["Cells"][1]["Value"])
    realised = truth["realised"]
    assert income == pytest.approx(realised["revenue_by_month"]["2024-03"], abs=0.05)
    assert cost == pytest.approx(realised["direct_costs_by_month"]["2024-03"], abs=0.05)
    assert overhead == pytest.approx(realised["overheads_by_month"]["2024-03"], abs=0.05)
    summaries = [
        r["Rows"][0]["Cells"] for r in report["Rows"] if r["RowType"] == "Section" and not r["Title"]
    ]
    assert [c[0]["Value"] for c in summaries] == ["Gross Profit", "Net Profit"]
    assert float(summaries[1][1]["Value"]) == pytest.approx(income - cost - overhead, abs=0.05)


# -- truth equals a recomputation from the served data ---------------------------------------------
def test_truth_document(tmp_path: Any, truth: dict[str, Any]) -> None:
    assert set(truth) >= {"parameters", "definitions", "realised", "funnel_stage_map"}
    assert set(truth["realised"]) - {
        "record_counts",
        "crosswalk",
        "close_rate",
        "days_to_close",
        "funnel_by_cohort_source",
    } <= set(truth["definitions"])
    written = write_truth(SMALL, tmp_path / "truth.json")
    assert json.loads(written.read_text()) == json.loads(json.dumps(truth))


def test_truth_leads_and_funnel(biz: SimulatedBusiness, truth: dict[str, Any]) -> None:
    contacts = [r for r in biz.hubspot_records("contacts") if not r.archived]
    leads: dict[str, Counter[str]] = defaultdict(Counter)
    for r in contacts:
        if r.properties["hs_lifecyclestage_lead_date"]:
            leads[local_month(r.properties["hs_lifecyclestage_lead_date"])][r.properties["lead_source"]] += 1
    assert {m: dict(c) for m, c in leads.items()} == truth["realised"]["leads_by_month_source"]
    by_owner = Counter(
        r.properties["hubspot_owner_id"] for r in contacts if r.properties["hs_lifecyclestage_lead_date"]
    )
    assert dict(by_owner) == truth["realised"]["leads_by_owner"]

    deals = {r.id: r for r in biz.hubspot_records("deals") if not r.archived}
    proposal_contacts = {
        e.to_id
        for deal_id, edges in biz.hubspot_associations("deals", "contacts").items()
        for e in edges
        if deals[deal_id].properties["dealtype"] == "newbusiness"
        and {"contractsent", "closedwon"} & {c.value for c in deals[deal_id].history["dealstage"]}
    }
    funnel: dict[str, Counter[str]] = defaultdict(Counter)
    for r in contacts:
        p = r.properties
        if not p["hs_lifecyclestage_lead_date"]:
            continue
        row = funnel[local_month(p["hs_lifecyclestage_lead_date"])]
        row["leads"] += 1
        row["qualified"] += any(
            p[f"hs_lifecyclestage_{s}_date"] for s in ("salesqualifiedlead", "opportunity", "customer")
        )
        row["appointment"] += any(p[f"hs_lifecyclestage_{s}_date"] for s in ("opportunity", "customer"))
        row["proposal"] += r.id in proposal_contacts
        row["won"] += bool(p["hs_lifecyclestage_customer_date"])
    expected = truth["realised"]["funnel_by_cohort"]
    assert {m: {k: c[k] for k in expected[m]} for m, c in funnel.items()} == expected
    for row in expected.values():
        assert row["leads"] >= row["qualified"] >= row["appointment"] >= row["proposal"] >= row["won"]


def home_converter(biz: SimulatedBusiness) -> Callable[[dict[str, Any], str], Decimal]:
    """A deal property in USD, converted from the served exchange rates as truth["definitions"] says."""
    rates = sorted(
        (r["effectiveAt"], Decimal(str(r["conversionRate"])))
        for r in biz.hubspot_exchange_rates()
        if r["fromCurrencyCode"] == "CAD" and r["toCurrencyCode"] == "USD"
    )

    def home(properties: dict[str, Any], name: str) -> Decimal:
        value = Decimal(properties[name])
        if properties["deal_currency_code"] == "USD":
            return value
        close = datetime.fromisoformat(properties["closedate"].replace("Z", "+00:00"))
        effective = [r for at, r in rates if datetime.fromisoformat(at.replace("Z", "+00:00")) <= close]
        rate = effective[-1] if effective else rates[0][1]
        return (value * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return home


def test_sandbox_quotes_canadian_deals_in_cad(biz: SimulatedBusiness) -> None:
    currencies = Counter(r.properties["deal_currency_code"] for r in biz.hubspot_records("deals"))
    assert set(currencies) == {"USD", "CAD"}
    assert 0 < currencies["CAD"] < currencies["USD"]
    rates = biz.hubspot_exchange_rates()
    months = {r["effectiveAt"][:7] for r in rates}
    assert len(months) == len(rates) > 12  # one CAD rate a month, the whole history
    assert all(0.6 < r["conversionRate"] < 0.85 for r in rates)


def test_truth_deals(biz: SimulatedBusiness, truth: dict[str, Any]) -> None:
    home = home_converter(biz)
    won: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    lost: Counter[str] = Counter()
    for r in biz.hubspot_records("deals"):
        p = r.properties
        if r.archived or p["dealstage"] not in ("closedwon", "closedlost"):
            continue
        month = local_month(p["closedate"])
        if p["dealstage"] == "closedlost":
            lost[month] += 1
            continue
        row = won[month]
        row[0] += 1
        row[1] += home(p, "amount")
        row[2] += home(p, "mrr_amount")
        row[3] += home(p, "project_amount")
    expected = truth["realised"]["deals_won_by_month"]
    assert {m: [v["count"], v["amount"], v["mrr"], v["project"]] for m, v in expected.items()} == {
        m: [row[0], float(row[1]), float(row[2]), float(row[3])] for m, row in won.items()
    }
    assert dict(lost) == truth["realised"]["deals_lost_by_month"]
    won_by_owner = Counter(
        r.properties["hubspot_owner_id"]
        for r in biz.hubspot_records("deals")
        if not r.archived and r.properties["dealstage"] == "closedwon"
    )
    assert dict(won_by_owner) == truth["realised"]["deals_won_by_owner"]
    total_won, total_lost = sum(v[0] for v in won.values()), sum(lost.values())
    assert truth["realised"]["close_rate"]["overall"] == round(total_won / (total_won + total_lost), 6)


def test_truth_revenue_mrr_and_clients(biz: SimulatedBusiness, truth: dict[str, Any]) -> None:
    revenue: dict[str, float] = defaultdict(float)
    mrr: dict[str, float] = defaultdict(float)
    active: dict[str, set[str]] = defaultdict(set)
    for doc in biz.xero_collection("Invoices"):
        b = doc.body
        if b["Type"] != "ACCREC" or b["Status"] not in ("AUTHORISED", "PAID"):
            continue
        month = xero_day(b["Date"]).strftime("%Y-%m")
        revenue[month] += sum(round(li["LineAmount"] / b["CurrencyRate"], 2) for li in b["LineItems"])
        if "RepeatingInvoiceID" in b:
            mrr[month] += sum(li["LineAmount"] for li in b["LineItems"]) / b["CurrencyRate"]
            active[month].add(b["Contact"]["ContactID"])
    for doc in biz.xero_collection("CreditNotes"):
        b = doc.body
        if b["Status"] in ("AUTHORISED", "PAID"):
            revenue[xero_day(b["Date"]).strftime("%Y-%m")] -= sum(
                round(li["LineAmount"] / b["CurrencyRate"], 2) for li in b["LineItems"]
            )
    realised = truth["realised"]
    assert realised["revenue_by_month"] == pytest.approx(
        {m: round(v, 2) for m, v in revenue.items()}, abs=0.011
    )
    assert realised["mrr_by_month"] == pytest.approx({m: round(v, 2) for m, v in mrr.items()}, abs=0.011)
    assert realised["active_clients_by_month"] == {m: len(v) for m, v in active.items()}
    months = sorted(active)
    churned = {m: len(active[prev] - active[m]) for prev, m in itertools.pairwise(months)}
    assert {m: v for m, v in realised["churned_clients_by_month"].items() if m in churned} == churned
    assert sum(churned.values()) > 0


def test_truth_costs(biz: SimulatedBusiness, truth: dict[str, Any]) -> None:
    types = {a.body["Code"]: a.body["Type"] for a in biz.xero_collection("Accounts")}
    direct: dict[str, float] = defaultdict(float)
    overhead: dict[str, float] = defaultdict(float)
    documents = [
        d.body
        for d in biz.xero_collection("Invoices")
        if d.body["Type"] == "ACCPAY" and d.body["Status"] in ("AUTHORISED", "PAID")
    ]
    documents += [d.body for d in biz.xero_collection("BankTransactions") if d.body["Status"] == "AUTHORISED"]
    for b in documents:
        month = xero_day(b["Date"]).strftime("%Y-%m")
        for li in b["LineItems"]:
            target = direct if types[li["AccountCode"]] == "DIRECTCOSTS" else overhead
            target[month] += round(li["LineAmount"] / b["CurrencyRate"], 2)
    for journal in biz.xero_collection("ManualJournals"):
        if journal.body["Status"] != "POSTED":
            continue
        month = xero_day(journal.body["Date"]).strftime("%Y-%m")
        for line in journal.body["JournalLines"]:
            kind = types[line["AccountCode"]]
            if kind in ("DIRECTCOSTS", "OVERHEADS", "EXPENSE", "DEPRECIATN"):
                target = direct if kind == "DIRECTCOSTS" else overhead
                target[month] += line["LineAmount"]
    assert truth["realised"]["direct_costs_by_month"] == pytest.approx(
        {m: round(v, 2) for m, v in direct.items()}, abs=0.011
    )
    assert truth["realised"]["overheads_by_month"] == pytest.approx(
        {m: round(v, 2) for m, v in overhead.items()}, abs=0.011
    )
    client_costs = [
        t for b in documents for li in b["LineItems"] for t in li["Tracking"] if t["Name"] == "Client"
    ]
    assert client_costs, "direct costs are attributed to clients through the Client tracking category"


def test_truth_record_counts(biz: SimulatedBusiness, truth: dict[str, Any]) -> None:
    counts = truth["realised"]["record_counts"]
    for object_type in HUBSPOT_TYPES:
        records = biz.hubspot_records(object_type)
        archived = sum(r.archived for r in records)
        assert counts["hubspot"][object_type] == {"live": len(records) - archived, "archived": archived}
    for collection, by_status in counts["xero"].items():
        key = "ContactStatus" if collection == "Contacts" else "Status"
        assert dict(Counter(d.body[key] for d in biz.xero_collection(collection))) == by_status


def test_crosswalk_cases(biz: SimulatedBusiness, truth: dict[str, Any]) -> None:
    companies = {str(r.id): r.properties for r in biz.hubspot_records("companies")}
    contacts = {d.id: d.body for d in biz.xero_collection("Contacts")}
    kinds = Counter()
    for row in truth["realised"]["crosswalk"]:
        company, contact = companies[row["hubspot_company_id"]], contacts[row["xero_contact_id"]]
        kinds[row["match_kind"]] += 1
        if row["match_kind"] == "exact_name":
            assert contact["Name"] == company["name"]
        elif row["match_kind"] == "fuzzy_name":
            assert contact["Name"] != company["name"]
            assert contact["EmailAddress"].endswith("@" + company["domain"])
        else:
            assert contact["Name"] != company["name"] and company["xero_contact_id"] == contact["ContactID"]
    assert kinds["exact_name"] > kinds["fuzzy_name"] > 0 and kinds["id_only"] > 0
