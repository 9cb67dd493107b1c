"""The fault storm, held to a clean run: nothing lost, nothing duplicated, marts identical.

One storm (see ``storm.py``) lands the business through real Dagster runs of ``land_raw``,
repeated until one succeeds; a second, fault-free sandbox with the same configuration is landed
once by the same landing code (``dbt_warehouse.land_sandbox``, what the dbt truth tests use).
Both warehouses are then built with dbt (models and seeds; the clean one while the storm runs)
and compared: every raw table and cursor exactly, every mart to the rounding allowance
``warehouse_compare`` explains.

``make test`` runs a bounded storm (scale 0.1, about four runs); ``make stress`` runs three seeds at
scale 0.3 with random daily stops and more expired tokens, and prints a table.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from dbt_warehouse import dbt_build, land_sandbox
from goals_for_business import goals_file_for
from storm import DayClock, StormConfig, StormReport, run_storm
from warehouse_compare import RAW_SCHEMAS, differences, fingerprints, mart_differences

from sandbox.service.server import run_sandbox
from sandbox.simulation.config import SandboxConfig

AS_OF = date(2026, 11, 23)
BOUNDED = StormConfig(
    sandbox=SandboxConfig(seed=7, scale=0.1, as_of=AS_OF),
    fault_seed=1,
    hubspot_daily=150,
    token_expired_rate=0.005,
)
LONG = [
    StormConfig(
        sandbox=SandboxConfig(seed=seed, scale=0.3, as_of=AS_OF),
        fault_seed=seed,
        hubspot_daily=400,
        token_expired_rate=0.01,
        daily_limit_rate=0.003,
        max_runs=25,
    )
    for seed in (3, 17, 29)
]
MODELS_AND_SEEDS = ("resource_type:model", "resource_type:seed")
"""The marts and everything they read; dbt's tests are the dbt suite's business, not the storm's."""


@dataclass(frozen=True)
class StormResult:
    config: StormConfig
    report: StormReport
    stormy: Path
    clean: Path


def build_marts(warehouse: Path, as_of: date) -> None:
    """dbt's models and seeds into ``warehouse`` (its target and logs beside it)."""
    dbt_build(warehouse, as_of, warehouse.parent / "dbt", MODELS_AND_SEEDS)


def land_clean(config: StormConfig, warehouse: Path, goals_file: Path) -> None:
    """The reference: an identical sandbox without faults, landed once, built with dbt."""
    land_sandbox(config.sandbox, warehouse, warehouse.parent, goals_file)
    build_marts(warehouse, config.sandbox.as_of)


def weather(config: StormConfig, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> StormResult:
    """Storm one warehouse and build it; meanwhile (another thread, dbt in a child process) land and
    build the clean one."""
    stormy, clean = workdir / "storm" / "warehouse.duckdb", workdir / "clean" / "warehouse.duckdb"
    stormy.parent.mkdir(parents=True)
    clean.parent.mkdir(parents=True)
    # only the selected nodes: without this dbt would also run every test of the models
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "empty")
    # goals naming this business's reps, so the storm's goals asset lands them as the reference does
    goals_file = goals_file_for(config.sandbox, workdir)
    monkeypatch.setenv("MILEMARKER_GOALS_FILE", str(goals_file))
    day = DayClock()
    with ThreadPoolExecutor(1) as pool:
        reference = pool.submit(land_clean, config, clean, goals_file)
        with run_sandbox(config.sandbox, port=0, clock=day, faults=config.profile()) as sandbox:
            report = run_storm(config, sandbox, day, stormy)
        if report.succeeded:
            build_marts(stormy, config.sandbox.as_of)
        reference.result()
    return StormResult(config, report, stormy, clean)


def check_storm(result: StormResult, summary: Callable[[str], None]) -> tuple[int, int]:
    """Every assertion a storm must pass; returns the raw and mart rows compared."""
    report, config = result.report, result.config
    label = f"storm seed={config.sandbox.seed} scale={config.sandbox.scale} faults seed={config.fault_seed}"
    for line in report.lines():
        summary(f"{label}: {line}")
    assert report.succeeded, f"no successful run in {len(report.runs)}: {report.runs[-1].failed_steps}"
    assert sum(report.faults.values()) >= 0.2 * report.requests, report.lines()
    configured = {str(kind) for kind, rate in config.profile().rates.items() if rate}
    assert configured - set(report.faults) == set(), f"kinds never injected: {report.faults}"
    assert report.rate_limited.get("hubspot:DAILY", 0) > 0, "the daily budget never stopped a run"
    assert any(run.daily_stop for run in report.runs[:-1])
    assert (
        report.retries.get("transport") and report.retries.get("429 wait") and report.retries.get("bad body")
    )

    raw_stormy, raw_clean = fingerprints(result.stormy, RAW_SCHEMAS), fingerprints(result.clean, RAW_SCHEMAS)
    assert differences(raw_stormy, raw_clean) == {}
    marts, mart_rows = mart_differences(result.stormy, result.clean)
    assert marts == {}
    raw_rows = sum(f.rows for f in raw_stormy.values())
    summary(f"{label}: identical to a clean run: {raw_rows} raw rows, {mart_rows} mart rows")
    return raw_rows, mart_rows


@pytest.mark.slow
def test_a_bounded_storm_ends_identical_to_a_clean_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stress_summary: Callable[[str], None]
) -> None:
    check_storm(weather(BOUNDED, tmp_path, monkeypatch), stress_summary)


@pytest.mark.stress
@pytest.mark.parametrize("config", LONG, ids=lambda c: f"seed{c.sandbox.seed}")
def test_a_long_storm_ends_identical_to_a_clean_run(
    config: StormConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stress_summary: Callable[[str], None],
    stress_table: Callable[[dict[str, object]], None],
) -> None:
    result = weather(config, tmp_path, monkeypatch)
    raw_rows, mart_rows = check_storm(result, stress_summary)
    report = result.report
    stress_table(
        {
            "seed": config.sandbox.seed,
            "scale": config.sandbox.scale,
            "runs": len(report.runs),
            "daily stops": sum(run.daily_stop for run in report.runs),
            "requests": report.requests,
            "faults": report.faults_total,
            "fault share": f"{report.faults_total / report.requests:.0%}",
            "retries": sum(report.retries.values()),
            "raw rows compared": raw_rows,
            "mart rows compared": mart_rows,
        }
    )
