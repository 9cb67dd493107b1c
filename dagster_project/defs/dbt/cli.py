"""The dbt CLI resource, minus two start-up costs dagster-dbt pays on every invocation.

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

from dagster_dbt import DbtCliResource
from packaging.version import Version


class MilemarkerDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that knows its dbt version and skips the in-process adapter."""

    @cached_property
    def _cli_version(self) -> Version:
        """dbt-core's version from the package metadata instead of a ``dbt --version`` subprocess."""
        return Version(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        """No adapter: it only serves ``fetch_row_counts``/``fetch_column_metadata``, unused here."""
        return None
