"""dbt's ``var()`` for sqlfluff's jinja templater (``library_path`` in .sqlfluff): the project's vars.

sqlfluff's stand-in for dbt's ``var()`` returns the string "item" for every name, which fails the
models that loop over a mapping var (``var('hubspot_deal_stages').items()``) or compute with a
number var. This one returns the default that dbt_project.yml sets (what Dagster passes for the
sandbox; goals.yml's settings under ``milemarker_defaults``, which the ``setting`` macro reads as
vars first), else the call's own default, else "item" (so ``as_of_date``, null there, still renders).
Also the one cross-database macro the models call, ``dbt.type_string()``, as DuckDB's type.
"""

from pathlib import Path
from types import SimpleNamespace

import yaml

_DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project.yml"
_PROJECT_VARS = yaml.safe_load(_DBT_PROJECT.read_text()).get("vars") or {}
_VARS = {**_PROJECT_VARS.get("milemarker_defaults", {}), **_PROJECT_VARS}


def var(name, default=None):
    value = _VARS.get(name, default)
    return "item" if value is None else value


dbt = SimpleNamespace(type_string=lambda: "varchar")
