"""The dbt project handle, and a manifest that is current whenever definitions load.

``dagster dev`` re-parses on every load (``prepare_if_dev``). Everywhere else -- a fresh clone
under pytest, ``make demo``, a run worker -- the project is parsed when the manifest is missing or
older than a file of the project, so nobody has to remember a ``dbt parse`` step and nothing runs
on a stale manifest.

The parse passes the ``--vars`` every build passes (the same on every day: the as-of day goes by
the environment, ``build_vars.py``): builds then reuse this parse (dbt's partial parsing) instead
of parsing the whole project again, today and on the days after.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import yaml
from dagster_dbt import DbtProject

from dagster_project.defs.dbt.build_vars import dbt_vars
from dagster_project.settings import DBT_PROJECT_DIR, warehouse_path


def _build_vars_args() -> list[str]:
    """``--vars`` as a build would pass them; none if goals.yml cannot be read (the build says why)."""
    try:
        return ["--vars", json.dumps(dbt_vars(warehouse_path()))]
    except (OSError, ValueError, yaml.YAMLError):
        return []


DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR, prepare_project_cli_args=["parse", "--quiet", *_build_vars_args()]
)


def _put_environment_scripts_on_path() -> None:
    """dagster-dbt runs ``dbt`` from PATH (for ``dbt parse`` and every build). Make that the dbt
    installed next to this interpreter, also when the venv is not activated (``make``,
    ``.venv/bin/pytest``), instead of failing or picking up another dbt."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(filter(None, [scripts, os.environ.get("PATH")]))


_SOURCE_SUFFIXES = frozenset({".sql", ".yml", ".yaml", ".csv", ".md"})
_GENERATED_DIRS = frozenset({"target", "logs", "dbt_packages"})


def _newest_source_mtime(project_dir: Path) -> float:
    return max(
        (
            path.stat().st_mtime
            for path in project_dir.rglob("*")
            if path.suffix in _SOURCE_SUFFIXES
            and not _GENERATED_DIRS.intersection(path.relative_to(project_dir).parts)
        ),
        default=0.0,
    )


def manifest_is_stale() -> bool:
    """True when ``target/manifest.json`` is missing or older than a model, macro, seed or YAML file."""
    manifest = DBT_PROJECT.manifest_path
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT.project_dir)


def prepare_manifest() -> None:
    """Parse the dbt project now (``dbt parse``), writing ``target/manifest.json``."""
    DBT_PROJECT.preparer.prepare(DBT_PROJECT)


_put_environment_scripts_on_path()
DBT_PROJECT.prepare_if_dev()
if manifest_is_stale():
    prepare_manifest()
