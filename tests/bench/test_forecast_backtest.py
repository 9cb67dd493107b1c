"""The forecast backtest harness (``bench/forecast_backtest.py``) on a fast subset: two businesses.

It builds two small sandbox businesses (about two minutes each on two busy cores), so it is
``slow``. It asserts the harness's numbers are consistent, not that the model wins: the baselines
in ``marts.fct_forecast_backtest`` are re-derived here from the mart's own actuals (so a baseline
that peeked at a month not yet over would not match), the oracle's units are checked against the
business's own truth, and the scores are recomputed from the records. The no-look-ahead rule
itself is pinned by the hand-computed dbt unit test fct_forecast_backtest_baselines_without_look_ahead.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.forecast_backtest import (
    METRICS,
    MODELS,
    ORIGINS,
    Business,
    backtest_rows,
    build_warehouse,
    comparable,
    median_ape,
    oracle,
    parse_businesses,
    render,
    run,
    score,
    wape,
)

pytestmark = pytest.mark.slow

SUBSET = (Business(1, 0.2), Business(2, 0.2))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("forecast-backtest")
    for business in SUBSET:
        build_warehouse(business, path)
    yield path


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def test_seed_42_at_full_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="tuned"):
        parse_businesses("3:0.2,42:1.0")
    assert parse_businesses("42:0.2,7:1") == [Business(42, 0.2), Business(7, 1.0)]


def test_the_scores_are_what_the_records_give() -> None:
    assert wape([(110.0, 100.0), (90.0, 100.0), (5.0, 0.0)]) == pytest.approx(25 / 200)
    assert wape([(1.0, 0.0)]) is None
    assert median_ape([(110.0, 100.0), (50.0, 100.0), (3.0, 0.0), (30.0, 10.0)]) == pytest.approx(0.5)
    records: list[dict[str, Any]] = []
    for origin, actual in enumerate((10.0, 20.0, 30.0)):
        record: dict[str, Any] = {m: actual + 1 for m in MODELS}
        record.update(
            origin_date=origin, horizon_month=1, metric_name="deals_won", actual=actual, in_band=origin > 0
        )
        records.append(record)
    records.append({**records[0], "weighted_pipeline": None, "actual": 1000.0})
    assert len(comparable(records)) == 3
    scores = score({"a": records, "b": [{**r, "model": r["actual"]} for r in records]})
    assert scores["deals_won|1|model"]["wape"] == pytest.approx((3 / 60 + 0) / 2)
    assert scores["deals_won|1|oracle"]["wape"] == pytest.approx(3 / 60)
    assert scores["deals_won|1|model"]["coverage"] == pytest.approx(2 / 3)
    assert scores["deals_won|1|model"]["origins"] == 3


def test_every_horizon_has_twelve_origins_and_baselines_without_look_ahead(work: Path) -> None:
    for business in SUBSET:
        rows = backtest_rows(work / business.name / "warehouse.duckdb")
        actual = {(r["metric_name"], r["target_month"]): r["actual_value"] for r in rows}
        for metric in METRICS:
            for horizon in (1, 2, 3):
                cell = [r for r in rows if r["metric_name"] == metric and r["horizon_month"] == horizon]
                scored = [r for r in cell if r["weighted_pipeline_value"] is not None]
                assert len(scored) >= 12, (business, metric, horizon, len(scored))
                assert len({r["origin_date"] for r in cell}) <= ORIGINS
                for row in cell:
                    origin = row["origin_date"]
                    assert row["target_month"] == _months_back(origin, -horizon)
                    # calibrated only on earlier origins of this horizon whose month was over
                    earlier = [
                        r
                        for r in cell
                        if r["origin_date"] < origin
                        and _months_back(r["target_month"], -1) <= origin + timedelta(days=1)
                    ]
                    total = sum(r["weighted_pipeline_total"] for r in earlier)
                    if not earlier or total == 0:
                        assert row["weighted_pipeline_scale_factor"] is None
                    else:
                        expected = sum(r["actual_value"] for r in earlier) / total
                        assert row["weighted_pipeline_scale_factor"] == pytest.approx(expected, rel=1e-9)
                        assert row["weighted_pipeline_value"] == pytest.approx(
                            expected * row["weighted_pipeline_total"], rel=1e-9
                        )
                    # the three months up to the origin, read from the mart's own actuals where it has them
                    months = [_months_back(origin, back) for back in range(3)]
                    if all((metric, m) in actual for m in months):
                        assert row["trailing_3m_mean_value"] == pytest.approx(
                            statistics.fmean(actual[(metric, m)] for m in months), rel=1e-9, abs=1e-9
                        )
                    last_year = _months_back(row["target_month"], 12)
                    if (metric, last_year) in actual:
                        assert row["seasonal_naive_value"] == pytest.approx(
                            actual[(metric, last_year)], abs=1e-9
                        )
                    assert row["is_within_p10_p90"] == (
                        row["forecast_p10_value"] <= row["actual_value"] <= row["forecast_p90_value"]
                    )


def test_the_oracle_is_in_the_marts_units(work: Path) -> None:
    """Fed the business's own seed, the oracle's "expectation" is its realised series: the marts'."""
    business = SUBSET[0]
    own = oracle(business, [business.seed])
    for row in backtest_rows(work / business.name / "warehouse.duckdb"):
        value = own.get((row["metric_name"], row["target_month"].strftime("%Y-%m")), 0.0)
        assert value == pytest.approx(row["actual_value"], abs=0.01), row


def test_the_harness_scores_the_subset(work: Path) -> None:
    result = run(SUBSET, work, replicates=3, build=False)
    assert set(result["per_business"]) == {b.name for b in SUBSET}
    for metric in METRICS:
        for horizon in (1, 2, 3):
            for model in MODELS:
                cell = result["scores"][f"{metric}|{horizon}|{model}"]
                assert cell["origins"] >= 12
                assert math.isfinite(cell["wape"]) and cell["wape"] >= 0
            assert 0 <= result["scores"][f"{metric}|{horizon}|model"]["coverage"] <= 1
    # recomputed from the records: business by business, then averaged
    by_business = [
        wape(
            [
                (r["model"], r["actual"])
                for r in comparable(records)
                if r["metric_name"] == "bookings" and r["horizon_month"] == 2
            ]
        )
        for records in result["per_business"].values()
    ]
    assert result["scores"]["bookings|2|model"]["wape"] == pytest.approx(statistics.fmean(by_business))
    table = render(result["scores"], SUBSET)
    assert table.count("\n| bookings |") == 3 and table.count("\n| new_mrr |") == 3
    assert "Target (" in table
