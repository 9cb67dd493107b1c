"""``make forecast-backtest``: the forecast scored against fair baselines and the oracle.

``python -m bench.forecast_backtest [--businesses 1:0.2,2:0.2] [--work DIR] [--write-docs]``

For each sandbox business (seed x scale; never seed 42 at scale 1.0, which goals.yml was tuned
to), the harness serves the simulated business, lands every stream with the production landing
code, runs ``dbt build`` once as of ``AS_OF`` with ``forecast_backtest_months`` = ``ORIGINS``, and
reads ``marts.fct_forecast_backtest`` (one row per origin x horizon x metric: the model, the three
fair baselines and the actual, all computed in dbt). It adds the **oracle** here, because only the
simulator knows it: the mean, over ``ORACLE_REPLICATES`` independently seeded replicates of the
same configuration (scale, as-of day, history, time zone), of each month's realised deals won,
bookings and new MRR (the simulator's own ground truth, ``truth()["realised"]``). That is the
expectation of the month under the business's true parameters (lead volumes, growth and
seasonality, funnel rates, lags, deal sizes), not conditioned on the business's own state at the
origin: the best forecast a clairvoyant of the *parameters* could make, not of the future.

Scores, per model x metric x horizon, over businesses: WAPE = sum |forecast - actual| / sum
actual (computed per business, then averaged over businesses), median APE (months with a
non-zero actual), and for the model the share of actuals inside its p10-p90 band. Warehouses are
landed once under ``--work`` and reused (dbt builds them again each run, so the scores are the
current models'), the oracle too (``--rebuild`` to start over, e.g. after changing ``AS_OF``).
Not part of the product wheel; runs from the project's own .venv.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.goals.landing import land_goals, load_goals_file
from dagster_project.loader.landing import land_stream
from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT, SHIPPED_GOALS_FILE
from sandbox.clients import sandbox_streams
from sandbox.service.server import run_sandbox
from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig

AS_OF = date(2026, 11, 23)
"""Every business is built as of this day (mid-month, so the whole-first-month path runs too)."""

ORIGINS = 18
"""Month-end origins per business: with AS_OF, at least 12 per horizon are complete and calibrated."""

ORACLE_REPLICATES = 30
"""Replicate simulations averaged into the oracle (about a second each at scale 0.2)."""

FULL_SET: tuple[tuple[int, float], ...] = ((1, 0.2), (2, 0.2), (3, 0.2), (4, 0.3), (5, 0.3))
"""``make forecast-backtest``'s businesses: (seed, scale), none of them seed 42 at scale 1.0."""

METRICS = ("bookings", "deals_won", "new_mrr")
MODELS = ("model", "weighted_pipeline", "trailing_3m_mean", "seasonal_naive", "oracle")
DOCS = REPO_ROOT / "docs" / "forecast.md"
TABLE_START = "<!-- forecast-backtest:start -->"
TABLE_END = "<!-- forecast-backtest:end -->"


@dataclass(frozen=True)
class Business:
    seed: int
    scale: float

    @property
    def name(self) -> str:
        return f"seed{self.seed}_scale{self.scale:g}"

    def config(self, seed: int | None = None) -> SandboxConfig:
        return SandboxConfig(seed=self.seed if seed is None else seed, scale=self.scale, as_of=AS_OF)


def parse_businesses(text: str) -> list[Business]:
    """``"1:0.2,2:0.3"`` -> businesses; seed 42 at scale 1.0 is refused (the goals were tuned to it)."""
    businesses = []
    for item in text.split(","):
        seed, scale = item.split(":")
        business = Business(int(seed), float(scale))
        if business.seed == 42 and business.scale == 1.0:
            raise ValueError("seed 42 at scale 1.0 is the business goals.yml was tuned to: pick another")
        businesses.append(business)
    return businesses


def build_warehouse(business: Business, work: Path, rebuild: bool = False) -> Path:
    """Land ``business`` into ``work/<name>/warehouse.duckdb`` (once: reused unless ``rebuild``), then
    run one ``dbt build`` over it with the dbt project as it is now."""
    scratch = work / business.name
    warehouse = scratch / "warehouse.duckdb"
    landed = scratch / "landed"
    scratch.mkdir(parents=True, exist_ok=True)
    if rebuild or not landed.exists() or not warehouse.exists():
        landed.unlink(missing_ok=True)
        warehouse.unlink(missing_ok=True)
        with run_sandbox(business.config(), port=0) as sandbox, duckdb.connect(str(warehouse)) as con:
            for stream in sandbox_streams(sandbox, scratch / "xero_token.json"):
                land_stream(con, stream)
            land_goals(con, load_goals_file(SHIPPED_GOALS_FILE))
        landed.touch()
    dbt(warehouse, scratch, "build")
    return warehouse


def dbt(warehouse: Path, scratch: Path, command: str, select: Sequence[str] = ()) -> None:
    """``dbt <command>`` over ``warehouse`` as of AS_OF with ORIGINS backtest origins, in a child process."""
    argv = [
        str(Path(sys.executable).with_name("dbt")),
        command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(scratch / "target"),
        "--log-path",
        str(scratch / "logs"),
        "--vars",
        json.dumps({"as_of_date": AS_OF.isoformat(), "forecast_backtest_months": ORIGINS}),
        *(["--select", *select] if select else []),
    ]
    env = {**os.environ, "MILEMARKER_DUCKDB": str(warehouse)}
    finished = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"dbt {command} failed for {warehouse}:\n{finished.stdout[-6000:]}")


def backtest_rows(warehouse: Path) -> list[dict[str, Any]]:
    """``marts.fct_forecast_backtest``, complete target months only, as dicts."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(
            "select * from marts.fct_forecast_backtest order by metric_name, horizon_month, origin_date"
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def oracle_seeds(business: Business, replicates: int = ORACLE_REPLICATES) -> list[int]:
    """The replicate seeds of ``business``'s oracle: ``replicates`` seeds, none of them its own."""
    return [business.seed * 1000 + 101 + i for i in range(replicates)]


def oracle(business: Business, seeds: Sequence[int]) -> dict[tuple[str, str], float]:
    """``{(metric, "YYYY-MM"): mean realised value}`` over simulations of ``business``'s configuration
    with each of ``seeds`` (deals won: count; bookings: amount; new MRR: MRR; home currency)."""
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for seed in seeds:
        realised = SimulatedBusiness(business.config(seed)).truth()["realised"]["deals_won_by_month"]
        for month, row in realised.items():
            sums[("deals_won", month)] += row["count"]
            sums[("bookings", month)] += row["amount"]
            sums[("new_mrr", month)] += row["mrr"]
    return {key: value / len(seeds) for key, value in sums.items()}


def cached_oracle(business: Business, work: Path, replicates: int) -> dict[tuple[str, str], float]:
    """:func:`oracle` over :func:`oracle_seeds`, kept in ``work/<name>/oracle-<replicates>.json``
    (the simulation is deterministic: the same configuration and seeds give the same oracle)."""
    path = work / business.name / f"oracle-{replicates}.json"
    if path.exists():
        return {(m, month): v for m, month, v in json.loads(path.read_text())}
    values = oracle(business, oracle_seeds(business, replicates))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([[m, month, v] for (m, month), v in sorted(values.items())]))
    return values


def forecasts(
    rows: Iterable[Mapping[str, Any]], oracle_values: Mapping[tuple[str, str], float]
) -> list[dict]:
    """One record per origin x horizon x metric: actual, each model's forecast, the model's band."""
    records = []
    for row in rows:
        month = row["target_month"].strftime("%Y-%m")
        records.append(
            {
                "origin_date": row["origin_date"],
                "horizon_month": row["horizon_month"],
                "metric_name": row["metric_name"],
                "actual": row["actual_value"],
                "in_band": row["forecast_p10_value"] <= row["actual_value"] <= row["forecast_p90_value"],
                "model": row["forecast_value"],
                "weighted_pipeline": row["weighted_pipeline_value"],
                "trailing_3m_mean": row["trailing_3m_mean_value"],
                "seasonal_naive": row["seasonal_naive_value"],
                "oracle": oracle_values.get((row["metric_name"], month), 0.0),
            }
        )
    return records


def wape(pairs: Sequence[tuple[float, float]]) -> float | None:
    """sum |forecast - actual| / sum actual over (forecast, actual) pairs; None without actuals."""
    total = sum(actual for _, actual in pairs)
    return sum(abs(f - a) for f, a in pairs) / total if total else None


def median_ape(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Median of |forecast - actual| / actual over the pairs with a non-zero actual."""
    apes = [abs(f - a) / a for f, a in pairs if a]
    return statistics.median(apes) if apes else None


def comparable(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The records every model forecast (the calibrated weighted pipeline needs an earlier origin
    whose month was over, so each horizon's first origins drop out): all models on the same months."""
    return [record for record in records if all(record[model] is not None for model in MODELS)]


def score(per_business: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Scores per metric x horizon x model, averaged over businesses (see module docstring)."""
    cells: dict[tuple[str, int, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for records in per_business.values():
        groups: dict[tuple[str, int], list[Mapping[str, Any]]] = defaultdict(list)
        for record in comparable(records):
            groups[(record["metric_name"], record["horizon_month"])].append(record)
        for (metric, horizon), group in groups.items():
            for model in MODELS:
                pairs = [(r[model], r["actual"]) for r in group]
                for name, value in (("wape", wape(pairs)), ("median_ape", median_ape(pairs))):
                    if value is not None:
                        cells[(metric, horizon, model)][name].append(value)
                cells[(metric, horizon, model)]["origins"].append(len(pairs))
            cells[(metric, horizon, "model")]["coverage"].append(
                sum(r["in_band"] for r in group) / len(group)
            )
    return {
        f"{metric}|{horizon}|{model}": {
            name: statistics.fmean(values) for name, values in cell.items() if values
        }
        for (metric, horizon, model), cell in sorted(cells.items())
    }


def render(scores: Mapping[str, Mapping[str, float]], businesses: Sequence[Business]) -> str:
    """The markdown tables: WAPE and median APE per metric x horizon x model, coverage, the verdict."""
    lines = [
        f"Businesses: {', '.join(b.name for b in businesses)}; as of {AS_OF.isoformat()}, "
        f"{ORIGINS} month-end origins each (a horizon keeps the origins whose target month is complete); "
        f"oracle: mean of {ORACLE_REPLICATES} replicate simulations.",
        "",
        "WAPE (median APE in brackets), averaged over businesses; lower is better. origins: scored origins"
        " per business (mean), the same months for every model.",
        "",
        "| Metric | h | origins | " + " | ".join(MODELS) + " | model p10-p90 coverage |",
        "|---|---|---|" + "---|" * (len(MODELS) + 1),
    ]
    metrics_horizons = sorted(
        {tuple(key.split("|")[:2]) for key in scores}, key=lambda mh: (mh[0], int(mh[1]))
    )
    for metric, horizon in metrics_horizons:
        cells = []
        for model in MODELS:
            cell = scores.get(f"{metric}|{horizon}|{model}", {})
            cells.append(
                f"{cell['wape']:.3f} ({cell['median_ape']:.3f})"
                if "wape" in cell and "median_ape" in cell
                else "n/a"
            )
        coverage = scores.get(f"{metric}|{horizon}|model", {}).get("coverage")
        origins = scores.get(f"{metric}|{horizon}|model", {}).get("origins", 0)
        lines.append(
            f"| {metric} | {horizon} | {origins:g} | "
            + " | ".join(cells)
            + f" | {'n/a' if coverage is None else f'{coverage:.0%}'} |"
        )
    lines += ["", *verdict(scores)]
    return "\n".join(lines)


def verdict(scores: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Mean WAPE over metrics x horizons per model, the model's gain on each fair baseline, and coverage."""
    mean: dict[str, float] = {}
    for model in MODELS:
        values = [
            cell["wape"] for key, cell in scores.items() if key.endswith(f"|{model}") and "wape" in cell
        ]
        mean[model] = statistics.fmean(values) if values else float("nan")
    coverage = statistics.fmean(
        cell["coverage"] for key, cell in scores.items() if key.endswith("|model") and "coverage" in cell
    )
    lines = [
        "| Model | mean WAPE | model's WAPE gain on it |",
        "|---|---|---|",
    ]
    for model in MODELS:
        gain = "" if model == "model" else f"{1 - mean['model'] / mean[model]:+.1%}"
        lines.append(f"| {model} | {mean[model]:.3f} | {gain} |")
    fair = ("weighted_pipeline", "trailing_3m_mean", "seasonal_naive")
    beats = all(1 - mean["model"] / mean[b] >= 0.10 for b in fair)
    calibrated = abs(coverage - 0.80) <= 0.07
    lines += [
        "",
        f"Model p10-p90 coverage, mean over metrics, horizons, businesses: {coverage:.1%} (target 80 ± 7 %).",
        f"Target (≥ 10 % lower mean WAPE than every fair baseline, coverage within 80 ± 7 %): "
        f"{'met' if beats and calibrated else 'NOT met'}.",
    ]
    return lines


def run(
    businesses: Sequence[Business],
    work: Path,
    rebuild: bool = False,
    replicates: int = ORACLE_REPLICATES,
    build: bool = True,
) -> dict[str, Any]:
    """Build every business's warehouse (``build``: land once, dbt build each run), read its
    backtest, add the oracle, score. ``build=False`` scores the warehouses as they are."""
    per_business: dict[str, list[dict[str, Any]]] = {}
    for business in businesses:
        warehouse = work / business.name / "warehouse.duckdb"
        if build:
            print(f"[forecast-backtest] {business.name}: building", file=sys.stderr, flush=True)
            build_warehouse(business, work, rebuild)
        if rebuild:
            (work / business.name / f"oracle-{replicates}.json").unlink(missing_ok=True)
        oracle_values = cached_oracle(business, work, replicates)
        per_business[business.name] = forecasts(backtest_rows(warehouse), oracle_values)
    return {"per_business": per_business, "scores": score(per_business)}


def write_docs(table: str, docs: Path = DOCS) -> None:
    """Replace the text between the backtest markers of docs/forecast.md with ``table``."""
    text = docs.read_text()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    docs.write_text(text[:start] + "\n" + table + "\n" + text[end:])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--businesses",
        default=",".join(f"{s}:{c:g}" for s, c in FULL_SET),
        help="seed:scale pairs, comma-separated (default: the full set)",
    )
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "data" / "forecast-backtest")
    parser.add_argument("--rebuild", action="store_true", help="land and build even where a warehouse exists")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/forecast.md")
    parser.add_argument("--no-build", action="store_true", help="score --work's warehouses as they are")
    args = parser.parse_args(argv)
    businesses = parse_businesses(args.businesses)
    result = run(businesses, args.work, args.rebuild, build=not args.no_build)
    table = render(result["scores"], businesses)
    print(table)
    if args.write_docs:
        write_docs(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
