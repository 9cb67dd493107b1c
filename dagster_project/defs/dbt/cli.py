"""The dbt CLI resource: dbt on a leash, minus two start-up costs dagster-dbt pays per invocation.

dbt is started through ``milemarker-dbt`` (:mod:`dagster_project.warehouse.dbt_leash`), so a run that is
killed takes its dbt child with it instead of leaving it to build on, holding the warehouse.

Before each ``dbt`` command, ``DbtCliResource.cli`` (dagster-dbt 0.29)

* runs ``dbt --version`` in a subprocess to learn which engine it drives: a whole second dbt start
  (5-8 s of CPU, most of a 2-core machine for that long) to read a version we already know, since
  ``defs/dbt/project.py`` puts the dbt installed next to this interpreter first on ``PATH``;
* loads a dbt-core adapter and every macro in this process (another ~5 s of CPU), which dagster-dbt
  only uses to fetch row counts and column metadata after the build. We use neither.

dagster-dbt 0.29 has no public option for either, so both shortcuts override private hooks of
``DbtCliResource``. Each is checked when this module is imported
(:mod:`dagster_project.runs.private_api`): if an upgrade removed or reshaped its hook, the override
is left out, a warning says so once per process, and dbt runs the stock way -- slower, still
correct. ``tests/dagster_project/test_dbt_cli.py`` tells the maintainer whether both shortcuts are
active on the pinned version.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Sequence
from functools import cached_property

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from dagster_project.runs.private_api import PrivateApiChanged, require_attribute, require_method
from dagster_project.warehouse.dbt_leash import launcher_path

logger = logging.getLogger(__name__)


def shortcut_usable(require: Callable[[], None], cost: str) -> bool:
    """Whether ``require`` finds the private hook a shortcut overrides; if not, warn (once: this
    runs at import) that dbt pays ``cost`` again."""
    try:
        require()
    except PrivateApiChanged as changed:
        logger.warning("dagster-dbt changed a private hook (%s): each dbt command %s again", changed, cost)
        return False
    return True


# Private until dagster-dbt offers a public way to state the dbt version (or to skip the probe).
VERSION_SHORTCUT = shortcut_usable(
    lambda: require_attribute(DbtCliResource, "_cli_version", cached_property),
    "starts `dbt --version` (5-8 s of CPU)",
)
# Private until dagster-dbt offers a public option to create the adapter lazily, only when
# `fetch_row_counts` or `fetch_column_metadata` needs it.
ADAPTER_SHORTCUT = shortcut_usable(
    lambda: require_method(DbtCliResource, "_initialize_dbt_core_adapter", ("self", "args")),
    "loads a dbt adapter in process (~5 s of CPU)",
)


class MilemarkerDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that leashes dbt and, while the hooks allow it, knows its version and
    skips the in-process adapter."""

    @classmethod
    def leashed(cls, project: DbtProject) -> MilemarkerDbtCliResource:
        """The resource for ``project``, starting dbt through ``milemarker-dbt``."""
        return cls(project_dir=project, dbt_executable=str(launcher_path()))

    if VERSION_SHORTCUT:

        @cached_property
        def _cli_version(self) -> Version:
            """dbt-core's version from the package metadata instead of a ``dbt --version`` subprocess."""
            return Version(importlib.metadata.version("dbt-core"))

    if ADAPTER_SHORTCUT:

        def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
            """No adapter: it only serves ``fetch_row_counts``/``fetch_column_metadata``, unused here."""
            return None
