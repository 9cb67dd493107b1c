"""The demo's instance home and its printed summary (the run itself is covered by tests/e2e)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from dagster_project.cli.instance import INSTANCE_CONFIG, ensure_dagster_home
from dagster_project.cli.summary import RawTableLine, RunSummary


def test_a_chosen_dagster_home_gets_our_config_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    assert ensure_dagster_home() == home
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert "concurrency" not in config  # no pool: a killed run's claimed slot would stall the rest
    assert config["run_monitoring"]["enabled"] is True

    (home / "dagster.yaml").write_text("telemetry: {enabled: true}\n")  # the user's own choice
    ensure_dagster_home()
    assert (home / "dagster.yaml").read_text() == "telemetry: {enabled: true}\n"
    assert os.environ["DAGSTER_HOME"] == str(home)


def test_instance_config_template_is_valid_yaml() -> None:
    assert yaml.safe_load(INSTANCE_CONFIG.read_text())["telemetry"] == {"enabled": False}


def test_summary_lists_raw_tables_dbt_results_and_where_things_are() -> None:
    summary = RunSummary(
        run_id="abc",
        success=False,
        seconds=12.34,
        raw_tables=(
            RawTableLine("hubspot_deals", "raw_hubspot.deals", 10, 1200),
            RawTableLine("hubspot_deals", "raw_hubspot.deal_stage_history", 0, 5),
        ),
        models_built=29,
        dbt_tests=Counter({"passed": 178, "failed (error)": 2}),
        other_checks=Counter({"passed": 3, "failed (warn)": 1}),
        failed_steps=("milemarker_dbt",),
    )
    text = summary.render(Path("/w/warehouse.duckdb"), Path("/w/.dagster"))

    assert text.splitlines()[0] == "Milemarker run abc FAILED in 12.3 s"
    assert "raw_hubspot.deals                      10      1,200  hubspot_deals" in text
    assert "dbt: 29 models built; tests: 2 failed (error), 178 passed" in text
    assert "other checks (goals, raw data): 1 failed (warn), 3 passed" in text
    assert "failed steps: milemarker_dbt" in text
    assert "/w/warehouse.duckdb" in text and "make dev" in text
    assert summary.rows_landed() == {"raw_hubspot.deals": 10, "raw_hubspot.deal_stage_history": 0}
