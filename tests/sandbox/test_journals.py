"""The general ledger: /Journals and /ManualJournals against the P&L report and the truth.

The P&L report and the truth are computed from the documents and the manual-journal model, never
from the journal generator, so summing journals and comparing checks one against the others.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig

INCOME_TYPES = {"REVENUE", "SALES", "OTHERINCOME"}
PNL_TYPES = INCOME_TYPES | {"DIRECTCOSTS", "OVERHEADS", "EXPENSE", "DEPRECIATN"}
CONFIGS = [
    SandboxConfig(seed=7, scale=0.3, as_of=date(2025, 6, 10)),
    SandboxConfig(seed=11, scale=0.3, as_of=date(2025, 2, 27)),
    SandboxConfig(seed=23, scale=0.3, as_of=date(2024, 12, 31)),
]


def day_of(value: str) -> date:
    assert value.startswith("/Date(") and value.endswith("+0000)/"), value
    return datetime.fromtimestamp(int(value[6:-7]) / 1000, UTC).date()


def ms_of(value: str) -> int:
    return int(value[6:-7])


def month_end(label: str) -> date:
    year, month = map(int, label.split("-"))
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: f"seed{c.seed}-{c.as_of}")
def business(request: pytest.FixtureRequest) -> SimulatedBusiness:
    return SimulatedBusiness(request.param)


def journals(business: SimulatedBusiness) -> list[dict[str, Any]]:
    return [doc.body for doc in business.xero_collection("Journals")]


def journal_pnl(business: SimulatedBusiness) -> dict[str, dict[str, float]]:
    """Σ NetAmount per P&L account and JournalDate month, sign flipped for income."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for journal in journals(business):
        month = day_of(journal["JournalDate"]).strftime("%Y-%m")
        for line in journal["JournalLines"]:
            if line["AccountType"] in PNL_TYPES:
                sign = -1 if line["AccountType"] in INCOME_TYPES else 1
                totals[month][line["AccountCode"]] += sign * line["NetAmount"]
    return {m: {c: round(v, 2) for c, v in row.items() if round(v, 2)} for m, row in totals.items()}


def report_rows(business: SimulatedBusiness, label: str) -> dict[str, float]:
    first = date.fromisoformat(f"{label}-01")
    report = business.xero_profit_and_loss(first, month_end(label))
    names = {a.body["Name"]: a.body["Code"] for a in business.xero_collection("Accounts")}
    rows = {}
    for section in report["Rows"]:
        for row in section.get("Rows", []):
            if row["RowType"] == "Row":
                value = float(row["Cells"][1]["Value"])
                if value:
                    rows[names[row["Cells"][0]["Value"]]] = value
    return rows


def test_every_journal_balances_and_is_well_formed(business: SimulatedBusiness) -> None:
    bodies = journals(business)
    assert bodies
    accounts = {a.body["Code"]: a.body for a in business.xero_collection("Accounts")}
    for journal in bodies:
        lines = journal["JournalLines"]
        assert len(lines) >= 2
        assert round(sum(line["NetAmount"] for line in lines), 2) == 0.0, journal
        for line in lines:
            assert round(line["NetAmount"] + line["TaxAmount"], 2) == line["GrossAmount"]
            assert line["NetAmount"] == round(line["NetAmount"], 2)
            account = accounts[line["AccountCode"]]
            assert (line["AccountID"], line["AccountType"], line["AccountName"]) == (
                account["AccountID"],
                account["Type"],
                account["Name"],
            )
    assert {j["SourceType"] for j in bodies} >= {
        "ACCREC",
        "ACCPAY",
        "ACCRECCREDIT",
        "CASHPAID",
        "ACCRECPAYMENT",
        "ACCPAYPAYMENT",
        "MANJOURNAL",
    }
    assert [j["JournalNumber"] for j in bodies] == list(range(1, len(bodies) + 1))
    created = [ms_of(j["CreatedDateUTC"]) for j in bodies]
    assert created == sorted(created) and created[-1] < business.now.timestamp() * 1000
    assert len({j["JournalID"] for j in bodies}) == len(bodies)
    counts = business.truth()["realised"]["record_counts"]
    assert counts["journals"] == len(bodies)


def test_journals_equal_the_profit_and_loss_report_and_the_truth(business: SimulatedBusiness) -> None:
    by_journals = journal_pnl(business)
    truth = business.truth()["realised"]
    assert by_journals == truth["pnl_by_month_account"]
    months = sorted(truth["pnl_by_month_account"])
    assert len(months) >= 30
    for label in months:
        assert report_rows(business, label) == pytest.approx(by_journals[label], abs=0.001), label
        row = truth["pnl_by_month_account"][label]
        revenue = round(sum(v for c, v in row.items() if c.startswith("4")), 2)
        assert truth["revenue_by_month"][label] == pytest.approx(revenue, abs=0.001)
        finance = truth["finance_by_month"][label]
        assert round(sum(finance["revenue_by_line_of_business"].values()), 2) == pytest.approx(
            revenue, abs=0.001
        )
        assert finance["service_payroll"] == row.get("5300", 0.0)


def test_receivables_on_journals_equal_the_truth(business: SimulatedBusiness) -> None:
    moves: dict[str, float] = defaultdict(float)
    for journal in journals(business):
        month = day_of(journal["JournalDate"]).strftime("%Y-%m")
        moves[month] += sum(
            line["NetAmount"] for line in journal["JournalLines"] if line["AccountCode"] == "610"
        )
    finance = business.truth()["realised"]["finance_by_month"]
    balance = 0.0
    for label in sorted(set(moves) | set(finance)):
        balance += moves.get(label, 0.0)
        if label in finance:
            assert finance[label]["ar_balance_end"] == pytest.approx(round(balance, 2), abs=0.001), label
    # paid documents clear their AR/AP exactly
    by_source: dict[str, float] = defaultdict(float)
    payments = {
        p.body["Invoice"]["InvoiceID"]: p.body["PaymentID"] for p in business.xero_collection("Payments")
    }
    for journal in journals(business):
        for line in journal["JournalLines"]:
            if line["AccountCode"] in ("610", "800"):
                by_source[journal["SourceID"]] += line["NetAmount"]
    for invoice_id, payment_id in payments.items():
        assert round(by_source[invoice_id] + by_source[payment_id], 2) == 0.0


def test_ar_ageing_from_open_invoices(business: SimulatedBusiness) -> None:
    as_of = business.as_of
    buckets: Counter[str] = Counter()
    for doc in business.xero_collection("Invoices"):
        b = doc.body
        if b["Type"] != "ACCREC" or b["Status"] != "AUTHORISED":
            continue
        owed = sum(
            round(li["LineAmount"] / b["CurrencyRate"], 2) + round(li["TaxAmount"] / b["CurrencyRate"], 2)
            for li in b["LineItems"]
        )
        late = (as_of - day_of(b["DueDate"])).days
        bucket = "current" if late <= 0 else "1_30" if late <= 30 else "31_60" if late <= 60 else "61_90"
        buckets["over_90" if late > 90 else bucket] += owed
    expected = {k: round(buckets.get(k, 0.0), 2) for k in ("current", "1_30", "31_60", "61_90", "over_90")}
    assert business.truth()["realised"]["ar_ageing"] == pytest.approx(expected, abs=0.001)


def test_manual_journals_voided_net_to_zero_and_drafts_never_post(business: SimulatedBusiness) -> None:
    manual = {d.id: d.body for d in business.xero_collection("ManualJournals")}
    statuses = Counter(m["Status"] for m in manual.values())
    assert statuses["POSTED"] > 0
    assert dict(statuses) == business.truth()["realised"]["record_counts"]["xero"]["ManualJournals"]
    posted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for journal in journals(business):
        if journal["SourceType"] == "MANJOURNAL":
            posted[journal["SourceID"]].append(journal)
    for journal_id, body in manual.items():
        assert round(sum(line["LineAmount"] for line in body["JournalLines"]), 2) == 0.0
        assert body["LineAmountTypes"] == "NoTax"
        found = posted.get(journal_id, [])
        if body["Status"] == "DRAFT":
            assert not found
        elif body["Status"] == "POSTED":
            assert len(found) == 1 and found[0]["JournalDate"] == body["Date"]
            assert [(li["AccountCode"], li["NetAmount"]) for li in found[0]["JournalLines"]] == [
                (li["AccountCode"], li["LineAmount"]) for li in body["JournalLines"]
            ]
        else:
            assert body["Status"] == "VOIDED" and len(found) == 2
            assert found[0]["JournalDate"] == found[1]["JournalDate"] == body["Date"]
            assert ms_of(found[1]["CreatedDateUTC"]) == ms_of(body["UpdatedDateUTC"])
            net: dict[str, float] = defaultdict(float)
            for journal in found:
                for line in journal["JournalLines"]:
                    net[line["AccountCode"]] += line["NetAmount"]
            assert all(round(v, 2) == 0.0 for v in net.values())
    payroll = business.truth()["realised"]["payroll_by_month"]
    for body in manual.values():
        if body["Narration"].startswith("Payroll "):
            label = day_of(body["Date"]).strftime("%Y-%m")
            lines = {li["AccountCode"]: li["LineAmount"] for li in body["JournalLines"]}
            assert payroll[label] == {
                "technicians": lines["5300"],
                "sales": lines["6010"],
                "admin": lines["6000"],
            }


def test_voided_invoices_and_deleted_spend_reverse_their_journal() -> None:
    business = SimulatedBusiness(CONFIGS[0])
    documents = {d.id: d.body for c in ("Invoices", "BankTransactions") for d in business.xero_collection(c)}
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for journal in journals(business):
        by_source[journal["SourceID"]].append(journal)
    reversed_ = 0
    for doc_id, body in documents.items():
        found = by_source.get(doc_id, [])
        if body["Status"] in ("DRAFT", "SUBMITTED"):
            assert not found
        elif body["Status"] in ("VOIDED", "DELETED") and found:
            reversed_ += 1
            post, reverse = found
            assert post["JournalDate"] == reverse["JournalDate"] == body["Date"]
            assert [li["NetAmount"] for li in reverse["JournalLines"]] == [
                -li["NetAmount"] for li in post["JournalLines"]
            ]
            assert ms_of(reverse["CreatedDateUTC"]) == ms_of(body["UpdatedDateUTC"])
        elif body["Status"] in ("AUTHORISED", "PAID"):
            assert len(found) == 1 and found[0]["JournalDate"] == body["Date"]
    assert reversed_ > 0


def test_journal_numbers_are_stable_as_the_clock_advances() -> None:
    config = SandboxConfig(seed=5, scale=0.1, as_of=date(2025, 3, 20))
    business = SimulatedBusiness(config)
    before = journals(business)
    manual_before = {d.id: d.body for d in business.xero_collection("ManualJournals")}
    business.advance(45)
    after = journals(business)
    assert len(after) > len(before)
    assert after[: len(before)] == before
    assert [j["JournalNumber"] for j in after] == list(range(1, len(after) + 1))
    cut = min(ms_of(j["CreatedDateUTC"]) for j in after[len(before) :])
    assert cut >= max(ms_of(j["CreatedDateUTC"]) for j in before)
    manual_after = {d.id: d.body for d in business.xero_collection("ManualJournals")}
    assert set(manual_before) < set(manual_after)
    for journal_id, body in manual_before.items():
        if body["Status"] != "DRAFT":  # a posted journal can only be voided later
            assert manual_after[journal_id]["Date"] == body["Date"]
    later = SimulatedBusiness(SandboxConfig(seed=5, scale=0.1, as_of=date(2025, 5, 4)))
    assert journals(later) == after


def test_payroll_left_the_bank_transactions_and_fees_are_billed() -> None:
    business = SimulatedBusiness(CONFIGS[0])
    spends = business.xero_collection("BankTransactions")
    assert not any(li["AccountCode"] == "6000" for d in spends for li in d.body["LineItems"])
    bills = [
        d.body
        for d in business.xero_collection("Invoices")
        if d.body["Type"] == "ACCPAY" and d.body["Contact"]["Name"] == "Ledgerline CPAs"
    ]
    manual = [d.body for d in business.xero_collection("ManualJournals")]
    accruals = {
        day_of(m["Date"]).strftime("%Y-%m"): m["JournalLines"][0]["LineAmount"]
        for m in manual
        if m["Narration"].startswith("Accrued accounting fees")
    }
    assert bills
    for bill in bills:
        billed = day_of(bill["Date"])
        assert billed.day == 8
        accrued_month = (billed.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        assert bill["Total"] == accruals[accrued_month]
    accounts = {a.body["Code"]: a.body for a in business.xero_collection("Accounts")}
    assert {c: a.get("SystemAccount") for c, a in accounts.items() if a.get("SystemAccount")} == {
        "610": "DEBTORS",
        "800": "CREDITORS",
        "820": "GST",
    }
    assert accounts["6500"]["Type"] == "DEPRECIATN" and accounts["5300"]["Type"] == "DIRECTCOSTS"


def test_months_are_contiguous_in_finance(business: SimulatedBusiness) -> None:
    finance = business.truth()["realised"]["finance_by_month"]
    labels = sorted(finance)
    for a, b in itertools.pairwise(labels):
        assert date.fromisoformat(f"{a}-01") + timedelta(days=31) >= date.fromisoformat(f"{b}-01")
    assert labels[-1] == business.as_of.strftime("%Y-%m")
