"""The dbt CLI resource: dbt on a leash, minus two start-up costs dagster-dbt pays per invocation.

dbt is started through ``milemarker-dbt`` (:mod:`dagster_project.lib.dbt_leash`), so a run that is
killed takes its dbt child with it instead of leaving it to build on, holding the warehouse.

Before each ``dbt`` command, ``DbtCliResource.cli`` (dagster-dbt 0.29)

* runs ``dbt --version`` in a subprocess to learn which engine it drives: a whole second dbt start
  (5-8 s of CPU, most of a 2-core machine for that long) to read a version we already know, since
  ``defs/dbt/project.py`` puts the dbt installed next to this interpreter first on ``PATH``;
* loads a dbt-core adapter and every macro in this process (another ~5 s of CPU), which dagster-dbt
  only uses to fetch row counts and column metadata after the build. We use neither.

Both are private hooks of ``DbtCliResource``; ``tests/dagster_project/test_dbt_cli.py`` fails
loudly if an upgrade renames them, rather than letting the savings disappear silently.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from functools import cached_property

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from dagster_project.lib.dbt_leash import launcher_path


class MilemarkerDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that leashes dbt, knows its version and skips the in-process adapter."""

    @classmethod
    def leashed(cls, project: DbtProject) -> MilemarkerDbtCliResource:
        """The resource for ``project``, starting dbt through ``milemarker-dbt``."""
        return cls(project_dir=project, dbt_executable=str(launcher_path()))

    @cached_property
    def _cli_version(self) -> Version:
        """dbt-core's version from the package metadata instead of a ``dbt --version`` subprocess."""
        return Version(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        """No adapter: it only serves ``fetch_row_counts``/``fetch_column_metadata``, unused here."""
        return None
