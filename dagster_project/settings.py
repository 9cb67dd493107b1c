"""Where Milemarker keeps its files, read from the environment with repo-relative defaults.

Relative paths in the environment are resolved against the repository root, never the current
directory, so ``make demo``, ``dagster dev``, pytest and dbt (which runs inside ``dbt/``) agree on
one warehouse file. A leading ``~`` or ``~/`` stands for ``$HOME``, as in a shell. ``dbt/profiles.yml``
applies the same rules to ``MILEMARKER_DUCKDB`` and ``MILEMARKER_DATA_DIR`` when dbt is run by hand;
``tests/dagster_project/test_settings.py`` renders it to prove the two name the same file.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SHIPPED_GOALS_FILE = REPO_ROOT / "goals.yml"
"""The goals file in the repository (the sandbox business's goals): :func:`goals_file_path`'s default."""


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    if not value:
        return default
    path = Path(_expand_home(name, value))
    return path if path.is_absolute() else REPO_ROOT / path


def _expand_home(name: str, value: str) -> str:
    """``~`` and ``~/...`` are the home directory; ``~user`` is refused rather than looked up.

    dbt's profile can read ``$HOME`` but not another user's home, so a ``~user`` that Python
    expanded and dbt did not would put the raw tables and the marts in two different files.
    """
    if value == "~" or value.startswith("~/"):
        return str(Path.home()) + value[1:]
    if value.startswith("~"):
        raise ValueError(f"{name}={value!r}: only ~ and ~/ (your own home) are expanded; write the path out")
    return value


def goals_file_path() -> Path:
    """``MILEMARKER_GOALS_FILE`` (default ``goals.yml`` in the repository): goals, organisation, sources.

    Read by every process that needs it (definitions, the goals asset, dbt's vars, ``make demo``,
    ``milemarker status``), so a business keeps its goals outside the clone, next to its data.
    """
    return _path_from_env("MILEMARKER_GOALS_FILE", SHIPPED_GOALS_FILE)


def data_dir() -> Path:
    """``MILEMARKER_DATA_DIR`` (default ``data/``): warehouse, Xero token store, exports."""
    return _path_from_env("MILEMARKER_DATA_DIR", REPO_ROOT / "data")


def warehouse_path() -> Path:
    """``MILEMARKER_DUCKDB`` (default ``<data dir>/warehouse.duckdb``): the one DuckDB file."""
    return _path_from_env("MILEMARKER_DUCKDB", data_dir() / "warehouse.duckdb")


def xero_token_store() -> Path:
    """Where the rotating Xero refresh token is persisted between runs (under the data dir)."""
    return data_dir() / "xero_token.json"
