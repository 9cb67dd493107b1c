"""The dbt CLI resource's shortcuts: they stand on dagster-dbt private hooks, so pin them down."""

from __future__ import annotations

import re
import shutil
import subprocess

from dagster_dbt import DbtCliResource
from packaging.version import Version

from dagster_project.defs.dbt.cli import MilemarkerDbtCliResource
from dagster_project.defs.dbt.project import DBT_PROJECT


def test_the_hooks_it_overrides_still_exist_in_dagster_dbt() -> None:
    assert "_cli_version" in vars(DbtCliResource), "dagster-dbt renamed its version probe"
    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource), "dagster-dbt renamed its adapter setup"


def test_the_known_version_is_the_one_dbt_reports() -> None:
    """The shortcut must answer what dagster-dbt's own ``dbt --version`` probe would."""
    dbt = shutil.which("dbt")
    assert dbt is not None, "defs/dbt/project.py puts this environment's dbt on PATH"
    output = subprocess.check_output([dbt, "--version"], text=True)
    reported = re.search(r"(\d+\.\d+\.\d+)", output)
    assert reported is not None
    assert MilemarkerDbtCliResource(project_dir=DBT_PROJECT)._cli_version == Version(reported.group(1))
