"""What goals.yml tells dbt: the organisation and sources blocks, as the dbt vars they become.

Two roads take the same values to dbt. Dagster passes them as ``--vars`` on every build; the goals
asset also lands them in ``raw_config.settings``, which ``dbt/macros/setting.sql`` reads when a
``dbt build`` or ``dbt docs generate`` is run by hand without ``--vars``.
"""

from __future__ import annotations

from typing import Any

from dagster_project.config.organisation import Organisation
from dagster_project.config.source_settings import SourceSettings, dbt_source_vars


def settings_vars(organisation: Organisation, sources: SourceSettings) -> dict[str, Any]:
    """The dbt vars of the organisation and sources blocks (names as in ``dbt/dbt_project.yml``)."""
    return {
        "org_timezone": organisation.timezone,
        "fiscal_year_start_month": organisation.fiscal_year_start_month,
        "home_currency": organisation.currency,
        "employees": organisation.employees,
        **dbt_source_vars(sources),
    }
