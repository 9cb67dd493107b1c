"""The ``sources`` block of goals.yml: a real account's stage mapping and tracking categories, in a file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dagster_project.config.dbt_vars import settings_vars
from dagster_project.config.goals import GoalsFileError, load_goals, load_metric_catalog
from dagster_project.config.organisation import Organisation
from dagster_project.config.source_settings import (
    HubspotSettings,
    SourceSettings,
    dbt_source_vars,
    load_source_settings,
)
from dagster_project.settings import DBT_PROJECT_DIR, SHIPPED_GOALS_FILE

A_PORTALS_OWN_SET_UP = """
sources:
  hubspot:
    lifecycle_stages: {lead: lead, salesqualifiedlead: qualified, customer: won}
    deal_stages:
      75e28846:
        1108743: appointment
        1108745: proposal
        1108746: won
        1108747: lost
  xero:
    tracking_categories: {service_line: Practice, client: Customer}
goals: []
"""


def test_dbt_project_defaults_are_the_stock_set_up() -> None:
    """A build by hand on a warehouse no run has landed goals into maps what a run without the blocks maps."""
    defaults = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
        "milemarker_defaults"
    ]
    assert defaults == settings_vars(Organisation(), SourceSettings())


def test_shipped_goals_file_spells_out_the_stock_set_up() -> None:
    assert load_source_settings(SHIPPED_GOALS_FILE) == SourceSettings()


def test_missing_block_means_the_stock_set_up(tmp_path: Path) -> None:
    (tmp_path / "goals.yml").write_text("goals: []\n")
    assert load_source_settings(tmp_path / "goals.yml") == SourceSettings()
    assert load_source_settings(tmp_path / "absent.yml") == SourceSettings()


def test_a_portals_own_pipeline_reaches_dbt_with_ids_as_text(tmp_path: Path) -> None:
    """HubSpot numbers custom pipelines and stages; unquoted in YAML they are numbers, in dbt text."""
    path = tmp_path / "goals.yml"
    path.write_text(A_PORTALS_OWN_SET_UP)
    variables = dbt_source_vars(load_source_settings(path))
    assert variables["hubspot_deal_stages"] == {
        "75e28846": {"1108743": "appointment", "1108745": "proposal", "1108746": "won", "1108747": "lost"}
    }
    assert variables["hubspot_lifecycle_stages"] == {
        "lead": "lead",
        "salesqualifiedlead": "qualified",
        "customer": "won",
    }
    assert (variables["service_line_tracking_category"], variables["client_tracking_category"]) == (
        "Practice",
        "Customer",
    )


@pytest.mark.parametrize(
    ("block", "line", "field", "message"),
    [
        pytest.param(
            "  hubspot:\n    deal_stages: {default: {closedwon: booked}}\n",
            3,
            "sources.hubspot.deal_stages.default.closedwon",
            "'qualified', 'appointment', 'proposal', 'won' or 'lost'",
            id="unknown-step",
        ),
        pytest.param(
            "  hubspot:\n    lifecycle_stages: {lead: lead, prospect: qualified}\n",
            3,
            "sources.hubspot.lifecycle_stages.prospect",
            "'lead', 'marketingqualifiedlead'",
            id="unknown-lifecycle-stage",
        ),
        pytest.param(
            "  hubspot:\n    lifecycle_stages: {customer: won}\n",
            3,
            "sources.hubspot.lifecycle_stages",
            "must map to 'lead'",
            id="no-lead",
        ),
        pytest.param(
            "  hubspot:\n    deal_stages: {sales: {}}\n",
            3,
            "sources.hubspot.deal_stages",
            "pipeline 'sales' maps no stage",
            id="empty-pipeline",
        ),
        pytest.param(
            "  xero:\n    tracking_categories: {service_line: ''}\n",
            3,
            "sources.xero.tracking_categories.service_line",
            "at least 1 character",
            id="empty-category",
        ),
        pytest.param(
            "  xero:\n    tracking_category: {client: Customer}\n",
            3,
            "sources.xero.tracking_category",
            "unknown field",
            id="typo-is-not-ignored",
        ),
    ],
)
def test_a_wrong_block_names_line_and_field(
    tmp_path: Path, block: str, line: int, field: str, message: str
) -> None:
    path = tmp_path / "goals.yml"
    path.write_text("sources:\n" + block + "goals: []\n")
    with pytest.raises(GoalsFileError) as raised:
        load_goals(path, load_metric_catalog(DBT_PROJECT_DIR / "seeds" / "goal_metrics.csv"))
    problem = raised.value.problems[0]
    assert (problem.field, problem.line) == (field, line), raised.value.problems
    assert message in problem.message


def test_deal_stage_keys_list_every_mapped_stage() -> None:
    settings = HubspotSettings(deal_stages={"default": {"closedwon": "won"}, "renewals": {"r1": "proposal"}})
    assert settings.deal_stage_keys() == {("default", "closedwon"), ("renewals", "r1")}
